"""The run history, reached from the UI through one background thread.

``HistoryStore`` talks to SQLite, which is file I/O: the UI thread never waits on it. Every call
runs on one dedicated thread, which also opens the store, so the sqlite3 connection is only ever
used by the thread that created it and writes are serialised in the order they were asked for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from workbench.core.history import HistoryStore
from workbench.core.payloads import ChatRequest
from workbench.core.run_types import RunResult

T = TypeVar("T")


class HistoryWorker:
    """Runs functions of a :class:`HistoryStore` on its own thread.

    Args:
        path: The database file; the store's default (the data folder) when None.
    """

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._store: HistoryStore | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history")

    def _with_store(self, work: Callable[[HistoryStore], T]) -> T:
        if self._store is None:
            self._store = HistoryStore(self._path)
        return work(self._store)

    async def call(self, work: Callable[[HistoryStore], T]) -> T:
        """``work(store)`` on the history thread, awaited without blocking the UI.

        Raises:
            RuntimeError: the worker was closed (its window is gone).
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._with_store, work)

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
        """Lets queued writes finish, then stops the thread."""
        self._executor.shutdown(wait=True)
