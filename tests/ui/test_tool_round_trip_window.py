"""The whole tool round trip in the window, against the loopback server: Send with tools, the
streamed calls become a checked card and result cards, the user answers, Continue sends them."""

from __future__ import annotations

import json

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from tests.memory_keyring import MemoryKeyring
from tests.ui.conftest import Dialogs
from tests.ui.run_helpers import LOOP_ID, SECRET, add_loop_provider, load
from workbench.core.secrets import SERVICE
from workbench.core.tools import CODE_RUNNER, WEB_SEARCH_TOOL
from workbench.core.workspace import ToolEntry
from workbench.loopback_server import LoopbackServer, Reply
from workbench.ui.run.run_controller import RunController
from workbench.ui.shell.main_window import MainWindow

CALLS = [
    {
        "id": "functions.CodeRunner:0",
        "name": "CodeRunner",
        "arguments": '{"language": "ruby", "code": "puts 3214567 % 7"}',
    },
    {"id": "$web_search:1", "name": "$web_search", "arguments": '{"search_result": {"id": "s1"}}'},
]


@pytest.fixture
def window(
    open_window: type[MainWindow],
    user_dialogs: Dialogs,
    qloop: qasync.QEventLoop,
    loopback: LoopbackServer,
    memory_keyring: MemoryKeyring,
) -> MainWindow:
    win = open_window()
    win.resize(1100, 1600)
    loopback.api_key = SECRET
    memory_keyring.set_password(SERVICE, LOOP_ID, SECRET)
    add_loop_provider(win, loopback)
    load(win, [{"role": "user", "content": "Is 3214567 prime? Any news about it?"}])
    win.workspace.set_tools(
        [ToolEntry(CODE_RUNNER, mock_result="True"), ToolEntry(WEB_SEARCH_TOOL)]
    )
    return win


def controller(window: MainWindow) -> RunController:
    assert isinstance(window.run_controller, RunController)
    return window.run_controller


def detail(window: MainWindow, row: int) -> str:
    card = window.message_list.scroll_to_row(row)
    label = card.findChild(QLabel, "toolCallsView") if card is not None else None
    return label.text() if label is not None and label.isVisibleTo(card) else ""


def click_and_wait(qtbot: QtBot, window: MainWindow, name: str) -> bool:
    """Clicks ``name`` and waits for the run to end; returns whether it stayed enabled meanwhile."""
    button = window.findChild(QPushButton, name)
    assert button is not None and button.isVisible() and button.isEnabled(), name
    with qtbot.waitSignal(controller(window).run_finished, timeout=10_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        enabled_while_running = button.isEnabled()
    return enabled_while_running


@pytest.mark.parametrize("omit_index", [False, True], ids=["indexed", "missing-index"])
def test_parallel_calls_round_trip_through_the_window(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer, omit_index: bool
) -> None:
    loopback.queue(
        Reply(text="", tool_calls=CALLS, omit_index=omit_index, chunk_delay=0.05),
        Reply(text="3214567 is prime.", chunk_delay=0.02),
    )
    seen_streaming: list[bool] = []
    conversation = window.workspace.conversation
    conversation.changed.connect(
        lambda row, _names: seen_streaming.append("receiving tool calls" in detail(window, row))
    )

    click_and_wait(qtbot, window, "sendButton")

    assert any(seen_streaming), "the calls showed on the card while they streamed in"
    assert [m.role for m in conversation] == ["user", "assistant", "tool", "tool"]
    assert [c["id"] for c in conversation[1].tool_calls] == [c["id"] for c in CALLS]
    shown = detail(window, 1)
    assert "CodeRunner" in shown and "$web_search" in shown
    assert "arguments.language: &#x27;ruby&#x27; is not one of" in shown  # flagged
    assert "receiving" not in shown
    results = conversation[2:]
    assert [(m.tool_call_id, m.name, m.content) for m in results] == [
        ("functions.CodeRunner:0", "CodeRunner", "True"),
        ("$web_search:1", "$web_search", CALLS[1]["arguments"]),
    ]

    # The user answers the first call in its card, then continues.
    card = window.message_list.scroll_to_row(2)
    assert card is not None
    card.content_edit.setFocus()
    card.content_edit.moveCursor(card.content_edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(card.content_edit, " (it printed 3)")
    assert conversation[2].content == "True (it printed 3)"
    assert not click_and_wait(qtbot, window, "continueWithResultsButton")  # no double send

    assert conversation[-1].role == "assistant"
    assert conversation[-1].content == "3214567 is prime."
    sent = loopback.chat_requests()[1]
    assert [t["function"]["name"] for t in sent["tools"]] == ["CodeRunner", "$web_search"]
    messages = sent["messages"]
    assert messages[1]["tool_calls"][1]["function"]["arguments"] == CALLS[1]["arguments"]
    assert [(m["role"], m["tool_call_id"], m["name"], m["content"]) for m in messages[2:]] == [
        ("tool", "functions.CodeRunner:0", "CodeRunner", "True (it printed 3)"),
        ("tool", "$web_search:1", "$web_search", CALLS[1]["arguments"]),
    ]
    assert json.loads(messages[3]["content"]) == {"search_result": {"id": "s1"}}
