"""Set-up the window benchmarks share: the loopback server in its own process, the UI-thread
stall meter, the process's RSS, a shown window on the loopback provider, and the qasync loop
the app runs on.

Run the scripts as modules from the repository (``python -m benchmarks.NAME``), or by path.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import multiprocessing
import resource
import shutil
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TICK_MS = 5
MB = 1e6
MIB = 2**20
COLLECTOR: Any = None  # the app's GUI-thread garbage collector, made by run_in_app


def scratch_dir(prefix: str = "wb-bench-") -> str:
    """A new temporary folder, removed when the benchmark ends (each run used to leave its
    home folder, history database and files in /tmp)."""
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, True)
    return path


def serve_reply(connection: Any, reply: Any) -> None:
    """The loopback server, answering every request with ``reply`` until told to stop.

    Started by :func:`server_process`: in the measuring process its threads would compete with
    the UI thread for the GIL, which measures the test rig instead of the app; a real server is
    in another process anyway.
    """
    from workbench.loopback_server import LoopbackServer

    with LoopbackServer() as server:
        server.default_reply = reply
        connection.send(server.url)
        connection.recv()  # blocks until the benchmark is done


@contextmanager
def server_process(
    target: Callable[..., None], *args: Any, stop: object = "stop"
) -> Iterator[tuple[Any, str]]:
    """Runs ``target(connection, *args)`` in a spawned process; yields our end of the pipe and
    the URL the server sends first, and sends ``stop`` down the pipe at the end."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=target, args=(theirs, *args), daemon=True)
    process.start()
    try:
        yield ours, ours.recv()
    finally:
        ours.send(stop)
        process.join(timeout=5)


def rss_mb(unit: float = MB) -> float:
    """The process's resident memory now (Linux), in ``unit`` bytes (MB unless told)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / unit


class StallMeter:
    """Ticks every 5 ms on the UI thread and keeps the longest gap between two ticks.

    A gap is wall time: on a loaded machine it includes the time the process waited for a core.
    The UI thread's own CPU time in each gap (``time.thread_time``) tells the app's work apart
    from that wait: ``cpu_in_longest_ms`` is the CPU time spent in the longest gap,
    ``longest_cpu_ms`` the most CPU time spent in any gap. ``longest_gc_ms`` is the CPU time of the
    longest garbage collection meanwhile (the app collects on the UI thread only), of generation
    ``longest_gc_generation``.

    Use it as a context manager around what is measured, or call :meth:`start` and
    :meth:`stop`.
    """

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.longest_ms = 0.0
        self.longest_cpu_ms = 0.0
        self.cpu_in_longest_ms = 0.0
        self.longest_gc_ms = 0.0
        self.longest_gc_generation = 0
        self._last = 0.0
        self._last_cpu = 0.0
        self._gc_started = 0.0

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        now = time.thread_time()
        if phase == "start":
            self._gc_started = now
        elif (now - self._gc_started) * 1000 > self.longest_gc_ms:
            self.longest_gc_ms = (now - self._gc_started) * 1000
            self.longest_gc_generation = info["generation"]

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        gap_ms, busy_ms = (now - self._last) * 1000, (cpu - self._last_cpu) * 1000
        if gap_ms > self.longest_ms:
            self.longest_ms, self.cpu_in_longest_ms = gap_ms, busy_ms
        self.longest_cpu_ms = max(self.longest_cpu_ms, busy_ms)
        self._last, self._last_cpu = now, cpu

    def start(self) -> None:
        import gc

        self.longest_ms = self.longest_cpu_ms = self.cpu_in_longest_ms = 0.0
        self.longest_gc_ms = 0.0
        if self._on_gc not in gc.callbacks:
            gc.callbacks.append(self._on_gc)
        self._last, self._last_cpu = time.perf_counter(), time.thread_time()
        self.timer.start()

    def stop(self) -> float:
        """Stops ticking; the longest gap in ms."""
        import gc

        self._tick()
        self.timer.stop()
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        return self.longest_ms

    def __enter__(self) -> StallMeter:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


async def raw_stream(client: Any, body: dict[str, Any]) -> Any:
    """A chat stream as the app's runner reads it: the SDK's plain ``post`` yielding chunk
    dicts (no pydantic object per chunk)."""
    import openai

    return await client.post(
        "/chat/completions",
        body=body,
        cast_to=object,
        stream=True,
        stream_cls=openai.AsyncStream[object],
    )


async def raw_stream_text(client: Any, body: dict[str, Any]) -> str:
    """The answer text of one :func:`raw_stream`."""
    pieces: list[str] = []
    async for raw in await raw_stream(client, body):
        for choice in raw.get("choices") or ():
            content = (choice.get("delta") or {}).get("content")
            if content:
                pieces.append(content)
    return "".join(pieces)


def loop_provider(url: str, key_env: str = "LOOP_KEY") -> Any:
    """The provider "loop" (Moonshot-style) on the loopback server at ``url``."""
    from workbench.core.providers import Prefill, ProviderConfig

    return ProviderConfig("loop", "Loopback", "moonshot", url, Prefill.MOONSHOT_PARTIAL, key_env)


def loop_document(prompt: str) -> dict[str, Any]:
    """A workspace of one user message ``prompt`` on the provider "loop"."""
    return {
        "format": "prompt-workbench/1",
        "messages": [{"role": "user", "content": prompt}],
        "params": {"provider": "loop", "model": "moonshot-v1-128k"},
    }


def shown_window(document: dict[str, Any] | str | None = None, path: Path | None = None) -> Any:
    """A main window (of ``path``, or a new workspace) at 1280 x 820, shown, with ``document``
    (JSON data or text) imported when given, not marked as unsaved."""
    from workbench.ui.shell.main_window import MainWindow

    window = MainWindow(path) if path is not None else MainWindow()
    window.resize(1280, 820)
    window.show()
    if document is not None:
        text = document if isinstance(document, str) else json.dumps(document)
        window.document.import_text(text, unsaved=False)
    return window


def run_in_app(
    *coroutines: Coroutine[Any, Any, None], quit_on_last_window_closed: bool = True
) -> None:
    """Runs ``coroutines`` one after another on a qasync loop over the QApplication, with the
    garbage collection on the GUI thread that the app has (workbench/app.py)."""
    global COLLECTOR
    from PySide6.QtWidgets import QApplication

    from workbench.ui.shell.event_loop import new_event_loop
    from workbench.ui.shell.gc_guard import GuiThreadGarbageCollector

    app = QApplication.instance() or QApplication([])
    if not quit_on_last_window_closed:
        app.setQuitOnLastWindowClosed(False)  # windows open and close between measurements
    COLLECTOR = GuiThreadGarbageCollector(app)
    loop = new_event_loop(app)
    asyncio.set_event_loop(loop)
    with loop:
        for coroutine in coroutines:
            loop.run_until_complete(coroutine)
