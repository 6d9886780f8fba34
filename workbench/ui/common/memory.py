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
from typing import Any

from PySide6.QtCore import QTimer

#: How long after the last release the trim runs (deferred deletions and undo clean-up first).
TRIM_DELAY_MS = 300

_timer: QTimer | None = None


@cache
def _libc() -> Any:
    """glibc, or None (another system, another C library)."""
    if not sys.platform.startswith("linux"):
        return None  # other allocators give large blocks back themselves
    import ctypes  # on first use: ctypes.util costs ~5 ms before the first paint
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        if not name:
            return None
        libc = ctypes.CDLL(name)
        libc.malloc_trim, libc.mallopt  # noqa: B018 (musl has neither)
        return libc
    except (OSError, AttributeError):
        return None


def _malloc_trim() -> Callable[[int], int] | None:
    libc = _libc()
    return None if libc is None else libc.malloc_trim


#: glibc's mallopt parameter for the size from which blocks are mapped apart from the heap.
_M_MMAP_THRESHOLD = -3
#: Blocks of this size and more (a long answer's text, its copies while it is recorded) are
#: mapped apart from the heap and go back to the system the moment they are freed.
MAPPED_BLOCK_BYTES = 1 << 20


@cache
def map_large_blocks() -> bool:
    """Keeps large blocks out of the heap from now on (the first run); False where the C
    library is not glibc.

    glibc maps blocks from 128 kB apart, then raises that threshold to the largest block freed,
    up to 32 MB: after one 10 MB answer the next ones' copies came from the heap, whose freed
    pages stayed with the process between live small objects (+60 MB after closing a workspace
    that held a 10 MB answer, in some runs). A fixed threshold keeps them mapped.
    """
    libc = _libc()
    return libc is not None and bool(libc.mallopt(_M_MMAP_THRESHOLD, MAPPED_BLOCK_BYTES))


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
