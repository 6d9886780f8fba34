"""The Anthropic Messages wire format end to end against the loopback server's /anthropic.

Real HTTP and real SSE: the request body on the wire, the events back, faults and retries.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from workbench.core.conversation import Message
from workbench.core.exact_count import AnthropicCountClient, ExactCountError
from workbench.core.payloads import ChatRequest, RequestError, build_request, builtin_catalog
from workbench.core.providers import ProviderConfig, preset
from workbench.core.run_types import Finished, ReasoningDelta, RunResult, Status, TextDelta
from workbench.core.runner import Run
from workbench.core.tools import CODE_RUNNER
from workbench.core.workspace import ToolEntry, Workspace, workspace_from_json
from workbench.loopback_server import LoopbackServer, Reply

KEY = "sk-loopback-anthropic-0123456789"


def provider_at(server: LoopbackServer, preset_id: str = "moonshot-anthropic") -> ProviderConfig:
    found = preset(preset_id)
    assert found is not None and found.kind == "anthropic"
    return replace(found, base_url=server.anthropic_url)


def workspace(model: str = "kimi-k2.6", **params: Any) -> Workspace:
    return workspace_from_json(
        {
            "format": "prompt-workbench/1",
            "messages": [
                {"role": "system", "content": "Answer in JSON."},
                {"role": "user", "content": "A product, please"},
                {"role": "assistant", "content": "{  \n", "partial": True},
            ],
            "params": {
                "provider": "moonshot-anthropic",
                "model": model,
                "max_tokens": 300,
                **params,
            },
        }
    )


def run_to_end(
    request: ChatRequest, key: str | None = KEY, **options: Any
) -> tuple[list, RunResult]:
    async def go() -> tuple[list, RunResult]:
        run = Run(request, key, max_retries=options.pop("max_retries", 0), timeout=10, **options)
        events = [event async for event in run.events()]
        assert isinstance(events[-1], Finished)
        return events, events[-1].result

    return asyncio.run(go())


def test_presets_name_the_three_endpoints_and_their_keys() -> None:
    expected = {
        "moonshot-anthropic": ("https://api.moonshot.ai/anthropic", "MOONSHOT_API_KEY"),
        "deepseek-anthropic": ("https://api.deepseek.com/anthropic", "DEEPSEEK_API_KEY"),
        "anthropic": ("https://api.anthropic.com", "ANTHROPIC_API_KEY"),
    }
    for preset_id, (url, env) in expected.items():
        found = preset(preset_id)
        assert found is not None and (found.kind, found.base_url, found.key_env) == (
            "anthropic",
            url,
            env,
        )


def test_the_wire_body_and_the_stream_of_a_prefilled_answer(loopback: LoopbackServer) -> None:
    loopback.api_key = KEY
    loopback.queue(
        Reply(
            text='"name": "kettle"}',
            reasoning="The user wants JSON",
            usage={
                "prompt_tokens": 1000,
                "completion_tokens": 200,
                "cache_read_input_tokens": 400,
                "cache_creation_input_tokens": 100,
            },
        )
    )
    request = build_request(workspace(thinking={"type": "enabled"}), provider_at(loopback))

    events, result = run_to_end(request)

    (received,) = [r for r in loopback.requests if r.path == "/anthropic/v1/messages"]
    headers = {k.lower(): v for k, v in received.headers.items()}
    assert headers["x-api-key"] == KEY and headers["anthropic-version"]
    assert received.body == {
        "model": "kimi-k2.6",
        "max_tokens": 300,
        "system": "Answer in JSON.",
        "messages": [
            {"role": "user", "content": "A product, please"},
            {"role": "assistant", "content": "{"},  # no trailing white space
        ],
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "stream": True,
    }
    assert request.prefix == "{" and request.prefill_mechanism == "trailing_assistant"
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == '"name": "kettle"}'
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == (
        "The user wants JSON"
    )
    assert result.error is None and result.finish_reason == "stop"
    assert result.full_text == '{"name": "kettle"}'
    assert result.reasoning == "The user wants JSON"
    usage = result.usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.cached_tokens, usage.cache_write_tokens) == (1500, 400, 100)
    assert usage.completion_tokens == 200
    # kimi-k2.6: 1,000 fresh x 0.95 + 400 cache hits x 0.16 + 100 writes (at the input price:
    # Moonshot prices none) + 200 x 4.00 per 1M.
    assert result.cost_usd == pytest.approx((1100 * 0.95 + 400 * 0.16 + 200 * 4.0) / 1e6)


def test_tools_go_as_tool_use_and_tool_result_blocks(loopback: LoopbackServer) -> None:
    calls = [{"id": "toolu_1", "name": "add", "arguments": '{"a": 1, "b": 2}'}]
    loopback.queue(Reply(text="", tool_calls=calls))
    tool = {
        "type": "function",
        "function": {
            "name": "add",
            "description": "Adds",
            "parameters": {"type": "object", "properties": {"a": {"type": "number"}}},
        },
    }
    space = workspace_from_json(
        {
            "format": "prompt-workbench/1",
            "messages": [{"role": "user", "content": "1+2?"}],
            "tools": [tool],
            "tool_choice": "required",
            "params": {"model": "claude-sonnet-4-5", "max_tokens": 100},
        }
    )
    provider = provider_at(loopback, "anthropic")
    _, result = run_to_end(build_request(space, provider))
    assert result.error is None and result.finish_reason == "tool_calls"
    assert [(c.id, c.name, c.arguments) for c in result.tool_calls] == [
        ("toolu_1", "add", '{"a": 1, "b": 2}')
    ]
    first = loopback.message_requests()[0]
    assert first["tools"] == [
        {
            "name": "add",
            "description": "Adds",
            "input_schema": {"type": "object", "properties": {"a": {"type": "number"}}},
        }
    ]
    assert first["tool_choice"] == {"type": "any"}

    space.conversation.append(
        Message(role="assistant", content="", tool_calls=[c.to_json() for c in result.tool_calls])
    )
    space.conversation.append(Message(role="tool", content="3", tool_call_id="toolu_1"))
    loopback.queue(Reply(text="It is 3."))
    _, answer = run_to_end(build_request(space, provider))
    assert answer.full_text == "It is 3."
    sent = loopback.message_requests()[1]["messages"]
    assert sent[1:] == [
        {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "toolu_1", "name": "add", "input": {"a": 1, "b": 2}}
            ],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "3"}],
        },
    ]


def test_a_tool_call_with_arguments_that_are_not_json_is_refused_at_its_card() -> None:
    space = Workspace(
        messages=[
            Message(role="user", content="Go"),
            Message(
                role="assistant",
                content="",
                tool_calls=[
                    {"id": "t", "type": "function", "function": {"name": "f", "arguments": "{oops"}}
                ],
            ),
            Message(role="tool", content="1", tool_call_id="t"),
        ]
    )
    space.params.model = "claude-haiku-4-5"
    anthropic = preset("anthropic")
    assert anthropic is not None
    with pytest.raises(RequestError) as caught:
        build_request(space, anthropic)
    assert "Message 2 (assistant)" in str(caught.value) and "not valid JSON" in str(caught.value)


def test_prefill_on_a_model_that_refuses_it_and_the_closing_instruction(
    loopback: LoopbackServer,
) -> None:
    space = workspace("claude-sonnet-4-6")
    provider = provider_at(loopback, "anthropic")
    with pytest.raises(RequestError, match="does not support assistant message prefill"):
        build_request(space, provider)
    space.params.extra["prefill_mode"] = "instruction"
    request = build_request(space, provider)
    assert request.prefill_mechanism == "instruction"
    loopback.queue(Reply(text='{"name": "mug"}', chunks=5))
    events, result = run_to_end(request)
    body = loopback.message_requests()[-1]
    assert "prefill_mode" not in body
    assert body["messages"][-1]["role"] == "user"
    assert "Begin your answer with exactly" in body["messages"][-1]["content"][-1]["text"]
    # The model's echo of the prefix is dropped: the answer shows joined, the prefix once.
    assert result.full_text == '{"name": "mug"}' and result.text == '"name": "mug"}'
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == result.text
    assert result.prefill_mechanism == "instruction"


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [
        (401, "authentication_error", "API key was refused"),
        (404, "not_found_error", "not found"),
        (400, "invalid_request_error", "refused"),
    ],
)
def test_error_bodies_get_the_same_plain_messages(
    loopback: LoopbackServer, status: int, kind: str, words: str
) -> None:
    loopback.queue(Reply(status=status, error_type=kind, error_message="nope"))
    _, result = run_to_end(build_request(workspace(), provider_at(loopback)))
    assert result.error is not None and words in result.error
    assert f"{status} {kind}: nope" in result.error
    assert len(loopback.message_requests()) == 1  # not retried


def test_overloaded_and_rate_limits_are_retried_with_retry_after(loopback: LoopbackServer) -> None:
    loopback.queue(
        Reply(
            status=529,
            error_type="overloaded_error",
            error_message="Overloaded",
            headers={"retry-after": "0.1"},
        ),
        Reply(
            status=429,
            error_type="rate_limit_error",
            error_message="Slow down",
            headers={"retry-after": "0.1"},
        ),
        Reply(text="fine"),
    )
    events, result = run_to_end(build_request(workspace(), provider_at(loopback)), max_retries=3)
    statuses = [e.text for e in events if isinstance(e, Status)]
    assert statuses[0].startswith("Overloaded (529 overloaded_error): retry 1 of 3 in 0.1 s")
    assert statuses[1].startswith("Rate limited (429 rate_limit_error): retry 2 of 3")
    assert result.error is None and result.text == "fine"
    # Bounded: overloaded every time ends with a plain message.
    loopback.queue(
        *[
            Reply(
                status=529,
                error_type="overloaded_error",
                error_message="Overloaded",
                headers={"retry-after": "0"},
            )
        ]
        * 3
    )
    _, failed = run_to_end(build_request(workspace(), provider_at(loopback)), max_retries=2)
    assert failed.error is not None
    assert failed.error.startswith("The provider is overloaded after 2 retries")


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (Reply(text="one two three four", cut_after=6), "ended before the answer was complete"),
        (
            Reply(
                text="one two three four",
                error_after=6,
                error_type="overloaded_error",
                error_message="Overloaded",
            ),
            "error mid-answer (overloaded_error: Overloaded)",
        ),
        (Reply(text="one two three four", garbage_after=6), "malformed stream line"),
    ],
    ids=["cut-mid-block", "error-event", "garbage"],
)
def test_faults_mid_stream_keep_the_text(
    loopback: LoopbackServer, reply: Reply, words: str
) -> None:
    loopback.queue(reply)
    _, result = run_to_end(build_request(workspace(), provider_at(loopback)))
    assert result.error is not None and words in result.error
    assert result.interrupted and result.text.startswith("one ")


def count_of(server_url: str, work: Workspace, key: str = KEY, timeout: float = 10.0) -> int:
    async def go() -> int:
        client = AnthropicCountClient(server_url, key, timeout=timeout)
        try:
            return await client.prepare(work, builtin_catalog())()
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_exact_count_from_count_tokens(loopback: LoopbackServer) -> None:
    loopback.api_key = KEY
    work = workspace(temperature=0.5)
    work.set_tools([ToolEntry(CODE_RUNNER)])
    total = count_of(loopback.anthropic_url, work)
    (received,) = [r for r in loopback.requests if r.path.endswith("/count_tokens")]
    assert received.path == "/anthropic/v1/messages/count_tokens"
    body = received.body
    assert "max_tokens" not in body and "stream" not in body and "temperature" not in body
    assert body["system"] == "Answer in JSON." and body["model"] == "kimi-k2.6"
    # The prefill is counted as it is sent: a trailing assistant message, trailing space cut.
    assert body["messages"][-1] == {"role": "assistant", "content": "{"}
    assert [t["name"] for t in body["tools"]] == ["CodeRunner"]
    server_figure = (
        loopback.count_tokens(
            {"messages": [{"role": "system", "content": "Answer in JSON."}, *body["messages"]]}
        )
        + len(json.dumps(body["tools"])) // 4
    )
    assert total == server_figure  # the tools are in the provider's figure


def test_count_tokens_error_body_is_said_in_words_without_the_key(
    loopback: LoopbackServer,
) -> None:
    loopback.count_reply = Reply(
        status=400,
        error_type="invalid_request_error",
        error_message=f"model: kimi-x is not a model for key {KEY}",
    )
    with pytest.raises(ExactCountError) as caught:
        count_of(loopback.anthropic_url, workspace())
    assert str(caught.value).startswith("HTTP 400: model: kimi-x is not a model for key ")
    assert KEY not in str(caught.value)
    loopback.count_reply = Reply(status=529, error_type="overloaded_error", error_message="Busy")
    with pytest.raises(ExactCountError, match=r"^HTTP 529: Busy$"):
        count_of(loopback.anthropic_url, workspace())


def test_count_tokens_offline_and_slow(loopback: LoopbackServer) -> None:
    with pytest.raises(ExactCountError, match=r"^cannot reach http://127\.0\.0\.1:9/anthropic"):
        count_of("http://127.0.0.1:9/anthropic", workspace(), timeout=2)
    loopback.count_reply = Reply(first_byte_delay=1.0)
    with pytest.raises(ExactCountError, match=r"^no answer within 0\.3 s$"):
        count_of(loopback.anthropic_url, workspace(), timeout=0.3)


def test_count_tokens_answer_without_a_figure(loopback: LoopbackServer) -> None:
    loopback.count_tokens = lambda body: -1
    with pytest.raises(ExactCountError, match="without input_tokens"):
        count_of(loopback.anthropic_url, workspace())


def test_exported_python_and_curl_send_the_same_messages_request(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    import os
    import shutil
    import subprocess
    import sys

    from workbench.core.export import export_request

    loopback.api_key = KEY
    request = build_request(workspace(), provider_at(loopback))
    python_code = export_request(request, "python")
    curl_script = export_request(request, "curl")
    assert KEY not in python_code + curl_script
    assert "import anthropic" in python_code and "MOONSHOT_API_KEY" in python_code
    env = {**os.environ, "MOONSHOT_API_KEY": KEY}
    script = tmp_path / "request.py"
    script.write_text(python_code, encoding="utf-8")
    ran = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "{Hello from the loopback server.\n"
    assert loopback.message_requests()[-1] == request.wire_body()
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed on this machine")
    curl = subprocess.run(
        ["bash", "-c", curl_script], capture_output=True, text=True, env=env, timeout=60
    )
    assert curl.returncode == 0, curl.stderr
    assert loopback.message_requests()[-1] == request.wire_body()
    assert "event: message_stop" in curl.stdout
