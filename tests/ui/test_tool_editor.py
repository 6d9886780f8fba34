"""The Tools tab driven as a user would: through object names, typing, the undo stack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QListWidget, QPlainTextEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Dialogs
from workbench.core.tools import CODE_RUNNER, WEB_SEARCH_TOOL
from workbench.core.workspace import Message, ToolEntry
from workbench.core.workspace_files import load_workspace
from workbench.ui.common import dialogs
from workbench.ui.shell.main_window import MainWindow
from workbench.ui.tools.tool_editor import ToolsEditor


@pytest.fixture
def window(open_window: type[MainWindow], user_dialogs: Dialogs) -> MainWindow:
    return open_window()


def tools_editor(window: MainWindow) -> ToolsEditor:
    editor = window.findChild(QWidget, "toolsEditor")
    assert isinstance(editor, ToolsEditor)
    window.side_tabs.setCurrentWidget(editor)
    return editor


def json_edit(window: MainWindow) -> QPlainTextEdit:
    edit = window.findChild(QPlainTextEdit, "toolJsonEdit")
    assert edit is not None
    return edit


def error_lines(window: MainWindow) -> list[str]:
    errors = window.findChild(QListWidget, "toolErrors")
    assert errors is not None
    return [errors.item(i).text() for i in range(errors.count())]


def tool_list(window: MainWindow) -> QListWidget:
    found = window.findChild(QListWidget, "toolList")
    assert found is not None
    return found


def test_typing_invalid_json_shows_line_and_column_and_fixing_clears(
    window: MainWindow, qtbot: QtBot
) -> None:
    editor = tools_editor(window)
    editor.add_blank()
    edit = json_edit(window)
    assert window.workspace.tools[0].source == edit.toPlainText()
    # Delete the comma after "type": "function" by typing at its place.
    first, second = edit.toPlainText().splitlines()[:2]
    cursor = edit.textCursor()
    cursor.setPosition(len(first) + 1 + second.index(","))
    edit.setTextCursor(cursor)
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    # What was typed is stored at once, valid or not.
    assert window.workspace.tools[0].source == edit.toPlainText()
    assert window.isWindowModified()
    qtbot.waitUntil(lambda: any("Not valid JSON" in e for e in error_lines(window)))
    (error,) = error_lines(window)
    assert "line 3, column 3" in error and "Expecting ',' delimiter" in error
    assert edit.extraSelections(), "the error is underlined in the text"
    assert tool_list(window).item(0).text().startswith("✕")

    qtbot.keyClicks(edit, ",")
    qtbot.waitUntil(lambda: error_lines(window) == ["✓ No problems: this tool can be sent."])
    assert not edit.extraSelections()
    # Undo goes back through the window's stack, a typing burst at a time.
    window.menus.undo_action.trigger()
    assert window.workspace.tools[0].source == edit.toPlainText()


def test_schema_problem_listed_with_path_and_clicking_goes_there(
    window: MainWindow, qtbot: QtBot
) -> None:
    editor = tools_editor(window)
    editor.add_template(CODE_RUNNER)
    edit = json_edit(window)
    edit.setPlainText(edit.toPlainText().replace('"enum"', '"required": "x", "enum"', 1))
    qtbot.waitUntil(lambda: any("required" in e for e in error_lines(window)))
    errors = window.findChild(QListWidget, "toolErrors")
    assert errors is not None
    item = next(
        errors.item(i) for i in range(errors.count()) if "required" in errors.item(i).text()
    )
    assert "function.parameters.properties.language.required" in item.text()
    errors.itemClicked.emit(item)
    assert edit.toPlainText()[edit.textCursor().position() :].startswith('"x"')


def test_send_refuses_an_invalid_enabled_tool_naming_it(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.workspace.conversation.append(Message(role="user", content="Prime?"))
    editor = tools_editor(window)
    editor.add_template(CODE_RUNNER)
    edit = json_edit(window)
    edit.setPlainText(edit.toPlainText().replace('"CodeRunner"', '"Code Runner"'))
    send = window.findChild(QPushButton, "sendButton")
    assert send is not None
    send.click()
    problems = window.send_problems.text()
    assert "Tool 1 (Code Runner)" in problems and "is not allowed by Moonshot" in problems
    # Disabled for the next run: it no longer blocks, and the run controller is asked to send.
    tool_list(window).item(0).setCheckState(Qt.CheckState.Unchecked)
    assert window.workspace.tools[0].enabled is False
    sent: list[bool] = []
    monkeypatch.setattr(window.run_controller, "send", lambda: sent.append(True))
    send.click()
    assert "Tool 1" not in window.send_problems.text()
    assert sent == [True]
    window.menus.undo_action.trigger()
    assert window.workspace.tools[0].enabled is True
    assert tool_list(window).item(0).checkState() == Qt.CheckState.Checked


def test_add_duplicate_reorder_delete_and_undo(window: MainWindow, qtbot: QtBot) -> None:
    editor = tools_editor(window)
    editor.add_blank()
    editor.add_template(WEB_SEARCH_TOOL)
    names = lambda: [tool_list(window).item(i).text() for i in range(tool_list(window).count())]  # noqa: E731
    assert names() == ["new_tool", "$web_search"]
    window.findChild(QWidget, "duplicateToolButton").click()  # type: ignore[union-attr]
    assert len(window.workspace.tools) == 3
    assert any("Duplicate name '$web_search'" in e for e in error_lines(window))
    window.findChild(QWidget, "moveToolUpButton").click()  # type: ignore[union-attr]
    window.findChild(QWidget, "moveToolUpButton").click()  # type: ignore[union-attr]
    assert tool_list(window).currentRow() == 0
    window.findChild(QWidget, "deleteToolButton").click()  # type: ignore[union-attr]
    assert len(window.workspace.tools) == 2
    for _ in range(3):
        window.menus.undo_action.trigger()
    assert len(window.workspace.tools) == 3
    window.menus.undo_action.trigger()
    assert len(window.workspace.tools) == 2
    editor.add_blank()
    assert "new_tool_2" in names()


def test_tool_choice_selector_and_mock_result(window: MainWindow) -> None:
    editor = tools_editor(window)
    editor.add_template(CODE_RUNNER)
    selector = editor.tool_choice_selector
    labels = [selector.itemText(i) for i in range(selector.count())]
    assert labels == ["auto", "none", "required", "function: CodeRunner"]
    selector.setCurrentIndex(3)
    selector.activated.emit(3)
    assert window.workspace.tool_choice == {
        "type": "function",
        "function": {"name": "CodeRunner"},
    }
    mock = window.findChild(QPlainTextEdit, "toolMockEdit")
    assert mock is not None
    mock.setPlainText("True")
    assert window.workspace.tools[0].mock_result == "True"
    window.menus.undo_action.trigger()
    assert window.workspace.tools[0].mock_result is None
    window.menus.undo_action.trigger()
    assert window.workspace.tool_choice == "auto"


def test_invalid_tool_survives_save_and_reopen(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, user_dialogs: Dialogs
) -> None:
    editor = tools_editor(window)
    editor.add_blank()
    typed = '{\n  "type": "function",\n  "function": {"name": "unfinished"'
    json_edit(window).setPlainText(typed)
    path = tmp_path / "tools.prompt.json"
    user_dialogs.save_paths.append(str(path))
    assert window.save()
    assert [t.source for t in load_workspace(path).tools] == [typed]
    window.new()
    assert window.workspace.tools == []
    assert json_edit(window).toPlainText() == ""
    assert window.open_path(path)
    assert json_edit(window).toPlainText() == typed
    qtbot.waitUntil(lambda: any("Not valid JSON" in e for e in error_lines(window)))


def test_import_and_export_through_clipboard_and_file(
    window: MainWindow,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    user_dialogs: Dialogs,
) -> None:
    editor = tools_editor(window)
    clipboard = QGuiApplication.clipboard()
    clipboard.setText(json.dumps([json.loads(CODE_RUNNER), json.loads(WEB_SEARCH_TOOL)]))
    editor.import_from_clipboard()
    assert [t.parsed() for t in window.workspace.tools] == [
        json.loads(CODE_RUNNER),
        json.loads(WEB_SEARCH_TOOL),
    ]
    window.menus.undo_action.trigger()
    assert window.workspace.tools == []
    window.menus.redo_action.trigger()

    clipboard.setText("[{,]")
    editor.import_from_clipboard()
    assert "line 1, column 3" in user_dialogs.errors[0]

    target = tmp_path / "tools.json"
    monkeypatch.setattr(dialogs, "choose_json_save_path", lambda *a: str(target))
    editor.export_to_file()
    qtbot.waitUntil(target.exists)
    assert json.loads(target.read_text()) == [t.parsed() for t in window.workspace.tools]

    window.workspace.set_tools([])
    monkeypatch.setattr(dialogs, "choose_json_open_path", lambda *a: str(target))
    editor.import_from_file()
    qtbot.waitUntil(lambda: len(window.workspace.tools) == 2)
    editor.export_to_clipboard()
    assert json.loads(clipboard.text()) == [t.parsed() for t in window.workspace.tools]


def test_auto_indent_after_an_opening_bracket(window: MainWindow, qtbot: QtBot) -> None:
    editor = tools_editor(window)
    editor.add_tools([ToolEntry("")])
    edit = json_edit(window)
    edit.setFocus()
    qtbot.keyClicks(edit, "{")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.keyClicks(edit, '"a": [')
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.keyClicks(edit, "1")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.keyClicks(edit, "]")
    assert edit.toPlainText() == '{\n  "a": [\n    1\n  ]'
    assert window.workspace.tools[0].source == edit.toPlainText()


def test_form_view_and_json_stay_in_sync(window: MainWindow, qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QLineEdit, QTableWidget

    editor = tools_editor(window)
    editor.add_template(CODE_RUNNER)
    name_edit = window.findChild(QLineEdit, "toolNameEdit")
    table = window.findChild(QTableWidget, "toolParamsTable")
    assert name_edit is not None and table is not None
    assert name_edit.text() == "CodeRunner" and table.rowCount() == 2
    # Form -> JSON.
    name_edit.setFocus()
    name_edit.selectAll()
    qtbot.keyClicks(name_edit, "Runner")
    assert json.loads(json_edit(window).toPlainText())["function"]["name"] == "Runner"
    window.findChild(QWidget, "addParamButton").click()  # type: ignore[union-attr]
    parameters = json.loads(window.workspace.tools[0].source)["function"]["parameters"]
    assert list(parameters["properties"]) == ["language", "code", "param_3"]
    # JSON -> form.
    edit = json_edit(window)
    edit.setPlainText(edit.toPlainText().replace('"param_3"', '"timeout"'))
    assert table.item(2, 0).text() == "timeout"
    edit.setPlainText(edit.toPlainText().replace('"type": "object"', '"type": "array"', 1))
    assert not table.isEnabled()
    window.menus.undo_action.trigger()
    assert table.isEnabled()


def test_checks_follow_the_provider_including_user_added_ones(window: MainWindow) -> None:
    from workbench.core.providers import Prefill, ProviderConfig

    editor = tools_editor(window)
    editor.add_template(WEB_SEARCH_TOOL)
    assert error_lines(window) == ["✓ No problems: this tool can be sent."]
    window.workspace.set_param("provider", "openai")
    editor.validate_now()
    assert any("Moonshot built-in" in e for e in error_lines(window))
    window.providers.add(
        ProviderConfig(
            "proxy",
            "Kimi proxy",
            "moonshot",
            "http://127.0.0.1:9/v1",
            Prefill.MOONSHOT_PARTIAL,
            "PROXY_KEY",
        )
    )
    window.workspace.set_param("provider", "proxy")
    editor.validate_now()
    assert error_lines(window) == ["✓ No problems: this tool can be sent."]


def test_a_keystroke_in_the_tool_editor_rebuilds_no_column_and_refreshes_no_card(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench.core import tokens
    from workbench.core.workspace import Variant
    from workbench.ui.compare.compare_pane import ComparePane
    from workbench.ui.compare.compare_view import CompareView
    from workbench.ui.conversation.message_list import MessageListView
    from workbench.ui.tokens.token_meter import TokenMeter

    window.workspace.set_variants(
        [Variant(f"Column {i}", model="moonshot-v1-8k") for i in range(8)]
    )
    window.editor.append("user", "Where is my order?")
    editor = tools_editor(window)
    editor.add_blank()
    view = window.findChild(CompareView, "compareView")
    assert view is not None and len(view.panes()) == 8
    counts = {"columns": 0, "cards": 0, "meter": 0, "preflight": 0}

    def counting(name: str, original: object) -> object:
        def counted(self: object, *args: object, **kwargs: object) -> object:
            counts[name] += 1
            return original(self, *args, **kwargs)  # type: ignore[operator]

        return counted

    monkeypatch.setattr(ComparePane, "show_variant", counting("columns", ComparePane.show_variant))
    monkeypatch.setattr(
        MessageListView, "refresh_cards", counting("cards", MessageListView.refresh_cards)
    )
    monkeypatch.setattr(TokenMeter, "refresh", counting("meter", TokenMeter.refresh))
    monkeypatch.setattr(
        CompareView, "refresh_preflight", counting("preflight", CompareView.refresh_preflight)
    )
    edit = json_edit(window)
    edit.setFocus()
    cursor = edit.textCursor()
    cursor.setPosition(edit.toPlainText().index('"description": "') + len('"description": "'))
    edit.setTextCursor(cursor)
    tokens.encoding()  # loaded by the meter's worker at start-up; its end refreshes the cards
    qtbot.wait(300)
    counts.update(dict.fromkeys(counts, 0))

    qtbot.keyClicks(edit, "lookup now")  # ten keystrokes
    qtbot.waitUntil(lambda: counts["meter"] >= 1)
    qtbot.waitUntil(lambda: counts["preflight"] >= 1, timeout=2000)

    assert "lookup now" in window.workspace.tools[0].source
    # No Compare column was rebuilt and no card refreshed; the meter followed the text and the
    # columns' fit and cost were checked again, once, after the typing stopped.
    assert counts["columns"] == 0 and counts["cards"] == 0
    assert counts["meter"] >= 1 and counts["preflight"] == 1
