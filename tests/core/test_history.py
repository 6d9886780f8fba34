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


def _old_database(path: object) -> None:
    """A history as the app wrote it before the full-text index (no runs_fts, user_version 0)."""
    from workbench.core.history import SCHEMA

    with sqlite3.connect(str(path)) as db:
        db.executescript(SCHEMA)
        for i, (model, answer) in enumerate(
            [("kimi-k3", "a mango salsa"), ("gpt-4o", "Mangoes are ripe"), ("kimi-k3", "pears")]
        ):
            db.execute(
                'INSERT INTO runs (started_at, provider, model, variant, "group", request_json, '
                "result_json, workspace_json, error, answer) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    f"2026-01-0{i + 1}T00:00:00+00:00",
                    "moonshot",
                    model,
                    None,
                    None,
                    "{}",
                    "{}",
                    "{}",
                    None,
                    answer,
                ),
            )


def test_an_old_database_gets_the_full_text_index_and_finds_its_old_runs(tmp_path) -> None:
    path = tmp_path / "history.sqlite3"
    _old_database(path)

    store = HistoryStore(path)

    assert store.indexed
    with sqlite3.connect(str(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    assert [s.preview for s in store.summaries("MANGO")] == ["Mangoes are ripe", "a mango salsa"]
    # Opening it again neither rebuilds nor duplicates anything.
    again = HistoryStore(path)
    assert [s.id for s in again.summaries("mango")] == [2, 1]
    new = again.record(request(), result(text="mango lassi"), "{}")
    assert [s.id for s in again.summaries("mango")] == [new, 2, 1]
    again.delete(2)
    assert [s.id for s in again.summaries("mango")] == [new, 1]


def test_full_text_search_finds_what_a_like_scan_finds() -> None:
    store = HistoryStore()
    assert store.indexed
    words = ["mango", "Mango salsa", "100%", "under_score", "Zoë", "a\\b", 'say "hi"', "pear"]
    for i in range(40):
        text = " ".join(words[(i * k) % len(words)] for k in (1, 3, 5))
        store.record(
            request(model=f"model-{i % 4}", variant=f"v{i % 3}"),
            result(text=text, error="timed out" if i % 7 == 0 else None),
            "{}",
        )
    for query in [
        "mango",
        "MANGO",
        "ngo sal",
        "100%",
        "r_s",
        "a\\b",
        '"hi"',
        "model-2",
        "v1",
        "timed",
        "Name a fruit",
        "nothing like it",
        "pe",
        "%",
        "_",
    ]:
        found = [e.id for e in store.search(query)]
        assert found == store.search_like(query), query
        assert [s.id for s in store.summaries(query)] == found, query


def test_summaries_carry_the_start_of_the_answer_not_the_run() -> None:
    from workbench.core.history import PREVIEW_CHARS

    store = HistoryStore()
    run = store.record(request(), result(text="x" * 5000), {"messages": ["big"] * 100})

    (summary,) = store.summaries()

    assert summary.id == run
    assert summary.preview == ("{" + "x" * 5000)[:PREVIEW_CHARS]
    assert not hasattr(summary, "workspace_json")
