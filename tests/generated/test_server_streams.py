"""Door 3, server answers: whatever the loopback server streams, the run ends and says why.

Generated: stream events of any JSON shape, damaged chunks (numbers or objects where text
belongs), lone and split surrogates, lines that are not UTF-8 or not JSON, error events, answers
sent as one body (chat completions, odd JSON, HTML, plain text), endless and compressed streams.
Property: one ``Finished``, last; the text kept is valid Unicode without the key; a failure names
the server; ``run --json`` exits 0 or 1 with one line per failure; never a hang.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.generated.guards import check_cli_outcome, no_hang, run_cli
from tests.generated.strategies import damaged, dumps, json_values, strings
from workbench.core.payloads import build_request
from workbench.core.providers import preset
from workbench.core.run_types import Finished, TextDelta
from workbench.core.runner import Run
from workbench.core.workspace import workspace_from_json
from workbench.loopback_server import LoopbackServer, Reply

KEY = "loop-Key-0123456789abcdef"
CHUNK = {
    "id": "c",
    "object": "chat.completion.chunk",
    "choices": [
        {
            "index": 0,
            "delta": {
                "role": "assistant",
                "content": "Hi",
                "reasoning_content": "hm",
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "f", "arguments": "{}"},
                    }
                ],
            },
            "finish_reason": None,
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
        }
    ],
}
COMPLETION = {
    "id": "c",
    "object": "chat.completion",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
}


def text_chunk(text: str) -> bytes:
    return json.dumps({"choices": [{"index": 0, "delta": {"content": text}}]}).encode()


events = st.one_of(
    strings.map(text_chunk),
    st.sampled_from([KEY[:7], KEY[7:], KEY, "\ud83d", "\ude00"]).map(text_chunk),
    damaged(CHUNK).map(lambda v: dumps(v).encode("utf-8", "surrogatepass")),
    json_values.map(lambda v: dumps(v).encode("utf-8", "surrogatepass")),
    st.binary(max_size=30).filter(lambda b: b"\n" not in b and b"\r" not in b),
    st.just(json.dumps({"error": {"type": "server_error", "message": "boom\nline"}}).encode()),
)
finish = st.sampled_from(
    [b"", json.dumps({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}).encode()]
)
streamed = st.builds(
    lambda items, end: Reply(raw_events=[*items, end] if end else items),
    st.lists(events, max_size=12),
    finish,
)
bodies = st.builds(
    lambda body, kind: Reply(raw_body=body, content_type=kind),
    st.one_of(
        damaged(COMPLETION).map(lambda v: dumps(v).encode("utf-8", "surrogatepass")),
        json_values.map(lambda v: dumps(v).encode("utf-8", "surrogatepass")),
        st.just(b"<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>"),
        st.binary(max_size=50),
    ),
    st.sampled_from(["application/json", "text/html", "text/plain", "application/octet-stream"]),
)
floods = st.sampled_from(
    [Reply(endless=True, text="flood "), Reply(endless=True, gzip=True), Reply(text="x" * 50_000)]
)
replies = st.one_of(streamed, bodies, floods)


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


WORKSPACE = workspace_from_json(
    {
        "format": "prompt-workbench/1",
        "messages": [{"role": "user", "content": "Hello"}],
        "params": {"provider": "moonshot", "model": "moonshot-v1-8k"},
    }
)


async def one_run(url: str) -> tuple[Run, list[object]]:
    moonshot = preset("moonshot")
    assert moonshot is not None
    run = Run(
        build_request(WORKSPACE, replace(moonshot, base_url=url)),
        KEY,
        timeout=5,
        max_retries=0,
        max_answer_chars=200_000,
        deadline=8,
    )
    return run, [event async for event in run.events()]


@given(reply=replies)
def test_any_server_answer(reply: Reply, server: LoopbackServer) -> None:
    server.queue(reply)
    with no_hang(30):
        run, seen = asyncio.run(one_run(server.url))
    assert isinstance(seen[-1], Finished)
    assert sum(isinstance(e, Finished) for e in seen) == 1
    result = run.result
    kept = [
        result.text,
        result.reasoning,
        *(c.arguments + c.name + c.id for c in result.tool_calls),
    ]
    for text in kept:
        text.encode("utf-8")  # valid Unicode: it can be saved, recorded and printed
        assert KEY not in text
    streamed = "".join(e.text for e in seen if isinstance(e, TextDelta))
    assert KEY not in streamed and streamed == result.text
    if result.error is not None:
        assert server.url in result.error, result.error
        assert KEY not in result.error


@given(reply=replies)
def test_any_server_answer_through_the_cli(
    reply: Reply,
    server: LoopbackServer,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    workbench_home: Path,
) -> None:
    monkeypatch.setenv("LOOP_KEY", KEY)
    path = tmp_path / "w.prompt.json"
    path.write_text(json.dumps(WORKSPACE.to_json()), encoding="utf-8")
    server.queue(reply)
    # Small limits (settings) keep the floods short.
    (workbench_home / "config").mkdir(exist_ok=True)
    (workbench_home / "config" / "settings.json").write_text(
        '{"max_answer_mb": 1, "run_deadline_seconds": 10}', encoding="utf-8"
    )
    status, out, err = run_cli(
        capsys,
        "run",
        str(path),
        "--base-url",
        server.url,
        "--api-key-env",
        "LOOP_KEY",
        "--json",
        "--timeout",
        "5",
    )
    check_cli_outcome("run", status, err)
    assert status in (0, 1)
    data = json.loads(out)
    assert KEY not in out and KEY not in err
    assert (status == 1) == bool(data["error"])
