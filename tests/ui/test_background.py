"""The one background-work helper keeps its contract: work off the UI thread, callbacks on it,
serial sets in order, nothing reaching an owner after shutdown()."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from workbench.ui.common.background import BackgroundTasks


def test_work_runs_off_the_ui_thread_and_the_callback_on_it(qtbot: QtBot) -> None:
    owner = QObject()
    tasks = BackgroundTasks(owner)
    seen: dict[str, str] = {}

    def work() -> int:
        seen["work"] = threading.current_thread().name
        return 42

    def done(value: int) -> None:
        seen["callback"] = threading.current_thread().name
        seen["value"] = str(value)

    tasks.run(work, done)
    qtbot.waitUntil(lambda: "value" in seen)
    assert seen["work"] != threading.main_thread().name
    assert seen["callback"] == threading.main_thread().name
    assert seen["value"] == "42"
    qtbot.waitUntil(lambda: not tasks.busy)


def test_a_failure_goes_to_on_failure_or_to_report(qtbot: QtBot) -> None:
    reported: list[str] = []
    failures: list[Exception] = []
    tasks = BackgroundTasks(report=reported.append)

    def boom() -> None:
        raise OSError("disk full")

    tasks.run(boom, on_failure=failures.append)
    tasks.run(boom)
    qtbot.waitUntil(lambda: bool(failures) and bool(reported))
    assert str(failures[0]) == "disk full"
    assert "disk full" in reported[0]


def test_a_serial_set_runs_its_work_in_order_one_at_a_time(qtbot: QtBot) -> None:
    tasks = BackgroundTasks(serial=True)
    order: list[int] = []
    running = threading.Semaphore(1)

    def piece(number: int) -> None:
        assert running.acquire(blocking=False), "two pieces ran at once"
        time.sleep(0.01 * (5 - number))  # earlier pieces are slower: no overtaking
        order.append(number)
        running.release()

    futures = [tasks.submit(lambda n=n: piece(n)) for n in range(5)]
    for future in futures:
        future.result(timeout=5)
    assert order == [0, 1, 2, 3, 4]
    assert not tasks.busy


def test_after_shutdown_no_callback_reaches_the_owner(qtbot: QtBot) -> None:
    tasks = BackgroundTasks()
    started, release = threading.Event(), threading.Event()
    called: list[str] = []

    def work() -> bool:
        started.set()
        return release.wait(5)

    future = tasks.run(work, lambda _ok: called.append("success"))
    assert started.wait(5)
    tasks.run(lambda: True, lambda _ok: called.append("queued"))
    tasks.shutdown()
    release.set()
    assert future.result(timeout=5)  # running work ends; only its callback is dropped
    qtbot.wait(50)
    assert called == []
    with pytest.raises(RuntimeError):
        tasks.run(lambda: None)


def test_coroutines_are_owned_and_cancelled_on_shutdown(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    tasks = BackgroundTasks()
    results: list[int] = []

    async def quick() -> int:
        return 7

    tasks.spawn(quick(), results.append)
    qtbot.waitUntil(lambda: results == [7])

    async def forever() -> None:
        await asyncio.sleep(60)

    task = tasks.spawn(forever())
    qtbot.waitUntil(lambda: tasks.busy)
    tasks.shutdown()
    qtbot.waitUntil(task.done)
    assert task.cancelled()
    assert not tasks.busy
