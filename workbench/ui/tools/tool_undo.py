"""Undoable edits of the workspace's tools and ``tool_choice``.

Each command is a thin wrapper over one of :class:`~workbench.core.workspace.Workspace`'s tool
methods, which announce the change (``tools_changed``, ``tool_choice_changed``) to the views that
show it: the tools panel, the token meter, the tool-call cards, the Compare columns' preflight.
Commands hold the :class:`ToolEntry` objects themselves (found again by identity, never by value:
two tools may have the same text), so they stay valid however the list was rearranged since.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand

from workbench.core.workspace import ToolEntry, Workspace

_MERGE_TOOL_TYPING = 2
#: Keystrokes closer together than this merge into one undo step (as in message cards).
TYPING_PAUSE_S = 1.5


def index_of(workspace: Workspace, entry: ToolEntry) -> int:
    """The position of ``entry`` (by identity) in the workspace's tools; ValueError if absent."""
    return workspace.tool_index(entry)


class EditToolSource(QUndoCommand):
    """Sets a tool's JSON text. Consecutive typing in one tool merges into one step."""

    def __init__(self, workspace: Workspace, entry: ToolEntry, source: str) -> None:
        super().__init__(
            QCoreApplication.translate("UndoCommands", "Edit tool {number}").format(
                number=index_of(workspace, entry) + 1
            )
        )
        self._workspace = workspace
        self._entry = entry
        self._before = entry.source
        self._after = source
        self._typed_at = time.monotonic()

    def id(self) -> int:
        return _MERGE_TOOL_TYPING

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditToolSource) or other._entry is not self._entry:
            return False
        if other._typed_at - self._typed_at > TYPING_PAUSE_S:
            return False
        self._after = other._after
        self._typed_at = other._typed_at
        return True

    def redo(self) -> None:
        self._workspace.set_tool_field(self._entry, "source", self._after)

    def undo(self) -> None:
        self._workspace.set_tool_field(self._entry, "source", self._before)


class SetToolField(QUndoCommand):
    """Sets ``enabled`` or ``mock_result`` of a tool."""

    def __init__(self, workspace: Workspace, entry: ToolEntry, name: str, value: Any) -> None:
        if name not in ("enabled", "mock_result"):
            raise ValueError(f"not a tool field: {name}")
        index = index_of(workspace, entry) + 1
        text = {
            "enabled": (
                QCoreApplication.translate("UndoCommands", "Enable tool {number}")
                if value
                else QCoreApplication.translate("UndoCommands", "Disable tool {number}")
            ),
            "mock_result": QCoreApplication.translate(
                "UndoCommands", "Edit mock result of tool {number}"
            ),
        }[name].format(number=index)
        super().__init__(text)
        self._workspace = workspace
        self._entry = entry
        self._name = name
        self._before = getattr(entry, name)
        self._after = value
        self._typed_at = time.monotonic()

    def id(self) -> int:
        return _MERGE_TOOL_TYPING + 1 if self._name == "mock_result" else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetToolField) or other._entry is not self._entry:
            return False
        if other._name != self._name or other._typed_at - self._typed_at > TYPING_PAUSE_S:
            return False
        self._after = other._after
        self._typed_at = other._typed_at
        return True

    def redo(self) -> None:
        self._workspace.set_tool_field(self._entry, self._name, self._after)

    def undo(self) -> None:
        self._workspace.set_tool_field(self._entry, self._name, self._before)


class InsertTools(QUndoCommand):
    """Inserts tools (new, duplicated, imported) at a position."""

    def __init__(
        self, workspace: Workspace, index: int, entries: list[ToolEntry], text: str
    ) -> None:
        super().__init__(text)
        self._workspace = workspace
        self._index = max(0, min(index, len(workspace.tools)))
        self._entries = entries

    @property
    def index(self) -> int:
        """Where the first tool went."""
        return self._index

    def redo(self) -> None:
        self._index = self._workspace.insert_tools(self._index, self._entries)

    def undo(self) -> None:
        for entry in self._entries:
            self._workspace.remove_tool(entry)


class RemoveTool(QUndoCommand):
    """Deletes a tool."""

    def __init__(self, workspace: Workspace, entry: ToolEntry) -> None:
        self._index = index_of(workspace, entry)
        super().__init__(
            QCoreApplication.translate("UndoCommands", "Delete tool {number}").format(
                number=self._index + 1
            )
        )
        self._workspace = workspace
        self._entry = entry

    def redo(self) -> None:
        self._index = self._workspace.remove_tool(self._entry)

    def undo(self) -> None:
        self._workspace.insert_tools(self._index, [self._entry])


class MoveTool(QUndoCommand):
    """Moves a tool to another position (the order they are sent in)."""

    def __init__(self, workspace: Workspace, entry: ToolEntry, destination: int) -> None:
        self._source = index_of(workspace, entry)
        super().__init__(
            QCoreApplication.translate(
                "UndoCommands", "Move tool {source} to {destination}"
            ).format(source=self._source + 1, destination=destination + 1)
        )
        self._workspace = workspace
        self._entry = entry
        self._destination = destination

    def redo(self) -> None:
        self._workspace.move_tool(self._entry, self._destination)

    def undo(self) -> None:
        self._workspace.move_tool(self._entry, self._source)


class SetToolChoice(QUndoCommand):
    """Changes ``tool_choice``: auto, none, required or a named function."""

    def __init__(self, workspace: Workspace, value: str | dict[str, Any]) -> None:
        super().__init__(QCoreApplication.translate("UndoCommands", "Set tool_choice"))
        self._workspace = workspace
        self._before = copy.deepcopy(workspace.tool_choice)
        self._after = copy.deepcopy(value)

    def redo(self) -> None:
        self._workspace.set_tool_choice(copy.deepcopy(self._after))

    def undo(self) -> None:
        self._workspace.set_tool_choice(copy.deepcopy(self._before))
