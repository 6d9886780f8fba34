"""Things a user hit while working the merged window: size, keyboard focus, reasoning."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.memory_keyring import MemoryKeyring
from tests.ui.conftest import Dialogs
from tests.ui.run_helpers import LOOP_ID, SECRET, add_loop_provider, load, wait_idle
from workbench.core.secrets import SERVICE
from workbench.loopback_server import LoopbackServer, Reply
from workbench.ui.common import dialogs
from workbench.ui.conversation.message_card import MessageCard
from workbench.ui.shell.main_window import MainWindow


@pytest.fixture
def window(loop_window: MainWindow) -> MainWindow:
    """This module's window: a loopback provider chosen, its key in the keyring."""
    return loop_window


def focused_card(window: MainWindow) -> MessageCard | None:
    focus = QApplication.focusWidget()
    for card in window.message_list.findChildren(MessageCard, "messageCard"):
        if focus is not None and card.isAncestorOf(focus):
            return card
    return None


def test_the_window_fits_a_1024_by_640_screen_on_every_tab(
    window: MainWindow, qtbot: QtBot
) -> None:
    main_tabs = window.findChild(QTabWidget, "mainTabs")
    compare = window.findChild(QWidget, "compareView")
    assert main_tabs is not None and compare is not None
    main_tabs.setCurrentWidget(compare)
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: window.width() <= 1024 and window.height() <= 640)
    for name in ("addVariantButton", "runCompareButton", "exportCompareButton", "diffToggle"):
        widget = compare.findChild(QWidget, name)
        assert widget is not None, name
        right = widget.mapTo(window, widget.rect().topRight()).x()
        assert right < window.width(), f"{name} is outside the window"


def test_deleting_the_focused_card_by_keyboard_keeps_the_focus_in_the_conversation(
    window: MainWindow, qtbot: QtBot
) -> None:
    load(
        window,
        [
            {"role": "system", "content": "rules"},
            {"role": "user", "content": "one"},
            {"role": "user", "content": "two"},
        ],
    )
    window.message_list.sync_editors()
    middle = window.message_list.cards()[1]
    middle.findChild(QPlainTextEdit, "contentEdit").setFocus()
    qtbot.waitUntil(lambda: focused_card(window) is middle)

    QTest.keyClick(
        QApplication.focusWidget(),
        Qt.Key.Key_Backspace,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )

    assert [m.content for m in window.workspace.conversation] == ["rules", "two"]
    card = focused_card(window)
    assert card is not None, "the focus left the conversation"
    assert card.findChild(QPlainTextEdit, "contentEdit").toPlainText() == "two"
    # ...so the next keystrokes go on working there: delete the last card too, then undo both.
    QTest.keyClick(
        QApplication.focusWidget(),
        Qt.Key.Key_Backspace,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert [m.content for m in window.workspace.conversation] == ["rules"]
    assert focused_card(window) is not None


def test_the_delete_button_of_the_focused_card_hands_the_focus_on(
    window: MainWindow, qtbot: QtBot
) -> None:
    load(window, [{"role": "user", "content": "one"}, {"role": "assistant", "content": "two"}])
    window.message_list.sync_editors()
    last = window.message_list.cards()[1]
    last.findChild(QPlainTextEdit, "contentEdit").setFocus()
    qtbot.waitUntil(lambda: focused_card(window) is last)
    last.findChild(QToolButton, "deleteMessageButton").click()
    card = focused_card(window)
    assert card is not None
    assert card.findChild(QPlainTextEdit, "contentEdit").toPlainText() == "one"


def test_reasoning_of_a_prefilled_answer_is_shown(
    window: MainWindow, loopback: LoopbackServer, qtbot: QtBot
) -> None:
    load(
        window,
        [
            {"role": "user", "content": "JSON please"},
            {"role": "assistant", "content": "{", "partial": True},
        ],
    )
    # The whole answer arrives within one flush of the run panel.
    loopback.queue(Reply(text='"a": 1}', chunks=1, reasoning="Think first"))
    window.findChild(QWidget, "sendButton").click()
    toggle = window.findChild(QToolButton, "reasoningToggle")
    qtbot.waitUntil(lambda: window.workspace.conversation[-1].content == '{"a": 1}')
    view = window.findChild(QPlainTextEdit, "reasoningView")
    assert view.toPlainText() == "Think first"
    assert not toggle.isHidden()


def test_a_column_named_after_its_model_follows_a_new_model(
    window: MainWindow, qtbot: QtBot
) -> None:
    compare = window.findChild(QWidget, "compareView")
    window.main_tabs.setCurrentWidget(compare)
    add = compare.findChild(QPushButton, "addVariantButton")
    add.click()
    add.click()
    second = compare.findChildren(QFrame, "comparePane")[1]
    label = second.findChild(QLineEdit, "variantLabelEdit")
    assert label.text() == "kimi-k2.6 2"
    model = second.findChild(QComboBox, "variantModelSelector")
    model.lineEdit().selectAll()
    QTest.keyClicks(model.lineEdit(), "moonshot-v1-8k")
    QTest.keyClick(model.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: label.text() == "moonshot-v1-8k")
    assert window.workspace.variants[1].label == "moonshot-v1-8k"
    diff_right = compare.findChild(QComboBox, "diffRightSelector")
    assert "moonshot-v1-8k" in [diff_right.itemText(i) for i in range(diff_right.count())]
    # One undo step puts model and label back; a label the user chose is never touched.
    window.undo_stack.undo()
    qtbot.waitUntil(lambda: label.text() == "kimi-k2.6 2")
    label.setText("Cold")
    QTest.keyClick(label, Qt.Key.Key_Return)
    model.lineEdit().selectAll()
    QTest.keyClicks(model.lineEdit(), "moonshot-v1-32k")
    QTest.keyClick(model.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.workspace.variants[1].model == "moonshot-v1-32k")
    assert window.workspace.variants[1].label == "Cold"


def test_regenerate_replaces_an_answer_that_called_tools(
    window: MainWindow, loopback: LoopbackServer, qtbot: QtBot
) -> None:
    load(window, [{"role": "user", "content": "Is 3214567 prime?"}])
    call = {"id": "CodeRunner:0", "name": "CodeRunner", "arguments": '{"code": "print(1)"}'}
    loopback.queue(Reply(text="", tool_calls=[call], finish_reason="tool_calls"))
    window.findChild(QPushButton, "sendButton").click()
    qtbot.waitUntil(lambda: [m.role for m in window.workspace.conversation][-1] == "tool")
    wait_idle(qtbot, window)

    again = dict(call, arguments='{"code": "print(2)"}')
    loopback.queue(Reply(text="", tool_calls=[again], finish_reason="tool_calls"))
    window.findChild(QPushButton, "regenerateButton").click()
    qtbot.waitUntil(lambda: len(loopback.chat_requests()) == 2)
    wait_idle(qtbot, window)

    # The second request is the first one again: no empty tool result, no old calls.
    assert loopback.chat_requests()[1]["messages"] == loopback.chat_requests()[0]["messages"]
    conversation = window.workspace.conversation
    qtbot.waitUntil(lambda: [m.role for m in conversation] == ["user", "assistant", "tool"])
    assert conversation[1].tool_calls[0]["function"]["arguments"] == '{"code": "print(2)"}'


def test_esc_in_a_card_stops_the_answer_streaming_in(
    window: MainWindow, loopback: LoopbackServer, qtbot: QtBot
) -> None:
    load(window, [{"role": "user", "content": "A long story, please."}])
    window.message_list.sync_editors()
    window.message_list.cards()[0].findChild(QPlainTextEdit, "contentEdit").setFocus()
    loopback.queue(Reply(text=" ".join(f"w{i}" for i in range(200)), chunk_delay=0.02))
    QTest.keyClick(
        QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    conversation = window.workspace.conversation
    qtbot.waitUntil(lambda: len(conversation) == 2 and len(conversation[1].content) > 10)
    status = window.findChild(QLabel, "runStatus")
    assert status.text() == "Streaming…"  # not "Sending…" while the text arrives
    assert focused_card(window) is not None  # the user is still in a card

    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)

    qtbot.waitUntil(lambda: status.text() == "Stopped", timeout=3000)
    assert len(conversation[1].content) < len(" ".join(f"w{i}" for i in range(200)))


def test_ctrl_z_in_a_parameter_field_undoes_the_parameter(window: MainWindow, qtbot: QtBot) -> None:
    load(window, [{"role": "user", "content": "hi"}])
    spin = window.findChild(QSpinBox, "maxTokensSpin")
    spin.setFocus()
    spin.selectAll()
    QTest.keyClicks(spin, "77")
    QTest.keyClick(spin, Qt.Key.Key_Tab)  # applied when the field is left
    assert window.workspace.params.max_tokens == 77

    spin.setFocus()
    QTest.keyClick(spin, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    # The field and what is sent agree: both back to the provider's default.
    assert window.workspace.params.max_tokens is None
    assert spin.text() == "default"
    QTest.keyClick(
        spin, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert window.workspace.params.max_tokens == 77 and spin.text() == "77"


def test_regenerate_after_continue_starts_over_from_the_users_prefix(
    window: MainWindow, loopback: LoopbackServer, qtbot: QtBot
) -> None:
    load(
        window,
        [
            {"role": "user", "content": "JSON"},
            {"role": "assistant", "content": "{", "partial": True},
        ],
    )
    conversation = window.workspace.conversation
    loopback.queue(Reply(text='"name": "Kel', finish_reason="length"))
    window.findChild(QPushButton, "sendButton").click()
    qtbot.waitUntil(lambda: conversation[-1].content == '{"name": "Kel')
    wait_idle(qtbot, window)
    loopback.queue(Reply(text='vin"}'))
    window.findChild(QPushButton, "continueButton").click()
    qtbot.waitUntil(lambda: conversation[-1].content == '{"name": "Kelvin"}')
    wait_idle(qtbot, window)

    loopback.queue(Reply(text='"name": "Mug"}'))
    window.findChild(QPushButton, "regenerateButton").click()
    qtbot.waitUntil(lambda: len(loopback.chat_requests()) == 3)
    wait_idle(qtbot, window)

    assert loopback.chat_requests()[2]["messages"][-1]["content"] == "{"
    qtbot.waitUntil(lambda: conversation[-1].content == '{"name": "Mug"}')


def content_rows_visited(window: MainWindow, key: Qt.Key, presses: int) -> list[int]:
    """Rows whose content editor the focus reached, pressing ``key`` up to ``presses`` times."""
    rows: list[int] = []
    modifier = (
        Qt.KeyboardModifier.ShiftModifier
        if key == Qt.Key.Key_Backtab
        else Qt.KeyboardModifier.NoModifier
    )
    for _ in range(presses):
        QTest.keyClick(QApplication.focusWidget(), key, modifier)
        card = focused_card(window)
        if card is None:
            break
        if QApplication.focusWidget().objectName() == "contentEdit":
            rows.append(window.workspace.conversation.index_of(card.uid))
    return rows


def test_tab_walks_every_card_in_order_both_ways(window: MainWindow, qtbot: QtBot) -> None:
    load(window, [{"role": "user", "content": f"card {i}\nsecond line"} for i in range(30)])
    window.message_list.sync_editors()
    window.message_list.cards()[0].findChild(QPlainTextEdit, "contentEdit").setFocus()

    forward = content_rows_visited(window, Qt.Key.Key_Tab, 30 * 12)

    assert forward == list(range(1, 30))  # every card, in row order, scrolled into view
    # Then out of the list, to the controls below it.
    assert QApplication.focusWidget().objectName() == "addMessageButton"
    last = window.message_list.card_at(29)
    assert last is not None
    last.findChild(QPlainTextEdit, "contentEdit").setFocus()
    backward = content_rows_visited(window, Qt.Key.Key_Backtab, 30 * 12)
    assert backward == list(range(28, -1, -1))
    # Before the first card: the tabs above the conversation.
    assert QApplication.focusWidget().parentWidget() is window.findChild(QTabWidget, "mainTabs")


def test_passing_through_the_parameter_fields_changes_nothing(
    window: MainWindow, qtbot: QtBot
) -> None:
    load(window, [{"role": "user", "content": "hi"}])
    for name in ("modelSelector", "stopEdit"):
        field = window.findChild(QWidget, name)
        field.setFocus()
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert window.undo_stack.count() == 0
    assert not window.isWindowModified()


def test_a_recent_file_deleted_since_is_dropped_from_open_recent(
    window: MainWindow, user_dialogs: Dialogs, tmp_path: Path
) -> None:
    saved = tmp_path / "gone.prompt.json"
    load(window, [{"role": "user", "content": "hi"}])
    user_dialogs.save_paths.append(str(saved))
    window.menus.save_as_action.trigger()
    window.menus.new_action.trigger()
    saved.unlink()
    window.menus.recent_menu.actions()[0].trigger()
    assert "moved or deleted" in user_dialogs.errors[-1]
    assert str(saved.resolve()) not in [a.text() for a in window.menus.recent_menu.actions()]
    assert not window.menus.recent_menu.isEnabled()


def test_history_search_and_reopen_by_keyboard(
    window: MainWindow, loopback: LoopbackServer, user_dialogs: Dialogs, qtbot: QtBot
) -> None:
    load(window, [{"role": "user", "content": "Banana split?"}])
    loopback.queue(Reply(text="Ice cream and bananas."))
    window.findChild(QPushButton, "sendButton").click()
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: len(window.workspace.conversation) == 2)
    panel = window.findChild(QWidget, "historyPanel")
    window.main_tabs.setCurrentWidget(panel)
    search = panel.findChild(QLineEdit, "historySearch")
    runs = panel.findChild(QListWidget, "historyList")
    search.setFocus()
    with qtbot.waitSignal(panel.listed, timeout=5000):
        QTest.keyClicks(search, "banana")
    # The match is selected and shown without a click...
    assert runs.currentRow() == 0
    assert "Ice cream" in panel.findChild(QPlainTextEdit, "historyDetail").toPlainText()
    window.workspace.conversation.update(0, content="changed since")
    user_dialogs.answers.append(dialogs.Button.Discard)
    # ...and Down then Return reopen it.
    QTest.keyClick(search, Qt.Key.Key_Down)
    assert runs.hasFocus()
    QTest.keyClick(runs, Qt.Key.Key_Return)
    assert [m.content for m in window.workspace.conversation] == [
        "Banana split?",
        "Ice cream and bananas.",
    ]
    wait_idle(qtbot, window)


def test_a_pasted_openai_request_goes_to_the_provider_of_its_model(
    window: MainWindow, qtbot: QtBot
) -> None:
    from PySide6.QtGui import QGuiApplication

    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}
    QGuiApplication.clipboard().setText(json.dumps(body))
    window.menus.paste_action.trigger()
    assert window.workspace.params.model == "gpt-4o"
    assert window.workspace.params.provider == "openai"
    assert window.findChild(QComboBox, "providerSelector").currentData() == "openai"
    # A workspace file keeps the provider it names, whatever its model.
    own = {
        "format": "prompt-workbench/1",
        "messages": [{"role": "user", "content": "Hi"}],
        "params": {"provider": LOOP_ID, "model": "gpt-4o"},
    }
    QGuiApplication.clipboard().setText(json.dumps(own))
    window.undo_stack.setClean()
    window.menus.paste_action.trigger()
    assert window.workspace.params.provider == LOOP_ID


def test_closing_the_window_mid_run_stops_the_run_quietly(
    qloop: asyncio.AbstractEventLoop,
    loopback: LoopbackServer,
    memory_keyring: MemoryKeyring,
    user_dialogs: Dialogs,
    qtbot: QtBot,
) -> None:
    window = MainWindow()
    window.show()
    qtbot.waitExposed(window)
    loopback.api_key = SECRET
    memory_keyring.set_password(SERVICE, LOOP_ID, SECRET)
    add_loop_provider(window, loopback)
    load(window, [{"role": "user", "content": "A long story"}])
    window.workspace.conversation.update(0, content="A long story, please")  # unsaved
    window.undo_stack.resetClean()
    loopback.queue(Reply(text=" ".join(f"w{i}" for i in range(300)), chunk_delay=0.02))
    window.findChild(QPushButton, "sendButton").click()
    qtbot.waitUntil(lambda: len(window.workspace.conversation) == 2)
    controller = window.run_controller
    assert controller is not None
    (ticket,) = controller._tickets
    user_dialogs.answers.append(dialogs.Button.Discard)

    window.close()
    window.deleteLater()

    # The run ends at once, and neither it nor the undo stack reaches the deleted window
    # (pytest-qt fails the test on an exception raised in a Qt callback).
    qtbot.waitUntil(lambda: ticket.done, timeout=1500)  # the answer needed 6 s more
    assert ticket.result is not None and ticket.result.interrupted
    qtbot.wait(100)


def test_a_small_prompt_still_shows_on_the_token_meter(window: MainWindow, qtbot: QtBot) -> None:
    from workbench.ui.tokens.token_meter import segment_colour

    load(window, [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])
    bar = window.findChild(QWidget, "tokenMeter")
    qtbot.waitUntil(lambda: bar.segments.get("system", 0) > 0)
    assert bar.context_window == 131_072  # a few tokens of a big window
    image = bar.grab().toImage()
    row = image.height() // 2
    painted = {image.pixel(x, row) for x in range(image.width())}
    for name in ("system", "messages", "reserved"):
        assert segment_colour(name).rgb() in painted, name


def test_an_invalid_paste_is_refused_before_asking_to_save_the_current_work(
    window: MainWindow, user_dialogs: Dialogs
) -> None:
    from PySide6.QtGui import QGuiApplication

    window.editor.append("user")  # unsaved work
    assert window.document.modified
    QGuiApplication.clipboard().setText('{"model": "gpt-4o", "messages": "not a list"}')
    window.menus.paste_action.trigger()  # no answers queued: a save question would fail the test
    assert user_dialogs.questions == []
    assert len(user_dialogs.errors) == 1 and "messages" in user_dialogs.errors[0]


def test_a_paste_says_what_the_import_changed(window: MainWindow) -> None:
    from PySide6.QtGui import QGuiApplication

    body = {
        "model": "gpt-4o",
        "messages": [{"role": "developer", "content": "Terse."}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}},
    }
    QGuiApplication.clipboard().setText(json.dumps(body))
    window.undo_stack.setClean()
    window.menus.paste_action.trigger()
    shown = window.statusBar().currentMessage()
    assert "developer" in shown and "response_format" in shown


def test_a_pasted_request_shows_its_max_completion_tokens_and_extra_parameters(
    window: MainWindow,
) -> None:
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QSpinBox

    body = {
        "model": "moonshot-v1-8k",
        "messages": [{"role": "user", "content": "Hi"}],
        "max_completion_tokens": 3000,
        "seed": 7,
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}},
        "provider": {"order": ["a"]},
    }
    QGuiApplication.clipboard().setText(json.dumps(body))
    window.undo_stack.setClean()
    window.menus.paste_action.trigger()
    spin = window.findChild(QSpinBox, "maxTokensSpin")
    assert spin is not None and spin.value() == 3000
    extra = window.findChild(QLabel, "extraParamsLabel")
    assert extra is not None and extra.isVisibleTo(window)
    shown = extra.text()
    assert "seed=7" in shown and "response_format: json_schema" in shown and "provider" in shown


def test_the_add_message_arrow_offers_each_role(open_window, qtbot: QtBot) -> None:
    """The arrow beside Add message opens one entry per role (made when it first opens)."""
    window = open_window()
    button = window.findChild(QToolButton, "addMessageButton")
    menu = button.menu()
    menu.aboutToShow.emit()
    menu.aboutToShow.emit()  # opened again: the same entries, not twice as many
    texts = [action.text() for action in menu.actions()]
    assert texts == [f"Add {role} message" for role in ("system", "user", "assistant", "tool")]
    before = len(window.workspace.conversation)
    menu.actions()[2].trigger()
    assert len(window.workspace.conversation) == before + 1
    assert window.workspace.conversation[before].role == "assistant"
