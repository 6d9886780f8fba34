"""Tool calls arriving from a run become cards: calls shown and checked, results pre-filled."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from tests.ui.conftest import Dialogs
from workbench.core.conversation import Message
from workbench.core.run_types import RunResult, ToolCall
from workbench.core.tools import CODE_RUNNER, WEB_SEARCH_TOOL
from workbench.core.workspace import ToolEntry
from workbench.ui.run.tool_calls import ToolCallCards
from workbench.ui.shell.main_window import MainWindow


@pytest.fixture
def window(open_window: type[MainWindow], user_dialogs: Dialogs) -> MainWindow:
    win = open_window()
    win.resize(1200, 2400)  # tall enough for every card to be live
    conversation = win.workspace.conversation
    conversation.append(Message(role="user", content="Is 3214567 prime? Also search the news."))
    conversation.append(Message(role="assistant", content=""))
    win.workspace.set_tools(
        [ToolEntry(CODE_RUNNER, mock_result="True"), ToolEntry(WEB_SEARCH_TOOL)]
    )
    return win


def cards(window: MainWindow) -> ToolCallCards:
    found = window.findChild(ToolCallCards, "toolCallCards")
    assert found is not None
    return found


def detail_text(window: MainWindow, row: int) -> str:
    card = window.message_list.scroll_to_row(row)
    assert card is not None
    label = card.findChild(QLabel, "toolCallsView")
    assert label is not None
    return label.text() if label.isVisibleTo(card) else ""


CALLS = [
    ToolCall("functions.CodeRunner:0", "CodeRunner", '{"language": "ruby", "code": "p 1"}'),
    ToolCall("$web_search:1", "$web_search", '{"search_result": {"search_id": "s1"}}'),
]


def test_parallel_calls_become_checked_cards_with_prefilled_results(window: MainWindow) -> None:
    assistant = window.workspace.conversation[1]
    continue_button = window.findChild(QPushButton, "continueWithResultsButton")
    assert continue_button is not None and continue_button.isHidden()

    uids = cards(window).add_calls(assistant.uid, CALLS)

    conversation = window.workspace.conversation
    assert [m.role for m in conversation] == ["user", "assistant", "tool", "tool"]
    assert assistant.tool_calls == [c.to_json() for c in CALLS]
    assert [(m.uid, m.tool_call_id, m.name, m.content) for m in conversation[2:]] == [
        (uids[0], "functions.CodeRunner:0", "CodeRunner", "True"),
        (uids[1], "$web_search:1", "$web_search", '{"search_result": {"search_id": "s1"}}'),
    ]
    shown = detail_text(window, 1)
    assert "CodeRunner" in shown and "functions.CodeRunner:0" in shown
    assert "&quot;language&quot;: &quot;ruby&quot;" in shown  # pretty-printed, one key a line
    assert "arguments.language: &#x27;ruby&#x27; is not one of" in shown
    assert "$web_search" in shown
    assert "Result of <b>CodeRunner</b>" in detail_text(window, 2)
    assert not continue_button.isHidden()
    assert window.workspace.problems() == []

    # One undo step takes the whole round back.
    window.menus.undo_action.trigger()
    assert [m.role for m in conversation] == ["user", "assistant"]
    assert assistant.tool_calls == []
    assert continue_button.isHidden()


def test_fixing_the_schema_clears_the_flag_on_the_card(window: MainWindow) -> None:
    assistant = window.workspace.conversation[1]
    cards(window).add_calls(assistant.uid, CALLS[:1])
    assert "is not one of" in detail_text(window, 1)
    entry = window.workspace.tools[0]
    window.workspace.set_tool_field(entry, "source", entry.source.replace('"javascript"', '"ruby"'))
    assert "is not one of" not in detail_text(window, 1)


def test_continue_sends_the_conversation_with_the_results(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[int] = []
    monkeypatch.setattr(window, "send", lambda: sent.append(len(window.workspace.conversation)))
    cards(window).add_calls(window.workspace.conversation[1].uid, CALLS)
    button = window.findChild(QWidget, "continueWithResultsButton")
    assert isinstance(button, QPushButton)
    button.click()
    assert sent == [4]


def test_a_result_card_without_its_call_is_flagged(window: MainWindow) -> None:
    window.workspace.conversation.append(
        Message(role="tool", content="x", name="CodeRunner", tool_call_id="functions.gone:0")
    )
    assert "No earlier tool call has the id functions.gone:0" in detail_text(window, 2)


def test_a_finished_run_with_calls_gets_its_result_cards(window: MainWindow) -> None:
    assistant = window.workspace.conversation[1]
    # The run controller streamed the calls into the answer card; the run then finished.
    window.workspace.conversation.update(1, tool_calls=[c.to_json() for c in CALLS])
    result = RunResult(provider="moonshot", model="m", tool_calls=list(CALLS))
    uids = cards(window).on_run_finished(result)
    assert len(uids) == 2
    assert [m.tool_call_id for m in window.workspace.conversation[2:]] == [c.id for c in CALLS]
    assert cards(window).on_run_finished(result) == []  # never twice
    assert assistant.tool_calls == [c.to_json() for c in CALLS]
