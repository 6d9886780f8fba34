"""Evaluations: every test case through every variant, judged by its assertions.

The pieces, each usable alone:

- :func:`test_problems` finds what is wrong with the cases and assertions before anything runs
  (an unknown variable, an assertion of an unknown type, an invalid regex, a threshold that is not
  a number), each naming its place;
- :class:`Evaluation` runs the cells (case × variant × repeat) through the run engine, which
  bounds the runs per provider, and judges each answer as it ends;
- :class:`EvalReport` is the result: the rows, the summary, and the CLI's JSON object
  (DESIGN section 3), read back by :meth:`EvalReport.from_json` as a baseline;
- :func:`compare_reports` and :func:`regressions` say what changed against a baseline;
- :func:`junit_xml` writes one JUnit testcase per row.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from xml.etree import ElementTree

from workbench.core.assertions import (
    Answer,
    AssertionResult,
    Grade,
    assertion_problems,
    check,
    check_now,
    combine,
    needs_grader,
    parse_grade,
    rubric_prompt_variables,
)
from workbench.core.conversation import Message
from workbench.core.payloads import RequestError, build_request, find_variant, provider_id_for
from workbench.core.providers import ProviderRegistry, normalize_base_url
from workbench.core.run_types import Finished, RunResult, Usage
from workbench.core.sessions import EngineEvent, PreparedRun, RunEngine, RunTicket, Started
from workbench.core.texts import QT_TRANSLATE_NOOP
from workbench.core.variables import variable_cards
from workbench.core.workspace import Params, TestCase, Variant, Workspace, variant_variables

log = logging.getLogger(__name__)

#: The label of the column when the workspace has no variants and runs itself.
WORKSPACE_LABEL = "workspace"
#: The error of a cell that Stop ended before it finished.
STOPPED = QT_TRANSLATE_NOOP("Evaluation", "Stopped before it finished.")

CellKey = tuple[int, str, int]
"""(case index, variant label, repeat index)."""


# Problems before running ---------------------------------------------------------------------


@dataclass(frozen=True)
class TestProblem:
    """Something wrong with a case or an assertion, and where.

    Attributes:
        case: The case's index, or None for the assertions every case shares.
        assertion: The assertion's index within its list, or None for the case itself.
        field: What is wrong: ``vars``, ``description``, an assertion field, or a variable name.
        text: A sentence for the user.
    """

    __test__ = False

    case: int | None
    assertion: int | None
    field: str
    text: str

    @property
    def place(self) -> str:
        """Where it is, as the user reads it: ``test 3, assert[1].value``."""
        where = (
            QT_TRANSLATE_NOOP("TestProblems", "shared assert")
            if self.case is None
            else QT_TRANSLATE_NOOP("TestProblems", "test {case}").format(case=self.case)
        )
        at = ""
        if self.assertion is not None:
            at = f"assert[{self.assertion}]" + (f".{self.field}" if self.field else "")
        elif self.field:
            at = self.field
        if not at:
            return where
        return QT_TRANSLATE_NOOP("TestProblems", "{place}, {field}").format(place=where, field=at)

    @property
    def message(self) -> str:
        """The place and the problem, as the user reads them: ``test 3, assert[1]: ...``."""
        return QT_TRANSLATE_NOOP("TestProblems", "{place}: {problem}").format(
            place=self.place, problem=self.text
        )

    def __str__(self) -> str:
        return self.message


def test_problems(workspace: Workspace) -> list[TestProblem]:
    """Every problem of the cases and assertions, in file order."""
    found: list[TestProblem] = []
    used = workspace.variables()
    used_set = set(used)
    in_cards = {n for _i, names in variable_cards(workspace.conversation).items() for n in names}
    own_system = [(v.label, variant_variables(v)) for v in workspace.variants]
    for a, assertion in enumerate(workspace.asserts):
        for name, text in assertion_problems(assertion):
            found.append(TestProblem(None, a, name, text))
    for c, case in enumerate(workspace.tests):
        for a, assertion in enumerate(workspace.asserts):
            found.extend(_rubric_prompt_problems(assertion, case, c, None, a))
        for name in case.vars:
            if name not in used_set:
                known = ", ".join("{{" + n + "}}" for n in used) or QT_TRANSLATE_NOOP(
                    "TestProblems", "none"
                )
                found.append(
                    TestProblem(
                        c,
                        None,
                        name,
                        QT_TRANSLATE_NOOP(
                            "TestProblems",
                            "unknown variable {name}: the prompt does not use it (it uses {known})",
                        ).format(name=repr(name), known=known),
                    )
                )
        lacking = [n for n in used if n not in case.vars and n in in_cards]
        if lacking:
            names = ", ".join("{{" + n + "}}" for n in lacking)
            found.append(
                TestProblem(
                    c,
                    None,
                    "vars",
                    QT_TRANSLATE_NOOP("TestProblems", "no value for {names}").format(names=names),
                )
            )
        for label, own in own_system:
            lacking = [n for n in own if n not in case.vars and n not in in_cards]
            if lacking:
                names = ", ".join("{{" + n + "}}" for n in lacking)
                text = QT_TRANSLATE_NOOP(
                    "TestProblems", "no value for {names} (the system message of variant {label})"
                ).format(names=names, label=repr(label))
                found.append(TestProblem(c, None, "vars", text))
        for a, assertion in enumerate(case.asserts):
            problems = assertion_problems(assertion)
            for name, text in problems:
                found.append(TestProblem(c, a, name, text))
            if not problems:
                found.extend(_rubric_prompt_problems(assertion, case, c, c, a))
    return found


def _rubric_prompt_problems(
    assertion: Any, case: TestCase, c: int, owner: int | None, a: int
) -> list[TestProblem]:
    """A ``rubricPrompt`` variable that case ``c`` has no value for (``owner``: the case whose
    assertion it is, None for a shared one)."""
    if not isinstance(assertion, dict) or assertion.get("rubricPrompt") is None:
        return []
    try:
        names = rubric_prompt_variables(assertion["rubricPrompt"])
    except ValueError:
        return []  # said by assertion_problems
    lacking = [n for n in names if n not in case.vars]
    if not lacking:
        return []
    shown = ", ".join("{{" + n + "}}" for n in lacking)
    text = (
        QT_TRANSLATE_NOOP(
            "TestProblems",
            "no value for {names} (a rubricPrompt has {variables} and the case's variables)",
        )
        if owner is not None
        else QT_TRANSLATE_NOOP(
            "TestProblems",
            "no value for {names} (test {case}) (a rubricPrompt has {variables} "
            "and the case's variables)",
        )
    )
    variables = "{{output}}, {{rubric}}"
    return [
        TestProblem(owner, a, "rubricPrompt", text.format(names=shown, case=c, variables=variables))
    ]


test_problems.__test__ = False  # type: ignore[attr-defined]


# Rows and reports ----------------------------------------------------------------------------


@dataclass
class EvalRow:
    """One cell's outcome: a case run through a variant (one repeat).

    Attributes:
        test: The case's index (from 0).
        description: The case's description.
        variant: The variant's label (:data:`WORKSPACE_LABEL` for the workspace itself).
        repeat: Which repeat (from 0).
        vars: The case's values.
        text: The full answer (prefix + continuation).
        passed: Every weighted assertion passed, and the run did not fail.
        score: The weighted mean of the assertions' scores.
        assertions: Each assertion's result.
        usage: Token usage, when reported.
        cost_usd: The run's cost, when the model has a price.
        duration_ms: The run's wall time.
        error: Why the run failed (or was stopped), None when it ended normally.
        result: The run's result (not in the JSON: history keeps it).
    """

    test: int
    description: str
    variant: str
    repeat: int
    vars: dict[str, Any]
    text: str = ""
    passed: bool = False
    score: float = 0.0
    assertions: list[AssertionResult] = field(default_factory=list)
    usage: Usage | None = None
    cost_usd: float | None = None
    duration_ms: float | None = None
    error: str | None = None
    result: RunResult | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> CellKey:
        """(test, variant, repeat)."""
        return (self.test, self.variant, self.repeat)

    @property
    def status(self) -> str:
        """``pass``, ``fail`` or ``error``."""
        if self.error is not None:
            return "error"
        return "pass" if self.passed else "fail"

    def to_json(self) -> dict[str, Any]:
        """The ``results`` item of the CLI's JSON."""
        return {
            "test": self.test,
            "description": self.description,
            "variant": self.variant,
            "repeat": self.repeat,
            "vars": copy.deepcopy(self.vars),
            "text": self.text,
            "pass": self.passed,
            "score": round(self.score, 4),
            "assertions": [a.to_json() for a in self.assertions],
            "usage": asdict(self.usage) if self.usage else None,
            "cost_usd": self.cost_usd,
            "duration_ms": None if self.duration_ms is None else round(self.duration_ms, 1),
            "error": self.error,
        }

    @classmethod
    def from_json(cls, data: Any, where: str) -> EvalRow:
        """A row from the CLI's JSON; ValueError naming ``where`` when it is not one."""
        if not isinstance(data, dict):
            raise ValueError(f"{where}: not a result object")
        try:
            test, variant, repeat = data["test"], data["variant"], data.get("repeat", 0)
        except KeyError as error:
            raise ValueError(f"{where}: no {error.args[0]!r}") from None
        if not isinstance(test, int) or not isinstance(variant, str) or not isinstance(repeat, int):
            raise ValueError(f"{where}: test and repeat must be numbers, variant a text")
        usage = data.get("usage")
        assertions = [
            AssertionResult(
                str(a.get("type")),
                bool(a.get("pass")),
                1.0 if a.get("pass") else 0.0,
                str(a.get("reason") or ""),
            )
            for a in data.get("assertions") or []
            if isinstance(a, dict)
        ]
        return cls(
            test=test,
            description=str(data.get("description") or ""),
            variant=variant,
            repeat=repeat,
            vars=dict(data["vars"]) if isinstance(data.get("vars"), dict) else {},
            text=str(data.get("text") or ""),
            passed=bool(data.get("pass")),
            score=float(data.get("score") or 0.0),
            assertions=assertions,
            usage=Usage(**{k: int(v) for k, v in usage.items() if k in Usage.__dataclass_fields__})
            if isinstance(usage, dict)
            else None,
            cost_usd=data.get("cost_usd"),
            duration_ms=data.get("duration_ms"),
            error=data.get("error"),
        )


@dataclass(frozen=True)
class VariantSummary:
    """The summary row of one variant."""

    rows: int
    passed: int
    failed: int
    errors: int
    cost_usd: float
    mean_latency_ms: float | None
    failures_by_assertion: dict[str, int]

    @property
    def pass_rate(self) -> float:
        """Passed rows over all rows (0 without rows)."""
        return self.passed / self.rows if self.rows else 0.0

    def to_json(self) -> dict[str, Any]:
        """The summary's ``variants`` item."""
        return {
            "rows": self.rows,
            "passed": self.passed,
            "pass_rate": round(self.pass_rate, 4),
            "cost_usd": round(self.cost_usd, 8),
            "mean_latency_ms": None
            if self.mean_latency_ms is None
            else round(self.mean_latency_ms, 1),
        }


def summarize_rows(rows: Sequence[EvalRow]) -> VariantSummary:
    """Counts, cost, mean latency and failures by assertion type of some rows."""
    latencies = [r.duration_ms for r in rows if r.error is None and r.duration_ms is not None]
    failures: dict[str, int] = {}
    for row in rows:
        for result in row.assertions:
            if not result.passed:
                failures[result.type] = failures.get(result.type, 0) + 1
    return VariantSummary(
        rows=len(rows),
        passed=sum(r.status == "pass" for r in rows),
        failed=sum(r.status == "fail" for r in rows),
        errors=sum(r.status == "error" for r in rows),
        cost_usd=sum(r.cost_usd or 0.0 for r in rows),
        mean_latency_ms=sum(latencies) / len(latencies) if latencies else None,
        failures_by_assertion=failures,
    )


class SummaryTally:
    """A summary kept up to date row by row: :meth:`add` costs the same for the 800th row as for
    the first, where :func:`summarize_rows` reads every row again (the grid's summary row)."""

    def __init__(self) -> None:
        self.rows = 0
        self.passed = 0
        self.failed = 0
        self.errors = 0
        self.cost_usd = 0.0
        self._latency_total = 0.0
        self._latencies = 0
        self.failures_by_assertion: dict[str, int] = {}

    def add(self, row: EvalRow) -> None:
        """Counts one more row."""
        self.rows += 1
        status = row.status
        if status == "pass":
            self.passed += 1
        elif status == "fail":
            self.failed += 1
        else:
            self.errors += 1
        self.cost_usd += row.cost_usd or 0.0
        if row.error is None and row.duration_ms is not None:
            self._latency_total += row.duration_ms
            self._latencies += 1
        for result in row.assertions:
            if not result.passed:
                failures = self.failures_by_assertion
                failures[result.type] = failures.get(result.type, 0) + 1

    def summary(self) -> VariantSummary:
        """The same summary :func:`summarize_rows` gives for the rows added."""
        return VariantSummary(
            rows=self.rows,
            passed=self.passed,
            failed=self.failed,
            errors=self.errors,
            cost_usd=self.cost_usd,
            mean_latency_ms=self._latency_total / self._latencies if self._latencies else None,
            failures_by_assertion=dict(self.failures_by_assertion),
        )


@dataclass
class EvalReport:
    """An evaluation's outcome: rows in cell order, the variants' labels, the wall time."""

    rows: list[EvalRow]
    labels: list[str]
    duration_ms: float = 0.0
    regressions: list[dict[str, Any]] = field(default_factory=list)

    def variant_summary(self, label: str) -> VariantSummary:
        """The summary of one variant's rows."""
        return summarize_rows([r for r in self.rows if r.variant == label])

    @property
    def total(self) -> VariantSummary:
        """The summary of every row."""
        return summarize_rows(self.rows)

    @property
    def all_passed(self) -> bool:
        """Whether every row passed (and there was at least one)."""
        return bool(self.rows) and all(r.status == "pass" for r in self.rows)

    def to_json(self) -> dict[str, Any]:
        """The CLI's ``--json`` object (DESIGN section 3)."""
        total = self.total
        return {
            "summary": {
                "rows": total.rows,
                "passed": total.passed,
                "failed": total.failed,
                "errors": total.errors,
                "pass_rate": round(total.pass_rate, 4),
                "cost_usd": round(total.cost_usd, 8),
                "duration_ms": round(self.duration_ms, 1),
                "variants": {label: self.variant_summary(label).to_json() for label in self.labels},
            },
            "results": [r.to_json() for r in self.rows],
            "regressions": copy.deepcopy(self.regressions),
        }

    @classmethod
    def from_json(cls, data: Any) -> EvalReport:
        """A report from the CLI's JSON (an ``--output`` file); ValueError naming the problem."""
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            raise ValueError('not an evaluation result: no "results" array')
        rows = [EvalRow.from_json(item, f"results[{i}]") for i, item in enumerate(data["results"])]
        labels = list(dict.fromkeys(r.variant for r in rows))
        summary = data.get("summary")
        duration = summary.get("duration_ms") if isinstance(summary, dict) else None
        return cls(rows, labels, float(duration or 0.0))


# Baselines -----------------------------------------------------------------------------------


def _cell_status(rows: Sequence[EvalRow]) -> str:
    """A cell's status over its repeats: pass when all pass, error when any erred, else fail."""
    if all(r.status == "pass" for r in rows):
        return "pass"
    if any(r.status == "fail" for r in rows):
        return "fail"
    return "error"


@dataclass(frozen=True)
class CellChange:
    """What changed in one cell (case × variant × repeat) against the baseline.

    Attributes:
        was: The baseline's status (``pass``/``fail``/``error``), None when the cell is new.
        now: The status now.
        text_changed: Whether the answer's text differs.
        baseline_text: The baseline's answer (for a text diff).
        cost_delta: Cost now minus cost then (USD), when both are known.
        latency_delta: Duration now minus duration then (ms), when both are known.
    """

    was: str | None
    now: str
    text_changed: bool
    baseline_text: str
    cost_delta: float | None
    latency_delta: float | None

    @property
    def newly_failing(self) -> bool:
        """It passed in the baseline and does not now."""
        return self.was == "pass" and self.now != "pass"

    @property
    def newly_passing(self) -> bool:
        """It did not pass in the baseline and does now."""
        return self.was is not None and self.was != "pass" and self.now == "pass"

    @property
    def changed(self) -> bool:
        """Anything a reviewer would look at: a status change, another answer, a new cell."""
        return self.was != self.now or self.text_changed


def compare_reports(report: EvalReport, baseline: EvalReport) -> dict[CellKey, CellChange]:
    """Per cell of ``report``: what changed against the same cell of ``baseline``."""
    then = {r.key: r for r in baseline.rows}
    changes = {}
    for row in report.rows:
        old = then.get(row.key)
        if old is None:
            changes[row.key] = CellChange(None, row.status, True, "", None, None)
            continue
        cost = (
            row.cost_usd - old.cost_usd
            if row.cost_usd is not None and old.cost_usd is not None
            else None
        )
        latency = (
            row.duration_ms - old.duration_ms
            if row.duration_ms is not None and old.duration_ms is not None
            else None
        )
        changes[row.key] = CellChange(
            old.status, row.status, old.text != row.text, old.text, cost, latency
        )
    return changes


def regressions(report: EvalReport, baseline: EvalReport) -> list[dict[str, Any]]:
    """Cells (case × variant, over their repeats) that passed in ``baseline`` and do not now."""

    def by_cell(rows: Sequence[EvalRow]) -> dict[tuple[int, str], list[EvalRow]]:
        cells: dict[tuple[int, str], list[EvalRow]] = {}
        for row in rows:
            cells.setdefault((row.test, row.variant), []).append(row)
        return cells

    then = by_cell(baseline.rows)
    found = []
    for (test, variant), rows in by_cell(report.rows).items():
        old = then.get((test, variant))
        if old is None:
            continue
        was, now = _cell_status(old), _cell_status(rows)
        if was == "pass" and now != "pass":
            found.append({"test": test, "variant": variant, "was": was, "now": now})
    return found


# JUnit ---------------------------------------------------------------------------------------


def junit_xml(report: EvalReport, suite: str = "prompt-workbench eval") -> str:
    """One JUnit ``testcase`` per row, grouped in one ``testsuite`` per variant."""
    root = ElementTree.Element("testsuites", name=suite)
    for label in report.labels:
        rows = [r for r in report.rows if r.variant == label]
        summary = summarize_rows(rows)
        element = ElementTree.SubElement(
            root,
            "testsuite",
            name=label,
            tests=str(summary.rows),
            failures=str(summary.failed),
            errors=str(summary.errors),
            time=f"{sum((r.duration_ms or 0) for r in rows) / 1000:.3f}",
        )
        for row in rows:
            name = f"test {row.test}" + (f": {row.description}" if row.description else "")
            if row.repeat:
                name += f" (repeat {row.repeat})"
            case = ElementTree.SubElement(
                element,
                "testcase",
                classname=label,
                name=name,
                time=f"{(row.duration_ms or 0) / 1000:.3f}",
            )
            if row.error is not None:
                ElementTree.SubElement(case, "error", message=row.error).text = row.error
            elif not row.passed:
                failing = [a for a in row.assertions if not a.passed]
                message = "; ".join(f"{a.type}: {a.reason}" for a in failing)
                failure = ElementTree.SubElement(case, "failure", message=message)
                failure.text = message + "\n\nAnswer:\n" + row.text
            ElementTree.SubElement(case, "system-out").text = row.text
    ElementTree.indent(root)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(root, encoding="unicode")
        + "\n"
    )


# Running -------------------------------------------------------------------------------------


@dataclass
class PreparedVariant:
    """A cell's request ready to send, or the reason it cannot be sent.

    Attributes:
        variant: The column's variant.
        workspace: Unused (kept for the order of the fields).
        provider_id: Its provider.
        request: The request (a ``ChatRequest``), None when ``problem`` is set.
        provider: The provider configuration.
        problem: Why it is not sent, as a sentence.
        group: Unused: the evaluation's history group is the engine ticket's.
        source_json: The workspace (variables filled) as sent, for the history.
    """

    variant: Variant
    workspace: Workspace | None
    provider_id: str
    request: Any = None
    provider: Any = None
    problem: str | None = None
    group: str | None = None
    source_json: dict[str, Any] | None = None


@dataclass(frozen=True)
class Overrides:
    """Changes forced on every run (the CLI's options)."""

    provider: str | None = None
    model: str | None = None
    base_url: str | None = None


def variant_labels(workspace: Workspace, labels: Sequence[str] = ()) -> list[Variant | None]:
    """The variants to run: those named (KeyError naming an unknown one), else all, else the
    workspace itself (None)."""
    if labels:
        chosen: list[Variant | None] = []
        for label in dict.fromkeys(labels):
            variant = find_variant(workspace, label)
            if variant is None:
                known = ", ".join(repr(v.label) for v in workspace.variants) or "none"
                raise KeyError(f"unknown variant {label!r} (variants: {known})")
            chosen.append(variant)
        return chosen
    return list(workspace.variants) or [None]


def label_of(variant: Variant | None) -> str:
    """A column's label."""
    return variant.label if variant is not None else WORKSPACE_LABEL


def prepare_cell(
    workspace: Workspace,
    case: TestCase,
    variant: Variant | None,
    registry: ProviderRegistry,
    overrides: Overrides | None = None,
    filled: Workspace | None = None,
) -> PreparedVariant:
    """One case's request for one variant (variables filled), or the reason it cannot be sent.

    ``filled`` is the workspace filled with the case's values, when the caller has it already
    (one per case serves every variant: the request copies what it sends).
    """
    overrides = overrides or Overrides()
    label = label_of(variant)
    column = variant if variant is not None else Variant(label=label)
    if filled is None:
        filled = workspace.filled(case.vars)
    provider_id = overrides.provider or provider_id_for(workspace, variant)
    provider = registry.get(provider_id)
    if provider is None:
        known = ", ".join(p.id for p in registry.all())
        return PreparedVariant(
            column,
            None,
            provider_id,
            problem=f"Unknown provider {provider_id!r} (providers: {known}).",
        )
    if overrides.base_url:
        provider = replace(provider, base_url=normalize_base_url(overrides.base_url))
    if overrides.model:
        filled.params.model = overrides.model
        if variant is not None:
            variant = replace(variant, model=overrides.model)
    if overrides.provider:
        filled.params.provider = overrides.provider
        if variant is not None:
            variant = replace(variant, provider=overrides.provider)
    try:
        request = build_request(filled, provider, variant)
    except RequestError as error:
        return PreparedVariant(
            column, None, provider.id, provider=provider, problem=" ".join(error.problems)
        )
    request.variant = label
    return PreparedVariant(
        column, None, provider.id, request, provider, source_json=_source_json(filled)
    )


def _source_json(filled: Workspace) -> dict[str, Any]:
    """The filled workspace as the history keeps it (computed once per filled workspace)."""
    cached = getattr(filled, "_source_json", None)
    if cached is None:
        cached = filled.to_json()
        cached.pop("variants", None)
        filled._source_json = cached  # type: ignore[attr-defined]
    return cached


@dataclass
class Cell:
    """One cell to run: its key, the case, and what is sent (or why not)."""

    key: CellKey
    case: TestCase
    prepared: PreparedVariant
    #: The object the engine is started with (its identity finds ``prepared``).
    handle: Variant = field(repr=False, default_factory=lambda: Variant(label=""))


def plan_cells(
    workspace: Workspace,
    registry: ProviderRegistry,
    labels: Sequence[str] = (),
    *,
    repeat: int = 1,
    overrides: Overrides | None = None,
) -> list[Cell]:
    """Every cell in grid order: case by case, variant by variant, repeat by repeat.

    Raises:
        KeyError: an unknown variant label.
    """
    return [
        cell
        for case_cells in plan_by_case(
            workspace, registry, labels, repeat=repeat, overrides=overrides
        )
        for cell in case_cells
    ]


def plan_by_case(
    workspace: Workspace,
    registry: ProviderRegistry,
    labels: Sequence[str] = (),
    *,
    repeat: int = 1,
    overrides: Overrides | None = None,
) -> Iterator[list[Cell]]:
    """:func:`plan_cells` one case at a time (each case's cells in grid order).

    Planning is pure Python (about a quarter of a millisecond a cell): on a worker thread it
    would hold the GIL and freeze the window for the whole plan, so the window plans a case
    at a time between turns of its event loop instead.

    Raises:
        KeyError: an unknown variant label (before the first case).
    """
    variants = variant_labels(workspace, labels)
    for c, case in enumerate(workspace.tests):
        filled = workspace.filled(case.vars)
        cells = []
        for variant in variants:
            prepared = prepare_cell(workspace, case, variant, registry, overrides, filled)
            for r in range(max(1, repeat)):
                # Each repeat gets its own request object: the engine's run factory knows the
                # cell by it.
                own = replace(prepared, request=copy.copy(prepared.request))
                cells.append(
                    Cell((c, label_of(variant), r), case, own, Variant(label=own.variant.label))
                )
        yield cells


def check_computed(assertions: Sequence[Any], answer: Answer) -> list[AssertionResult | None]:
    """Each assertion that only computes checked against ``answer``, None in the place of those
    that need a grader (:func:`~workbench.core.assertions.needs_grader`). Runs on a worker
    thread: it touches nothing but its arguments."""
    results: list[AssertionResult | None] = []
    for assertion in assertions:
        if needs_grader(assertion):
            results.append(None)
            continue
        try:
            results.append(check_now(assertion, answer))
        except Exception as failure:  # one broken check fails its assertion, not the cell
            results.append(_not_checked(assertion, failure))
    return results


def _not_checked(assertion: Any, failure: Exception) -> AssertionResult:
    kind = str(assertion.get("type")) if isinstance(assertion, dict) else "?"
    return AssertionResult(kind, False, 0.0, f"not checked: {failure}")


class Evaluation:
    """Runs cells through the run engine and judges each answer by its assertions as it ends.

    The engine bounds the runs per provider (the rest queue), looks keys up off the event loop
    and records every ended run in the history under ``group``.

    Args:
        workspace: The workspace (its tools are what ``is-valid-openai-tools-call`` checks, its
            shared assertions apply to every case).
        cells: What to run (:func:`plan_cells`).
        engine: The run engine (the app's, or the CLI's own).
        group: The history group of the evaluation's runs.
        registry: Where a grader's provider is looked up (``llm-rubric``).
        labels: The columns' labels, in order.
        overrides: The overrides the cells were planned with; a grader without its own provider
            (or model) takes them too, so that it is sent where the cells are.
        judge_executor: Where the assertions that only compute (all but ``llm-rubric``) are
            checked: an answer is judged on a thread of this executor (None: the loop's default
            one), never on the event loop's thread, which is the window's UI thread. A grader's
            request is made on the loop, through the engine and its per-provider limit.

    Callbacks (optional, called on the event loop):
        on_queued(key): the cell waits for its turn (every cell, when the run starts).
        on_started(key): its request is on its way.
        on_event(key, event): a piece of its answer arrived (text, reasoning, tool calls, status,
            and the engine's events: a failed history write is a ``NotRecorded``).
        on_row(row): the cell ended and was judged.
    """

    def __init__(
        self,
        workspace: Workspace,
        cells: Sequence[Cell],
        *,
        engine: RunEngine,
        group: str | None = None,
        registry: ProviderRegistry | None = None,
        labels: Sequence[str] = (),
        overrides: Overrides | None = None,
        judge_executor: Executor | None = None,
    ) -> None:
        self.workspace = workspace
        self.overrides = overrides or Overrides()
        self.judge_executor = judge_executor
        self.cells = list(cells)
        self.labels = list(labels) or list(dict.fromkeys(c.key[1] for c in self.cells))
        self.registry = registry
        self.engine = engine
        self.group = group
        self._tickets: set[RunTicket] = set()
        #: Each provider's key, looked up once per evaluation (not once per cell).
        self._keys: dict[str, asyncio.Future[str | None]] = {}
        self.on_queued: Callable[[CellKey], None] | None = None
        self.on_started: Callable[[CellKey], None] | None = None
        self.on_event: Callable[[CellKey, EngineEvent], None] | None = None
        self.on_row: Callable[[EvalRow], None] | None = None
        self.rows: dict[CellKey, EvalRow] = {}
        self._stopped = False
        self._graders = 0
        self._shared = list(workspace.asserts)
        self._tools = list(workspace.tools)

    async def _send(
        self, prepared: PreparedVariant, on_event: Callable[[EngineEvent], None] | None
    ) -> RunResult:
        try:
            api_key, known = await self._key(prepared.provider), True
        except Exception:  # the engine looks again and ends the run with the reason
            api_key, known = None, False
        if self._stopped:  # stopped while the key was looked up: never sent
            return RunResult(provider=prepared.provider_id, model="", error=STOPPED)
        run = PreparedRun(
            prepared.request,
            prepared.provider,
            api_key=api_key,
            key_known=known,
            variant=prepared.variant,
            workspace_json=prepared.source_json or {},
        )

        def sink(_ticket: RunTicket, event: EngineEvent) -> None:
            if on_event is not None:
                on_event(event)

        ticket = self.engine.start(run, sink, group=self.group)
        self._tickets.add(ticket)
        try:
            return await ticket.wait()
        finally:
            self._tickets.discard(ticket)

    async def _key(self, provider: Any) -> str | None:
        """The provider's key, looked up off the loop thread by the first cell that needs it;
        the others wait for that lookup (800 cells of one provider: one keyring call)."""
        lookup = self._keys.get(provider.id)
        if lookup is None:
            lookup = asyncio.ensure_future(self.engine.lookup_key(provider))
            self._keys[provider.id] = lookup
        return await asyncio.shield(lookup)

    @property
    def stopped(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stopped

    def stop(self) -> None:
        """Stops every cell: streaming ones keep their text, waiting ones never start."""
        self._stopped = True
        for ticket in list(self._tickets):
            ticket.stop()

    async def run(self) -> EvalReport:
        """Runs every cell; the report's rows are in cell order."""
        started = time.perf_counter()
        if self.on_queued is not None:
            for cell in self.cells:
                self.on_queued(cell.key)
        await asyncio.gather(*(self._cell(cell) for cell in self.cells))
        rows = [self.rows[c.key] for c in self.cells if c.key in self.rows]
        return EvalReport(rows, self.labels, (time.perf_counter() - started) * 1000)

    async def _cell(self, cell: Cell) -> None:
        def forward(event: EngineEvent) -> None:
            if isinstance(event, Started):
                if self.on_started is not None:
                    self.on_started(cell.key)
            elif self.on_event is not None and not isinstance(event, Finished):
                self.on_event(cell.key, event)

        if self._stopped:
            result = RunResult(provider=cell.prepared.provider_id, model="", error=STOPPED)
        elif cell.prepared.problem is not None:
            result = RunResult(
                provider=cell.prepared.provider_id, model="", error=cell.prepared.problem
            )
        else:
            result = await self._send(cell.prepared, forward)
        row = await self._judge(cell, result)
        self.rows[cell.key] = row
        if self.on_row is not None:
            self.on_row(row)

    async def _judge(self, cell: Cell, result: RunResult) -> EvalRow:
        test, label, repeat = cell.key
        error = result.error
        if error is None and result.interrupted:
            error = STOPPED
        row = EvalRow(
            test=test,
            description=cell.case.description,
            variant=label,
            repeat=repeat,
            vars=cell.case.vars,
            text=result.full_text,
            usage=result.usage,
            cost_usd=result.cost_usd,
            duration_ms=result.duration_ms,
            error=error,
            result=result,
        )
        if error is not None:
            return row
        answer = Answer(result.full_text, result, self._tools, cell.case.vars)
        assertions = [*self._shared, *cell.case.asserts]
        checked: list[AssertionResult | None] = [None] * len(assertions)
        if not all(needs_grader(a) for a in assertions):
            loop = asyncio.get_running_loop()
            checked = await loop.run_in_executor(
                self.judge_executor, check_computed, assertions, answer
            )
        results = []
        for assertion, done in zip(assertions, checked, strict=True):
            if done is None:  # a grader's: its request is sent from the loop
                try:
                    done = await check(assertion, answer, self._grade)
                except Exception as failure:  # a broken grader reply fails the assertion
                    done = _not_checked(assertion, failure)
            results.append(done)
        verdict = combine(results)
        row.passed, row.score, row.assertions = verdict.passed, verdict.score, verdict.results
        return row

    async def _grade(
        self, messages: list[dict[str, str]], provider: str | None, model: str | None
    ) -> Grade:
        """Sends the grader model (through the same engine and limits) ``messages``: the
        answer and the rubric in the default grader prompt or the assertion's ``rubricPrompt``."""
        if self.registry is None:
            return Grade(False, 0.0, "no grader available (no providers)")
        grader = Workspace(
            title="llm-rubric grader",
            messages=[Message(role=m["role"], content=m["content"]) for m in messages],
            params=Params(
                provider=provider or self.workspace.params.provider,
                model=model or self.workspace.params.model,
                temperature=0.0,
                max_tokens=512,
            ),
        )
        self._graders += 1
        handle = Variant(label=f"grader {self._graders}")
        forced = self.overrides
        overrides = Overrides(
            provider=None if provider else forced.provider,
            model=None if model else forced.model,
            base_url=None if provider else forced.base_url,
        )
        prepared = prepare_cell(grader, TestCase(), None, self.registry, overrides)
        prepared.variant = handle
        if prepared.request is not None:
            prepared.request.variant = "llm-rubric grader"
        if prepared.problem is not None:
            return Grade(False, 0.0, f"grader cannot run: {prepared.problem}")
        result = await self._send(prepared, None)
        if result.error is not None:
            return Grade(False, 0.0, f"grader failed: {result.error}")
        return parse_grade(result.full_text)
