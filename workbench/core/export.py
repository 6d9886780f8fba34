"""A request as code to paste elsewhere: Python (OpenAI SDK, or the anthropic SDK for the
Messages API), curl, or the JSON body.

The exported code is the exact request the app sends (partial prefill, tools, parameters), and it
reads the key from an environment variable; a key is never written into it.
"""

from __future__ import annotations

import json
import pprint
import shlex
from typing import Literal

from workbench.core.anthropic_format import ANTHROPIC_VERSION
from workbench.core.payloads import SDK_KEYS, ChatRequest
from workbench.core.secrets import redact

FORMATS = ("python", "curl", "json")
ExportFormat = Literal["python", "curl", "json"]


def _key_env(request: ChatRequest) -> str:
    return request.key_env or "OPENAI_API_KEY"


def export_request(request: ChatRequest, as_: str = "python") -> str:
    """``request`` as code in one of :data:`FORMATS`; ValueError for another format.

    Args:
        request: The request to export.
        as_: ``python`` (OpenAI SDK, streaming), ``curl`` (bash), or ``json`` (the body).
    """
    if as_ == "json":
        text = json.dumps(request.wire_body(), indent=2, ensure_ascii=False) + "\n"
    elif as_ == "curl":
        text = _anthropic_curl(request) if request.kind == "anthropic" else _curl(request)
    elif as_ == "python":
        text = _anthropic_python(request) if request.kind == "anthropic" else _python(request)
    else:
        raise ValueError(f"unknown export format {as_!r}; use one of {', '.join(FORMATS)}")
    # A request never holds a key; key-like text a user pasted into a message is masked too.
    return redact(text)


def _curl(request: ChatRequest) -> str:
    body = json.dumps(request.wire_body(), indent=2, ensure_ascii=False)
    url = shlex.quote(request.base_url.rstrip("/") + "/chat/completions")
    env = _key_env(request)
    lines = [
        "#!/usr/bin/env bash",
        f"# {request.provider} / {request.model}: the key is read from ${env}.",
        f"curl -sS -N {url} \\",
        '  -H "Content-Type: application/json" \\',
    ]
    if request.needs_key:
        lines.append(f'  -H "Authorization: Bearer ${{{env}:?set {env} to your API key}}" \\')
    else:
        # No key needed by the server itself, but a gateway in front of it may ask for one.
        lines[2:2] = [
            f"# ${env} is sent as the key when it is set (a gateway in front may want one).",
            "auth=()",
            f'if [ -n "${{{env}:-}}" ]; then auth=(-H "Authorization: Bearer ${{{env}}}"); fi',
        ]
        lines.append('  "${auth[@]}" \\')
    # A quoted heredoc passes the body byte for byte: no shell quoting inside the JSON.
    lines += ["  --data-binary @- <<'JSON'", body, "JSON", ""]
    return "\n".join(lines)


def _anthropic_python(request: ChatRequest) -> str:
    wire = request.wire_body()
    wire.pop("stream", None)
    env = _key_env(request)
    key = f"os.environ[{env!r}]" if request.needs_key else f"os.environ.get({env!r}, 'none')"
    arguments = pprint.pformat(wire, indent=1, width=88, sort_dicts=False)
    lines = [
        f'"""{request.provider} / {request.model} (Messages API), exported from Prompt Workbench.',
        "",
        f"The key is read from the environment variable {env}.",
        '"""',
        "",
        "import os",
        "",
        "import anthropic",
        "",
        f"client = anthropic.Anthropic(base_url={request.base_url!r}, api_key={key})",
        "",
        f"request = {arguments}",
        "",
    ]
    if request.prefix:
        lines.append(f"print({request.prefix!r}, end='')  # the prefilled start of the answer")
    lines += [
        "with client.messages.stream(**request) as stream:",
        "    for text in stream.text_stream:",
        "        print(text, end='', flush=True)",
        "print()",
        "",
    ]
    return "\n".join(lines)


def _anthropic_curl(request: ChatRequest) -> str:
    body = json.dumps(request.wire_body(), indent=2, ensure_ascii=False)
    url = shlex.quote(request.base_url.rstrip("/") + "/v1/messages")
    env = _key_env(request)
    lines = [
        "#!/usr/bin/env bash",
        f"# {request.provider} / {request.model} (Messages API): the key is read from ${env}.",
        f"curl -sS -N {url} \\",
        '  -H "Content-Type: application/json" \\',
        f'  -H "anthropic-version: {ANTHROPIC_VERSION}" \\',
    ]
    if request.needs_key:
        lines.append(f'  -H "x-api-key: ${{{env}:?set {env} to your API key}}" \\')
    lines += ["  --data-binary @- <<'JSON'", body, "JSON", ""]
    return "\n".join(lines)


#: Parameters ``chat.completions.create()`` takes by name; the rest goes in ``extra_body``.
CREATE_KEYWORDS = (
    "temperature",
    "top_p",
    "max_tokens",
    "max_completion_tokens",
    "stop",
    "n",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "response_format",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "reasoning_effort",
    "stream_options",
    "user",
    "metadata",
)


def _python(request: ChatRequest) -> str:
    wire = request.wire_body()
    keywords = {k: wire[k] for k in CREATE_KEYWORDS if k in wire}
    extra = {k: v for k, v in wire.items() if k not in SDK_KEYS and k not in keywords}
    env = _key_env(request)
    key = f"os.environ[{env!r}]" if request.needs_key else f"os.environ.get({env!r}, 'none')"
    messages = pprint.pformat(wire["messages"], indent=1, width=88, sort_dicts=False)
    lines = [
        f'"""{request.provider} / {request.model}, exported from Prompt Workbench.',
        "",
        f"The key is read from the environment variable {env}.",
        '"""',
        "",
        "import os",
        "",
        "from openai import OpenAI",
        "",
        f"client = OpenAI(base_url={request.base_url!r}, api_key={key})",
        "",
        f"messages = {messages}",
        "",
    ]
    for name, value in keywords.items():
        lines.append(f"{name} = {pprint.pformat(value, indent=1, width=88, sort_dicts=False)}")
    if extra:
        lines += [
            "# Provider-specific keys the SDK has no argument for, sent in the body as they are.",
            f"extra_body = {pprint.pformat(extra, indent=1, width=88, sort_dicts=False)}",
        ]
    lines += [
        "",
        "stream = client.chat.completions.create(",
        f"    model={wire['model']!r},",
        "    messages=messages,",
        "    stream=True,",
    ]
    lines += [f"    {name}={name}," for name in keywords]
    if extra:
        lines.append("    extra_body=extra_body,")
    lines += [")", ""]
    if request.prefix:
        lines.append(f"print({request.prefix!r}, end='')  # the prefilled start of the answer")
    lines += [
        "calls = {}  # tool calls, joined from their streamed pieces",
        "for chunk in stream:",
        "    if not chunk.choices:",
        "        continue",
        "    delta = chunk.choices[0].delta",
        "    if delta.content:",
        "        print(delta.content, end='', flush=True)",
        "    for call in delta.tool_calls or []:",
        "        index = call.index if call.index is not None else max(calls, default=0)",
        "        entry = calls.setdefault(index, {'id': '', 'name': '', 'arguments': ''})",
        "        entry['id'] = call.id or entry['id']",
        "        if call.function is not None:",
        "            entry['name'] += call.function.name or ''",
        "            entry['arguments'] += call.function.arguments or ''",
        "print()",
        "for entry in calls.values():",
        "    print(f\"[tool call {entry['id']}] {entry['name']}({entry['arguments']})\")",
        "",
    ]
    return "\n".join(lines)
