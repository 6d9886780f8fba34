"""Regenerate keeps every answer: the old one stays until the new arrives, then both are on
the card (◀ 2/2 ▶), the shown one is sent and saved, and each step can be undone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QToolButton
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Dialogs
from tests.ui.run_helpers import LOOP_ID, load, wait_idle
from workbench.core.workspace_files import load_workspace
from workbench.loopback_server import LoopbackServer, Reply
from workbench.ui.conversation.message_card import MessageCard
from workbench.ui.run.run_controller import RunController
from workbench.ui.shell.main_window import MainWindow


@pytest.fixture
def window(loop_window: MainWindow) -> MainWindow:
    return loop_window


def controller(window: MainWindow) -> RunController:
    assert isinstance(window.run_controller, RunController)
    return window.run_controller


def run(qtbot: QtBot, window: MainWindow, name: str) -> Any:
    with qtbot.waitSignal(controller(window).run_finished, timeout=10_000) as finished:
        qtbot.mouseClick(window.findChild(QPushButton, name), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    return finished.args[0]


def regenerate(qtbot: QtBot, window: MainWindow) -> Any:
    return run(qtbot, window, "regenerateButton")


def card(window: MainWindow, row: int) -> MessageCard:
    window.message_list.sync_editors()
    found = window.message_list.card_at(row)
    assert found is not None
    return found


def arrows(found: MessageCard) -> tuple[QToolButton, QLabel, QToolButton]:
    previous = found.findChild(QToolButton, "previousAlternateButton")
    label = found.findChild(QLabel, "alternateLabel")
    following = found.findChild(QToolButton, "nextAlternateButton")
    assert previous is not None and label is not None and following is not None
    return previous, label, following


def contents(window: MainWindow) -> list[str]:
    return [m.content for m in window.workspace.conversation]


def test_regenerate_keeps_the_old_answer_as_an_alternate_of_the_same_card(
    qtbot: QtBot,
    window: MainWindow,
    loopback: LoopbackServer,
    user_dialogs: Dialogs,
    tmp_path: Path,
) -> None:
    load(window, [{"role": "user", "content": "Pick a number"}])
    loopback.queue(Reply(text="Seven."), Reply(text="Three."))
    run(qtbot, window, "sendButton")
    previous, label, following = arrows(card(window, 1))
    assert not label.isVisible()  # one answer: no arrows

    regenerate(qtbot, window)
    assert contents(window) == ["Pick a number", "Three."]
    answer = card(window, 1)
    previous, label, following = arrows(answer)
    assert label.isVisible() and label.text() == "2/2"
    assert previous.isEnabled() and not following.isEnabled()

    qtbot.mouseClick(previous, Qt.MouseButton.LeftButton)
    assert contents(window) == ["Pick a number", "Seven."]
    assert arrows(card(window, 1))[1].text() == "1/2"

    # The shown answer is the one sent next and the one saved.
    window.editor.append("user", "Why?")
    loopback.queue(Reply(text="Because."))
    run(qtbot, window, "sendButton")
    sent = loopback.chat_requests()[-1]["messages"]
    assert sent[1] == {"role": "assistant", "content": "Seven."}
    path = tmp_path / "numbers.prompt.json"
    user_dialogs.save_paths.append(str(path))
    assert window.save()
    saved = json.loads(path.read_text())["messages"][1]
    assert saved["content"] == "Seven." and saved["alternates"] == ["Three."]
    assert load_workspace(path).conversation[1].alternates == ["Three."]


def test_keyboard_steps_through_alternates_and_undo_takes_each_step_back(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer
) -> None:
    load(window, [{"role": "user", "content": "Pick a colour"}])
    loopback.queue(Reply(text="Red."), Reply(text="Green."), Reply(text="Blue."))
    run(qtbot, window, "sendButton")
    regenerate(qtbot, window)
    regenerate(qtbot, window)
    assert arrows(card(window, 1))[1].text() == "3/3"

    edit = card(window, 1).content_edit
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(card(window, 1).content_edit, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert contents(window)[1] == "Red."
    assert arrows(card(window, 1))[1].text() == "1/3"
    qtbot.keyClick(card(window, 1).content_edit, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert contents(window)[1] == "Green."

    undo = window.undo_stack
    undo.undo()
    assert contents(window)[1] == "Red."
    undo.undo()
    undo.undo()
    assert contents(window)[1] == "Blue."
    undo.undo()  # the third answer goes, the second is back alone with the first
    assert contents(window)[1] == "Green."
    assert window.workspace.conversation[1].alternates == ["Red."]
    undo.redo()
    assert contents(window)[1] == "Blue."
    assert window.workspace.conversation[1].alternates == ["Red.", "Green."]


@pytest.mark.parametrize(
    ("reply", "setup"),
    [
        (
            Reply(status=401, error_type="invalid_authentication_error", error_message="bad key"),
            None,
        ),
        (None, "temperature"),
        (None, "no key"),
    ],
    ids=["server refuses", "request refused", "no key"],
)
def test_a_regenerate_that_gets_no_answer_leaves_the_old_one(
    qtbot: QtBot,
    window: MainWindow,
    loopback: LoopbackServer,
    memory_keyring: Any,
    reply: Reply | None,
    setup: str | None,
) -> None:
    load(window, [{"role": "user", "content": "Pick a number"}])
    loopback.queue(Reply(text="Seven."))
    run(qtbot, window, "sendButton")
    before = window.workspace.to_json()
    steps = window.undo_stack.count()

    if reply is not None:
        loopback.queue(reply)
        regenerate(qtbot, window)
        assert "bad key" in window.findChild(QLabel, "runError").text()
    elif setup == "temperature":
        window.workspace.set_param("temperature", 1.7)  # Moonshot takes 0..1
        before = window.workspace.to_json()
        window.findChild(QPushButton, "regenerateButton").click()
        problems = window.findChild(QLabel, "sendProblems")
        assert problems.isVisible() and "temperature" in problems.text()
    else:
        from workbench.core.secrets import SERVICE

        memory_keyring.delete_password(SERVICE, LOOP_ID)
        window.findChild(QPushButton, "regenerateButton").click()
        error = window.findChild(QLabel, "runError")
        qtbot.waitUntil(lambda: "No API key" in error.text())
        wait_idle(qtbot, window)

    assert window.workspace.to_json() == before
    assert contents(window) == ["Pick a number", "Seven."]
    assert window.undo_stack.count() == steps


def test_regenerate_after_reopening_a_file_keeps_the_prefix_and_the_name(
    qtbot: QtBot,
    window: MainWindow,
    loopback: LoopbackServer,
    user_dialogs: Dialogs,
    tmp_path: Path,
) -> None:
    load(
        window,
        [
            {"role": "user", "content": "Greet me in character"},
            {"role": "assistant", "content": "Arr,", "name": "Kelsier", "partial": True},
        ],
    )
    loopback.queue(Reply(text=" ahoy!"))
    run(qtbot, window, "sendButton")
    path = tmp_path / "pirate.prompt.json"
    user_dialogs.save_paths.append(str(path))
    assert window.save()

    window.document.new()
    assert window.open_path(path)
    loopback.queue(Reply(text=" matey!"))
    regenerate(qtbot, window)

    sent = loopback.chat_requests()[-1]["messages"][-1]
    assert sent == {"role": "assistant", "content": "Arr,", "name": "Kelsier", "partial": True}
    answer = window.workspace.conversation[1]
    assert (answer.content, answer.name, answer.partial) == ("Arr, matey!", "Kelsier", False)
    assert answer.alternates == ["Arr, ahoy!"]
    # The prefix is still highlighted after the reopen.
    marks = card(window, 1).content_edit.extraSelections()
    assert [(m.cursor.selectionStart(), m.cursor.selectionEnd()) for m in marks] == [(0, 4)]


def test_regenerate_a_run_reopened_from_the_history_keeps_its_prefix(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer, user_dialogs: Dialogs
) -> None:
    from workbench.ui.history.history_panel import HistoryPanel

    load(
        window,
        [
            {"role": "user", "content": "JSON please"},
            {"role": "assistant", "content": "{", "name": "extractor", "partial": True},
        ],
    )
    loopback.queue(Reply(text='"a": 1}'))
    with qtbot.waitSignal(controller(window).run_recorded, timeout=10_000):
        window.findChild(QPushButton, "sendButton").click()
    panel = window.findChild(HistoryPanel, "historyPanel")
    with qtbot.waitSignal(panel.listed, timeout=5000):
        window.main_tabs.setCurrentWidget(panel)
    panel.run_list.setCurrentRow(0)
    user_dialogs.answers.append(user_dialogs_discard())
    qtbot.mouseClick(panel.reopen_button, Qt.MouseButton.LeftButton)
    assert contents(window) == ["JSON please", '{"a": 1}']

    loopback.queue(Reply(text='"a": 2}'))
    regenerate(qtbot, window)
    sent = loopback.chat_requests()[-1]["messages"][-1]
    assert sent == {"role": "assistant", "content": "{", "name": "extractor", "partial": True}
    assert contents(window) == ["JSON please", '{"a": 2}']


def user_dialogs_discard() -> Any:
    from workbench.ui.common import dialogs

    return dialogs.Button.Discard


def test_a_card_with_alternates_looks_right(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer
) -> None:
    load(window, [{"role": "user", "content": "Name a lamp, briefly."}])
    loopback.queue(Reply(text="Lumen."), Reply(text="Glowbert, the lamp that never sleeps."))
    run(qtbot, window, "sendButton")
    regenerate(qtbot, window)
    previous, label, following = arrows(card(window, 1))
    assert label.isVisible() and label.text() == "2/2"
    header = card(window, 1).rect()
    for widget in (previous, label, following):
        assert widget.width() > 0 and widget.isVisibleTo(window)
        # Inside the card, not clipped by its edge.
        corner = widget.mapTo(card(window, 1), widget.rect().bottomRight())
        assert header.contains(corner)
