"""The card editor, driven through object names as a user would."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Dialogs
from workbench.core.conversation import Message
from workbench.core.resources import examples_dir
from workbench.core.workspace import Workspace, save_workspace
from workbench.core.workspace_files import load_workspace
from workbench.ui.common import dialogs
from workbench.ui.conversation.message_card import MessageCard


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the JSON-extraction example (tests save to it; the shipped one stays as is)."""
    copy = tmp_path / "example.prompt.json"
    shutil.copy(examples_dir() / "01-product-json-extraction.prompt.json", copy)
    return copy


def cards(window) -> list[MessageCard]:
    window.message_list.sync_editors()
    return window.message_list.cards()


def contents(window) -> list[str]:
    return [m.content for m in window.workspace.conversation]


def test_every_main_control_has_its_object_and_accessible_name(example: Path, open_window) -> None:
    window = open_window(example)
    for name in (
        "messageList",
        "addMessageButton",
        "sendButton",
        "stopButton",
        "providerSelector",
        "modelSelector",
        "maxTokensSpin",
        "temperatureSpin",
    ):
        widget = window.findChild(object, name)
        assert widget is not None, name
        assert widget.accessibleName() == name
    card = cards(window)[0]
    assert card.objectName() == "messageCard"
    for name in ("roleSelector", "nameEdit", "contentEdit", "partialToggle", "deleteMessageButton"):
        assert card.findChild(object, name) is not None, name


def test_add_a_card_and_type_into_it(open_window, qtbot: QtBot) -> None:
    window = open_window()
    add = window.findChild(QToolButton, "addMessageButton")
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    assert [m.role for m in window.workspace.conversation] == ["system", "user"]
    edit = cards(window)[1].findChild(QPlainTextEdit, "contentEdit")
    qtbot.keyClicks(edit, "Is 3214567 prime?")
    assert contents(window) == ["", "Is 3214567 prime?"]
    assert window.isWindowModified()
    assert window.windowTitle().startswith("Untitled (unsaved)")


def test_ctrl_n_adds_a_card_below_the_focused_one(example: Path, open_window, qtbot: QtBot) -> None:
    window = open_window(example)
    first = cards(window)[0].findChild(QPlainTextEdit, "contentEdit")
    first.setFocus()
    qtbot.keyClick(first, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    roles = [m.role for m in window.workspace.conversation]
    assert roles == ["system", "user", "user", "assistant"]
    assert window.workspace.conversation[1].content == ""


def test_typing_grows_the_card(open_window, qtbot: QtBot) -> None:
    window = open_window()
    window.editor.append("user")
    card = cards(window)[0]
    before = card.content_edit.height()
    for _ in range(6):
        qtbot.keyClicks(card.content_edit, "line")
        qtbot.keyClick(card.content_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cards(window)[0].content_edit.height() > before)
    assert cards(window)[0].height() > card.content_edit.height()


def test_role_and_name_edits_reach_the_conversation(
    example: Path, open_window, qtbot: QtBot
) -> None:
    window = open_window(example)
    card = cards(window)[1]
    selector = card.findChild(QComboBox, "roleSelector")
    selector.setCurrentText("assistant")
    selector.activated.emit(selector.currentIndex())
    assert window.workspace.conversation[1].role == "assistant"
    card = cards(window)[1]
    card.name_button.click()
    qtbot.keyClicks(card.findChild(object, "nameEdit"), "Ann")
    assert window.workspace.conversation[1].name == "Ann"


def test_clicking_add_name_puts_the_keyboard_in_the_name_field(
    example: Path, open_window, qtbot: QtBot
) -> None:
    window = open_window(example)
    card = cards(window)[1]
    content = card.findChild(QPlainTextEdit, "contentEdit")
    content.setFocus()
    qtbot.mouseClick(card.findChild(QToolButton, "addNameButton"), Qt.MouseButton.LeftButton)
    name_edit = card.findChild(QLineEdit, "nameEdit")
    assert name_edit.isVisible()
    assert name_edit.hasFocus()
    before = window.workspace.conversation[1].content
    # Typed where the keyboard is, as a user would after the click.
    qtbot.keyClicks(QApplication.focusWidget(), "Ann")
    assert window.workspace.conversation[1].name == "Ann"
    assert window.workspace.conversation[1].content == before


def test_move_duplicate_and_delete_from_the_card(example: Path, open_window, qtbot: QtBot) -> None:
    window = open_window(example)
    original = contents(window)
    card = cards(window)[1]
    card._buttons["move_up"].click()
    assert contents(window) == [original[1], original[0], original[2]]
    cards(window)[0]._buttons["duplicate"].click()
    assert contents(window) == [original[1], original[1], original[0], original[2]]
    qtbot.mouseClick(
        cards(window)[0].findChild(QToolButton, "deleteMessageButton"), Qt.MouseButton.LeftButton
    )
    assert contents(window) == [original[1], original[0], original[2]]


def test_alt_down_moves_the_focused_card(example: Path, open_window, qtbot: QtBot) -> None:
    window = open_window(example)
    original = contents(window)
    edit = cards(window)[0].content_edit
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert contents(window) == [original[1], original[0], original[2]]


def test_partial_toggle_follows_the_rule_and_says_why(
    example: Path, open_window, qtbot: QtBot
) -> None:
    window = open_window(example)
    conversation = window.workspace.conversation
    last = cards(window)[2].findChild(QCheckBox, "partialToggle")
    assert last.isEnabled() and last.isChecked()
    # Adding a card after the partial one clears the flag and says so.
    window.editor.append("user", "more")
    assert not conversation[2].partial
    assert "no longer the last message" in window.statusBar().currentMessage()
    toggle = cards(window)[2].findChild(QCheckBox, "partialToggle")
    assert not toggle.isEnabled()
    assert "Only the last message" in toggle.toolTip()
    # Undo brings the flag back with the card removed.
    window.undo_stack.undo()
    assert len(conversation) == 3 and conversation[2].partial


def test_partial_is_disabled_for_a_provider_that_cannot_prefill(example: Path, open_window) -> None:
    window = open_window(example)
    window.params_panel.param_edited.emit("provider", "openai")
    toggle = cards(window)[2].findChild(QCheckBox, "partialToggle")
    assert "cannot prefill" in toggle.toolTip()


def test_undo_and_redo_every_kind_of_edit(example: Path, open_window, qtbot: QtBot) -> None:
    window = open_window(example)
    original = contents(window)
    edit = cards(window)[1].content_edit
    edit.setFocus()
    edit.moveCursor(edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(edit, " Thanks!")
    assert contents(window)[1] == original[1] + " Thanks!"
    qtbot.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert contents(window) == original  # the typing burst is one step
    qtbot.keyClick(
        edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert contents(window)[1] == original[1] + " Thanks!"
    window.undo_stack.undo()
    cards(window)[0]._buttons["delete"].click()
    window.params_panel.param_edited.emit("max_tokens", 2048)
    assert window.workspace.params.max_tokens == 2048
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert contents(window) == original
    assert window.workspace.params.max_tokens == 512
    assert not window.isWindowModified()


def test_save_and_open_round_trip(
    open_window, user_dialogs: Dialogs, tmp_path: Path, qtbot: QtBot
) -> None:
    window = open_window()
    window.menus.examples_menu.actions()[0].trigger()  # File > Examples: an untitled copy
    assert not window.isWindowModified()
    window.editor.append("user", "A follow-up question")
    target = tmp_path / "mine"
    user_dialogs.save_paths.append(str(target))
    edit = cards(window)[0].content_edit
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = tmp_path / "mine.prompt.json"
    assert saved.exists() and not window.isWindowModified()
    assert window.windowTitle().startswith("mine.prompt.json")
    reopened = open_window(saved)
    assert contents(reopened) == contents(window)
    assert load_workspace(saved).to_json() == window.workspace.to_json()


def test_closing_with_unsaved_changes_asks(
    example: Path, open_window, user_dialogs: Dialogs
) -> None:
    window = open_window(example)
    window.editor.append("user", "unsaved")
    user_dialogs.answers.append(dialogs.Button.Cancel)
    assert not window.close()
    assert window.isVisible()
    user_dialogs.answers.append(dialogs.Button.Discard)
    assert window.close()


def test_a_corrupt_file_is_reported_and_left_untouched(
    open_window, user_dialogs: Dialogs, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.prompt.json"
    broken.write_text('{"format": "prompt-workbench/1", "messages": [\n  {"role": "user",,}]}')
    before = broken.read_bytes()
    window = open_window(broken)
    assert len(user_dialogs.errors) == 1
    assert "broken.prompt.json, line 2, column 19: not valid JSON" in user_dialogs.errors[0]
    assert broken.read_bytes() == before
    assert len(window.workspace.conversation) == 0


def test_autosave_is_offered_for_recovery_on_the_next_start(
    open_window, user_dialogs: Dialogs, tmp_path: Path, qtbot: QtBot
) -> None:
    path = tmp_path / "w.prompt.json"
    save_workspace(Workspace(messages=[Message(role="user", content="saved text")]), path)
    window = open_window(path)
    window.editor.append("assistant", "typed but never saved")
    future = window.document.autosave_now()
    assert future is not None
    future.result(timeout=10)
    # The app dies here: no close, no save; the system drops its lock. Next start offers it.
    window.document._autosave_timer.stop()
    window.document._lock.release()
    user_dialogs.answers.append(dialogs.Button.Yes)
    again = open_window(path)
    assert user_dialogs.questions and "Recover" in user_dialogs.questions[0]
    assert contents(again) == ["saved text", "typed but never saved"]
    assert again.isWindowModified()
    assert json.loads(path.read_text())["messages"] == [{"role": "user", "content": "saved text"}]


def test_autosave_runs_after_a_short_idle(open_window, qtbot: QtBot) -> None:
    window = open_window()
    window.document._autosave_timer.setInterval(50)
    with qtbot.waitSignal(window.document.autosaved, timeout=5000) as saved:
        window.editor.append("user", "draft")
    assert Path(saved.args[0]).exists()


def test_paste_request_json_becomes_a_workspace(open_window, qtbot: QtBot) -> None:
    from PySide6.QtGui import QGuiApplication

    window = open_window()
    body = {
        "model": "moonshot-v1-128k",
        "temperature": 0.2,
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hello"},
        ],
    }
    QGuiApplication.clipboard().setText(json.dumps(body))
    window.menus.paste_action.trigger()
    assert contents(window) == ["Be brief.", "Hello"]
    assert window.workspace.params.temperature == 0.2
    assert window.isWindowModified()


def test_send_lists_problems_by_card(open_window, qtbot: QtBot) -> None:
    window = open_window()
    window.editor.append("system", "Be brief.")
    window.editor.append("user", "")
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    problems = window.findChild(object, "sendProblems")
    assert "Message 2: The user message is empty." in problems.text()


def test_the_list_model_passes_qt_model_checks(example: Path, qtmodeltester, open_window) -> None:
    window = open_window(example)
    qtmodeltester.check(window.model, force_py=True)
    window.editor.append("user", "x")
    window.editor.do_action(window.workspace.conversation[0].uid, "move_down")
    window.undo_stack.undo()
    window.undo_stack.undo()


def test_a_thousand_cards_keep_only_visible_editors(open_window, tmp_path: Path) -> None:
    path = tmp_path / "big.prompt.json"
    messages = [
        Message(role="user" if i % 2 == 0 else "assistant", content=f"message {i}")
        for i in range(1000)
    ]
    save_workspace(Workspace(messages=messages), path)
    window = open_window(path)
    live = cards(window)
    assert 0 < len(live) < 40
    window.message_list.scroll_to_row(900)
    assert any(c.content_edit.toPlainText() == "message 900" for c in cards(window))
    assert len(cards(window)) < 40


def _drag_grip(qtbot: QtBot, window, row: int, target) -> None:
    """Presses the grip of card ``row``, moves to ``target`` (viewport point), releases."""
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    grip = cards(window)[row].findChild(QWidget, "dragGrip")
    viewport = window.message_list.viewport()
    start = QPoint(4, 4)
    QTest.mousePress(grip, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    local = grip.mapFromGlobal(viewport.mapToGlobal(target))
    for fraction in (0.25, 0.5, 1.0):
        step = start + (local - start) * fraction
        QTest.mouseMove(grip, step)
    QTest.mouseRelease(grip, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, local)


def test_drag_a_card_by_its_grip_to_reorder(example: Path, open_window, qtbot: QtBot) -> None:
    from PySide6.QtCore import QPoint

    window = open_window(example)
    original = contents(window)
    view = window.message_list
    last = view.visualRect(view.model().index(2, 0))
    # Released over the lower half of the last card: the first card goes to the end.
    _drag_grip(qtbot, window, 0, last.center() + QPoint(0, last.height() // 4))
    assert contents(window) == [original[1], original[2], original[0]]
    window.undo_stack.undo()
    assert contents(window) == original
    # Released on its own place: nothing moves, nothing to undo.
    depth = window.undo_stack.count()
    _drag_grip(qtbot, window, 0, view.visualRect(view.model().index(0, 0)).center())
    assert contents(window) == original
    assert window.undo_stack.count() == depth


def test_cards_reused_while_scrolling_show_their_own_message(open_window, tmp_path: Path) -> None:
    path = tmp_path / "named.prompt.json"
    messages = [
        Message(
            role="user" if i % 2 else "assistant",
            content=f"message {i}",
            name="Ann" if i % 7 == 0 else "",
        )
        for i in range(300)
    ]
    save_workspace(Workspace(messages=messages), path)
    window = open_window(path)
    view = window.message_list
    for row in (150, 299, 0, 70, 210):
        view.scroll_to_row(row)
        for row_shown, card in view._open_cards():
            message = window.workspace.conversation[row_shown]
            assert card.uid == message.uid
            assert card.content_edit.toPlainText() == message.content
            assert card.name_edit.isVisibleTo(card) == bool(message.name)
            assert card.role_selector.currentText() == message.role
