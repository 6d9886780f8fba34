"""The run history, reached from the UI without blocking it.

``HistoryStore`` talks to SQLite, which is file I/O: the UI thread never waits on it. Every call
runs off the UI thread through one serial :class:`~workbench.ui.common.background.BackgroundTasks`
set, so writes reach the database in the order they were asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from workbench.ui.common.background import BackgroundTasks

if TYPE_CHECKING:
    from workbench.core.history import HistoryStore
    from workbench.core.payloads import ChatRequest
    from workbench.core.run_types import RunResult

T = TypeVar("T")


class HistoryWorker:
    """Runs functions of a :class:`HistoryStore` off the UI thread, one at a time.

    Args:
        path: The database file; the store's default (the data folder) when None.
    """

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._store: HistoryStore | None = None
        self._open_lock = threading.Lock()
        self._tasks = BackgroundTasks(serial=True)

    def _with_store(self, work: Callable[[HistoryStore], T]) -> T:
        with self._open_lock:
            if self._store is None:
                from workbench.core.history import HistoryStore  # sqlite3: not at start-up

                self._store = HistoryStore(self._path)
        return work(self._store)

    async def call(self, work: Callable[[HistoryStore], T]) -> T:
        """``work(store)`` off the UI thread, awaited without blocking the UI.

        Raises:
            RuntimeError: the worker was closed (its window is gone).
        """
        return await self._tasks.call(lambda: self._with_store(work))

    async def record(
        self,
        request: ChatRequest,
        result: RunResult,
        workspace_json: dict[str, Any],
        group: str | None = None,
    ) -> int:
        """Records one ended run (the run engine's recorder); returns its id."""
        return await self.call(
            lambda store: store.record(request, result, workspace_json, group=group)
        )

    def close(self) -> None:
        """Lets queued writes finish; later calls raise RuntimeError."""
        self._tasks.shutdown(wait=True, finish_queued=True)
