"""The stream view shared by the run panel and Compare: buffer, appender and flush pacing."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from workbench.ui.common.stream_view import FlushPacer, StreamBuffer, StreamView


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
