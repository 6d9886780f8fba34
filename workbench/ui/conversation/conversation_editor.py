"""Turns what the user does to cards into undoable commands on the conversation."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication

from workbench.core import alternates
from workbench.core.conversation import Conversation, Message, PartialRuleError
from workbench.ui.common.undo import EditMessage, InsertMessage, MoveMessage, RemoveMessage
from workbench.ui.conversation.message_list import MessageListView


def next_role(conversation: Conversation, index: int) -> str:
    """The role a new card at ``index`` most likely wants: the turn after the card above it."""
    if index == 0:
        return "system" if len(conversation) == 0 else "user"
    above = conversation[index - 1].role
    return {"system": "user", "user": "assistant", "assistant": "user", "tool": "assistant"}[above]


class ConversationEditor(QObject):
    """The one place that reacts to card edits and card actions.

    Signals:
        refused(text): an edit was refused (the partial rule, say); the text says why.
    """

    refused = Signal(str)

    def __init__(
        self, conversation: Conversation, undo_stack: QUndoStack, view: MessageListView
    ) -> None:
        super().__init__(view)
        self._conversation = conversation
        self._undo = undo_stack
        self._view = view
        view.card_delegate.field_edited.connect(self.edit_field)
        view.card_delegate.action_requested.connect(self.do_action)
        view.card_dropped.connect(self.move_to)

    def edit_field(self, uid: int, name: str, value: Any) -> None:
        """Applies a card's edit of field ``name``."""
        try:
            index = self._conversation.index_of(uid)
        except ValueError:
            return
        if getattr(self._conversation[index], name) == value:
            return
        if name == "partial" and value:
            reason = self._conversation.partial_refusal(index)
            if reason is not None:
                self.refused.emit(reason)
                self._view.refresh_cards()
                return
        try:
            self._undo.push(EditMessage(self._conversation, uid, **{name: value}))
        except PartialRuleError as error:
            self.refused.emit(str(error))
            self._view.refresh_cards()

    def do_action(self, uid: int, action: str) -> None:
        """Runs a card action (insert above/below, duplicate, move up/down, delete)."""
        try:
            index = self._conversation.index_of(uid)
        except ValueError:
            return
        if action == "insert_above":
            self.insert(index)
        elif action == "insert_below":
            self.insert(index + 1)
        elif action == "duplicate":
            clone = self._conversation[index].copy()
            clone.partial = False
            self._push_insert(
                index + 1, clone, self.tr("Duplicate message {number}").format(number=index + 1)
            )
        elif action == "move_up" and index > 0:
            self._undo.push(MoveMessage(self._conversation, uid, index - 1))
            self._view.scroll_to_row(index - 1, focus=True)
        elif action == "move_down" and index < len(self._conversation) - 1:
            self._undo.push(MoveMessage(self._conversation, uid, index + 1))
            self._view.scroll_to_row(index + 1, focus=True)
        elif action in ("previous_alternate", "next_alternate"):
            self.show_alternate(uid, -1 if action == "previous_alternate" else 1)
        elif action == "delete":
            focus = QApplication.focusWidget()
            had_focus = focus is not None and any(
                card.uid == uid and card.isAncestorOf(focus) for card in self._view.cards()
            )
            self._undo.push(RemoveMessage(self._conversation, uid))
            if had_focus and len(self._conversation):
                # The focus died with the card: hand it to the card that took its place (or the
                # one above it), so a keyboard user stays in the conversation.
                self._view.scroll_to_row(min(index, len(self._conversation) - 1), focus=True)

    def show_alternate(self, uid: int, step: int) -> bool:
        """Shows the answer ``step`` places before or after the shown one (one undoable edit).

        The shown answer is the one sent next and saved. False when there is none that way.
        """
        try:
            message = self._conversation[self._conversation.index_of(uid)]
        except ValueError:
            return False
        target = alternates.position(message) + step
        if not 0 <= target < alternates.count(message):
            return False
        command = EditMessage(self._conversation, uid, **alternates.show(message, target))
        command.setText(
            self.tr("Show answer {value0} of {value1}").format(
                value0=target + 1, value1=alternates.count(message)
            )
        )
        self._undo.push(command)
        return True

    def move_to(self, uid: int, destination: int) -> None:
        """Moves message ``uid`` to row ``destination`` (a card dragged and dropped)."""
        try:
            source = self._conversation.index_of(uid)
        except ValueError:
            return
        destination = max(0, min(destination, len(self._conversation) - 1))
        if destination != source:
            self._undo.push(MoveMessage(self._conversation, uid, destination))
            self._view.scroll_to_row(destination)

    def insert(self, index: int, role: str | None = None, content: str = "") -> int:
        """Inserts a new card at ``index`` and puts the cursor in it; returns where it went."""
        role = role or next_role(self._conversation, index)
        return self._push_insert(index, Message(role=role, content=content), self.tr("New message"))

    def append(self, role: str | None = None, content: str = "") -> int:
        """Adds a new card at the end."""
        return self.insert(len(self._conversation), role, content)

    def _push_insert(self, index: int, message: Message, text: str) -> int:
        command = InsertMessage(self._conversation, index, message, text)
        self._undo.push(command)
        self._view.scroll_to_row(command.index, focus=True)
        return command.index

    def focused_uid(self) -> int | None:
        """The message whose card holds the keyboard focus, if any."""
        for card in self._view.cards():
            if card.hasFocus() or card.isAncestorOf(self._view.focusWidget() or card):
                return card.uid
        return None
