"""The GUI-thread collector freezes what start-up built, once, so full collections stay short."""

from __future__ import annotations

import gc

from PySide6.QtWidgets import QApplication

from workbench.ui.shell.gc_guard import GuiThreadGarbageCollector


def test_freeze_takes_the_objects_alive_now_out_of_collections_once(qapp: QApplication) -> None:
    collector = GuiThreadGarbageCollector(qapp)
    try:
        before = gc.get_freeze_count()
        collector.freeze()
        frozen = gc.get_freeze_count()
        assert frozen > before
        later = [[] for _ in range(1000)]  # objects made after the first freeze
        collector.freeze()
        # The second call freezes none of them (a frozen object that dies meanwhile, on any thread,
        # leaves the frozen set, so the count may only go down, never up by the new objects).
        assert gc.get_freeze_count() <= frozen
        assert later
    finally:
        collector._timer.stop()
        gc.unfreeze()
        gc.disable()  # the session's collector (conftest) keeps automatic collection off


def test_stop_leaves_automatic_collection_off() -> None:
    # In a process of its own: this session's collector must stay as it is.
    import subprocess
    import sys

    script = """
import gc
from PySide6.QtWidgets import QApplication
from workbench.ui.shell.gc_guard import GuiThreadGarbageCollector

app = QApplication([])
collector = GuiThreadGarbageCollector(app)

collector.stop()
# At exit other threads still run: a collection they set off could destroy Qt objects there.
assert not gc.isenabled(), "automatic collection came back"
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def _collected_generation(
    collector: GuiThreadGarbageCollector,
    keep: list[list[int]] | None = None,
    count: int = 0,
    *,
    quiet: bool = True,
) -> int | None:
    """Brings the allocation counts past every threshold, lets ``collector`` check, and says
    which generation it collected (None: none). ``keep`` gets ``count`` objects that live on,
    made after the collections that bring the counts there (which would move them along)."""
    _young, middle, old = gc.get_threshold()
    for _ in range(old + 1):
        gc.collect(1)  # each counts one middle collection towards the oldest generation
    for _ in range(middle + 1):
        gc.collect(0)
    seen: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    allocated = [[] for _ in range(gc.get_threshold()[0] * 2)]
    if keep is not None:
        keep.extend([] for _ in range(count))
    gc.callbacks.append(note)
    try:
        collector.check(quiet)
    finally:
        gc.callbacks.remove(note)
    assert allocated
    return max(seen) if seen else None


def test_a_full_collection_waits_until_the_old_generation_grew_by_a_quarter(
    qapp: QApplication,
) -> None:
    # The collector checks every 50 ms: with a full collection each time the counts say so (every
    # hundred young ones), it would scan the whole heap every few seconds.
    # No run in flight (another test's engine may still have one).
    collector = GuiThreadGarbageCollector(qapp, busy=lambda: False)
    collector._timer.stop()  # the test calls check() itself
    long_lived = [[] for _ in range(40_000)]
    try:
        assert _collected_generation(collector) == 2  # the first one: nothing measured yet
        old = len(gc.get_objects(generation=2))  # what it left there (the session's too)
        # Few objects reached the old generation since: the counts alone no longer make it full.
        assert _collected_generation(collector) == 1
        more: list[list[int]] = []
        # A middle collection moves a quarter more to the oldest generation.
        assert _collected_generation(collector, more, old // 4 + 1000) == 1
        assert _collected_generation(collector) == 2  # full again
        assert more and long_lived
    finally:
        gc.disable()  # the session's collector (conftest) keeps automatic collection off


def test_a_full_collection_that_is_due_waits_for_a_quiet_moment_of_the_ui_thread(
    qapp: QApplication,
) -> None:
    # It scans every object: 15-20 ms in the middle of an evaluation filling the grid.
    # No run in flight (another test's engine may still have one).
    collector = GuiThreadGarbageCollector(qapp, busy=lambda: False)
    collector._timer.stop()  # the test calls check() itself
    try:
        assert _collected_generation(collector, quiet=False) == 1  # busy: the young ones only
        assert _collected_generation(collector, quiet=False) == 1
        assert _collected_generation(collector, quiet=True) == 2
        # It waits at most full_wait_s.
        collector.full_wait_s = 0.0
        collector._long_lived_total = 0  # due again
        assert _collected_generation(collector, quiet=False) == 2
    finally:
        gc.disable()  # the session's collector (conftest) keeps automatic collection off


def test_a_full_collection_waits_while_runs_are_in_flight(qapp: QApplication) -> None:
    # An evaluation filling the grid has lulls that look quiet (the server is slow to answer);
    # a full collection there stalls the grid.
    streaming = [True]
    collector = GuiThreadGarbageCollector(qapp, busy=lambda: streaming[0])
    collector._timer.stop()  # the test calls check() itself
    try:
        assert _collected_generation(collector, quiet=True) == 1
        streaming[0] = False
        collector.cooldown_s = 3600.0
        assert _collected_generation(collector, quiet=True) == 1  # just ended: not yet
        collector.cooldown_s = 0.0
        assert _collected_generation(collector, quiet=True) == 2
    finally:
        gc.disable()  # the session's collector (conftest) keeps automatic collection off
