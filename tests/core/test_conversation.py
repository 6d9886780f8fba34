"""The conversation model: edits, their events, and the partial rule."""

from __future__ import annotations

import pytest

from workbench.core.conversation import Conversation, Message, PartialRuleError


def record(conversation: Conversation) -> list[tuple]:
    seen: list[tuple] = []
    conversation.inserted.connect(lambda i: seen.append(("inserted", i)))
    conversation.removed.connect(lambda i, m: seen.append(("removed", i, m.content)))
    conversation.moved.connect(lambda s, d: seen.append(("moved", s, d)))
    conversation.changed.connect(lambda i, names: seen.append(("changed", i, set(names))))
    conversation.notice.connect(lambda text: seen.append(("notice", text)))
    return seen


def make(*roles: str) -> Conversation:
    return Conversation(Message(role=r, content=f"{r} {i}") for i, r in enumerate(roles))


def test_insert_remove_move_duplicate_update_notify_observers() -> None:
    conversation = make("system", "user")
    seen = record(conversation)
    conversation.append(Message(role="assistant", content="hi"))
    conversation.move(2, 1)
    index = conversation.duplicate(0)
    conversation.update(index, content="changed")
    conversation.remove(0)
    assert seen == [
        ("inserted", 2),
        ("moved", 2, 1),
        ("inserted", 1),
        ("changed", 1, {"content"}),
        ("removed", 0, "system 0"),
    ]
    assert [m.content for m in conversation] == ["changed", "hi", "user 1"]


def test_update_reports_only_real_changes() -> None:
    conversation = make("user")
    seen = record(conversation)
    assert conversation.update(0, content="user 0") == frozenset()
    assert seen == []


def test_duplicate_is_a_deep_copy_with_its_own_identity() -> None:
    conversation = Conversation([Message(role="assistant", tool_calls=[{"id": "a"}])])
    conversation.duplicate(0)
    first, second = conversation
    assert first.uid != second.uid
    second.tool_calls[0]["id"] = "b"
    assert first.tool_calls[0]["id"] == "a"


def test_partial_is_allowed_on_the_last_assistant_message_only() -> None:
    conversation = make("user", "assistant")
    conversation.update(1, partial=True)
    assert conversation[1].partial
    with pytest.raises(PartialRuleError, match="last message"):
        make("assistant", "user").update(0, partial=True)
    with pytest.raises(PartialRuleError, match="assistant"):
        make("assistant", "user").update(1, partial=True)
    assert make("user", "assistant").partial_refusal(1) is None
    assert "last" in (make("assistant", "user").partial_refusal(0) or "")


def test_adding_a_card_after_a_partial_one_clears_the_flag_and_says_so() -> None:
    conversation = make("user", "assistant")
    conversation.update(1, partial=True)
    seen = record(conversation)
    conversation.append(Message(role="user", content="more"))
    assert not conversation[1].partial
    assert ("changed", 1, {"partial"}) in seen
    assert any(kind == "notice" and "no longer the last" in text for kind, text, *_ in seen)


def test_moving_the_partial_card_up_clears_the_flag() -> None:
    conversation = make("user", "assistant")
    conversation.update(1, partial=True)
    conversation.move(1, 0)
    assert not any(m.partial for m in conversation)


def test_changing_the_role_of_a_partial_card_clears_the_flag() -> None:
    conversation = make("user", "assistant")
    conversation.update(1, partial=True)
    seen = record(conversation)
    conversation.update(1, role="user")
    assert not conversation[1].partial
    assert any(kind == "notice" for kind, *_ in seen)


def test_unknown_fields_and_roles_are_refused() -> None:
    conversation = make("user")
    with pytest.raises(ValueError, match="unknown role"):
        conversation.update(0, role="robot")
    with pytest.raises(ValueError, match="unknown message field"):
        conversation.update(0, colour="red")


def test_problems_name_the_card() -> None:
    assert [str(p) for p in Conversation().problems()] == [
        "Conversation: The conversation is empty: add a message."
    ]
    conversation = Conversation(
        [
            Message(role="system", content="be brief"),
            Message(role="user", content=""),
            Message(role="tool", content="42"),
            Message(role="tool", content="42", tool_call_id="functions.x:0"),
        ]
    )
    texts = [str(p) for p in conversation.problems()]
    assert "Message 2: The user message is empty." in texts
    assert "Message 3: A tool message needs the tool_call_id it answers." in texts
    assert any(t.startswith("Message 4: No earlier assistant tool call") for t in texts)


def test_tool_answers_to_earlier_calls_pass_the_check() -> None:
    conversation = Conversation(
        [
            Message(role="user", content="is 3214567 prime?"),
            Message(
                role="assistant",
                tool_calls=[
                    {
                        "id": "CodeRunner:0",
                        "type": "function",
                        "function": {"name": "CodeRunner", "arguments": "{}"},
                    }
                ],
            ),
            Message(role="tool", content="yes", tool_call_id="CodeRunner:0"),
        ]
    )
    assert conversation.problems() == []


def test_index_of_follows_inserts_removes_moves_and_resets() -> None:

    messages = [Message("user", str(i)) for i in range(6)]
    conversation = Conversation(messages)

    def check() -> None:
        for position, message in enumerate(conversation):
            assert conversation.index_of(message.uid) == position

    check()
    extra = Message("assistant", "new")
    conversation.append(extra)
    check()
    conversation.insert(0, Message("system", "first"))
    check()
    conversation.move(1, 5)
    check()
    gone = conversation.remove(len(conversation) - 1)
    check()
    conversation.remove(2)
    check()
    with pytest.raises(ValueError):
        conversation.index_of(gone.uid)
    conversation.replace_all([Message("user", "only")])
    check()
    with pytest.raises(ValueError):
        conversation.index_of(extra.uid)


def test_moving_or_inserting_never_leaves_partial_on_a_middle_message() -> None:

    conversation = Conversation([Message("user", "q"), Message("assistant", "{", partial=True)])
    conversation.insert(1, Message("user", "in between"))
    assert conversation[2].partial  # still last
    conversation.append(Message("user", "after"))
    assert not conversation[2].partial
    conversation.update(2, content="{")
    conversation.remove(3)
    conversation.update(2, partial=True)
    conversation.move(0, 2)  # the partial answer is no longer last
    assert [m.partial for m in conversation] == [False, False, False]


def test_a_card_index_follows_every_edit_computing_only_the_edited_card() -> None:
    conversation = Conversation([Message("user", f"card {i}") for i in range(6)])
    marked = conversation.card_index("x", lambda m: "x" in m.content or None, {"content"})
    assert marked.positions() == [] and marked.computed == 6
    conversation.update(2, content="x two")
    conversation.update(4, role="assistant")  # a field the index does not read
    assert marked.positions() == [2] and marked.computed == 7
    conversation.insert(0, Message("user", "x new"))
    conversation.move(3, 6)  # "x two" goes last
    assert marked.positions() == [0, 6] and marked.computed == 8
    conversation.remove(0)
    assert marked.items() == [(5, True)]
    conversation.replace_all([Message("user", "x"), Message("user", "y")])
    assert marked.positions() == [0]
    assert conversation.card_index("x", lambda m: None, ()) is marked


def _problems_by_scan(conversation: Conversation) -> list[tuple[int | None, str]]:
    """The checks of :meth:`Conversation.problems`, card after card (what the indexes replace)."""
    messages = list(conversation)
    if not messages:
        return [(None, "The conversation is empty: add a message.")]
    found: list[tuple[int | None, str]] = []
    known: set[str] = set()
    for index, m in enumerate(messages):
        if m.role not in ("system", "user", "assistant", "tool"):
            found.append((index, f"Unknown role {m.role!r}."))
        if m.partial and (index != len(messages) - 1 or m.role != "assistant"):
            found.append((index, "Partial is only allowed on the last, assistant message."))
        if m.role == "tool":
            if not m.tool_call_id:
                found.append((index, "A tool message needs the tool_call_id it answers."))
            elif m.tool_call_id not in known:
                found.append(
                    (index, f"No earlier assistant tool call has the id {m.tool_call_id!r}.")
                )
        known |= {c["id"] for c in m.tool_calls if isinstance(c.get("id"), str)}
        if m.role in ("system", "user") and not m.content.strip():
            found.append((index, f"The {m.role} message is empty."))
    if all(m.role == "system" for m in messages):
        found.append((None, "Add a user message: system messages alone get no answer."))
    return found


def test_the_problems_follow_random_edits_as_a_full_scan_finds_them() -> None:
    import random

    rng = random.Random(4)
    conversation = Conversation([Message("user", "hi")])

    def card() -> Message:
        role = rng.choice(["system", "user", "assistant", "tool"])
        calls = [{"id": rng.choice("ab"), "type": "function"}] if rng.random() < 0.3 else []
        return Message(
            role,
            rng.choice(["", "  ", "text"]),
            tool_calls=calls if role == "assistant" else [],
            tool_call_id=rng.choice(["", "a", "b"]) if role == "tool" else "",
        )

    for _ in range(400):
        step = rng.random()
        if step < 0.35 or len(conversation) < 2:
            conversation.insert(rng.randrange(len(conversation) + 1), card())
        elif step < 0.5:
            conversation.remove(rng.randrange(len(conversation)))
        elif step < 0.6:
            conversation.move(rng.randrange(len(conversation)), rng.randrange(len(conversation)))
        elif step < 0.7 and conversation[-1].role == "assistant":
            conversation.update(len(conversation) - 1, partial=True)
        else:
            other = card()
            conversation.update(
                rng.randrange(len(conversation)),
                role=other.role,
                content=other.content,
                tool_calls=other.tool_calls,
                tool_call_id=other.tool_call_id,
            )
        assert [(p.index, p.text) for p in conversation.problems()] == _problems_by_scan(
            conversation
        )


def test_checking_a_thousand_cards_after_an_edit_reads_the_edited_card() -> None:
    from tests.watched import READ, Watched

    conversation = Conversation([Watched("user", f"card {i}") for i in range(1000)])
    conversation.problems()  # the first check reads every card once
    READ.clear()
    conversation.update(500, content="")
    assert [(p.index, p.text) for p in conversation.problems()] == [
        (500, "The user message is empty.")
    ]
    assert {conversation[500].uid} >= READ


def test_share_text_swaps_in_an_equal_string_without_announcing_a_change() -> None:
    conversation = Conversation([Message(role="assistant", content="x" * 10)])
    changes: list[object] = []
    conversation.changed.connect(lambda *args: changes.append(args))
    runner_text = "".join(["x" * 5, "x" * 5])  # equal, another object
    assert conversation[0].content is not runner_text

    assert conversation.share_text(0, runner_text)
    assert conversation[0].content is runner_text
    assert changes == []
    assert not conversation.share_text(0, runner_text)  # already that string
    assert not conversation.share_text(0, "y" * 10)  # not equal: left alone
    assert conversation[0].content is runner_text
