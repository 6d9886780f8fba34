"""Python's cyclic garbage collection, run on the GUI thread only.

When the collector runs on whatever thread allocates at the wrong moment (the loopback server's,
an executor's, qasync's), it can destroy Qt objects there: Qt then warns "Timers cannot be stopped
from another thread" or crashes. Automatic collection is turned off and a timer on the GUI thread
collects instead, generation by generation, as the thresholds say (the recipe Anki and others use).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class GuiThreadGarbageCollector(QObject):
    """Disables automatic GC and collects from a GUI-thread timer every ``interval_ms``."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._threshold = gc.get_threshold()
        self._frozen = False
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    def check(self) -> None:
        """Collects the generations whose allocation counts passed their thresholds."""
        counts = gc.get_count()
        if counts[0] > self._threshold[0]:
            generation = 0
            if counts[1] > self._threshold[1]:
                generation = 1
                if counts[2] > self._threshold[2]:
                    generation = 2
            gc.collect(generation)

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

    def stop(self) -> None:
        """Stops the timer; automatic collection stays off.

        When this is called the process is ending while other threads (the background pool, an
        executor, the loopback server in tests) may still run: a collection one of them set off
        could destroy Qt objects there, the crash this class exists to prevent. What is left is
        collected by Python's own last collection, on the main thread.
        """
        self._timer.stop()
        gc.unfreeze()
