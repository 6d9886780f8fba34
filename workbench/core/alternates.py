"""Alternate answers: Regenerate keeps the previous answer beside the new one on the same card.

A message holds the answer it shows in ``content`` and the others in ``alternates``, in order;
``alternate_at`` is where the shown one stands among them (None: after the last, which is where a
new answer goes and where an opened file puts it). Only the shown answer is sent and counted.
These functions compute the field values of a change; the caller applies them (through the undo
stack in the window), so every change is one undoable edit.
"""

from __future__ import annotations

from typing import Any

from workbench.core.conversation import Message
from workbench.core.workspace import Workspace


def answers(message: Message) -> list[str]:
    """Every answer of ``message`` in order, the shown one included."""
    at = position(message)
    return [*message.alternates[:at], message.content, *message.alternates[at:]]


def position(message: Message) -> int:
    """Where the shown answer stands among :func:`answers` (0-based)."""
    count = len(message.alternates)
    at = message.alternate_at
    return count if at is None else max(0, min(at, count))


def count(message: Message) -> int:
    """How many answers the card holds (1 when it has no alternates)."""
    return len(message.alternates) + 1


def show(message: Message, target: int) -> dict[str, Any]:
    """The values that show answer ``target`` (0-based, clamped) instead of the current one."""
    every = answers(message)
    target = max(0, min(target, len(every) - 1))
    shown = every.pop(target)
    return {
        "content": shown,
        "alternates": every,
        "alternate_at": None if target == len(every) else target,
    }


def add_answer(message: Message, text: str) -> dict[str, Any]:
    """The values that show ``text`` as a new answer, keeping every answer the card had.

    An empty current answer (a card that only carried tool calls, or a bare prefix) is not
    worth keeping as an alternate.
    """
    kept = [a for a in answers(message) if a.strip() and a != message.prefill]
    return {"content": text, "alternates": kept, "alternate_at": None}


def regenerate_base(workspace: Workspace, answer_index: int) -> Workspace:
    """The workspace a Regenerate of the answer at ``answer_index`` sends.

    The messages before the answer, then, when the answer was continued from a prefix, that
    prefix as a partial assistant message with the answer's name: the same request as the one
    that produced the answer. The cards themselves are left as they are until the new answer
    arrives.
    """
    messages = [m.copy() for m in workspace.conversation.messages[:answer_index]]
    answer = workspace.conversation[answer_index]
    if answer.prefill:
        messages.append(
            Message(role="assistant", content=answer.prefill, name=answer.name, partial=True)
        )
    base = Workspace(
        title=workspace.title,
        messages=messages,
        tools=workspace.tools,
        tool_choice=workspace.tool_choice,
        params=workspace.params,
        variants=workspace.variants,
    )
    return base
