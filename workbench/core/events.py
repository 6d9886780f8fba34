"""A minimal, Qt-free observer: core objects announce changes, the UI adapts them to Qt signals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, ParamSpec

P = ParamSpec("P")


class Event(Generic[P]):
    """A list of callbacks called in connection order when the event is emitted.

    Example:
        >>> changed: Event[[int]] = Event()
        >>> changed.connect(print)
        >>> changed.emit(3)
        3
    """

    __slots__ = ("_callbacks",)

    def __init__(self) -> None:
        self._callbacks: list[Callable[P, object]] = []

    def connect(self, callback: Callable[P, object]) -> None:
        """Calls ``callback`` on every later emit."""
        self._callbacks.append(callback)

    def disconnect(self, callback: Callable[P, object]) -> None:
        """Stops calling ``callback``; a callback that was never connected is ignored."""
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Calls every connected callback with the given arguments."""
        for callback in list(self._callbacks):
            callback(*args, **kwargs)
