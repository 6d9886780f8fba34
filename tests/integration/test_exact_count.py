"""Exact counts from the loopback server's Moonshot count endpoint: ok, slow, failing, stale."""

from __future__ import annotations

import asyncio

import pytest

from workbench.core.conversation import Message
from workbench.core.exact_count import ExactCountClient, ExactCountError, ExactCountScheduler
from workbench.loopback_server import LoopbackServer, Reply

MESSAGES = [Message("system", "Be brief."), Message("user", "How many tokens is this?")]


@pytest.mark.asyncio
async def test_exact_count_posts_model_and_messages(loopback: LoopbackServer) -> None:
    loopback.count_tokens = lambda body: 40 + len(body["messages"])
    client = ExactCountClient(loopback.url, "sk-test")
    try:
        assert await client.count("moonshot-v1-128k", MESSAGES) == 42
    finally:
        await client.aclose()
    request = loopback.requests[-1]
    assert request.path == "/v1/tokenizers/estimate-token-count"
    assert request.body["model"] == "moonshot-v1-128k"
    assert request.body["messages"][1] == {"role": "user", "content": "How many tokens is this?"}
    assert "tools" not in request.body
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert headers["authorization"] == "Bearer sk-test"


@pytest.mark.asyncio
async def test_failure_explains_itself_without_the_key(loopback: LoopbackServer) -> None:
    loopback.api_key = "sk-right-key-123456"
    client = ExactCountClient(loopback.url, "sk-wrong-key-987654")
    with pytest.raises(ExactCountError) as caught:
        await client.count("m", MESSAGES)
    await client.aclose()
    assert "HTTP 401" in str(caught.value)
    assert "987654" not in str(caught.value)


@pytest.mark.asyncio
async def test_a_key_the_server_echoes_is_masked_whatever_it_looks_like(
    loopback: LoopbackServer,
) -> None:
    token = "local-token-without-prefix-31337"
    loopback.count_reply = Reply(status=400, error_message=f"key {token} cannot count")
    client = ExactCountClient(loopback.url, token)
    with pytest.raises(ExactCountError) as caught:
        await client.count("m", MESSAGES)
    await client.aclose()
    assert "HTTP 400" in str(caught.value)
    assert token not in str(caught.value)


@pytest.mark.asyncio
async def test_server_error_and_timeout(loopback: LoopbackServer) -> None:
    loopback.count_reply = Reply(status=500, error_type="server_error", error_message="boom")
    client = ExactCountClient(loopback.url, "sk-test", timeout=0.3)
    with pytest.raises(ExactCountError, match="HTTP 500: boom"):
        await client.count("m", MESSAGES)
    loopback.count_reply = Reply(first_byte_delay=1.0)
    with pytest.raises(ExactCountError, match=r"no answer within 0\.3 s"):
        await client.count("m", MESSAGES)
    await client.aclose()


@pytest.mark.asyncio
async def test_unreachable_server() -> None:
    client = ExactCountClient("http://127.0.0.1:9/v1", "sk-test", timeout=2)
    with pytest.raises(ExactCountError, match="cannot reach"):
        await client.count("m", MESSAGES)
    await client.aclose()


@pytest.mark.asyncio
async def test_scheduler_debounces_and_drops_stale_answers(loopback: LoopbackServer) -> None:
    client = ExactCountClient(loopback.url, "sk-test")
    scheduler = ExactCountScheduler(delay=0.05)
    results: list[tuple[int | None, str | None]] = []
    # Five quick "keystrokes": only the last one reaches the server.
    for n in range(5):
        messages = [Message("user", "x" * 4 * (n + 1))]
        scheduler.schedule(
            lambda messages=messages: client.count("m", messages),
            lambda total, reason: results.append((total, reason)),
        )
        await asyncio.sleep(0.005)
    await scheduler.wait()
    assert results == [(5 + 4, None)]  # 4 per message + 20 chars / 4
    assert len([r for r in loopback.requests if "tokenizers" in r.path]) == 1

    # A slow answer superseded by a newer request is never delivered.
    loopback.count_reply = Reply(first_byte_delay=0.4)
    results.clear()
    scheduler.schedule(lambda: client.count("m", MESSAGES), lambda *r: results.append(r))
    await asyncio.sleep(0.15)  # the first request is in flight now
    assert scheduler.pending
    loopback.count_reply = Reply()
    scheduler.schedule(
        lambda: client.count("m", [Message("user", "abcd")]), lambda *r: results.append(r)
    )
    await scheduler.wait()
    await asyncio.sleep(0.4)
    assert results == [(5, None)]
    await client.aclose()


@pytest.mark.asyncio
async def test_scheduler_reports_a_failure_reason(loopback: LoopbackServer) -> None:
    loopback.count_reply = Reply(
        status=404, error_type="resource_not_found_error", error_message="model not found"
    )
    client = ExactCountClient(loopback.url, "sk-test")
    scheduler = ExactCountScheduler(delay=0)
    results: list[tuple[int | None, str | None]] = []
    scheduler.schedule(lambda: client.count("m", MESSAGES), lambda *r: results.append(r))
    await scheduler.wait()
    assert results == [(None, "HTTP 404: model not found")]
    scheduler.cancel()
    assert not scheduler.pending
    await client.aclose()
