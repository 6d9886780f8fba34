"""A long answer's text does not outlive its card: deleted or closed, no hidden card keeps it."""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtWidgets import QToolButton
from pytestqt.qtbot import QtBot

from workbench.ui.conversation.message_card import MessageCard
from workbench.ui.shell.main_window import MainWindow

LONG = "".join(f"line {i} of a long answer\n" for i in range(12_000))  # ~300,000 characters


def longest_text_held(window: MainWindow) -> int:
    """The most characters any card's editor holds, shown or hidden for reuse."""
    return max(card.text_held() for card in window.findChildren(MessageCard))


def open_long_answer(open_window: Callable[[], MainWindow]) -> MainWindow:
    window = open_window()
    body = {
        "format": "prompt-workbench/1",
        "messages": [
            {"role": "user", "content": "Write a book"},
            {"role": "assistant", "content": LONG},
        ],
    }
    window.document.import_text(json.dumps(body), unsaved=False)
    window.message_list.sync_editors()
    return window


def test_deleting_a_long_answer_leaves_no_card_holding_its_text(
    qtbot: QtBot, open_window: Callable[[], MainWindow]
) -> None:
    window = open_long_answer(open_window)
    assert longest_text_held(window) >= len(LONG)  # shown in its card (its start, for now)
    answer = window.message_list.cards()[1]
    answer.findChild(QToolButton, "deleteMessageButton").click()
    window.message_list.sync_editors()
    assert len(window.workspace.conversation) == 1
    assert longest_text_held(window) < 1000  # the card kept for reuse gave its text back
    window.undo_stack.undo()  # and the answer comes back whole
    window.message_list.sync_editors()
    assert window.workspace.conversation[1].content == LONG
    assert window.message_list.cards()[1].text_held() >= len(LONG)


def test_closing_the_workspace_leaves_no_card_holding_a_long_answer(
    qtbot: QtBot, open_window: Callable[[], MainWindow]
) -> None:
    window = open_long_answer(open_window)
    window.document.new()
    window.message_list.sync_editors()
    assert longest_text_held(window) < 1000
