"""The table of test cases: a row per case, a column per variable, problems at their cell.

The model adapts ``workspace.tests`` to Qt: the Workspace announces each change before and after
(``tests_changing``/``tests_changed``), which become ``beginInsertRows``/``endInsertRows`` and
their kin. Edits never touch the list here: they are emitted as ``edit_requested`` and become
undo commands that call the Workspace.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush

from workbench.core.evaluation import TestProblem, test_problems
from workbench.core.test_io import columns_for
from workbench.core.variables import value_text
from workbench.core.workspace import TestCase, TestsEdit, Workspace
from workbench.ui.common.i18n import shown
from workbench.ui.common.palette import colours

_Index = QModelIndex | QPersistentModelIndex


def assertion_summary(asserts: list[Any]) -> str:
    """The assertions as one short line: ``icontains 'Kelvin'; is-json``."""
    parts = []
    for item in asserts:
        if not isinstance(item, dict):
            parts.append("?")
            continue
        kind = str(item.get("type", "?"))
        value = item.get("value")
        if isinstance(value, str):
            shown = value if len(value) <= 24 else value[:23] + "…"
            parts.append(f"{kind} '{shown}'")
        elif "threshold" in item:
            parts.append(f"{kind} ≤ {item['threshold']}")
        else:
            parts.append(kind)
    return "; ".join(parts)


class TestsTableModel(QAbstractTableModel):
    """``workspace.tests`` as a table: Description, the variables, Assertions.

    Signals:
        edit_requested(row, case, what): the user edited a cell; ``case`` is the edited copy.
    """

    __test__ = False

    edit_requested = Signal(int, object, str)

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.variables: list[str] = []
        self._problems: dict[tuple[int, int], list[str]] = {}
        self.problems: list[TestProblem] = []
        self._recompute()
        workspace.tests_changing.connect(self._before)
        workspace.tests_changed.connect(self._after)
        workspace.asserts_changed.connect(self._refresh)
        workspace.variants_changed.connect(lambda _edit: self._refresh())  # own system messages
        conversation = workspace.conversation
        for event in (conversation.inserted, conversation.removed, conversation.reset):
            event.connect(lambda *_: self._refresh())
        conversation.changed.connect(self._on_message_changed)

    # Columns and problems ----------------------------------------------------------------------

    def _recompute(self) -> bool:
        """Recomputes the variable columns and the problems; True when the columns changed."""
        columns = columns_for(self.workspace.tests, self.workspace.variables())
        changed = columns != self.variables
        self.variables = columns
        self.problems = test_problems(self.workspace)
        self._problems = {}
        for problem in self.problems:
            if problem.case is None:
                continue
            column = self._problem_column(problem)
            self._problems.setdefault((problem.case, column), []).append(shown(problem.text))
        return changed

    def _problem_column(self, problem: TestProblem) -> int:
        if problem.assertion is not None:
            return self.assert_column
        if problem.field in self.variables:
            return 1 + self.variables.index(problem.field)
        if problem.field == "vars":
            lacking = [
                n for n in self.variables if n not in self.workspace.tests[problem.case or 0].vars
            ]
            return 1 + self.variables.index(lacking[0]) if lacking else 0
        return 0

    @property
    def assert_column(self) -> int:
        """The Assertions column."""
        return 1 + len(self.variables)

    def column_names(self) -> list[str]:
        """``__description``, the variables: what a pasted row fills, in order."""
        from workbench.core.test_io import DESCRIPTION

        return [DESCRIPTION, *self.variables]

    def _refresh(self) -> None:
        if self._recompute():
            self.beginResetModel()
            self.endResetModel()
        elif self.rowCount():
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1)
            )
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

    def _on_message_changed(self, _index: int, names: frozenset[str]) -> None:
        if names & {"content", "name"}:
            self._refresh()

    # Workspace events --------------------------------------------------------------------------

    def _before(self, edit: TestsEdit) -> None:
        if edit.kind == "insert":
            self.beginInsertRows(QModelIndex(), edit.index, edit.index)
        elif edit.kind == "remove":
            self.beginRemoveRows(QModelIndex(), edit.index, edit.index)
        elif edit.kind == "move":
            # Qt counts the destination before the move: below the source it is one further.
            target = edit.destination + 1 if edit.destination > edit.index else edit.destination
            self.beginMoveRows(QModelIndex(), edit.index, edit.index, QModelIndex(), target)
        elif edit.kind == "reset":
            self.beginResetModel()

    def _after(self, edit: TestsEdit) -> None:
        if edit.kind == "insert":
            self.endInsertRows()
        elif edit.kind == "remove":
            self.endRemoveRows()
        elif edit.kind == "move":
            self.endMoveRows()
        elif edit.kind == "reset":
            self.endResetModel()
        self._refresh()

    # The model ---------------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.workspace.tests)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2 + len(self.variables)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section)
        if section == 0:
            return QCoreApplication.translate("TestsTable", "Description")
        if section == self.assert_column:
            return QCoreApplication.translate("TestsTable", "Assertions")
        if 0 < section < self.assert_column:
            return "{{" + self.variables[section - 1] + "}}"
        return None

    def case(self, row: int) -> TestCase:
        """The case in ``row``."""
        return self.workspace.tests[row]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        case = self.workspace.tests[row]
        problems = self._problems.get((row, column))
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(colours().qcolor("eval_fail")) if problems else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if problems:
                return "\n".join(problems)
            if column == self.assert_column:
                return json.dumps(case.asserts, indent=2, ensure_ascii=False) or None
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return None
        if column == 0:
            return case.description
        if column == self.assert_column:
            return assertion_summary(case.asserts)
        name = self.variables[column - 1]
        if name not in case.vars:
            return "" if role == Qt.ItemDataRole.EditRole else None
        text = value_text(case.vars[name])
        if role == Qt.ItemDataRole.DisplayRole and ("\n" in text or len(text) > 200):
            text = " ".join(text.split())[:200]
        return text

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() != self.assert_column:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        row, column = index.row(), index.column()
        case = self.workspace.tests[row].copy()
        text = str(value)
        if column == 0:
            if text == case.description:
                return False
            case.description = text
            what = QCoreApplication.translate(
                "UndoCommands", "Edit the description of test case {row}"
            ).format(row=row)
        elif column < self.assert_column:
            name = self.variables[column - 1]
            old = case.vars.get(name)
            if old is not None and value_text(old) == text:
                return False
            if old is None and not text:
                return False
            case.vars[name] = text
            what = QCoreApplication.translate(
                "UndoCommands", "Edit {variable} of test case {row}"
            ).format(variable="{{" + name + "}}", row=row)
        else:
            return False
        self.edit_requested.emit(row, case, what)
        return True
