"""Cards that note when they are read: scale tests count the cards a step reads, not its time."""

from __future__ import annotations

from typing import Any

from workbench.core.conversation import Message

#: The uids of the cards whose fields were read since the last clear.
READ: set[int] = set()
_FIELDS = frozenset(
    {"role", "content", "name", "partial", "tool_calls", "tool_call_id", "extra", "prefill"}
)


class Watched(Message):
    """A card that notes each read of its fields in :data:`READ`."""

    def __getattribute__(self, name: str) -> Any:
        if name in _FIELDS:
            READ.add(object.__getattribute__(self, "uid"))
        return object.__getattribute__(self, name)
