"""Where each value of a JSON text stands, so that a problem found in the parsed value can be marked
at its place in the text (line and column).

The standard ``json`` module parses without positions; this scanner walks text that ``json.loads``
already accepted and records the span of every value and object key by its path.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

#: A path into a JSON value: object keys and array indexes, from the root.
JsonPath = tuple[str | int, ...]

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Span:
    """Characters ``start`` (inclusive) to ``end`` (exclusive) of the text."""

    start: int
    end: int


@dataclass
class JsonPositions:
    """Spans of the values and keys of one JSON text.

    Attributes:
        values: The span of the value at each path.
        keys: The span of the key (with its quotes) naming the value at each object path.
    """

    values: dict[JsonPath, Span]
    keys: dict[JsonPath, Span]

    def span_for(self, path: JsonPath, *, key: bool = False) -> Span | None:
        """The span of ``path`` (its key when ``key`` and it has one), or of its nearest parent."""
        for depth in range(len(path), -1, -1):
            prefix = path[:depth]
            if key and depth == len(path) and prefix in self.keys:
                return self.keys[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return None


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of character ``offset`` of ``text``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def offset_of(text: str, line: int, column: int) -> int:
    """The character offset of 1-based ``line`` and ``column`` (clamped to the text)."""
    start = 0
    for _ in range(line - 1):
        found = text.find("\n", start)
        if found < 0:
            return len(text)
        start = found + 1
    return min(len(text), start + max(0, column - 1))


def scan_positions(text: str) -> JsonPositions:
    """The spans of every value and key of ``text``, which must be valid JSON.

    Raises:
        ValueError: ``text`` is not valid JSON.
    """
    positions = JsonPositions({}, {})
    end = _value(text, _skip(text, 0), (), positions)
    if _skip(text, end) != len(text):
        raise ValueError("extra data after the JSON value")
    return positions


def _skip(text: str, index: int) -> int:
    match = _WHITESPACE.match(text, index)
    return match.end() if match else index


def _value(text: str, index: int, path: JsonPath, positions: JsonPositions) -> int:
    start = index
    char = text[index : index + 1]
    if char == "{":
        end = _object(text, index + 1, path, positions)
    elif char == "[":
        end = _array(text, index + 1, path, positions)
    elif char == '"':
        _, end = _scanstring(text, index + 1)
    else:
        for literal in ("true", "false", "null"):
            if text.startswith(literal, index):
                end = index + len(literal)
                break
        else:
            match = _NUMBER.match(text, index)
            if not match:
                raise ValueError(f"unexpected character at {index}")
            end = match.end()
    positions.values[path] = Span(start, end)
    return end


def _object(text: str, index: int, path: JsonPath, positions: JsonPositions) -> int:
    index = _skip(text, index)
    if text[index : index + 1] == "}":
        return index + 1
    while True:
        key_start = index
        key, index = _scanstring(text, index + 1)
        child = (*path, key)
        positions.keys[child] = Span(key_start, index)
        index = _skip(text, index)
        index = _skip(text, index + 1)  # the colon
        index = _skip(text, _value(text, index, child, positions))
        if text[index : index + 1] == "}":
            return index + 1
        index = _skip(text, index + 1)  # the comma


def _array(text: str, index: int, path: JsonPath, positions: JsonPositions) -> int:
    index = _skip(text, index)
    if text[index : index + 1] == "]":
        return index + 1
    item = 0
    while True:
        index = _skip(text, _value(text, index, (*path, item), positions))
        item += 1
        if text[index : index + 1] == "]":
            return index + 1
        index = _skip(text, index + 1)


def format_path(path: JsonPath) -> str:
    """``path`` as people read it: ``function.parameters.properties.city`` or ``items[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out or "(root)"
