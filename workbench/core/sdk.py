"""The provider SDKs, loaded once, from whichever thread asks first.

The SDKs take a second or more to import, so the window imports them on a worker thread while
the user types, and a run, a model list or an exact count may want one at the same moment on the
event loop's thread. Two threads importing ``openai`` and ``anthropic`` (which share ``httpx``,
``pydantic`` and their dependencies) at once can make Python's import deadlock detection hand one
of them a half-initialised module, which fails as an ``ImportError``. Every first import of an SDK
goes through :func:`load_openai` or :func:`load_anthropic`, which take one lock; once a module is
loaded, a plain ``import`` is a dictionary look-up and needs no lock.

On the event loop (the window's UI thread), use :func:`load_openai_off_loop` (or
``anthropic_transport.load_sdk_off_loop``): the first import then runs on a worker thread and
the loop keeps painting meanwhile (a first Send within a second or two of start, before the
window's own warm-up import was done, froze the window for as long as the import took).
"""

from __future__ import annotations

import asyncio
import importlib
import sys
import threading
from types import ModuleType

_LOCK = threading.Lock()


def loaded(name: str) -> ModuleType | None:
    """The module when it is fully imported, else None."""
    module = sys.modules.get(name)
    spec = getattr(module, "__spec__", None)
    if module is not None and not getattr(spec, "_initializing", False):
        return module
    return None


def _load(name: str) -> ModuleType:
    module = loaded(name)
    if module is not None:
        return module
    with _LOCK:
        return importlib.import_module(name)


async def _load_off_loop(name: str) -> ModuleType:
    module = loaded(name)
    if module is not None:
        return module  # a dictionary look-up: no thread needed
    # Importing, or waiting for another thread's import under the lock, takes seconds.
    return await asyncio.to_thread(_load, name)


def load_openai() -> ModuleType:
    """The ``openai`` module, imported under the SDK lock the first time."""
    return _load("openai")


def load_anthropic() -> ModuleType:
    """The ``anthropic`` module, imported under the SDK lock the first time."""
    return _load("anthropic")


async def load_openai_off_loop() -> ModuleType:
    """The ``openai`` module; its first import runs on a worker thread, not the loop's."""
    return await _load_off_loop("openai")
