"""Finished cells are shown a few per pass of the event loop, in order, never all at once."""

from __future__ import annotations

import time

from pytestqt.qtbot import QtBot

from workbench.ui.evaluate.eval_grid import TimeBoxedQueue


def test_a_burst_is_handled_a_few_items_per_pass_in_order(qtbot: QtBot) -> None:
    handled: list[int] = []
    queue: TimeBoxedQueue[int] = TimeBoxedQueue(handled.append, max_items=10, budget_ms=1000)
    for i in range(45):
        queue.add(i)
    assert handled == [] and len(queue) == 45  # nothing inside add(): on a coming pass

    assert queue.handle_some() == 10 and handled == list(range(10))
    qtbot.waitUntil(lambda: len(queue) == 0, timeout=5_000)  # the next passes take the rest
    assert handled == list(range(45))


def test_a_pass_stops_taking_items_once_its_time_is_spent(qtbot: QtBot) -> None:
    handled: list[int] = []

    def slow(item: int) -> None:
        time.sleep(0.004)
        handled.append(item)

    queue: TimeBoxedQueue[int] = TimeBoxedQueue(slow, max_items=100, budget_ms=10)
    for i in range(20):
        queue.add(i)
    # Each item takes 4 ms at least: a 10 ms pass takes 3 of them at most, and always one.
    assert 1 <= queue.handle_some() <= 3
    queue.handle_all()  # the evaluation ended: the report needs every cell
    assert handled == list(range(20)) and len(queue) == 0
