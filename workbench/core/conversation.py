"""The conversation: an ordered list of messages that announces every change.

Every edit of a message goes through :class:`Conversation`, which enforces the partial rule
(``partial`` only on the last message, and only when it is an assistant message) and emits events
that the views (cards, token meter, compare panes) follow.
"""

from __future__ import annotations

import bisect
import copy
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from workbench.core.events import Event
from workbench.core.texts import QT_TRANSLATE_NOOP

ROLES: tuple[str, ...] = ("system", "user", "assistant", "tool")

_uids = itertools.count(1)


def _next_uid() -> int:
    return next(_uids)


@dataclass(eq=False)
class Message:
    """One chat message, OpenAI style, plus Moonshot's ``partial`` flag.

    ``uid`` identifies the message for the lifetime of the process (views and caches key on it); it
    is never written to files. ``extra`` keeps keys this app does not model, so that a request
    pasted from code survives a round trip.

    An answer keeps what the app needs to ask for it again: ``prefill`` is the prefix it was
    continued from (Regenerate starts over from it, with the same ``name``), ``alternates`` the
    other answers Regenerate produced, in order, and ``alternate_at`` where ``content`` stands
    among them (None: after the last). Only ``content`` is ever sent.
    """

    role: str = "user"
    content: str = ""
    name: str = ""
    partial: bool = False
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    tool_call_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    prefill: str = ""
    alternates: list[str] = field(default_factory=list)
    alternate_at: int | None = None
    uid: int = field(default_factory=_next_uid)

    def copy(self) -> Message:
        """A deep copy with a new ``uid``."""
        return replace(
            self,
            tool_calls=copy.deepcopy(self.tool_calls),
            alternates=list(self.alternates),
            extra=copy.deepcopy(self.extra),
            uid=_next_uid(),
        )


EDITABLE_FIELDS = frozenset(
    {
        "role",
        "content",
        "name",
        "partial",
        "tool_calls",
        "tool_call_id",
        "prefill",
        "alternates",
        "alternate_at",
    }
)


class PartialRuleError(ValueError):
    """Raised when ``partial`` is set on a message that may not carry it."""


@dataclass(frozen=True)
class Problem:
    """A reason the conversation cannot be sent as it is.

    Attributes:
        index: The card the problem belongs to, or None for the conversation as a whole.
        text: A sentence for the user.
    """

    index: int | None
    text: str

    def __str__(self) -> str:
        if self.index is None:
            return QT_TRANSLATE_NOOP("SendProblems", "Conversation: {problem}").format(
                problem=self.text
            )
        return QT_TRANSLATE_NOOP("SendProblems", "Message {number}: {problem}").format(
            number=self.index + 1, problem=self.text
        )


T = TypeVar("T")


class CardIndex(Generic[T]):
    """What ``compute`` says of each card, kept only for the cards where it says something.

    The conversation keeps its indexes in step with its own edits, before it announces them: a
    change of a card computes that card again, and only when a field ``compute`` reads changed;
    an insert computes the new card, a removal forgets it, a reset computes every card (opening a
    file). Asking which cards use variables or carry images costs the same at 50,000 cards as at
    100 (plus the cards found). Build one with :meth:`Conversation.card_index`.

    Attributes:
        fields: The message fields (and ``extra`` keys, or ``"extra"`` for any) ``compute`` reads.
        computed: How many times a card was computed (tests pin that a keystroke reads one card).
    """

    __slots__ = ("_compute", "_extend", "_position", "_values", "computed", "fields")

    def __init__(
        self,
        compute: Callable[[Message], T | None],
        fields: frozenset[str],
        position: Callable[[int], int],
        extend: Callable[[Message, T | None, int], T | None] | None = None,
    ) -> None:
        self._compute = compute
        self._extend = extend
        self._position = position
        self._values: dict[int, T] = {}
        self.fields = fields
        self.computed = 0

    def __len__(self) -> int:
        return len(self._values)

    def items(self) -> list[tuple[int, T]]:
        """(position, value) of each card with a value, in the conversation's order."""
        position = self._position
        return sorted((position(uid), value) for uid, value in self._values.items())

    def positions(self) -> list[int]:
        """The positions of the cards with a value, in order."""
        position = self._position
        return sorted(position(uid) for uid in self._values)

    def _put(self, message: Message) -> None:
        self.computed += 1
        value = self._compute(message)
        if value:
            self._values[message.uid] = value
        else:
            self._values.pop(message.uid, None)

    def _changed(self, message: Message, names: Iterable[str], grown_from: int | None) -> None:
        if self.fields.isdisjoint(names):
            return
        if grown_from is not None and self._extend is not None:
            # Text added at the end of the content (an answer streaming in): only that is read.
            self.computed += 1
            value = self._extend(message, self._values.get(message.uid), grown_from)
            if value:
                self._values[message.uid] = value
            else:
                self._values.pop(message.uid, None)
            return
        self._put(message)

    def _forget(self, message: Message) -> None:
        self._values.pop(message.uid, None)

    def _rebuild(self, messages: Iterable[Message]) -> None:
        self._values.clear()
        for message in messages:
            self._put(message)


# The per-card facts :meth:`Conversation.problems` reads (see :class:`CardIndex`).
_CARD_FIELDS = ("role", "content", "content_parts", "extra")


def _card_problems(message: Message) -> tuple[tuple[int, str], ...]:
    """(order among the card's checks, text) of what is wrong with a card wherever it stands."""
    texts = []
    if message.role not in ROLES:
        texts.append(
            (
                0,
                QT_TRANSLATE_NOOP("SendProblems", "Unknown role {role}.").format(
                    role=repr(message.role)
                ),
            )
        )
    if (
        message.role in ("system", "user")
        and (not message.content or message.content.isspace())
        and not message.extra.get("content_parts")
    ):
        texts.append(
            (
                3,
                QT_TRANSLATE_NOOP("SendProblems", "The {role} message is empty.").format(
                    role=message.role
                ),
            )
        )
    return tuple(texts)


def _partial_role(message: Message) -> str | None:
    return message.role if message.partial else None


def _call_ids(message: Message) -> tuple[str, ...]:
    return tuple(c["id"] for c in message.tool_calls if isinstance(c.get("id"), str))


def _answered_id(message: Message) -> tuple[str] | None:
    return (message.tool_call_id,) if message.role == "tool" else None


def _not_system(message: Message) -> bool:
    return message.role != "system"


class Conversation:
    """An observable list of :class:`Message`.

    Events:
        inserted(index): a message now stands at ``index``.
        removed(index, message): ``message`` was taken from ``index``.
        moved(source, destination): the message at ``source`` now stands at ``destination``.
        changed(index, names): fields ``names`` of the message at ``index`` changed.
        reset(): the whole list was replaced.
        notice(text): something the user should be told (a partial flag cleared, say).
    """

    def __init__(self, messages: Iterable[Message] = ()) -> None:
        self._messages: list[Message] = list(messages)
        #: uid -> position, rebuilt on demand after a change of order (views ask for every
        #: visible card on every scroll step: a scan per call was most of a step at 50k cards).
        self._positions: dict[int, int] | None = None
        #: Per-card facts kept in step with the edits (see :class:`CardIndex`).
        self._indexes: dict[str, CardIndex[Any]] = {}
        self.inserted: Event[[int]] = Event()
        self.removed: Event[[int, Message]] = Event()
        self.moved: Event[[int, int]] = Event()
        self.changed: Event[[int, frozenset[str]]] = Event()
        self.reset: Event[[]] = Event()
        self.notice: Event[[str]] = Event()
        self._check_partial_invariant(self._messages)

    # Reading -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._messages)

    def __getitem__(self, index: int) -> Message:
        return self._messages[index]

    def __iter__(self) -> Iterator[Message]:
        return iter(self._messages)

    @property
    def messages(self) -> tuple[Message, ...]:
        """The messages, in order (a snapshot)."""
        return tuple(self._messages)

    def index_of(self, uid: int) -> int:
        """The position of the message with ``uid``; ValueError when there is none."""
        positions = self._positions
        if positions is None:
            positions = self._positions = {m.uid: i for i, m in enumerate(self._messages)}
        index = positions.get(uid)
        if index is None:
            raise ValueError(f"no message with uid {uid}")
        return index

    def card_index(
        self,
        key: str,
        compute: Callable[[Message], T | None],
        fields: Iterable[str],
        extend: Callable[[Message, T | None, int], T | None] | None = None,
    ) -> CardIndex[T]:
        """The index ``key`` of this conversation: built on first use (every card computed once),
        then kept in step with each edit (only the edited card computed again).

        Args:
            key: Names the index; later calls with the same key get the same index.
            compute: A fact of one card; falsy values are not kept.
            fields: The message fields ``compute`` reads (``extra`` keys by name, or ``"extra"``).
            extend: Given for a fact that can follow text added at the end of the content
                without reading the rest: ``extend(message, value before, length before)`` is
                called instead of ``compute`` when only the content changed, by growing.
        """
        found = self._indexes.get(key)
        if found is None:
            found = CardIndex(compute, frozenset(fields), self.index_of, extend)
            found._rebuild(self._messages)
            self._indexes[key] = found
        return found

    def _card_changed(
        self, message: Message, names: frozenset[str], grown_from: int | None = None
    ) -> None:
        for index in self._indexes.values():
            index._changed(message, names, grown_from)

    # The partial rule ----------------------------------------------------------------------

    def partial_refusal(self, index: int, role: str | None = None) -> str | None:
        """Why the message at ``index`` may not be partial, or None when it may.

        Args:
            index: The message's position.
            role: The role to judge by, when it is about to change.
        """
        role = self._messages[index].role if role is None else role
        if index != len(self._messages) - 1:
            return "Only the last message can be partial (a prefilled answer)."
        if role != "assistant":
            return "Only an assistant message can be partial: the model continues its text."
        return None

    @staticmethod
    def _check_partial_invariant(messages: list[Message]) -> None:
        for index, message in enumerate(messages):
            if not message.partial:
                continue
            if index != len(messages) - 1 or message.role != "assistant":
                raise PartialRuleError(
                    QT_TRANSLATE_NOOP(
                        "FileErrors",
                        "message {number}: partial is only allowed on the last message, which "
                        "must be an assistant message",
                    ).format(number=index + 1)
                )

    def _clear_stale_partial(self, *candidates: int) -> None:
        """Clears ``partial`` on any of ``candidates`` that is no longer last, and tells the user.

        The invariant allows the flag on the last message only, so after one insert or move only
        the old last message (or the moved one) can carry it where it may not.
        """
        last = len(self._messages) - 1
        for index in sorted({i for i in candidates if 0 <= i <= last}):
            message = self._messages[index]
            if message.partial and index != last:
                message.partial = False
                self._card_changed(message, frozenset({"partial"}))
                self.changed.emit(index, frozenset({"partial"}))
                self.notice.emit(
                    f"Partial turned off on message {index + 1}: it is no longer the last message."
                )

    # Editing -------------------------------------------------------------------------------

    def insert(self, index: int, message: Message) -> int:
        """Inserts ``message`` at ``index`` (clamped to the list) and returns where it went."""
        index = max(0, min(index, len(self._messages)))
        if message.partial and (index != len(self._messages) or message.role != "assistant"):
            message.partial = False
        positions = self._positions
        self._messages.insert(index, message)
        if positions is not None and index == len(self._messages) - 1:
            positions[message.uid] = index  # appended: no other position moved
        else:
            self._positions = None
        for card_index in self._indexes.values():
            card_index._put(message)
        self.inserted.emit(index)
        self._clear_stale_partial(len(self._messages) - 2)
        return index

    def append(self, message: Message) -> int:
        """Adds ``message`` at the end and returns its index."""
        return self.insert(len(self._messages), message)

    def remove(self, index: int) -> Message:
        """Removes and returns the message at ``index``."""
        message = self._messages.pop(index)
        positions = self._positions
        if positions is not None and index == len(self._messages):
            positions.pop(message.uid, None)  # the last one: no other position moved
        else:
            self._positions = None
        for card_index in self._indexes.values():
            card_index._forget(message)
        self.removed.emit(index, message)
        return message

    def move(self, source: int, destination: int) -> None:
        """Moves the message at ``source`` so that it stands at ``destination``."""
        count = len(self._messages)
        if not (0 <= source < count and 0 <= destination < count):
            raise IndexError(f"cannot move message {source} to {destination} in {count}")
        if source == destination:
            return
        message = self._messages.pop(source)
        self._messages.insert(destination, message)
        self._positions = None
        self.moved.emit(source, destination)
        self._clear_stale_partial(destination, count - 2)

    def duplicate(self, index: int) -> int:
        """Inserts a copy of the message at ``index`` right after it; returns the copy's index."""
        clone = self._messages[index].copy()
        clone.partial = False
        return self.insert(index + 1, clone)

    def set_extra(self, index: int, key: str, value: Any) -> bool:
        """Keeps a key this app does not edit on a message (``reasoning_content``), or removes it
        (``value`` None); returns whether it changed."""
        message = self._messages[index]
        if message.extra.get(key) == value:
            return False
        if value is None:
            message.extra.pop(key, None)
        else:
            message.extra[key] = copy.deepcopy(value)
        self._card_changed(message, frozenset({key, "extra"}))
        self.changed.emit(index, frozenset({key}))
        return True

    def update(self, index: int, **values: Any) -> frozenset[str]:
        """Sets fields of the message at ``index``; returns the names that really changed.

        Raises:
            PartialRuleError: ``partial=True`` where the rule forbids it.
            ValueError: an unknown field or role.
        """
        unknown = set(values) - EDITABLE_FIELDS
        if unknown:
            raise ValueError(f"unknown message field(s): {', '.join(sorted(unknown))}")
        if "role" in values and values["role"] not in ROLES:
            raise ValueError(f"unknown role {values['role']!r}; use one of {', '.join(ROLES)}")
        message = self._messages[index]
        role = values.get("role", message.role)
        partial = values.get("partial", message.partial)
        if partial:
            reason = self.partial_refusal(index, role)
            if reason is not None:
                if values.get("partial"):
                    raise PartialRuleError(reason)
                # The role changed away from assistant: the flag cannot stay.
                values["partial"] = False
                self.notice.emit(f"Partial turned off on message {index + 1}: {reason}")
        changed = frozenset(
            name for name, value in values.items() if getattr(message, name) != value
        )
        before = message.content
        for name in changed:
            setattr(message, name, copy.deepcopy(values[name]))
        if changed:
            # Only the content changed, by growing at its end (an answer streaming in, typing at
            # the end of a card): the indexes that can read the new text alone do.
            content = message.content
            grown = (
                changed == {"content"} and len(content) > len(before) and content.startswith(before)
            )
            self._card_changed(message, changed, len(before) if grown else None)
            self.changed.emit(index, changed)
        return changed

    def share_text(self, index: int, text: str) -> bool:
        """Makes ``text`` itself the content of the message at ``index`` when the two are equal.

        A run's answer is joined by the runner; the message may hold an equal string of its own
        (the stream's last flush joined the same pieces): one of the two copies (10 MB for a
        10 MB answer) can go. Nothing anyone sees changes, so nothing is announced. Returns
        whether the message took ``text``.
        """
        message = self._messages[index]
        if message.content is text or message.content != text:
            return False
        message.content = text
        return True

    def replace_all(self, messages: Iterable[Message]) -> None:
        """Replaces every message at once (opening a file, say)."""
        new = list(messages)
        self._check_partial_invariant(new)
        self._messages = new
        self._positions = None
        for card_index in self._indexes.values():
            card_index._rebuild(new)
        self.reset.emit()

    # Checking before a send ----------------------------------------------------------------

    def problems(self) -> list[Problem]:
        """Everything that stops this conversation from being sent, card by card.

        Read from the conversation's per-card indexes: the cost follows the cards with something
        to check (tool turns, partial flags, empty or unknown cards), not the number of cards.
        """
        if not len(self):
            return [
                Problem(
                    None,
                    QT_TRANSLATE_NOOP("SendProblems", "The conversation is empty: add a message."),
                )
            ]
        found: list[tuple[int, int, str]] = []  # (card, order of the check, text)
        last = len(self) - 1
        for index, texts in self.card_index("problems:card", _card_problems, _CARD_FIELDS).items():
            found += [(index, order, text) for order, text in texts]
        partial = self.card_index("problems:partial", _partial_role, ("partial", "role"))
        for index, role in partial.items():
            if index != last or role != "assistant":
                found.append(
                    (
                        index,
                        1,
                        QT_TRANSLATE_NOOP(
                            "SendProblems",
                            "Partial is only allowed on the last, assistant message.",
                        ),
                    )
                )
        first_call: dict[str, int] = {}
        for index, ids in self.card_index("problems:calls", _call_ids, ("tool_calls",)).items():
            for call_id in ids:
                first_call.setdefault(call_id, index)
        answers = self.card_index("problems:answers", _answered_id, ("role", "tool_call_id"))
        for index, (call_id,) in answers.items():
            if not call_id:
                text = QT_TRANSLATE_NOOP(
                    "SendProblems", "A tool message needs the tool_call_id it answers."
                )
                found.append((index, 2, text))
            elif first_call.get(call_id, index) >= index:
                text = QT_TRANSLATE_NOOP(
                    "SendProblems", "No earlier assistant tool call has the id {id}."
                ).format(id=repr(call_id))
                found.append((index, 2, text))
        problems = [Problem(index, text) for index, _order, text in sorted(found)]
        if not len(self.card_index("problems:spoken", _not_system, ("role",))):
            problems.append(
                Problem(
                    None,
                    QT_TRANSLATE_NOOP(
                        "SendProblems", "Add a user message: system messages alone get no answer."
                    ),
                )
            )
        return problems


def _is_system(message: Message) -> bool:
    return message.role == "system"


class SystemReplaced(Conversation):
    """``base`` as a variant with its own system message sends it, read without copying it.

    The first system card reads as :attr:`replacement` (the variant's text, without the card's
    images); when ``base`` has no system card, the replacement stands first and every card one
    place later. That is what :func:`workbench.core.payloads.variant_messages` sends, before the
    variables are filled. Every other card is ``base``'s own message, and the per-card indexes
    are ``base``'s (kept in step with its edits) with the one replaced card computed apart: a
    Compare column with its own system message checks and counts a keystroke in one card at the
    cost of that card, not of the conversation.

    A view for reading at once: it follows no event, and editing it is an error.

    Attributes:
        base: The conversation shown.
        replaced_at: The position in ``base`` of the card replaced, None when the replacement is
            put first.
        replacement: The system card the variant sends instead.
    """

    def __init__(self, base: Conversation, system: str) -> None:
        super().__init__()
        self.base = base
        found = base.card_index("system", _is_system, ("role",)).positions()
        self.replaced_at: int | None = found[0] if found else None
        if self.replaced_at is None:
            self.replacement = Message(role="system", content=system)
        else:
            replacement = base[self.replaced_at].copy()
            replacement.content = system
            replacement.extra.pop("content_parts", None)  # the replacement is plain text
            self.replacement = replacement

    @property
    def _shift(self) -> int:
        return 1 if self.replaced_at is None else 0

    def __len__(self) -> int:
        return len(self.base) + self._shift

    def __getitem__(self, index: int) -> Message:
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("conversation index out of range")
        if self.replaced_at is None:
            return self.replacement if index == 0 else self.base[index - 1]
        return self.replacement if index == self.replaced_at else self.base[index]

    def __iter__(self) -> Iterator[Message]:
        if self.replaced_at is None:
            yield self.replacement
            yield from self.base
            return
        for index, message in enumerate(self.base):
            yield self.replacement if index == self.replaced_at else message

    @property
    def messages(self) -> tuple[Message, ...]:
        """The messages sent, in order (a snapshot: this one reads every card)."""
        return tuple(self)

    def index_of(self, uid: int) -> int:
        """The position of the message with ``uid`` in the view."""
        if uid == self.replacement.uid:
            return 0 if self.replaced_at is None else self.replaced_at
        return self.base.index_of(uid) + self._shift

    def card_index(
        self,
        key: str,
        compute: Callable[[Message], T | None],
        fields: Iterable[str],
        extend: Callable[[Message, T | None, int], T | None] | None = None,
    ) -> CardIndex[T]:
        """``base``'s index ``key``, with the replaced card computed apart (see the class)."""
        return _ReplacedIndex(self, self.base.card_index(key, compute, fields, extend), compute)

    def _refuse(self, *_args: object, **_kwargs: object) -> Any:
        raise TypeError("a SystemReplaced view is read-only: edit its base conversation")

    insert = append = remove = move = duplicate = set_extra = update = replace_all = _refuse


class _ReplacedIndex(CardIndex[T]):
    """A :class:`CardIndex` of ``base`` read through a :class:`SystemReplaced` view."""

    __slots__ = ("_base", "_position_of", "_skip", "_value")

    def __init__(
        self, view: SystemReplaced, base: CardIndex[T], compute: Callable[[Message], T | None]
    ) -> None:
        super().__init__(compute, base.fields, view.index_of)
        self._base = base
        at = view.replaced_at
        self._skip = view.base[at].uid if at is not None else None
        self._value = compute(view.replacement)
        self._position_of = view.index_of(view.replacement.uid)

    def __len__(self) -> int:
        replaced = self._skip is not None and self._skip in self._base._values
        return len(self._base) - replaced + bool(self._value)

    def items(self) -> list[tuple[int, T]]:
        """(position, value) of each card with a value, in the view's order."""
        base = self._base
        position = self._position
        found = [(position(uid), value) for uid, value in base._values.items() if uid != self._skip]
        found.sort(key=lambda item: item[0])
        if self._value:
            bisect.insort(found, (self._position_of, self._value), key=lambda item: item[0])
        return found

    def positions(self) -> list[int]:
        """The positions of the cards with a value, in the view's order."""
        return [position for position, _value in self.items()]
