"""The Tests tab: the table of test cases, and the evaluation grid with its summary and baseline.

The table edits ``workspace.tests`` through undo commands (:mod:`.test_commands`); the grid
shows an :class:`~workbench.core.evaluation.Evaluation` as it runs through the run engine, which
bounds the runs per provider and records each in the history. Every evaluation is stored
(:class:`~workbench.core.eval_history.EvalStore`) cell by cell; one can be marked as the
baseline that later evaluations are compared with.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.core.eval_history import EvalEntry, EvalStore, group_of
from workbench.core.evaluation import (
    CellKey,
    EvalReport,
    EvalRow,
    Evaluation,
    SummaryTally,
    compare_reports,
    label_of,
    plan_by_case,
    variant_labels,
)
from workbench.core.figures import money
from workbench.core.providers import ProviderRegistry
from workbench.core.run_types import Status, TextDelta, ToolCallDelta
from workbench.core.sessions import EngineEvent, NotRecorded, Queued, RunEngine
from workbench.core.test_io import (
    TestsFileError,
    from_tsv,
    read_cases,
    to_csv,
    to_jsonl,
)
from workbench.core.workspace import TestCase, Workspace, workspace_from_json, write_atomic
from workbench.ui.common import dialogs
from workbench.ui.common.background import BackgroundTasks, in_turns, thread_pool
from workbench.ui.common.i18n import date_time, number, shown
from workbench.ui.common.palette import ThemedStyleSheet, error_text
from workbench.ui.common.widgets import named
from workbench.ui.context import AppContext, Shell
from workbench.ui.evaluate.eval_grid import STATE_ROLE, CellState, EvalGridModel, TimeBoxedQueue
from workbench.ui.evaluate.test_commands import (
    AddTests,
    EditTest,
    MoveTest,
    RemoveTests,
    SetSharedAsserts,
)
from workbench.ui.evaluate.tests_model import TestsTableModel

log = logging.getLogger(__name__)

#: How long finished cells wait to be committed together (a crash loses at most this much).
WRITE_MS = 250
#: Run › Run evaluation.
RUN_EVAL_SHORTCUT = "Ctrl+Shift+E"


class AssertionsDialog(QDialog):
    """Edits an ``assert`` array as JSON; OK stays off while the text is not a JSON array."""

    def __init__(self, parent: QWidget | None, title: str, asserts: list[Any]) -> None:
        super().__init__(parent)
        named(self, "assertionsDialog")
        self.setWindowTitle(title)
        self.resize(560, 380)
        self.edit = named(QPlainTextEdit(), "assertionsEdit")
        self.edit.setPlainText(json.dumps(asserts, indent=2, ensure_ascii=False))
        self.error = named(QLabel(), "assertionsError")
        self.error.setWordWrap(True)
        error_text(self.error)
        hint = QLabel(
            self.tr(
                'One JSON object per assertion, e.g. {"type": "icontains", "value": "Kelvin"}, '
                '{"type": "is-json", "value": {JSON Schema}}, '
                '{"type": "latency", "threshold": 3000}; '
                "prefix a type with not- to negate it."
            )
        )
        hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.edit.textChanged.connect(self._check)
        self._check()

    def value(self) -> list[Any] | None:
        """The assertions typed, or None while the text is not a JSON array."""
        try:
            value = json.loads(self.edit.toPlainText() or "[]")
        except json.JSONDecodeError as error:
            self.error.setText(
                self.tr("Line {lineno}, column {colno}: {msg}").format(
                    lineno=error.lineno, colno=error.colno, msg=error.msg
                )
            )
            return None
        if not isinstance(value, list):
            self.error.setText(self.tr("The assertions must be a JSON array: [ {...}, {...} ]"))
            return None
        from workbench.core.assertions import assertion_problems

        problems = [
            f"[{i}] {field + ': ' if field else ''}{shown(text)}"
            for i, item in enumerate(value)
            for field, text in assertion_problems(item)
        ]
        self.error.setText("\n".join(problems))
        return value

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.value() is not None)


class CellDialog(QDialog):
    """One cell in full: the case's values, the whole answer, each assertion's result, and
    what changed against the baseline."""

    def __init__(self, parent: QWidget | None, case: TestCase | None, state: CellState) -> None:
        super().__init__(parent)
        named(self, "evalCellDialog")
        row = state.row
        assert row is not None
        self.setWindowTitle(
            self.tr("Test {test} · {variant}").format(test=row.test, variant=row.variant)
            + f" #{row.repeat + 1}"
        )
        self.resize(720, 560)
        layout = QVBoxLayout(self)
        values = case.vars if case is not None else row.vars
        head = QLabel(
            (
                self.tr("<b>{description}</b><br>").format(description=row.description)
                if row.description
                else ""
            )
            + "<br>".join(f"<code>{{{{{k}}}}}</code> = {str(v)[:200]}" for k, v in values.items())
        )
        head.setWordWrap(True)
        layout.addWidget(head)
        self.answer = named(QPlainTextEdit(row.text), "evalCellAnswer")
        self.answer.setReadOnly(True)
        layout.addWidget(self.answer, 2)
        lines = []
        if row.error is not None:
            lines.append("⚠ " + shown(row.error))
        for result in row.assertions:
            weight = (
                self.tr(" (weight {weight:g})").format(weight=result.weight)
                if result.weight != 1
                else ""
            )
            lines.append(
                f"{'✓' if result.passed else '✗'} {result.type}{weight}: {shown(result.reason)}"
            )
        metrics = [self.tr("score {score:.2f}").format(score=row.score)]
        if row.duration_ms is not None:
            metrics.append(f"{row.duration_ms:.0f} ms")
        if row.cost_usd is not None:
            metrics.append(money(row.cost_usd))
        if row.usage is not None:
            metrics.append(
                self.tr("{prompt} + {completion} tokens").format(
                    prompt=number(row.usage.prompt_tokens),
                    completion=number(row.usage.completion_tokens),
                )
            )
        lines.append(" · ".join(metrics))
        self.results = named(QLabel("\n".join(lines)), "evalCellAssertions")
        self.results.setWordWrap(True)
        self.results.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.results)
        change = state.change
        if change is not None and change.was is not None:
            said = self.tr("Baseline: {was} → now {now}").format(was=change.was, now=change.now)
            if change.cost_delta is not None:
                said += self.tr(" · cost {delta:+.6f}").format(delta=change.cost_delta)
            if change.latency_delta is not None:
                said += self.tr(" · latency {delta:+.0f} ms").format(delta=change.latency_delta)
            layout.addWidget(
                QLabel(
                    said
                    + (
                        self.tr(" · the answer changed:")
                        if change.text_changed
                        else self.tr(" · same answer")
                    )
                )
            )
            if change.text_changed:
                self.baseline = named(QPlainTextEdit(change.baseline_text), "evalCellBaseline")
                self.baseline.setReadOnly(True)
                layout.addWidget(self.baseline, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)


class TestsView(QWidget):
    """The Tests tab (``testsView``).

    Args:
        workspace: The window's workspace.
        undo_stack: The window's undo stack (every edit of the cases is undoable).
        services: What running needs: ``registry()``, ``resolve_key``, ``run_factory``,
            ``record_run`` (history), ``eval_store()`` and ``source()`` (the workspace's file).

    Signals:
        evaluation_finished(report): an evaluation ended (stopped or not).
        message(text): something for the status bar.
    """

    __test__ = False

    evaluation_finished = Signal(object)
    message = Signal(str)

    def __init__(self, workspace: Workspace, undo_stack: QUndoStack, services: Any) -> None:
        super().__init__()
        named(self, "testsView")
        self.workspace = workspace
        self.undo_stack = undo_stack
        self.services = services
        self.evaluation: Evaluation | None = None
        self.report: EvalReport | None = None
        self.baseline: EvalReport | None = None
        self.evaluation_id: int | None = None
        #: The bar above Send that shows the variables (set by ``install``).
        self.variables_bar: VariablesBar | None = None
        self._task: asyncio.Future[Any] | None = None
        #: Coroutines (the evaluation, listing baselines) and the store's writes, in order.
        self.tasks = BackgroundTasks(self, report=self.message.emit)
        self.writes = BackgroundTasks(self, serial=True, report=self.message.emit)
        self._counts = {"queued": 0, "streaming": 0, "done": 0}
        self._positions: dict[CellKey, int] = {}
        #: The summary row of each variant, kept up to date cell by cell.
        self._tallies: dict[str, SummaryTally] = {}
        self._summary_dirty = False
        #: Finished cells not written yet: committed together every WRITE_MS.
        self._unwritten: list[tuple[int, EvalRow]] = []
        self._write_timer = QTimer(self)
        self._write_timer.setSingleShot(True)
        self._write_timer.setInterval(WRITE_MS)
        self._write_timer.timeout.connect(self._write_rows)
        #: Finished cells waiting to be shown: a few per pass of the event loop.
        self._finished: TimeBoxedQueue[EvalRow] = TimeBoxedQueue(self._show_row, self)
        self._running = False
        self._stop_asked = False
        self._build()
        self._connect()
        self._update_buttons()

    # Layout --------------------------------------------------------------------------------

    def _build(self) -> None:
        self.table_model = TestsTableModel(self.workspace)
        self.table = named(QTableView(), "testTable")
        self.table.setModel(self.table_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setDefaultSectionSize(180)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )

        self.add_button = named(QPushButton(self.tr("Add case")), "addTestButton")
        self.add_button.setToolTip(self.tr("Add a test case below the selected one"))
        self.duplicate_button = named(QPushButton(self.tr("Duplicate")), "duplicateTestButton")
        self.delete_button = named(QPushButton(self.tr("Delete")), "deleteTestButton")
        self.up_button = named(QPushButton("▲"), "moveTestUpButton")
        self.up_button.setMaximumWidth(40)
        self.up_button.setToolTip(self.tr("Move the case up"))
        self.down_button = named(QPushButton("▼"), "moveTestDownButton")
        self.down_button.setMaximumWidth(40)
        self.down_button.setToolTip(self.tr("Move the case down"))
        self.shared_button = named(QPushButton(self.tr("Shared asserts…")), "sharedAssertsButton")
        self.shared_button.setToolTip(self.tr("Assertions every case is checked against"))
        self.import_button = named(QPushButton(self.tr("Import…")), "importTestsButton")
        self.import_button.setToolTip(
            self.tr("Add cases from a CSV or JSONL file (a column per variable)")
        )
        self.export_button = named(QPushButton(self.tr("Export…")), "exportTestsButton")
        self.paste_button = named(QPushButton(self.tr("Paste rows")), "pasteTestsButton")
        self.paste_button.setToolTip(
            self.tr("Add cases from rows copied in a spreadsheet (Ctrl+V in the table)")
        )
        self.problems_label = named(QLabel(), "testProblems")
        self.problems_label.setWordWrap(True)
        error_text(self.problems_label)

        tools = QHBoxLayout()
        for button in (
            self.add_button,
            self.duplicate_button,
            self.delete_button,
            self.up_button,
            self.down_button,
        ):
            tools.addWidget(button)
        tools.addStretch(1)
        files = QHBoxLayout()
        files.addWidget(self.shared_button)
        files.addStretch(1)
        for button in (self.paste_button, self.import_button, self.export_button):
            files.addWidget(button)

        self.repeat_spin = named(QSpinBox(), "evalRepeatSpin")
        self.repeat_spin.setRange(1, 20)
        self.repeat_spin.setPrefix("× ")
        self.repeat_spin.setToolTip(self.tr("Run every case this many times (stability)"))
        self.run_button = named(QPushButton(self.tr("Run evaluation")), "runEvalButton")
        self.run_button.setToolTip(
            self.tr(
                "Run every case through each variant and check the assertions ({shortcut})"
            ).format(shortcut=RUN_EVAL_SHORTCUT)
        )
        self.stop_button = named(QPushButton(self.tr("Stop")), "stopEvalButton")
        self.stop_button.setToolTip(self.tr("Stop every run of the evaluation"))
        self.progress = named(QLabel(), "evalProgress")
        self.progress.setMinimumWidth(40)
        self.baseline_combo = named(QComboBox(), "baselineSelector")
        self.baseline_combo.setToolTip(self.tr("The evaluation the grid is compared with"))
        self.baseline_combo.setMinimumContentsLength(16)
        self.baseline_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.mark_baseline_button = named(
            QPushButton(self.tr("Mark as baseline")), "markBaselineButton"
        )
        self.mark_baseline_button.setToolTip(
            self.tr("Compare later evaluations with the one shown")
        )
        self.changes_only = named(QCheckBox(self.tr("Only changes")), "onlyChangesToggle")
        self.changes_only.setToolTip(
            self.tr("Show only the rows that changed against the baseline")
        )
        run_bar = QHBoxLayout()
        run_bar.addWidget(self.run_button)
        run_bar.addWidget(self.stop_button)
        run_bar.addWidget(self.repeat_spin)
        run_bar.addWidget(self.progress, 1)
        baseline_bar = QHBoxLayout()
        baseline_bar.addStretch(1)
        baseline_bar.addWidget(QLabel(self.tr("Baseline:")))
        baseline_bar.addWidget(self.baseline_combo)
        baseline_bar.addWidget(self.mark_baseline_button)
        baseline_bar.addWidget(self.changes_only)

        self.grid_model = EvalGridModel()
        self.grid = named(QTableView(), "evalGrid")
        self.grid.setModel(self.grid_model)
        self.grid.setWordWrap(True)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.horizontalHeader().setMinimumSectionSize(120)
        self.grid.verticalHeader().setDefaultSectionSize(58)
        self.grid.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # Before the first evaluation the grid area says what to do instead of showing nothing.
        self.grid_hint = named(QLabel(), "evalEmptyHint")
        self.grid_hint.setWordWrap(True)
        self.grid_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid_hint.setMargin(24)
        ThemedStyleSheet(self.grid_hint, lambda c: f"color: {c.muted}; font-size: 13px;")
        self.grid_stack = QStackedWidget()
        self.grid_stack.addWidget(self.grid_hint)
        self.grid_stack.addWidget(self.grid)
        self.summary = named(QTableWidget(0, 7), "evalSummary")
        self.summary.setHorizontalHeaderLabels(
            [
                self.tr("Variant"),
                self.tr("Pass rate"),
                self.tr("Passed"),
                self.tr("Failed / errors"),
                self.tr("Mean latency"),
                self.tr("Cost"),
                self.tr("Failures by assertion"),
            ]
        )
        self.summary.horizontalHeader().setStretchLastSection(True)
        self.summary.verticalHeader().hide()
        self.summary.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.summary.setMaximumHeight(130)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(tools)
        top_layout.addLayout(files)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.problems_label)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addLayout(run_bar)
        bottom_layout.addLayout(baseline_bar)
        bottom_layout.addWidget(self.grid_stack, 1)
        bottom_layout.addWidget(self.summary)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setSizes([300, 500])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter)

    def _connect(self) -> None:
        self.table_model.edit_requested.connect(self._on_cell_edited)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.add_button.clicked.connect(self.add_case)
        self.duplicate_button.clicked.connect(self.duplicate_cases)
        self.delete_button.clicked.connect(self.delete_cases)
        self.up_button.clicked.connect(lambda: self.move_case(-1))
        self.down_button.clicked.connect(lambda: self.move_case(1))
        self.shared_button.clicked.connect(self.edit_shared_asserts)
        self.import_button.clicked.connect(self.import_cases)
        self.export_button.clicked.connect(self.export_cases)
        self.paste_button.clicked.connect(self.paste_rows)
        paste = QShortcut(QKeySequence.StandardKey.Paste, self.table)
        paste.setContext(Qt.ShortcutContext.WidgetShortcut)
        paste.activated.connect(self.paste_rows)
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.table)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.delete_cases)
        self.run_button.clicked.connect(self.run_evaluation)
        self.stop_button.clicked.connect(self.stop)
        self.grid.doubleClicked.connect(self.open_cell)
        self.mark_baseline_button.clicked.connect(self.mark_baseline)
        self.baseline_combo.activated.connect(self._on_baseline_chosen)
        self.changes_only.toggled.connect(lambda _on: self._apply_filter())
        self.workspace.tests_changed.connect(lambda _e: self._after_tests_changed())
        self.workspace.asserts_changed.connect(self._after_tests_changed)
        self.workspace.variants_changed.connect(lambda _e: self._show_grid_or_hint())
        self._after_tests_changed()

    # Editing the cases ---------------------------------------------------------------------

    def selected_rows(self) -> list[int]:
        """The selected cases, in order."""
        return sorted({i.row() for i in self.table.selectionModel().selectedRows()})

    def _select(self, row: int) -> None:
        if 0 <= row < self.table_model.rowCount():
            self.table.selectionModel().setCurrentIndex(
                self.table_model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )

    def add_case(self) -> None:
        """Adds an empty case (with a value for each variable) below the selection."""
        rows = self.selected_rows()
        index = rows[-1] + 1 if rows else len(self.workspace.tests)
        case = TestCase(vars={name: "" for name in self.workspace.variables()})
        self.undo_stack.push(AddTests(self.workspace, index, [case], self.tr("Add a test case")))
        self._select(index)
        self.table.setFocus()

    def duplicate_cases(self) -> None:
        """Duplicates the selected cases below the last of them."""
        rows = self.selected_rows()
        if not rows:
            return
        cases = [self.workspace.tests[r] for r in rows]
        self.undo_stack.push(
            AddTests(
                self.workspace,
                rows[-1] + 1,
                cases,
                self.tr("Duplicate {count} test case(s)").format(count=len(cases)),
            )
        )
        self._select(rows[-1] + 1)

    def delete_cases(self) -> None:
        """Deletes the selected cases."""
        rows = self.selected_rows()
        if rows:
            self.undo_stack.push(RemoveTests(self.workspace, rows))
            self._select(min(rows[0], len(self.workspace.tests) - 1))

    def move_case(self, step: int) -> None:
        """Moves the selected case one row up (-1) or down (+1)."""
        rows = self.selected_rows()
        if len(rows) != 1:
            return
        destination = rows[0] + step
        if 0 <= destination < len(self.workspace.tests):
            self.undo_stack.push(MoveTest(self.workspace, rows[0], destination))
            self._select(destination)

    def _on_cell_edited(self, row: int, case: TestCase, what: str) -> None:
        self.undo_stack.push(EditTest(self.workspace, row, case, what))

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        if index.column() == self.table_model.assert_column:
            self.edit_case_asserts(index.row())

    def edit_case_asserts(self, row: int) -> None:
        """Opens the assertions of case ``row`` in the JSON editor."""
        case = self.workspace.tests[row].copy()
        dialog = AssertionsDialog(
            self, self.tr("Assertions of test case {row}").format(row=row), case.asserts
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            value = dialog.value()
            if value is not None and value != case.asserts:
                case.asserts = value
                self.undo_stack.push(
                    EditTest(
                        self.workspace,
                        row,
                        case,
                        self.tr("Edit the assertions of test case {row}").format(row=row),
                    )
                )

    def edit_shared_asserts(self) -> None:
        """Opens the assertions every case shares in the JSON editor."""
        dialog = AssertionsDialog(
            self, self.tr("Assertions for every case"), self.workspace.asserts
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            value = dialog.value()
            if value is not None and value != self.workspace.asserts:
                self.undo_stack.push(SetSharedAsserts(self.workspace, value))

    def _add_cases(self, cases: list[TestCase], what: str) -> None:
        if not cases:
            self.message.emit(self.tr("No test cases found."))
            return
        index = len(self.workspace.tests)
        self.undo_stack.push(AddTests(self.workspace, index, cases, what))
        self.message.emit(
            self.tr("{what}: {value1} test case(s).").format(what=what, value1=len(cases))
        )
        self._select(index)

    def paste_rows(self) -> None:
        """Adds cases from tab-separated rows on the clipboard (a spreadsheet's copy)."""
        text = QGuiApplication.clipboard().text()
        try:
            cases = from_tsv(text, self.table_model.column_names())
        except TestsFileError as error:
            self.problems_label.setText(self.tr("Paste: {error}").format(error=error))
            return
        self._add_cases(cases, self.tr("Paste rows"))

    def import_cases(self) -> None:
        """Adds cases from a CSV, TSV or JSONL file."""
        path = dialogs.choose_tests_open_path(self)
        if path is None:
            return
        try:
            cases = read_cases(path, Path(path).read_bytes())
        except OSError as error:
            dialogs.show_error(
                self,
                self.tr("Import test cases"),
                self.tr("Cannot read {path}: {strerror}").format(
                    path=path, strerror=error.strerror
                ),
            )
            return
        except TestsFileError as error:
            dialogs.show_error(self, self.tr("Import test cases"), f"{Path(path).name}, {error}")
            return
        self._add_cases(cases, f"Import {Path(path).name}")

    def export_cases(self) -> None:
        """Writes the cases to a CSV or JSONL file (by the suffix chosen)."""
        suggested = (self.workspace.title or "tests").replace("/", "-") + ".csv"
        path = dialogs.choose_tests_save_path(self, suggested)
        if path is None:
            return
        variables = self.workspace.variables()
        if path.lower().endswith((".jsonl", ".ndjson")):
            text = to_jsonl(self.workspace.tests, variables)
        else:
            text = to_csv(self.workspace.tests, variables)
        try:
            write_atomic(path, text)
        except OSError as error:
            dialogs.show_error(
                self,
                self.tr("Export test cases"),
                self.tr("Cannot write {path}: {strerror}").format(
                    path=path, strerror=error.strerror
                ),
            )
            return
        self.message.emit(
            self.tr("Exported {value0} test case(s) to {path}").format(
                value0=len(self.workspace.tests), path=path
            )
        )

    def _show_grid_or_hint(self) -> None:
        """The grid once an evaluation has filled it, else a hint saying how to get one."""
        if self.grid_model.rowCount():
            self.grid_stack.setCurrentWidget(self.grid)
            return
        cases = len(self.workspace.tests)
        if cases:
            columns = max(1, len(self.workspace.variants))
            text = self.tr(
                "No evaluation yet. {cases} test case(s) × {columns} variant(s) are ready: press "
                "Run evaluation ({shortcut}) to run every case through each variant and check "
                "its assertions."
            ).format(cases=cases, columns=columns, shortcut=RUN_EVAL_SHORTCUT)
        else:
            text = self.tr(
                "No evaluation yet. Add test cases in the table above (Add case, Paste rows or "
                "Import…), each with a value per {{{{variable}}}} and its assertions, then press "
                "Run evaluation ({shortcut})."
            ).format(shortcut=RUN_EVAL_SHORTCUT)
        self.grid_hint.setText(text)
        self.grid_stack.setCurrentWidget(self.grid_hint)

    def _after_tests_changed(self) -> None:
        self._show_grid_or_hint()
        problems = self.table_model.problems
        if problems:
            more = (
                self.tr(" (and {count} more, marked in red)").format(count=len(problems) - 1)
                if len(problems) > 1
                else ""
            )
            self.problems_label.setText(f"{shown(problems[0].message)}{more}")
        else:
            self.problems_label.setText("")
        self._update_buttons()

    def _update_buttons(self) -> None:
        rows = self.selected_rows() if hasattr(self, "table") else []
        running = self.running
        self.duplicate_button.setEnabled(bool(rows))
        self.delete_button.setEnabled(bool(rows))
        self.up_button.setEnabled(len(rows) == 1 and rows[0] > 0)
        self.down_button.setEnabled(len(rows) == 1 and rows[0] < len(self.workspace.tests) - 1)
        self.run_button.setEnabled(not running and bool(self.workspace.tests))
        self.stop_button.setEnabled(running)
        self.mark_baseline_button.setEnabled(self.evaluation_id is not None and not running)

    # Running -------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether an evaluation is running."""
        return self._running

    def run_evaluation(self) -> None:
        """Runs every case through each variant (refused, with the reason, on bad input)."""
        if self.running:
            return
        problems = self.table_model.problems
        if problems:
            self.problems_label.setText(
                self.tr("Fix the test cases first: {problem}").format(problem=problems[0])
                + (
                    self.tr(" (and {count} more)").format(count=len(problems) - 1)
                    if len(problems) > 1
                    else ""
                )
            )
            return
        if not self.workspace.tests:
            self.problems_label.setText(self.tr("Add a test case first."))
            return
        repeat = self.repeat_spin.value()
        # What this evaluation runs: a copy, so that edits made while it runs change nothing.
        snapshot = workspace_from_json(self.workspace.to_json())
        labels = [label_of(v) for v in variant_labels(snapshot)]
        case_labels = [
            f"{i}  {c.description}"[:40] if c.description else str(i)
            for i, c in enumerate(snapshot.tests)
        ]
        self._finished.clear()
        self.grid_model.setup(case_labels, labels, repeat)
        self._show_grid_or_hint()
        self._tallies = {label: SummaryTally() for label in labels}
        self._summary_dirty = True
        self._unwritten = []
        self.report = None
        self.evaluation = None
        self.evaluation_id = None
        cells_count = len(case_labels) * len(labels) * repeat
        self._counts = {"queued": cells_count, "streaming": 0, "done": 0}
        for test in range(len(case_labels)):
            for label in labels:
                for r in range(repeat):
                    self._on_queued((test, label, r))
        self._running = True
        self._task = self.tasks.spawn(
            self._run(snapshot, labels, repeat), on_failure=self._run_failed
        )
        self._update_buttons()
        self._show_progress()

    def _run_failed(self, error: Exception) -> None:
        self._running = False
        log.error("The evaluation failed: %s", error, exc_info=error)
        self.message.emit(self.tr("The evaluation failed: {error}").format(error=error))
        self._update_buttons()
        self._show_progress()

    async def _run(self, snapshot: Workspace, labels: list[str], repeat: int) -> None:
        source = self.services.source()
        store = self.services.eval_store
        registry = self.services.registry()
        # Building 800 requests takes 0.2 s of pure Python: a case at a time, the window
        # painting in between (on a worker it would hold the GIL and freeze the window as long).
        cells = [
            cell
            for case_cells in await in_turns(plan_by_case(snapshot, registry, repeat=repeat))
            for cell in case_cells
        ]
        self._positions = {c.key: i for i, c in enumerate(cells)}
        try:
            self.evaluation_id = await self.writes.call(
                lambda: store().begin(source, self.workspace.title, labels, len(cells))
            )
        except (sqlite3.Error, OSError) as error:
            log.warning("Evaluation not recorded: %s", error)
            self.message.emit(
                self.tr(
                    "The history cannot be written; the evaluation is not kept ({error})."
                ).format(error=error)
            )
        evaluation = Evaluation(
            snapshot,
            cells,
            engine=self.services.engine(),
            group=group_of(self.evaluation_id) if self.evaluation_id is not None else None,
            registry=self.services.registry(),
            labels=labels,
            judge_executor=thread_pool(),  # the answers are checked off the UI thread
        )
        evaluation.on_started = self._on_started
        evaluation.on_event = self._on_event
        evaluation.on_row = self._on_row
        self.evaluation = evaluation
        if self._stop_asked:
            evaluation.stop()
        try:
            report = await evaluation.run()
        finally:
            self._running = False
            self._stop_asked = False
        self._finished.handle_all()
        evaluation_id = self.evaluation_id
        self._write_rows()
        if evaluation_id is not None:
            try:
                await self.writes.call(lambda: store().finish(evaluation_id, report.duration_ms))
            except (sqlite3.Error, OSError) as error:
                log.warning("Evaluation end not recorded: %s", error)
        self.report = report
        self.grid_model.flush()
        self._update_summary()
        self._show_progress()
        self._update_buttons()
        await self.refresh_baselines()
        self.evaluation_finished.emit(report)

    def _on_queued(self, key: CellKey) -> None:
        self.grid_model.state(key).phase = "queued"
        self.grid_model.touch(key)

    def _on_started(self, key: CellKey) -> None:
        state = self.grid_model.state(key)
        if state.phase == "queued":
            self._counts["queued"] -= 1
            self._counts["streaming"] += 1
        state.phase = "streaming"
        state.queue = None
        self.grid_model.touch(key)
        self._show_progress_soon()

    def _on_event(self, key: CellKey, event: EngineEvent) -> None:
        state = self.grid_model.state(key)
        if isinstance(event, Queued):
            state.queue = event
        elif isinstance(event, NotRecorded):
            self.message.emit(
                self.tr("A run was not recorded in the history: {message}").format(
                    message=event.message
                )
            )
        elif isinstance(event, TextDelta):
            state.chars += len(event.text)
        elif isinstance(event, ToolCallDelta):
            state.status_text = self.tr("tool call {name}").format(name=event.call.name)
        elif isinstance(event, Status):
            state.status_text = event.text
        self.grid_model.touch(key)

    def _on_row(self, row: EvalRow) -> None:
        """A cell ended and was judged: it is written soon, and shown on a coming pass of the
        event loop, with the other cells that ended about then (a few per pass)."""
        self._store_row(row)
        self._finished.add(row)

    def _show_row(self, row: EvalRow) -> None:
        state = self.grid_model.state(row.key)
        if state.phase == "streaming":
            self._counts["streaming"] -= 1
        elif state.phase == "queued":
            self._counts["queued"] -= 1
        self._counts["done"] += 1
        state.phase = "done"
        state.row = row
        if self.baseline is not None:
            single = EvalReport([row], [row.variant])
            state.change = compare_reports(single, self.baseline).get(row.key)
        self.grid_model.touch(row.key)
        tally = self._tallies.get(row.variant)
        if tally is not None:
            tally.add(row)
            self._summary_dirty = True
        self._show_progress_soon()

    def _store_row(self, row: EvalRow) -> None:
        if self.evaluation_id is None:
            return
        self._unwritten.append((self._positions.get(row.key, 0), row))
        if not self._write_timer.isActive():
            self._write_timer.start()

    def _write_rows(self) -> None:
        """Commits the finished cells not written yet, in one transaction, in order: a crash
        keeps every cell finished more than WRITE_MS before it."""
        self._write_timer.stop()
        evaluation_id, rows = self.evaluation_id, self._unwritten
        self._unwritten = []
        if evaluation_id is None or not rows:
            return
        store = self.services.eval_store
        self.writes.run(lambda: store().add_rows(evaluation_id, rows))

    def _show_progress_soon(self) -> None:
        if not hasattr(self, "_progress_timer"):
            self._progress_timer = QTimer(self)
            self._progress_timer.setSingleShot(True)
            self._progress_timer.setInterval(100)
            self._progress_timer.timeout.connect(self._show_progress)
            self._progress_timer.timeout.connect(self._update_summary)
        if not self._progress_timer.isActive():
            self._progress_timer.start()

    def _show_progress(self) -> None:
        counts = self._counts
        if self.running:
            self.progress.setText(
                self.tr("{running} running, {queued} queued, {done} done").format(
                    running=counts["streaming"], queued=counts["queued"], done=counts["done"]
                )
            )
        elif self.report is not None:
            total = self.report.total
            stopped = self.evaluation is not None and self.evaluation.stopped
            self.progress.setText(
                self.tr(
                    "{passed}/{rows} passed, {failed} failed, {errors} errors in {seconds:.1f} s"
                ).format(
                    passed=total.passed,
                    rows=total.rows,
                    failed=total.failed,
                    errors=total.errors,
                    seconds=self.report.duration_ms / 1000,
                )
                + (self.tr(" (stopped)") if stopped else "")
            )
        else:
            self.progress.setText("")

    def _update_summary(self) -> None:
        """Shows the variants' summary rows (kept up to date as cells finish) when they changed."""
        if not self._summary_dirty:
            return
        self._summary_dirty = False
        labels = list(self._tallies)
        self.summary.setRowCount(len(labels))
        for i, label in enumerate(labels):
            s = self._tallies[label].summary()
            failures = ", ".join(f"{k} ×{v}" for k, v in sorted(s.failures_by_assertion.items()))
            cells = [
                label,
                f"{s.pass_rate:.0%}",
                f"{s.passed}/{s.rows}",
                f"{s.failed} / {s.errors}",
                "–" if s.mean_latency_ms is None else f"{s.mean_latency_ms:.0f} ms",
                money(s.cost_usd),
                failures,
            ]
            for column, text in enumerate(cells):
                item = self.summary.item(i, column)
                if item is None:
                    self.summary.setItem(i, column, QTableWidgetItem(text))
                elif item.text() != text:
                    item.setText(text)

    def stop(self) -> None:
        """Stops every run of the evaluation; finished cells stay."""
        if not self.running:
            return
        self._stop_asked = True
        if self.evaluation is not None:
            self.evaluation.stop()
        self.message.emit(self.tr("Evaluation stopped; the finished cells are kept."))

    def open_cell(self, index: QModelIndex) -> CellDialog | None:
        """Opens the cell at ``index`` in full (its answer and each assertion's result)."""
        state = index.data(STATE_ROLE)
        if not isinstance(state, CellState) or state.row is None:
            return None
        row = state.row
        case = self.workspace.tests[row.test] if row.test < len(self.workspace.tests) else None
        dialog = CellDialog(self, case, state)
        dialog.open()
        return dialog

    def spawn(self, work: Any) -> None:
        """Runs a coroutine this view owns (none without a running loop: it is closed unrun)."""
        if not _loop_running() or self.tasks.closed:
            work.close()
            return
        self.tasks.spawn(work)

    @property
    def busy(self) -> bool:
        """Whether an evaluation, a listing or a write is in flight."""
        return self.running or self.tasks.busy or self.writes.busy

    # Baselines -----------------------------------------------------------------------------

    async def refresh_baselines(self) -> None:
        """Lists this workspace's stored evaluations in the baseline selector."""
        source = self.services.source()
        store = self.services.eval_store
        try:
            entries = await self.writes.call(lambda: store().entries(source, 50))
        except (sqlite3.Error, OSError) as error:
            log.warning("Evaluations not listed: %s", error)
            return
        self._fill_baselines(entries)

    def _fill_baselines(self, entries: list[EvalEntry]) -> None:
        self.baseline_combo.clear()
        self.baseline_combo.addItem(self.tr("(none)"), None)
        chosen = 0
        for entry in entries:
            stamp = entry.started_at[:16].replace("T", " ")
            with contextlib.suppress(ValueError):
                stamp = date_time(dt.datetime.fromisoformat(entry.started_at).astimezone())
            text = self.tr("#{id} {when} — {passed}/{done} passed").format(
                id=entry.id, when=stamp, passed=entry.passed, done=entry.done
            )
            if entry.finished_at is None:
                text += self.tr(" (cut short)")
            self.baseline_combo.addItem(text, entry.id)
            if entry.baseline:
                chosen = self.baseline_combo.count() - 1
        self.baseline_combo.setCurrentIndex(chosen)
        baseline_id = self.baseline_combo.itemData(chosen)
        self._load_baseline(baseline_id)

    def mark_baseline(self) -> None:
        """Makes the evaluation shown the baseline of later ones."""
        if self.evaluation_id is None:
            return
        store = self.services.eval_store()
        store.set_baseline(self.evaluation_id, self.services.source())
        self.message.emit(
            self.tr("Evaluation #{evaluation_id} is now the baseline.").format(
                evaluation_id=self.evaluation_id
            )
        )
        self.spawn(self.refresh_baselines())

    def _on_baseline_chosen(self, position: int) -> None:
        evaluation_id = self.baseline_combo.itemData(position)
        store = self.services.eval_store()
        store.set_baseline(evaluation_id, self.services.source())
        self._load_baseline(evaluation_id)

    def _load_baseline(self, evaluation_id: int | None) -> None:
        if evaluation_id is None or evaluation_id == self.evaluation_id:
            self.baseline = None
        else:
            try:
                self.baseline = self.services.eval_store().report(evaluation_id)
            except (KeyError, sqlite3.Error, OSError, ValueError) as error:
                log.warning("Baseline not loaded: %s", error)
                self.baseline = None
        self._apply_baseline()

    def _apply_baseline(self) -> None:
        for state in self.grid_model.states():
            if state.row is None:
                continue
            if self.baseline is None:
                state.change = None
            else:
                single = EvalReport([state.row], [state.row.variant])
                state.change = compare_reports(single, self.baseline).get(state.row.key)
            self.grid_model.touch(state.row.key)
        self.grid_model.flush()
        self._apply_filter()

    def _apply_filter(self) -> None:
        only = self.changes_only.isChecked() and self.baseline is not None
        for row in range(self.grid_model.rowCount()):
            hidden = False
            if only:
                states = [
                    self.grid_model.state_at(row, c) for c in range(self.grid_model.columnCount())
                ]
                hidden = not any(s.change is not None and s.change.changed for s in states)
            self.grid.setRowHidden(row, hidden)

    def shutdown(self) -> None:
        """The window is closing: stops the evaluation; the finished cells are still written."""
        self.stop()
        self.tasks.shutdown()
        self._write_rows()
        self.writes.shutdown(finish_queued=True)


class EvalServices:
    """What the Tests tab needs of the application context, looked up on every use.

    Args:
        context: The window's context: its providers, run engine (with the app's per-provider
            limit and the history) and document.
    """

    def __init__(self, context: AppContext) -> None:
        self._context = context
        self._eval_store: EvalStore | None = None

    def registry(self) -> ProviderRegistry:
        """The providers."""
        return self._context.providers

    def engine(self) -> RunEngine:
        """The app's one run engine."""
        return self._context.run_engine

    def eval_store(self) -> EvalStore:
        """The evaluations' store (opened on first use, on a worker thread)."""
        if self._eval_store is None:
            self._eval_store = EvalStore()
        return self._eval_store

    def source(self) -> str:
        """Which workspace the evaluations belong to: its file, or its title when unsaved."""
        path = self._context.document.path
        if path is not None:
            return str(path)
        return f"unsaved:{self._context.workspace.title}"


class VariablesBar(QWidget):
    """Above the cards: the variables the prompt uses and the case whose values fill them."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        named(self, "variablesBar")
        self.workspace = workspace
        self.label = named(QLabel(), "variablesLabel")
        self.selector = named(QComboBox(), "testCaseSelector")
        self.selector.setToolTip(
            self.tr("The test case whose values fill the variables when you send")
        )
        self.selector.setMinimumContentsLength(24)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(QLabel(self.tr("Filled from:")))
        layout.addWidget(self.selector)
        self.selector.activated.connect(self.workspace.set_current_test)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.refresh)
        conversation = workspace.conversation
        for event in (conversation.inserted, conversation.removed, conversation.reset):
            event.connect(lambda *_: self._timer.start())
        conversation.changed.connect(lambda *_: self._timer.start())
        workspace.tests_changed.connect(lambda _e: self.refresh())
        workspace.variants_changed.connect(lambda _e: self._timer.start())  # own system messages
        workspace.current_test_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Shows the variables and the cases."""
        names = self.workspace.variables()
        self.setVisible(bool(names))
        if not names:
            return
        values = self.workspace.variable_values()
        lacking = [n for n in names if n not in values]
        text = self.tr("Variables: {names}").format(names=", ".join("{{" + n + "}}" for n in names))
        if lacking:
            text += self.tr("  —  no value for {names}").format(
                names=", ".join("{{" + n + "}}" for n in lacking)
            )
        self.label.setText(text)
        self.selector.blockSignals(True)
        self.selector.clear()
        for i, case in enumerate(self.workspace.tests):
            description = case.description or self.tr("(no description)")
            self.selector.addItem(f"{i}: {description}"[:60])
        if not self.workspace.tests:
            self.selector.addItem(self.tr("(no test cases: add one in the Tests tab)"))
        self.selector.setCurrentIndex(min(self.workspace.current_test, self.selector.count() - 1))
        self.selector.blockSignals(False)


def install(shell: Shell, context: AppContext) -> TestsView:
    """Adds the Tests tab beside the conversation and the variables bar under the cards."""
    view = TestsView(context.workspace, context.undo_stack, EvalServices(context))
    shell.add_main_tab(view, QCoreApplication.translate("TestsView", "Tests"))
    bar = VariablesBar(context.workspace)
    view.variables_bar = bar
    shell.add_conversation_widget(bar)
    view.message.connect(context.show_status)
    action = QAction(QCoreApplication.translate("TestsView", "Run &evaluation"), shell.window())
    action.setObjectName("runEvalAction")
    action.setShortcut(QKeySequence(RUN_EVAL_SHORTCUT))
    action.triggered.connect(lambda: _show_and_run(view))
    shell.menu("run").addAction(action)
    context.closing.connect(view.shutdown)
    context.document.path_changed.connect(lambda: view.spawn(view.refresh_baselines()))
    view.spawn(view.refresh_baselines())
    return view


def _show_and_run(view: TestsView) -> None:
    """Run › Run evaluation: brings the Tests tab to the front (where the grid is) and runs."""
    parent = view.parentWidget()
    while parent is not None and not isinstance(parent, QTabWidget):
        parent = parent.parentWidget()
    if parent is not None:
        parent.setCurrentWidget(view)
    view.run_evaluation()


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        try:
            return asyncio.get_event_loop().is_running()
        except RuntimeError:
            return False
    return True
