"""Streamed text into text views: one buffer, one appender, one flush pacing for every feature.

A run streams hundreds of pieces a second; drawing each one would relayout the view per piece.
The run panel (answers into cards, reasoning into its panel) and Compare (answers and reasoning
into columns) share this module:

- :class:`StreamBuffer` keeps the pieces that arrived since the last flush (cheap to add to, one
  join per flush);
- :class:`StreamView` appends a flush's text at the end of a ``QPlainTextEdit`` through a kept end
  cursor, so a flush costs the new text only (never the whole answer again), and keeps the view
  at the bottom when it was there;
- :class:`StreamTail` keeps the end of a long answer streaming into a card, the part the card
  shows while it streams;
- :class:`FlushPacer` decides when each stream is drawn: sources with pending text are served least
  recently drawn first, each at most every ``interval_ms`` and spaced out when drawing it is
  slow (at most ``share`` of the UI thread's time), and one pass stops after ``budget_ms`` so
  that many streams never hold the UI thread together.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

if TYPE_CHECKING:  # imported on the first append: its type costs ~4 ms before the first paint
    from PySide6.QtGui import QTextCursor

S = TypeVar("S")

#: How close to the bottom (pixels of the scroll bar's range) still counts as "at the bottom".
_BOTTOM_SLACK = 4


class StreamBuffer:
    """Pieces of streamed text that wait for the next flush.

    Attributes:
        taken: How many characters earlier flushes took (what is shown, when all of it is).
    """

    __slots__ = ("_pieces", "taken")

    def __init__(self) -> None:
        self._pieces: list[str] = []
        self.taken = 0

    def add(self, piece: str) -> None:
        """One streamed piece (called per chunk: keep it cheap)."""
        if piece:
            self._pieces.append(piece)

    def __bool__(self) -> bool:
        return bool(self._pieces)

    def peek(self) -> str:
        """What waits, joined, without taking it."""
        return "".join(self._pieces)

    def take(self) -> str:
        """What arrived since the last flush, joined; the buffer is empty afterwards."""
        if not self._pieces:
            return ""
        text = self._pieces[0] if len(self._pieces) == 1 else "".join(self._pieces)
        self._pieces.clear()
        self.taken += len(text)
        return text

    def take_pieces(self) -> list[str]:
        """What arrived since the last flush, as the pieces it came in (nothing joined: a fast
        answer brings megabytes between two flushes); the buffer is empty afterwards."""
        pieces = self._pieces
        if not pieces:
            return []
        self._pieces = []
        self.taken += sum(map(len, pieces))
        return pieces

    def clear(self) -> None:
        """A new stream: forgets what waits and what was taken."""
        self._pieces.clear()
        self.taken = 0


class StreamView:
    """Appends streamed text at the end of ``edit``'s document.

    The end cursor is kept between flushes (no search for the end per batch) and forgotten when
    the document is replaced (:meth:`reset`, or :meth:`forget_end` after the owner replaced it).

    Args:
        edit: The view the text goes into.
        follow: Always scroll to the new text (a reasoning strip), not only when the view
            showed its bottom.
    """

    def __init__(self, edit: QPlainTextEdit | QTextEdit, *, follow: bool = False) -> None:
        self.edit = edit
        self.follow = follow
        self._end: QTextCursor | None = None

    def reset(self, text: str = "") -> None:
        """Replaces the whole text (a new stream starts from ``text``)."""
        self._end = None
        self.edit.setPlainText(text)

    def replace(self, text: str) -> None:
        """Replaces the whole text in place, through one cursor over all of it: a third
        cheaper than :meth:`reset` (``setPlainText`` also resets the editor's cursor, undo and
        scroll position, and lays out the first line for the cursor). The view's scroll bar is
        left to the caller. Where the document keeps undo steps (a replaced text would be kept
        in them), the text is set afresh instead."""
        document = self.edit.document()
        if document.isUndoRedoEnabled() or not text:
            self.reset(text)
            return
        from PySide6.QtGui import QTextCursor

        everything = QTextCursor(document)
        everything.select(QTextCursor.SelectionType.Document)
        everything.insertText(text)
        self._end = None

    def forget_end(self) -> None:
        """The owner replaced the document: the next append finds its end again."""
        self._end = None

    def append(self, text: str) -> None:
        """Adds ``text`` at the end; a view that showed its bottom keeps showing it."""
        if not text:
            return
        bar = self.edit.verticalScrollBar()
        at_bottom = self.follow or bar.value() >= bar.maximum() - _BOTTOM_SLACK
        end = self._end
        if end is None or end.document() is not self.edit.document():
            from PySide6.QtGui import QTextCursor

            end = self._end = QTextCursor(self.edit.document())
            end.movePosition(QTextCursor.MoveOperation.End)
        end.insertText(text)
        if at_bottom:
            bar.setValue(bar.maximum())


class StreamTail:
    """The end of a text streaming into a card, as much as the card shows while it streams.

    A card showing a growing answer whole lays out more with every flush; past ``keep``
    characters it shows the last ``keep`` to ``2 * keep`` of them (and says how much is above),
    so a flush costs its new text only, whatever the answer's length.

    Attributes:
        text: The end of the text (all of it while it is short).
        start: Where ``text`` starts in the whole text (0: all of it is here).
        keep: How much of the end is kept after a cut.
    """

    __slots__ = ("keep", "start", "text")

    def __init__(self, text: str, keep: int) -> None:
        self.keep = keep
        self.start = 0
        self.text = ""
        self.add([text])

    @property
    def total(self) -> int:
        """The whole text's length so far."""
        return self.start + len(self.text)

    def add(self, pieces: Sequence[str]) -> str:
        """``pieces`` arrived at the end; past ``2 * keep`` characters the start is let go.

        Returns the text added at the end of :attr:`text`, or "" when the start was let go
        (:attr:`start` moved: the whole of :attr:`text` is new to whoever shows it). Only the
        last ``keep`` characters are copied out of the pieces: a flush of a fast answer brings
        megabytes, of which the card shows the end.
        """
        added = sum(map(len, pieces))
        if not added:
            return ""
        text = self.text
        if len(text) + added <= 2 * self.keep:
            new = pieces[0] if len(pieces) == 1 else "".join(pieces)
            self.text = text + new
            return new
        need = self.keep
        end: list[str] = []
        for piece in reversed(pieces):
            if len(piece) >= need:
                end.append(piece[len(piece) - need :])
                need = 0
                break
            end.append(piece)
            need -= len(piece)
        if need:
            end.append(text[len(text) - need :])
        end.reverse()
        self.start += len(text) + added - self.keep
        self.text = "".join(end)
        return ""


def append_tail(edit: QPlainTextEdit, tail: str) -> None:
    """Adds ``tail`` at the end of ``edit`` without touching the rest (a card growing as its
    answer streams in: only the new text is laid out)."""
    from PySide6.QtGui import QTextCursor

    end = QTextCursor(edit.document())
    end.movePosition(QTextCursor.MoveOperation.End)
    end.insertText(tail)


class _Pace:
    __slots__ = ("cost", "flushed_at")

    def __init__(self) -> None:
        self.flushed_at = 0.0
        self.cost = 0.0


class FlushPacer(QObject, Generic[S]):
    """Draws streamed text on a timer, fairly between streams and within a UI-thread budget.

    Call :meth:`wake` when a piece arrives; the pacer draws the sources that have something
    pending, least recently drawn first. A source is drawn at most every ``interval_ms``, and
    drawing a source that took ``c`` seconds waits at least ``c / share`` before drawing it
    again (a slow layout, a very long line, gets drawn less often). One pass stops once it has
    used ``budget_ms`` (0: one source per pass) and the next pass comes ``gap_ms`` later at the
    earliest, so input and painting get their turn between passes.

    Args:
        sources: The current sources (called on every pass).
        pending: Whether a source has something to draw.
        draw: Draws what a source has pending.
        interval_ms: The shortest time between two draws of one source.
        share: The largest share of the UI thread one source's drawing may take.
        budget_ms: How long one pass may draw before leaving the rest to the next.
        gap_ms: The shortest time between two passes.
        spacing: The shortest time (seconds) between two draws of a source, when it is not
            ``interval_ms`` for every source (a source whose draws replace all it shows).
        parent: The owner.
    """

    def __init__(
        self,
        sources: Callable[[], Iterable[S]],
        pending: Callable[[S], bool],
        draw: Callable[[S], None],
        *,
        interval_ms: int,
        share: float,
        budget_ms: float,
        gap_ms: int = 1,
        spacing: Callable[[S], float] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._sources = sources
        self._pending = pending
        self._draw = draw
        self.interval = interval_ms / 1000
        self.share = share
        self.budget = budget_ms / 1000
        self.gap_ms = gap_ms
        self._spacing = spacing
        self._paces: dict[int, _Pace] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush_due)
        #: Passes that drew something (tests read it).
        self.passes = 0

    def wake(self) -> None:
        """Something arrived: a pass is due within ``interval_ms``."""
        if not self._timer.isActive():
            self._timer.start(int(self.interval * 1000))

    def stop(self) -> None:
        """Draws nothing more until woken."""
        self._timer.stop()

    def _pace(self, source: S) -> _Pace:
        pace = self._paces.get(id(source))
        if pace is None:
            pace = self._paces[id(source)] = _Pace()
        return pace

    def flush_now(self, source: S) -> None:
        """Draws ``source`` at once (its run ended: the last text must not wait for a pass)."""
        started = time.perf_counter()
        self._draw(source)
        pace = self._pace(source)
        pace.flushed_at = time.perf_counter()
        pace.cost = pace.flushed_at - started

    def flush_due(self) -> None:
        """One pass: draws the sources that are due, then arms the timer for the next one."""
        started = time.perf_counter()
        sources = list(self._sources())
        live = {id(s) for s in sources}
        for key in [k for k in self._paces if k not in live]:
            del self._paces[key]  # a source that ended: its id may be reused
        waiting = [s for s in sources if self._pending(s)]
        due = [s for s in waiting if started >= self._next_draw(s)]
        due.sort(key=lambda s: self._pace(s).flushed_at)
        for source in due:
            self.flush_now(source)
            if time.perf_counter() - started >= self.budget:
                break
        if due:
            self.passes += 1
        waiting = [s for s in waiting if self._pending(s)]
        if waiting:
            wait = min(self._next_draw(s) for s in waiting) - time.perf_counter()
            self._timer.start(max(self.gap_ms, int(wait * 1000)))

    def _next_draw(self, source: S) -> float:
        pace = self._pace(source)
        interval = self.interval if self._spacing is None else self._spacing(source)
        return pace.flushed_at + max(interval, pace.cost / self.share)
