"""Assertions: promptfoo's types, negation, weights, one-line reasons, problems before running."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from workbench.core.assertions import (
    Answer,
    Grade,
    assertion_problems,
    check,
    combine,
    json_path,
    parse_grade,
    rubric_prompt,
)
from workbench.core.run_types import RunResult, ToolCall
from workbench.core.workspace import ToolEntry


def judge(assertion: dict[str, Any], text: str = "", **result: Any) -> tuple[bool, str, float]:
    run = RunResult(provider="p", model="m", text=text, **result)
    tools = [
        ToolEntry(
            '{"type": "function", "function": {"name": "get_price", "parameters": '
            '{"type": "object", "properties": {"sku": {"type": "string"}}, "required": ["sku"]}}}'
        )
    ]
    outcome = asyncio.run(check(assertion, Answer(text, run, tools)))
    return outcome.passed, outcome.reason, outcome.score


@pytest.mark.parametrize(
    ("assertion", "text", "passed"),
    [
        ({"type": "equals", "value": "42"}, "42", True),
        ({"type": "equals", "value": "42"}, "42 ", False),
        ({"type": "equals", "value": {"a": 1}}, '{"a": 1}', True),
        ({"type": "contains", "value": "Kelvin"}, "The Kelvin mug", True),
        ({"type": "icontains", "value": "kelvin"}, "The KELVIN mug", True),
        ({"type": "contains-any", "value": ["x", "mug"]}, "The Kelvin mug", True),
        ({"type": "contains-any", "value": "x, y"}, "The Kelvin mug", False),
        ({"type": "contains-all", "value": ["Kelvin", "mug"]}, "The Kelvin mug", True),
        ({"type": "icontains-all", "value": ["kelvin", "MUG"]}, "The Kelvin mug", True),
        ({"type": "starts-with", "value": "{"}, '{"a": 1}', True),
        ({"type": "regex", "value": r"\d{3}"}, "call 555", True),
        ({"type": "is-json"}, '{"a": 1}', True),
        ({"type": "is-json"}, "not json", False),
        ({"type": "contains-json"}, 'Here: ```json\n{"a": 1}\n```', True),
        ({"type": "contains-json"}, "no json here", False),
        ({"type": "not-contains", "value": "error"}, "all good", True),
        ({"type": "not-is-json"}, "plain words", True),
    ],
)
def test_each_type_judges_the_text(assertion: dict[str, Any], text: str, passed: bool) -> None:
    assert assertion_problems(assertion) == []
    assert judge(assertion, text)[0] is passed


def test_failing_assertions_say_why_in_one_line() -> None:
    assert judge({"type": "contains", "value": "Kelvin"}, "a mug")[1] == (
        "expected to contain 'Kelvin'"
    )
    assert judge({"type": "not-contains", "value": "mug"}, "a mug")[1] == (
        "expected not to contain 'mug'"
    )
    assert judge({"type": "contains-all", "value": ["a", "Kelvin", "Zed"]}, "a mug")[1] == (
        "expected to contain 'Kelvin', 'Zed'"
    )
    assert judge({"type": "regex", "value": "^x"}, "abc")[1] == "expected to match /^x/"
    reason = judge({"type": "equals", "value": "yes"}, "no\nway")[1]
    assert reason == "expected 'yes', got 'no\\nway'" and "\n" not in reason


def test_json_schema_failure_names_the_path_and_types() -> None:
    schema = {
        "type": "object",
        "properties": {"price": {"type": "number"}, "items": {"type": "array"}},
        "required": ["price", "name"],
    }
    assert judge({"type": "is-json", "value": schema}, '{"price": "12", "name": "x"}')[1] == (
        "$.price: expected number, got string"
    )
    assert judge({"type": "is-json", "value": schema}, '{"price": 1}')[1] == (
        "$: missing required property 'name'"
    )
    passed, reason, _ = judge(
        {"type": "contains-json", "value": schema}, 'x {"price": 3, "name": 1}'
    )
    assert passed, reason
    assert judge({"type": "is-json"}, "{oops")[1].startswith("not valid JSON (")
    assert json_path(["items", 0, "a b"]) == '$.items[0]["a b"]'


def test_tools_call_is_checked_against_the_workspace_schemas() -> None:
    good = [ToolCall("c1", "get_price", '{"sku": "A1"}')]
    bad = [ToolCall("c1", "get_price", '{"sku": 7}')]
    unknown = [ToolCall("c1", "launch", "{}")]
    kind = {"type": "is-valid-openai-tools-call"}
    assert judge(kind, tool_calls=good)[0]
    passed, reason, _ = judge(kind, tool_calls=bad)
    assert not passed and reason.startswith("get_price: ") and "sku" in reason
    assert "not one of the tools" in judge(kind, tool_calls=unknown)[1]
    assert judge(kind, text="plain")[1] == "expected a tool call, the answer has none"


def test_cost_and_latency_thresholds() -> None:
    assert judge({"type": "cost", "threshold": 0.01}, cost_usd=0.002)[0]
    passed, reason, _ = judge({"type": "cost", "threshold": 0.001}, cost_usd=0.002)
    assert not passed and reason == "cost $0.002000, expected at most $0.001"
    assert "cost unknown" in judge({"type": "cost", "threshold": 1})[1]
    passed, reason, _ = judge({"type": "latency", "threshold": 100}, duration_ms=250.0)
    assert not passed and reason == "took 250 ms, expected at most 100 ms"
    assert judge({"type": "not-latency", "threshold": 100}, duration_ms=250.0)[0]


def test_weights_and_negation_combine_into_the_case_score() -> None:
    results = [
        asyncio.run(check(a, Answer("The Kelvin mug", RunResult("p", "m"))))
        for a in (
            {"type": "contains", "value": "Kelvin", "weight": 3},
            {"type": "contains", "value": "Zed", "weight": 1},
            {"type": "contains", "value": "Zed", "weight": 0},
        )
    ]
    verdict = combine(results)
    assert not verdict.passed
    assert verdict.score == pytest.approx(0.75)
    assert combine(results[:1] + results[2:]).passed  # weight 0 does not decide
    assert combine([]).passed and combine([]).score == 1.0


@pytest.mark.parametrize(
    ("assertion", "field", "words"),
    [
        ({"type": "contians", "value": "x"}, "type", "unknown assertion type 'contians'"),
        ({"value": "x"}, "type", "needs a type"),
        ({"type": "regex", "value": "(unclosed"}, "value", "invalid regular expression"),
        ({"type": "is-json", "value": {"type": "strnig"}}, "value", "not a JSON Schema"),
        ({"type": "is-json", "value": [1]}, "value", "must be a JSON Schema object"),
        ({"type": "cost", "threshold": "cheap"}, "threshold", "must be a number"),
        ({"type": "latency"}, "threshold", "needs a threshold"),
        ({"type": "contains"}, "value", "needs a text value"),
        ({"type": "contains-any", "value": 5}, "value", "needs a list of texts"),
        ({"type": "contains", "value": "x", "weight": -1}, "weight", "weight must be"),
        ({"type": "contains", "value": "x", "transform": "output.trim()"}, "transform", "code"),
        ({"type": "llm-rubric"}, "value", "needs the rubric"),
        ({"type": "llm-rubric", "value": "polite", "threshold": 3}, "threshold", "0 to 1"),
        (
            {"type": "llm-rubric", "value": "p", "rubricPrompt": "Grade {{ output | upper }}"},
            "rubricPrompt",
            "template code ('{{ output | upper }}'…) is never run",
        ),
        (
            {"type": "llm-rubric", "value": "p", "rubricPrompt": "{% if x %}{{output}}{% endif %}"},
            "rubricPrompt",
            "template code",
        ),
        (
            {"type": "llm-rubric", "value": "p", "rubricPrompt": "Is it {{rubric}}?"},
            "rubricPrompt",
            "never shows the grader the answer: use {{output}}",
        ),
        (
            {
                "type": "llm-rubric",
                "value": "p",
                "rubricPrompt": [{"role": "user", "content": [{"type": "text", "text": "x"}]}],
            },
            "rubricPrompt",
            "rubricPrompt[0].content: must be a text",
        ),
        ({"type": "contains", "value": "x", "rubricPrompt": "{{output}}"}, "rubricPrompt", "only"),
    ],
)
def test_bad_assertions_are_named_before_running(
    assertion: dict[str, Any], field: str, words: str
) -> None:
    problems = assertion_problems(assertion)
    assert problems and problems[0][0] == field
    assert words in problems[0][1]


def test_llm_rubric_uses_the_grader_and_its_threshold() -> None:
    seen: list[tuple[list[dict[str, str]], str | None, str | None]] = []

    async def grader(
        messages: list[dict[str, str]], provider: str | None, model: str | None
    ) -> Grade:
        seen.append((messages, provider, model))
        return Grade(True, 0.6, "polite enough")

    rubric = {"type": "llm-rubric", "value": "is polite", "provider": "openai", "model": "g"}
    answer = Answer("Thanks!", RunResult("p", "m"))
    result = asyncio.run(check(rubric, answer, grader))
    assert result.passed and result.score == 0.6 and result.reason == "polite enough"
    [(messages, provider, model)] = seen
    assert (provider, model) == ("openai", "g")
    assert "<Answer>\nThanks!\n</Answer>" in messages[1]["content"]
    assert "<Rubric>\nis polite\n</Rubric>" in messages[1]["content"]
    strict = asyncio.run(check({**rubric, "threshold": 0.8}, answer, grader))
    assert not strict.passed and strict.reason == "score 0.60 (threshold 0.8): polite enough"


def test_grader_replies_are_parsed_tolerantly() -> None:
    assert parse_grade('```json\n{"pass": true, "score": 0.9, "reason": "ok"}\n```') == Grade(
        True, 0.9, "ok"
    )
    assert parse_grade('{"score": 0.2}').passed is False
    verdict = parse_grade("I think it is fine")
    assert not verdict.passed and "no verdict" in verdict.reason


def test_a_rubric_prompt_is_filled_with_the_answer_the_rubric_and_the_cases_values() -> None:
    sent: list[list[dict[str, str]]] = []

    async def grader(
        messages: list[dict[str, str]], provider: str | None, model: str | None
    ) -> Grade:
        sent.append(messages)
        return Grade(False, 0.1, "curt")

    # promptfoo's form: the messages as JSON text; a quote in the answer stays a quote.
    prompt = (
        '[{"role": "system", "content": "Judge replies to {{ who }}. Answer in JSON."},'
        ' {"role": "user", "content": "Output: {{ output }}\\nRubric: {{rubric}}"}]'
    )
    assertion = {"type": "llm-rubric", "value": "is polite", "rubricPrompt": prompt}
    answer = Answer('Say "hi"', RunResult("p", "m"), vars={"who": "Ann", "n": 3})
    result = asyncio.run(check(assertion, answer, grader))
    assert not result.passed and result.reason == "curt"
    assert sent == [
        [
            {"role": "system", "content": "Judge replies to Ann. Answer in JSON."},
            {"role": "user", "content": 'Output: Say "hi"\nRubric: is polite'},
        ]
    ]
    # Plain text is one user message; a YAML list of messages is taken as it is.
    assert rubric_prompt("Grade {{output}}") == [{"role": "user", "content": "Grade {{output}}"}]
    listed = [{"role": "user", "content": "{{output}}"}]
    assert rubric_prompt(listed) == listed
