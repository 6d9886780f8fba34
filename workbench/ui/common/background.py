"""One way to do background work in the UI, in the shape of Anki's ``QueryOp``.

The contract:

- **The work runs off the UI thread**, on one thread pool shared by the whole app. The work
  function must not touch widgets: it takes plain values and returns plain values.
- **Success and failure come back on the UI thread**: ``on_success(result)`` or
  ``on_failure(error)`` is called from the Qt event loop (the qasync loop in the app), never from
  the worker. Without ``on_failure``, a failure is logged and passed to the set's ``report``
  function (the status bar, for a window's features): it never disappears silently.
- **Each owner keeps its own set** (:class:`BackgroundTasks`): ``busy`` says whether any of its
  work is in flight, and ``shutdown()`` (a closing window, a deleted panel) drops the callbacks
  of work still running, cancels work that has not started and cancels its coroutines. No
  callback reaches an owner after ``shutdown()``.
- A **serial** set runs its work one piece at a time, in the order given (autosave writes, the
  history's SQLite writes): later work never overtakes earlier work.
- Coroutines (network calls that already await) go through :meth:`BackgroundTasks.spawn`: the set
  keeps them alive, retrieves their failure and cancels them on ``shutdown()``.
- **Long pure-Python work is done in turns** (:func:`in_turns`), on the UI thread, between turns
  of the event loop: on a worker it would hold the GIL for its whole length (the UI thread waits
  for the GIL to run any Python, so the window froze for the 200 ms an evaluation took to plan
  its 800 requests). The worker threads are for I/O and for work that releases the GIL.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:  # imported when first used: the window paints before asyncio is needed
    import asyncio
    from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Threads of the app's one pool: enough for a recount, a file write, a key lookup and the SDK
#: warm-up at once; the work is I/O or releases the GIL (tiktoken), so more would not help.
POOL_THREADS = 4

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def thread_pool() -> ThreadPoolExecutor:
    """The app's one pool of worker threads (created on first use)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            from concurrent.futures import ThreadPoolExecutor

            _pool = ThreadPoolExecutor(POOL_THREADS, thread_name_prefix="workbench-bg")
        return _pool


#: How long :func:`in_turns` works before it lets the event loop run, and how long the app's
#: event loop runs ready callbacks before Qt gets the thread back (a third of a frame at 60 Hz).
TURN_SECONDS = 0.005


async def in_turns(steps: Iterable[T], budget: float = TURN_SECONDS) -> list[T]:
    """Every item of ``steps``, taken on the event loop's thread, which gets a turn (paints,
    input, timers) every ``budget`` seconds of the work: for pure-Python work cut into small
    steps (a generator), which would freeze the window on a worker thread as much as here.
    """
    import asyncio
    import time

    done: list[T] = []
    clock = time.perf_counter
    turn_ends = clock() + budget
    for step in steps:
        done.append(step)
        if clock() >= turn_ends:
            await asyncio.sleep(0)
            turn_ends = clock() + budget
    return done


class _Relay(QObject):
    """Carries a callback from a worker thread to the thread the relay lives in (the UI's)."""

    deliver = Signal(object)

    def __init__(self, parent: QObject | None) -> None:
        super().__init__(parent)
        self.deliver.connect(self._call)

    def _call(self, callback: Callable[[], None]) -> None:
        callback()


class BackgroundTasks(QObject):
    """The background work of one owner (a feature, a dialog, the document).

    Args:
        owner: The object whose work this is; the set is deleted with it.
        serial: Run the work one piece at a time, in the order given.
        report: Told about failures that have no ``on_failure`` of their own (a status bar
            line); failures are logged either way.
    """

    def __init__(
        self,
        owner: QObject | None = None,
        *,
        serial: bool = False,
        report: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(owner)
        self._serial = serial
        self._report = report
        self._relay = _Relay(self)
        self._lock = threading.Lock()
        self._running: set[Future[Any]] = set()
        self._queue: deque[tuple[Future[Any], Callable[[], Any]]] = deque()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    @property
    def busy(self) -> bool:
        """Whether any work or coroutine of this set is still in flight."""
        with self._lock:
            threads = bool(self._running or self._queue)
        return threads or any(not task.done() for task in self._tasks)

    @property
    def coroutines(self) -> frozenset[asyncio.Task[Any]]:
        """The coroutines of this set still running."""
        return frozenset(task for task in self._tasks if not task.done())

    @property
    def closed(self) -> bool:
        """Whether :meth:`shutdown` was called."""
        return self._closed

    # Work on a worker thread -----------------------------------------------------------------

    def submit(self, work: Callable[[], T]) -> Future[T]:
        """Starts ``work()`` on a worker thread; the future is resolved on that thread.

        Prefer :meth:`run` (callbacks on the UI thread) or :meth:`call` (awaited).

        Raises:
            RuntimeError: the set was shut down.
        """
        if self._closed:
            raise RuntimeError("background work asked of a closed owner")
        from concurrent.futures import Future  # on use: not on the start path

        future: Future[T] = Future()
        with self._lock:
            if self._serial and (self._running or self._queue):
                self._queue.append((future, work))
                return future
            self._running.add(future)
        self._start(future, work)
        return future

    def _start(self, future: Future[Any], work: Callable[[], Any]) -> None:
        def job() -> None:
            if not future.set_running_or_notify_cancel():
                self._next(future)
                return
            try:
                result = work()
            except BaseException as error:  # handed to the caller, whatever it was
                future.set_exception(error)
            else:
                future.set_result(result)
            self._next(future)

        thread_pool().submit(job)

    def _next(self, finished: Future[Any]) -> None:
        """One piece of work ended: a serial set starts the next one."""
        with self._lock:
            self._running.discard(finished)
            if not self._queue or self._running:
                return
            future, work = self._queue.popleft()
            self._running.add(future)
        self._start(future, work)

    def run(
        self,
        work: Callable[[], T],
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[Exception], None] | None = None,
    ) -> Future[T]:
        """Runs ``work()`` off the UI thread, then one of the callbacks on the UI thread.

        Neither callback is called once the set is shut down (or its owner deleted).
        """
        future = self.submit(work)

        def done(finished: Future[T]) -> None:
            if finished.cancelled():
                return
            self._relay.deliver.emit(lambda: self._settle(finished, on_success, on_failure))

        future.add_done_callback(done)
        return future

    def _settle(
        self,
        future: Future[T],
        on_success: Callable[[T], None] | None,
        on_failure: Callable[[Exception], None] | None,
    ) -> None:
        if self._closed:
            return
        error = future.exception()
        if error is None:
            if on_success is not None:
                on_success(future.result())
        elif isinstance(error, Exception):
            self._fail(error, on_failure)
        else:
            raise error

    async def call(self, work: Callable[[], T]) -> T:
        """``work()`` on a worker thread, awaited on the event loop (in order, for a serial set).

        Raises:
            RuntimeError: the set was shut down.
        """
        import asyncio

        return await asyncio.wrap_future(self.submit(work))

    # Coroutines on the event loop ------------------------------------------------------------

    def spawn(
        self,
        coroutine: Coroutine[Any, Any, T],
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[Exception], None] | None = None,
    ) -> asyncio.Task[T]:
        """Runs ``coroutine`` on the running (qasync) loop as a task this set owns.

        A failure goes to ``on_failure`` (or is reported); a cancelled task is quiet.
        """
        if self._closed:
            coroutine.close()
            raise RuntimeError("background work asked of a closed owner")
        import asyncio

        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)

        def done(finished: asyncio.Task[T]) -> None:
            self._tasks.discard(finished)
            if finished.cancelled() or self._closed:
                return
            error = finished.exception()
            if error is None:
                if on_success is not None:
                    on_success(finished.result())
            elif isinstance(error, Exception):
                self._fail(error, on_failure)

        task.add_done_callback(done)
        return task

    # Ending ----------------------------------------------------------------------------------

    def _fail(self, error: Exception, on_failure: Callable[[Exception], None] | None) -> None:
        if on_failure is not None:
            on_failure(error)
            return
        log.warning("Background work failed: %s", error, exc_info=error)
        if self._report is not None:
            self._report(f"Something failed in the background: {error}")

    def shutdown(
        self, wait: bool = False, timeout: float | None = None, *, finish_queued: bool = False
    ) -> None:
        """Drops every callback still to come, cancels work not started and the coroutines.

        Args:
            wait: Block until the work already running (or queued, see below) has ended.
            timeout: How long to wait for each piece of work at most, in seconds.
            finish_queued: Let the work already given run to its end instead of cancelling
                what has not started (writes that must reach the disk).
        """
        self._closed = True
        with self._lock:
            pending = [*self._running, *(future for future, _ in self._queue)]
            if not finish_queued:
                self._queue.clear()
        if not finish_queued:
            for future in pending:
                future.cancel()  # only work that has not started can be cancelled
        for task in list(self._tasks):
            task.cancel()
        if wait:
            for future in pending:
                if future.cancelled():
                    continue
                # The work's failure belongs to its caller; here we only wait for its end.
                try:
                    future.exception(timeout=timeout)
                except TimeoutError:
                    log.warning("Background work still running after %s s", timeout)
