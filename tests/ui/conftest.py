"""Fixtures for widget tests: an asyncio loop driven by Qt (qasync)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import qasync
from PySide6.QtWidgets import QApplication


@pytest.fixture
def qasync_loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop marked as running, so tasks advance while pytest-qt processes Qt events.

    Wait with ``qtbot.waitUntil``/``qtbot.waitSignal``; tasks left at the end are cancelled.
    """
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        for _ in range(20):
            if all(t.done() for t in pending):
                break
            qapp.processEvents()
        qapp.aboutToQuit.disconnect(loop._after_run_forever)
        loop.stop()
        asyncio.events._set_running_loop(None)
        loop.close()
        asyncio.set_event_loop(None)
