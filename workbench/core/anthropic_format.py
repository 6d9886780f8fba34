"""The Anthropic Messages wire format (provider kind ``anthropic``, DESIGN section 4).

The neutral request (OpenAI-style messages, tools and parameters) becomes a Messages API body:
system messages go to the top-level ``system``; user and assistant messages become content
blocks; an assistant's tool calls become ``tool_use`` blocks and tool messages ``tool_result``
blocks in a user message; a partial last assistant message is the prefill, sent without trailing
whitespace; ``max_tokens`` is always sent (the API requires it). Pure functions, no SDK.
"""

from __future__ import annotations

import copy
import json
from typing import Any

#: The ``anthropic-version`` header sent by exports (the SDK sends its own).
ANTHROPIC_VERSION = "2023-06-01"
#: The smallest thinking budget the Messages API accepts.
MIN_THINKING_BUDGET = 1024
#: Parameters with no Messages API equivalent: never sent on this format.
DROPPED_PARAMS = (
    "response_format",
    "reasoning_effort",
    "n",
    "presence_penalty",
    "frequency_penalty",
    "stream_options",
    "max_completion_tokens",
)


class FormatError(ValueError):
    """A message that cannot be expressed in the Messages API; ``problems`` as sentences."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(" ".join(problems))


def content_text(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a parts list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(p.get("text", ""))
            for p in content
            if isinstance(p, dict) and p.get("type") == "text"
        )
    return "" if content is None else str(content)


_text = content_text


def _image_block(part: dict[str, Any]) -> dict[str, Any]:
    image = part.get("image_url")
    url = image.get("url") if isinstance(image, dict) else image
    url = str(url or "")
    if url.startswith("data:") and ";base64," in url:
        head, data = url[5:].split(";base64,", 1)
        return {"type": "image", "source": {"type": "base64", "media_type": head, "data": data}}
    return {"type": "image", "source": {"type": "url", "url": url}}


def _content_blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, list):
        blocks = []
        for part in content:
            if not isinstance(part, dict):
                continue
            if part.get("type") == "text":
                blocks.append({"type": "text", "text": str(part.get("text", ""))})
            elif part.get("type") == "image_url":
                blocks.append(_image_block(part))
            else:
                blocks.append(copy.deepcopy(part))  # already a Messages API block
        return blocks
    text = _text(content)
    return [{"type": "text", "text": text}] if text else []


def _tool_use(call: Any, where: str, problems: list[str]) -> dict[str, Any] | None:
    if not isinstance(call, dict):
        return None
    function = call.get("function") or {}
    arguments = function.get("arguments") or "{}"
    try:
        value = json.loads(arguments) if isinstance(arguments, str) else arguments
    except json.JSONDecodeError as error:
        problems.append(
            f"{where}: the arguments of tool call {function.get('name', '?')!r} are not valid "
            f"JSON ({error.msg}, column {error.colno}); a tool_use block needs a JSON object."
        )
        return None
    if not isinstance(value, dict):
        problems.append(
            f"{where}: the arguments of tool call {function.get('name', '?')!r} must be a JSON "
            "object for a tool_use block."
        )
        return None
    return {
        "type": "tool_use",
        "id": str(call.get("id") or ""),
        "name": str(function.get("name") or ""),
        "input": value,
    }


def convert_messages(
    messages: list[dict[str, Any]], *, prefill: bool
) -> tuple[str, list[dict[str, Any]], str]:
    """(system, messages, prefix) in the Messages API shape.

    Consecutive messages of one role are merged (tool results after a tool-calling turn become
    one user message). With ``prefill`` the last (assistant) message is the prefix, its trailing
    whitespace removed (the API refuses it); the prefix returned is what was sent.

    Raises:
        FormatError: a tool call whose arguments are not a JSON object.
    """
    system: list[str] = []
    out: list[dict[str, Any]] = []
    problems: list[str] = []
    prefix = ""
    for number, message in enumerate(messages):
        role = message.get("role")
        where = f"Message {number + 1} ({role})"
        if role == "system":
            text = _text(message.get("content"))
            if text:
                system.append(text)
            continue
        if role == "tool":
            blocks = [
                {
                    "type": "tool_result",
                    "tool_use_id": str(message.get("tool_call_id") or ""),
                    "content": _text(message.get("content")),
                }
            ]
            role = "user"
        elif role == "assistant":
            blocks = _content_blocks(message.get("content"))
            for call in message.get("tool_calls") or ():
                block = _tool_use(call, where, problems)
                if block is not None:
                    blocks.append(block)
        else:
            role = "user"
            blocks = _content_blocks(message.get("content"))
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})
    if problems:
        raise FormatError(problems)
    if prefill and out and out[-1]["role"] == "assistant":
        last = out[-1]
        text = _text(messages[-1].get("content")).rstrip()
        prefix = text
        last["content"] = [b for b in last["content"] if b.get("type") != "text"]
        if text:
            last["content"].append({"type": "text", "text": text})
    for message in out:
        # A single text block is sent as a plain string, as the API's own examples do.
        content = message["content"]
        if len(content) == 1 and content[0].get("type") == "text":
            message["content"] = content[0]["text"]
    return "\n\n".join(system), out, prefix


def convert_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI function tools as Messages API tools (``name``, ``description``, ``input_schema``)."""
    converted = []
    for tool in tools:
        function = tool.get("function") if isinstance(tool, dict) else None
        if tool.get("type") != "function" or not isinstance(function, dict):
            continue  # builtin functions ($web_search) exist only on Moonshot's /v1
        entry: dict[str, Any] = {"name": function.get("name", "")}
        if function.get("description"):
            entry["description"] = function["description"]
        entry["input_schema"] = copy.deepcopy(
            function.get("parameters") or {"type": "object", "properties": {}}
        )
        converted.append(entry)
    return converted


def convert_tool_choice(choice: Any) -> dict[str, Any]:
    """An OpenAI ``tool_choice`` as a Messages API one."""
    if choice == "required":
        return {"type": "any"}
    if choice == "none":
        return {"type": "none"}
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name") or choice.get("name")
        if name:
            return {"type": "tool", "name": str(name)}
    return {"type": "auto"}


def thinking_param(thinking: Any, max_tokens: int) -> dict[str, Any] | None:
    """The Messages API ``thinking`` object for a workspace's ``thinking`` parameter."""
    if not isinstance(thinking, dict):
        return None
    if thinking.get("type") == "disabled":
        return {"type": "disabled"}
    if thinking.get("type") != "enabled":
        return None
    budget = thinking.get("budget_tokens")
    if not isinstance(budget, int):
        budget = max(MIN_THINKING_BUDGET, max_tokens // 2)
    return {"type": "enabled", "budget_tokens": budget}


def build_body(
    messages: list[dict[str, Any]],
    *,
    model: str,
    params: dict[str, Any],
    max_tokens: int,
    tools: list[dict[str, Any]],
    tool_choice: Any,
    prefill: bool,
) -> tuple[dict[str, Any], str]:
    """(body, prefix) of a streaming Messages API request.

    Args:
        messages: OpenAI-style messages (``partial`` already removed).
        model: The model id.
        params: The body parameters of the workspace (``temperature``, ``stop``, extras...).
        max_tokens: The output limit (required by the API).
        tools: OpenAI-style tools as sent.
        tool_choice: The OpenAI-style tool choice.
        prefill: Whether the last assistant message is a prefix to continue.
    """
    system, converted, prefix = convert_messages(messages, prefill=prefill)
    body: dict[str, Any] = {"model": model, "max_tokens": max_tokens}
    if system:
        body["system"] = system
    body["messages"] = converted
    anthropic_tools = convert_tools(tools)
    if anthropic_tools:
        body["tools"] = anthropic_tools
        body["tool_choice"] = convert_tool_choice(tool_choice)
    for key, value in params.items():
        if key in DROPPED_PARAMS or key in ("max_tokens", "thinking"):
            continue
        if key == "stop":
            if value:
                body["stop_sequences"] = list(value)
            continue
        body[key] = copy.deepcopy(value)
    thinking = thinking_param(params.get("thinking"), max_tokens)
    if thinking is not None:
        body["thinking"] = thinking
    body["stream"] = True
    return body, prefix


def count_body(body: dict[str, Any]) -> dict[str, Any]:
    """The ``/v1/messages/count_tokens`` body of a request (no ``max_tokens``, no sampling)."""
    keep = ("model", "system", "messages", "tools", "tool_choice", "thinking")
    return {k: copy.deepcopy(v) for k, v in body.items() if k in keep}
