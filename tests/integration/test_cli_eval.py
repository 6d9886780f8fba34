"""``prompt-workbench eval`` end to end against the loopback server: JSON, exit codes, baselines."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest

from workbench import cli
from workbench.core.eval_history import EvalStore
from workbench.core.history import HistoryStore
from workbench.loopback_server import LoopbackServer, Reply

KEY = "sk-eval-test-key-0123456789"


@pytest.fixture
def key_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("EVAL_TEST_KEY", KEY)
    return "EVAL_TEST_KEY"


def write(tmp_path: Path, **changes: Any) -> Path:
    data: dict[str, Any] = {
        "format": "prompt-workbench/1",
        "title": "Extraction",
        "messages": [
            {"role": "user", "content": "Extract the product: {{description}}"},
            {"role": "assistant", "content": "{", "partial": True},
        ],
        "params": {"provider": "moonshot", "model": "moonshot-v1-128k"},
        "variants": [
            {"label": "K2", "model": "moonshot-v1-128k"},
            {"label": "v1", "model": "moonshot-v1-32k"},
        ],
        "tests": [
            {
                "description": "mug",
                "vars": {"description": "Kelvin mug by Northfield, 24.90"},
                "assert": [{"type": "icontains", "value": "northfield"}],
            },
            {
                "description": "kettle",
                "vars": {"description": "Auralis kettle, 59"},
                "assert": [{"type": "contains", "value": "Auralis"}],
            },
        ],
        "assert": [
            {
                "type": "is-json",
                "value": {"type": "object", "properties": {"price": {"type": "number"}}},
            }
        ],
    }
    data.update(changes)
    path = tmp_path / "extract.prompt.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def answer_by_brand(price: Any = 24.9, broken_model: str | None = None) -> Any:
    def respond(body: dict[str, Any]) -> Reply:
        if body["model"] == broken_model:
            return Reply(text='"brand": "Auralis", "price": "cheap"}')
        content = body["messages"][0]["content"]
        brand = "Northfield" if "Northfield" in content else "Auralis"
        return Reply(text=f'"brand": "{brand}", "price": {json.dumps(price)}}}', chunks=3)

    return respond


def run_eval(*args: str) -> int:
    return cli.main(["eval", *args])


def greet_ann_and_bob(
    tmp_path: Path,
    loopback: LoopbackServer,
    key_env: str,
    capsys: pytest.CaptureFixture[str],
    rubric: dict[str, Any],
) -> Any:
    """Evaluates "Greet {{who}}" for Ann and Bob graded by ``rubric``: the JSON result, after
    checking that Ann's answer passes, Bob's fails and the exit status says so."""
    path = write(
        tmp_path,
        messages=[{"role": "user", "content": "Greet {{who}}"}],
        variants=[],
        tests=[{"vars": {"who": "Ann"}}, {"vars": {"who": "Bob"}}],
        **{"assert": [rubric]},
    )
    status = run_eval(str(path), "--base-url", loopback.url, "--api-key-env", key_env, "--json")
    data = json.loads(capsys.readouterr().out)
    assert status == 1
    assert [r["pass"] for r in data["results"]] == [True, False]
    return data


def test_json_object_has_the_documented_shape_and_every_row_passes(
    tmp_path: Path, loopback: LoopbackServer, key_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    loopback.responder = answer_by_brand()
    path = write(tmp_path)

    status = run_eval(str(path), "--base-url", loopback.url, "--api-key-env", key_env, "--json")

    out, err = capsys.readouterr()
    assert status == 0, err
    data = json.loads(out)
    assert set(data) == {"summary", "results", "regressions"}
    summary = data["summary"]
    assert set(summary) == {
        "rows",
        "passed",
        "failed",
        "errors",
        "pass_rate",
        "cost_usd",
        "duration_ms",
        "variants",
    }
    assert (summary["rows"], summary["passed"], summary["pass_rate"]) == (4, 4, 1.0)
    assert set(summary["variants"]) == {"K2", "v1"}
    assert set(summary["variants"]["K2"]) == {
        "rows",
        "passed",
        "pass_rate",
        "cost_usd",
        "mean_latency_ms",
    }
    row = data["results"][0]
    assert set(row) == {
        "test",
        "description",
        "variant",
        "repeat",
        "vars",
        "text",
        "pass",
        "score",
        "assertions",
        "usage",
        "cost_usd",
        "duration_ms",
        "error",
    }
    assert (row["test"], row["variant"], row["repeat"], row["pass"]) == (0, "K2", 0, True)
    assert row["text"].startswith('{"brand": "Northfield"')  # prefix + continuation
    assert [set(a) for a in row["assertions"]] == [{"type", "pass", "reason"}] * 2
    assert data["regressions"] == []
    # The variable was filled in every request; the key never reached the output.
    sent = [b["messages"][0]["content"] for b in loopback.chat_requests()]
    assert sorted(sent)[0].startswith("Extract the product: Auralis")
    assert KEY not in out


def test_text_table_failures_and_exit_1(
    tmp_path: Path, loopback: LoopbackServer, key_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    loopback.responder = answer_by_brand(price="24.90")
    status = run_eval(
        str(write(tmp_path)),
        "--base-url",
        loopback.url,
        "--api-key-env",
        key_env,
        "--variant",
        "v1",
    )
    out, _ = capsys.readouterr()
    assert status == 1
    assert "is-json: $.price: expected number, got string" in out
    assert "v1: 0/2 passed (0%)" in out
    assert "K2" not in out


def test_failed_request_is_an_error_row_and_the_rest_go_on(
    tmp_path: Path, loopback: LoopbackServer, key_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    good = answer_by_brand()

    def respond(body: dict[str, Any]) -> Reply:
        if body["model"] == "moonshot-v1-32k" and "Auralis" in body["messages"][0]["content"]:
            return Reply(status=400, error_message="nope")
        return good(body)

    loopback.responder = respond
    status = run_eval(
        str(write(tmp_path)), "--base-url", loopback.url, "--api-key-env", key_env, "--json"
    )
    data = json.loads(capsys.readouterr().out)
    assert status == 1
    assert (data["summary"]["passed"], data["summary"]["errors"]) == (3, 1)
    erred = [r for r in data["results"] if r["error"]]
    assert erred[0]["test"] == 1 and "refused" in erred[0]["error"]


def test_the_answer_size_cap_of_the_settings_holds_for_eval_cells(
    tmp_path: Path,
    loopback: LoopbackServer,
    key_env: str,
    capsys: pytest.CaptureFixture[str],
    workbench_home: Path,
) -> None:
    (workbench_home / "config").mkdir(exist_ok=True)
    (workbench_home / "config" / "settings.json").write_text(
        '{"max_answer_mb": 1}', encoding="utf-8"
    )
    loopback.default_reply = Reply(text="x" * 1_100_000, chunks=20)  # over 1 million characters
    status = run_eval(
        str(write(tmp_path)), "--base-url", loopback.url, "--api-key-env", key_env, "--json"
    )
    data = json.loads(capsys.readouterr().out)
    assert status == 1
    assert data["summary"]["errors"] == 4
    assert all("max_answer_mb" in row["error"] for row in data["results"]), data["results"]


def test_output_baseline_and_fail_on_regression(
    tmp_path: Path, loopback: LoopbackServer, key_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path)
    results = tmp_path / "results.json"
    junit = tmp_path / "junit.xml"
    common = ["--base-url", loopback.url, "--api-key-env", key_env]
    loopback.responder = answer_by_brand()
    assert run_eval(str(path), *common, "--output", str(results), "--junit", str(junit)) == 0
    capsys.readouterr()
    saved = json.loads(results.read_text(encoding="utf-8"))
    assert saved["summary"]["rows"] == 4
    suites = ElementTree.parse(junit).getroot()
    assert [s.get("name") for s in suites] == ["K2", "v1"]
    assert len(suites.findall("./testsuite/testcase")) == 4

    # The v1 model now answers badly: its rows regress, and only regressions decide the status.
    loopback.responder = answer_by_brand(broken_model="moonshot-v1-32k")
    status = run_eval(
        str(path),
        *common,
        "--baseline",
        str(results),
        "--fail-on-regression",
        "--json",
        "--junit",
        str(junit),
    )
    data = json.loads(capsys.readouterr().out)
    assert status == 1
    assert data["regressions"] == [
        {"test": 0, "variant": "v1", "was": "pass", "now": "fail"},
        {"test": 1, "variant": "v1", "was": "pass", "now": "fail"},
    ]
    failures = ElementTree.parse(junit).getroot().findall("./testsuite/testcase/failure")
    assert len(failures) == 2 and "expected number, got string" in failures[0].get("message", "")

    # Rows failing that also failed in the baseline are no regression.
    bad_baseline = tmp_path / "bad.json"
    assert run_eval(str(path), *common, "--output", str(bad_baseline)) == 1
    capsys.readouterr()
    assert (
        run_eval(str(path), *common, "--baseline", str(bad_baseline), "--fail-on-regression") == 0
    )


def test_repeat_runs_every_cell_n_times_within_the_concurrency(
    tmp_path: Path, loopback: LoopbackServer, key_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    respond = answer_by_brand()
    loopback.responder = lambda body: Reply(**{**respond(body).__dict__, "first_byte_delay": 0.05})
    status = run_eval(
        str(write(tmp_path)),
        "--base-url",
        loopback.url,
        "--api-key-env",
        key_env,
        "--repeat",
        "3",
        "--concurrency",
        "2",
        "--json",
    )
    data = json.loads(capsys.readouterr().out)
    assert status == 0
    assert data["summary"]["rows"] == 12
    assert sorted({r["repeat"] for r in data["results"]}) == [0, 1, 2]
    assert len(loopback.chat_requests()) == 12


def test_every_run_and_the_evaluation_land_in_the_history(
    tmp_path: Path, loopback: LoopbackServer, key_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    loopback.responder = answer_by_brand()
    path = write(tmp_path)
    assert run_eval(str(path), "--base-url", loopback.url, "--api-key-env", key_env) == 0
    store = EvalStore()
    [entry] = store.entries()
    assert (entry.cells, entry.done, entry.passed, entry.finished_at is not None) == (4, 4, 4, True)
    assert entry.source == str(path.resolve())
    report = store.report(entry.id)
    assert [r.key for r in report.rows] == [(0, "K2", 0), (0, "v1", 0), (1, "K2", 0), (1, "v1", 0)]
    runs = HistoryStore().group(entry.group)
    assert len(runs) == 4 and KEY not in runs[0].request_json


def test_llm_rubric_is_graded_by_the_grader_model(
    tmp_path: Path, loopback: LoopbackServer, key_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def respond(body: dict[str, Any]) -> Reply:
        if body["model"] == "grader-model":
            polite = "please" in body["messages"][1]["content"]
            verdict = {
                "reason": "polite" if polite else "rude",
                "score": 1 if polite else 0,
                "pass": polite,
            }
            return Reply(text=json.dumps(verdict))
        content = body["messages"][0]["content"]
        return Reply(text="Sit down, please" if "Ann" in content else "Sit down")

    loopback.responder = respond
    rubric = {"type": "llm-rubric", "value": "is polite", "model": "grader-model"}
    data = greet_ann_and_bob(tmp_path, loopback, key_env, capsys, rubric)
    assert data["results"][1]["assertions"][0]["reason"] == "rude"
    assert data["results"][0]["variant"] == "workspace"
    assert len(loopback.chat_requests()) == 4


def test_llm_rubric_with_a_rubric_prompt_sends_the_graders_messages_filled_in(
    tmp_path: Path, loopback: LoopbackServer, key_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    graded: list[list[dict[str, Any]]] = []

    def respond(body: dict[str, Any]) -> Reply:
        if body["model"] == "grader-model":
            graded.append(body["messages"])
            polite = "please" in body["messages"][-1]["content"]
            return Reply(
                text=json.dumps(
                    {
                        "reason": "Höflich" if polite else "Unhöflich",
                        "score": 1 if polite else 0,
                        "pass": polite,
                    }
                )
            )
        content = body["messages"][0]["content"]
        return Reply(text="Sit down, please" if "Ann" in content else "Sit down")

    loopback.responder = respond
    prompt = [
        {"role": "system", "content": "Bewerte auf Deutsch. JSON: reason, score, pass."},
        {"role": "user", "content": "Gast: {{who}}\nAusgabe: {{ output }}\nKriterium: {{rubric}}"},
    ]
    rubric = {"type": "llm-rubric", "value": "is polite", "model": "grader-model"}
    with_prompt = {**rubric, "rubricPrompt": prompt}
    data = greet_ann_and_bob(tmp_path, loopback, key_env, capsys, with_prompt)
    assert data["results"][1]["assertions"][0]["reason"] == "Unhöflich"
    assert sorted(graded, key=lambda m: m[1]["content"]) == [
        [
            prompt[0],
            {
                "role": "user",
                "content": "Gast: Ann\nAusgabe: Sit down, please\nKriterium: is polite",
            },
        ],
        [
            prompt[0],
            {"role": "user", "content": "Gast: Bob\nAusgabe: Sit down\nKriterium: is polite"},
        ],
    ]


def test_a_rubric_prompt_variable_a_case_lacks_exits_2_naming_the_case(
    tmp_path: Path, key_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rubric = {"type": "llm-rubric", "value": "ok", "rubricPrompt": "{{output}} for {{guest}}"}
    path = write(
        tmp_path,
        messages=[{"role": "user", "content": "Greet {{who}}"}],
        variants=[],
        tests=[{"vars": {"who": "Ann"}}],
        **{"assert": [rubric]},
    )
    assert run_eval(str(path), "--api-key-env", key_env) == 2
    err = capsys.readouterr().err
    assert "shared assert, assert[0].rubricPrompt: no value for {{guest}} (test 0)" in err


def test_a_variants_own_system_message_is_sent_filled_with_each_case(
    tmp_path: Path, loopback: LoopbackServer, key_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    loopback.responder = answer_by_brand()
    path = write(
        tmp_path,
        variants=[{"label": "French", "system": "Answer in {{language}}."}],
        tests=[
            {"vars": {"description": "Kelvin mug by Northfield", "language": "French"}},
            {"vars": {"description": "Auralis kettle", "language": "Italian"}},
        ],
    )
    status = run_eval(str(path), "--base-url", loopback.url, "--api-key-env", key_env, "--json")
    assert status == 0, capsys.readouterr().err
    systems = [body["messages"][0] for body in loopback.chat_requests()]
    assert sorted(s["content"] for s in systems) == ["Answer in French.", "Answer in Italian."]
    assert {s["role"] for s in systems} == {"system"}


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        (
            {
                "variants": [{"label": "French", "system": "Answer in {{language}}."}],
                "tests": [{"vars": {"description": "x"}}],
            },
            "test 0, vars: no value for {{language}} (the system message of variant 'French')",
        ),
        (
            {"tests": [{"vars": {"description": "x", "colour": "red"}}]},
            "test 0, colour: unknown variable 'colour'",
        ),
        ({"tests": [{"vars": {}}]}, "test 0, vars: no value for {{description}}"),
        (
            {"assert": [{"type": "regex", "value": "("}]},
            "shared assert, assert[0].value: invalid regular expression",
        ),
        (
            {
                "tests": [
                    {
                        "vars": {"description": "x"},
                        "assert": [{"type": "latency", "threshold": "fast"}],
                    }
                ]
            },
            "test 0, assert[0].threshold: threshold must be a number",
        ),
        (
            {"tests": [{"vars": {"description": "x"}, "assert": [{"type": "smells-nice"}]}]},
            "unknown assertion type 'smells-nice'",
        ),
        ({"tests": "all of them"}, "tests: must be an array of test cases"),
        ({"tests": []}, "no test cases"),
    ],
)
def test_bad_input_is_one_line_on_stderr_with_exit_2(
    tmp_path: Path,
    loopback: LoopbackServer,
    key_env: str,
    capsys: pytest.CaptureFixture[str],
    changes: dict[str, Any],
    words: str,
) -> None:
    status = run_eval(
        str(write(tmp_path, **changes)), "--base-url", loopback.url, "--api-key-env", key_env
    )
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert words in err and err.count("\n") == 1
    assert loopback.chat_requests() == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--variant", "nope"], "unknown variant 'nope'"),
        (["--repeat", "0"], "--repeat must be at least 1"),
        (["--concurrency", "0"], "--concurrency must be at least 1"),
        (["--fail-on-regression"], "--fail-on-regression needs --baseline"),
        (["--baseline", "missing.json"], "--baseline missing.json: cannot read it"),
    ],
)
def test_bad_options_exit_2(
    tmp_path: Path,
    loopback: LoopbackServer,
    key_env: str,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    words: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    status = run_eval(
        str(write(tmp_path)), "--base-url", loopback.url, "--api-key-env", key_env, *args
    )
    err = capsys.readouterr().err
    assert status == 2 and words in err, err


def test_a_baseline_that_is_not_a_result_file_exits_2(
    tmp_path: Path, loopback: LoopbackServer, key_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"summary": {}}', encoding="utf-8")
    status = run_eval(
        str(write(tmp_path)),
        "--base-url",
        loopback.url,
        "--api-key-env",
        key_env,
        "--baseline",
        str(other),
    )
    assert status == 2
    assert re.search(r'not an evaluation result: no "results" array', capsys.readouterr().err)
