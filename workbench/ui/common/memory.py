"""Giving memory back to the system once a long text is gone.

A 10 MB answer in a card costs a few hundred MB while it is shown (the text, its layout). When
the card is deleted or the workspace closed, Python and Qt free all of it, but glibc's allocator
keeps large freed blocks for reuse, so the process's memory stays as high as it was. A trim a
moment later (after Qt's deferred deletions) hands the free pages back.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QTimer

#: How long after the last release the trim runs (deferred deletions and undo clean-up first).
TRIM_DELAY_MS = 300

_timer: QTimer | None = None


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None  # other allocators give large blocks back themselves
    import ctypes  # on the first trim: ctypes.util costs ~5 ms before the first paint
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        if not name:
            return None
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
        return trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


def trim_now() -> bool:
    """Hands freed memory back to the system now; False where the allocator has no trim."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


def trim_soon() -> None:
    """Trims once, shortly after the last of a burst of calls (a long card was released)."""
    global _timer
    if _timer is None:
        _timer = QTimer()
        _timer.setSingleShot(True)
        _timer.setInterval(TRIM_DELAY_MS)
        _timer.timeout.connect(trim_now)
    _timer.start()
