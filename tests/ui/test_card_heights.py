"""Card heights at scale: right after a width change, a huge card, rows laid out in batches."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QWidget
from pytestqt.qtbot import QtBot

from workbench.core.conversation import Message
from workbench.core.run_types import ToolCall
from workbench.core.tools import CODE_RUNNER
from workbench.core.workspace import ToolEntry
from workbench.ui.conversation.message_card import (
    MAX_CONTENT_HEIGHT,
    PREVIEW_CHARS,
    content_height,
)
from workbench.ui.run.tool_calls import ToolCallCards


def _workspace(tmp_path: Path, contents: list[str]) -> Path:
    path = tmp_path / "cards.prompt.json"
    messages = [{"role": "user", "content": text} for text in contents]
    path.write_text(json.dumps({"format": "prompt-workbench/1", "messages": messages}), "utf-8")
    return path


def _roles_workspace(tmp_path: Path) -> Path:
    """3,000 cards of user and assistant in turn, of 2 to 92 words."""
    path = tmp_path / "roles.prompt.json"
    messages = [
        {"role": ("user", "assistant")[i % 2], "content": f"card {i} " + "word " * (i % 90)}
        for i in range(3000)
    ]
    path.write_text(json.dumps({"format": "prompt-workbench/1", "messages": messages}), "utf-8")
    return path


def _scroll_down(view, qtbot: QtBot, steps: int, wait_ms: int) -> None:
    """Half a page per step, as a wheel or Page Down does, ``wait_ms`` between steps."""
    bar = view.verticalScrollBar()
    for _ in range(steps):
        bar.setValue(bar.value() + view.viewport().height() // 2)
        qtbot.wait(wait_ms)


def _check_visible_heights(window, qtbot: QtBot) -> None:
    view = window.message_list
    delegate = view.card_delegate

    def right() -> None:
        width = view.viewport().width()
        cards = view.cards_with_messages()
        assert cards
        for card, message in cards:
            expected = content_height(message.content, delegate._text_width(width), delegate._font)
            assert card.content_edit.height() == expected
            row = window.workspace.conversation.index_of(message.uid)
            rect = view.visualRect(view.model().index(row, 0))
            assert rect.height() == delegate.row_height(message, width)
            # Where the rows are laid out, not only the height asked of the delegate: the next
            # row starts where this one ends (the card does not overlap it).
            if row + 1 < len(window.workspace.conversation):
                below = view.visualRect(view.model().index(row + 1, 0))
                assert below.top() - rect.top() == rect.height()
                assert card.geometry().bottom() < below.top()

    qtbot.waitUntil(right, timeout=5000)


def test_heights_are_right_for_the_new_width_after_a_resize(
    open_window, qtbot: QtBot, tmp_path: Path
) -> None:
    words = ["the", "model", "answers", "tokens", "prompt", "partial", "window", "cost"]
    contents = [
        " ".join(words[(i + k) % len(words)] for k in range(15 * (i % 9 + 1))) for i in range(60)
    ]
    window = open_window(_workspace(tmp_path, contents))
    _check_visible_heights(window, qtbot)

    window.resize(700, 800)
    _check_visible_heights(window, qtbot)
    window.resize(1300, 800)
    _check_visible_heights(window, qtbot)


def test_a_width_only_resize_lays_the_rows_out_for_the_new_width(
    open_window, qtbot: QtBot, tmp_path: Path
) -> None:
    """QListView lays rows out again only when the flow direction's size (the height) changes:
    a narrower window kept every row at the old width's height, the cards overflowing them."""
    words = ["the", "model", "answers", "tokens", "prompt", "partial", "window", "cost"]
    contents = [
        " ".join(words[(i + k) % len(words)] for k in range(15 * (i % 9 + 1))) for i in range(60)
    ]
    window = open_window(_workspace(tmp_path, contents))
    _check_visible_heights(window, qtbot)
    height = window.height()

    window.resize(700, height)
    _check_visible_heights(window, qtbot)
    window.resize(1300, height)
    _check_visible_heights(window, qtbot)


def test_a_huge_card_without_spaces_opens_at_the_tallest_height(
    open_window, qtbot: QtBot, tmp_path: Path
) -> None:
    blob = "QUJD" * 150_000  # 600 kB of base64: one word, measured by its start
    window = open_window(_workspace(tmp_path, ["Decode this:", blob]))
    view = window.message_list
    qtbot.waitUntil(lambda: len(view.cards()) == 2)
    assert view.cards()[1].content_edit.height() == MAX_CONTENT_HEIGHT


def test_a_3_mb_word_shows_its_start_until_the_user_goes_into_it_then_all_of_it(
    open_window, qtbot: QtBot, tmp_path: Path
) -> None:
    blob = "QUJD" * 750_000  # 3 MB, no space: laying it all out took seconds per editor
    window = open_window(_workspace(tmp_path, ["Decode this:", blob]))
    view = window.message_list
    qtbot.waitUntil(lambda: len(view.cards()) == 2)
    card = view.cards()[1]
    edit = card.content_edit
    assert card.previewing and edit.toPlainText() == blob[:PREVIEW_CHARS]
    assert edit.height() == MAX_CONTENT_HEIGHT
    assert "3,000,000" in edit.toolTip()

    edit.setFocus()
    qtbot.waitUntil(lambda: not card.previewing)
    assert edit.toPlainText() == blob  # the whole text, to edit
    cursor = edit.textCursor()
    cursor.setPosition(len(blob))
    edit.setTextCursor(cursor)
    qtbot.keyClicks(edit, "!")
    assert window.workspace.conversation[1].content == blob + "!"


def test_going_into_a_card_with_a_very_long_line_says_why_the_window_waits(
    open_window, qtbot: QtBot, tmp_path: Path
) -> None:
    blob = "QUJD" * 60_000  # one line of 240,000 characters: Qt lays it out whole
    window = open_window(_workspace(tmp_path, ["Decode this:", blob]))
    view = window.message_list
    qtbot.waitUntil(lambda: len(view.cards()) == 2)
    card = view.cards()[1]
    edit = card.content_edit
    note = card.findChild(QLabel, "contentNote")
    told: list[str] = []

    def loaded() -> None:  # what the card says when the whole line goes into the editor
        if len(edit.toPlainText()) == len(blob):
            told.append(note.text() if note.isVisibleTo(card) else "")

    edit.textChanged.connect(loaded)

    edit.setFocus()
    qtbot.waitUntil(lambda: not card.previewing)

    assert told and "Loading a line of 240,000 characters" in told[0]
    assert edit.toPlainText() == blob and not note.isVisibleTo(card)


def test_thousands_of_cards_lay_out_in_batches_and_scroll_to_the_last(
    open_window, qtbot: QtBot, tmp_path: Path
) -> None:
    contents = [f"card {i} " + "text " * (i % 40) for i in range(5000)]
    window = open_window(_workspace(tmp_path, contents))
    view = window.message_list
    assert len(view.cards()) < 40  # editors only for the rows on screen

    card = view.scroll_to_row(4999)

    assert card is not None
    assert window.workspace.conversation[4999].content == card.content_edit.toPlainText()
    _check_visible_heights(window, qtbot)


def test_scrolling_shows_each_role_in_reused_cards_without_a_style_sheet(
    open_window, qtbot: QtBot, tmp_path: Path
) -> None:
    """A card's frame (its role's colour) is painted, not a style sheet (setting one was the
    dearest part of showing a message in a reused card): scrolling through alternating roles
    restyles no card, and each card on screen paints its row's role colour."""
    from workbench.ui.common.palette import colours
    from workbench.ui.conversation.message_card import ROLE_STRIPE

    window = open_window(_roles_workspace(tmp_path))
    view = window.message_list
    _scroll_down(view, qtbot, 30, 5)

    cards = view.cards()
    styled = [
        widget.objectName()
        for card in cards
        for widget in (card, *card.findChildren(QWidget))
        if widget.styleSheet()
    ]
    assert styled == []
    for card, message in view.cards_with_messages():
        image = card.grab().toImage()
        stripe = image.pixelColor(ROLE_STRIPE // 2, image.height() // 2).name()
        assert stripe == colours().role(message.role), (card.uid, message.role)
    # The token badge's text is muted (a palette colour, no style sheet).
    badge = cards[0].badge.grab().toImage()
    drawn = {
        badge.pixelColor(x, y).name() for x in range(badge.width()) for y in range(badge.height())
    }
    assert colours().muted in drawn
    assert colours().text not in drawn
    _check_visible_heights(window, qtbot)


def test_rows_measured_over_several_slices_are_laid_out_again(
    open_window, qtbot: QtBot, tmp_path: Path, monkeypatch
) -> None:
    """On a slow machine the idle pass runs out of time after a row or two. A slice that found
    the rows near the screen measured already returned without the layout the earlier slices
    had asked for: a row kept its guessed height and its card overlapped the next row (CI saw
    one row start 111 px after the row above, which was 114 px tall)."""
    from workbench.ui.conversation import message_list

    monkeypatch.setattr(message_list, "MEASURE_SLICE_S", 0.0)  # every slice ends after one row
    window = open_window(_roles_workspace(tmp_path))
    view = window.message_list
    _scroll_down(view, qtbot, 10, 5)
    _check_visible_heights(window, qtbot)
    # The rows a screen either side of the screen are measured, and laid out at their measured
    # heights: scrolling to them moves no card.
    from workbench.ui.conversation.message_list import MIN_ROW_HEIGHT

    model = view.model()
    assert view.visible_rows().start > 20  # where the scrolling took it

    def laid_out() -> None:
        rows = view.visible_rows()
        screen = view.viewport().height() // MIN_ROW_HEIGHT + 1
        for row in range(rows.start - screen, rows.stop + screen):
            rect = view.visualRect(model.index(row, 0))
            below = view.visualRect(model.index(row + 1, 0))
            assert below.top() - rect.top() == rect.height(), row
            assert not view.card_delegate.is_guessed(
                window.workspace.conversation[row].uid, view.viewport().width()
            )

    qtbot.waitUntil(laid_out, timeout=5000)


def test_a_quick_scroll_while_the_rows_are_laid_out_again_is_kept(
    open_window, qtbot: QtBot, tmp_path: Path
) -> None:
    """The rows are laid out again (in batches) whenever measured heights differ from their
    guesses, keeping the row at the top in place. Scrolling during that layout was undone when it
    ended: a quick scroll down a file just opened jumped back to its first card."""
    window = open_window(_roles_workspace(tmp_path))
    view = window.message_list
    _scroll_down(view, qtbot, 10, 1)
    top = view.visible_rows().start
    assert top > 20

    def settled() -> None:
        assert not view.laying_out()
        assert not view._measure_timer.isActive()

    qtbot.waitUntil(settled)
    qtbot.wait(50)
    assert abs(view.visible_rows().start - top) <= 1


def test_the_view_at_the_bottom_stays_there_when_rows_above_shrink(
    open_window, qtbot: QtBot, tmp_path: Path
) -> None:
    """Rows above the screen getting shorter shrink the scroll range, and Qt pulls the scroll
    bar down to the new maximum: that is not the user scrolling, and the last card stays at the
    bottom of the view (counted as a scroll, the view jumped up by what the rows lost).

    And a row off screen that changes is laid out at its new height: the view asked it for its
    new size when repainting it, before comparing with the old one, and when a layout was not
    already pending (most runs) the rows kept their places."""
    contents = [f"card {i} " + "long text " * 80 for i in range(400)]
    window = open_window(_workspace(tmp_path, contents))
    view = window.message_list
    bar = view.verticalScrollBar()
    view.scroll_to_row(399)
    bar.setValue(bar.maximum())

    def settled() -> None:
        assert not view.laying_out()
        assert not view._measure_timer.isActive()
        assert bar.value() == bar.maximum()

    qtbot.waitUntil(settled)
    before = bar.maximum()
    conversation = window.workspace.conversation
    for row in range(300, 360):  # above the screen, a long way from the top
        conversation.update(row, content=f"card {row}")
    qtbot.waitUntil(lambda: bar.maximum() < before - 2000)
    qtbot.waitUntil(settled)
    assert view.visible_rows().stop == 400
    model = view.model()
    for row in (300, 359):
        rect = view.visualRect(model.index(row, 0))
        assert view.visualRect(model.index(row + 1, 0)).top() - rect.top() == rect.height()


def test_rows_some_screens_ahead_are_measured_before_scrolling_reaches_them(
    open_window, qtbot: QtBot, tmp_path: Path
) -> None:
    """A measured height that differs from its guess lays every row out again: measuring a few
    screens ahead at once does that once every few screens of scrolling, not at every step."""
    from workbench.ui.conversation.message_list import MEASURE_SCREENS, MIN_ROW_HEIGHT

    contents = [f"card {i} " + "text " * (i % 40) for i in range(3000)]
    window = open_window(_workspace(tmp_path, contents))
    view = window.message_list
    delegate = view.card_delegate
    conversation = window.workspace.conversation
    screen = view.viewport().height() // MIN_ROW_HEIGHT + 1
    bar = view.verticalScrollBar()
    bar.setValue(bar.value() + view.viewport().height())  # guessed rows come within a screen
    ahead = view.visible_rows().stop + (MEASURE_SCREENS - 1) * screen

    def measured(row: int) -> bool:
        return not delegate.is_guessed(conversation[row].uid, view.viewport().width())

    qtbot.waitUntil(lambda: measured(ahead))
    assert not measured(ahead + 3 * screen)  # not all 3,000 rows


@pytest.fixture
def large_font(qapp: QApplication) -> Iterator[None]:
    """The app's font at 15 pt: a 10 pt desktop font at 1.5x scaling."""
    before = qapp.font()
    font = QFont(before)
    font.setPointSizeF(15.0)
    qapp.setFont(font)
    yield
    qapp.setFont(before)


def test_a_tool_call_card_fits_its_contents_at_a_large_font(
    large_font: None, open_window, qtbot: QtBot
) -> None:
    window = open_window()
    conversation = window.workspace.conversation
    conversation.append(Message(role="user", content="Is 3214567 prime? And 7?"))
    conversation.append(Message(role="assistant", content=""))
    window.workspace.set_tools([ToolEntry(CODE_RUNNER)])
    calls = [
        ToolCall(
            f"functions.CodeRunner:{i}", "CodeRunner", json.dumps({"language": "python", "code": c})
        )
        for i, c in enumerate(["print(3214567 % 7)", "print(7 ** 2)"])
    ]
    tool_cards = window.findChild(ToolCallCards, "toolCallCards")
    tool_cards.add_calls(conversation[1].uid, calls)
    card = window.message_list.scroll_to_row(1)
    assert card is not None
    detail = card.findChild(QLabel, "toolCallsView")
    assert detail.isVisible() and "CodeRunner" in detail.text()
    window.grab().save("/tmp/h10ui-x/large-font.png")

    # Every part gets the height it asks for, inside the card's frame: nothing is cut off.
    assert card.layout().minimumSize().height() <= card.contentsRect().height()
    assert detail.height() >= detail.heightForWidth(detail.width())
    selector = card.findChild(QComboBox, "roleSelector")
    assert selector.height() >= selector.sizeHint().height()
    assert card.sizeHint().height() == card.height()


def test_laying_the_rows_out_again_asks_no_row_its_height_again(
    open_window, qtbot: QtBot, tmp_path: Path, monkeypatch
) -> None:
    """A layout asks every row's size (50,000 calls at 50,000 cards): rows whose text, width and
    measuring are as they were get the size they were given, without working it out again."""
    from workbench.ui.conversation.message_list import CardDelegate

    contents = [f"card {i} " + "text " * (i % 40) for i in range(2000)]
    window = open_window(_workspace(tmp_path, contents))
    view = window.message_list
    view.lay_out_now()
    worked: list[int] = []
    row_height = CardDelegate.row_height

    def counted(self: CardDelegate, message: Message, row_width: int, exact: bool = True) -> int:
        worked.append(message.uid)
        return row_height(self, message, row_width, exact)

    monkeypatch.setattr(CardDelegate, "row_height", counted)
    view.lay_out_now()

    assert len(worked) == 0
    window.workspace.conversation.update(5, content="changed " * 30)
    view.lay_out_now()
    # The changed row, and at most a screen of rows whose cards opened and measured them.
    assert window.workspace.conversation[5].uid in worked
    assert len(set(worked)) <= 20


def test_a_pass_of_the_event_loop_lays_out_a_few_hundred_rows_at_most(
    open_window, qtbot: QtBot, tmp_path: Path, monkeypatch
) -> None:
    """Rows are laid out again in batches between events (after a resize, say): a batch is what
    the window cannot answer the user for, so it holds a few hundred rows (2,000 rows took
    30 ms and more a pass at 50,000 cards, in every keystroke and scroll step meanwhile)."""
    from PySide6.QtWidgets import QApplication

    from workbench.ui.conversation.message_list import CardDelegate

    contents = [f"card {i} " + "text " * (i % 40) for i in range(3000)]
    window = open_window(_workspace(tmp_path, contents))
    view = window.message_list
    sized: list[int] = []
    row_height = CardDelegate.row_height

    def counted(self: CardDelegate, message: Message, row_width: int, exact: bool = True) -> int:
        sized.append(message.uid)
        return row_height(self, message, row_width, exact)

    monkeypatch.setattr(CardDelegate, "row_height", counted)
    window.resize(800, window.height())  # every row gets a height for the new width
    passes = []
    for _ in range(100):
        sized.clear()
        QApplication.processEvents()
        passes.append(len(sized))

    assert sum(passes) >= 2500  # the rows were laid out again (but those measured already)
    assert not view.laying_out()
    assert max(passes) <= 600, passes


def test_a_far_card_scrolled_to_stays_on_screen_while_rows_are_laid_out_again(
    open_window, qtbot: QtBot, tmp_path: Path
) -> None:
    """Part way through QListView's batches, the view knew only the rows laid out so far: it
    shrank the scroll range to them and the column ended at the first batch's end, its cards
    hidden while the batches ran."""
    contents = [f"card {i} " + "text " * (i % 40) for i in range(3000)]
    window = open_window(_workspace(tmp_path, contents))
    view = window.message_list
    qtbot.wait(200)
    card = view.scroll_to_row(2800)
    assert card is not None
    hidden: list[int] = []
    for _ in range(100):  # the rows near the screen measured, so laid out again, in batches
        QApplication.processEvents()
        shown = view.card_at(2800)
        if shown is None or not shown.isVisible():
            hidden.append(1)

    assert 2800 in view.visible_rows()
    assert not hidden
    _check_visible_heights(window, qtbot)


def test_a_tool_call_whose_function_is_not_an_object_is_shown_unnamed(
    open_window, tmp_path: Path
) -> None:
    """Found by the generated files: a call with ``"function": ["f"]`` made every size asked of
    the column raise (its detail read ``function.get``)."""
    from workbench.ui.run.tool_calls import calls_of

    message = Message(role="assistant", content="", tool_calls=[{"id": "c1", "function": ["f"]}])
    assert [call.name for call in calls_of(message)] == [""]
    path = tmp_path / "odd.prompt.json"
    messages = [
        {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "function": ["f"]}]}
    ]
    path.write_text(json.dumps({"format": "prompt-workbench/1", "messages": messages}), "utf-8")
    window = open_window(path)
    assert window.message_list.card_at(0) is not None
