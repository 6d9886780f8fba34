"""Variables: {{name}} filled from the current test case, missing values named at the card."""

from __future__ import annotations

import random

import pytest

from workbench.core import variables
from workbench.core.conversation import Conversation, Message
from workbench.core.payloads import build_request
from workbench.core.providers import ProviderRegistry
from workbench.core.variables import fill, variable_cards, variables_in
from workbench.core.workspace import TestCase, Variant, Workspace, workspace_from_json


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


def own_system_workspace(*cases: dict[str, str]) -> Workspace:
    """A conversation with a system card, and two variants with their own system messages:
    one replacing the card, one (on a conversation without it) going first."""
    return Workspace(
        messages=[Message("system", "Be {{tone}}."), Message("user", "Describe {{thing}}.")],
        variants=[Variant("French", system="Answer in {{language}}, {{tone}}.")],
        tests=[TestCase(f"case {i}", dict(vars)) for i, vars in enumerate(cases)],
    )


def test_a_variants_own_system_message_is_filled_like_the_cards() -> None:
    from workbench.core.compare import apply_variant
    from workbench.core.payloads import variant_messages

    ws = own_system_workspace(
        {"tone": "brief", "thing": "a mug", "language": "French"},
        {"tone": "warm", "thing": "a kettle", "language": "Italian"},
    )
    (variant,) = ws.variants
    provider = ProviderRegistry().get("moonshot")
    assert provider is not None
    assert ws.variables() == ["tone", "thing", "language"]  # the Tests tab's columns

    sent = variant_messages(ws, variant)
    assert [m.content for m in sent] == ["Answer in French, brief.", "Describe a mug."]
    assert apply_variant(ws, variant).conversation[0].content == "Answer in French, brief."
    ws.set_current_test(1)
    body = build_request(ws, provider, variant).body
    assert body["messages"][:2] == [
        {"role": "system", "content": "Answer in Italian, warm."},
        {"role": "user", "content": "Describe a kettle."},
    ]
    # A copy filled from one case (what an evaluation sends) fills it with that case's values.
    filled = ws.filled(ws.tests[0].vars)
    assert build_request(filled, provider, variant).body["messages"][0]["content"] == (
        "Answer in French, brief."
    )
    # Without a system card the variant's goes first, filled just the same.
    ws.conversation.remove(0)
    assert variant_messages(ws, variant)[0].content == "Answer in Italian, warm."
    assert variant.system == "Answer in {{language}}, {{tone}}."  # the variant is not touched


def test_a_value_only_a_variants_system_message_needs_is_an_error_naming_the_variant() -> None:
    from workbench.core.evaluation import test_problems
    from workbench.core.payloads import RequestError, request_problems, variant_view

    ws = own_system_workspace({"tone": "brief", "thing": "a mug"})
    (variant,) = ws.variants
    provider = ProviderRegistry().get("moonshot")
    assert provider is not None

    assert request_problems(ws, provider) == []  # the workspace's own Send needs no language
    assert request_problems(ws, provider, variant) == [
        "Variant 'French', system message: No value for {{language}}: test case 1 has no value "
        "for it."
    ]
    with pytest.raises(RequestError, match="language"):
        build_request(ws, provider, variant)
    # The Compare column checks the variant's view: the same card check finds it.
    assert any("{{language}}" in p for p in variant_view(ws, variant).problems())
    # An evaluation: the case's row names the variant; a copy filled from it is refused too.
    assert [str(p) for p in test_problems(ws)] == [
        "test 0, vars: no value for {{language}} (the system message of variant 'French')"
    ]
    assert request_problems(ws.filled(ws.tests[0].vars), provider, variant) == [
        "Variant 'French', system message: No value for {{language}}: the test case has no "
        "value for it."
    ]
    # A case giving a value only a variant uses is no unknown variable.
    ws.tests[0].vars["language"] = "French"
    assert test_problems(ws) == []
