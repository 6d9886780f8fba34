"""Hostile input, generated: JSON of any shape, odd numbers and strings, damaged valid files.

Everything here produces *text or bytes* as the world would hand them to the app, including what
``json.dumps`` would never write (``1e999``, integers of 5,000 digits, ``NaN``, lone surrogate
escapes, nesting thousands deep, bytes that are not UTF-8).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

#: Strings that have broken something before, mixed into every generated string.
ODD_STRINGS = [
    "",
    "\ud800",
    "a\udfffb",
    "\ud83d",
    "😀",
    "\x00",
    "\u2028\u2029",
    "\ufeff",
    "{",
    "sk-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "   ",
    "\n\r\t",
]

#: Number tokens written into the JSON text as they are.
ODD_NUMBERS = [
    "1e999",
    "-1e999",
    "1e-999",
    "NaN",
    "Infinity",
    "-Infinity",
    "-0",
    "2147483648",
    "-2147483649",
    "1e308",
    "0.1e1",
    "123456789012345678901234567890",
]


class Raw(str):
    """A token written into the JSON text exactly as it is (an odd number)."""


strings = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=40),
    st.sampled_from(ODD_STRINGS),
    st.integers(1000, 20_000).map(lambda n: "x" * n),
)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(ODD_NUMBERS).map(Raw),
    st.integers(300, 6000).map(lambda n: Raw("9" * n)),  # over 4,300 digits: Python refuses
)
scalars = st.one_of(st.none(), st.booleans(), numbers, strings)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(strings, children, max_size=5),
    ),
    max_leaves=25,
)


def dumps(value: Any) -> str:
    """JSON text of ``value``: lone surrogates as ``\\uXXXX`` escapes, :class:`Raw` as is."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{dumps(str(k))}: {dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dumps(v) for v in value) + "]"
    return json.dumps(value)  # ensure_ascii: surrogates become escapes


def deeply_nested(depth: int, kind: str) -> str:
    """``depth`` levels of lists or objects, closed or not."""
    if kind == "list":
        return "[" * depth + "]" * depth
    if kind == "object":
        return '{"a": ' * depth + "1" + "}" * depth
    return "[" * depth  # never closed


def paths_of(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place inside ``value`` (keys and indexes), the root included."""
    found = [at]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths_of(child, (*at, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths_of(child, (*at, index))
    return found


def replaced(value: Any, at: tuple[Any, ...], new: Any) -> Any:
    """A copy of ``value`` with the place ``at`` replaced by ``new``."""
    if not at:
        return new
    value = copy.deepcopy(value)
    parent = value
    for step in at[:-1]:
        parent = parent[step]
    parent[at[-1]] = new
    return value


@st.composite
def damaged(draw: st.DrawFn, template: Any) -> Any:
    """``template`` with one to three places replaced by JSON of any shape."""
    value = template
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.sampled_from(paths_of(value)))
        value = replaced(value, at, draw(json_values))
    return value


def file_texts(template: Any) -> st.SearchStrategy[bytes]:
    """File contents as bytes: damaged templates, any JSON, deep nesting, broken encodings."""
    as_text = st.one_of(
        damaged(template).map(dumps),
        json_values.map(dumps),
        st.tuples(st.integers(100, 20_000), st.sampled_from(["list", "object", "open"])).map(
            lambda pair: deeply_nested(*pair)
        ),
        st.text(max_size=200),
    )
    encoded = as_text.map(lambda text: text.encode("utf-8", "surrogatepass"))
    return st.one_of(
        encoded,
        st.binary(max_size=200),
        st.tuples(encoded, st.binary(min_size=1, max_size=8)).map(lambda p: p[0] + b"\xff" + p[1]),
        encoded.map(lambda data: b"\xef\xbb\xbf" + data),  # a BOM
    )


WORKSPACE = {
    "format": "prompt-workbench/1",
    "title": "Generated",
    "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "Hello"}], "name": "ann"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "lookup", "arguments": '{"q": "x"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "found"},
        {"role": "assistant", "content": "{", "partial": True},
    ],
    "tools": [
        {
            "type": "function",
            "function": {
                "name": "lookup",
                "description": "Looks up",
                "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
            },
        }
    ],
    "tool_choice": "auto",
    "params": {
        "provider": "moonshot",
        "model": "moonshot-v1-8k",
        "temperature": 0.3,
        "max_tokens": 64,
        "stop": ["END"],
    },
    "variants": [{"label": "b", "model": "moonshot-v1-32k", "params": {"temperature": 0.1}}],
}

REQUEST_BODY = {
    "model": "gpt-4o",
    "messages": [{"role": "developer", "content": "x"}, {"role": "user", "content": "y"}],
    "max_completion_tokens": 100,
    "response_format": {"type": "json_object"},
}
