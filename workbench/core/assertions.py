"""Assertions on an answer, with promptfoo's type names, so test files move between the two.

An assertion is a JSON object ``{"type", "value", "threshold", "weight", "provider", "model",
"rubricPrompt"}`` (only what its type needs). Every type may be negated with a ``not-`` prefix
and weighted. Checks are pure functions of the answer; ``llm-rubric`` asks a grader model through
a callable the caller supplies, with the app's grader prompt or the assertion's ``rubricPrompt``
(only ``{{name}}`` filled in). No assertion type runs code from the file.

Every failing check says why in one line ("expected to contain 'Kelvin'",
"$.price: expected number, got string").
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from workbench.core.run_types import RunResult
from workbench.core.texts import QT_TRANSLATE_NOOP
from workbench.core.variables import fill, variables_in

#: Types taking a text value (or, for the ``-any``/``-all`` ones, a list of texts).
TEXT_TYPES = ("equals", "contains", "icontains", "starts-with", "regex")
LIST_TYPES = ("contains-any", "contains-all", "icontains-any", "icontains-all")
JSON_TYPES = ("is-json", "contains-json")
THRESHOLD_TYPES = ("cost", "latency")
BASE_TYPES: tuple[str, ...] = (
    *TEXT_TYPES,
    *LIST_TYPES,
    *JSON_TYPES,
    "is-valid-openai-tools-call",
    *THRESHOLD_TYPES,
    "llm-rubric",
)
KNOWN_KEYS = ("type", "value", "threshold", "weight", "provider", "model", "metric", "rubricPrompt")
#: promptfoo keys whose meaning is running code or that the app does not have.
UNSUPPORTED_KEYS = {
    "transform": QT_TRANSLATE_NOOP(
        "Assertions",
        "{key} is not supported: it runs JavaScript or Python code, which the app never does",
    ),
    "config": QT_TRANSLATE_NOOP(
        "Assertions", "{key} is not supported: it per-assertion config is not supported"
    ),
}
#: The variables a ``rubricPrompt`` always has (besides the case's own).
RUBRIC_VARIABLES = ("output", "rubric")
#: Template syntax beyond ``{{name}}`` (Nunjucks tags, filters, expressions): never evaluated.
_TEMPLATE_CODE = re.compile(r"\{%|\{\{(?![\s]*[A-Za-z_][A-Za-z0-9_.\-]*\s*\}\})")
#: How long a quoted value may be in a reason before it is shortened.
QUOTE_LIMIT = 60


def split_type(name: str) -> tuple[str, bool]:
    """(base type, negated) of a type name: ``not-contains`` is (``contains``, True)."""
    if name.startswith("not-"):
        return name[4:], True
    return name, False


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` in single quotes, shortened with an ellipsis when long, on one line."""
    flat = text.replace("\n", "\\n")
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return f"'{flat}'"


# Checking the assertion itself ---------------------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def list_values(value: Any) -> list[str] | None:
    """The texts of a ``contains-any``/``-all`` value: a list, or a comma-separated text."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and value and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v) for v in value]
    return None


def assertion_problems(assertion: Any) -> list[tuple[str, str]]:
    """(field, reason) for everything wrong with one assertion object, before anything runs.

    Field is ``type``, ``value``, ``threshold``, ``weight``, ``provider``, ``model`` or the name
    of an unknown key.
    """
    if not isinstance(assertion, dict):
        return [("", QT_TRANSLATE_NOOP("Assertions", "an assertion must be an object with a type"))]
    found: list[tuple[str, str]] = []
    kind = assertion.get("type")
    if not isinstance(kind, str) or not kind:
        return [
            (
                "type",
                QT_TRANSLATE_NOOP(
                    "Assertions", "needs a type (contains, equals, is-json, llm-rubric...)"
                ),
            )
        ]
    base, _ = split_type(kind)
    if base not in BASE_TYPES:
        return [
            (
                "type",
                QT_TRANSLATE_NOOP(
                    "Assertions", "unknown assertion type {kind} (known: {known})"
                ).format(kind=repr(kind), known=", ".join(BASE_TYPES)),
            )
        ]
    for key in assertion:
        if key in UNSUPPORTED_KEYS:
            found.append((key, UNSUPPORTED_KEYS[key].format(key=repr(key))))
        elif key not in KNOWN_KEYS:
            found.append(
                (
                    key,
                    QT_TRANSLATE_NOOP(
                        "Assertions", "unknown key {key} (an assertion takes {known})"
                    ).format(key=repr(key), known=", ".join(KNOWN_KEYS)),
                )
            )
    value = assertion.get("value")
    if base in TEXT_TYPES:
        if base == "equals" and value is not None and not isinstance(value, str):
            pass  # equals compares a JSON value with the answer parsed as JSON
        elif not isinstance(value, str) or (base != "equals" and not value):
            found.append(
                (
                    "value",
                    QT_TRANSLATE_NOOP("Assertions", "{kind} needs a text value").format(kind=kind),
                )
            )
        elif base == "regex":
            try:
                re.compile(value)
            except re.error as error:
                found.append(
                    (
                        "value",
                        QT_TRANSLATE_NOOP(
                            "Assertions", "invalid regular expression: {error}"
                        ).format(error=str(error)),
                    )
                )
    elif base in LIST_TYPES:
        if list_values(value) is None or not list_values(value):
            found.append(
                (
                    "value",
                    QT_TRANSLATE_NOOP(
                        "Assertions", "{kind} needs a list of texts (or one text with commas)"
                    ).format(kind=kind),
                )
            )
    elif base in JSON_TYPES and value is not None:
        schema = _schema_value(value)
        if not isinstance(schema, dict):
            found.append(
                (
                    "value",
                    QT_TRANSLATE_NOOP("Assertions", "must be a JSON Schema object (or left out)"),
                )
            )
        else:
            from workbench.core.tools import schema_problems

            problems = schema_problems(schema)
            if problems:
                path, message = problems[0]
                where = "/".join(str(p) for p in path)
                found.append(
                    (
                        "value",
                        f"not a JSON Schema{' at ' + where if where else ''}: "
                        f"{message.rstrip('.')}",
                    )
                )
    elif base in THRESHOLD_TYPES:
        threshold = assertion.get("threshold")
        if threshold is None:
            found.append(
                (
                    "threshold",
                    (
                        QT_TRANSLATE_NOOP("Assertions", "{kind} needs a threshold (USD)")
                        if base == "cost"
                        else QT_TRANSLATE_NOOP(
                            "Assertions", "{kind} needs a threshold (milliseconds)"
                        )
                    ).format(kind=kind),
                )
            )
        elif _number(threshold) is None or threshold < 0:
            found.append(
                (
                    "threshold",
                    QT_TRANSLATE_NOOP(
                        "Assertions", "threshold must be a number ≥ 0, not {value}"
                    ).format(value=repr(threshold)),
                )
            )
    elif base == "llm-rubric":
        if not isinstance(value, str) or not value.strip():
            found.append(
                (
                    "value",
                    QT_TRANSLATE_NOOP("Assertions", "llm-rubric needs the rubric as its value"),
                )
            )
        threshold = assertion.get("threshold")
        if threshold is not None and (_number(threshold) is None or not 0 <= threshold <= 1):
            found.append(
                (
                    "threshold",
                    QT_TRANSLATE_NOOP(
                        "Assertions", "threshold must be a score from 0 to 1, not {value}"
                    ).format(value=repr(threshold)),
                )
            )
        for key in ("provider", "model"):
            if assertion.get(key) is not None and not isinstance(assertion[key], str):
                found.append(
                    (
                        key,
                        QT_TRANSLATE_NOOP("Assertions", "{key} must be a text (an id)").format(
                            key=key
                        ),
                    )
                )
        if assertion.get("rubricPrompt") is not None:
            try:
                rubric_prompt(assertion["rubricPrompt"])
            except ValueError as error:
                found.append(("rubricPrompt", error.args[0]))
    if base != "llm-rubric" and "rubricPrompt" in assertion:
        found.append(
            (
                "rubricPrompt",
                QT_TRANSLATE_NOOP("Assertions", "only llm-rubric takes a rubricPrompt"),
            )
        )
    weight = assertion.get("weight")
    if weight is not None and (_number(weight) is None or weight < 0):
        found.append(
            (
                "weight",
                QT_TRANSLATE_NOOP("Assertions", "weight must be a number ≥ 0, not {value}").format(
                    value=repr(weight)
                ),
            )
        )
    return found


def _schema_value(value: Any) -> Any:
    """A schema given as an object, or as JSON text (promptfoo files often quote it)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


# Checking an answer --------------------------------------------------------------------------


@dataclass(frozen=True)
class AssertionResult:
    """How one assertion judged one answer.

    Attributes:
        type: The assertion's type as written (``not-contains``).
        passed: Whether it passed (negation applied).
        score: 0 to 1 (1 or 0 except for graded types).
        reason: One line: why it failed, or what it found when it passed.
        weight: Its weight in the case's score.
    """

    type: str
    passed: bool
    score: float
    reason: str
    weight: float = 1.0

    def to_json(self) -> dict[str, Any]:
        """The ``assertions`` item of the CLI's JSON."""
        return {"type": self.type, "pass": self.passed, "reason": self.reason}


@dataclass(frozen=True)
class Answer:
    """What assertions look at.

    Attributes:
        text: The full answer (prefix + continuation in partial mode).
        result: The run's result (tool calls, cost, duration).
        tools: The workspace's tools (``ToolEntry``), for ``is-valid-openai-tools-call``.
        vars: The case's values (a ``rubricPrompt`` may use them).
    """

    text: str
    result: RunResult
    tools: Sequence[Any] = ()
    vars: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Grade:
    """A grader's verdict on an answer against a rubric."""

    passed: bool
    score: float
    reason: str


#: Asks a grader model: (the messages to send, provider id or None, model id or None) -> Grade.
Grader = Callable[[list[dict[str, str]], str | None, str | None], Awaitable[Grade]]


@dataclass(frozen=True)
class _Outcome:
    passed: bool
    reason: str  # why it failed (or what it found)
    negated_reason: str  # why the negated assertion fails when this one passes
    score: float | None = None


def _text_check(base: str, value: Any, text: str) -> _Outcome:
    if base == "equals":
        if isinstance(value, str):
            ok = text == value
            return _Outcome(
                ok,
                QT_TRANSLATE_NOOP("AssertionResults", "expected {expected}, got {got}").format(
                    expected=quote(value), got=quote(text)
                )
                if not ok
                else _EQUAL,
                QT_TRANSLATE_NOOP("AssertionResults", "expected anything but {expected}").format(
                    expected=quote(value)
                ),
            )
        parsed = _parse_json(text)
        ok = parsed is not _NOT_JSON and parsed == value
        shown = quote(json.dumps(value, ensure_ascii=False))
        return _Outcome(
            ok,
            QT_TRANSLATE_NOOP("AssertionResults", "expected JSON {expected}, got {got}").format(
                expected=shown, got=quote(text)
            )
            if not ok
            else _EQUAL,
            QT_TRANSLATE_NOOP("AssertionResults", "expected anything but JSON {expected}").format(
                expected=shown
            ),
        )
    assert isinstance(value, str)
    needle = quote(value)
    if base == "contains":
        ok = value in text
        return _Outcome(
            ok,
            QT_TRANSLATE_NOOP("AssertionResults", "expected to contain {value}").format(
                value=needle
            )
            if not ok
            else _contains(needle),
            QT_TRANSLATE_NOOP("AssertionResults", "expected not to contain {value}").format(
                value=needle
            ),
        )
    if base == "icontains":
        ok = value.casefold() in text.casefold()
        return _Outcome(
            ok,
            QT_TRANSLATE_NOOP("AssertionResults", "expected to contain {value} (any case)").format(
                value=needle
            )
            if not ok
            else _contains(needle),
            QT_TRANSLATE_NOOP(
                "AssertionResults", "expected not to contain {value} (any case)"
            ).format(value=needle),
        )
    if base == "starts-with":
        ok = text.startswith(value)
        return _Outcome(
            ok,
            QT_TRANSLATE_NOOP(
                "AssertionResults", "expected to start with {value}, got {got}"
            ).format(value=needle, got=quote(text[:30]))
            if not ok
            else QT_TRANSLATE_NOOP("AssertionResults", "starts with {value}").format(value=needle),
            QT_TRANSLATE_NOOP("AssertionResults", "expected not to start with {value}").format(
                value=needle
            ),
        )
    # regex
    match = re.search(value, text)
    ok = match is not None
    pattern = f"/{value}/"
    return _Outcome(
        ok,
        QT_TRANSLATE_NOOP("AssertionResults", "expected to match {pattern}").format(pattern=pattern)
        if not ok
        else QT_TRANSLATE_NOOP("AssertionResults", "matches {match}").format(
            match=quote(match.group(0)) if match else ""
        ),
        QT_TRANSLATE_NOOP(
            "AssertionResults", "expected not to match {pattern} (matched {match})"
        ).format(pattern=pattern, match=quote(match.group(0)))
        if match
        else "",
    )


_EQUAL = QT_TRANSLATE_NOOP("AssertionResults", "equal")


def _contains(value: str) -> str:
    return QT_TRANSLATE_NOOP("AssertionResults", "contains {value}").format(value=value)


def _list_check(base: str, value: Any, text: str) -> _Outcome:
    needles = list_values(value) or []
    fold = base.startswith("i")
    haystack = text.casefold() if fold else text
    found = [n for n in needles if (n.casefold() if fold else n) in haystack]
    shown = ", ".join(quote(n, 30) for n in needles)
    if base.endswith("-any"):
        ok = bool(found)
        return _Outcome(
            ok,
            QT_TRANSLATE_NOOP("AssertionResults", "expected to contain any of {values}").format(
                values=shown
            )
            if not ok
            else _contains(quote(found[0]))
            if found
            else "",
            QT_TRANSLATE_NOOP(
                "AssertionResults", "expected to contain none of {values} (found {value})"
            ).format(values=shown, value=quote(found[0]))
            if found
            else "",
        )
    lacking = [n for n in needles if n not in found]
    ok = not lacking
    return _Outcome(
        ok,
        QT_TRANSLATE_NOOP("AssertionResults", "expected to contain {value}").format(
            value=", ".join(quote(n, 30) for n in lacking)
        )
        if not ok
        else QT_TRANSLATE_NOOP("AssertionResults", "contains all of {values}").format(values=shown),
        QT_TRANSLATE_NOOP("AssertionResults", "expected not to contain all of {values}").format(
            values=shown
        ),
    )


_NOT_JSON = object()


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return _NOT_JSON


def json_path(path: Sequence[Any]) -> str:
    """A JSONPath-like location: ``$``, ``$.price``, ``$.items[0].name``."""
    out = "$"
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(part)):
            out += f".{part}"
        else:
            out += f"[{json.dumps(str(part), ensure_ascii=False)}]"
    return out


_JSON_NAMES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    type(None): "null",
    int: "integer",
    float: "number",
}


def _json_type(value: Any) -> str:
    return _JSON_NAMES.get(type(value), type(value).__name__)


@lru_cache(maxsize=64)
def _validator(schema_text: str) -> Any:
    """A validator for a schema (by its JSON text): built once, not once per answer."""
    from jsonschema.validators import Draft202012Validator, validator_for

    schema = json.loads(schema_text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cls = validator_for(schema, default=Draft202012Validator)
    return cls(schema)


def schema_violation(schema: dict[str, Any], value: Any) -> str | None:
    """The first place ``value`` breaks ``schema``, as one line, or None when it conforms."""
    validator = _validator(json.dumps(schema, sort_keys=True))
    errors = sorted(validator.iter_errors(value), key=lambda e: (len(e.absolute_path), str(e.path)))
    if not errors:
        return None
    error = errors[0]
    where = json_path(list(error.absolute_path))
    if error.validator == "type":
        expected = error.validator_value
        names = " or ".join(expected) if isinstance(expected, list) else str(expected)
        return QT_TRANSLATE_NOOP("AssertionResults", "{path}: expected {types}, got {type}").format(
            path=where, types=names, type=_json_type(error.instance)
        )
    if error.validator == "required":
        lacking = [k for k in error.validator_value if k not in (error.instance or {})]
        return QT_TRANSLATE_NOOP(
            "AssertionResults", "{path}: missing required property {name}"
        ).format(path=where, name=quote(lacking[0]) if lacking else "")
    if error.validator == "enum":
        return QT_TRANSLATE_NOOP("AssertionResults", "{path}: expected one of {values}").format(
            path=where, values=json.dumps(error.validator_value, ensure_ascii=False)
        )
    return f"{where}: {error.message}"


def _json_check(base: str, value: Any, text: str) -> _Outcome:
    schema = _schema_value(value) if value is not None else None
    if base == "is-json":
        candidates = [_parse_json(text.strip())]
        if candidates[0] is _NOT_JSON:
            try:
                json.loads(text.strip())
            except ValueError as error:
                detail = str(error).split(":")[0]
            return _Outcome(
                False,
                QT_TRANSLATE_NOOP("AssertionResults", "not valid JSON ({error})").format(
                    error=detail
                ),
                "",
            )
    else:
        candidates = _embedded_json(text)
        if not candidates:
            return _Outcome(
                False,
                QT_TRANSLATE_NOOP("AssertionResults", "expected to contain JSON, found none"),
                "",
            )
    if schema is None:
        return _Outcome(
            True,
            QT_TRANSLATE_NOOP("AssertionResults", "valid JSON"),
            QT_TRANSLATE_NOOP("AssertionResults", "expected not to be valid JSON")
            if base == "is-json"
            else QT_TRANSLATE_NOOP("AssertionResults", "expected not to contain JSON"),
        )
    first_problem = None
    for candidate in candidates:
        problem = schema_violation(schema, candidate)
        if problem is None:
            return _Outcome(
                True,
                QT_TRANSLATE_NOOP("AssertionResults", "valid JSON, matches the schema"),
                QT_TRANSLATE_NOOP("AssertionResults", "expected JSON not matching the schema"),
            )
        first_problem = first_problem or problem
    return _Outcome(False, first_problem or "", "")


def _embedded_json(text: str) -> list[Any]:
    """Every JSON object or array found inside ``text`` (code fences and prose around it)."""
    decoder = json.JSONDecoder()
    found: list[Any] = []
    position = 0
    while True:
        starts = [i for i in (text.find("{", position), text.find("[", position)) if i >= 0]
        if not starts:
            return found
        start = min(starts)
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            position = start + 1
            continue
        found.append(value)
        position = end


def _tools_check(answer: Answer) -> _Outcome:
    from workbench.core.tools import call_problems

    calls = answer.result.tool_calls
    if not calls:
        return _Outcome(
            False,
            QT_TRANSLATE_NOOP("AssertionResults", "expected a tool call, the answer has none"),
            QT_TRANSLATE_NOOP("AssertionResults", "expected no valid tool call"),
        )
    for call in calls:
        problems = call_problems(call, answer.tools)
        if problems:
            return _Outcome(False, f"{call.name or 'tool call'}: {problems[0].rstrip('.')}", "")
    names = ", ".join(c.name for c in calls)
    return _Outcome(
        True,
        QT_TRANSLATE_NOOP("AssertionResults", "valid call of {names}").format(names=names),
        QT_TRANSLATE_NOOP(
            "AssertionResults", "expected no valid tool call (called {names})"
        ).format(names=names),
    )


def _threshold_check(base: str, threshold: float, result: RunResult) -> _Outcome:
    if base == "cost":
        cost = result.cost_usd
        if cost is None:
            return _Outcome(
                False,
                QT_TRANSLATE_NOOP(
                    "AssertionResults", "cost unknown (the model has no price in the catalog)"
                ),
                "",
            )
        ok = cost <= threshold
        spent, limit = f"${cost:.6f}", f"${threshold:g}"
        return _Outcome(
            ok,
            QT_TRANSLATE_NOOP("AssertionResults", "cost {cost}, expected at most {limit}").format(
                cost=spent, limit=limit
            )
            if not ok
            else QT_TRANSLATE_NOOP("AssertionResults", "cost {cost}").format(cost=spent),
            QT_TRANSLATE_NOOP("AssertionResults", "cost {cost}, expected more than {limit}").format(
                cost=spent, limit=limit
            ),
        )
    latency = result.duration_ms
    if latency is None:
        return _Outcome(
            False,
            QT_TRANSLATE_NOOP("AssertionResults", "latency unknown (the run did not finish)"),
            "",
        )
    ok = latency <= threshold
    took, limit = f"{latency:.0f}", f"{threshold:g}"
    return _Outcome(
        ok,
        QT_TRANSLATE_NOOP("AssertionResults", "took {ms} ms, expected at most {limit} ms").format(
            ms=took, limit=limit
        )
        if not ok
        else QT_TRANSLATE_NOOP("AssertionResults", "took {ms} ms").format(ms=took),
        QT_TRANSLATE_NOOP("AssertionResults", "took {ms} ms, expected more than {limit} ms").format(
            ms=took, limit=limit
        ),
    )


def needs_grader(assertion: Any) -> bool:
    """Whether ``assertion`` is judged by a grader model (``llm-rubric``, negated or not): it
    sends a request, the others only compute."""
    kind = assertion.get("type") if isinstance(assertion, dict) else None
    return isinstance(kind, str) and split_type(kind)[0] == "llm-rubric"


def check_now(assertion: dict[str, Any], answer: Answer) -> AssertionResult:
    """Judges ``answer`` by one assertion that needs no grader (:func:`needs_grader`): plain
    computation, safe on any thread (the window checks on a worker thread)."""
    base, _negated = split_type(str(assertion["type"]))
    text = answer.text
    if base in TEXT_TYPES:
        outcome = _text_check(base, assertion.get("value"), text)
    elif base in LIST_TYPES:
        outcome = _list_check(base, assertion.get("value"), text)
    elif base in JSON_TYPES:
        outcome = _json_check(base, assertion.get("value"), text)
    elif base == "is-valid-openai-tools-call":
        outcome = _tools_check(answer)
    elif base in THRESHOLD_TYPES:
        outcome = _threshold_check(base, float(assertion["threshold"]), answer.result)
    else:
        raise ValueError(f"{assertion['type']!r} is not checked without a grader")
    return _result(assertion, outcome)


async def check(
    assertion: dict[str, Any], answer: Answer, grader: Grader | None = None
) -> AssertionResult:
    """Judges ``answer`` by one assertion (which :func:`assertion_problems` found no fault in)."""
    kind = str(assertion["type"])
    base, _negated = split_type(kind)
    if base == "llm-rubric":
        return _result(assertion, await _rubric_check(assertion, answer, grader))
    if base not in BASE_TYPES:
        raise ValueError(f"unknown assertion type {kind!r}")
    return check_now(assertion, answer)


def _result(assertion: dict[str, Any], outcome: _Outcome) -> AssertionResult:
    """An assertion's result from its outcome: negated, weighted, with its reason."""
    kind = str(assertion["type"])
    _base, negated = split_type(kind)
    weight = _number(assertion.get("weight"))
    weight = 1.0 if weight is None else weight
    passed = outcome.passed != negated
    score = outcome.score if outcome.score is not None else (1.0 if outcome.passed else 0.0)
    if negated:
        score = 1.0 - score
    if negated and not passed:
        reason = outcome.negated_reason or QT_TRANSLATE_NOOP(
            "AssertionResults", "expected {type} to fail"
        ).format(type=kind)
    else:
        reason = outcome.reason
    return AssertionResult(kind, passed, score, reason, weight)


async def _rubric_check(
    assertion: dict[str, Any], answer: Answer, grader: Grader | None
) -> _Outcome:
    if grader is None:
        return _Outcome(
            False, QT_TRANSLATE_NOOP("AssertionResults", "no grader available for llm-rubric"), ""
        )
    rubric = str(assertion.get("value") or "")
    custom = assertion.get("rubricPrompt")
    if custom is None:
        messages = grader_messages(answer.text, rubric)
    else:
        values = {**answer.vars, "output": answer.text, "rubric": rubric}
        messages = fill_rubric_prompt(rubric_prompt(custom), values)
    grade = await grader(messages, assertion.get("provider"), assertion.get("model"))
    threshold = _number(assertion.get("threshold"))
    passed = grade.passed if threshold is None else grade.score >= threshold
    reason = grade.reason or (
        QT_TRANSLATE_NOOP("AssertionResults", "meets the rubric")
        if passed
        else QT_TRANSLATE_NOOP("AssertionResults", "does not meet the rubric")
    )
    if threshold is not None:
        reason = QT_TRANSLATE_NOOP(
            "AssertionResults", "score {score} (threshold {threshold}): {reason}"
        ).format(score=f"{grade.score:.2f}", threshold=f"{threshold:g}", reason=reason)
    return _Outcome(
        passed,
        reason,
        QT_TRANSLATE_NOOP("AssertionResults", "expected not to meet the rubric: {reason}").format(
            reason=reason
        ),
        grade.score,
    )


@dataclass(frozen=True)
class CaseVerdict:
    """A case's assertions judged together: pass when every weighted one passes."""

    passed: bool
    score: float
    results: list[AssertionResult]


def combine(results: Sequence[AssertionResult]) -> CaseVerdict:
    """The case's verdict: passed when every assertion of weight above 0 passed; the score is the
    weighted mean of the scores (1 with no assertions)."""
    weighted = [r for r in results if r.weight > 0]
    total = sum(r.weight for r in weighted)
    score = sum(r.score * r.weight for r in weighted) / total if total else 1.0
    return CaseVerdict(all(r.passed for r in weighted), score, list(results))


# The grader ----------------------------------------------------------------------------------

GRADER_SYSTEM = (
    "You grade an answer against a rubric. Reply with one JSON object and nothing else: "
    '{"reason": "<one sentence>", "score": <0.0 to 1.0>, "pass": <true or false>}.'
)


def grader_messages(answer: str, rubric: str) -> list[dict[str, str]]:
    """The messages sent to the grader model."""
    return [
        {"role": "system", "content": GRADER_SYSTEM},
        {
            "role": "user",
            "content": f"<Answer>\n{answer}\n</Answer>\n\n<Rubric>\n{rubric}\n</Rubric>",
        },
    ]


def rubric_prompt(value: Any) -> list[dict[str, str]]:
    """The grader messages of a ``rubricPrompt`` (promptfoo's): a list of ``{role, content}``
    messages, a text holding such a list as JSON, or any other text (one user message).

    Only ``{{name}}`` is filled in (``output``, ``rubric`` and the case's variables); Nunjucks
    tags, filters and expressions are refused, never evaluated.

    Raises:
        ValueError: a sentence saying what is wrong.
    """
    if isinstance(value, str):
        if not value.strip():
            raise ValueError(QT_TRANSLATE_NOOP("Assertions", "rubricPrompt is empty"))
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        value = parsed if isinstance(parsed, list) else [{"role": "user", "content": value}]
    if not isinstance(value, list) or not value:
        raise ValueError(
            QT_TRANSLATE_NOOP(
                "Assertions", "rubricPrompt must be a text or a list of {message} messages"
            ).format(message="{role, content}")
        )
    messages = []
    for i, message in enumerate(value):
        if not isinstance(message, dict) or set(message) - {"role", "content"}:
            raise ValueError(
                QT_TRANSLATE_NOOP("Assertions", "{place}: a message is {message}").format(
                    place=f"rubricPrompt[{i}]", message="{role, content}"
                )
            )
        role, content = message.get("role"), message.get("content")
        if role not in ("system", "user", "assistant"):
            raise ValueError(
                QT_TRANSLATE_NOOP(
                    "Assertions", "{place}: system, user or assistant, not {role}"
                ).format(place=f"rubricPrompt[{i}].role", role=repr(role))
            )
        if not isinstance(content, str):
            raise ValueError(
                QT_TRANSLATE_NOOP(
                    "Assertions", "{place}: must be a text (images are not taken)"
                ).format(place=f"rubricPrompt[{i}].content")
            )
        found = _TEMPLATE_CODE.search(content)
        if found is not None:
            snippet = content[found.start() : found.start() + 20]
            raise ValueError(
                QT_TRANSLATE_NOOP(
                    "Assertions",
                    "{place}: only {variable} variables are filled in; template code ({code}…) "
                    "is never run",
                ).format(
                    place=f"rubricPrompt[{i}].content", variable="{{name}}", code=repr(snippet)
                )
            )
        messages.append({"role": role, "content": content})
    if not any("{{" in m["content"] and "output" in variables_in(m["content"]) for m in messages):
        raise ValueError(
            QT_TRANSLATE_NOOP(
                "Assertions", "rubricPrompt never shows the grader the answer: use {output}"
            ).format(output="{{output}}")
        )
    return messages


def rubric_prompt_variables(value: Any) -> list[str]:
    """The case variables a valid ``rubricPrompt`` uses (besides output and rubric)."""
    names: dict[str, None] = {}
    for message in rubric_prompt(value):
        names.update(dict.fromkeys(variables_in(message["content"])))
    return [n for n in names if n not in RUBRIC_VARIABLES]


def fill_rubric_prompt(
    messages: list[dict[str, str]], values: Mapping[str, Any]
) -> list[dict[str, str]]:
    """``messages`` with ``{{output}}``, ``{{rubric}}`` and the case's variables filled in."""
    return [{"role": m["role"], "content": fill(m["content"], values)} for m in messages]


def parse_grade(text: str) -> Grade:
    """The grader's verdict from its reply; a reply without a verdict fails with its words."""
    for value in _embedded_json(text):
        if isinstance(value, dict) and ("pass" in value or "score" in value):
            score = _number(value.get("score"))
            passed = value.get("pass")
            if not isinstance(passed, bool):
                passed = score is not None and score >= 0.5
            if score is None:
                score = 1.0 if passed else 0.0
            reason = " ".join(str(value.get("reason") or "").split())
            return Grade(passed, min(1.0, max(0.0, score)), reason)
    return Grade(
        False,
        0.0,
        QT_TRANSLATE_NOOP("AssertionResults", "the grader gave no verdict: {reply}").format(
            reply=quote(text.strip(), 80)
        ),
    )
