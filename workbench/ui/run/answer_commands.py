"""The undo commands of runs: an answer applied to its card, a regeneration kept as an
alternate."""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QUndoCommand

from workbench.core.conversation import Conversation, Message, PartialRuleError

# Undo ---------------------------------------------------------------------------------------


class ApplyAnswer(QUndoCommand):
    """A prefilled card became a full answer: undo puts the prefix (and partial) back.

    The streamed text is already in the card when the command is pushed; redo applies the final
    values again, which changes nothing the first time.
    """

    def __init__(
        self,
        conversation: Conversation,
        uid: int,
        before: dict[str, Any],
        after: dict[str, Any],
        text: str = "Answer",
    ) -> None:
        super().__init__(text)
        self._conversation = conversation
        self._uid = uid
        self._before = before
        self._after = after

    def _index(self) -> int | None:
        try:
            return self._conversation.index_of(self._uid)
        except ValueError:
            return None

    def redo(self) -> None:
        index = self._index()
        if index is not None:
            self._conversation.update(index, **self._after)

    def undo(self) -> None:
        index = self._index()
        if index is None:
            return
        before = dict(self._before)
        partial = before.pop("partial", False)
        self._conversation.update(index, **before)
        if partial:
            # A card that is no longer last stays a plain answer.
            with contextlib.suppress(PartialRuleError):
                self._conversation.update(index, partial=True)


class RegenerateAnswer(QUndoCommand):
    """A new answer replaced the shown one, which is kept as an alternate of the same card.

    Pushed when the first piece of the new answer arrives (until then the old answer stays, so a
    refused or failed request loses nothing). The tool-result cards that answered the old
    answer's calls go with it. ``after`` is brought up to date when the run ends, so a redo
    after an undo brings back the whole answer.
    """

    def __init__(
        self,
        conversation: Conversation,
        uid: int,
        after: dict[str, Any],
        trailing: list[int],
        text: str,
    ) -> None:
        super().__init__(text)
        self._conversation = conversation
        self._uid = uid
        message = conversation[conversation.index_of(uid)]
        self._before = {name: copy.deepcopy(getattr(message, name)) for name in ANSWER_FIELDS}
        self.after = after
        self._trailing_uids = trailing
        self._removed: list[tuple[int, Message]] = []

    def redo(self) -> None:
        self._removed = []
        for uid in self._trailing_uids:
            with contextlib.suppress(ValueError):
                index = self._conversation.index_of(uid)
                self._removed.append((index, self._conversation.remove(index)))
        with contextlib.suppress(ValueError):
            self._conversation.update(self._conversation.index_of(self._uid), **self.after)

    def undo(self) -> None:
        with contextlib.suppress(ValueError):
            self._conversation.update(self._conversation.index_of(self._uid), **self._before)
        for index, message in reversed(self._removed):
            self._conversation.insert(index, message)
        self._removed = []


ANSWER_FIELDS = ("content", "tool_calls", "prefill", "alternates", "alternate_at")


@dataclass
class Regeneration:
    """What a Regenerate replaces: the answer's tool-result cards, and the undo step once begun."""

    trailing: list[int]
    command: RegenerateAnswer | None = None
