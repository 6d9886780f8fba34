"""Real request bodies from other tools' docs and code open as they were meant, everywhere.

``run``, ``count``, ``export`` and File > Open read a request body the same way: the provider
follows the model, OpenAI's newer names (``developer``, ``max_completion_tokens``) and other
servers' prefill markers are understood, and what the workspace has no field for is kept and sent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.core.payloads import build_request
from workbench.core.providers import ProviderRegistry
from workbench.core.workspace import save_workspace, workspace_from_json
from workbench.core.workspace_files import load_workspace


def write(tmp_path: Path, body: object) -> Path:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


def wire(body: dict) -> dict:
    workspace = workspace_from_json(body)
    provider = ProviderRegistry().get(workspace.params.provider)
    assert provider is not None
    return build_request(workspace, provider).wire_body()


def test_a_request_body_goes_to_the_provider_of_its_model_in_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]})
    assert load_workspace(path).params.provider == "openai"
    assert main(["export", str(path), "--as", "curl"]) == 0
    assert "https://api.openai.com/v1/chat/completions" in capsys.readouterr().out
    assert main(["count", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["model"] == "gpt-4o"
    deepseek = write(tmp_path, {"model": "deepseek-v4-flash", "messages": []})
    assert load_workspace(deepseek).params.provider == "deepseek"


def test_developer_messages_become_system_messages_and_say_so() -> None:
    workspace = workspace_from_json(
        {"model": "gpt-4o", "messages": [{"role": "developer", "content": "Be terse."}]}
    )
    assert workspace.conversation[0].role == "system"
    assert any("developer" in note for note in workspace.import_notes)
    bare = workspace_from_json([{"role": "developer", "content": "x"}])
    assert bare.conversation[0].role == "system"


def test_a_json_schema_response_format_is_kept_sent_and_saved(tmp_path: Path) -> None:
    schema = {
        "type": "json_schema",
        "json_schema": {"name": "product", "schema": {"type": "object"}, "strict": True},
    }
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}]}
    body["response_format"] = schema
    assert wire(body)["response_format"] == schema
    path = tmp_path / "saved.prompt.json"
    save_workspace(workspace_from_json(body), path)
    again = load_workspace(path)
    assert again.to_json()["params"]["response_format"] == schema
    assert any("response_format" in n for n in workspace_from_json(body).import_notes)


def test_openrouters_provider_object_is_kept_and_sent_as_it_is(tmp_path: Path) -> None:
    routing = {"order": ["openai", "together"], "allow_fallbacks": False}
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}], "provider": routing}
    workspace = workspace_from_json(body)
    assert workspace.params.provider == "openai"
    assert wire(body)["provider"] == routing
    path = tmp_path / "routed.prompt.json"
    save_workspace(workspace, path)
    reopened = load_workspace(path)
    assert reopened.params.provider == "openai"
    provider = ProviderRegistry().get("openai")
    assert provider is not None
    assert build_request(reopened, provider).wire_body()["provider"] == routing


def test_max_completion_tokens_is_shown_and_reserved_by_the_meter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {
        "model": "moonshot-v1-8k",
        "messages": [{"role": "user", "content": "x"}],
        "max_completion_tokens": 3000,
    }
    workspace = workspace_from_json(body)
    assert workspace.params.max_tokens == 3000
    assert "max_completion_tokens" not in workspace.params.extra
    assert main(["count", str(write(tmp_path, body)), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["reserved_output"] == 3000  # not the provider default of 1,024


@pytest.mark.parametrize(
    ("body", "marker"),
    [
        (
            {
                "model": "deepseek-v4-flash",
                "messages": [
                    {"role": "user", "content": "JSON please"},
                    {"role": "assistant", "content": "{", "prefix": True},
                ],
            },
            "prefix",
        ),
        (
            {
                "model": "my-vllm-model",
                "messages": [
                    {"role": "user", "content": "Go on"},
                    {"role": "assistant", "content": "Once upon"},
                ],
                "continue_final_message": True,
                "add_generation_prompt": False,
            },
            "continue_final_message",
        ),
    ],
)
def test_other_servers_prefill_markers_become_the_partial_flag(body: dict, marker: str) -> None:
    workspace = workspace_from_json(body)
    last = workspace.conversation[-1]
    assert last.partial and marker not in last.extra
    assert "continue_final_message" not in workspace.params.extra
    assert "add_generation_prompt" not in workspace.params.extra
    assert any(marker in note for note in workspace.import_notes)


def test_null_content_of_a_tool_call_message_stays_null(tmp_path: Path) -> None:
    body = {
        "model": "gpt-4o",
        "messages": [
            {"role": "user", "content": "Weather?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "weather", "arguments": "{}"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
        ],
    }
    workspace = workspace_from_json(body)
    assert workspace.to_json()["messages"][1]["content"] is None
    assert wire(body)["messages"][1]["content"] is None
    path = tmp_path / "calls.prompt.json"
    save_workspace(workspace, path)
    assert json.loads(path.read_text(encoding="utf-8"))["messages"][1]["content"] is None
    assert "x-content-null" not in path.read_text(encoding="utf-8")
