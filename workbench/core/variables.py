"""Template variables: ``{{name}}`` in a message's content or name, filled from a test case.

A variable is ``{{`` + a name + ``}}`` (spaces inside the braces allowed); a name starts with a
letter or ``_`` and holds letters, digits, ``_``, ``-`` and ``.``. Values that are not strings
(numbers, lists and objects from a JSON or YAML file) are filled in as compact JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from workbench.core.conversation import CardIndex, Conversation, Message

VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*\}\}")


def variables_in(text: str) -> list[str]:
    """The variable names ``text`` uses, in order of first use, each once."""
    return list(dict.fromkeys(m.group(1) for m in VARIABLE.finditer(text)))


def message_variables(message: Message) -> list[str]:
    """The variables of one message (its name, then its content)."""
    if "{{" not in message.content and "{{" not in message.name:
        return []  # most cards: no copy, no regular expression (asked per keystroke, per card)
    return variables_in(message.name + "\n" + message.content)


def conversation_variables(messages: Iterable[Message]) -> list[str]:
    """The variables a conversation uses, in order of first use, each once."""
    names: dict[str, None] = {}
    for message in messages:
        if "{{" in message.content or "{{" in message.name:
            names.update(dict.fromkeys(message_variables(message)))
    return list(names)


def _card_variables(message: Message) -> tuple[str, ...]:
    return tuple(message_variables(message))


#: Read backwards from the end of a text: the longest end that could still be (a start of) a
#: variable once more text follows: ``}`` of ``{{ name }``, white space, a name, ``{{``.
_OPEN_END = re.compile(r"\}?\s*[A-Za-z0-9_.\-]*\s*\{\{?")
#: Read backwards: what may stand between a variable's ``{{`` and the end of the text.
_INSIDE = re.compile(r"\}?\s*[A-Za-z0-9_.\-]*\s*")
#: How far back from the end of the old text a variable cut by the end is looked for.
_REACH = 256


def _more_card_variables(
    message: Message, known: tuple[str, ...] | None, grown_from: int
) -> tuple[str, ...]:
    """The variables of ``message`` whose content grew at its end from ``grown_from``
    characters, knowing ``known`` were those before: only the new text is read (with what may
    be the start of a variable just before it), not megabytes of an answer streaming in."""
    content = message.content
    if grown_from < _REACH:
        return _card_variables(message)
    back = content[grown_from - _REACH : grown_from][::-1]
    inside = _INSIDE.match(back)
    if inside is not None and inside.end() == len(back):
        return _card_variables(message)  # a variable might start further back: read it all
    opened = _OPEN_END.match(back)
    start = grown_from - opened.end() if opened is not None else grown_from
    if content.find("{{", start) < 0:  # read in place: no copy of megabytes of new text
        return known or ()
    names = dict.fromkeys(known or ())
    names.update(dict.fromkeys(variables_in(content[start:])))
    return tuple(names)


def variable_cards(conversation: Conversation) -> CardIndex[tuple[str, ...]]:
    """The cards that use variables, with their names: kept per card as the conversation is
    edited (a keystroke reads the edited card alone, whatever the number of cards, and text
    added at the end of a card is read alone)."""
    return conversation.card_index(
        "variables", _card_variables, ("content", "name"), _more_card_variables
    )


def value_text(value: Any) -> str:
    """How a value is written into the prompt: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def fill(text: str, values: Mapping[str, Any]) -> str:
    """``text`` with every variable that has a value replaced by it; the others stay as typed."""
    if "{{" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return value_text(values[name]) if name in values else match.group(0)

    return VARIABLE.sub(replace, text)


def missing(text: str, values: Mapping[str, Any]) -> list[str]:
    """The variables of ``text`` that ``values`` has no value for."""
    return [name for name in variables_in(text) if name not in values]


def fill_message(message: Message, values: Mapping[str, Any]) -> Message:
    """A copy of ``message`` with its content and name filled in.

    Multimodal content parts keep their images; their text parts are filled too.
    """
    filled = message.copy()
    filled.content = fill(message.content, values)
    filled.name = fill(message.name, values)
    parts = filled.extra.get("content_parts")
    if isinstance(parts, list):
        for part in parts:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                part["text"] = fill(part["text"], values)
    return filled
