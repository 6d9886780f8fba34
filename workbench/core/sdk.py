"""The provider SDKs, loaded once, from whichever thread asks first.

The SDKs take a second or more to import, so the window imports them on a worker thread while
the user types, and a run, a model list or an exact count may want one at the same moment on the
event loop's thread. Two threads importing ``openai`` and ``anthropic`` (which share ``httpx``,
``pydantic`` and their dependencies) at once can make Python's import deadlock detection hand one
of them a half-initialised module, which fails as an ``ImportError``. Every first import of an SDK
goes through :func:`load_openai` or :func:`load_anthropic`, which take one lock; once a module is
loaded, a plain ``import`` is a dictionary look-up and needs no lock.
"""

from __future__ import annotations

import importlib
import sys
import threading
from types import ModuleType

_LOCK = threading.Lock()


def _load(name: str) -> ModuleType:
    module = sys.modules.get(name)
    spec = getattr(module, "__spec__", None)
    if module is not None and not getattr(spec, "_initializing", False):
        return module
    with _LOCK:
        return importlib.import_module(name)


def load_openai() -> ModuleType:
    """The ``openai`` module, imported under the SDK lock the first time."""
    return _load("openai")


def load_anthropic() -> ModuleType:
    """The ``anthropic`` module, imported under the SDK lock the first time."""
    return _load("anthropic")
