"""The comparison core: variants, word diff, JSON answers, export, and the concurrent session."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Hashable
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from workbench.core.compare import (
    CompareSession,
    Comparison,
    apply_variant,
    asks_for_json,
    check_json,
    comparison_from_history,
    comparison_from_json,
    comparison_to_json,
    comparison_to_markdown,
    group_history,
    next_label,
    result_from_json,
    result_to_json,
    tokenize_words,
    word_diff,
)
from workbench.core.conversation import Message
from workbench.core.payloads import ChatRequest, build_request
from workbench.core.providers import Prefill, ProviderConfig, ProviderRegistry
from workbench.core.run_types import Finished, RunEvent, RunResult, Status, TextDelta, Usage
from workbench.core.sessions import ProviderLimiter, Queued, Recorded, RunEngine, RunOptions
from workbench.core.workspace import (
    Params,
    Variant,
    Workspace,
    WorkspaceError,
    message_to_json,
)


def workspace() -> Workspace:
    return Workspace(
        title="Extraction",
        messages=[
            Message("system", "You extract products."),
            Message("user", "Phone, 300 dollars"),
            Message("assistant", "{", partial=True),
        ],
        params=Params(provider="moonshot", model="moonshot-v1-128k", temperature=0.6),
    )


# Variants -----------------------------------------------------------------------------------


def test_variant_overrides_provider_model_and_params_without_touching_the_workspace() -> None:
    base = workspace()
    variant = Variant(
        "cold", provider="deepseek", model="deepseek-v4-flash", params={"temperature": 0}
    )
    sent = apply_variant(base, variant)
    assert (sent.params.provider, sent.params.model) == ("deepseek", "deepseek-v4-flash")
    assert sent.params.temperature == 0
    assert sent.params.max_tokens == 1024  # kept from the workspace
    assert base.params.temperature == 0.6 and base.params.provider == "moonshot"
    assert sent.conversation[-1].partial and sent.conversation[-1].content == "{"


def test_null_override_leaves_the_parameter_to_the_provider() -> None:
    sent = apply_variant(workspace(), Variant("v", params={"temperature": None, "top_p": 0.5}))
    assert sent.params.temperature is None
    assert sent.params.top_p == 0.5


def test_replacement_system_message_replaces_the_first_one_or_goes_first() -> None:
    base = workspace()
    sent = apply_variant(base, Variant("v", system="Be terse."))
    assert [m.content for m in sent.conversation][:2] == ["Be terse.", "Phone, 300 dollars"]
    assert base.conversation[0].content == "You extract products."

    no_system = Workspace(messages=[Message("user", "Hi")])
    sent = apply_variant(no_system, Variant("v", system="Be kind."))
    assert [(m.role, m.content) for m in sent.conversation] == [
        ("system", "Be kind."),
        ("user", "Hi"),
    ]
    emptied = apply_variant(base, Variant("v", system=""))
    assert (emptied.conversation[0].role, emptied.conversation[0].content) == ("system", "")


def test_variant_resolution_matches_the_request_the_payload_builder_sends() -> None:
    base = workspace()
    base.conversation.update(2, partial=False)
    variant = Variant("v", model="moonshot-v1-32k", params={"max_tokens": 50}, system="Hi")
    provider = ProviderRegistry().get("moonshot")
    assert provider is not None
    request = build_request(base, provider, variant)
    sent = apply_variant(base, variant)
    assert request.body["messages"] == [message_to_json(m) for m in sent.conversation]
    assert (request.model, request.body["max_completion_tokens"]) == (sent.params.model, 50)


def test_columns_measure_the_model_and_parameters_the_request_sends() -> None:
    base = workspace()
    base.conversation.update(2, partial=False)
    base.params.extra["seed"] = 7
    variant = Variant("v", model="moonshot-v1-32k", params={"model": "kimi-k2.5", "seed": None})
    provider = ProviderRegistry().get("moonshot")
    assert provider is not None

    request = build_request(base, provider, variant)
    sent = apply_variant(base, variant)

    assert request.model == sent.params.model == "moonshot-v1-32k"
    assert "seed" not in request.body and "seed" not in sent.params.extra


SYSTEM_CASES = {
    "replaces the first": [
        Message("user", "Before the system message"),
        Message("system", "You extract products."),
        Message("system", "A second one stays."),
        Message("user", "Phone, 300 dollars"),
        Message("assistant", "{", partial=True),
    ],
    "goes first": [
        Message("user", "Hi"),
        Message("tool", "42"),  # answers nothing: its problem names the shifted card
        Message("user", ""),
        Message(  # an image the model cannot read: the finding names the shifted card
            "user",
            "",
            extra={"content_parts": [{"type": "image_url", "image_url": {"url": "data:,"}}]},
        ),
    ],
    "replaces an empty one with images": [
        Message("system", "", extra={"content_parts": [{"type": "text", "text": "x"}]}),
        Message("user", "   "),
    ],
    "empty conversation": [],
}


@pytest.mark.parametrize("system", ["Be terse.", ""], ids=["text", "empty"])
@pytest.mark.parametrize("cards", list(SYSTEM_CASES.values()), ids=list(SYSTEM_CASES))
def test_a_column_with_its_own_system_message_checks_what_it_sends_without_copies(
    cards: list[Message], system: str
) -> None:
    from workbench.core.conversation import SystemReplaced
    from workbench.core.payloads import lint, request_problems, variant_messages, variant_view

    base = Workspace(messages=cards, params=Params(provider="moonshot", model="moonshot-v1-8k"))
    variant = Variant("own", model="moonshot-v1-8k", params={"temperature": 3}, system=system)
    provider = ProviderRegistry().get("moonshot")
    assert provider is not None

    view = variant_view(base, variant)
    copied = apply_variant(base, variant)

    assert isinstance(view.conversation, SystemReplaced)
    assert view.conversation.base is base.conversation  # the cards shared, not copied
    sent = [message_to_json(m) for m in variant_messages(base, variant)]
    assert [message_to_json(m) for m in view.conversation] == sent
    assert [message_to_json(view.conversation[i]) for i in range(-len(sent), len(sent))] == (
        sent + sent
    )
    assert request_problems(view, provider) == request_problems(copied, provider)

    def findings(found: list[Any]) -> list[tuple[str, str, str]]:
        return [(f.rule, f.place, f.message) for f in found]

    assert findings(lint(base, provider, variant)) == findings(lint(copied, provider))
    with pytest.raises(TypeError, match="read-only"):
        view.conversation.append(Message("user", "no"))


def test_a_column_with_its_own_system_message_follows_a_keystroke_reading_one_card() -> None:
    from workbench.core.payloads import variant_view
    from workbench.core.variables import variable_cards

    base = Workspace(
        messages=[Message("system", "Old {{x}}")]
        + [Message("user", f"card {i}") for i in range(200)]
    )
    variables = variable_cards(base.conversation)
    computed = variables.computed
    base.conversation.update(7, content="card {{y}}")

    view = variant_view(base, Variant("own", system="New {{z}}"))

    assert variable_cards(view.conversation).items() == [(0, ("z",)), (7, ("y",))]
    assert variables.computed == computed + 1  # the edited card; the replacement apart


def test_bad_override_is_reported_with_the_variant_label() -> None:
    with pytest.raises(WorkspaceError, match="cold"):
        apply_variant(workspace(), Variant("cold", params={"max_tokens": "many"}))


def test_next_label_avoids_existing_labels() -> None:
    assert next_label(["A"], "B") == "B"
    assert next_label(["K2", "K2 2"], "K2") == "K2 3"
    assert next_label(["K2 2"], "K2 2") == "K2 3"


# Word diff ----------------------------------------------------------------------------------


def test_tokens_join_back_to_the_text() -> None:
    text = "Hello,  world!\n\tA {json: 1}"
    assert "".join(tokenize_words(text)) == text
    assert tokenize_words("a, b") == ["a", ",", " ", "b"]


def test_diff_marks_the_changed_words_on_both_sides() -> None:
    a = "The quick brown fox jumps"
    b = "The slow brown fox leaps high"
    diff = word_diff(a, b)
    assert [a[s.start : s.end] for s in diff.left] == ["quick", "jumps"]
    assert [b[s.start : s.end] for s in diff.right] == ["slow", "leaps high"]
    assert {s.kind for s in diff.left} == {"replace"}
    assert 0 < diff.ratio < 1


def test_diff_of_pure_insertion_and_deletion() -> None:
    diff = word_diff("one two three", "one two and a half three")
    assert diff.left == ()
    assert [("one two and a half three"[s.start : s.end], s.kind) for s in diff.right] == [
        ("and a half ", "insert")
    ]
    back = word_diff("one two and a half three", "one two three")
    assert [s.kind for s in back.left] == ["delete"] and back.right == ()


def test_identical_and_whitespace_only_changes_are_not_differences() -> None:
    assert word_diff("same text", "same text").identical
    assert word_diff("same text", "same\n  text").identical
    assert word_diff("same text", "same text").ratio == 1


def test_diff_punctuation_is_its_own_word() -> None:
    a, b = "yes, indeed", "yes; indeed"
    diff = word_diff(a, b)
    assert [a[s.start : s.end] for s in diff.left] == [","]
    assert [b[s.start : s.end] for s in diff.right] == [";"]


def test_diff_of_long_answers_finds_the_one_changed_word() -> None:
    words = [f"w{i % 50}" for i in range(3000)]
    a = " ".join(words)
    words[1500] = "CHANGED"
    b = " ".join(words)
    diff = word_diff(a, b)
    assert [b[s.start : s.end] for s in diff.right] == ["CHANGED"]


# JSON answers -------------------------------------------------------------------------------


def test_prefix_plus_continuation_is_checked_and_formatted() -> None:
    check = check_json("{" + '"name": "Phone", "price": 300}')
    assert check.looks_like_json and check.valid
    assert json.loads(check.formatted) == {"name": "Phone", "price": 300}
    assert check.formatted.startswith('{\n  "name"')


def test_invalid_json_reports_line_and_column() -> None:
    check = check_json('{\n  "name": "Phone",\n  "price": }', expected=True)
    assert check.looks_like_json and not check.valid
    assert (check.line, check.column) == (3, 12)
    assert check.error is not None and "line 3" in check.error


def test_prose_is_not_judged_as_json_and_fences_are_read() -> None:
    assert not check_json("Sure! Here it is.").looks_like_json
    fenced = check_json('```json\n{"a": [1, 2]}\n```')
    assert fenced.valid and json.loads(fenced.formatted) == {"a": [1, 2]}


def test_prose_starting_with_a_bracket_is_not_claimed_as_invalid_json() -> None:
    for prose in ("[Note] the answer is 42.", "{Aside} it depends.", "[1] Smith, 2020"):
        check = check_json(prose)
        assert not check.looks_like_json and not check.valid and check.error is None
    # Asked for JSON (response_format, a "{" prefix), the same text is invalid JSON.
    asked = check_json("[Note] the answer is 42.", expected=True)
    assert asked.looks_like_json and not asked.valid and asked.error is not None
    # A fence that says json is a claim of its own.
    assert check_json('```json\n{"a": }\n```').looks_like_json
    assert not check_json("```\n[Note] plain\n```").looks_like_json
    # Text that parses is judged whatever was asked.
    assert check_json("[1, 2]").valid


def test_a_run_asks_for_json_by_response_format_or_a_json_prefix() -> None:
    assert not asks_for_json(Params())
    assert asks_for_json(Params(response_format="json_object"))
    schema = {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}}
    assert asks_for_json(Params(extra={"response_format": schema}))
    assert asks_for_json(Params(), prefix="{")
    assert not asks_for_json(Params(), prefix="Dear")


# Export -------------------------------------------------------------------------------------


def finished_comparison() -> Comparison:
    base = workspace()
    variants = [Variant("K2", model="moonshot-v1-128k"), Variant("Broken", model="nope")]
    comparison = Comparison.of(base, variants)
    comparison.entries[0].result = RunResult(
        provider="moonshot",
        model="moonshot-v1-128k",
        variant="K2",
        prefix="{",
        text='"name": "Phone"}',
        finish_reason="stop",
        usage=Usage(prompt_tokens=20, completion_tokens=8, total_tokens=28),
        ttft_ms=120.0,
        duration_ms=920.0,
        cost_usd=0.000032,
    )
    comparison.entries[1].result = RunResult(
        provider="moonshot",
        model="nope",
        variant="Broken",
        error="Server error 500 after 3 retries | twice",
    )
    return comparison


def test_markdown_export_has_metrics_table_and_full_answers() -> None:
    text = comparison_to_markdown(finished_comparison())
    assert text.startswith("# Comparison: Extraction\n")
    assert "> Phone, 300 dollars" in text
    assert "| K2 | moonshot | moonshot-v1-128k | 120 ms | 920 ms | 20 | 8 |" in text
    assert "$0.000032" in text
    assert "Server error 500 after 3 retries \\| twice" in text  # a pipe does not break the table
    assert '```json\n{"name": "Phone"}\n```' in text  # prefix joined to the continuation
    assert "## Broken" in text and "**Error:**" in text


def test_json_export_round_trips() -> None:
    original = finished_comparison()
    data = json.loads(json.dumps(comparison_to_json(original)))
    assert data["format"] == "prompt-workbench/comparison-1"
    assert data["variants"][0]["result"]["text"] == '{"name": "Phone"}'
    back = comparison_from_json(data)
    assert back.group == original.group
    assert [e.variant.label for e in back.entries] == ["K2", "Broken"]
    first = back.entries[0].result
    assert first is not None and (first.prefix, first.text) == ("{", '"name": "Phone"}')
    assert first.usage == Usage(20, 8, 28, 0)
    with pytest.raises(WorkspaceError):
        comparison_from_json({"format": "prompt-workbench/1"})


def test_result_from_cli_json_splits_nothing_without_prefix() -> None:
    result = RunResult("moonshot", "m", text="hi", finish_reason="stop")
    data = result.to_json()
    assert result_from_json(data).full_text == "hi"
    assert result_from_json(result_to_json(result)) == result


# The session --------------------------------------------------------------------------------


class FakeRun:
    """A transport that streams ``chunks`` pieces, or fails, and counts how many stream at once.

    What it does is looked up by the request's model in :attr:`scripts`.
    """

    live: ClassVar[dict[str, int]] = {}
    peak: ClassVar[dict[str, int]] = {}
    scripts: ClassVar[dict[str, dict[str, Any]]] = {}

    def __init__(self, request: ChatRequest, api_key: str | None, _options: RunOptions) -> None:
        self.request = request
        self.script = FakeRun.scripts[request.model]
        self.api_key = api_key
        self._stopped = asyncio.Event()

    def stop(self) -> None:
        self._stopped.set()

    async def events(self) -> AsyncIterator[RunEvent]:
        provider = self.request.provider
        FakeRun.live[provider] = FakeRun.live.get(provider, 0) + 1
        FakeRun.peak[provider] = max(FakeRun.peak.get(provider, 0), FakeRun.live[provider])
        text = ""
        try:
            if self.script.get("fail"):
                yield Status("Retrying after a 429")
                raise RuntimeError("boom")
            if self.script.get("fail_with_key"):
                raise RuntimeError(f"the client said: bad key {self.api_key}")
            for piece in self.script.get("chunks", ["a", "b"]):
                if self._stopped.is_set():
                    break
                await asyncio.sleep(self.script.get("delay", 0.001))
                text += piece
                yield TextDelta(piece)
            yield Finished(
                RunResult(
                    provider=provider,
                    model=self.request.model,
                    text=text,
                    interrupted=self._stopped.is_set(),
                    finish_reason=None if self._stopped.is_set() else "stop",
                )
            )
        finally:
            FakeRun.live[provider] -= 1


def fake_provider(provider_id: str) -> ProviderConfig:
    return ProviderConfig(
        provider_id,
        provider_id.upper(),
        "custom",
        "http://127.0.0.1:9/v1",
        Prefill.NONE,
        "FAKE_KEY",
    )


def make_session(
    scripts: dict[str, dict[str, Any]], per_provider: int = 2, recorded: list[Any] | None = None
) -> CompareSession:
    """A session whose variants are named after their model, with providers ``p`` and ``q``."""
    FakeRun.live, FakeRun.peak, FakeRun.scripts = {}, {}, scripts
    registry = ProviderRegistry()
    registry.add(fake_provider("p"))
    registry.add(fake_provider("q"))

    async def record(
        request: ChatRequest, result: RunResult, _workspace: dict[str, Any], _group: str | None
    ) -> int:
        assert recorded is not None
        recorded.append((request.variant, result.full_text))
        return len(recorded)

    engine = RunEngine(
        registry,
        {"p": "sk-p-secret", "q": "sk-q-secret"},
        limiter=ProviderLimiter(per_provider),
        recorder=record if recorded is not None else None,
        transports={"*": FakeRun},
    )
    base = Workspace(messages=[Message("user", "Hi")], params=Params(provider="p", model="m"))
    return CompareSession(engine, base)


def variant(label: str, provider: str = "p") -> Variant:
    return Variant(label, provider=provider, model=label)


@pytest.mark.asyncio
async def test_runs_stream_to_the_callback_and_one_failure_blocks_nothing() -> None:
    recorded: list[Any] = []
    session = make_session(
        {"A": {"chunks": ["x", "y", "z"]}, "B": {"fail": True}}, recorded=recorded
    )
    events: list[tuple[Hashable, Any]] = []
    results = await session.run_all(
        [(1, variant("A")), (2, variant("B")), (3, variant("C", provider="zz"))],
        lambda key, event: events.append((key, event)),
    )
    await session.wait_idle()
    assert [r.full_text for r in results] == ["xyz", "", ""]
    assert results[1].error == "The run failed unexpectedly: boom"
    assert results[2].error is not None and results[2].error.startswith("Unknown provider 'zz'")
    assert results[2].provider == "zz"
    assert [r.variant for r in results] == ["A", "B", "C"]
    assert [e.text for k, e in events if k == 1 and isinstance(e, TextDelta)] == ["x", "y", "z"]
    finished = [k for k, e in events if isinstance(e, Finished)]
    assert sorted(finished, key=str) == [1, 2, 3]  # every column gets exactly one Finished
    assert any(isinstance(e, Status) for k, e in events if k == 2)
    # History records runs that were sent, not the one that could not be.
    assert sorted(recorded) == [("A", "xyz"), ("B", "")]
    assert [type(e) for k, e in events if k == 1][-2:] == [Finished, Recorded]


@pytest.mark.asyncio
async def test_an_unforeseen_failure_never_shows_the_key() -> None:
    session = make_session({"A": {"fail_with_key": 1}})

    (result,) = await session.run_all([(1, variant("A"))], lambda key, event: None)

    assert result.error is not None and "bad key" in result.error
    assert "sk-p-secret" not in result.error


@pytest.mark.asyncio
async def test_concurrency_is_bounded_per_provider_and_waiting_columns_say_so() -> None:
    slow = {"chunks": ["a"] * 5, "delay": 0.005}
    session = make_session(
        {**{f"p{i}": slow for i in range(5)}, **{f"q{i}": slow for i in range(2)}},
        per_provider=2,
    )
    items = [(f"p{i}", variant(f"p{i}")) for i in range(5)]
    items += [(f"q{i}", variant(f"q{i}", provider="q")) for i in range(2)]
    queued: list[Hashable] = []
    results = await session.run_all(
        items, lambda key, event: queued.append(key) if isinstance(event, Queued) else None
    )
    assert all(r.full_text == "aaaaa" for r in results)
    assert FakeRun.peak == {"p": 2, "q": 2}
    assert queued == ["p2", "p3", "p4"]


@pytest.mark.asyncio
async def test_stop_one_keeps_its_text_and_the_others_finish() -> None:
    session = make_session(
        {"slow": {"chunks": ["s"] * 200, "delay": 0.002}, "fast": {"chunks": ["f"] * 5}}
    )
    seen: list[str] = []

    def on_event(key: Hashable, event: Any) -> None:
        if key == "slow" and isinstance(event, TextDelta):
            seen.append(event.text)
            if len(seen) == 3:
                session.stop("slow")

    slow, fast = await session.run_all(
        [("slow", variant("slow")), ("fast", variant("fast", provider="q"))], on_event
    )
    assert slow.interrupted and 3 <= len(slow.text) < 200
    assert fast.full_text == "fffff" and not fast.interrupted
    assert not session.running_keys()


@pytest.mark.asyncio
async def test_stop_all_also_stops_variants_still_waiting_for_their_turn() -> None:
    session = make_session(
        {label: {"chunks": ["a"] * 500, "delay": 0.002} for label in "ABC"}, per_provider=1
    )
    finished: list[Hashable] = []
    task = asyncio.ensure_future(
        session.run_all(
            [(k, variant(k)) for k in "ABC"],
            lambda key, event: finished.append(key) if isinstance(event, Finished) else None,
        )
    )
    await asyncio.sleep(0.02)
    assert session.running_keys() == ["A", "B", "C"]
    session.stop_all()
    results = await asyncio.wait_for(task, 2)
    assert all(r.interrupted for r in results)
    assert results[1].text == "" and results[2].text == ""  # never started
    assert sorted(str(k) for k in finished) == ["A", "B", "C"]


@pytest.mark.asyncio
async def test_rerun_replaces_a_running_variant() -> None:
    session = make_session({"A": {"chunks": ["a"] * 300, "delay": 0.002}})
    finished: list[RunResult] = []

    def on_event(key: Hashable, event: Any) -> None:
        if isinstance(event, Finished):
            finished.append(event.result)

    first = session.start("A", variant("A"), on_event)
    await asyncio.sleep(0.02)
    second = session.start("A", variant("A"), on_event)
    assert (await first).interrupted
    assert (await second).text == "a" * 300
    assert [r.interrupted for r in finished] == [True, False]


@dataclass
class Entry:
    """The fields of a history entry that a comparison is rebuilt from."""

    id: int
    variant: str
    result_json: str
    workspace_json: str
    group: str = "g1"
    started_at: str = "2026-11-29T00:00:00+00:00"
    provider: str = "moonshot"
    model: str = "m"
    error: str | None = None


def test_reopening_from_history_keeps_column_order_latest_runs_and_unsent_columns() -> None:
    base = workspace()
    base.variants = [Variant("A", model="a"), Variant("B", model="b"), Variant("C", model="c")]
    source = json.dumps(base.to_json())

    def run(entry_id: int, label: str, text: str) -> Entry:
        result = RunResult("moonshot", label.lower(), variant=label, prefix="{", text=text)
        return Entry(entry_id, label, json.dumps(result_to_json(result)), source)

    # B finished first, C was never sent (no history row), A was rerun.
    entries = [run(1, "B", "b1"), run(2, "A", "a1"), run(3, "A", "a2")]
    comparison = comparison_from_history(entries)
    assert [e.variant.label for e in comparison.entries] == ["A", "B", "C"]
    assert [e.result.full_text if e.result else None for e in comparison.entries] == [
        "{a2",
        "{b1",
        None,
    ]
    assert comparison.entries[0].history_id == 3
    assert comparison.entries[1].variant.model == "b"
    assert comparison.title == "Extraction" and comparison.group == "g1"
    assert comparison.messages[-1] == {"role": "assistant", "content": "{", "partial": True}
    with pytest.raises(ValueError):
        comparison_from_history([])


def test_history_groups_are_listed_newest_first_with_title_and_labels() -> None:
    source = json.dumps(workspace().to_json())
    result = json.dumps(result_to_json(RunResult("moonshot", "m")))
    newest_first = [
        Entry(5, "B", result, source, group="g2"),
        Entry(4, "A", result, source, group="g2"),
        Entry(3, "A", result, source, group=None),  # a single run, not a comparison
        Entry(2, "Y", result, source, group="g1"),
        Entry(1, "X", result, source, group="g1"),
    ]
    found = group_history(newest_first)
    assert [(p.group, p.title, p.labels) for p in found] == [
        ("g2", "Extraction", ("A", "B")),
        ("g1", "Extraction", ("X", "Y")),
    ]
