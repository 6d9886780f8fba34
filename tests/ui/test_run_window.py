"""Send, Stop, Regenerate and errors in the window, against the loopback server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
)
from pytestqt.qtbot import QtBot

from tests.memory_keyring import MemoryKeyring
from tests.ui.conftest import Dialogs
from tests.ui.run_helpers import (
    LOOP_ENV,
    SECRET,
    load,
)
from workbench.core import paths
from workbench.loopback_server import LoopbackServer, Reply
from workbench.ui.common import dialogs
from workbench.ui.run.run_controller import RunController
from workbench.ui.shell.main_window import MainWindow


@pytest.fixture
def window(loop_window: MainWindow) -> MainWindow:
    """This module's window: a loopback provider chosen, its key in the keyring."""
    return loop_window


def controller(window: MainWindow) -> RunController:
    assert isinstance(window.run_controller, RunController)
    return window.run_controller


def label(window: MainWindow, name: str) -> QLabel:
    found = window.findChild(QLabel, name)
    assert found is not None, name
    return found


def button(window: MainWindow, name: str) -> QPushButton:
    found = window.findChild(QPushButton, name)
    assert found is not None, name
    return found


def send_and_wait(qtbot: QtBot, window: MainWindow, timeout: int = 10_000) -> Any:
    with qtbot.waitSignal(controller(window).run_finished, timeout=timeout) as blocker:
        qtbot.mouseClick(button(window, "sendButton"), Qt.MouseButton.LeftButton)
    return blocker.args[0]


def test_send_streams_the_answer_into_a_new_assistant_card(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer
) -> None:
    load(window, [{"role": "user", "content": "Say hello"}])
    text = "Hello there, this answer streams in many small pieces."
    loopback.queue(
        Reply(text=text, chunks=40, chunk_delay=0.005, reasoning="thinking about a greeting")
    )
    seen: list[str] = []
    window.workspace.conversation.changed.connect(
        lambda index, _names: seen.append(window.workspace.conversation[index].content)
    )

    result = send_and_wait(qtbot, window)

    conversation = window.workspace.conversation
    assert len(conversation) == 2
    assert conversation[1].role == "assistant"
    assert conversation[1].content == text
    assert result.error is None
    # Pieces were batched: fewer card updates than chunks, but the card did grow.
    assert 1 <= len(seen) < 40
    metrics = label(window, "runMetrics").text()
    assert "TTFT" in metrics and "tok" in metrics and "finish: stop" in metrics
    assert "$" in metrics  # moonshot-v1-128k has prices in the catalog
    # The reasoning is kept apart from the answer, collapsed.
    assert "thinking" not in conversation[1].content
    toggle = window.findChild(QToolButton, "reasoningToggle")
    view = window.findChild(QPlainTextEdit, "reasoningView")
    assert toggle is not None and view is not None
    assert toggle.isVisible() and not view.isVisible()
    toggle.click()
    assert view.isVisible() and "thinking about a greeting" in view.toPlainText()
    # One undo step removes the answer.
    window.undo_stack.undo()
    assert len(conversation) == 1
    # The key travelled as the bearer token and nowhere in the body.
    chat = next(r for r in loopback.requests if r.path.endswith("/chat/completions"))
    headers = {name.lower(): value for name, value in chat.headers.items()}
    assert headers["authorization"] == f"Bearer {SECRET}"
    assert SECRET not in json.dumps(chat.body)


def test_partial_card_shows_prefix_and_continuation_as_one_message(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer
) -> None:
    load(
        window,
        [
            {"role": "user", "content": "Give me JSON"},
            {"role": "assistant", "content": "{", "partial": True},
        ],
    )
    loopback.queue(Reply(text='"name": "Ada"}', chunks=5))

    send_and_wait(qtbot, window)

    conversation = window.workspace.conversation
    assert len(conversation) == 2  # no new card: the prefilled one holds the answer
    assert conversation[1].content == '{"name": "Ada"}'
    assert not conversation[1].partial
    sent = loopback.chat_requests()[-1]["messages"][-1]
    assert sent == {"role": "assistant", "content": "{", "partial": True}
    prefix = label(window, "prefixLabel")
    assert prefix.isVisible() and prefix.text() == "prefilled: {"
    card = window.message_list.card_at(1)
    assert card is not None
    marks = card.content_edit.extraSelections()
    assert [(m.cursor.selectionStart(), m.cursor.selectionEnd()) for m in marks] == [(0, 1)]
    # Undo puts the prefix back, partial again, ready to resend.
    window.undo_stack.undo()
    assert conversation[1].content == "{" and conversation[1].partial


def test_regenerate_a_prefilled_answer_starts_again_from_its_prefix(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer
) -> None:
    load(
        window,
        [
            {"role": "user", "content": "Greet me in character"},
            {"role": "assistant", "content": "Arr,", "partial": True},
        ],
    )
    loopback.queue(Reply(text=" ahoy!"), Reply(text=" matey!"))
    send_and_wait(qtbot, window)

    with qtbot.waitSignal(controller(window).run_finished, timeout=10_000):
        qtbot.mouseClick(button(window, "regenerateButton"), Qt.MouseButton.LeftButton)

    requests = loopback.chat_requests()
    assert [r["messages"][-1]["content"] for r in requests] == ["Arr,", "Arr,"]
    assert [m.content for m in window.workspace.conversation] == [
        "Greet me in character",
        "Arr, matey!",
    ]


def test_stop_mid_stream_keeps_the_text_marked_interrupted(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer
) -> None:
    load(window, [{"role": "user", "content": "Write a lot"}])
    text = " ".join(f"word{i}" for i in range(400))
    loopback.queue(Reply(text=text, chunks=400, chunk_delay=0.01))
    conversation = window.workspace.conversation
    stop = button(window, "stopButton")
    assert not stop.isEnabled()

    qtbot.mouseClick(button(window, "sendButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(conversation) == 2 and len(conversation[1].content) > 20)
    assert stop.isEnabled() and not button(window, "sendButton").isEnabled()
    with qtbot.waitSignal(controller(window).run_finished, timeout=3000) as blocker:
        window.menus.stop_action.trigger()  # Esc

    result = blocker.args[0]
    assert result.interrupted
    kept = conversation[1].content
    assert kept and text.startswith(kept) and kept != text
    assert "interrupted" in label(window, "runMetrics").text()
    assert label(window, "runStatus").text() == "Stopped"
    assert button(window, "sendButton").isEnabled() and not stop.isEnabled()


def test_rate_limit_retry_is_visible_then_the_answer_arrives(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer
) -> None:
    load(window, [{"role": "user", "content": "Hi"}])
    loopback.queue(
        Reply(
            status=429,
            error_type="rate_limit_reached_error",
            error_message="Too many requests",
            headers={"Retry-After": "0"},
        ),
        Reply(text="Made it."),
    )
    statuses: list[str] = []
    controller(window).status_changed.connect(statuses.append)

    result = send_and_wait(qtbot, window)

    assert result.error is None
    assert window.workspace.conversation[-1].content == "Made it."
    assert statuses and any("retry" in s.lower() or "429" in s for s in statuses)
    assert len(loopback.chat_requests()) == 2


def test_a_401_is_explained_and_the_app_stays_usable(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer
) -> None:
    load(window, [{"role": "user", "content": "Hi"}])
    loopback.queue(
        Reply(
            status=401,
            error_type="invalid_authentication_error",
            error_message=f"Invalid Authentication for {SECRET}",
        ),
        Reply(text="Second try works."),
    )

    result = send_and_wait(qtbot, window)

    error = label(window, "runError")
    assert error.isVisible()
    assert "401" in error.text() or "key" in error.text().lower()
    assert SECRET not in error.text()
    assert result.error and len(window.workspace.conversation) == 1  # no empty answer card
    assert button(window, "sendButton").isEnabled()

    send_and_wait(qtbot, window)
    assert window.workspace.conversation[-1].content == "Second try works."
    assert not label(window, "runError").isVisible()


def test_no_key_says_where_to_put_one(
    qtbot: QtBot, window: MainWindow, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.passwords.clear()
    load(window, [{"role": "user", "content": "Hi"}])

    qtbot.mouseClick(button(window, "sendButton"), Qt.MouseButton.LeftButton)

    error = label(window, "runError")
    qtbot.waitUntil(error.isVisible)
    assert "No API key for Loopback" in error.text() and LOOP_ENV in error.text()
    assert button(window, "sendButton").isEnabled()

    # The error carries the fix: the provider dialog at this provider's key field.
    add_key = button(window, "addKeyButton")
    assert add_key.isVisible()
    qtbot.mouseClick(add_key, Qt.MouseButton.LeftButton)
    dialog = window.findChild(QDialog, "providerDialog")
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.current_id() == window.workspace.params.provider
    key_edit = dialog.findChild(QLineEdit, "apiKeyEdit")
    qtbot.waitUntil(lambda: dialog.focusWidget() is key_edit)
    dialog.close()


def test_regenerate_replaces_the_last_answer(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer
) -> None:
    load(window, [{"role": "user", "content": "Pick a number"}])
    loopback.queue(Reply(text="Seven."), Reply(text="Three."))
    send_and_wait(qtbot, window)

    with qtbot.waitSignal(controller(window).run_finished, timeout=10_000):
        qtbot.mouseClick(button(window, "regenerateButton"), Qt.MouseButton.LeftButton)

    contents = [m.content for m in window.workspace.conversation]
    assert contents == ["Pick a number", "Three."]


def test_continue_sends_the_cut_answer_back_as_partial(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer
) -> None:
    load(window, [{"role": "user", "content": "Count"}])
    loopback.queue(Reply(text="one two", finish_reason="length"), Reply(text=" three"))
    send_and_wait(qtbot, window)
    continue_button = button(window, "continueButton")
    assert continue_button.isVisible() and continue_button.isEnabled()

    with qtbot.waitSignal(controller(window).run_finished, timeout=10_000):
        qtbot.mouseClick(continue_button, Qt.MouseButton.LeftButton)

    sent = loopback.chat_requests()[-1]["messages"][-1]
    assert sent == {"role": "assistant", "content": "one two", "partial": True}
    assert [m.content for m in window.workspace.conversation] == ["Count", "one two three"]


def test_partial_is_refused_for_a_provider_that_cannot_prefill(
    qtbot: QtBot, window: MainWindow
) -> None:
    load(
        window,
        [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "{"}],
    )
    window.workspace.set_param("provider", "openai")
    window.message_list.sync_editors()
    card = window.message_list.card_at(1)
    assert card is not None
    assert not card.partial_toggle.isEnabled()
    assert "OpenAI cannot prefill" in card.partial_toggle.toolTip()


def test_runs_are_recorded_in_the_history_without_the_key(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer, user_dialogs: Dialogs
) -> None:
    load(window, [{"role": "user", "content": "Remember me"}])
    loopback.queue(Reply(text="Noted."))
    with qtbot.waitSignal(controller(window).run_recorded, timeout=10_000):
        qtbot.mouseClick(button(window, "sendButton"), Qt.MouseButton.LeftButton)

    for path in paths.data_dir().rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path

    # The History tab lists the run and reopens it as a new, unsaved workspace.
    from workbench.ui.history.history_panel import HistoryPanel

    panel = window.findChild(HistoryPanel, "historyPanel")
    assert panel is not None
    with qtbot.waitSignal(panel.listed, timeout=5000) as listed:
        window.main_tabs.setCurrentWidget(panel)
    assert listed.args == [1]
    assert "Noted." in panel.run_list.item(0).text()
    with qtbot.waitSignal(panel.listed, timeout=5000) as searched:
        panel.search_edit.setText("no such words")
    assert searched.args == [0]
    with qtbot.waitSignal(panel.listed, timeout=5000):
        panel.search_edit.setText("remember")
    panel.run_list.setCurrentRow(0)
    window.workspace.conversation.update(0, content="changed since")
    user_dialogs.answers.append(dialogs.Button.Discard)

    qtbot.mouseClick(panel.reopen_button, Qt.MouseButton.LeftButton)

    contents = [(m.role, m.content) for m in window.workspace.conversation]
    assert contents == [("user", "Remember me"), ("assistant", "Noted.")]
    assert window.document.path is None and window.document.modified
    assert window.main_tabs.currentIndex() == 0


def test_copy_as_code_puts_the_exact_request_on_the_clipboard_without_the_key(
    qtbot: QtBot, window: MainWindow
) -> None:
    from PySide6.QtGui import QAction, QGuiApplication

    load(
        window,
        [
            {"role": "user", "content": "Give me JSON"},
            {"role": "assistant", "content": "{", "partial": True},
        ],
    )
    action = window.findChild(QAction, "copyAsCurlAction")
    assert action is not None
    action.trigger()

    text = QGuiApplication.clipboard().text()
    assert "curl" in text and '"partial": true' in text and LOOP_ENV in text
    assert SECRET not in text


def test_a_failed_history_write_is_shown_on_that_run(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from workbench.core.history import HistoryStore

    def full_disk(*_args: object, **_kwargs: object) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(HistoryStore, "record", full_disk)
    load(window, [{"role": "user", "content": "Remember me"}])
    loopback.queue(Reply(text="Noted."))
    result = send_and_wait(qtbot, window)

    # The answer is kept; the run panel says that this run is not in the history, and why.
    assert result.error is None and window.workspace.conversation[-1].content == "Noted."
    note = label(window, "runHistoryError")
    qtbot.waitUntil(note.isVisible, timeout=5000)
    assert "not saved in the history" in note.text() and "disk is full" in note.text()
    assert label(window, "runStatus").text() == "Done"


def test_send_waits_visibly_for_a_slot_of_its_provider(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer
) -> None:
    from workbench.core.sessions import RunEngine

    engine: RunEngine = window.context.run_engine
    engine.limiter.limit = 1
    load(window, [{"role": "user", "content": "Hi"}])
    provider = window.workspace.params.provider
    loopback.queue(Reply(text="first " * 20, chunks=20, chunk_delay=0.03), Reply(text="second"))
    # Another feature (Compare, evaluation) holds the provider's only slot.
    holder = controller(window).start_run(engine.prepare(window.workspace).request, SECRET)
    qtbot.waitUntil(lambda: engine.limiter.active(provider) == 1, timeout=5000)
    qtbot.mouseClick(button(window, "sendButton"), Qt.MouseButton.LeftButton)

    status = label(window, "runStatus")
    qtbot.waitUntil(lambda: "Waiting" in status.text(), timeout=5000)
    assert engine.limiter.waiting(provider) == 1
    qtbot.waitUntil(lambda: status.text() == "Done", timeout=10_000)
    assert holder.ticket is not None and holder.ticket.result is not None
    assert window.workspace.conversation[-1].content == "second"


def test_the_history_lets_go_of_a_long_run_once_shown_and_still_reopens_it(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer, user_dialogs: Dialogs
) -> None:
    from workbench.ui.history.history_panel import KEEP_CHARS, HistoryPanel

    load(window, [{"role": "user", "content": "Write a book"}])
    book = "A page of the book.\n" * (KEEP_CHARS // 10)  # twice what the panel keeps
    loopback.queue(Reply(text=book, chunks=40))
    panel = window.findChild(HistoryPanel, "historyPanel")
    assert panel is not None
    with qtbot.waitSignal(panel.listed, timeout=20_000):
        qtbot.mouseClick(button(window, "sendButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "A page of the book." in panel.detail.toPlainText(), timeout=5000)
    # Shown, then not kept: the newest run stays selected, and would keep its answer in memory.
    assert panel.current_entry() is None
    assert panel.reopen_button.isEnabled()
    window.undo_stack.setClean()
    user_dialogs.answers.append(dialogs.Button.Discard)
    panel.reopen_current()  # read again for Reopen
    qtbot.waitUntil(lambda: window.document.path is None and window.document.modified)
    assert [(m.role, m.content) for m in window.workspace.conversation] == [
        ("user", "Write a book"),
        ("assistant", book),
    ]
