"""Undoable edits of the workspace's variants (the columns of the compare view).

Each command is a thin wrapper over one of :class:`~workbench.core.workspace.Workspace`'s variant
methods, which check the invariants and announce the change (``variants_changed``). Commands
hold the :class:`Variant` objects themselves, so a column keeps its streamed answer across a
reorder, and undoing a removal brings back the very same variant.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand

from workbench.core.workspace import VARIANT_FIELDS, Variant, Workspace

_MERGE_VARIANT_EDIT = 2
#: Edits of one field of one variant closer together than this merge into one undo step.
EDIT_PAUSE_S = 1.5


class AddVariant(QUndoCommand):
    """Inserts a variant (a new column, or a duplicate)."""

    def __init__(self, workspace: Workspace, index: int, variant: Variant, text: str) -> None:
        super().__init__(text)
        self._workspace = workspace
        self._index = index
        self._variant = variant

    def redo(self) -> None:
        self._index = self._workspace.insert_variant(self._index, self._variant)

    def undo(self) -> None:
        self._workspace.remove_variant(self._variant)


class RemoveVariant(QUndoCommand):
    """Takes a variant out of the workspace."""

    def __init__(self, workspace: Workspace, variant: Variant) -> None:
        super().__init__(
            QCoreApplication.translate("UndoCommands", "Remove variant {label}").format(
                label=variant.label
            )
        )
        self._workspace = workspace
        self._variant = variant
        self._index = workspace.variant_index(variant)

    def redo(self) -> None:
        self._index = self._workspace.remove_variant(self._variant)

    def undo(self) -> None:
        self._workspace.insert_variant(self._index, self._variant)


class MoveVariant(QUndoCommand):
    """Moves a variant to another column."""

    def __init__(self, workspace: Workspace, variant: Variant, destination: int) -> None:
        super().__init__(
            QCoreApplication.translate("UndoCommands", "Move variant {label}").format(
                label=variant.label
            )
        )
        self._workspace = workspace
        self._variant = variant
        self._source = workspace.variant_index(variant)
        self._destination = destination

    def redo(self) -> None:
        self._workspace.move_variant(self._variant, self._destination)

    def undo(self) -> None:
        self._workspace.move_variant(self._variant, self._source)


class EditVariant(QUndoCommand):
    """Sets one field of a variant (``label``, ``provider``, ``model``, ``system``) or one of its
    parameter overrides (``params.temperature``; None removes the override)."""

    def __init__(self, workspace: Workspace, variant: Variant, name: str, value: Any) -> None:
        super().__init__(
            QCoreApplication.translate("UndoCommands", "Set {name} of variant {label}").format(
                name=name.removeprefix("params."), label=variant.label
            )
        )
        if name not in VARIANT_FIELDS and not name.startswith("params."):
            raise ValueError(f"unknown variant field {name!r}")
        self._workspace = workspace
        self._variant = variant
        self._name = name
        self._old = self._get()
        self._new = copy.deepcopy(value)
        self._edited_at = time.monotonic()

    def _get(self) -> Any:
        if self._name.startswith("params."):
            return copy.deepcopy(self._variant.params.get(self._name.removeprefix("params.")))
        return getattr(self._variant, self._name)

    def id(self) -> int:
        return _MERGE_VARIANT_EDIT

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditVariant):
            return False
        if other._variant is not self._variant or other._name != self._name:
            return False
        if other._edited_at - self._edited_at > EDIT_PAUSE_S:
            return False
        self._new = other._new
        self._edited_at = other._edited_at
        return True

    def redo(self) -> None:
        self._workspace.set_variant_field(self._variant, self._name, copy.deepcopy(self._new))

    def undo(self) -> None:
        self._workspace.set_variant_field(self._variant, self._name, copy.deepcopy(self._old))


class ReplaceVariants(QUndoCommand):
    """Replaces every variant at once (reopening a comparison from the history)."""

    def __init__(self, workspace: Workspace, variants: list[Variant], text: str) -> None:
        super().__init__(text)
        self._workspace = workspace
        self._old = list(workspace.variants)
        self._new = list(variants)

    def redo(self) -> None:
        self._workspace.set_variants(self._new)

    def undo(self) -> None:
        self._workspace.set_variants(self._old, checked=False)  # as they were, whatever they were
