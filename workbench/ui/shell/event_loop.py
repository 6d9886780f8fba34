"""The asyncio side of the Qt event loop: qasync's loop, with asyncio's own queue of ready
callbacks.

qasync runs every ``call_soon`` callback (each step of each task, each future's callback) as a
Qt timer of its own: one ``startTimer`` and one ``killTimer`` per callback, and Qt's list of
timers is searched from its start on every ``killTimer``, so a burst of callbacks costs time
quadratic in its length. Worse, Qt runs every timer that was due when it began a pass over its
timers before it looks at anything else: an evaluation that starts 800 cells makes 800 tasks
at once, and their first steps ran as one pass of 80-160 ms in which the window could not paint
or take a key.

:class:`WorkbenchEventLoop` keeps the ready callbacks in a queue of its own, as asyncio's
``BaseEventLoop`` does, and runs them from one zero-time Qt timer, in order, for at most
:data:`TURN_SECONDS` at a time: what was ready when a turn began runs in that turn (or the
next ones), what becomes ready meanwhile waits for the next turn, and Qt handles input, paints,
sockets and timers between two turns. Delayed callbacks (``call_later``, ``call_at``) stay
qasync's Qt timers.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import sys
import time
from collections.abc import Callable, Coroutine
from contextvars import Context
from typing import Any, TypeVar

import qasync
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QApplication

from workbench.ui.common.background import TURN_SECONDS

T = TypeVar("T")

# One turn of ready callbacks runs for at most TURN_SECONDS (the same turn as in_turns() gives
# the work it cuts up) before Qt gets the thread back; a callback that started goes on to its end.


class WorkbenchEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's event loop with a queue of ready callbacks run in turns (see the module)."""

    def __init__(self, app: QCoreApplication | None = None, *args: Any, **kwargs: Any) -> None:
        self._soon: collections.deque[asyncio.Handle] = collections.deque()
        self._turns = QTimer()
        self._turns.setSingleShot(True)
        self._turns.setInterval(0)
        self._turns.setTimerType(Qt.TimerType.PreciseTimer)
        self._turns.timeout.connect(self._run_turn)
        super().__init__(app, *args, **kwargs)

    def call_soon(
        self, callback: Callable[..., object], *args: Any, context: Context | None = None
    ) -> asyncio.Handle:
        """Queues ``callback(*args)`` to run in the next turn (in the order queued).

        After :meth:`close` the callback never runs, as with qasync's own loop: a callback
        that a worker thread handed over (``call_soon_threadsafe``) may arrive after the loop
        closed, and there is no caller to tell.
        """
        if asyncio.iscoroutinefunction(callback):
            raise TypeError("coroutines cannot be used with call_soon()")
        handle = asyncio.Handle(callback, args, self, context=context)
        if self.is_closed():
            handle.cancel()
            return handle
        self._soon.append(handle)
        if not self._turns.isActive():
            self._turns.start()
        return handle

    def _run_turn(self) -> None:
        """Runs the callbacks that were ready when the turn began, for at most a turn's time."""
        soon = self._soon
        todo = len(soon)
        clock = time.perf_counter
        ends = clock() + TURN_SECONDS
        debug = self.get_debug()
        try:
            while todo and soon:
                todo -= 1
                handle = soon.popleft()
                if handle._cancelled:
                    continue
                if debug:
                    self._run_timed(handle)
                else:
                    handle._run()
                if clock() >= ends:
                    break
        finally:
            if soon and not self.is_closed():
                self._turns.start()

    def _run_timed(self, handle: asyncio.Handle) -> None:
        """``handle._run()``, warning when it took longer than asyncio's slow-callback limit
        (debug mode, as asyncio's own loops do)."""
        self._current_handle = handle
        started = time.monotonic()
        try:
            handle._run()
        finally:
            self._current_handle = None  # type: ignore[assignment]
        took = time.monotonic() - started
        if took >= self.slow_callback_duration:
            logging.getLogger("asyncio").warning("Executing %s took %.3f seconds", handle, took)

    def close(self) -> None:
        """Closes the loop; callbacks still queued never run."""
        self._turns.stop()
        self._soon.clear()
        super().close()


def new_event_loop(app: QCoreApplication | None = None, **options: Any) -> WorkbenchEventLoop:
    """The app's event loop on the running QApplication (``options`` go to qasync's
    ``QEventLoop``, e.g. ``already_running=True``)."""
    return WorkbenchEventLoop(app or QApplication.instance(), **options)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)`` on a :class:`WorkbenchEventLoop` (as ``qasync.run`` does
    with qasync's loop)."""
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(coroutine)


def install_asyncgen_hooks(loop: asyncio.AbstractEventLoop) -> Any:
    """Lets ``loop`` finalize abandoned async generators, as asyncio's own loops do.

    qasync runs Qt's loop instead of ``BaseEventLoop.run_forever``, which is where asyncio installs
    these hooks; without them a stream generator dropped after Stop is closed by the garbage
    collector outside the loop, and its HTTP connection's cleanup fails there. Returns the previous
    hooks, for ``sys.set_asyncgen_hooks(*previous)``.
    """
    previous = sys.get_asyncgen_hooks()
    base = asyncio.BaseEventLoop
    if isinstance(loop, base):
        sys.set_asyncgen_hooks(
            firstiter=loop._asyncgen_firstiter_hook,  # type: ignore[attr-defined]
            finalizer=loop._asyncgen_finalizer_hook,  # type: ignore[attr-defined]
        )
    return previous


__all__ = ["TURN_SECONDS", "WorkbenchEventLoop", "install_asyncgen_hooks", "new_event_loop", "run"]
