"""Run history: every run appended to SQLite, committed at once so a crash loses nothing.

The database lives in the data folder (``WORKBENCH_HOME/data`` or the platform's). A row keeps the
request as sent (never the key: a request does not hold one, and key-like strings are redacted
anyway), the result with its metrics, and the workspace, so a run can be reopened. Runs of one
comparison share a ``group`` id.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from workbench.core import json_files, paths
from workbench.core.payloads import ChatRequest
from workbench.core.run_types import RunResult, ToolCall, Usage
from workbench.core.secrets import redact

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    variant TEXT,
    "group" TEXT,
    request_json TEXT NOT NULL,
    result_json TEXT NOT NULL,
    workspace_json TEXT NOT NULL,
    error TEXT,
    answer TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS runs_group ON runs ("group");
"""

#: The columns search looks in (LIKE before FTS5; the same text now).
SEARCHED = ("request_json", "answer", "model", "provider", "variant", "error")

# Full-text index over the searched columns. The trigram tokenizer matches any substring of three
# characters or more, case-insensitively, as LIKE '%text%' did, but from an index: 0.6 ms instead
# of a 150 ms scan at 100,000 runs. It holds no copy of the text (content='runs'); triggers keep it
# in step with the table.
FTS_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS runs_fts USING fts5(
    request_json, answer, model, provider, variant, error,
    content='runs', content_rowid='id', tokenize='trigram'
);
CREATE TRIGGER IF NOT EXISTS runs_fts_insert AFTER INSERT ON runs BEGIN
    INSERT INTO runs_fts (rowid, request_json, answer, model, provider, variant, error)
    VALUES (new.id, new.request_json, new.answer, new.model, new.provider, new.variant, new.error);
END;
CREATE TRIGGER IF NOT EXISTS runs_fts_delete AFTER DELETE ON runs BEGIN
    INSERT INTO runs_fts (runs_fts, rowid, request_json, answer, model, provider, variant, error)
    VALUES ('delete', old.id, old.request_json, old.answer, old.model, old.provider, old.variant,
            old.error);
END;
CREATE TRIGGER IF NOT EXISTS runs_fts_update AFTER UPDATE ON runs BEGIN
    INSERT INTO runs_fts (runs_fts, rowid, request_json, answer, model, provider, variant, error)
    VALUES ('delete', old.id, old.request_json, old.answer, old.model, old.provider, old.variant,
            old.error);
    INSERT INTO runs_fts (rowid, request_json, answer, model, provider, variant, error)
    VALUES (new.id, new.request_json, new.answer, new.model, new.provider, new.variant, new.error);
END;
"""

#: ``PRAGMA user_version`` of a database with the full-text index (0: created before it).
FTS_VERSION = 1
#: Characters of the answer a :class:`RunSummary` carries.
PREVIEW_CHARS = 240


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded run.

    Attributes:
        id: The row id.
        started_at: When the run started, ISO 8601 in UTC.
        provider: The provider id.
        model: The model id.
        variant: The variant label, or None.
        group: The comparison the run belongs to, or None.
        request_json: The request as sent (JSON text, no key).
        result_json: The result (JSON text: RunResult.to_json() plus prefix and interrupted).
        workspace_json: The workspace when the run started (JSON text).
        error: The run's error message, or None.
    """

    id: int
    started_at: str
    provider: str
    model: str
    variant: str | None
    group: str | None
    request_json: str
    result_json: str
    workspace_json: str
    error: str | None

    def result(self) -> RunResult:
        """The recorded result as a :class:`RunResult`."""
        return result_from_json(json.loads(self.result_json))

    def request(self) -> dict[str, Any]:
        """The recorded request (``ChatRequest.to_json()``)."""
        value = json.loads(self.request_json)
        return value if isinstance(value, dict) else {}

    def workspace_data(self) -> Any:
        """The workspace's JSON, to reopen the run (``workspace_from_json``)."""
        return json.loads(self.workspace_json)


@dataclass(frozen=True)
class RunSummary:
    """What a list of runs shows of one: no request, workspace or whole answer (see ``get``).

    Attributes:
        id: The row id.
        started_at: When the run started, ISO 8601 in UTC.
        provider: The provider id.
        model: The model id.
        variant: The variant label, or None.
        group: The comparison the run belongs to, or None.
        error: The run's error message, or None.
        preview: The start of the answer (prefix and continuation, then the reasoning).
    """

    id: int
    started_at: str
    provider: str
    model: str
    variant: str | None
    group: str | None
    error: str | None
    preview: str


def decode_json(value: Any) -> Any:
    """A stored JSON column as an object: text is parsed (None if it is not JSON); objects pass."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def result_to_json(result: RunResult) -> dict[str, Any]:
    """A result as history and comparison files keep it: the CLI's JSON plus what restores it."""
    data = result.to_json()
    data["prefix"] = result.prefix
    data["continuation"] = result.text
    data["interrupted"] = result.interrupted
    return data


def result_from_json(data: dict[str, Any]) -> RunResult:
    """A :class:`RunResult` from :func:`result_to_json`'s object (or the CLI's ``--json`` one).

    Tolerant of what another version wrote: unknown usage fields and malformed tool calls are
    left out rather than failing the whole entry.
    """
    prefix = str(data.get("prefix") or "")
    text = data.get("continuation")
    if not isinstance(text, str):
        full = str(data.get("text") or "")
        text = full[len(prefix) :] if prefix and full.startswith(prefix) else full
    usage = data.get("usage")
    return RunResult(
        provider=str(data.get("provider") or ""),
        model=str(data.get("model") or ""),
        variant=data.get("variant"),
        prefix=prefix,
        text=text,
        reasoning=str(data.get("reasoning") or ""),
        tool_calls=[_tool_call(c) for c in data.get("tool_calls") or [] if isinstance(c, dict)],
        finish_reason=data.get("finish_reason"),
        usage=Usage(**{k: int(v) for k, v in usage.items() if k in _USAGE_FIELDS})
        if isinstance(usage, dict)
        else None,
        ttft_ms=data.get("ttft_ms"),
        duration_ms=data.get("duration_ms"),
        cost_usd=data.get("cost_usd"),
        error=data.get("error"),
        interrupted=bool(data.get("interrupted", False)),
    )


_USAGE_FIELDS = frozenset(Usage.__dataclass_fields__)


def _tool_call(data: dict[str, Any]) -> ToolCall:
    function = data.get("function")
    if not isinstance(function, dict):
        function = {}
    return ToolCall(
        id=str(data.get("id") or ""),
        name=str(function.get("name") or data.get("name") or ""),
        arguments=str(function.get("arguments") or data.get("arguments") or ""),
        type=str(data.get("type") or "function"),
    )


def _dumps(value: Any) -> str:
    # json_files.dumps: a lone surrogate (half an emoji in a prompt) cannot go into SQLite raw.
    return redact(json_files.dumps(value))


class HistoryStore:
    """The run history database.

    Each call opens its own connection, so a store may be used from a worker thread (the window
    records off the UI thread) without sharing a connection between threads.

    Args:
        path: The database file; ``history.sqlite3`` in the data folder when None.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else paths.data_dir() / "history.sqlite3"
        self._make_private()
        with self._connect() as db:
            db.executescript(SCHEMA)
            #: Whether search uses the full-text index (SQLite with FTS5 and its trigrams).
            self.indexed = _migrate(db)
        self._make_private()

    def _make_private(self) -> None:
        """The database (and its WAL files) readable by the owner only, like the settings.

        It holds every prompt and answer. Created owner-only before SQLite opens it (SQLite gives
        its journal files the database's mode); a file left readable by an older version is
        tightened. Best effort: a file system without modes keeps working.
        """
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
            for suffix in ("", "-wal", "-shm"):
                part = Path(f"{self.path}{suffix}")
                if part.exists() and part.stat().st_mode & 0o077:
                    os.chmod(part, 0o600)
        except OSError as error:
            log.warning("History file permissions not tightened: %s", error)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            db.row_factory = sqlite3.Row
            # WAL: a crash mid-write leaves the committed runs intact, and readers never block.
            db.execute("PRAGMA journal_mode=WAL")
            with db:  # one transaction, committed on leaving
                yield db

    def record(
        self,
        request: ChatRequest,
        result: RunResult,
        workspace_json: str | dict[str, Any],
        *,
        group: str | None = None,
        started_at: datetime | None = None,
    ) -> int:
        """Appends one run and commits; returns its id.

        Args:
            request: What was sent.
            result: How it ended.
            workspace_json: The workspace's JSON (text or object) when the run started.
            group: The comparison the run belongs to.
            started_at: When the run started; now minus its duration when None.
        """
        if started_at is None:
            started_at = datetime.now(UTC) - timedelta(milliseconds=result.duration_ms or 0)
        if not isinstance(workspace_json, str):
            workspace_json = json.dumps(workspace_json, ensure_ascii=False)
        workspace_json = json_files.escape_surrogates(workspace_json)
        row = (
            started_at.astimezone(UTC).isoformat(timespec="milliseconds"),
            request.provider,
            request.model,
            request.variant,
            group,
            _dumps(request.to_json()),
            _dumps(result_to_json(result)),
            redact(workspace_json),
            redact(json_files.clean_text(result.error)) if result.error else None,
            redact(json_files.clean_text(result.full_text + "\n" + result.reasoning)),
        )
        with self._connect() as db:
            cursor = db.execute(
                'INSERT INTO runs (started_at, provider, model, variant, "group", request_json, '
                "result_json, workspace_json, error, answer) VALUES (?,?,?,?,?,?,?,?,?,?)",
                row,
            )
            return int(cursor.lastrowid or 0)

    def search(self, text: str = "", limit: int = 200) -> list[HistoryEntry]:
        """The newest runs whose request, answer, model, variant or error contains ``text``."""
        return self._find("*", text, limit, _entry)

    def summaries(self, text: str = "", limit: int = 200) -> list[RunSummary]:
        """Like :meth:`search`, but only what a list shows (a run is loaded whole by ``get``)."""
        columns = (
            'id, started_at, provider, model, variant, "group", error, '
            f"substr(answer, 1, {PREVIEW_CHARS}) AS preview"
        )
        return self._find(columns, text, limit, _summary)

    def search_like(self, text: str, limit: int = 200) -> list[int]:
        """Ids of the runs :meth:`search` finds, by scanning with LIKE (the index's reference)."""
        where, arguments = _like(text)
        with self._connect() as db:
            rows = db.execute(
                f"SELECT id FROM runs WHERE {where} ORDER BY id DESC LIMIT ?", (*arguments, limit)
            ).fetchall()
        return [int(r[0]) for r in rows]

    def _find(
        self, columns: str, text: str, limit: int, make: Callable[[sqlite3.Row], _T]
    ) -> list[_T]:
        text = text.strip()
        with self._connect() as db:
            if not text:
                sql = f"SELECT {columns} FROM runs ORDER BY id DESC LIMIT ?"
                rows = db.execute(sql, (limit,)).fetchall()
            elif self.indexed and len(text) >= 3:
                # The index yields row ids newest first and stops at the limit.
                phrase = '"' + text.replace('"', '""') + '"'
                sql = (
                    f"SELECT {columns} FROM runs WHERE id IN (SELECT rowid FROM runs_fts "
                    "WHERE runs_fts MATCH ? ORDER BY rowid DESC LIMIT ?) ORDER BY id DESC"
                )
                rows = db.execute(sql, (phrase, limit)).fetchall()
            else:
                # One or two characters make no trigram: scan (LIKE), as before the index.
                where, arguments = _like(text)
                sql = f"SELECT {columns} FROM runs WHERE {where} ORDER BY id DESC LIMIT ?"
                rows = db.execute(sql, (*arguments, limit)).fetchall()
        return [make(r) for r in rows]

    def get(self, entry_id: int) -> HistoryEntry:
        """The run with ``entry_id``; KeyError when there is none."""
        with self._connect() as db:
            row = db.execute("SELECT * FROM runs WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise KeyError(entry_id)
        return _entry(row)

    def group(self, group_id: str) -> list[HistoryEntry]:
        """The runs of one comparison, in the order they were recorded."""
        with self._connect() as db:
            rows = db.execute(
                'SELECT * FROM runs WHERE "group" = ? ORDER BY id', (group_id,)
            ).fetchall()
        return [_entry(r) for r in rows]

    def delete(self, entry_id: int) -> None:
        """Removes one run."""
        with self._connect() as db:
            db.execute("DELETE FROM runs WHERE id = ?", (entry_id,))

    def count(self) -> int:
        """How many runs are recorded."""
        with self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])


_T = TypeVar("_T")


def _like(text: str) -> tuple[str, list[str]]:
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    where = " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in SEARCHED)
    return where, [pattern] * len(SEARCHED)


def _migrate(db: sqlite3.Connection) -> bool:
    """Brings a database to the current schema; returns whether the full-text index is there.

    A database from before the index (``user_version`` 0) gets it built from its rows once. A
    SQLite without FTS5 or its trigram tokenizer keeps searching by scanning.
    """
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version >= FTS_VERSION:
        return True
    try:
        db.executescript(FTS_SCHEMA)
    except sqlite3.OperationalError as error:  # no FTS5, or no trigram tokenizer (< 3.34)
        log.info("History search without a full-text index: %s", error)
        return False
    db.execute("INSERT INTO runs_fts (runs_fts) VALUES ('rebuild')")
    db.execute(f"PRAGMA user_version = {FTS_VERSION}")
    return True


def new_group_id() -> str:
    """A fresh id for the runs of one comparison."""
    return f"g{time.time_ns():x}"


def _summary(row: sqlite3.Row) -> RunSummary:
    return RunSummary(
        id=row["id"],
        started_at=row["started_at"],
        provider=row["provider"],
        model=row["model"],
        variant=row["variant"],
        group=row["group"],
        error=row["error"],
        preview=row["preview"] or "",
    )


def _entry(row: sqlite3.Row) -> HistoryEntry:
    return HistoryEntry(
        id=row["id"],
        started_at=row["started_at"],
        provider=row["provider"],
        model=row["model"],
        variant=row["variant"],
        group=row["group"],
        request_json=row["request_json"],
        result_json=row["result_json"],
        workspace_json=row["workspace_json"],
        error=row["error"],
    )
