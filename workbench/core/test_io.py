"""Test cases to and from CSV, JSONL and a spreadsheet's clipboard (tab-separated).

One row per case, a column per variable, plus ``__description`` and an optional ``__assert``
column holding the case's assertions as a JSON array (promptfoo's CSV names its special columns
with two underscores too, so that a variable may be called ``description``). JSONL lines are the
same flat objects (a line may also be a case as the workspace file writes it, with ``vars``).
Mistakes are reported with their line: a ragged row, text that is not UTF-8, an ``__assert``
cell that is not a JSON array.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from workbench.core.variables import value_text
from workbench.core.workspace import TestCase

DESCRIPTION = "__description"
ASSERT = "__assert"


class TestsFileError(ValueError):
    """Test cases that cannot be read, with the line of the problem (1-based, or None)."""

    __test__ = False

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


def columns_for(cases: Sequence[TestCase], variables: Sequence[str] = ()) -> list[str]:
    """The variable columns: the prompt's variables first, then any other the cases have."""
    names = dict.fromkeys(variables)
    for case in cases:
        names.update(dict.fromkeys(case.vars))
    return list(names)


def _cell(value: Any) -> str:
    return value_text(value) if value is not None else ""


def to_csv(cases: Sequence[TestCase], variables: Sequence[str] = ()) -> str:
    """The cases as CSV text (with a header row)."""
    names = columns_for(cases, variables)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    with_asserts = any(case.asserts for case in cases)
    writer.writerow([DESCRIPTION, *names, *([ASSERT] if with_asserts else [])])
    for case in cases:
        row = [case.description, *(_cell(case.vars.get(n)) for n in names)]
        if with_asserts:
            row.append(json.dumps(case.asserts, ensure_ascii=False) if case.asserts else "")
        writer.writerow(row)
    return out.getvalue()


def to_jsonl(cases: Sequence[TestCase], variables: Sequence[str] = ()) -> str:
    """The cases as JSON Lines: one flat object per case."""
    lines = []
    for case in cases:
        data: dict[str, Any] = {}
        if case.description:
            data[DESCRIPTION] = case.description
        data.update(case.vars)
        if case.asserts:
            data[ASSERT] = case.asserts
        lines.append(json.dumps(data, ensure_ascii=False))
    return "\n".join(lines) + ("\n" if lines else "")


def decode(raw: bytes) -> str:
    """UTF-8 text (a byte-order mark allowed); TestsFileError naming the line otherwise."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise TestsFileError(
            f"not UTF-8 text (byte {error.start}); save the file as UTF-8 and import it again",
            line,
        ) from None


def _case_from_cells(header: Sequence[str], cells: Sequence[str], line: int) -> TestCase:
    case = TestCase()
    for name, value in zip(header, cells, strict=True):
        if name == DESCRIPTION:
            case.description = value
        elif name == ASSERT:
            if value.strip():
                try:
                    parsed = json.loads(value)
                except ValueError:
                    parsed = None
                if not isinstance(parsed, list):
                    raise TestsFileError(f"the {ASSERT} column must hold a JSON array", line)
                case.asserts = parsed
        elif name:
            case.vars[name] = value
    return case


def _rows_to_cases(rows: list[tuple[int, list[str]]]) -> list[TestCase]:
    if not rows:
        return []
    header_line, header = rows[0]
    header = [h.strip() for h in header]
    blank = [i for i, h in enumerate(header) if not h]
    if blank:
        raise TestsFileError(f"column {blank[0] + 1} has no name in the header row", header_line)
    duplicate = next((h for h in header if header.count(h) > 1), None)
    if duplicate:
        raise TestsFileError(f"the column {duplicate!r} appears twice", header_line)
    cases = []
    for line, cells in rows[1:]:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise TestsFileError(
                f"{len(cells)} fields, but the header has {len(header)} ({', '.join(header)})",
                line,
            )
        cases.append(_case_from_cells(header, cells, line))
    return cases


def from_csv(text: str) -> list[TestCase]:
    """Cases from CSV text whose first row names the columns."""
    reader = csv.reader(io.StringIO(text))
    rows = []
    try:
        for cells in reader:
            rows.append((reader.line_num, cells))
    except csv.Error as error:
        raise TestsFileError(str(error), reader.line_num) from None
    return _rows_to_cases(rows)


def from_tsv(text: str, columns: Sequence[str]) -> list[TestCase]:
    """Cases pasted from a spreadsheet (tab-separated rows).

    When the first row names known columns (``__description``, ``__assert`` or one of ``columns``)
    it is the header; otherwise the cells fill ``columns`` in order.
    """
    lines = [line for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    rows = [(i + 1, line.split("\t")) for i, line in enumerate(lines)]
    if not rows:
        return []
    known = {DESCRIPTION, ASSERT, *columns}
    first = [c.strip() for c in rows[0][1]]
    if any(c in known for c in first):
        return _rows_to_cases(rows)
    width = max(len(cells) for _, cells in rows)
    if width > len(columns):
        raise TestsFileError(
            f"{width} columns pasted, but the table has {len(columns)} "
            f"({', '.join(columns)}); paste a header row to name them"
        )
    header = list(columns[:width])
    padded = [(n, cells + [""] * (width - len(cells))) for n, cells in rows]
    return _rows_to_cases([(0, header), *padded])


def from_jsonl(text: str) -> list[TestCase]:
    """Cases from JSON Lines: flat objects, or cases with ``vars`` as the workspace writes them."""
    cases = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise TestsFileError(
                f"not valid JSON ({error.msg}, column {error.colno})", number
            ) from None
        if not isinstance(data, dict):
            raise TestsFileError("each line must be a JSON object", number)
        nested = isinstance(data.get("vars"), dict)  # a case as the workspace file writes it
        description = data.get("description" if nested else DESCRIPTION, "")
        asserts = data.get("assert" if nested else ASSERT, [])
        if not isinstance(description, str):
            raise TestsFileError("description must be a string", number)
        if not isinstance(asserts, list):
            raise TestsFileError("assert must be an array of assertions", number)
        if nested:
            values = dict(data["vars"])
            extra = {k: v for k, v in data.items() if k not in ("description", "assert", "vars")}
        else:
            values = {k: v for k, v in data.items() if k not in (DESCRIPTION, ASSERT)}
            extra = {}
        cases.append(TestCase(description, values, asserts, extra))
    return cases


def read_cases(name: str, raw: bytes) -> list[TestCase]:
    """Cases from a ``.csv``, ``.tsv`` or ``.jsonl`` file's bytes (by its name's suffix)."""
    text = decode(raw)
    lower = name.lower()
    if lower.endswith((".jsonl", ".ndjson")):
        return from_jsonl(text)
    if lower.endswith(".tsv"):
        return _rows_to_cases(
            [(i + 1, line.split("\t")) for i, line in enumerate(text.splitlines())]
        )
    return from_csv(text)
