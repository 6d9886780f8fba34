"""The streaming runner against a real HTTP/SSE server on 127.0.0.1: streams, faults, stop."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from dataclasses import replace

import pytest

from workbench.core.catalog import load_builtin_catalog
from workbench.core.payloads import ChatRequest, build_request
from workbench.core.providers import preset
from workbench.core.run_types import (
    Finished,
    ReasoningDelta,
    RunEvent,
    RunResult,
    Status,
    TextDelta,
    ToolCallDelta,
)
from workbench.core.runner import Run
from workbench.core.workspace import workspace_from_json
from workbench.loopback_server import LoopbackServer, Reply

KEY = "sk-loopback-secret-0123456789"

WORKSPACE = workspace_from_json(
    {
        "format": "prompt-workbench/1",
        "messages": [
            {"role": "user", "content": "Give me a product as JSON"},
            {"role": "assistant", "content": "{", "partial": True},
        ],
        "params": {"provider": "moonshot", "model": "moonshot-v1-128k"},
    }
)


def request_to(server: LoopbackServer) -> ChatRequest:
    moonshot = preset("moonshot")
    assert moonshot is not None
    return build_request(WORKSPACE, replace(moonshot, base_url=server.url))


async def collect(run: Run) -> tuple[list[RunEvent], RunResult]:
    events = [event async for event in run.events()]
    last = events[-1]
    assert isinstance(last, Finished), "every run ends with Finished"
    assert sum(isinstance(e, Finished) for e in events) == 1
    return events, last.result


def header(headers: dict[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), "")


def texts(events: list[RunEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


@pytest.mark.asyncio
async def test_stream_joins_prefix_and_continuation_and_counts_usage_once(
    loopback: LoopbackServer,
) -> None:
    usage = {"prompt_tokens": 1000, "completion_tokens": 200, "cached_tokens": 400}
    loopback.queue(Reply(text='"name": "kettle"}', chunks=5, usage=usage))
    run = Run(request_to(loopback), KEY, catalog=load_builtin_catalog())

    events, result = await collect(run)

    assert texts(events) == '"name": "kettle"}'
    assert result.full_text == '{"name": "kettle"}'
    assert result.error is None and not result.interrupted
    assert result.finish_reason == "stop"
    # Usage came twice (last choice and a top-level chunk): counted once.
    assert result.usage is not None
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (1000, 200)
    assert result.usage.total_tokens == 1200
    assert result.usage.cached_tokens == 400
    # moonshot-v1-128k has no cache price: 1000 x 2.00 + 200 x 5.00 per 1M.
    assert result.cost_usd == pytest.approx((1000 * 2.0 + 200 * 5.0) / 1e6)
    assert result.ttft_ms is not None and result.duration_ms is not None
    assert 0 < result.ttft_ms <= result.duration_ms
    sent = loopback.requests[-1]
    assert header(sent.headers, "Authorization") == f"Bearer {KEY}"
    assert sent.body["messages"][-1] == {"role": "assistant", "content": "{", "partial": True}
    assert sent.body["stream_options"] == {"include_usage": True}


@pytest.mark.asyncio
@pytest.mark.parametrize(("in_choice", "top_level"), [(True, False), (False, True)])
async def test_usage_is_read_from_either_place(
    loopback: LoopbackServer, in_choice: bool, top_level: bool
) -> None:
    usage = {"prompt_tokens": 11, "completion_tokens": 7}
    loopback.queue(
        Reply(text="ok", usage=usage, usage_in_choice=in_choice, top_level_usage=top_level)
    )

    _, result = await collect(Run(request_to(loopback), KEY))

    assert result.usage is not None
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (11, 7)


@pytest.mark.asyncio
async def test_reasoning_streams_apart_from_the_answer(loopback: LoopbackServer) -> None:
    loopback.queue(Reply(text="42}", reasoning="First, add the numbers."))

    events, result = await collect(Run(request_to(loopback), KEY))

    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    assert reasoning == "First, add the numbers."
    assert result.reasoning == reasoning
    assert result.text == "42}"


@pytest.mark.asyncio
@pytest.mark.parametrize("omit_index", [False, True], ids=["index", "no-index"])
async def test_tool_call_deltas_are_assembled(loopback: LoopbackServer, omit_index: bool) -> None:
    calls = [
        {"id": "functions.add:0", "name": "add", "arguments": '{"a": 1, "b": 2}'},
        {"id": "functions.mul:1", "name": "mul", "arguments": '{"a": 3, "b": 4}'},
    ]
    loopback.queue(Reply(text="", tool_calls=calls, omit_index=omit_index))

    events, result = await collect(Run(request_to(loopback), KEY))

    assert [(c.id, c.name, c.arguments) for c in result.tool_calls] == [
        ("functions.add:0", "add", '{"a": 1, "b": 2}'),
        ("functions.mul:1", "mul", '{"a": 3, "b": 4}'),
    ]
    assert result.finish_reason == "tool_calls"
    grown = [e for e in events if isinstance(e, ToolCallDelta)]
    assert [e.index for e in grown] == [0, 0, 1, 1]
    assert grown[0].call.arguments == '{"a": 1,'  # a snapshot, not the live object
    assert grown[-1].call.to_json()["function"]["arguments"] == '{"a": 3, "b": 4}'


@pytest.mark.asyncio
async def test_stop_closes_the_stream_at_once_and_keeps_the_text(
    loopback: LoopbackServer,
) -> None:
    loopback.queue(Reply(text="word " * 400, chunk_delay=0.02))
    run = Run(request_to(loopback), KEY)
    received = []
    stopped_at = 0.0

    async for event in run.events():
        if isinstance(event, TextDelta):
            received.append(event.text)
            if len(received) == 3:
                stopped_at = time.perf_counter()
                run.stop()
        if isinstance(event, Finished):
            result = event.result
    elapsed = time.perf_counter() - stopped_at

    assert elapsed < 0.3
    assert result.interrupted
    assert result.error is None
    assert result.text == "".join(received)
    assert result.full_text.startswith("{word word word")
    assert run.done and run.stopped


@pytest.mark.asyncio
async def test_stop_while_waiting_for_the_first_byte(loopback: LoopbackServer) -> None:
    loopback.queue(Reply(text="late", first_byte_delay=2.0))
    run = Run(request_to(loopback), KEY)
    asyncio.get_running_loop().call_later(0.2, run.stop)
    started = time.perf_counter()

    _, result = await collect(run)

    assert time.perf_counter() - started < 1.0
    assert result.interrupted and result.text == ""


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (
            Reply(status=401, error_type="invalid_authentication_error"),
            "API key was refused (401 invalid_authentication_error: Bad request). Check the key "
            "saved for Moonshot (global) in Settings › Providers and keys (or the environment "
            "variable MOONSHOT_API_KEY).",
        ),
        (Reply(status=403, error_type="permission_denied_error"), "balance"),
        (Reply(status=404, error_type="resource_not_found_error"), "retired"),
        (
            Reply(
                status=400,
                error_message="Invalid request: Your request exceeded model token limit: 8192",
            ),
            "too long for moonshot-v1-128k's context window",
        ),
        (Reply(status=400, error_message="temperature must be <= 1"), "request was refused"),
        (
            Reply(status=429, error_type="exceeded_current_quota_error", error_message="quota"),
            "Top up",
        ),
    ],
    ids=["401", "403", "404", "400-context", "400", "429-quota"],
)
async def test_http_errors_get_plain_messages_without_retry(
    loopback: LoopbackServer, reply: Reply, words: str
) -> None:
    loopback.queue(reply)

    events, result = await collect(Run(request_to(loopback), KEY, backoff=0.01))

    assert result.error is not None and words in result.error
    assert not any(isinstance(e, Status) for e in events)
    assert len(loopback.chat_requests()) == 1
    assert not result.interrupted  # nothing arrived, nothing to keep


@pytest.mark.asyncio
async def test_rate_limit_retries_honour_retry_after_and_are_visible(
    loopback: LoopbackServer,
) -> None:
    limited = Reply(
        status=429, error_type="rate_limit_reached_error", headers={"Retry-After": "0.3"}
    )
    overloaded = Reply(
        status=429, error_type="engine_overloaded_error", headers={"Retry-After": "0"}
    )
    loopback.queue(limited, overloaded, Reply(text="at last"))
    started = time.perf_counter()

    events, result = await collect(Run(request_to(loopback), KEY))

    statuses = [e.text for e in events if isinstance(e, Status)]
    assert len(statuses) == 2
    assert "retry 1 of 3 in 0.3 s" in statuses[0]
    assert "429" in statuses[0]
    assert time.perf_counter() - started >= 0.3
    assert result.text == "at last" and result.error is None
    assert len(loopback.chat_requests()) == 3


@pytest.mark.asyncio
async def test_a_retry_after_beyond_the_longest_wait_is_not_cut_short(
    loopback: LoopbackServer,
) -> None:
    limited = Reply(
        status=429, error_type="rate_limit_reached_error", headers={"Retry-After": "3600"}
    )
    loopback.queue(limited, Reply(text="too soon"))
    started = time.perf_counter()

    events, result = await collect(Run(request_to(loopback), KEY))

    assert time.perf_counter() - started < 5  # no 60 s wait for a retry bound to fail
    assert not any(isinstance(e, Status) for e in events)
    assert len(loopback.chat_requests()) == 1
    assert result.error is not None and "asks to wait 3600 s" in result.error


@pytest.mark.asyncio
async def test_rate_limit_gives_up_after_three_retries(loopback: LoopbackServer) -> None:
    limited = Reply(status=429, error_type="rate_limit_reached_error", headers={"Retry-After": "0"})
    loopback.queue(*[limited] * 5)

    events, result = await collect(Run(request_to(loopback), KEY))

    assert len([e for e in events if isinstance(e, Status)]) == 3
    assert len(loopback.chat_requests()) == 4
    assert result.error is not None and "after 3 retries" in result.error


@pytest.mark.asyncio
async def test_server_errors_are_retried_a_bounded_number_of_times(
    loopback: LoopbackServer,
) -> None:
    failing = Reply(status=503, error_type="server_error", error_message="overloaded")
    loopback.queue(failing, failing, failing, failing)

    events, result = await collect(Run(request_to(loopback), KEY, max_retries=2, backoff=0.01))

    assert len(loopback.chat_requests()) == 3
    assert len([e for e in events if isinstance(e, Status)]) == 2
    assert result.error is not None and "server failed after 2 retries" in result.error


@pytest.mark.asyncio
async def test_server_error_then_success(loopback: LoopbackServer) -> None:
    loopback.queue(Reply(status=500, error_type="server_error"), Reply(text="fine"))

    _, result = await collect(Run(request_to(loopback), KEY, backoff=0.01))

    assert result.text == "fine" and result.error is None


@pytest.mark.asyncio
async def test_refused_connection() -> None:
    with socket.socket() as sock:  # a port that nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    moonshot = preset("moonshot")
    assert moonshot is not None
    request = build_request(WORKSPACE, replace(moonshot, base_url=f"http://127.0.0.1:{port}/v1"))

    _, result = await collect(Run(request, KEY))

    assert result.error is not None and "connection refused" in result.error
    assert f"127.0.0.1:{port}" in result.error


@pytest.mark.asyncio
async def test_timeout_before_the_first_byte(loopback: LoopbackServer) -> None:
    loopback.queue(Reply(text="too late", first_byte_delay=1.5))

    _, result = await collect(Run(request_to(loopback), KEY, timeout=0.3))

    assert result.error is not None and "within 0.3 s (timeout)" in result.error


@pytest.mark.asyncio
async def test_timeout_mid_stream_keeps_the_text(loopback: LoopbackServer) -> None:
    loopback.queue(Reply(text="one two three", chunk_delay=0.6))

    _, result = await collect(Run(request_to(loopback), KEY, timeout=0.3))

    assert result.error is not None and "timeout" in result.error
    assert result.interrupted


@pytest.mark.asyncio
async def test_cut_stream_keeps_the_text_marked_interrupted(loopback: LoopbackServer) -> None:
    loopback.queue(Reply(text="alpha beta gamma delta", cut_after=3))

    events, result = await collect(Run(request_to(loopback), KEY))

    assert result.text == "alpha beta "
    assert texts(events) == "alpha beta "
    assert result.interrupted
    assert result.error is not None and "before the answer was complete" in result.error


@pytest.mark.asyncio
async def test_malformed_sse_line_keeps_the_text_marked_interrupted(
    loopback: LoopbackServer,
) -> None:
    loopback.queue(Reply(text="alpha beta gamma delta", garbage_after=3))

    _, result = await collect(Run(request_to(loopback), KEY))

    assert result.text == "alpha beta "
    assert result.interrupted
    assert result.error is not None and "malformed" in result.error


@pytest.mark.asyncio
async def test_a_key_echoed_by_the_server_is_redacted_from_errors_and_logs(
    loopback: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    loopback.queue(
        Reply(
            status=401,
            error_type="invalid_authentication_error",
            error_message=f"Incorrect API key provided: {KEY}",
        )
    )

    _, result = await collect(Run(request_to(loopback), KEY))

    assert result.error is not None and "sk-***" in result.error
    assert KEY not in result.error
    assert KEY not in caplog.text


@pytest.mark.asyncio
async def test_keyless_local_server_never_gets_the_openai_variable(
    loopback: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-must-not-leak-000000")
    ollama = preset("ollama")
    assert ollama is not None
    request = build_request(WORKSPACE, replace(ollama, base_url=loopback.url))

    _, result = await collect(Run(request, None))

    assert result.error is None
    assert "sk-must-not-leak" not in header(loopback.requests[-1].headers, "Authorization")


@pytest.mark.asyncio
async def test_an_error_event_mid_stream_keeps_the_text(loopback: LoopbackServer) -> None:
    loopback.queue(
        Reply(
            text="alpha beta gamma",
            error_after=3,
            error_type="engine_overloaded_error",
            error_message="The engine is overloaded",
            status=200,
        )
    )

    _, result = await collect(Run(request_to(loopback), KEY))

    assert result.text == "alpha beta "
    assert result.interrupted
    assert result.error == (
        f"The server at {loopback.url} reported an error mid-answer (engine_overloaded_error: "
        "The engine is overloaded); the text received so far is kept."
    )


@pytest.mark.asyncio
async def test_run_variants_limits_concurrency_per_provider_and_records_a_group(
    loopback: LoopbackServer,
) -> None:
    from workbench.core.history import HistoryStore, new_group_id
    from workbench.core.providers import ProviderRegistry
    from workbench.core.sessions import RunOverrides, run_variants

    workspace = workspace_from_json(
        {
            "format": "prompt-workbench/1",
            "messages": [{"role": "user", "content": "Hi"}],
            "params": {"provider": "moonshot", "model": "moonshot-v1-128k"},
            "variants": [{"label": "A"}, {"label": "B"}, {"label": "C"}],
        }
    )
    loopback.default_reply = Reply(text="ok", first_byte_delay=0.2)
    seen: list[tuple[int, str]] = []
    history = HistoryStore()
    group = new_group_id()
    started = time.perf_counter()

    results = await run_variants(
        workspace,
        ProviderRegistry(),
        {"moonshot": KEY},
        ["A", "B", "C"],
        per_provider=2,
        overrides=RunOverrides(base_url=loopback.url),
        history=history,
        group=group,
        on_event=lambda i, e: seen.append((i, type(e).__name__)),
    )

    elapsed = time.perf_counter() - started
    assert [r.variant for r in results] == ["A", "B", "C"]
    assert all(r.text == "ok" and r.error is None for r in results)
    assert 0.4 <= elapsed < 0.6 + 0.5  # two at once, then the third: two rounds of 0.2 s
    assert {i for i, name in seen if name == "Finished"} == {0, 1, 2}
    assert sorted(str(e.variant) for e in history.group(group)) == ["A", "B", "C"]


@pytest.mark.asyncio
async def test_run_variants_keeps_the_results_when_the_history_cannot_write(
    loopback: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    import sqlite3

    from workbench.core.providers import ProviderRegistry
    from workbench.core.sessions import RunOverrides, run_variants

    class FullDisk:
        def record(self, *args: object, **kwargs: object) -> int:
            raise sqlite3.OperationalError("database or disk is full")

    loopback.default_reply = Reply(text="kept")
    with caplog.at_level(logging.WARNING, logger="workbench.core.sessions"):
        (result,) = await run_variants(
            WORKSPACE,
            ProviderRegistry(),
            {"moonshot": KEY},
            overrides=RunOverrides(base_url=loopback.url),
            history=FullDisk(),  # type: ignore[arg-type]
        )

    assert result.full_text == "{kept" and result.error is None
    assert "disk is full" in caplog.text


@pytest.mark.asyncio
async def test_a_mangled_key_is_explained_without_sending(loopback: LoopbackServer) -> None:
    _, result = await collect(Run(request_to(loopback), "sk-abc def\n"))

    assert result.error is not None and "Paste the key again" in result.error
    assert loopback.requests == []


@pytest.mark.asyncio
async def test_pieces_of_text_that_arrive_together_go_out_as_fewer_events(
    loopback: LoopbackServer,
) -> None:
    """A burst of chunks (a 10 MB answer is ~20,000) reaches the listener as fewer events with
    the same text; the time to the first token is still the first piece's."""
    text = "".join(f"piece {i:03d} " for i in range(300))
    loopback.queue(Reply(text=text, chunks=300, first_byte_delay=0.05))
    run = Run(request_to(loopback), KEY)
    started = time.perf_counter()
    first_event_ms: float | None = None
    events: list[RunEvent] = []
    async for event in run.events():
        if isinstance(event, TextDelta) and first_event_ms is None:
            first_event_ms = (time.perf_counter() - started) * 1000
        events.append(event)
    result = events[-1].result if isinstance(events[-1], Finished) else None

    assert result is not None and result.error is None
    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert "".join(e.text for e in deltas) == result.text == text
    assert 1 <= len(deltas) < 300  # (300 before: one event per chunk)
    assert result.ttft_ms is not None and first_event_ms is not None
    assert 50 <= result.ttft_ms <= first_event_ms  # measured at the first piece, not the event
