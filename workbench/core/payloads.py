"""From a workspace to one provider's wire format: the only place that knows the differences.

A neutral workspace (messages with a ``partial`` flag, tools, parameters) becomes a
:class:`ChatRequest` for one provider through its prefill style (DESIGN section 4):

- Moonshot: the last message ``{"role": "assistant", "content": P, "partial": true}`` (+ name);
- DeepSeek: ``"prefix": true`` on that message, on the beta base URL;
- vLLM/SGLang/TGI: ``continue_final_message`` with ``add_generation_prompt`` false;
- local servers (Ollama, llama.cpp, LM Studio): the trailing assistant message as it is;
- OpenAI: no prefill; the request is refused with the reason;
- the Anthropic Messages API (kind ``anthropic``): a trailing assistant message without trailing
  whitespace, in a body built by :mod:`workbench.core.anthropic_format`.

Where the model refuses a prefill, the user may opt in (``params.prefill_mode: "instruction"``)
to sending the prefix as a closing instruction instead; the request records which mechanism it
used. What the model accepts is read from the catalog (:mod:`workbench.core.lint`): the output
limit's field name, which fixed parameters and thinking controls exist, whether the reasoning of
a tool-calling turn goes back.
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from workbench.core.anthropic_format import FormatError, build_body, content_text, count_body
from workbench.core.catalog import Catalog, ModelInfo, load_builtin_catalog
from workbench.core.conversation import Conversation, Message, SystemReplaced
from workbench.core.lint import (
    PREFILL_INSTRUCTION,
    WORKBENCH_PARAMS,
    Finding,
    anthropic_default_max_tokens,
    lint_request,
    thinking_on,
)
from workbench.core.providers import Prefill, ProviderConfig, prefill_refusal
from workbench.core.texts import QT_TRANSLATE_NOOP
from workbench.core.tools import rules_for, sendable_tools, tool_problems
from workbench.core.variables import fill, fill_message
from workbench.core.workspace import (
    EXTRA_BODY_KEY,
    Params,
    Variant,
    Workspace,
    WorkspaceError,
    message_to_json,
    params_from_json,
    variant_variables,
    workspace_from_json,
)

#: Body keys the SDK's ``create()`` takes by name; everything else travels in ``extra_body``.
SDK_KEYS = ("model", "messages", "stream")

MOONSHOT_TEMPERATURE = (0.0, 1.0)
#: The closing instruction sent instead of a prefill the model refuses.
PREFIX_INSTRUCTION = (
    "Begin your answer with exactly the following text, then continue it:\n\n{prefix}"
)


@lru_cache(maxsize=1)
def builtin_catalog() -> Catalog:
    """The built-in catalog, read once (the default for checks and payload building)."""
    return load_builtin_catalog()


class RequestError(ValueError):
    """A request that must not be sent; ``problems`` lists every reason as a sentence."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__(" ".join(problems))


@dataclass
class ChatRequest:
    """A chat-completion request ready for one provider.

    Attributes:
        provider: The provider id.
        kind: The provider's wire-format family.
        base_url: Where to send it.
        model: The model id.
        body: The JSON body: ``model``, ``messages``, ``tools``/``tool_choice`` when tools are
            sent, the parameters, ``stream`` and ``stream_options``.
        extra_body: Provider-specific keys merged into the body on the wire (vLLM's
            ``continue_final_message``, say).
        prefix: The partial prefix sent as the last assistant message ("" when not partial);
            the answer the user sees is this prefix followed by the continuation.
        variant: The variant label, None for the workspace itself.
        key_env: The environment variable an exported request reads the key from (the one
            given with --api-key-env when ``key_from_option``).
        needs_key: Whether the provider wants an API key.
        provider_name: The provider's name as the user reads it (the id when not given).
        prefill_mechanism: How the prefix was sent: the provider's prefill style
            (``moonshot_partial``, ``trailing_assistant``...), ``instruction`` (a closing
            instruction; the model's echo of the prefix is removed from the answer), or "".
    """

    provider: str
    kind: str
    base_url: str
    model: str
    body: dict[str, Any]
    extra_body: dict[str, Any] = field(default_factory=dict)
    prefix: str = ""
    variant: str | None = None
    key_env: str = ""
    needs_key: bool = True
    provider_name: str = ""
    prefill_mechanism: str = ""
    #: The key comes from the variable ``key_env`` named on the command line (--api-key-env).
    key_from_option: bool = False

    @property
    def provider_label(self) -> str:
        """The provider's name for messages, or its id."""
        return self.provider_name or self.provider

    def wire_body(self) -> dict[str, Any]:
        """The exact JSON body sent: ``body`` with ``extra_body`` merged in."""
        return {**copy.deepcopy(self.body), **copy.deepcopy(self.extra_body)}

    def to_json(self) -> dict[str, Any]:
        """The request as history keeps it (no key: a request never holds one)."""
        return {
            "provider": self.provider,
            "kind": self.kind,
            "base_url": self.base_url,
            "model": self.model,
            "variant": self.variant,
            "prefix": self.prefix,
            "prefill_mechanism": self.prefill_mechanism,
            "body": copy.deepcopy(self.body),
            "extra_body": copy.deepcopy(self.extra_body),
        }


# Variants and parameters ----------------------------------------------------------------------


def find_variant(workspace: Workspace, label: str) -> Variant | None:
    """The workspace's variant labelled ``label`` (exact, then case-insensitive), or None."""
    for variant in workspace.variants:
        if variant.label == label:
            return variant
    folded = label.casefold()
    return next((v for v in workspace.variants if v.label.casefold() == folded), None)


def effective_params(workspace: Workspace, variant: Variant | None = None) -> Params:
    """The workspace's parameters with the variant's changes applied.

    ``variant.params`` overrides the workspace's key by key; a ``null`` value removes the
    parameter (the provider's default applies), except for ``provider`` and ``model``, which keep
    the workspace's. The variant's own ``provider`` and ``model`` fields win over its params.
    This is the one resolution both the request and the compare columns' figures use.

    Raises:
        WorkspaceError: a variant parameter has the wrong type.
    """
    if variant is None:
        return copy.deepcopy(workspace.params)
    merged = workspace.params.to_json()
    for key, value in variant.params.items():
        if value is not None:
            merged[key] = copy.deepcopy(value)
        elif key not in ("provider", "model"):
            merged.pop(key, None)
    if variant.provider:
        merged["provider"] = variant.provider
    if variant.model:
        merged["model"] = variant.model
    return params_from_json(merged, f"variant {variant.label!r} params")


def workspace_with_model(workspace: Workspace, model: str) -> Workspace:
    """A copy of ``workspace`` whose runs and variants all use ``model`` (the CLI's --model)."""
    copy_ = workspace_from_json(workspace.to_json())
    copy_.params.model = model
    for variant in copy_.variants:
        variant.model = model
        variant.params.pop("model", None)
    return copy_


def provider_id_for(workspace: Workspace, variant: Variant | None = None) -> str:
    """The provider id a run of ``variant`` (or the workspace) goes to."""
    if variant is not None and variant.provider:
        return variant.provider
    if variant is not None and isinstance(variant.params.get("provider"), str):
        return str(variant.params["provider"])
    return workspace.params.provider


# Messages -------------------------------------------------------------------------------------


def variant_conversation(workspace: Workspace, variant: Variant | None = None) -> Conversation:
    """The cards ``variant`` sends, uncopied: the workspace's conversation itself, or, for a
    variant with its own system message, a :class:`SystemReplaced` view of it.

    This is where a variant's own system message becomes a card, and from here on it is one
    like the others: unfilled when the cards are (their variables are filled, checked and
    counted together, with the same values), filled with :attr:`Workspace.filled_values` when
    ``workspace`` is a copy whose cards were filled already.
    """
    if variant is None or variant.system is None:
        return workspace.conversation
    system = variant.system
    if workspace.filled_values is not None:
        system = fill(system, workspace.filled_values)
    return SystemReplaced(workspace.conversation, system)


def variant_view(
    workspace: Workspace, variant: Variant | None, params: Params | None = None
) -> Workspace:
    """What ``variant`` sends, to check and count before it runs, without copying a card.

    The view shares the workspace's cards (through :func:`variant_conversation`: a keystroke's
    check then reads the edited card, from the conversation's per-card indexes), tools and test
    cases (so that its variables fill as a run's do), under the variant's parameters
    (``params`` when the caller has them already). For reading at once: never edit it.

    Raises:
        WorkspaceError: the overrides hold a value the parameters cannot take.
    """
    view = Workspace(
        title=workspace.title,
        tools=workspace.tools,
        tool_choice=workspace.tool_choice,
        params=params if params is not None else effective_params(workspace, variant),
        tests=workspace.tests,
    )
    view.current_test = workspace.current_test
    view.filled_values = workspace.filled_values
    view.conversation = variant_conversation(workspace, variant)
    return view


def variant_messages(workspace: Workspace, variant: Variant | None = None) -> list[Message]:
    """Copies of the messages ``variant`` sends (the compare columns count the same ones).

    Variables are filled from the workspace's current test case, in every card the variant
    sends: its own system message too (:func:`variant_conversation`), which takes the first
    system message's text, or goes first when there is none; later system messages stay where
    they are.
    """
    values = workspace.variable_values()
    cards = variant_conversation(workspace, variant)
    if values:
        return [fill_message(m, values) for m in cards]
    return [m.copy() for m in cards]


def _messages(workspace: Workspace, variant: Variant | None) -> list[dict[str, Any]]:
    messages = [message_to_json(m) for m in variant_messages(workspace, variant)]
    for message in messages:
        message.pop("partial", None)  # the prefill style decides how the flag is sent
    return messages


def _is_partial(workspace: Workspace) -> bool:
    conversation = workspace.conversation
    return bool(len(conversation)) and conversation[-1].partial


def _prefill(messages: list[dict[str, Any]], prefill: Prefill, extra_body: dict[str, Any]) -> None:
    """Marks the last (assistant) message as a prefix the model continues."""
    last = messages[-1]
    if prefill is Prefill.MOONSHOT_PARTIAL:
        last["partial"] = True
    elif prefill is Prefill.DEEPSEEK_PREFIX:
        last["prefix"] = True
    elif prefill is Prefill.CONTINUE_FINAL:
        # Both flags true is a 400 on vLLM: the final message is continued, not answered.
        extra_body["continue_final_message"] = True
        extra_body["add_generation_prompt"] = False
    # TRAILING_ASSISTANT: local servers continue a trailing assistant message as it is.


# Tools ----------------------------------------------------------------------------------------


def sent_tools(workspace: Workspace) -> list[dict[str, Any]]:
    """The tools a run sends: enabled entries whose JSON parses, workbench data stripped."""
    return sendable_tools(workspace.tools)


def _tool_problems(workspace: Workspace, provider: ProviderConfig) -> list[str]:
    # Invalid JSON, shapes, schemas, names, duplicates, count, tool_choice: workbench.core.tools.
    rules = rules_for(provider.id, provider.kind, provider.name)
    return tool_problems(workspace, rules)


# Checking and building ------------------------------------------------------------------------


def lint(
    workspace: Workspace,
    provider: ProviderConfig,
    variant: Variant | None = None,
    *,
    catalog: Catalog | None = None,
    listed: Collection[str] | None = None,
    prompt_tokens: int | None = None,
) -> list[Finding]:
    """The linter's findings for this request (errors and warnings, see :mod:`.lint`)."""
    try:
        params = effective_params(workspace, variant)
    except WorkspaceError:
        return []  # request_problems names it
    # Filling variables changes no card's images, tool calls or reasoning: the cards are linted
    # as they are, from the conversation's per-card indexes (no copies, even through a variant's
    # own system message).
    own = variant is None or variant.system is None
    sent = workspace if own else variant_view(workspace, variant, params)
    found = lint_request(
        sent,
        params,
        catalog or builtin_catalog(),
        provider_kind=provider.kind,
        listed=listed,
        prompt_tokens=prompt_tokens,
        variant=variant.label if variant is not None else None,
        provider_prefill=provider.prefill is not Prefill.NONE,
    )
    conversation = sent.conversation
    count = len(conversation)
    last = conversation[-1] if count else None
    partial = last is not None and last.partial and last.role == "assistant"
    if (
        partial
        and params.extra.get("prefill_mode") != PREFILL_INSTRUCTION
        and provider.prefill is Prefill.DEEPSEEK_PREFIX
        and "/beta" not in provider.base_url
        and not _is_deepseek_host(provider.base_url)
    ):
        found.append(
            Finding(
                "deepseek-gateway",
                "warning",
                f"card:{count - 1}",
                "DeepSeek continues a prefix only on its beta endpoint: this goes through "
                f"{provider.base_url}, which must forward it there (LiteLLM does).",
                variant=variant.label if variant is not None else None,
            )
        )
    return found


def _is_deepseek_host(url: str) -> bool:
    """Whether ``url`` is DeepSeek's own API (not a gateway in front of it)."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    return host == "deepseek.com" or host.endswith(".deepseek.com")


def request_problems(
    workspace: Workspace,
    provider: ProviderConfig,
    variant: Variant | None = None,
    *,
    catalog: Catalog | None = None,
    listed: Collection[str] | None = None,
) -> list[str]:
    """Everything that stops this request from being sent to ``provider``, as sentences.

    That is the workspace's own problems and the linter's errors (what the provider certainly
    refuses); the linter's warnings do not stop a send.
    """
    found = list(workspace.problems())
    try:
        params = effective_params(workspace, variant)
    except WorkspaceError as error:
        return [*found, error.args[0]]
    if variant is not None:
        found += _own_system_problems(workspace, variant, params)
        found += [
            QT_TRANSLATE_NOOP("SendProblems", "Variant {label}, parameter {name}: {reason}").format(
                label=repr(variant.label), name=name, reason=reason
            )
            for name, reason in params.problems()
            if f"Parameter {name}: {reason}" not in found
        ]
    catalog = catalog or builtin_catalog()
    partial = _is_partial(workspace)
    instruction = params.extra.get("prefill_mode") == PREFILL_INSTRUCTION
    if partial and not instruction:
        refusal = prefill_refusal(provider.prefill, provider.name)
        if refusal:
            found.append(
                QT_TRANSLATE_NOOP(
                    "SendProblems",
                    "{refusal} Or send the prefix as a closing instruction "
                    '(prefill_mode "instruction").',
                ).format(refusal=refusal)
            )
        if (
            provider.prefill is Prefill.DEEPSEEK_PREFIX
            and "/beta" not in provider.base_url
            and _is_deepseek_host(provider.base_url)  # a gateway may forward it: a warning
        ):
            found.append(
                QT_TRANSLATE_NOOP(
                    "SendProblems",
                    "DeepSeek continues a prefix only on its beta base URL "
                    "(https://api.deepseek.com/beta): change the provider's base URL.",
                )
            )
    json_object = params.response_format == "json_object"
    if partial and json_object and not any("json_object" in p for p in found):
        found.append(
            QT_TRANSLATE_NOOP(
                "SendProblems",
                "Partial mode cannot be combined with response_format json_object: turn one off.",
            )
        )
    known = catalog.get(params.model)
    if provider.kind == "moonshot" and params.temperature is not None and known is None:
        low, high = MOONSHOT_TEMPERATURE
        if not low <= params.temperature <= high:
            found.append(
                QT_TRANSLATE_NOOP(
                    "SendProblems",
                    "Moonshot accepts a temperature between {low} and {high}, not {value}.",
                ).format(low=f"{low:g}", high=f"{high:g}", value=f"{params.temperature:g}")
            )
    found += [
        f.message
        if variant is None
        else QT_TRANSLATE_NOOP("SendProblems", "Variant {label}: {problem}").format(
            label=repr(variant.label), problem=f.message
        )
        for f in lint(workspace, provider, variant, catalog=catalog, listed=listed)
        if f.blocking
    ]
    found += _tool_problems(workspace, provider)
    return found


def _own_system_problems(workspace: Workspace, variant: Variant, params: Params) -> list[str]:
    """A variable of ``variant``'s own system message without a value, naming the variant (the
    cards' own are among the workspace's problems): the cards' check, run on what it sends."""
    if not variant_variables(variant):
        return []
    sent = variant_view(workspace, variant, params)
    conversation = sent.conversation
    assert isinstance(conversation, SystemReplaced)
    position = conversation.index_of(conversation.replacement.uid)
    return [
        QT_TRANSLATE_NOOP("SendProblems", "Variant {label}, system message: {problem}").format(
            label=repr(variant.label), problem=problem.text
        )
        for problem in sent.variable_problems()
        if problem.index == position
    ]


def _body_params(params: Params) -> dict[str, Any]:
    # The file's params object is the body's parameters; provider is ours, model goes first,
    # workbench-only settings (how to prefill) are never sent.
    body = params.to_json()
    del body["provider"], body["model"]
    for key in WORKBENCH_PARAMS:
        body.pop(key, None)
    merged = body.pop(EXTRA_BODY_KEY, None)
    if isinstance(merged, dict):  # keys that clash with the workspace's own (OpenRouter's provider)
        body.update(merged)
    return body


def _reasoning_sent(
    messages: list[dict[str, Any]], model: ModelInfo | None, params: Params
) -> None:
    """Keeps ``reasoning_content`` on assistant messages only where the model wants it back.

    With thinking on, a model marked ``reasoning_echo`` needs the reasoning of a tool-calling
    turn; every other request leaves it out (other APIs refuse unknown message fields).
    """
    echo = model is not None and model.capabilities.reasoning_echo and thinking_on(model, params)
    for message in messages:
        if "reasoning_content" not in message:
            continue
        if not (echo and message.get("role") == "assistant" and message.get("tool_calls")):
            del message["reasoning_content"]


def build_request(
    workspace: Workspace,
    provider: ProviderConfig,
    variant: Variant | None = None,
    *,
    catalog: Catalog | None = None,
    listed: Collection[str] | None = None,
) -> ChatRequest:
    """The request that sends ``workspace`` (changed by ``variant``) to ``provider``.

    Raises:
        RequestError: the request must not be sent (see :func:`request_problems`).
    """
    catalog = catalog or builtin_catalog()
    problems = request_problems(workspace, provider, variant, catalog=catalog, listed=listed)
    if problems:
        raise RequestError(problems)
    return _assemble(workspace, provider, variant, catalog)


def exact_count_body(
    workspace: Workspace, provider: ProviderConfig, *, catalog: Catalog | None = None
) -> dict[str, Any]:
    """The body an exact count of the workspace's request posts to a Messages API provider.

    That is the request :func:`build_request` sends, less ``max_tokens`` and the sampling
    parameters (:func:`~workbench.core.anthropic_format.count_body`). It is built without the
    send checks: the meter counts a request while it is still being written.

    Raises:
        RequestError: the wire format cannot carry the conversation (a card's tool call
            arguments are not JSON, say).
        WorkspaceError: a parameter has the wrong type.
    """
    request = _assemble(workspace, provider, None, catalog or builtin_catalog())
    return count_body(request.body)


def _assemble(
    workspace: Workspace, provider: ProviderConfig, variant: Variant | None, catalog: Catalog
) -> ChatRequest:
    if workspace.variable_values():
        workspace = workspace.filled()  # the prefix may hold variables too
    params = effective_params(workspace, variant)
    model = catalog.get(params.model)
    messages = _messages(workspace, variant)
    _reasoning_sent(messages, model, params)
    extra_body: dict[str, Any] = {}
    prefix = ""
    mechanism = ""
    partial = _is_partial(workspace)
    if partial and params.extra.get("prefill_mode") == PREFILL_INSTRUCTION:
        # The model refuses a prefill: ask for the prefix instead, and join its echo away.
        prefix = content_text(messages.pop()["content"]).rstrip()
        messages.append({"role": "user", "content": PREFIX_INSTRUCTION.format(prefix=prefix)})
        mechanism = PREFILL_INSTRUCTION
        partial = False
    tools = sent_tools(workspace)
    body_params = _body_params(params)
    if provider.kind == "anthropic":
        max_tokens = params.max_tokens or anthropic_default_max_tokens(model)
        try:
            body, sent_prefix = build_body(
                messages,
                model=params.model,
                params=body_params,
                max_tokens=max_tokens,
                tools=tools,
                tool_choice=workspace.tool_choice,
                prefill=partial,
            )
        except FormatError as error:
            raise RequestError(error.problems) from None
        if partial:
            prefix, mechanism = sent_prefix, Prefill.TRAILING_ASSISTANT.value
    else:
        if partial:
            prefix = workspace.conversation[-1].content
            _prefill(messages, provider.prefill, extra_body)
            mechanism = provider.prefill.value
        body = {"model": params.model, "messages": messages}
        if tools:
            body["tools"] = tools
            body["tool_choice"] = copy.deepcopy(workspace.tool_choice)
        if model is not None and model.output_field != "max_tokens" and "max_tokens" in body_params:
            # Moonshot and OpenAI's reasoning models take max_completion_tokens (same meaning).
            body_params[model.output_field] = body_params.pop("max_tokens")
        body.update(body_params)
        body["stream"] = True
        # Moonshot puts usage in the last choice anyway; others only send it when asked.
        body["stream_options"] = {"include_usage": True}
    return ChatRequest(
        provider=provider.id,
        kind=provider.kind,
        base_url=provider.base_url,
        model=params.model,
        body=body,
        extra_body=extra_body,
        prefix=prefix,
        variant=variant.label if variant is not None else None,
        key_env=provider.key_env,
        needs_key=provider.needs_key,
        provider_name=provider.name,
        prefill_mechanism=mechanism,
    )
