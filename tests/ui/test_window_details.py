"""Smaller things a user sees: the About box, what New and Open leave behind, the meter's text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Dialogs
from tests.ui.run_helpers import load, wait_idle
from workbench.core.tools import CODE_RUNNER
from workbench.core.workspace import ToolEntry
from workbench.loopback_server import LoopbackServer, Reply
from workbench.ui.common import dialogs
from workbench.ui.shell.main_window import MainWindow
from workbench.ui.tokens.token_meter import TokenMeter


def test_about_shows_the_app_icon_not_a_warning(
    open_window: type[MainWindow], user_dialogs: Dialogs, qtbot: QtBot
) -> None:
    window = open_window()
    seen: list[tuple[QMessageBox.Icon, bool, str]] = []

    def close_the_box() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append((box.icon(), box.iconPixmap().isNull(), box.text()))
            box.accept()

    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(close_the_box)
    poll.start()
    try:
        window.findChild(QAction, "aboutAction").trigger()
        qtbot.waitUntil(lambda: bool(seen), timeout=2000)
    finally:
        poll.stop()

    icon, no_pixmap, text = seen[0]
    assert icon != QMessageBox.Icon.Warning
    assert not no_pixmap  # the app's own icon (or the information sign)
    assert text.startswith("Prompt Workbench")
    assert user_dialogs.errors == []  # not reported as an error


@pytest.mark.parametrize("how", ["new", "open"])
def test_new_and_open_forget_the_last_run_and_the_tool_shown(
    how: str,
    loop_window: MainWindow,
    loopback: LoopbackServer,
    user_dialogs: Dialogs,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    window = loop_window
    load(window, [{"role": "user", "content": "Is 3214567 prime?"}])
    window.workspace.set_tools([ToolEntry(CODE_RUNNER)])
    loopback.queue(Reply(text="It is not: 3214567 =", finish_reason="length"))
    window.findChild(QPushButton, "sendButton").click()
    panel = window.findChild(QFrame, "runPanel")
    regenerate = window.findChild(QPushButton, "regenerateButton")
    continue_button = window.findChild(QPushButton, "continueButton")
    qtbot.waitUntil(lambda: continue_button.isVisible() and regenerate.isEnabled())
    wait_idle(qtbot, window)
    assert window.findChild(QLineEdit, "toolNameEdit").text() == "CodeRunner"

    other = tmp_path / "other.prompt.json"
    other.write_text(
        json.dumps(
            {"format": "prompt-workbench/1", "messages": [{"role": "user", "content": "Hi"}]}
        ),
        "utf-8",
    )
    user_dialogs.answers.append(dialogs.Button.Discard)  # the unsaved conversation
    if how == "new":
        window.findChild(QAction, "newAction").trigger()
    else:
        user_dialogs.open_paths.append(str(other))
        window.findChild(QAction, "openAction").trigger()
    assert [m.content for m in window.workspace.conversation] == ([] if how == "new" else ["Hi"])

    assert not panel.isVisible()
    assert not regenerate.isEnabled()
    assert not continue_button.isVisible()
    assert not window.findChild(QAction, "continueAction").isEnabled()
    # The Tools tab shows the new workspace's (no) tools, the form included.
    assert window.findChild(QListWidget, "toolList").count() == 0
    assert window.findChild(QLineEdit, "toolNameEdit").text() == ""
    assert window.findChild(QLineEdit, "toolDescriptionEdit").text() == ""
    assert window.findChild(QTableWidget, "toolParamsTable").rowCount() == 0


def settle() -> None:
    """Lets every pending layout pass run (a label's new height travels up one level a pass)."""
    for _ in range(10):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        QApplication.processEvents()


def test_the_parameters_stay_put_while_the_meter_figures_grow(
    open_window: type[MainWindow], qtbot: QtBot
) -> None:
    window = open_window()
    window.findChild(QSplitter).setSizes([2000, 1])  # the Parameters column at its narrowest
    window.editor.append("user")
    edit = window.message_list.cards()[0].findChild(QPlainTextEdit, "contentEdit")
    qtbot.keyClicks(edit, "Hi")
    meter = window.findChild(TokenMeter)
    count = window.findChild(QLabel, "tokenCountLabel")
    qtbot.waitUntil(lambda: meter.reading is not None and meter.reading.prompt_tokens < 100)
    settle()
    model = window.findChild(QWidget, "modelSelector")
    before = model.mapTo(window, QPoint(0, 0))
    short = count.text()

    edit.setPlainText("word " * 30_000)
    qtbot.waitUntil(lambda: meter.reading is not None and meter.reading.prompt_tokens > 10_000)
    settle()

    # The premise: the figures' line fitted on one line and now needs two.
    width = count.contentsRect().width()
    assert count.fontMetrics().horizontalAdvance(short) <= width
    assert count.fontMetrics().horizontalAdvance(count.text()) > width
    assert model.mapTo(window, QPoint(0, 0)) == before
