"""The runner's fast paths give what its general paths give, for generated input.

A long answer's chunks skip work that cannot change them (issue 15): a plain text chunk skips the
checks of every other field, a piece of ASCII text without the key skips the key and surrogate
scans, and text waiting in the run's queue grows instead of queueing one event per chunk. Each
property feeds the same generated input to the fast and the general path and wants the same
output: pieces of the key split across chunks, halves of an emoji, lone surrogates, damaged
chunks and size limits included.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.generated.strategies import damaged, json_values, strings
from workbench.core.json_files import clean_text
from workbench.core.payloads import build_request
from workbench.core.providers import preset
from workbench.core.run_queue import RunQueue
from workbench.core.run_types import ReasoningDelta, RunEvent, Status, TextDelta
from workbench.core.runner import Run, _OutputFilter
from workbench.core.secrets import MASK
from workbench.core.workspace import workspace_from_json

KEY = "sk-loop-0123456789"
#: Fast-path tests run no server: many examples cost little.
MANY = settings(max_examples=max(300, settings.default.max_examples))

#: Pieces of text as a stream cuts them: the key whole and in parts, its start at the end of a
#: piece, emoji and their halves, lone surrogates, ASCII, Latin-1 and CJK text, the mask.
fragments = st.one_of(
    strings,
    st.sampled_from(
        [
            KEY,
            KEY[:1],
            KEY[:3],
            KEY[3:],
            KEY[:-1],
            KEY[-1:],
            "the answer ",
            "s",
            "ask",
            "\ud83d",
            "\ude00",
            "😀",
            "é",
            "中文",
            MASK,
            "",
        ]
    ),
)
pieces = st.lists(st.lists(fragments, min_size=1, max_size=4).map("".join), min_size=1, max_size=12)


@MANY
@given(key=st.sampled_from([KEY, None, "aaaaaa", "\ud83d\ude00abcd"]), texts=pieces)
def test_the_output_filter_fast_path_equals_the_general_path(
    key: str | None, texts: list[str]
) -> None:
    fast, general = _OutputFilter(key), _OutputFilter(key)
    for text in texts:
        assert fast.take(text) == general.take_any(text)
    assert fast.flush() == general.flush()


@MANY
@given(text=st.one_of(strings, fragments))
def test_clean_text_of_ascii_is_the_text(text: str) -> None:
    assert clean_text(text) == text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def chunk_of(delta: dict[str, Any], **choice: Any) -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": delta, **choice}]}


#: Chunks as servers send them: plain text or reasoning deltas (the fast path), and every other
#: shape (tool calls, finish reasons, usage, several choices, fields of the wrong type).
texts = st.one_of(st.none(), fragments, json_values)
chunks = st.one_of(
    st.builds(lambda text: chunk_of({"content": text}), fragments),
    st.builds(lambda text: chunk_of({"reasoning_content": text}), fragments),
    st.builds(
        lambda content, reasoning, role: chunk_of(
            {"role": role, "content": content, "reasoning_content": reasoning}
        ),
        texts,
        texts,
        st.sampled_from(["assistant", None]),
    ),
    st.builds(lambda text, finish: chunk_of({"content": text}, finish_reason=finish), texts, texts),
    st.builds(
        lambda text: {
            **chunk_of({"content": text}),
            "usage": {"prompt_tokens": 1, "completion_tokens": 2},
        },
        fragments,
    ),
    st.just(
        chunk_of(
            {"tool_calls": [{"index": 0, "id": "c1", "function": {"name": "f", "arguments": "{"}}]}
        )
    ),
    st.builds(
        lambda a, b: {"choices": [{"delta": {"content": a}}, {"delta": {"content": b}}]},
        fragments,
        fragments,
    ),
    damaged(chunk_of({"content": "Hi", "reasoning_content": "hm"}, finish_reason=None)),
    json_values,
)

WORKSPACE = workspace_from_json(
    {
        "format": "prompt-workbench/1",
        "messages": [{"role": "user", "content": "Hello"}],
        "params": {"provider": "moonshot", "model": "moonshot-v1-8k"},
    }
)


def taken(fast: bool, items: list[Any], limit: int) -> tuple[Any, ...]:
    """Everything a run shows and keeps after taking ``items`` as streamed chunks."""
    moonshot = preset("moonshot")
    assert moonshot is not None
    run = Run(
        build_request(WORKSPACE, replace(moonshot, base_url="http://127.0.0.1:9")),
        KEY,
        max_answer_chars=limit,
    )
    queue = RunQueue()
    take = run._take_chunk if fast else run._take_any_chunk
    failure = None
    for item in items:
        try:
            take(item, queue, "delta")
        except Exception as error:  # the run ends here, with this message
            failure = (type(error), str(error))
            break
    run._flush_filters(queue)

    async def drain() -> list[RunEvent]:
        return [await queue.next_event() for _ in range(queue.qsize())]

    events = asyncio.run(drain())
    result = run.result
    return (
        failure,
        events,
        run._text,
        run._reasoning,
        run._size,
        [(c.id, c.name, c.arguments, c.type) for c in run._tools.calls],
        result.usage,
        result.finish_reason,
        result.ttft_ms is None,
    )


@MANY
@given(items=st.lists(chunks, max_size=10), limit=st.sampled_from([30, 1_000_000]))
def test_the_chunk_fast_path_equals_the_general_path(items: list[Any], limit: int) -> None:
    assert taken(True, items, limit) == taken(False, items, limit)


operations = st.lists(
    st.one_of(
        st.tuples(st.just("text"), st.text(max_size=5)),
        st.tuples(st.just("reasoning"), st.text(max_size=5)),
        st.tuples(st.just("status"), st.text(max_size=5)),
        st.tuples(st.just("take"), st.just("")),
    ),
    max_size=30,
)


def merged(events: list[Any]) -> list[tuple[str, str]]:
    """Events as (kind, text), with neighbouring texts of one kind joined."""
    out: list[tuple[str, str]] = []
    for event in events:
        kind = type(event).__name__
        text = event.text
        if out and kind == out[-1][0] and kind != "Status":
            out[-1] = (kind, out[-1][1] + text)
        else:
            out.append((kind, text))
    return out


@MANY
@given(steps=operations)
def test_text_growing_in_the_queue_keeps_the_order_of_one_event_per_piece(
    steps: list[tuple[str, str]],
) -> None:
    """Put as one event per piece (the general path) or grown in the queue, taken at any time:
    the same text in the same order, around the same other events."""
    queue = RunQueue()
    one_each: list[Any] = []
    seen: list[Any] = []

    async def play() -> None:
        for step, text in steps:
            if step == "text":
                queue.put_text(TextDelta, text)
                one_each.append(TextDelta(text))
            elif step == "reasoning":
                queue.put_text(ReasoningDelta, text)
                one_each.append(ReasoningDelta(text))
            elif step == "status":
                queue.put_nowait(Status(text))
                one_each.append(Status(text))
            elif not queue.empty():
                seen.append(await queue.next_event())
        while not queue.empty():
            seen.append(await queue.next_event())

    asyncio.run(play())
    assert merged(seen) == merged(one_each)
    assert len(seen) <= len(one_each)
