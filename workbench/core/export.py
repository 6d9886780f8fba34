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


def _python(request: ChatRequest) -> str:
    wire = request.wire_body()
    extra = {k: v for k, v in wire.items() if k not in SDK_KEYS}
    env = _key_env(request)
    key = f"os.environ[{env!r}]" if request.needs_key else f"os.environ.get({env!r}, 'none')"
    messages = pprint.pformat(wire["messages"], indent=1, width=88, sort_dicts=False)
    extra_text = pprint.pformat(extra, indent=1, width=88, sort_dicts=False)
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
        "# Everything besides model and messages goes in the body as it is (partial, tools,",
        "# parameters, provider-specific flags).",
        f"extra_body = {extra_text}",
        "",
        "stream = client.chat.completions.create(",
        f"    model={wire['model']!r},",
        "    messages=messages,",
        "    stream=True,",
        "    extra_body=extra_body,",
        ")",
    ]
    lines.append("")
    if request.prefix:
        lines.append(f"print({request.prefix!r}, end='')  # the prefilled start of the answer")
    lines += [
        "for chunk in stream:",
        "    if chunk.choices and chunk.choices[0].delta.content:",
        "        print(chunk.choices[0].delta.content, end='', flush=True)",
        "print()",
        "",
    ]
    return "\n".join(lines)
