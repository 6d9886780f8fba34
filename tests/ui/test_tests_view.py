"""The Tests tab against the loopback server: editing cases with undo, the grid, baselines."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QPushButton, QTableView, QTableWidget
from pytestqt.qtbot import QtBot

from tests.ui.run_helpers import LOOP_ID
from workbench.core.eval_history import EvalStore
from workbench.core.history import HistoryStore
from workbench.core.sessions import RunOptions
from workbench.loopback_server import LoopbackServer, Reply
from workbench.ui.common import dialogs
from workbench.ui.evaluate.eval_grid import STATE_ROLE, CellState
from workbench.ui.evaluate.tests_view import TestsView
from workbench.ui.shell.main_window import MainWindow

WORKSPACE: dict[str, Any] = {
    "format": "prompt-workbench/1",
    "title": "Extraction",
    "messages": [
        {"role": "user", "content": "Extract: {{description}}"},
        {"role": "assistant", "content": "{", "partial": True},
    ],
    "params": {"provider": LOOP_ID, "model": "moonshot-v1-32k"},
    "variants": [
        {"label": "Fast", "model": "fast-model"},
        {"label": "Other", "model": "other-model"},
    ],
    "tests": [
        {
            "description": "mug",
            "vars": {"description": "Kelvin mug by Northfield"},
            "assert": [{"type": "icontains", "value": "northfield"}],
        },
        {
            "description": "kettle",
            "vars": {"description": "Auralis kettle"},
            "assert": [{"type": "contains", "value": "Auralis"}],
        },
        {
            "description": "lamp",
            "vars": {"description": "Solstice lamp by Halcyon"},
            "assert": [{"type": "contains", "value": "Halcyon"}],
        },
    ],
    "assert": [{"type": "is-json"}],
}


def brand_answer(broken: str | None = None, failing: str | None = None) -> Any:
    def respond(body: dict[str, Any]) -> Reply:
        if body["model"] == failing:
            return Reply(status=400, error_message="model refused")
        content = body["messages"][0]["content"]
        brand = next((b for b in ("Northfield", "Auralis", "Halcyon") if b in content), "?")
        if body["model"] == broken and brand == "Auralis":
            brand = "Nobody"
        return Reply(text=f'"brand": "{brand}"}}', chunks=2)

    return respond


@pytest.fixture
def tests_window(loop_window: MainWindow, tmp_path: Path) -> MainWindow:
    path = tmp_path / "extract.prompt.json"
    path.write_text(json.dumps(WORKSPACE), encoding="utf-8")
    loop_window.open_path(path)
    view = view_of(loop_window)
    engine = loop_window.context.run_engine
    engine.limiter.limit = 2
    engine.options = RunOptions(timeout=10, max_retries=0)
    loop_window.main_tabs.setCurrentWidget(view)
    return loop_window


def view_of(window: MainWindow) -> TestsView:
    view = window.findChild(TestsView, "testsView")
    assert view is not None
    return view


def button(window: MainWindow, name: str) -> QPushButton:
    found = window.findChild(QPushButton, name)
    assert found is not None, name
    return found


def run_and_wait(qtbot: QtBot, window: MainWindow) -> TestsView:
    view = view_of(window)
    qtbot.mouseClick(button(window, "runEvalButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.report is not None, timeout=15_000)
    qtbot.waitUntil(lambda: not view.busy, timeout=5_000)
    return view


def cell(window: MainWindow, row: int, column: int) -> CellState:
    grid = window.findChild(QTableView, "evalGrid")
    assert grid is not None
    state = grid.model().index(row, column).data(STATE_ROLE)
    assert isinstance(state, CellState)
    return state


def test_the_grid_fills_with_pass_fail_and_error_cells_and_a_summary_per_variant(
    tests_window: MainWindow, loopback: LoopbackServer, qtbot: QtBot
) -> None:
    loopback.responder = brand_answer(broken="other-model")
    view = run_and_wait(qtbot, tests_window)

    grid = tests_window.findChild(QTableView, "evalGrid")
    assert grid is not None and grid.model().columnCount() == 2 and grid.model().rowCount() == 3
    assert cell(tests_window, 0, 0).status() == "pass"
    failing = cell(tests_window, 1, 1)
    assert failing.status() == "fail"
    assert failing.row is not None and failing.row.text == '{"brand": "Nobody"}'
    text = grid.model().index(1, 1).data()
    assert "✗ FAIL" in text and "contains: expected to contain 'Auralis'" in text
    summary = tests_window.findChild(QTableWidget, "evalSummary")
    assert summary is not None
    rows = {
        summary.item(r, 0).text(): [summary.item(r, c).text() for c in range(1, 7)]
        for r in range(summary.rowCount())
    }
    assert rows["Fast"][:3] == ["100%", "3/3", "0 / 0"]
    assert rows["Other"][:3] == ["67%", "2/3", "1 / 0"]
    assert rows["Other"][5] == "contains ×1"
    assert "5/6 passed" in view.progress.text()
    # Every cell's run is in the history, under the evaluation's group; the evaluation too.
    [entry] = EvalStore().entries()
    assert (entry.cells, entry.done, entry.passed) == (6, 6, 5)
    assert len(HistoryStore().group(entry.group)) == 6


def test_a_finished_cell_is_shown_on_a_coming_pass_not_inside_the_engines_callback(
    tests_window: MainWindow, loopback: LoopbackServer, qtbot: QtBot
) -> None:
    # A burst of cells ending together is shown a few per pass of the event loop, so the
    # engine's callback only queues the cell (and its history write).
    loopback.responder = brand_answer()
    view = run_and_wait(qtbot, tests_window)
    assert view.report is not None
    first = view.report.rows[0]
    again = replace(first, passed=False, text="changed")
    view._on_row(again)
    assert cell(tests_window, 0, 0).row is first  # not yet
    qtbot.waitUntil(lambda: cell(tests_window, 0, 0).row is again, timeout=5_000)


def test_before_the_first_evaluation_the_grid_area_says_what_to_do(
    loop_window: MainWindow, loopback: LoopbackServer, qtbot: QtBot
) -> None:
    view = view_of(loop_window)
    loop_window.main_tabs.setCurrentWidget(view)
    hint = loop_window.findChild(QLabel, "evalEmptyHint")
    assert hint is not None and hint.isVisible()
    grid = loop_window.findChild(QTableView, "evalGrid")
    assert grid is not None and not grid.isVisible()
    assert "Add test cases in the table above" in hint.text()
    assert "then press Run evaluation (Ctrl+Shift+E)" in hint.text()

    qtbot.mouseClick(button(loop_window, "addTestButton"), Qt.MouseButton.LeftButton)
    assert "1 test case(s) × 1 variant(s) are ready" in hint.text()
    assert "press Run evaluation (Ctrl+Shift+E)" in hint.text()

    # The shortcut runs it (from any page); the grid replaces the hint.
    loopback.responder = brand_answer()
    loop_window.show_conversation()
    qtbot.keyClick(
        loop_window,
        Qt.Key.Key_E,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert loop_window.main_tabs.currentWidget() is view
    qtbot.waitUntil(lambda: grid.isVisible(), timeout=5_000)
    assert not hint.isVisible()
    qtbot.waitUntil(lambda: view.report is not None, timeout=15_000)
    qtbot.waitUntil(lambda: not view.busy, timeout=5_000)


def test_a_failed_request_is_an_error_cell_and_the_rest_go_on(
    tests_window: MainWindow, loopback: LoopbackServer, qtbot: QtBot
) -> None:
    loopback.responder = brand_answer(failing="other-model")
    run_and_wait(qtbot, tests_window)
    assert [cell(tests_window, r, 1).status() for r in range(3)] == ["error"] * 3
    assert [cell(tests_window, r, 0).status() for r in range(3)] == ["pass"] * 3
    grid = tests_window.findChild(QTableView, "evalGrid")
    assert grid is not None and "⚠ ERROR" in grid.model().index(0, 1).data()


def test_cells_queue_visibly_and_stop_stops_everything(
    tests_window: MainWindow, loopback: LoopbackServer, qtbot: QtBot
) -> None:
    loopback.responder = lambda body: Reply(text='"brand": "x"}', first_byte_delay=0.3)
    view = view_of(tests_window)
    tests_window.context.run_engine.limiter.limit = 1
    qtbot.mouseClick(button(tests_window, "runEvalButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "1 running, 5 queued" in view.progress.text(), timeout=5_000)
    assert sum(s.phase == "queued" for s in view.grid_model.states()) == 5
    # A queued cell says it is queued, and why: the provider's one slot is taken.
    grid = tests_window.findChild(QTableView, "evalGrid")
    assert grid is not None
    last = grid.model().index(2, 1)
    qtbot.waitUntil(lambda: last.data() == "queued: Loopback 1 of 1 running", timeout=5_000)
    assert cell(tests_window, 2, 1).status() == "queued"
    tip = last.data(Qt.ItemDataRole.ToolTipRole)
    assert "at most 1 run(s) of Loopback stream at once" in tip
    assert button(tests_window, "stopEvalButton").isEnabled()
    qtbot.mouseClick(button(tests_window, "stopEvalButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.report is not None, timeout=10_000)
    qtbot.waitUntil(lambda: not view.busy, timeout=5_000)
    assert view.report is not None
    assert {r.error for r in view.report.rows} == {"Stopped before it finished."}
    assert len(loopback.chat_requests()) <= 1
    assert "(stopped)" in view.progress.text()


def test_opening_a_cell_shows_the_full_answer_and_each_assertion(
    tests_window: MainWindow, loopback: LoopbackServer, qtbot: QtBot
) -> None:
    loopback.responder = brand_answer(broken="other-model")
    view = run_and_wait(qtbot, tests_window)
    dialog = view.open_cell(view.grid_model.index(1, 1))
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.answer.toPlainText() == '{"brand": "Nobody"}'
    lines = dialog.results.text().splitlines()
    assert lines[0] == "✓ is-json: valid JSON"
    assert lines[1] == "✗ contains: expected to contain 'Auralis'"
    dialog.close()


def test_baseline_marks_what_changed_and_filters_to_changes(
    tests_window: MainWindow, loopback: LoopbackServer, qtbot: QtBot
) -> None:
    loopback.responder = brand_answer()
    view = run_and_wait(qtbot, tests_window)
    first = view.evaluation_id
    qtbot.mouseClick(button(tests_window, "markBaselineButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.baseline_combo.count() == 2)
    assert EvalStore().baseline(view.services.source()) == first

    loopback.responder = brand_answer(broken="other-model")
    run_and_wait(qtbot, tests_window)
    qtbot.waitUntil(lambda: view.baseline is not None)
    changed = cell(tests_window, 1, 1)
    assert changed.change is not None and changed.change.newly_failing
    assert changed.change.text_changed and changed.change.baseline_text == '{"brand": "Auralis"}'
    grid = tests_window.findChild(QTableView, "evalGrid")
    assert grid is not None
    assert "▼ newly failing (was pass)" in grid.model().index(1, 1).data()
    assert cell(tests_window, 0, 0).change is not None
    assert not cell(tests_window, 0, 0).change.changed  # type: ignore[union-attr]

    view.changes_only.setChecked(True)
    assert [grid.isRowHidden(r) for r in range(3)] == [True, False, True]
    view.changes_only.setChecked(False)
    assert not any(grid.isRowHidden(r) for r in range(3))


def test_add_duplicate_move_delete_and_edit_cases_with_undo(
    tests_window: MainWindow, qtbot: QtBot
) -> None:
    workspace = tests_window.workspace
    view = view_of(tests_window)
    table = tests_window.findChild(QTableView, "testTable")
    assert table is not None
    model = table.model()
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)] == [
        "Description",
        "{{description}}",
        "Assertions",
    ]

    table.selectionModel().setCurrentIndex(
        model.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    qtbot.mouseClick(button(tests_window, "addTestButton"), Qt.MouseButton.LeftButton)
    assert len(workspace.tests) == 4 and workspace.tests[1].vars == {"description": ""}
    assert model.setData(model.index(1, 1), "Glacier tumbler by Frostline")
    assert model.setData(model.index(1, 0), "tumbler")
    assert workspace.tests[1].description == "tumbler"
    assert workspace.tests[1].vars == {"description": "Glacier tumbler by Frostline"}
    qtbot.mouseClick(button(tests_window, "duplicateTestButton"), Qt.MouseButton.LeftButton)
    assert [t.description for t in workspace.tests] == [
        "mug",
        "tumbler",
        "tumbler",
        "kettle",
        "lamp",
    ]
    qtbot.mouseClick(button(tests_window, "moveTestDownButton"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button(tests_window, "moveTestDownButton"), Qt.MouseButton.LeftButton)
    assert [t.description for t in workspace.tests] == [
        "mug",
        "tumbler",
        "kettle",
        "lamp",
        "tumbler",
    ]
    qtbot.mouseClick(button(tests_window, "deleteTestButton"), Qt.MouseButton.LeftButton)
    assert [t.description for t in workspace.tests] == ["mug", "tumbler", "kettle", "lamp"]
    assert tests_window.document.modified

    stack = tests_window.undo_stack
    while stack.canUndo():
        stack.undo()
    assert [t.description for t in workspace.tests] == ["mug", "kettle", "lamp"]
    assert model.rowCount() == 3
    while stack.canRedo():
        stack.redo()
    assert [t.description for t in workspace.tests] == ["mug", "tumbler", "kettle", "lamp"]
    assert view.selected_rows() is not None


def test_problems_are_shown_at_the_row_and_cell_and_block_running(
    tests_window: MainWindow, loopback: LoopbackServer, qtbot: QtBot
) -> None:
    view = view_of(tests_window)
    workspace = tests_window.workspace
    case = workspace.tests[1].copy()
    case.vars["colour"] = "red"
    case.asserts = [{"type": "regex", "value": "("}]
    workspace.update_test(1, case)
    model = view.table_model
    colour = 1 + model.variables.index("colour")
    assert model.data(model.index(1, colour), Qt.ItemDataRole.BackgroundRole) is not None
    assert "unknown variable 'colour'" in model.data(
        model.index(1, colour), Qt.ItemDataRole.ToolTipRole
    )
    tip = model.data(model.index(1, model.assert_column), Qt.ItemDataRole.ToolTipRole)
    assert "invalid regular expression" in tip
    assert "test 1, colour: unknown variable" in view.problems_label.text()
    qtbot.mouseClick(button(tests_window, "runEvalButton"), Qt.MouseButton.LeftButton)
    assert "Fix the test cases first" in view.problems_label.text()
    assert not view.running and loopback.chat_requests() == []


def test_paste_rows_from_a_spreadsheet_and_import_export_csv_jsonl(
    tests_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = tests_window.workspace
    view = view_of(tests_window)
    QGuiApplication.clipboard().setText("teapot\tHoshi teapot by Kamado\nbottle\tPebble bottle\n")
    qtbot.mouseClick(button(tests_window, "pasteTestsButton"), Qt.MouseButton.LeftButton)
    assert [t.description for t in workspace.tests][-2:] == ["teapot", "bottle"]
    assert workspace.tests[-1].vars == {"description": "Pebble bottle"}

    exported = tmp_path / "cases.jsonl"
    monkeypatch.setattr(dialogs, "choose_tests_save_path", lambda *_: str(exported))
    qtbot.mouseClick(button(tests_window, "exportTestsButton"), Qt.MouseButton.LeftButton)
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {
        "__description": "mug",
        "description": "Kelvin mug by Northfield",
        "__assert": [{"type": "icontains", "value": "northfield"}],
    }
    assert json.loads(lines[-1]) == {"__description": "bottle", "description": "Pebble bottle"}

    csv_file = tmp_path / "more.csv"
    csv_file.write_text("__description,item,item\nx,y,z\n", encoding="utf-8")
    monkeypatch.setattr(dialogs, "choose_tests_open_path", lambda *_: str(csv_file))
    errors: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _p, _t, text, *_: errors.append(text))
    qtbot.mouseClick(button(tests_window, "importTestsButton"), Qt.MouseButton.LeftButton)
    assert errors == ["more.csv, line 1: the column 'item' appears twice"]

    ragged = tmp_path / "ragged.csv"
    ragged.write_text("__description,item\nok,a\nbad,b,c\n", encoding="utf-8")
    monkeypatch.setattr(dialogs, "choose_tests_open_path", lambda *_: str(ragged))
    qtbot.mouseClick(button(tests_window, "importTestsButton"), Qt.MouseButton.LeftButton)
    assert errors[-1].startswith("ragged.csv, line 3: 3 fields, but the header has 2")

    latin = tmp_path / "latin.csv"
    latin.write_bytes("__description\ncafé\n".encode("latin-1"))
    monkeypatch.setattr(dialogs, "choose_tests_open_path", lambda *_: str(latin))
    qtbot.mouseClick(button(tests_window, "importTestsButton"), Qt.MouseButton.LeftButton)
    assert "line 2: not UTF-8 text" in errors[-1]

    before = len(workspace.tests)
    good = tmp_path / "good.csv"
    good.write_text('__description,"item"\nvase,"Blue vase, 2 l"\n', encoding="utf-8")
    monkeypatch.setattr(dialogs, "choose_tests_open_path", lambda *_: str(good))
    qtbot.mouseClick(button(tests_window, "importTestsButton"), Qt.MouseButton.LeftButton)
    assert len(workspace.tests) == before + 1
    assert workspace.tests[-1].vars == {"item": "Blue vase, 2 l"}
    # An imported column the prompt does not use is kept and flagged, not dropped.
    assert "unknown variable 'item'" in view.problems_label.text()
    tests_window.undo_stack.undo()
    assert len(workspace.tests) == before


def test_the_variables_bar_picks_the_case_that_fills_a_send(
    tests_window: MainWindow, loopback: LoopbackServer, qtbot: QtBot
) -> None:
    tests_window.main_tabs.setCurrentIndex(0)
    bar = view_of(tests_window).variables_bar
    assert bar is not None
    assert bar.isVisible()
    assert "{{description}}" in bar.label.text()
    assert bar.selector.count() == 3
    bar.selector.setCurrentIndex(2)
    bar.selector.activated.emit(2)
    assert tests_window.workspace.current_test == 2
    loopback.queue(Reply(text='"brand": "Halcyon"}'))
    tests_window.send()
    qtbot.waitUntil(lambda: len(loopback.chat_requests()) == 1, timeout=5_000)
    assert (
        loopback.chat_requests()[0]["messages"][0]["content"] == "Extract: Solstice lamp by Halcyon"
    )
    start = time.monotonic()
    qtbot.waitUntil(lambda: not tests_window.stop_button.isEnabled(), timeout=5_000)
    assert time.monotonic() - start < 5


def test_file_open_takes_a_promptfoo_config_as_an_unsaved_workspace(
    open_window: Any, tmp_path: Path, user_dialogs: Any
) -> None:
    config = tmp_path / "promptfooconfig.yaml"
    config.write_text(
        "description: Greeting\n"
        "prompts:\n  - 'Greet {{name}}'\n"
        "providers:\n  - openai:chat:gpt-4o-mini\n"
        "tests:\n  - vars: {name: Ann}\n    assert: [{type: icontains, value: ann}]\n",
        encoding="utf-8",
    )
    window = open_window()
    assert window.open_path(config)
    assert window.document.path is None and window.document.modified
    assert window.workspace.title == "Greeting"
    assert view_of(window).table_model.rowCount() == 1
    broken = tmp_path / "other.yaml"
    broken.write_text("prompts: ['x']\nproviders: ['vertex:gemini']\n", encoding="utf-8")
    window.undo_stack.setClean()
    assert not window.open_path(broken)
    assert "providers[0]: vertex:gemini is not an OpenAI-compatible" in user_dialogs.errors[-1]
    assert window.workspace.title == "Greeting"  # nothing lost


def test_the_token_meter_counts_the_prompt_filled_from_the_current_case(
    tests_window: MainWindow, qtbot: QtBot
) -> None:
    from workbench.core import tokens

    qtbot.waitUntil(tokens.encoding_ready, timeout=20_000)
    meter = tests_window.token_meter  # type: ignore[attr-defined]
    workspace = tests_window.workspace
    case = workspace.tests[1].copy()
    case.vars["description"] = "a very long description " * 50
    workspace.update_test(1, case)
    meter.refresh()
    short = meter.reading.breakdown.conversation
    workspace.set_current_test(1)
    qtbot.waitUntil(lambda: meter.reading.breakdown.conversation > short + 100)
