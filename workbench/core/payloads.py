"""From a workspace to one provider's wire format: the only place that knows the differences.

A neutral workspace (messages with a ``partial`` flag, tools, parameters) becomes a
:class:`ChatRequest` for one provider through its prefill style (DESIGN section 4):

- Moonshot: the last message ``{"role": "assistant", "content": P, "partial": true}`` (+ name);
- DeepSeek: ``"prefix": true`` on that message, on the beta base URL;
- vLLM/SGLang/TGI: ``continue_final_message`` with ``add_generation_prompt`` false;
- local servers (Ollama, llama.cpp, LM Studio): the trailing assistant message as it is;
- OpenAI: no prefill; the request is refused with the reason.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from workbench.core.conversation import Message
from workbench.core.providers import Prefill, ProviderConfig, prefill_refusal
from workbench.core.tools import rules_for, sendable_tools, tool_problems
from workbench.core.variables import fill_message
from workbench.core.workspace import (
    Params,
    Variant,
    Workspace,
    WorkspaceError,
    message_to_json,
    params_from_json,
)

#: Body keys the SDK's ``create()`` takes by name; everything else travels in ``extra_body``.
SDK_KEYS = ("model", "messages", "stream")

MOONSHOT_TEMPERATURE = (0.0, 1.0)


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
        key_env: The environment variable an exported request reads the key from.
        needs_key: Whether the provider wants an API key.
        provider_name: The provider's name as the user reads it (the id when not given).
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


def provider_id_for(workspace: Workspace, variant: Variant | None = None) -> str:
    """The provider id a run of ``variant`` (or the workspace) goes to."""
    if variant is not None and variant.provider:
        return variant.provider
    if variant is not None and isinstance(variant.params.get("provider"), str):
        return str(variant.params["provider"])
    return workspace.params.provider


# Messages -------------------------------------------------------------------------------------


def variant_messages(workspace: Workspace, variant: Variant | None = None) -> list[Message]:
    """Copies of the messages ``variant`` sends (the compare columns count the same ones).

    Variables are filled from the workspace's current test case. A replacement system message
    takes the first system message's text, or goes first when
    there is none; later system messages stay where they are.
    """
    values = workspace.variable_values()
    if values:
        messages = [fill_message(m, values) for m in workspace.conversation]
    else:
        messages = [m.copy() for m in workspace.conversation]
    if variant is None or variant.system is None:
        return messages
    first = next((m for m in messages if m.role == "system"), None)
    if first is None:
        return [Message(role="system", content=variant.system), *messages]
    first.content = variant.system
    first.extra.pop("content_parts", None)  # the replacement is plain text
    return messages


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


def request_problems(
    workspace: Workspace, provider: ProviderConfig, variant: Variant | None = None
) -> list[str]:
    """Everything that stops this request from being sent to ``provider``, as sentences."""
    found = list(workspace.problems())
    try:
        params = effective_params(workspace, variant)
    except WorkspaceError as error:
        return [*found, str(error)]
    if variant is not None:
        found += [
            f"Variant {variant.label!r}, parameter {name}: {reason}"
            for name, reason in params.problems()
            if f"Parameter {name}: {reason}" not in found
        ]
    partial = _is_partial(workspace)
    if partial:
        refusal = prefill_refusal(provider.prefill, provider.name)
        if refusal:
            found.append(refusal)
        if provider.prefill is Prefill.DEEPSEEK_PREFIX and "/beta" not in provider.base_url:
            found.append(
                "DeepSeek continues a prefix only on its beta base URL "
                "(https://api.deepseek.com/beta): change the provider's base URL."
            )
        if params.response_format == "json_object" and not any("json_object" in p for p in found):
            found.append(
                "Partial mode cannot be combined with response_format json_object: turn one off."
            )
    if provider.kind == "moonshot" and params.temperature is not None:
        low, high = MOONSHOT_TEMPERATURE
        if not low <= params.temperature <= high:
            found.append(
                f"Moonshot accepts a temperature between {low:g} and {high:g}, "
                f"not {params.temperature:g}."
            )
    found += _tool_problems(workspace, provider)
    return found


def _body_params(params: Params) -> dict[str, Any]:
    # The file's params object is the body's parameters; provider is ours, model goes first.
    body = params.to_json()
    del body["provider"], body["model"]
    return body


def build_request(
    workspace: Workspace, provider: ProviderConfig, variant: Variant | None = None
) -> ChatRequest:
    """The request that sends ``workspace`` (changed by ``variant``) to ``provider``.

    Raises:
        RequestError: the request must not be sent (see :func:`request_problems`).
    """
    problems = request_problems(workspace, provider, variant)
    if problems:
        raise RequestError(problems)
    if workspace.variable_values():
        workspace = workspace.filled()  # the prefix may hold variables too
    params = effective_params(workspace, variant)
    messages = _messages(workspace, variant)
    extra_body: dict[str, Any] = {}
    prefix = ""
    if _is_partial(workspace):
        prefix = workspace.conversation[-1].content
        _prefill(messages, provider.prefill, extra_body)
    body: dict[str, Any] = {"model": params.model, "messages": messages}
    tools = sent_tools(workspace)
    if tools:
        body["tools"] = tools
        body["tool_choice"] = copy.deepcopy(workspace.tool_choice)
    body.update(_body_params(params))
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
    )
