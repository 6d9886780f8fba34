"""The asyncio side of the Qt event loop (qasync)."""

from __future__ import annotations

import asyncio
import sys
from typing import Any


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
