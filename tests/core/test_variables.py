"""Variables: {{name}} filled from the current test case, missing values named at the card."""

from __future__ import annotations

import random

import pytest

from workbench.core import variables
from workbench.core.conversation import Conversation, Message
from workbench.core.payloads import build_request
from workbench.core.providers import ProviderRegistry
from workbench.core.variables import fill, variable_cards, variables_in
from workbench.core.workspace import TestCase, Workspace, workspace_from_json


def test_variables_are_found_once_in_order_and_filled() -> None:
    text = "Hi {{ name }}, about {{topic}} and {{name}} again; {{ 1bad }} is text"
    assert variables_in(text) == ["name", "topic"]
    assert fill(text, {"name": "Ada", "topic": 3}) == (
        "Hi Ada, about 3 and Ada again; {{ 1bad }} is text"
    )
    assert fill("{{x}}", {}) == "{{x}}"
    assert fill("{{x}}", {"x": {"a": [1]}}) == '{"a": [1]}'


def workspace() -> Workspace:
    return Workspace(
        messages=[
            Message(role="user", content="Extract: {{description}}", name="{{who}}"),
            Message(role="assistant", content='{"brand": "{{brand}}', partial=True),
        ],
        tests=[
            TestCase("one", {"description": "A mug", "who": "ann", "brand": "Northfield"}),
            TestCase("two", {"description": "A kettle", "who": "bob"}),
        ],
    )


def test_the_current_case_fills_the_request_including_the_partial_prefix() -> None:
    ws = workspace()
    assert ws.variables() == ["who", "description", "brand"]
    provider = ProviderRegistry().get("moonshot")
    assert provider is not None
    request = build_request(ws, provider)
    assert request.body["messages"][0] == {
        "role": "user",
        "content": "Extract: A mug",
        "name": "ann",
    }
    assert request.prefix == '{"brand": "Northfield'
    assert ws.conversation[0].content == "Extract: {{description}}"  # the card is not touched


def test_a_missing_value_is_a_problem_at_its_card() -> None:
    ws = workspace()
    ws.set_current_test(1)
    problems = ws.variable_problems()
    assert [p.index for p in problems] == [1]
    assert "{{brand}}" in problems[0].text and "test case 2" in problems[0].text
    assert any("Message 2" in p for p in ws.problems())
    empty = Workspace(messages=[Message(role="user", content="{{q}}")])
    assert "add a test case" in empty.variable_problems()[0].text


def test_tests_and_shared_asserts_round_trip_through_the_file() -> None:
    data = {
        "format": "prompt-workbench/1",
        "messages": [{"role": "user", "content": "{{q}}"}],
        "tests": [
            {
                "description": "d",
                "vars": {"q": "hi"},
                "assert": [{"type": "contains", "value": "x"}],
                "options": {"keep": True},
            },
            {"vars": {"q": 2}},
        ],
        "assert": [{"type": "contians", "value": "typo kept as typed"}],
    }
    ws = workspace_from_json(data)
    assert ws.tests[0].extra == {"options": {"keep": True}}
    out = ws.to_json()
    assert out["tests"] == data["tests"]
    assert out["assert"] == data["assert"]


def test_workspace_owned_test_mutations_announce_before_and_after() -> None:
    ws = workspace()
    seen: list[tuple[str, str, int, int]] = []
    ws.tests_changing.connect(lambda e: seen.append(("before", e.kind, e.index, e.destination)))
    ws.tests_changed.connect(lambda e: seen.append(("after", e.kind, e.index, e.destination)))
    ws.insert_test(5, TestCase("three"))
    ws.move_test(2, 0)
    old = ws.update_test(0, TestCase("renamed"))
    removed = ws.remove_test(1)
    assert [t.description for t in ws.tests] == ["renamed", "two"]
    assert old.description == "three" and removed.description == "one"
    assert seen == [
        ("before", "insert", 2, 0),
        ("after", "insert", 2, 0),
        ("before", "move", 2, 0),
        ("after", "move", 2, 0),
        ("before", "update", 0, 0),
        ("after", "update", 0, 0),
        ("before", "remove", 1, 0),
        ("after", "remove", 1, 0),
    ]


def test_the_variables_follow_each_card_edit_reading_only_that_card() -> None:
    from workbench.core.variables import variable_cards

    workspace = Workspace(messages=[Message("user", f"card {i}") for i in range(1000)])
    workspace.conversation.update(700, content="About {{b}} and {{a}}")
    workspace.conversation.update(3, name="{{a}}")
    index = variable_cards(workspace.conversation)
    computed = index.computed
    assert workspace.variables() == ["a", "b"]
    workspace.conversation.update(500, content="{{c}} first")
    workspace.conversation.update(700, content="none left")
    assert workspace.variables() == ["a", "c"]
    assert index.computed == computed + 2  # one card per edit, none per question
    workspace.tests.append(TestCase(vars={"a": "1"}))
    assert [p.index for p in workspace.variable_problems()] == [500]
    assert workspace.sent_messages()[3].name == "1"


def test_text_added_at_the_end_of_a_long_card_is_read_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An answer streaming in: the content grows at its end, megabytes long.
    conversation = Conversation([Message(role="assistant", content="word " * 200_000)])
    index = variable_cards(conversation)
    whole: list[str] = []
    read = variables.variables_in
    monkeypatch.setattr(variables, "variables_in", lambda text: whole.append(text) or read(text))

    content = conversation[0].content
    for piece in (" {{ fir", "st }} and {", "{second}} ", "then {{first}}"):
        content += piece
        conversation.update(0, content=content)

    assert dict(index.items()) == {0: ("first", "second")}
    assert max(len(text) for text in whole) < 1_000  # the new text and a little before it


@pytest.mark.parametrize("seed", range(6))
def test_variables_of_a_growing_card_are_those_of_the_whole_text(seed: int) -> None:
    pieces = ["{", "}", "{{", "}}", " ", "\n", "a", "x.y", "-", "word ", "{{ v1 }}", "{{ ", ","]
    rng = random.Random(seed)
    conversation = Conversation([Message(role="user", content="", name="{{who}}")])
    index = variable_cards(conversation)
    content = ""
    for _ in range(60):
        piece = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 80)))
        if rng.random() < 0.15:  # a variable's inside longer than the look back
            piece = " " * rng.randint(200, 400) + piece
        content += piece
        conversation.update(0, content=content)
        whole = tuple(variables_in(conversation[0].name + "\n" + content))
        assert dict(index.items()).get(0, ()) == whole
