"""Undoable edits of the test cases; each calls the Workspace, which announces the change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand

from workbench.core.workspace import TestCase, Workspace


class AddTests(QUndoCommand):
    """Inserts cases at ``index`` (a new, duplicated, pasted or imported case)."""

    def __init__(self, workspace: Workspace, index: int, cases: Sequence[TestCase], what: str):
        super().__init__(what)
        self._workspace = workspace
        self._index = max(0, min(index, len(workspace.tests)))
        self._cases = [c.copy() for c in cases]

    def redo(self) -> None:
        for offset, case in enumerate(self._cases):
            self._workspace.insert_test(self._index + offset, case.copy())

    def undo(self) -> None:
        for _ in self._cases:
            self._workspace.remove_test(self._index)


class RemoveTests(QUndoCommand):
    """Deletes the cases at ``indices``."""

    def __init__(self, workspace: Workspace, indices: Sequence[int]):
        rows = sorted(set(indices))
        super().__init__(
            QCoreApplication.translate("UndoCommands", "Delete {count} test case(s)").format(
                count=len(rows)
            )
        )
        self._workspace = workspace
        self._removed = [(i, workspace.tests[i].copy()) for i in rows]

    def redo(self) -> None:
        for index, _ in reversed(self._removed):
            self._workspace.remove_test(index)

    def undo(self) -> None:
        for index, case in self._removed:
            self._workspace.insert_test(index, case.copy())


class MoveTest(QUndoCommand):
    """Moves one case up or down."""

    def __init__(self, workspace: Workspace, index: int, destination: int):
        super().__init__(
            QCoreApplication.translate("UndoCommands", "Move test case {index}").format(index=index)
        )
        self._workspace = workspace
        self._index = index
        self._destination = destination

    def redo(self) -> None:
        self._workspace.move_test(self._index, self._destination)

    def undo(self) -> None:
        self._workspace.move_test(self._destination, self._index)


class EditTest(QUndoCommand):
    """Replaces one case with an edited copy (its description, a value, its assertions)."""

    def __init__(self, workspace: Workspace, index: int, case: TestCase, what: str):
        super().__init__(what)
        self._workspace = workspace
        self._index = index
        self._before = workspace.tests[index].copy()
        self._after = case.copy()

    def redo(self) -> None:
        self._workspace.update_test(self._index, self._after.copy())

    def undo(self) -> None:
        self._workspace.update_test(self._index, self._before.copy())


class SetSharedAsserts(QUndoCommand):
    """Replaces the assertions every case shares."""

    def __init__(self, workspace: Workspace, asserts: list[Any]):
        super().__init__(QCoreApplication.translate("UndoCommands", "Edit the shared assertions"))
        self._workspace = workspace
        self._before = list(workspace.asserts)
        self._after = list(asserts)

    def redo(self) -> None:
        self._workspace.set_asserts(self._after)

    def undo(self) -> None:
        self._workspace.set_asserts(self._before)
