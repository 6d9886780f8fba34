"""The request linter: predicts a provider's 400 before anything is sent.

Each rule reads the model's entry in the catalog (:class:`~workbench.core.catalog.Capabilities`,
fixed parameters, output limit, retirement) and the provider's kind; no rule tests a model id.
A :class:`Finding` says where the problem is (a parameter, a card, the model, the tools), how sure
it is (``error``: the provider certainly refuses the request, so Send refuses it too;
``warning``: it may be refused or silently ignored) and, where there is one, the one-click
:class:`Fix` as parameter changes. The window shows the findings at their places, the compare
columns per variant, and the CLI prints :meth:`Finding.line` for each.

The module is pure: no I/O, no Qt, no network.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from workbench.core.catalog import Catalog, ModelInfo
from workbench.core.conversation import Message
from workbench.core.texts import QT_TRANSLATE_NOOP
from workbench.core.workspace import Params, Workspace

ERROR = "error"
WARNING = "warning"

#: Sampling parameters a model may fix, and where :class:`Params` keeps each.
SAMPLING_PARAMS = ("temperature", "top_p", "n", "presence_penalty", "frequency_penalty")
#: Workbench-only parameters: kept in the workspace, never sent.
WORKBENCH_PARAMS = ("prefill_mode",)
#: ``params.prefill_mode`` value that sends the prefix as a closing instruction.
PREFILL_INSTRUCTION = "instruction"


@dataclass(frozen=True)
class Fix:
    """A one-click fix: parameter changes (``None`` removes the parameter; ``model`` switches).

    Attributes:
        label: The button's text ("Drop temperature").
        params: Parameter name -> new value.
    """

    label: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """One predicted problem of a request.

    Attributes:
        rule: A stable id of the rule (``retired-model``, ``fixed-param``...).
        severity: ``error`` (certainly refused: not sent) or ``warning``.
        place: Where it shows: ``model``, ``param:NAME``, ``card:INDEX``, ``tools``.
        message: The sentence the user reads.
        fix: The one-click fix, when there is one.
        variant: The compare variant's label, None for the workspace itself.
    """

    rule: str
    severity: str
    place: str
    message: str
    fix: Fix | None = None
    variant: str | None = None

    @property
    def blocking(self) -> bool:
        """Whether Send refuses the request."""
        return self.severity == ERROR

    @property
    def card(self) -> int | None:
        """The card's position for a ``card:N`` place."""
        if self.place.startswith("card:"):
            return int(self.place.split(":", 1)[1])
        return None

    @property
    def param(self) -> str | None:
        """The parameter's name for a ``param:NAME`` place (``model`` for the model)."""
        if self.place.startswith("param:"):
            return self.place.split(":", 1)[1]
        return "model" if self.place == "model" else None

    def line(self) -> str:
        """The one-line form the CLI prints: ``error: [variant] place: message (fix: ...)``."""
        where = f"variant {self.variant!r}, " if self.variant is not None else ""
        fix = f" (fix: {self.fix.label})" if self.fix is not None else ""
        return f"{self.severity}: {where}{self.place}: {self.message}{fix}"


# Reading the request ----------------------------------------------------------------------------


def param_value(params: Params, name: str) -> Any:
    """A parameter's value as sent (a field of :class:`Params` or a key of ``extra``)."""
    if name in ("temperature", "top_p", "max_tokens"):
        return getattr(params, name)
    return params.extra.get(name)


def thinking_on(model: ModelInfo | None, params: Params) -> bool:
    """Whether the request runs with thinking on (unknown models: only when asked for)."""
    if model is None:
        thinking = params.extra.get("thinking")
        return isinstance(thinking, dict) and thinking.get("type") == "enabled"
    return model.capabilities.thinking_on(params.extra)


def _has_images(message: Message) -> bool:
    parts = message.extra.get("content_parts")
    return isinstance(parts, list) and any(
        isinstance(p, dict) and p.get("type") in ("image_url", "image") for p in parts
    )


def _lacks_echo(message: Message) -> bool:
    """An assistant card that made tool calls without keeping its reasoning_content."""
    return (
        message.role == "assistant"
        and bool(message.tool_calls)
        and not message.extra.get("reasoning_content")
    )


def _cards_where(
    workspace: Workspace, messages: list[Message] | None, key: str, test: Any, fields: set[str]
) -> list[int]:
    """The positions of the sent cards ``test`` holds for: from the conversation's index (kept
    per card as it is edited) when the workspace's own cards are sent, else by reading them."""
    if messages is None:
        return workspace.conversation.card_index(key, test, fields).positions()
    return [index for index, message in enumerate(messages) if test(message)]


def fit_output(model: ModelInfo | None, prompt_tokens: int) -> int | None:
    """The output that fits: what the window leaves after the prompt, capped by the output limit.

    None when neither the window nor the output limit is known, or nothing is left.
    """
    if model is None:
        return None
    room = None if model.context_window is None else model.context_window - prompt_tokens
    limit = model.max_output
    if room is None and limit is None:
        return None
    fitted = min(v for v in (room, limit) if v is not None)
    return fitted if fitted >= 1 else None


#: The fields the per-card rules read (see :meth:`Conversation.card_index`).
_IMAGES = {"content_parts", "extra"}
_ECHO = {"role", "tool_calls", "reasoning_content", "extra"}


# The rules --------------------------------------------------------------------------------------


def lint_request(
    workspace: Workspace,
    params: Params,
    catalog: Catalog,
    *,
    provider_kind: str,
    messages: list[Message] | None = None,
    listed: Collection[str] | None = None,
    prompt_tokens: int | None = None,
    variant: str | None = None,
    provider_prefill: bool = True,
) -> list[Finding]:
    """Every predicted problem of sending ``workspace`` with ``params``, errors first.

    Args:
        workspace: The conversation and tools.
        params: The effective parameters (a variant's changes applied).
        catalog: Where the model's capabilities are read.
        provider_kind: The provider's wire-format family (``moonshot``, ``anthropic``...).
        messages: The messages sent (a variant's own system message); the workspace's if None
            (then the per-card rules read the conversation's indexes: a keystroke in one card
            costs one card, whatever the number of cards).
        listed: The ids the provider's ``GET /models`` returned, when known.
        prompt_tokens: The prompt's size, when counted, for the window rule.
        variant: The variant's label, set on every finding.
        provider_prefill: Whether the provider has a prefill mechanism at all.
    """
    found: list[Finding] = []

    def add(rule: str, severity: str, place: str, message: str, fix: Fix | None = None) -> None:
        found.append(Finding(rule, severity, place, message, fix, variant))

    conversation = workspace.conversation
    count = len(conversation) if messages is None else len(messages)
    last = (conversation[-1] if messages is None else messages[-1]) if count else None
    model = catalog.get(params.model)
    if model is not None and model.listed_only:
        model = None
    listed_set = set(listed) if listed is not None else None
    _model_rules(add, params, model, listed_set)
    if model is None:
        return _sorted(found)
    caps = model.capabilities
    thinking = thinking_on(model, params)
    _sampling_rules(add, params, model, thinking)
    _thinking_rules(add, params, model)
    if last is not None and last.partial and last.role == "assistant":
        _prefill_rules(add, params, model, thinking, provider_prefill, f"card:{count - 1}")
    if provider_kind == "anthropic" and params.response_format != "text":
        add(
            "format-param",
            WARNING,
            "param:response_format",
            QT_TRANSLATE_NOOP(
                "Lint",
                "The Messages API has no response_format: it is not sent (ask for JSON in the "
                "prompt, or prefill '{brace}').",
            ).format(brace="{"),
            Fix(QT_TRANSLATE_NOOP("Lint", "Send plain text"), {"response_format": None}),
        )
    elif params.response_format == "json_object" and not caps.json_object:
        add(
            "json-object",
            WARNING,
            "param:response_format",
            QT_TRANSLATE_NOOP(
                "Lint",
                "{model} is not documented to take response_format json_object; it may be refused.",
            ).format(model=model.id),
            Fix(QT_TRANSLATE_NOOP("Lint", "Send plain text"), {"response_format": None}),
        )
    if workspace.tools and any(t.enabled for t in workspace.tools) and not caps.tools:
        add(
            "tools",
            WARNING,
            "tools",
            QT_TRANSLATE_NOOP(
                "Lint", "{model} does not call tools: the tools may be refused."
            ).format(model=model.id),
        )
    if not caps.vision:
        for index in _cards_where(workspace, messages, "lint:images", _has_images, _IMAGES):
            add(
                "vision",
                ERROR,
                f"card:{index}",
                QT_TRANSLATE_NOOP(
                    "Lint", "{model} does not read images: this card's image would be refused."
                ).format(model=model.id),
            )
    if thinking and caps.reasoning_echo:
        _echo_rules(add, _cards_where(workspace, messages, "lint:echo", _lacks_echo, _ECHO), model)
    _output_rules(add, params, model, prompt_tokens, provider_kind)
    return _sorted(found)


def _drop(name: str, params: dict[str, Any]) -> Fix:
    """The fix that drops (or trims) the parameter ``name``: "Drop NAME"."""
    return Fix(QT_TRANSLATE_NOOP("Lint", "Drop {name}").format(name=name), params)


def _sorted(found: list[Finding]) -> list[Finding]:
    return sorted(found, key=lambda f: f.severity != ERROR)


def _model_rules(
    add: Any, params: Params, model: ModelInfo | None, listed: set[str] | None
) -> None:
    if model is not None and model.retired:
        replacement = model.replacement
        served = listed is not None and model.id in listed
        add(
            "retired-model",
            WARNING if served else ERROR,
            "model",
            (
                QT_TRANSLATE_NOOP("Lint", "{retirement} The provider still lists it.")
                if served
                else QT_TRANSLATE_NOOP("Lint", "{retirement} Sending it gets a 404.")
            ).format(retirement=model.retirement() or ""),
            Fix(
                QT_TRANSLATE_NOOP("Lint", "Switch to {model}").format(model=replacement),
                {"model": replacement},
            )
            if replacement
            else None,
        )
        return
    if listed is not None and params.model not in listed:
        add(
            "unlisted-model",
            WARNING,
            "model",
            QT_TRANSLATE_NOOP(
                "Lint", "The provider no longer lists {model} (its model list): it may be retired."
            ).format(model=params.model),
        )
    elif model is None and params.model.strip():
        add(
            "unknown-model",
            WARNING,
            "model",
            QT_TRANSLATE_NOOP(
                "Lint",
                "{model} is not in the model catalog: its window, price and limits are "
                "unknown, so nothing about it is checked.",
            ).format(model=params.model),
        )


def _sampling_rules(add: Any, params: Params, model: ModelInfo, thinking: bool) -> None:
    for name in SAMPLING_PARAMS:
        value = param_value(params, name)
        if value is None or name not in model.fixed_params:
            continue
        fixed = model.fixed_value(name, thinking)
        if fixed is not None and isinstance(value, int | float) and float(value) == float(fixed):
            continue
        refused = model.fixed_params_policy == "refused"
        if isinstance(fixed, int | float):
            message = (
                QT_TRANSLATE_NOOP(
                    "Lint", "{model} fixes {name} (it is {fixed:g}): another value is refused."
                )
                if refused
                else QT_TRANSLATE_NOOP(
                    "Lint", "{model} fixes {name} (it is {fixed:g}): the value is ignored."
                )
            ).format(model=model.id, name=name, fixed=fixed)
        else:
            message = (
                QT_TRANSLATE_NOOP("Lint", "{model} fixes {name}: another value is refused.")
                if refused
                else QT_TRANSLATE_NOOP("Lint", "{model} fixes {name}: the value is ignored.")
            ).format(model=model.id, name=name)
        add(
            "fixed-param",
            ERROR if refused else WARNING,
            f"param:{name}",
            message,
            _drop(name, {name: None}),
        )
    low, high = model.temperature_range
    if (
        params.temperature is not None
        and "temperature" not in model.fixed_params
        and not low <= params.temperature <= high
    ):
        add(
            "temperature-range",
            ERROR,
            "param:temperature",
            QT_TRANSLATE_NOOP(
                "Lint", "{model} accepts a temperature between {low:g} and {high:g}, not {value:g}."
            ).format(model=model.id, low=low, high=high, value=params.temperature),
            Fix(
                QT_TRANSLATE_NOOP("Lint", "Set temperature to {value:g}").format(value=high),
                {"temperature": high},
            ),
        )


def _thinking_rules(add: Any, params: Params, model: ModelInfo) -> None:
    caps = model.capabilities
    thinking = params.extra.get("thinking")
    effort = params.extra.get("reasoning_effort")
    kind = thinking.get("type") if isinstance(thinking, dict) else None
    if thinking is not None and kind not in ("enabled", "disabled"):
        add(
            "thinking-shape",
            ERROR,
            "param:thinking",
            QT_TRANSLATE_NOOP("Lint", "thinking must be {enabled} or {disabled}.").format(
                enabled='{"type": "enabled"}', disabled='{"type": "disabled"}'
            ),
            _drop("thinking", {"thinking": None}),
        )
    if caps.thinking == "none":
        for name, value in (("thinking", thinking), ("reasoning_effort", effort)):
            if value is not None:
                add(
                    "no-thinking",
                    WARNING,
                    f"param:{name}",
                    QT_TRANSLATE_NOOP(
                        "Lint", "{model} does not think: {name} is ignored or refused."
                    ).format(model=model.id, name=name),
                    _drop(name, {name: None}),
                )
        return
    if thinking is not None and effort is not None:
        add(
            "thinking-twice",
            ERROR,
            "param:reasoning_effort",
            QT_TRANSLATE_NOOP(
                "Lint",
                "Thinking is switched by thinking or by reasoning_effort, never both: the request "
                "is refused.",
            ),
            _drop("reasoning_effort", {"reasoning_effort": None}),
        )
    if caps.thinking == "always" and kind == "disabled":
        add(
            "thinking-always",
            ERROR,
            "param:thinking",
            QT_TRANSLATE_NOOP(
                "Lint", "{model} always thinks: thinking disabled is refused."
            ).format(model=model.id),
            _drop("thinking", {"thinking": None}),
        )
    if isinstance(thinking, dict) and "keep" in thinking:
        add(
            "thinking-keep",
            ERROR,
            "param:thinking",
            QT_TRANSLATE_NOOP("Lint", "thinking.keep is refused: send only its type."),
            _drop("thinking.keep", {"thinking": {"type": kind or "enabled"}}),
        )
    if effort is not None:
        if not caps.effort_levels:
            add(
                "no-effort",
                WARNING,
                "param:reasoning_effort",
                QT_TRANSLATE_NOOP(
                    "Lint", "{model} takes no reasoning_effort: it is ignored or refused."
                ).format(model=model.id),
                _drop("reasoning_effort", {"reasoning_effort": None}),
            )
        elif effort not in caps.effort_levels:
            add(
                "effort-level",
                ERROR,
                "param:reasoning_effort",
                QT_TRANSLATE_NOOP(
                    "Lint", "{model} takes reasoning_effort {levels}, not {value}."
                ).format(model=model.id, levels=", ".join(caps.effort_levels), value=repr(effort)),
                Fix(
                    QT_TRANSLATE_NOOP("Lint", "Use {level}").format(level=caps.effort_levels[-1]),
                    {"reasoning_effort": caps.effort_levels[-1]},
                ),
            )


def _prefill_rules(
    add: Any, params: Params, model: ModelInfo, thinking: bool, provider_prefill: bool, card: str
) -> None:
    caps = model.capabilities
    if params.extra.get("prefill_mode") == PREFILL_INSTRUCTION:
        return  # the prefix goes as a closing instruction: nothing is prefilled
    instruction = Fix(
        QT_TRANSLATE_NOOP("Lint", "Send the prefix as a closing instruction"),
        {"prefill_mode": "instruction"},
    )
    if caps.prefill == "no" and provider_prefill:
        add(
            "prefill",
            ERROR,
            card,
            QT_TRANSLATE_NOOP(
                "Lint",
                "{model} does not support assistant message prefill: the request is refused.",
            ).format(model=model.id),
            instruction,
        )
    elif caps.prefill == "thinking_off" and thinking:
        add(
            "prefill-thinking",
            ERROR,
            card,
            QT_TRANSLATE_NOOP("Lint", "{model} continues a prefix only with thinking off.").format(
                model=model.id
            ),
            Fix(QT_TRANSLATE_NOOP("Lint", "Turn thinking off"), {"thinking": {"type": "disabled"}})
            if caps.thinking == "toggle"
            else instruction,
        )
    elif caps.prefill_note:
        add("prefill-note", WARNING, card, caps.prefill_note, instruction)


def _echo_rules(add: Any, cards: list[int], model: ModelInfo) -> None:
    for index in cards:
        fix = (
            Fix(
                QT_TRANSLATE_NOOP("Lint", "Turn thinking off"),
                {"thinking": {"type": "disabled"}, "reasoning_effort": None},
            )
            if model.capabilities.thinking == "toggle"
            else None
        )
        add(
            "reasoning-echo",
            ERROR,
            f"card:{index}",
            QT_TRANSLATE_NOOP(
                "Lint",
                "With thinking on, {model} needs the reasoning_content of an assistant message "
                "that made tool calls; this card has none (run it again, or turn thinking off).",
            ).format(model=model.id),
            fix,
        )


def _output_rules(
    add: Any, params: Params, model: ModelInfo, prompt_tokens: int | None, provider_kind: str
) -> None:
    wanted = params.max_tokens
    if isinstance(params.extra.get("max_completion_tokens"), int) and wanted is not None:
        add(
            "output-twice",
            WARNING,
            "param:max_tokens",
            QT_TRANSLATE_NOOP(
                "Lint",
                "Both max_tokens and max_completion_tokens are set: max_tokens is sent as "
                "{field}; drop the other.",
            ).format(field=model.output_field),
            _drop("max_completion_tokens", {"max_completion_tokens": None}),
        )
    if wanted is None:
        if provider_kind == "anthropic":
            add(
                "output-required",
                WARNING,
                "param:max_tokens",
                QT_TRANSLATE_NOOP(
                    "Lint", "The Messages API needs max_tokens: {tokens:,} is sent."
                ).format(tokens=anthropic_default_max_tokens(model)),
            )
        return
    if model.max_output is not None and wanted > model.max_output:
        add(
            "output-limit",
            ERROR,
            "param:max_tokens",
            QT_TRANSLATE_NOOP(
                "Lint", "{model} writes at most {limit:,} tokens; {wanted:,} is refused."
            ).format(model=model.id, limit=model.max_output, wanted=wanted),
            Fix(
                QT_TRANSLATE_NOOP("Lint", "Lower to {tokens:,}").format(tokens=model.max_output),
                {"max_tokens": model.max_output},
            ),
        )
    window = model.context_window
    if prompt_tokens is not None and window is not None and prompt_tokens + wanted > window:
        fitted = fit_output(model, prompt_tokens)
        add(
            "window",
            WARNING,
            "param:max_tokens",
            QT_TRANSLATE_NOOP(
                "Lint",
                "The prompt (≈ {prompt:,}) plus {wanted:,} reserved output exceeds "
                "{model}'s window of {window:,} tokens.",
            ).format(prompt=prompt_tokens, wanted=wanted, model=model.id, window=window),
            Fix(
                QT_TRANSLATE_NOOP("Lint", "Fit: {tokens:,}").format(tokens=fitted),
                {"max_tokens": fitted},
            )
            if fitted
            else None,
        )


#: The output reserved on the Messages API when the workspace sets none (it is required there).
ANTHROPIC_DEFAULT_MAX_TOKENS = 4096


def anthropic_default_max_tokens(model: ModelInfo | None) -> int:
    """What the Messages API gets as ``max_tokens`` when the workspace leaves it unset."""
    if model is not None and model.max_output is not None:
        return min(ANTHROPIC_DEFAULT_MAX_TOKENS, model.max_output)
    return ANTHROPIC_DEFAULT_MAX_TOKENS
