"""Payload building: the exact wire body each provider kind receives."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from workbench.core.payloads import (
    RequestError,
    build_request,
    find_variant,
    request_problems,
    sent_tools,
)
from workbench.core.providers import Prefill, ProviderConfig, preset
from workbench.core.workspace import Workspace, workspace_from_json

ADD_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "add",
        "description": "Adds two numbers",
        "parameters": {"type": "object", "properties": {"a": {"type": "number"}}},
    },
}


def make(messages: list[dict[str, Any]], **extra: Any) -> Workspace:
    data: dict[str, Any] = {
        "format": "prompt-workbench/1",
        "messages": messages,
        "params": {"provider": "moonshot", "model": "moonshot-v1-128k", "temperature": 0.3},
    }
    data.update(extra)
    return workspace_from_json(data)


PARTIAL = [
    {"role": "system", "content": "You are Dr. Kelsier."},
    {"role": "user", "content": "Who are you?"},
    {"role": "assistant", "content": "I am", "name": "Dr. Kelsier", "partial": True},
]


def provider(provider_id: str) -> ProviderConfig:
    found = preset(provider_id)
    assert found is not None
    return found


def test_moonshot_partial_is_the_last_message_with_partial_and_name() -> None:
    request = build_request(make(PARTIAL), provider("moonshot"))

    assert request.wire_body() == {
        "model": "moonshot-v1-128k",
        "messages": [
            {"role": "system", "content": "You are Dr. Kelsier."},
            {"role": "user", "content": "Who are you?"},
            {"role": "assistant", "content": "I am", "name": "Dr. Kelsier", "partial": True},
        ],
        "temperature": 0.3,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    assert request.prefix == "I am"
    assert request.base_url == "https://api.moonshot.ai/v1"
    assert request.key_env == "MOONSHOT_API_KEY"


def test_deepseek_prefill_sends_prefix_true_on_the_beta_url() -> None:
    request = build_request(make(PARTIAL), provider("deepseek"))

    assert request.base_url == "https://api.deepseek.com/beta"
    assert request.wire_body()["messages"][-1] == {
        "role": "assistant",
        "content": "I am",
        "name": "Dr. Kelsier",
        "prefix": True,
    }
    assert "partial" not in request.wire_body()["messages"][-1]


def test_deepseek_prefill_outside_the_beta_url_is_refused() -> None:
    not_beta = replace(provider("deepseek"), base_url="https://api.deepseek.com/v1")

    problems = request_problems(make(PARTIAL), not_beta)

    assert any("beta" in p for p in problems)


def test_vllm_continues_the_final_message_without_a_generation_prompt() -> None:
    request = build_request(make(PARTIAL), provider("vllm"))

    body = request.wire_body()
    assert body["continue_final_message"] is True
    assert body["add_generation_prompt"] is False
    assert body["messages"][-1] == {"role": "assistant", "content": "I am", "name": "Dr. Kelsier"}
    assert request.extra_body == {"continue_final_message": True, "add_generation_prompt": False}


def test_vllm_without_partial_sends_no_continuation_flags() -> None:
    workspace = make([{"role": "user", "content": "Hi"}])

    body = build_request(workspace, provider("vllm")).wire_body()

    assert "continue_final_message" not in body
    assert "add_generation_prompt" not in body


@pytest.mark.parametrize("provider_id", ["ollama", "lmstudio", "llamacpp"])
def test_local_servers_get_a_plain_trailing_assistant_message(provider_id: str) -> None:
    request = build_request(make(PARTIAL), provider(provider_id))

    body = request.wire_body()
    assert body["messages"][-1] == {"role": "assistant", "content": "I am", "name": "Dr. Kelsier"}
    assert set(body) == {"model", "messages", "temperature", "stream", "stream_options"}
    assert request.prefix == "I am"
    assert not request.needs_key


def test_openai_refuses_partial_with_the_reason() -> None:
    with pytest.raises(RequestError) as caught:
        build_request(make(PARTIAL), provider("openai"))

    assert any("cannot prefill" in p for p in caught.value.problems)


def test_custom_provider_uses_the_prefill_style_the_user_picked() -> None:
    custom = ProviderConfig(
        "mine", "My server", "custom", "http://10.0.0.2:9000/v1", Prefill.DEEPSEEK_PREFIX, "MINE"
    )
    # A custom server with the DeepSeek style but no /beta: the rule is about DeepSeek's URL.
    custom = replace(custom, base_url="http://10.0.0.2:9000/beta")

    body = build_request(make(PARTIAL), custom).wire_body()

    assert body["messages"][-1]["prefix"] is True


def test_partial_with_json_object_is_refused() -> None:
    workspace = make(PARTIAL)
    workspace.params.response_format = "json_object"

    problems = request_problems(workspace, provider("moonshot"))

    assert len([p for p in problems if "json_object" in p]) == 1


def test_json_object_without_partial_is_sent() -> None:
    workspace = make([{"role": "user", "content": "Give JSON"}])
    workspace.params.response_format = "json_object"

    body = build_request(workspace, provider("moonshot")).wire_body()

    assert body["response_format"] == {"type": "json_object"}


def test_moonshot_temperature_above_one_is_refused_but_openai_accepts_it() -> None:
    workspace = make([{"role": "user", "content": "Hi"}])
    workspace.params.temperature = 1.5

    assert any("between 0 and 1" in p for p in request_problems(workspace, provider("moonshot")))
    workspace.params.model = "gpt-4.1"  # the range is the model's: OpenAI's go to 2
    assert request_problems(workspace, provider("openai")) == []


def test_tools_sent_are_the_enabled_valid_ones_without_workbench_data() -> None:
    tool_with_meta = {**ADD_TOOL, "x-workbench": {"mock_result": "3"}}
    disabled = {
        "type": "function",
        "function": {"name": "off", "parameters": {"type": "object"}},
        "x-workbench": {"enabled": False},
    }
    workspace = make(
        [{"role": "user", "content": "Add 1 and 2"}],
        tools=[tool_with_meta, disabled],
        tool_choice="required",
    )

    body = build_request(workspace, provider("moonshot")).wire_body()

    assert body["tools"] == [ADD_TOOL]
    assert body["tool_choice"] == "required"
    assert sent_tools(workspace) == [ADD_TOOL]


def test_no_tools_means_no_tool_choice() -> None:
    body = build_request(make([{"role": "user", "content": "Hi"}]), provider("moonshot")).body

    assert "tools" not in body
    assert "tool_choice" not in body


def test_an_enabled_tool_that_is_not_json_stops_the_send() -> None:
    workspace = make([{"role": "user", "content": "Hi"}], tools=[ADD_TOOL])
    workspace.tools[0].source = '{"type": "function", '

    problems = request_problems(workspace, provider("moonshot"))

    assert any("Tool 1" in p for p in problems)


def test_params_and_extra_keys_reach_the_body() -> None:
    workspace = make([{"role": "user", "content": "Hi"}])
    workspace.params.max_tokens = 200
    workspace.params.top_p = 0.9
    workspace.params.stop = ["END"]
    workspace.params.extra = {"presence_penalty": 0.5}

    body = build_request(workspace, provider("moonshot")).wire_body()

    # Moonshot deprecated max_tokens: the catalog names the field each model takes.
    assert body["max_completion_tokens"] == 200 and "max_tokens" not in body
    assert body["top_p"] == 0.9
    assert body["stop"] == ["END"]
    assert body["presence_penalty"] == 0.5
    assert "provider" not in body


def test_a_variant_changes_model_params_and_system() -> None:
    workspace = make(
        PARTIAL,
        variants=[
            {
                "label": "Cold",
                "model": "moonshot-v1-8k",
                "params": {"temperature": 0.0, "max_tokens": 50},
                "system": "Be terse.",
            }
        ],
    )
    variant = find_variant(workspace, "cold")
    assert variant is not None

    request = build_request(workspace, provider("moonshot"), variant)

    body = request.wire_body()
    assert request.variant == "Cold"
    assert body["model"] == "moonshot-v1-8k"
    assert body["temperature"] == 0.0
    assert body["max_completion_tokens"] == 50
    assert body["messages"][0] == {"role": "system", "content": "Be terse."}
    assert workspace.params.model == "moonshot-v1-128k"  # the workspace is left alone


def test_a_variant_system_prompt_is_added_when_there_is_none() -> None:
    workspace = make(
        [{"role": "user", "content": "Hi"}], variants=[{"label": "S", "system": "Be brief."}]
    )

    body = build_request(workspace, provider("moonshot"), workspace.variants[0]).body

    assert body["messages"][0] == {"role": "system", "content": "Be brief."}


def test_a_variant_with_a_wrong_parameter_type_is_a_problem_not_a_crash() -> None:
    workspace = make(
        [{"role": "user", "content": "Hi"}], variants=[{"label": "Bad", "params": {"top_p": "x"}}]
    )

    problems = request_problems(workspace, provider("moonshot"), workspace.variants[0])

    assert any("top_p" in p for p in problems)


def test_tool_messages_and_calls_are_sent_openai_style() -> None:
    call = {
        "id": "functions.add:0",
        "type": "function",
        "function": {"name": "add", "arguments": "{}"},
    }
    workspace = make(
        [
            {"role": "user", "content": "Add"},
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "content": "3", "tool_call_id": "functions.add:0", "name": "add"},
        ],
        tools=[ADD_TOOL],
    )

    body = build_request(workspace, provider("moonshot")).body

    assert body["messages"][1] == {"role": "assistant", "content": "", "tool_calls": [call]}
    assert body["messages"][2] == {
        "role": "tool",
        "content": "3",
        "name": "add",
        "tool_call_id": "functions.add:0",
    }


def test_request_json_for_history_holds_no_key_field() -> None:
    data = build_request(make(PARTIAL), provider("moonshot")).to_json()

    assert set(data) == {
        "provider",
        "kind",
        "base_url",
        "model",
        "prefill_mechanism",
        "variant",
        "prefix",
        "body",
        "extra_body",
    }
