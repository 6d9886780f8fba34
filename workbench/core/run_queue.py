"""A run's queue of events, in which a piece of text grows while it waits to be taken.

A 10 MB answer comes in some 20,000 chunks. Text the runner takes while the piece it put before
is still waiting in the queue (the consumer has not taken it, and nothing was put after it) joins
that piece: one queue entry and one event per run of text instead of one per chunk, in the order
the chunks came. Any other event put in between closes the piece, so text taken after it starts
a new one behind that event.

Example:
    >>> queue = RunQueue()                                               # doctest: +SKIP
    >>> queue.put_text(TextDelta, "Hel"); queue.put_text(TextDelta, "lo")
    >>> await queue.next_event()
    TextDelta(text='Hello')
"""

from __future__ import annotations

import asyncio

from workbench.core.run_types import ReasoningDelta, RunEvent, TextDelta


class _Pieces:
    """Text of one kind waiting in the queue, still growing."""

    __slots__ = ("kind", "parts")

    def __init__(self, kind: type[TextDelta] | type[ReasoningDelta], text: str) -> None:
        self.kind = kind
        self.parts = [text]


class RunQueue(asyncio.Queue[RunEvent | _Pieces]):
    """The events of one run, from its work (transports included) to :meth:`Run.events`."""

    def __init__(self) -> None:
        super().__init__()
        self._growing: _Pieces | None = None  # the last entry, while it may still grow

    def put_nowait(self, item: RunEvent | _Pieces) -> None:
        """Puts an event after everything already there; text taken later goes after it."""
        self._growing = None
        super().put_nowait(item)

    def put_text(self, kind: type[TextDelta] | type[ReasoningDelta], text: str) -> None:
        """Adds a piece of answer (``TextDelta``) or reasoning (``ReasoningDelta``) text."""
        growing = self._growing
        if growing is not None and growing.kind is kind:
            growing.parts.append(text)
            return
        pieces = _Pieces(kind, text)
        super().put_nowait(pieces)
        self._growing = pieces

    async def next_event(self) -> RunEvent:
        """The next event, waiting for one when none is there (a piece of text stops growing)."""
        item = self.get_nowait() if not self.empty() else await self.get()
        if not isinstance(item, _Pieces):
            return item
        if item is self._growing:
            self._growing = None
        parts = item.parts
        return item.kind(parts[0] if len(parts) == 1 else "".join(parts))
