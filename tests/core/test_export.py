"""Export of a request as Python, curl or JSON: exact body, key from an environment variable."""

from __future__ import annotations

import ast
import json

import pytest

from workbench.core.export import export_request
from workbench.core.payloads import build_request
from workbench.core.providers import preset
from workbench.core.workspace import workspace_from_json

WORKSPACE = workspace_from_json(
    {
        "format": "prompt-workbench/1",
        "messages": [
            {"role": "user", "content": "It's a 'quoted' $HOME test"},
            {"role": "assistant", "content": "{", "partial": True},
        ],
        "tools": [
            {
                "type": "function",
                "function": {"name": "add", "parameters": {"type": "object", "properties": {}}},
            }
        ],
        "params": {"provider": "moonshot", "model": "moonshot-v1-128k", "max_tokens": 64},
    }
)


def request_for(provider_id: str = "moonshot"):  # type: ignore[no-untyped-def]
    provider = preset(provider_id)
    assert provider is not None
    return build_request(WORKSPACE, provider)


def test_json_export_is_the_exact_wire_body() -> None:
    request = request_for()

    assert json.loads(export_request(request, "json")) == request.wire_body()


def test_curl_export_sends_the_exact_body_with_the_key_from_the_environment() -> None:
    request = request_for()

    text = export_request(request, "curl")

    body = text.split("<<'JSON'\n", 1)[1].rsplit("\nJSON\n", 1)[0]
    assert json.loads(body) == request.wire_body()
    assert "https://api.moonshot.ai/v1/chat/completions" in text
    assert "Bearer ${MOONSHOT_API_KEY:?" in text


def test_python_export_is_valid_code_reading_the_key_from_the_environment() -> None:
    text = export_request(request_for(), "python")

    tree = ast.parse(text)
    assert "os.environ['MOONSHOT_API_KEY']" in text
    assert "'partial': True" in text
    # Parameters the SDK takes by name are keyword arguments, not extra_body.
    assert "tools = [" in text and "    tools=tools," in text
    assert "    max_completion_tokens=max_completion_tokens," in text
    assert "extra_body" not in text
    assert any(isinstance(node, ast.Import) for node in tree.body)


def test_a_keyless_local_server_export_needs_no_variable() -> None:
    text = export_request(request_for("ollama"), "python")

    assert "os.environ.get('OLLAMA_API_KEY', 'none')" in text
    curl = export_request(request_for("ollama"), "curl")
    # No key demanded; sent only when the variable is set (a gateway in front may want one).
    assert "OLLAMA_API_KEY:?" not in curl
    assert 'if [ -n "${OLLAMA_API_KEY:-}" ]' in curl and '"${auth[@]}"' in curl


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="python, curl, json"):
        export_request(request_for(), "ruby")
