"""The run engine: the per-provider limiter, the event order, keys, transports, the history."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest

from workbench.core.conversation import Message
from workbench.core.payloads import ChatRequest
from workbench.core.providers import Prefill, ProviderConfig, ProviderRegistry
from workbench.core.run_types import Finished, RunEvent, RunResult, TextDelta
from workbench.core.sessions import (
    EngineEvent,
    NotRecorded,
    ProviderLimiter,
    Queued,
    Recorded,
    RunEngine,
    RunOptions,
    RunTicket,
    Started,
    missing_key_message,
)
from workbench.core.workspace import Params, Workspace


class Gate:
    """A transport that streams one piece, then waits for :attr:`opened` before finishing."""

    made: ClassVar[list[Gate]] = []

    def __init__(self, request: ChatRequest, api_key: str | None, options: RunOptions) -> None:
        self.request = request
        self.api_key = api_key
        self.options = options
        self.opened = asyncio.Event()
        self.stopped = False
        Gate.made.append(self)

    def stop(self) -> None:
        self.stopped = True
        self.opened.set()

    async def events(self) -> AsyncIterator[RunEvent]:
        yield TextDelta("piece")
        await self.opened.wait()
        yield Finished(
            RunResult(
                self.request.provider,
                self.request.model,
                text="piece",
                finish_reason=None if self.stopped else "stop",
                interrupted=self.stopped,
            )
        )


def provider(provider_id: str, kind: str = "custom", needs_key: bool = True) -> ProviderConfig:
    url = "http://127.0.0.1:9/v1"
    return ProviderConfig(
        provider_id, f"Provider {provider_id}", kind, url, Prefill.NONE, "P_KEY", needs_key
    )


def registry() -> ProviderRegistry:
    found = ProviderRegistry()
    found.add(provider("p"))
    found.add(provider("keyless", needs_key=False))
    found.add(provider("other-kind", kind="vllm"))
    return found


def workspace(provider_id: str = "p") -> Workspace:
    return Workspace(messages=[Message("user", "Hi")], params=Params(provider=provider_id))


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.records: list[tuple[str | None, str, str | None]] = []

    async def __call__(
        self, request: ChatRequest, result: RunResult, _ws: dict[str, Any], group: str | None
    ) -> int:
        if self.fail:
            raise sqlite3.OperationalError("database or disk is full")
        self.records.append((request.variant, result.full_text, group))
        return len(self.records)


def engine(limit: int = 2, recorder: Recorder | None = None, **transports: Any) -> RunEngine:
    Gate.made = []
    return RunEngine(
        registry(),
        {"p": "sk-test-secret", "other-kind": "sk-other-secret"},
        limiter=ProviderLimiter(limit),
        recorder=recorder,
        transports={"*": Gate, **transports},
    )


def collect() -> tuple[list[EngineEvent], Any]:
    events: list[EngineEvent] = []
    return events, lambda _ticket, event: events.append(event)


async def until(condition: Any) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.002)
    raise AssertionError("condition never became true")


# The limiter ----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_limiter_serves_waiting_runs_first_come_first_served() -> None:
    limiter = ProviderLimiter(1)
    order: list[str] = []

    async def take(name: str) -> None:
        await limiter.acquire("p")
        order.append(name)

    await limiter.acquire("p")
    waiters = [asyncio.ensure_future(take(name)) for name in "abc"]
    await asyncio.sleep(0)
    assert limiter.waiting("p") == 3 and limiter.must_wait("p")
    assert not limiter.must_wait("q")  # another provider is not held up
    for _ in "abc":
        limiter.release("p")
        await asyncio.sleep(0)
    await asyncio.gather(*waiters)
    assert order == ["a", "b", "c"]
    assert limiter.active("p") == 1 and limiter.waiting("p") == 0


@pytest.mark.asyncio
async def test_raising_the_limit_lets_waiting_runs_start_and_a_cancelled_wait_takes_nothing() -> (
    None
):
    limiter = ProviderLimiter(1)
    await limiter.acquire("p")
    first = asyncio.ensure_future(limiter.acquire("p"))
    second = asyncio.ensure_future(limiter.acquire("p"))
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.sleep(0)
    assert limiter.waiting("p") == 1

    limiter.limit = 3
    await second
    assert limiter.active("p") == 2 and limiter.waiting("p") == 0
    limiter.release("p")
    limiter.release("p")
    assert limiter.active("p") == 0 and not limiter.must_wait("p")


# The engine -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_events_come_in_order_and_the_run_is_recorded_after_finished() -> None:
    recorder = Recorder()
    runs = engine(recorder=recorder)
    events, sink = collect()
    ticket = runs.start(runs.prepare(workspace()), sink, group="g")
    await until(lambda: Gate.made)
    Gate.made[0].opened.set()
    result = await ticket.wait()

    assert [type(e) for e in events] == [Started, TextDelta, Finished, Recorded]
    assert result.full_text == "piece" and ticket.sent and ticket.done
    assert ticket.history_id == 1 and recorder.records == [(None, "piece", "g")]
    assert Gate.made[0].api_key == "sk-test-secret"


@pytest.mark.asyncio
async def test_runs_beyond_the_limit_queue_visibly_and_start_as_slots_free() -> None:
    runs = engine(limit=2)
    tickets: list[RunTicket] = []
    queued: list[Queued] = []
    for _ in range(4):
        events, sink = collect()
        tickets.append(runs.start(runs.prepare(workspace()), sink))
        queued += [e for e in events if isinstance(e, Queued)]
    await until(lambda: len(Gate.made) == 2)
    await asyncio.sleep(0.01)
    assert len(Gate.made) == 2 and runs.limiter.waiting("p") == 2
    await until(lambda: sum(t.state == "waiting" for t in tickets) == 2)
    Gate.made[0].opened.set()
    await until(lambda: len(Gate.made) == 3)
    for gate in Gate.made:
        gate.opened.set()
    await until(lambda: len(Gate.made) == 4)
    Gate.made[3].opened.set()
    results = [await t.wait() for t in tickets]
    assert all(r.full_text == "piece" for r in results)
    assert not runs.busy


@pytest.mark.asyncio
async def test_a_waiting_run_reports_its_place_in_the_queue() -> None:
    runs = engine(limit=1)
    first = runs.start(runs.prepare(workspace()))
    await until(lambda: Gate.made)
    events, sink = collect()
    second = runs.start(runs.prepare(workspace()), sink)
    third_events, third_sink = collect()
    third = runs.start(runs.prepare(workspace()), third_sink)
    await until(lambda: len(third_events) == 1)
    assert events == [Queued("Provider p", 0, 1, 1)]
    assert third_events == [Queued("Provider p", 1, 1, 1)]

    second.stop()  # stopped while it waits: never sent, still finished
    result = await second.wait()
    assert result.interrupted and not second.sent and result.error is None
    assert [type(e) for e in events] == [Queued, Finished]
    Gate.made[0].opened.set()
    await first.wait()
    await until(lambda: len(Gate.made) == 2)
    Gate.made[1].opened.set()
    assert (await third.wait()).full_text == "piece"


@pytest.mark.asyncio
async def test_a_missing_key_ends_the_run_unsent_with_the_one_wording() -> None:
    recorder = Recorder()
    runs = RunEngine(registry(), {}, recorder=recorder, transports={"*": Gate})
    events, sink = collect()
    Gate.made = []
    result = await runs.run(runs.prepare(workspace()), sink)

    assert result.error == missing_key_message(provider("p"))
    assert result.error == (
        "No API key for Provider p: save one in Settings › Providers and keys, or set the "
        "environment variable P_KEY."
    )
    assert [type(e) for e in events] == [Finished]
    assert Gate.made == [] and recorder.records == []  # not sent, so not recorded
    # A server that needs no key runs without one.
    Gate.made = []
    keyless = runs.start(runs.prepare(workspace("keyless")))
    await until(lambda: Gate.made)
    Gate.made[0].opened.set()
    assert (await keyless.wait()).error is None and Gate.made[0].api_key is None


@pytest.mark.asyncio
async def test_a_failed_history_write_is_an_event_and_a_field_of_the_ticket() -> None:
    runs = engine(recorder=Recorder(fail=True))
    events, sink = collect()
    ticket = runs.start(runs.prepare(workspace()), sink)
    await until(lambda: Gate.made)
    Gate.made[0].opened.set()
    result = await ticket.wait()

    assert result.full_text == "piece" and result.error is None
    assert events[-1] == NotRecorded("database or disk is full")
    assert ticket.history_error == "database or disk is full" and ticket.history_id is None


@pytest.mark.asyncio
async def test_the_transport_is_chosen_by_provider_kind() -> None:
    made: list[str] = []

    def other(request: ChatRequest, api_key: str | None, options: RunOptions) -> Gate:
        made.append(request.kind)
        gate = Gate(request, api_key, options)
        gate.opened.set()
        return gate

    runs = engine(vllm=other)
    result = await runs.run(runs.prepare(workspace("other-kind")))
    assert made == ["vllm"] and result.full_text == "piece"


@pytest.mark.asyncio
async def test_a_failing_callback_neither_ends_the_run_nor_loses_its_record() -> None:
    recorder = Recorder()
    runs = engine(recorder=recorder)

    def broken(_ticket: RunTicket, event: EngineEvent) -> None:
        if isinstance(event, TextDelta):
            raise RuntimeError("a view fell over")

    ticket = runs.start(runs.prepare(workspace()), broken)
    await until(lambda: Gate.made)
    Gate.made[0].opened.set()
    assert (await ticket.wait()).full_text == "piece"
    assert recorder.records == [(None, "piece", None)]
