"""Test-case files, stored evaluations and the report's pieces, without a network."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from workbench.core.assertions import AssertionResult
from workbench.core.eval_history import EvalStore
from workbench.core.evaluation import (
    EvalReport,
    EvalRow,
    SummaryTally,
    compare_reports,
    junit_xml,
    regressions,
    summarize_rows,
)
from workbench.core.test_io import TestsFileError, from_csv, from_jsonl, from_tsv, to_csv
from workbench.core.workspace import TestCase


def test_csv_round_trip_keeps_values_descriptions_and_asserts() -> None:
    cases = [
        TestCase("a, with comma", {"q": 'say "hi"\nthere', "n": 3}),
        TestCase("", {"q": "x"}, [{"type": "contains", "value": "x"}]),
    ]
    text = to_csv(cases, ["q"])
    assert text.splitlines()[0] == "__description,q,n,__assert"
    back = from_csv(text)
    assert back[0].vars == {"q": 'say "hi"\nthere', "n": "3"}
    assert back[1].asserts == [{"type": "contains", "value": "x"}]
    assert back[1].vars == {"q": "x", "n": ""}


def test_jsonl_reads_flat_lines_and_workspace_cases() -> None:
    text = '{"__description": "d", "q": 1}\n\n{"description": "e", "vars": {"q": "z"}}\n'
    cases = from_jsonl(text)
    assert [(c.description, c.vars) for c in cases] == [("d", {"q": 1}), ("e", {"q": "z"})]
    with pytest.raises(TestsFileError, match=r"^line 2: not valid JSON"):
        from_jsonl('{"q": 1}\n{oops\n')
    with pytest.raises(TestsFileError, match=r"line 2: the __assert column must hold a JSON"):
        from_csv("q,__assert\nx,not json\n")


def test_pasted_rows_without_a_header_fill_the_columns_in_order() -> None:
    cases = from_tsv("one\tA\ntwo\tB\n", ["__description", "q"])
    assert [(c.description, c.vars) for c in cases] == [("one", {"q": "A"}), ("two", {"q": "B"})]
    with pytest.raises(TestsFileError, match="3 columns pasted, but the table has 2"):
        from_tsv("a\tb\tc", ["__description", "q"])


def row(
    test: int, variant: str, passed: bool, text: str = "t", error: str | None = None
) -> EvalRow:
    return EvalRow(
        test=test,
        description=f"case {test}",
        variant=variant,
        repeat=0,
        vars={},
        text=text,
        passed=passed,
        score=1.0 if passed else 0.0,
        assertions=[AssertionResult("contains", passed, 1.0 if passed else 0.0, "why")],
        cost_usd=0.001,
        duration_ms=100.0,
        error=error,
    )


def test_regressions_and_cell_changes_against_a_baseline() -> None:
    then = EvalReport([row(0, "A", True), row(1, "A", False), row(2, "A", True)], ["A"])
    now = EvalReport(
        [row(0, "A", False, "other"), row(1, "A", True), row(2, "A", True, error="boom")], ["A"]
    )
    assert regressions(now, then) == [
        {"test": 0, "variant": "A", "was": "pass", "now": "fail"},
        {"test": 2, "variant": "A", "was": "pass", "now": "error"},
    ]
    changes = compare_reports(now, then)
    assert changes[(0, "A", 0)].newly_failing and changes[(0, "A", 0)].text_changed
    assert changes[(1, "A", 0)].newly_passing and not changes[(1, "A", 0)].text_changed
    assert changes[(1, "A", 0)].cost_delta == 0
    back = EvalReport.from_json(now.to_json())
    assert [r.status for r in back.rows] == ["fail", "pass", "error"]


def test_junit_has_a_testcase_per_row_with_failures_and_errors() -> None:
    report = EvalReport(
        [row(0, "A", True), row(1, "A", False), row(0, "B", True, error="x")], ["A", "B"]
    )
    root = ElementTree.fromstring(junit_xml(report).split("\n", 1)[1])
    suites = root.findall("testsuite")
    assert [
        (s.get("name"), s.get("tests"), s.get("failures"), s.get("errors")) for s in suites
    ] == [
        ("A", "2", "1", "0"),
        ("B", "1", "0", "1"),
    ]
    assert suites[0].findall("testcase")[1].find("failure").get("message") == "contains: why"


def test_a_crashed_evaluation_keeps_its_finished_cells(tmp_path: Path) -> None:
    store = EvalStore(tmp_path / "h.sqlite3")
    first = store.begin("/w.prompt.json", "W", ["A"], 3)
    store.add_row(first, 0, row(0, "A", True))
    store.add_row(first, 2, row(2, "A", False))
    # No finish(): the process died here. A new store (a restart) still has both cells.
    again = EvalStore(tmp_path / "h.sqlite3")
    [entry] = again.entries("/w.prompt.json")
    assert (entry.done, entry.passed, entry.finished_at) == (2, 1, None)
    assert [r.test for r in again.report(first).rows] == [0, 2]
    second = again.begin("/w.prompt.json", "W", ["A"], 1)
    again.set_baseline(first, "/w.prompt.json")
    again.set_baseline(second, "/w.prompt.json")
    assert again.baseline("/w.prompt.json") == second
    assert again.baseline("/other") is None


def test_the_running_tally_gives_the_summary_of_the_rows_added() -> None:
    rows = [row(0, "A", True), row(1, "A", False), row(2, "A", True, error="boom")]
    rows[0].duration_ms = 300.0
    tally = SummaryTally()
    assert tally.summary() == summarize_rows([])
    for added in range(1, len(rows) + 1):
        tally.add(rows[added - 1])
        assert tally.summary() == summarize_rows(rows[:added])
    assert tally.summary().mean_latency_ms == 200.0  # the erred row's latency is not counted


def test_cells_committed_together_read_back_in_grid_order(tmp_path: Path) -> None:
    store = EvalStore(tmp_path / "h.sqlite3")
    evaluation = store.begin("/w.prompt.json", "W", ["A"], 3)
    store.add_rows(evaluation, [(2, row(2, "A", False)), (0, row(0, "A", True))])
    store.add_rows(evaluation, [(1, row(1, "A", True))])
    assert [r.test for r in store.report(evaluation).rows] == [0, 1, 2]
    [entry] = store.entries("/w.prompt.json")
    assert (entry.done, entry.passed) == (3, 2)
