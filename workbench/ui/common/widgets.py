"""Small helpers every view uses."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """Gives ``widget`` its object name and the same accessible name; returns it.

    The object name is what tests and style sheets find it by (DESIGN section 3 lists them); the
    accessible name is what screen readers and UI automation see.
    """
    widget.setObjectName(name)
    widget.setAccessibleName(name)
    return widget


def set_keys(target: QObject, prop: str, keys: str) -> None:
    """Sets the enum or flag property ``prop`` of ``target`` by the names of its values, as Qt
    Designer's files do: ``set_keys(label, "alignment", "AlignTop|AlignLeft")``.

    For what the window sets before its first paint: PySide makes its ``Qt`` namespace (a hundred
    enums, some 25 ms) the first time a ``Qt.*`` value is used, and that waits until after the
    paint (tests/ui/test_start_path.py). A misspelt name or property raises.
    """
    if not target.setProperty(prop, keys):
        raise ValueError(f"{type(target).__name__}.{prop} cannot be set to {keys!r}")
