"""Python's cyclic garbage collection, run on the GUI thread only.

When the collector runs on whatever thread allocates at the wrong moment (the loopback server's,
an executor's, qasync's), it can destroy Qt objects there: Qt then warns "Timers cannot be stopped
from another thread" or crashes. Automatic collection is turned off and a timer on the GUI thread
collects instead, generation by generation, as the thresholds say (the recipe Anki and others use).

It checks often (every :data:`CHECK_MS`), so that a collection of the young generations scans
what a few dozen milliseconds allocated, not what half a second did: while an evaluation fills
the grid, a check every 500 ms made young collections of 10 ms and middle ones of 30-40 ms. A
full collection keeps CPython's own rule: it waits until the objects moved to the oldest
generation since the last one are a quarter of those it found alive then, so checking often does
not scan the whole heap every few seconds. And as it scans everything (15-35 ms after an
evaluation or two), it then waits for a quiet moment of the UI thread with no run in flight (an
evaluation filling the grid, a Send or Compare streaming), at most :data:`FULL_WAIT_S`.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

#: How often the timer looks at the allocation counts (a look costs next to nothing).
CHECK_MS = 50
#: A full collection waits until the objects that reached the oldest generation since the last
#: one are this share of those it left there (CPython's ``long_lived_pending`` rule).
FULL_SHARE = 0.25
#: A check period is quiet when the UI thread computed at most this share of it...
QUIET_SHARE = 0.25
#: ...and at most this many objects were made that are still alive (on a loaded machine a busy
#: UI thread waiting for a core computes little, but what it does keeps allocating).
QUIET_OBJECTS = 100
#: A full collection waits for this many quiet check periods in a row (100 ms: the runs in
#: flight, not this, keep it out of an evaluation's lulls).
QUIET_CHECKS = 2
#: ...and for this long after the last run ended (the view records the last cells, lists the
#: evaluations, the user reads the grid).
RUNS_COOLDOWN_S = 1.0
#: A full collection that is due waits for a quiet period at most this long.
FULL_WAIT_S = 120.0


def runs_in_flight() -> bool:
    """Whether a run engine has a run in flight (none before the run engine is imported: the
    collector does not load it)."""
    sessions = sys.modules.get("workbench.core.sessions")
    return sessions is not None and bool(sessions.runs_in_flight())


class GuiThreadGarbageCollector(QObject):
    """Disables automatic GC and collects from a GUI-thread timer every ``interval_ms``.

    Args:
        parent: The owner (the application).
        interval_ms: How often the counts are checked.
        busy: Whether work is in flight that a full collection must not stall (runs streaming).
    """

    def __init__(
        self,
        parent: QObject | None = None,
        interval_ms: int = CHECK_MS,
        busy: Callable[[], bool] = runs_in_flight,
    ) -> None:
        super().__init__(parent)
        self._busy = busy
        #: When a run was last seen in flight (a full collection waits RUNS_COOLDOWN_S after).
        self._busy_seen = float("-inf")
        self.cooldown_s = RUNS_COOLDOWN_S
        self._threshold = gc.get_threshold()
        self._frozen = False
        #: Objects in the oldest generation after the last full collection (0: none made yet).
        self._long_lived_total = 0
        #: Objects moved to the oldest generation since then (survivors of middle collections).
        self._long_lived_pending = 0
        #: When a full collection became due (it waits for a quiet moment), None: not due.
        self._full_due_since: float | None = None
        #: A due full collection waits at most this long (seconds).
        self.full_wait_s = FULL_WAIT_S
        self._clock = (time.perf_counter(), time.thread_time())
        self._young_after = gc.get_count()[0]  # the young count after the last check
        self._quiet_checks = 0  # quiet check periods in a row
        gc.disable()
        self._interval_ms = interval_ms
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    def hold(self) -> None:
        """Collects nothing until :meth:`resume` (the app holds it until its first paint is
        over: what start-up allocates until then lives as long as the app, and the window's
        build takes longer than a check period, so the first turn of the loop would collect
        before it paints)."""
        self._timer.stop()

    def resume(self) -> None:
        """Checks again every period, from now."""
        self._clock = (time.perf_counter(), time.thread_time())
        self._timer.start(self._interval_ms)

    def check(self, quiet: bool | None = None) -> None:
        """Collects the generations whose allocation counts passed their thresholds (the oldest
        only when enough objects reached it since its last collection, and the UI thread was
        quiet since the last check or the collection waited long enough).

        Args:
            quiet: Whether the UI thread was quiet long enough; None: measured (its CPU time
                since the last check against the time passed, and the objects made meanwhile,
                for :data:`QUIET_CHECKS` checks in a row). Never quiet while ``busy()`` or less
                than :data:`RUNS_COOLDOWN_S` after.
        """
        now, cpu = time.perf_counter(), time.thread_time()
        last_now, last_cpu = self._clock
        self._clock = (now, cpu)
        counts = gc.get_count()
        if self._busy():
            self._busy_seen = now
        if quiet is None:
            calm = (
                cpu - last_cpu <= QUIET_SHARE * (now - last_now)
                and counts[0] - self._young_after <= QUIET_OBJECTS
            )
            self._quiet_checks = self._quiet_checks + 1 if calm else 0
            quiet = self._quiet_checks >= QUIET_CHECKS
        try:
            self._collect(counts, quiet, now)
        finally:
            self._young_after = gc.get_count()[0]

    def _collect(self, counts: tuple[int, int, int], quiet: bool, now: float) -> None:
        threshold = self._threshold
        if counts[2] > threshold[2] and (
            self._long_lived_pending >= self._long_lived_total * FULL_SHARE
        ):
            if self._full_due_since is None:
                self._full_due_since = now
            settled = now - self._busy_seen >= self.cooldown_s
            if (quiet and settled) or now - self._full_due_since >= self.full_wait_s:
                gc.collect(2)
                self._long_lived_total = len(gc.get_objects(generation=2))
                self._long_lived_pending = 0
                self._full_due_since = None
                return
        if counts[0] <= threshold[0]:
            return
        if counts[1] <= threshold[1]:
            gc.collect(0)
            return
        # What survives a middle collection moves to the oldest generation.
        young = len(gc.get_objects(generation=0)) + len(gc.get_objects(generation=1))
        found = gc.collect(1)
        self._long_lived_pending += max(0, young - found)

    def freeze(self) -> None:
        """Takes every object alive now out of later collections (``gc.freeze``), once.

        What start-up builds (modules, the SDK's, pydantic's and jsonschema's types, the window
        and its features) lives as long as the app. Scanning it made every full collection a
        100-200 ms stall of the UI thread, and an evaluation allocates enough to need several.
        Called when the first window's features are in; later calls do nothing.
        """
        if not self._frozen:
            self._frozen = True
            gc.freeze()
            self._long_lived_total = 0  # the oldest generation is empty now

    def stop(self) -> None:
        """Stops the timer; automatic collection stays off.

        When this is called the process is ending while other threads (the background pool, an
        executor, the loopback server in tests) may still run: a collection one of them set off
        could destroy Qt objects there, the crash this class exists to prevent. What is left is
        collected by Python's own last collection, on the main thread.
        """
        self._timer.stop()
        gc.unfreeze()
