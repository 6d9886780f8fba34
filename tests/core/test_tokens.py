"""Local token counts: known tiktoken values, the chat overhead, the per-card cache, calibration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.core.conversation import Message
from workbench.core.tokens import (
    CHUNK_CHARS,
    REPLY_PRIMING,
    TOKENS_PER_MESSAGE,
    TOKENS_PER_NAME,
    Calibration,
    TokenCounter,
    chunk_bounds,
    count_text,
    count_tools,
    encoding,
    encoding_name,
)


def test_bundled_encoding_gives_known_cl100k_ids() -> None:
    # The OpenAI cookbook's example: cl100k_base encodes this sentence to these six ids.
    assert encoding().encode("tiktoken is great!") == [83, 1609, 5963, 374, 2294, 0]
    assert count_text("hello world") == 2
    assert encoding_name() in ("cl100k_base", "o200k_base")


def test_special_token_text_is_counted_not_refused() -> None:
    assert count_text("<|endoftext|>") > 1


def test_encoding_loads_without_network(tmp_path: Path) -> None:
    # A fresh process with an empty tiktoken cache and no proxy reachable: the bundled file is used.
    env = dict(os.environ, TIKTOKEN_CACHE_DIR=str(tmp_path), HTTPS_PROXY="http://127.0.0.1:9")
    code = "from workbench.core.tokens import count_text, encoding_name;" + (
        "print(encoding_name(), count_text('hello world'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["cl100k_base", "2"]


def test_overhead_formula_per_message_name_and_priming() -> None:
    counter = TokenCounter()
    plain = Message("user", "hello world")
    # 3 per message + "user" (1) + "hello world" (2)
    assert counter.count_message(plain) == TOKENS_PER_MESSAGE + 1 + 2 == 6
    named = Message("user", "hello world", name="bob")
    assert counter.count_message(named) == 6 + TOKENS_PER_NAME + count_text("bob")
    breakdown = counter.count([plain])
    assert breakdown.total == 6 + REPLY_PRIMING == 9
    assert counter.count([]).total == 0


def test_openai_cookbook_example_counts_129_prompt_tokens() -> None:
    # num_tokens_from_messages in the OpenAI cookbook gives 129 for these (gpt-4-0613, cl100k).
    messages = [
        Message(
            "system",
            "You are a helpful, pattern-following assistant that translates corporate jargon "
            "into plain English.",
        ),
        Message("system", "New synergies will help drive top-line growth.", name="example_user"),
        Message(
            "system",
            "Things working well together will increase revenue.",
            name="example_assistant",
        ),
        Message(
            "system",
            "Let's circle back when we have more bandwidth to touch base on opportunities for "
            "increased leverage.",
            name="example_user",
        ),
        Message(
            "system",
            "Let's talk later when we're less busy about how to do better.",
            name="example_assistant",
        ),
        Message(
            "user",
            "This late pivot means we don't have time to boil the ocean for the client "
            "deliverable.",
        ),
    ]
    breakdown = TokenCounter().count(messages)
    assert breakdown.total == 129
    assert breakdown.system == 103
    assert breakdown.messages == 23 + REPLY_PRIMING


def test_tools_add_their_serialized_schema() -> None:
    tool = {
        "type": "function",
        "function": {"name": "CodeRunner", "parameters": {"type": "object", "properties": {}}},
    }
    expected = count_text(json.dumps([tool], separators=(",", ":")))
    assert count_tools([tool]) == expected > 10
    breakdown = TokenCounter().count([Message("user", "hi")], [tool])
    assert breakdown.tools == expected
    assert breakdown.total == breakdown.system + breakdown.messages + expected


def test_tool_calls_and_ids_are_counted() -> None:
    counter = TokenCounter()
    call = {"id": "functions.add:0", "type": "function", "function": {"name": "add"}}
    bare = counter.count_message(Message("assistant", ""))
    with_call = counter.count_message(Message("assistant", "", tool_calls=[call]))
    assert with_call > bare
    answer = counter.count_message(Message("tool", "3", tool_call_id="functions.add:0"))
    assert answer > counter.count_message(Message("tool", "3"))


def test_a_keystroke_reencodes_only_the_edited_card() -> None:
    counter = TokenCounter()
    messages = [Message("user", f"card number {i} " * 20) for i in range(50)]
    counter.count(messages)
    assert counter.encoded == 50
    messages[17].content += "x"
    counter.count(messages)
    assert counter.encoded == 51
    # Undoing the keystroke brings back content already seen: nothing is encoded.
    messages[17].content = messages[17].content[:-1]
    counter.count(messages)
    assert counter.encoded == 51


def test_cache_is_keyed_by_what_is_sent() -> None:
    counter = TokenCounter()
    counter.count_message(Message("user", "same text"))
    assert counter.is_cached(Message("user", "same text"))
    assert not counter.is_cached(Message("system", "same text"))
    assert not counter.is_cached(Message("user", "same text", name="x"))


def test_breakdown_splits_system_and_points_at_largest() -> None:
    messages = [
        Message("system", "rules " * 10),
        Message("user", "short"),
        Message("assistant", "long answer " * 50),
    ]
    breakdown = TokenCounter().count(messages)
    assert breakdown.system == breakdown.per_message[0]
    assert breakdown.largest(2) == [2, 0]


def test_calibration_learns_applies_and_persists(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    calibration = Calibration(path)
    assert calibration.apply("kimi-k2", 1000) == 1000
    calibration.learn("kimi-k2", 1000, 900)
    assert calibration.apply("kimi-k2", 1000) == 900
    calibration.learn("kimi-k2", 1000, 800)
    assert calibration.ratio("kimi-k2") == pytest.approx(0.85)
    again = Calibration(path)
    assert again.ratio("kimi-k2") == pytest.approx(0.85)
    assert again.samples("kimi-k2") == 2
    assert again.ratio("moonshot-v1") is None


def test_calibration_ignores_tiny_and_absurd_samples(tmp_path: Path) -> None:
    calibration = Calibration(tmp_path / "c.json")
    calibration.learn("f", 10, 30)  # a few tokens: overhead dominates
    calibration.learn("f", 1000, 9000)  # another tokenizer's prompt, not a calibration
    assert calibration.ratio("f") is None


def test_unreadable_calibration_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text("{not json")
    assert Calibration(path).ratio("x") is None


def _prose(seed: int, size: int) -> str:
    import random

    rng = random.Random(seed)
    words = [
        "the",
        "Session",
        "store's",
        "42",
        "1234567",
        "a\u00e9b",
        "\u4f60\u597d",
        "x_y",
        "!?",
        '{"k":',
        "}",
        "  ",
        "\t",
        "\n",
        "\n\n",
        " \n ",
        "\r\n",
        "don't",
        "QQ",
        "3.14",
    ]
    parts: list[str] = []
    length = 0
    while length < size:
        parts += (rng.choice(words), rng.choice([" ", "", " ", "\n"]))
        length += len(parts[-1]) + len(parts[-2])
    return "".join(parts)


@pytest.mark.parametrize("seed", range(8))
def test_a_long_text_counted_in_pieces_equals_the_whole_count(seed: int) -> None:
    text = _prose(seed, 60_000)
    counter = TokenCounter()
    message = Message("user", text)

    assert counter.count_message(message) == TOKENS_PER_MESSAGE + count_text("user") + count_text(
        text
    )
    assert len(chunk_bounds(text)) > 3


def test_a_growing_answer_has_only_its_new_text_encoded() -> None:
    text = _prose(99, 200_000)
    counter = TokenCounter()
    message = Message("assistant", "")
    expected_overhead = TOKENS_PER_MESSAGE + count_text("assistant")
    steps = [*range(0, len(text), 4999), len(text)]
    for step, end in enumerate(steps):
        before = counter.encoded_chars
        message.content = text[:end]
        tokens = counter.count_message(message)
        # Each step encodes its new text and the piece it ends in, never the whole answer.
        assert counter.encoded_chars - before <= 4999 + 2 * CHUNK_CHARS
        if step % 8 == 0 or end == len(text):
            assert tokens == expected_overhead + count_text(message.content)


def test_a_keystroke_in_a_long_card_encodes_one_piece() -> None:
    text = _prose(7, 300_000)
    counter = TokenCounter()
    message = Message("user", text)
    counter.count_message(message)
    before = counter.encoded_chars

    message.content = text[:150_000] + "typed" + text[150_000:]

    assert counter.count_message(message) == TOKENS_PER_MESSAGE + count_text("user") + count_text(
        message.content
    )
    assert counter.encoded_chars - before < 3 * CHUNK_CHARS


def test_a_long_cards_pieces_go_with_the_card() -> None:
    import gc

    counter = TokenCounter()
    message = Message("assistant", "word " * 100_000)
    counter.count_message(message)
    assert len(counter._long) == 1

    del message
    gc.collect()

    assert len(counter._long) == 0


@pytest.mark.parametrize("count", [1, 2, 5, 128])
def test_tools_counted_one_by_one_equal_the_whole_array(count: int) -> None:
    endings = ["end.", "end ", "end  ", "42", "x_", "\u4f60", "!"]
    tools = [
        {
            "type": "function",
            "function": {
                "name": f"tool_{i}",
                "description": "Does a thing " * (i % 4) + endings[i % len(endings)],
                "parameters": {
                    "type": "object",
                    "properties": {"n": {"type": "integer"}},
                    "required": [] if i % 2 else ["n"],
                },
            },
        }
        for i in range(count)
    ]
    counter = TokenCounter()

    assert counter.count_tools(tools) == count_tools(tools)
    # Editing one tool: the same figure as counting the whole array afresh.
    tools[count // 2] = {**tools[count // 2], "type": "function", "x": [True, None, 1.5]}
    assert counter.count_tools(tools) == count_tools(tools)
    assert counter.count_tools([{}, {"": ""}, tools[0]]) == count_tools([{}, {"": ""}, tools[0]])


def test_the_tally_follows_edits_inserts_moves_and_role_changes() -> None:
    from workbench.core.conversation import Conversation
    from workbench.core.tokens import ConversationTally

    conversation = Conversation(
        [Message("system", "Be brief."), Message("user", "Hello"), Message("assistant", "Hi")]
    )
    counter = TokenCounter()
    tally = ConversationTally(counter)

    def check() -> None:
        assert tally.breakdown(conversation) == TokenCounter().count(conversation.messages)

    check()
    conversation.update(1, content="Hello there, how are you?")
    check()
    conversation.update(0, role="user")
    check()
    conversation.update(2, role="system", content="Now a system message")
    check()
    conversation.insert(1, Message("system", "Another"))
    check()
    conversation.move(0, 3)
    check()
    conversation.remove(2)
    check()
    conversation.replace_all([Message("user", "fresh")])
    check()
    tally.detach()
    conversation.update(0, content="not followed any more, read afresh")
    check()


def test_the_tally_keeps_the_largest_cards_as_one_card_grows_or_shrinks() -> None:
    import random

    from workbench.core.conversation import Conversation
    from workbench.core.tokens import ConversationTally

    rng = random.Random(11)
    conversation = Conversation([Message("user", "word " * rng.randint(0, 30)) for _ in range(60)])
    tally = ConversationTally(TokenCounter())

    def sorted_largest() -> list[int]:
        per = TokenCounter().count(conversation.messages).per_message
        return sorted(range(len(per)), key=per.__getitem__, reverse=True)[:3]

    for _ in range(300):  # typing and deleting in random cards, ties included
        index = rng.randrange(len(conversation))
        conversation.update(index, content="word " * rng.randint(0, 40))
        breakdown = tally.breakdown(conversation)
        assert breakdown.top is not None
        assert list(breakdown.top) == breakdown.largest(3) == sorted_largest()
    conversation.remove(5)
    assert tally.breakdown(conversation).largest(3) == sorted_largest()


def test_a_long_card_primed_ahead_is_not_encoded_again_when_the_conversation_is_counted() -> None:
    counter = TokenCounter()
    cards = [Message("user", "Decode this:"), Message("user", "QUJD" * 50_000)]
    counter.prime(cards)  # the worker thread, opening the file
    before = counter.encoded_chars

    breakdown = counter.count(cards)

    assert counter.encoded_chars == before
    assert breakdown.per_message[1] == counter.count_message(cards[1])
