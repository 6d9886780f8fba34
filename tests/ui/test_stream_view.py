"""The stream view shared by the run panel and Compare: buffer, appender and flush pacing."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from workbench.ui.common.stream_view import FlushPacer, StreamBuffer, StreamTail, StreamView


@dataclass(eq=False)
class Column:
    """A stream into one text view, as a Compare column or a run's reasoning has."""

    view: StreamView
    buffer: StreamBuffer = field(default_factory=StreamBuffer)
    draws: int = 0

    def draw(self) -> None:
        self.draws += 1
        self.view.append(self.buffer.take())


def column(qtbot: QtBot) -> Column:
    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    return Column(StreamView(edit))


def pacer_for(columns: list[Column], budget_ms: float = 8) -> FlushPacer[Column]:
    return FlushPacer(
        lambda: columns,
        lambda c: bool(c.buffer),
        Column.draw,
        interval_ms=5,
        share=0.3,
        budget_ms=budget_ms,
    )


def changes(edit: QPlainTextEdit) -> list[tuple[int, int, int]]:
    """(position, removed, added) of every change of ``edit``'s document from now on."""
    seen: list[tuple[int, int, int]] = []
    edit.document().contentsChange.connect(lambda p, r, a: seen.append((p, r, a)))
    return seen


def test_pieces_that_arrive_between_two_passes_are_drawn_in_one(qtbot: QtBot) -> None:
    one = column(qtbot)
    pacer = pacer_for([one])
    pieces = [f"piece {i} " for i in range(200)]
    for piece in pieces:
        one.buffer.add(piece)
        pacer.wake()
    qtbot.waitUntil(lambda: not one.buffer)
    assert one.draws == 1 and pacer.passes == 1
    assert one.view.edit.toPlainText() == "".join(pieces)


def test_the_text_shown_is_the_text_streamed_and_only_ever_appended(qtbot: QtBot) -> None:
    one = column(qtbot)
    one.view.reset("{")  # a partial prefix the answer continues
    seen = changes(one.view.edit)
    pacer = pacer_for([one])
    pieces = [f"line {i}\n" if i % 7 == 0 else f"w{i} " for i in range(300)]
    for start in range(0, len(pieces), 30):
        for piece in pieces[start : start + 30]:
            one.buffer.add(piece)
            pacer.wake()
        qtbot.waitUntil(lambda: not one.buffer)
    assert one.view.edit.toPlainText() == "{" + "".join(pieces)
    assert 1 < one.draws <= 10  # coalesced: one draw per batch, not one per piece
    assert all(removed == 0 for _position, removed, _added in seen)
    assert one.buffer.taken == len("".join(pieces))


def test_stop_keeps_the_text_and_draws_the_rest_at_once_by_appending_it(qtbot: QtBot) -> None:
    one = column(qtbot)
    pacer = pacer_for([one])
    shown = "".join(f"word{i} " for i in range(2000))
    one.buffer.add(shown)
    pacer.wake()
    qtbot.waitUntil(lambda: not one.buffer)
    seen = changes(one.view.edit)
    tail = "the last words before Stop"
    one.buffer.add(tail)
    pacer.wake()
    # Stop: the run ended, its last text is drawn now rather than on the next pass.
    pacer.stop()
    pacer.flush_now(one)
    assert one.view.edit.toPlainText() == shown + tail
    assert seen == [(len(shown), 0, len(tail))]  # the tail alone went in; nothing was replaced
    qtbot.wait(20)
    assert one.draws == 2  # the stopped pacer drew nothing more


def test_a_pass_serves_the_least_recently_drawn_stream_first(qtbot: QtBot) -> None:
    first, second = column(qtbot), column(qtbot)
    pacer = pacer_for([first, second], budget_ms=0)  # one stream per pass, as Compare draws
    first.buffer.add("a")
    pacer.flush_now(first)
    first.buffer.add("b")
    second.buffer.add("c")
    qtbot.wait(10)  # both are due now
    pacer.flush_due()
    assert (first.draws, second.draws) == (1, 1)  # the one never drawn went first
    qtbot.waitUntil(lambda: not first.buffer)
    assert first.view.edit.toPlainText() == "ab" and second.view.edit.toPlainText() == "c"


def test_a_view_scrolled_up_stays_where_the_reader_is(qtbot: QtBot) -> None:
    one = column(qtbot)
    one.view.edit.resize(200, 100)
    one.view.edit.show()
    one.view.append("".join(f"line {i}\n" for i in range(200)))
    bar = one.view.edit.verticalScrollBar()
    assert bar.value() == bar.maximum()  # it followed the text while at the bottom
    bar.setValue(0)
    one.view.append("more\n" * 50)
    assert bar.value() == 0


def test_the_tail_of_pieces_is_the_end_of_the_joined_text_whatever_their_sizes() -> None:
    """A flush hands the tail the pieces as they came (megabytes of a fast answer, not
    joined): it keeps what the joined text would have left, and says what it added."""
    rng = random.Random(3)
    for keep in (1, 7, 50):
        for _ in range(200):
            start = "".join(rng.choice("ab\n") for _ in range(rng.randint(0, 3 * keep)))
            tail = StreamTail(start, keep)
            whole = start
            expected_start = max(0, len(start) - keep) if len(start) > 2 * keep else 0
            assert (tail.start, tail.text) == (expected_start, start[expected_start:])
            for _ in range(rng.randint(1, 8)):
                pieces = [
                    "".join(rng.choice("xyz ") for _ in range(rng.randint(0, 3 * keep)))
                    for _ in range(rng.randint(0, 5))
                ]
                before_start, before_text = tail.start, tail.text
                added = tail.add(pieces)
                whole += "".join(pieces)
                # What the tail held before, plus the pieces, cut as one string would be.
                joined = before_text + "".join(pieces)
                if len(joined) > 2 * keep:
                    assert tail.text == joined[len(joined) - keep :] and added == ""
                    assert tail.start == before_start + len(joined) - keep
                else:
                    assert tail.text == joined and added == "".join(pieces)
                    assert tail.start == before_start
                assert whole[tail.start :] == tail.text and tail.total == len(whole)


def test_taking_pieces_leaves_the_buffer_empty_and_counts_them() -> None:
    buffer = StreamBuffer()
    for piece in ("ab", "", "cde"):
        buffer.add(piece)
    pieces = buffer.take_pieces()
    assert pieces == ["ab", "cde"] and not buffer and buffer.taken == 5
    assert buffer.take_pieces() == [] and buffer.taken == 5
    buffer.add("f")
    assert buffer.take() == "f" and buffer.taken == 6


def test_replace_puts_the_new_text_in_place_of_the_old(qtbot: QtBot) -> None:
    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    edit.setUndoRedoEnabled(False)  # a card's editor: the window's undo stack covers it
    view = StreamView(edit)
    view.reset("old text\nof two lines")
    seen = changes(edit)
    view.replace("new\ntext")
    assert edit.toPlainText() == "new\ntext"
    assert len(seen) == 1  # one change of the document
    view.append(" and more")  # the end is found again after the replacement
    assert edit.toPlainText() == "new\ntext and more"
    undoable = QPlainTextEdit()
    qtbot.addWidget(undoable)
    kept = StreamView(undoable)
    kept.reset("old")
    kept.replace("new")  # a document with undo steps gets the text afresh, keeping none
    assert undoable.toPlainText() == "new" and not undoable.document().isUndoAvailable()


def test_a_source_given_a_longer_spacing_waits_for_it(qtbot: QtBot) -> None:
    fast, slow = column(qtbot), column(qtbot)
    pacer = FlushPacer(
        lambda: [fast, slow],
        lambda c: bool(c.buffer),
        Column.draw,
        interval_ms=5,
        share=0.3,
        budget_ms=8,
        spacing=lambda c: 0.005 if c is fast else 1.0,
    )
    for one in (fast, slow):
        one.buffer.add("a")
        pacer.flush_now(one)
    drawn_at = time.perf_counter()
    fast.buffer.add("b")
    slow.buffer.add("b")
    qtbot.wait(20)  # past the fast one's spacing, far from the slow one's
    pacer.flush_due()
    assert (fast.draws, slow.draws) == (2, 1)
    pacer.wake()
    qtbot.waitUntil(lambda: slow.draws == 2, timeout=5000)  # the pacer's timer: 1 s after
    assert time.perf_counter() - drawn_at >= 1.0
    assert slow.view.edit.toPlainText() == "ab"
