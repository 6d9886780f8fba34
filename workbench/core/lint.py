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
            "The Messages API has no response_format: it is not sent (ask for JSON in the "
            "prompt, or prefill '{').",
            Fix("Send plain text", {"response_format": None}),
        )
    elif params.response_format == "json_object" and not caps.json_object:
        add(
            "json-object",
            WARNING,
            "param:response_format",
            f"{model.id} is not documented to take response_format json_object; it may be refused.",
            Fix("Send plain text", {"response_format": None}),
        )
    if workspace.tools and any(t.enabled for t in workspace.tools) and not caps.tools:
        add("tools", WARNING, "tools", f"{model.id} does not call tools: the tools may be refused.")
    if not caps.vision:
        for index in _cards_where(workspace, messages, "lint:images", _has_images, _IMAGES):
            add(
                "vision",
                ERROR,
                f"card:{index}",
                f"{model.id} does not read images: this card's image would be refused.",
            )
    if thinking and caps.reasoning_echo:
        _echo_rules(add, _cards_where(workspace, messages, "lint:echo", _lacks_echo, _ECHO), model)
    _output_rules(add, params, model, prompt_tokens, provider_kind)
    return _sorted(found)


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
            (model.retirement() or "")
            + (" The provider still lists it." if served else " Sending it gets a 404."),
            Fix(f"Switch to {replacement}", {"model": replacement}) if replacement else None,
        )
        return
    if listed is not None and params.model not in listed:
        add(
            "unlisted-model",
            WARNING,
            "model",
            f"The provider no longer lists {params.model} (its model list): it may be retired.",
        )
    elif model is None and params.model.strip():
        add(
            "unknown-model",
            WARNING,
            "model",
            f"{params.model} is not in the model catalog: its window, price and limits are "
            "unknown, so nothing about it is checked.",
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
        what = f" (it is {fixed:g})" if isinstance(fixed, int | float) else ""
        add(
            "fixed-param",
            ERROR if refused else WARNING,
            f"param:{name}",
            f"{model.id} fixes {name}{what}: "
            + ("another value is refused." if refused else "the value is ignored."),
            Fix(f"Drop {name}", {name: None}),
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
            f"{model.id} accepts a temperature between {low:g} and {high:g}, "
            f"not {params.temperature:g}.",
            Fix(f"Set temperature to {high:g}", {"temperature": high}),
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
            'thinking must be {"type": "enabled"} or {"type": "disabled"}.',
            Fix("Drop thinking", {"thinking": None}),
        )
    if caps.thinking == "none":
        for name, value in (("thinking", thinking), ("reasoning_effort", effort)):
            if value is not None:
                add(
                    "no-thinking",
                    WARNING,
                    f"param:{name}",
                    f"{model.id} does not think: {name} is ignored or refused.",
                    Fix(f"Drop {name}", {name: None}),
                )
        return
    if thinking is not None and effort is not None:
        add(
            "thinking-twice",
            ERROR,
            "param:reasoning_effort",
            "Thinking is switched by thinking or by reasoning_effort, never both: the request "
            "is refused.",
            Fix("Drop reasoning_effort", {"reasoning_effort": None}),
        )
    if caps.thinking == "always" and kind == "disabled":
        add(
            "thinking-always",
            ERROR,
            "param:thinking",
            f"{model.id} always thinks: thinking disabled is refused.",
            Fix("Drop thinking", {"thinking": None}),
        )
    if isinstance(thinking, dict) and "keep" in thinking:
        add(
            "thinking-keep",
            ERROR,
            "param:thinking",
            "thinking.keep is refused: send only its type.",
            Fix("Drop thinking.keep", {"thinking": {"type": kind or "enabled"}}),
        )
    if effort is not None:
        if not caps.effort_levels:
            add(
                "no-effort",
                WARNING,
                "param:reasoning_effort",
                f"{model.id} takes no reasoning_effort: it is ignored or refused.",
                Fix("Drop reasoning_effort", {"reasoning_effort": None}),
            )
        elif effort not in caps.effort_levels:
            add(
                "effort-level",
                ERROR,
                "param:reasoning_effort",
                f"{model.id} takes reasoning_effort {', '.join(caps.effort_levels)}, "
                f"not {effort!r}.",
                Fix(f"Use {caps.effort_levels[-1]}", {"reasoning_effort": caps.effort_levels[-1]}),
            )


def _prefill_rules(
    add: Any, params: Params, model: ModelInfo, thinking: bool, provider_prefill: bool, card: str
) -> None:
    caps = model.capabilities
    if params.extra.get("prefill_mode") == PREFILL_INSTRUCTION:
        return  # the prefix goes as a closing instruction: nothing is prefilled
    instruction = Fix("Send the prefix as a closing instruction", {"prefill_mode": "instruction"})
    if caps.prefill == "no" and provider_prefill:
        add(
            "prefill",
            ERROR,
            card,
            f"{model.id} does not support assistant message prefill: the request is refused.",
            instruction,
        )
    elif caps.prefill == "thinking_off" and thinking:
        add(
            "prefill-thinking",
            ERROR,
            card,
            f"{model.id} continues a prefix only with thinking off.",
            Fix("Turn thinking off", {"thinking": {"type": "disabled"}})
            if caps.thinking == "toggle"
            else instruction,
        )
    elif caps.prefill_note:
        add("prefill-note", WARNING, card, caps.prefill_note, instruction)


def _echo_rules(add: Any, cards: list[int], model: ModelInfo) -> None:
    for index in cards:
        fix = (
            Fix("Turn thinking off", {"thinking": {"type": "disabled"}, "reasoning_effort": None})
            if model.capabilities.thinking == "toggle"
            else None
        )
        add(
            "reasoning-echo",
            ERROR,
            f"card:{index}",
            f"With thinking on, {model.id} needs the reasoning_content of an assistant message "
            "that made tool calls; this card has none (run it again, or turn thinking off).",
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
            "Both max_tokens and max_completion_tokens are set: max_tokens is sent as "
            f"{model.output_field}; drop the other.",
            Fix("Drop max_completion_tokens", {"max_completion_tokens": None}),
        )
    if wanted is None:
        if provider_kind == "anthropic":
            add(
                "output-required",
                WARNING,
                "param:max_tokens",
                "The Messages API needs max_tokens: "
                f"{anthropic_default_max_tokens(model):,} is sent.",
            )
        return
    if model.max_output is not None and wanted > model.max_output:
        add(
            "output-limit",
            ERROR,
            "param:max_tokens",
            f"{model.id} writes at most {model.max_output:,} tokens; {wanted:,} is refused.",
            Fix(f"Lower to {model.max_output:,}", {"max_tokens": model.max_output}),
        )
    window = model.context_window
    if prompt_tokens is not None and window is not None and prompt_tokens + wanted > window:
        fitted = fit_output(model, prompt_tokens)
        add(
            "window",
            WARNING,
            "param:max_tokens",
            f"The prompt (≈ {prompt_tokens:,}) plus {wanted:,} reserved output exceeds "
            f"{model.id}'s window of {window:,} tokens.",
            Fix(f"Fit: {fitted:,}", {"max_tokens": fitted}) if fitted else None,
        )


#: The output reserved on the Messages API when the workspace sets none (it is required there).
ANTHROPIC_DEFAULT_MAX_TOKENS = 4096


def anthropic_default_max_tokens(model: ModelInfo | None) -> int:
    """What the Messages API gets as ``max_tokens`` when the workspace leaves it unset."""
    if model is not None and model.max_output is not None:
        return min(ANTHROPIC_DEFAULT_MAX_TOKENS, model.max_output)
    return ANTHROPIC_DEFAULT_MAX_TOKENS
