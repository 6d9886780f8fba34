"""The one adapter from the core conversation to Qt: a list model with a row per message."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex

from workbench.core.conversation import Conversation, Message

# The roles by their values (Qt.ItemDataRole's, checked by the tests): the model answers before
# the first paint, and PySide's ``Qt`` namespace costs some 25 ms to make (its hundred enums),
# which the start path leaves for after that paint (tests/ui/test_start_path.py).
DISPLAY_ROLE = 0
EDIT_ROLE = 2
ACCESSIBLE_TEXT_ROLE = 11
USER_ROLE = 0x0100
MessageRole = USER_ROLE + 1
UidRole = USER_ROLE + 2

_Index = QModelIndex | QPersistentModelIndex


class MessageListModel(QAbstractListModel):
    """Rows of a :class:`Conversation`, kept in step with its events.

    The model is read-only: edits go through the undo stack to the conversation, whose events come
    back here as row signals. The row count is mirrored so that Qt's begin/end pairs always see the
    counts they expect, although the core announces a change after making it.
    """

    def __init__(self, conversation: Conversation) -> None:
        super().__init__()
        self._conversation = conversation
        self._rows = len(conversation)
        conversation.inserted.connect(self._on_inserted)
        conversation.removed.connect(self._on_removed)
        conversation.moved.connect(self._on_moved)
        conversation.changed.connect(self._on_changed)
        conversation.reset.connect(self._on_reset)

    @property
    def conversation(self) -> Conversation:
        """The conversation this model shows."""
        return self._conversation

    def detach(self) -> None:
        """Stops following the conversation (the window is closing)."""
        c = self._conversation
        c.inserted.disconnect(self._on_inserted)
        c.removed.disconnect(self._on_removed)
        c.moved.disconnect(self._on_moved)
        c.changed.disconnect(self._on_changed)
        c.reset.disconnect(self._on_reset)

    # QAbstractListModel ----------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._rows

    def data(self, index: _Index, role: int = DISPLAY_ROLE) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._rows:
            return None
        message = self._conversation[index.row()]
        if role in (DISPLAY_ROLE, EDIT_ROLE):
            return message.content
        if role == ACCESSIBLE_TEXT_ROLE:
            return f"{message.role} message: {message.content[:200]}"
        if role == MessageRole:
            return message
        if role == UidRole:
            return message.uid
        return None

    # No flags() override: QListView asks for every row it paints, and an answer is a Qt.ItemFlag
    # (the ``Qt`` namespace, made before the first paint for it). The default (enabled,
    # selectable) does for a view that selects nothing and edits through the cards it opens.

    def message_at(self, row: int) -> Message:
        """The message shown in ``row``."""
        return self._conversation[row]

    # Core events -> Qt signals -----------------------------------------------------------------

    def _on_inserted(self, index: int) -> None:
        self.beginInsertRows(QModelIndex(), index, index)
        self._rows += 1
        self.endInsertRows()

    def _on_removed(self, index: int, _message: Message) -> None:
        self.beginRemoveRows(QModelIndex(), index, index)
        self._rows -= 1
        self.endRemoveRows()

    def _on_moved(self, source: int, destination: int) -> None:
        # Qt's destination is the row the item goes *before*, counted before the move.
        qt_destination = destination + 1 if destination > source else destination
        self.beginMoveRows(QModelIndex(), source, source, QModelIndex(), qt_destination)
        self.endMoveRows()

    def _on_changed(self, index: int, _names: frozenset[str]) -> None:
        changed = self.index(index, 0)
        self.dataChanged.emit(changed, changed)

    def _on_reset(self) -> None:
        self.beginResetModel()
        self._rows = len(self._conversation)
        self.endResetModel()
