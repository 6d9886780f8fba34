"""Run history in SQLite: recorded per run, searchable, grouped, never holding a key."""

from __future__ import annotations

import json
import sqlite3

from workbench.core import paths
from workbench.core.history import HistoryStore, new_group_id
from workbench.core.payloads import ChatRequest
from workbench.core.run_types import RunResult, ToolCall, Usage


def request(model: str = "kimi-k2-0905-preview", variant: str | None = None) -> ChatRequest:
    return ChatRequest(
        provider="moonshot",
        kind="moonshot",
        base_url="https://api.moonshot.ai/v1",
        model=model,
        body={"model": model, "messages": [{"role": "user", "content": "Name a fruit"}]},
        prefix="{",
        variant=variant,
    )


def result(text: str = '"fruit": "mango"}', **extra: object) -> RunResult:
    values: dict[str, object] = {
        "provider": "moonshot",
        "model": "kimi-k2-0905-preview",
        "prefix": "{",
        "text": text,
        "finish_reason": "stop",
        "usage": Usage(10, 5, 15, 2),
        "ttft_ms": 120.0,
        "duration_ms": 480.0,
        "cost_usd": 0.00002,
        "tool_calls": [ToolCall("functions.add:0", "add", '{"a": 1}')],
    }
    values.update(extra)
    return RunResult(**values)  # type: ignore[arg-type]


def test_a_recorded_run_comes_back_whole() -> None:
    store = HistoryStore()
    original = result()

    entry = store.get(store.record(request(), original, {"format": "prompt-workbench/1"}))

    assert entry.provider == "moonshot"
    assert entry.model == "kimi-k2-0905-preview"
    assert entry.result() == original
    assert entry.request()["body"]["messages"][0]["content"] == "Name a fruit"
    assert entry.workspace_data() == {"format": "prompt-workbench/1"}
    assert entry.started_at.endswith("+00:00")


def test_history_lives_in_the_data_folder_and_is_committed_at_once() -> None:
    store = HistoryStore()
    store.record(request(), result(), "{}")

    # Another connection (another process after a crash) sees the row: it was committed.
    path = paths.data_dir() / "history.sqlite3"
    assert store.path == path
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1


def test_search_finds_answer_text_newest_first_and_treats_wildcards_literally() -> None:
    store = HistoryStore()
    first = store.record(request(), result("mango and 100% juice"), "{}")
    store.record(request(), result("papaya"), "{}")
    third = store.record(request(), result("a mango_tree"), "{}")

    assert [e.id for e in store.search("MANGO")] == [third, first]
    assert [e.id for e in store.search("100%")] == [first]
    assert [e.id for e in store.search("o_t")] == [third]
    assert len(store.search()) == 3
    assert len(store.search(limit=1)) == 1


def test_runs_of_one_comparison_share_a_group() -> None:
    store = HistoryStore()
    group = new_group_id()
    a = store.record(request(variant="A"), result(variant="A"), "{}", group=group)
    store.record(request(), result(), "{}")
    b = store.record(request(variant="B"), result(variant="B"), "{}", group=group)

    assert [e.id for e in store.group(group)] == [a, b]
    assert [e.variant for e in store.group(group)] == ["A", "B"]


def test_an_error_is_kept_and_searchable() -> None:
    store = HistoryStore()
    run_id = store.record(request(), result("", error="Rate limited (429)"), "{}")

    assert store.get(run_id).error == "Rate limited (429)"
    assert [e.id for e in store.search("rate limited")] == [run_id]


def test_key_like_strings_never_reach_the_database() -> None:
    store = HistoryStore()
    leaky = result("here: sk-abcdefghijklmnop", error="401 for key sk-abcdefghijklmnop")
    workspace = json.dumps({"messages": [{"role": "user", "content": "sk-abcdefghijklmnop"}]})

    store.record(request(), leaky, workspace)

    raw = (paths.data_dir() / "history.sqlite3").read_bytes()
    wal = paths.data_dir() / "history.sqlite3-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    assert b"sk-abcdefghijklmnop" not in raw
    assert store.search("sk-***")


def test_an_entry_written_by_another_version_still_opens() -> None:
    store = HistoryStore()
    entry_id = store.record(request(), result(), {})
    stored = json.loads(store.get(entry_id).result_json)
    stored["usage"]["reasoning_tokens"] = 7  # a field this version does not know
    stored["tool_calls"].append({"id": "x", "function": "not an object"})
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE runs SET result_json = ? WHERE id = ?", (json.dumps(stored), entry_id))

    restored = store.get(entry_id).result()

    assert restored.usage == Usage(10, 5, 15, 2)
    assert [c.name for c in restored.tool_calls] == ["add", ""]
