"""Small helpers every view uses."""

from __future__ import annotations

from typing import TypeVar

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
