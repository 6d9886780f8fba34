"""Undoable edits. Every change the user makes to a workspace is one of these on a QUndoStack.

Commands address messages by ``uid`` rather than by row, so they stay valid however the
conversation has been rearranged since.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand

from workbench.core.conversation import EDITABLE_FIELDS, Conversation, Message
from workbench.core.workspace import Workspace

_MERGE_TYPING = 1
#: Keystrokes closer together than this merge into one undo step; a pause starts a new one.
TYPING_PAUSE_S = 1.5


def _partial_uid(conversation: Conversation) -> int | None:
    return next((m.uid for m in conversation if m.partial), None)


def _restore_partial(conversation: Conversation, uid: int | None) -> None:
    """Puts back a partial flag that a structural edit cleared, when the rule allows it again."""
    if uid is None:
        return
    try:
        index = conversation.index_of(uid)
    except ValueError:
        return
    if conversation.partial_refusal(index) is None:
        conversation.update(index, partial=True)


class EditMessage(QUndoCommand):
    """Sets fields of one message. Consecutive typing in one card merges into one step."""

    def __init__(self, conversation: Conversation, uid: int, **values: Any) -> None:
        message = conversation[conversation.index_of(uid)]
        names = ", ".join(sorted(values))
        super().__init__(
            QCoreApplication.translate("UndoCommands", "Edit {names} of message {number}").format(
                names=names, number=conversation.index_of(uid) + 1
            )
        )
        self._conversation = conversation
        self._uid = uid
        self._before = {name: getattr(message, name) for name in EDITABLE_FIELDS}
        self._values = values
        self._after: dict[str, Any] = {}
        self._typed_at = time.monotonic()

    def id(self) -> int:
        return _MERGE_TYPING if set(self._values) == {"content"} else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditMessage) or other._uid != self._uid:
            return False
        if set(other._values) != {"content"}:
            return False
        if other._typed_at - self._typed_at > TYPING_PAUSE_S:
            return False
        self._values = {"content": other._values["content"]}
        self._after = other._after
        self._typed_at = other._typed_at
        return True

    def redo(self) -> None:
        index = self._conversation.index_of(self._uid)
        self._conversation.update(index, **self._values)
        message = self._conversation[index]
        self._after = {name: getattr(message, name) for name in EDITABLE_FIELDS}

    def undo(self) -> None:
        index = self._conversation.index_of(self._uid)
        before = dict(self._before)
        # Set partial last: the role it depends on must be back first.
        partial = before.pop("partial")
        self._conversation.update(index, **before)
        if partial:
            self._conversation.update(index, partial=True)
        elif self._conversation[index].partial:
            self._conversation.update(index, partial=False)


class InsertMessage(QUndoCommand):
    """Inserts a message (a new card, a duplicate, an answer)."""

    def __init__(self, conversation: Conversation, index: int, message: Message, text: str) -> None:
        super().__init__(text)
        self._conversation = conversation
        self._index = index
        self._message = message
        self._partial_before = _partial_uid(conversation)

    @property
    def index(self) -> int:
        """Where the message went."""
        return self._index

    def redo(self) -> None:
        self._index = self._conversation.insert(self._index, self._message)

    def undo(self) -> None:
        self._conversation.remove(self._conversation.index_of(self._message.uid))
        _restore_partial(self._conversation, self._partial_before)


class RemoveMessage(QUndoCommand):
    """Deletes a message."""

    def __init__(self, conversation: Conversation, uid: int) -> None:
        index = conversation.index_of(uid)
        super().__init__(
            QCoreApplication.translate("UndoCommands", "Delete message {number}").format(
                number=index + 1
            )
        )
        self._conversation = conversation
        self._uid = uid
        self._index = index
        self._message: Message | None = None
        self._partial_before = _partial_uid(conversation)

    def redo(self) -> None:
        self._index = self._conversation.index_of(self._uid)
        self._message = self._conversation.remove(self._index)

    def undo(self) -> None:
        assert self._message is not None
        self._conversation.insert(self._index, self._message)
        _restore_partial(self._conversation, self._partial_before)


class MoveMessage(QUndoCommand):
    """Moves a message to another position."""

    def __init__(self, conversation: Conversation, uid: int, destination: int) -> None:
        source = conversation.index_of(uid)
        super().__init__(
            QCoreApplication.translate(
                "UndoCommands", "Move message {source} to {destination}"
            ).format(source=source + 1, destination=destination + 1)
        )
        self._conversation = conversation
        self._uid = uid
        self._source = source
        self._destination = destination
        self._partial_before = _partial_uid(conversation)

    def redo(self) -> None:
        self._conversation.move(self._conversation.index_of(self._uid), self._destination)

    def undo(self) -> None:
        self._conversation.move(self._conversation.index_of(self._uid), self._source)
        _restore_partial(self._conversation, self._partial_before)


class SetTitle(QUndoCommand):
    """Renames the workspace (File › Properties)."""

    def __init__(self, workspace: Workspace, title: str) -> None:
        super().__init__(QCoreApplication.translate("UndoCommands", "Rename workspace"))
        self._workspace = workspace
        self._old = workspace.title
        self._new = title

    def redo(self) -> None:
        self._workspace.set_title(self._new)

    def undo(self) -> None:
        self._workspace.set_title(self._old)


class SetParam(QUndoCommand):
    """Changes one request parameter."""

    def __init__(self, workspace: Workspace, name: str, value: Any) -> None:
        super().__init__(QCoreApplication.translate("UndoCommands", "Set {name}").format(name=name))
        self._workspace = workspace
        self._name = name
        self._old = copy.deepcopy(workspace.params.value(name))
        self._new = value

    def redo(self) -> None:
        self._workspace.set_param(self._name, self._new)

    def undo(self) -> None:
        self._workspace.set_param(self._name, self._old)
