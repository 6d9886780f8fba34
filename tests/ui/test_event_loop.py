"""The app's event loop runs ready callbacks in order and in turns, with Qt's events between
two turns: a burst of asyncio callbacks (an evaluation starting 800 cells) cannot hold the
window for its whole length, as qasync's one-timer-per-callback loop did."""

from __future__ import annotations

import asyncio
import time

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from workbench.ui.common.background import in_turns
from workbench.ui.shell.event_loop import TURN_SECONDS, WorkbenchEventLoop


def busy(seconds: float) -> None:
    ends = time.perf_counter() + seconds
    while time.perf_counter() < ends:
        pass


def test_ready_callbacks_run_in_the_order_queued(qtbot: QtBot, qloop: WorkbenchEventLoop) -> None:
    order: list[int] = []
    for i in range(500):
        qloop.call_soon(order.append, i)
    qtbot.waitUntil(lambda: len(order) == 500)
    assert order == list(range(500))


def test_qt_gets_the_thread_between_turns_of_a_burst_of_callbacks(
    qtbot: QtBot, qloop: WorkbenchEventLoop
) -> None:
    # 400 callbacks of 0.5 ms each (0.2 s), all ready at once, and a Qt timer ticking every
    # millisecond: it ticks in the middle of the burst, every turn or so (qasync's loop ran
    # the whole burst in one pass over Qt's timers, and the timer waited 0.2 s).
    ran: list[int] = []

    def step(i: int) -> None:
        busy(0.0005)
        ran.append(i)

    seen_by_qt: list[int] = []
    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(lambda: seen_by_qt.append(len(ran)))
    timer.start()
    for i in range(400):
        qloop.call_soon(step, i)
    qtbot.waitUntil(lambda: len(ran) == 400, timeout=10_000)
    timer.stop()
    during = sorted({n for n in seen_by_qt if 0 < n < 400})
    assert len(during) >= 10, seen_by_qt
    # One turn runs about TURN_SECONDS of callbacks (plus the one that crosses the line).
    longest_turn = max(b - a for a, b in zip([0, *during], [*during, 400], strict=True))
    assert longest_turn <= 2 * (TURN_SECONDS / 0.0005 + 1), during


def test_a_callback_queued_during_a_turn_waits_for_the_next_one(
    qtbot: QtBot, qloop: WorkbenchEventLoop
) -> None:
    # As in asyncio's own loop: a task that keeps rescheduling itself cannot starve Qt.
    events: list[str] = []

    def again(n: int) -> None:
        events.append(f"loop {n}")
        if n < 3:
            qloop.call_soon(again, n + 1)

    qloop.call_soon(again, 0)
    QTimer.singleShot(0, lambda: events.append("qt"))
    qtbot.waitUntil(lambda: len(events) == 5)
    assert events.index("qt") < events.index("loop 3")


def test_cancelled_callbacks_do_not_run_and_failures_do_not_stop_the_rest(
    qtbot: QtBot, qloop: WorkbenchEventLoop
) -> None:
    ran: list[str] = []
    reported: list[str] = []
    qloop.set_exception_handler(lambda _loop, context: reported.append(str(context["exception"])))
    try:
        qloop.call_soon(ran.append, "first")
        qloop.call_soon(ran.append, "cancelled").cancel()

        def fail() -> None:
            raise ValueError("broken callback")

        qloop.call_soon(fail)
        qloop.call_soon(ran.append, "last")
        qtbot.waitUntil(lambda: ran == ["first", "last"])
        assert reported == ["broken callback"]
    finally:
        qloop.set_exception_handler(None)


def test_tasks_and_futures_from_threads_complete_on_the_loop(
    qtbot: QtBot, qloop: WorkbenchEventLoop
) -> None:
    async def work() -> int:
        await asyncio.sleep(0)
        value = await qloop.run_in_executor(None, lambda: 6 * 7)
        await asyncio.sleep(0.01)
        return value

    task = qloop.create_task(work())
    qtbot.waitUntil(task.done)
    assert task.result() == 42


def test_a_closed_loop_drops_late_callbacks() -> None:
    loop = WorkbenchEventLoop()
    loop.close()
    handle = loop.call_soon(pytest.fail, "ran after close")
    assert handle.cancelled()


def test_in_turns_lets_qt_run_between_the_steps_of_long_work(
    qtbot: QtBot, qloop: WorkbenchEventLoop
) -> None:
    # The evaluation plans its requests this way: 0.2 s of pure Python, the window painting
    # every few milliseconds meanwhile (on a worker it held the GIL and froze the window).
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))

    def steps():  # type: ignore[no-untyped-def]
        for i in range(100):
            busy(0.002)
            yield i

    timer.start()
    task = qloop.create_task(in_turns(steps()))
    qtbot.waitUntil(task.done, timeout=10_000)
    timer.stop()
    assert task.result() == list(range(100))
    assert len(ticks) >= 10  # at least a tick every 20 ms of work (the turns are 5 ms)
