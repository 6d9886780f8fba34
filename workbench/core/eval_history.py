"""Evaluations in the history database: finished cells committed as they end, baselines marked.

An evaluation is a row of ``evaluations``; each judged cell is a row of ``evaluation_rows``,
written as it ends (the window commits the cells of a quarter second together,
:meth:`EvalStore.add_rows`), so that an evaluation cut short by a crash keeps its finished cells.
The runs themselves are in the ``runs`` table (``workbench.core.history``) under the group
``eval<ID>``. One evaluation per workspace (its file, or its title when unsaved) can be the
baseline that the next evaluation is compared with.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from workbench.core import paths
from workbench.core.evaluation import EvalReport, EvalRow
from workbench.core.secrets import redact

SCHEMA = """
CREATE TABLE IF NOT EXISTS evaluations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    labels_json TEXT NOT NULL,
    cells INTEGER NOT NULL,
    duration_ms REAL,
    baseline INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS evaluation_rows (
    evaluation_id INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    row_json TEXT NOT NULL,
    PRIMARY KEY (evaluation_id, position)
);
CREATE INDEX IF NOT EXISTS evaluations_source ON evaluations (source);
"""


@dataclass(frozen=True)
class EvalEntry:
    """One stored evaluation, without its rows.

    Attributes:
        id: The row id.
        started_at: When it started (ISO 8601, UTC).
        finished_at: When it ended, None when it was cut short (a crash).
        source: The workspace it evaluated (its file path, or its title when unsaved).
        title: The workspace's title.
        labels: The variants' labels.
        cells: How many cells it had to run.
        done: How many of them finished.
        passed: How many finished cells passed.
        baseline: Whether it is its workspace's baseline.
    """

    id: int
    started_at: str
    finished_at: str | None
    source: str
    title: str
    labels: list[str]
    cells: int
    done: int
    passed: int
    baseline: bool

    @property
    def group(self) -> str:
        """The history group of its runs."""
        return group_of(self.id)


def group_of(evaluation_id: int) -> str:
    """The ``runs`` group of an evaluation's runs."""
    return f"eval{evaluation_id}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class EvalStore:
    """Stored evaluations (in the history database by default).

    Args:
        path: The database file; the history's ``history.sqlite3`` when None.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else paths.data_dir() / "history.sqlite3"
        with self._connect() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            with db:
                yield db

    def begin(self, source: str, title: str, labels: Sequence[str], cells: int) -> int:
        """Records that an evaluation starts; returns its id."""
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO evaluations (started_at, source, title, labels_json, cells) "
                "VALUES (?,?,?,?,?)",
                (_now(), source, title, json.dumps(list(labels), ensure_ascii=False), cells),
            )
            return int(cursor.lastrowid or 0)

    def add_row(self, evaluation_id: int, position: int, row: EvalRow) -> None:
        """Commits one judged cell (``position``: its place in the grid order)."""
        text = redact(json.dumps(row.to_json(), ensure_ascii=False))
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO evaluation_rows (evaluation_id, position, row_json) "
                "VALUES (?,?,?)",
                (evaluation_id, position, text),
            )

    def add_rows(self, evaluation_id: int, rows: Sequence[tuple[int, EvalRow]]) -> None:
        """Commits judged cells (``(position, row)`` pairs) in one transaction."""
        values = [
            (evaluation_id, position, redact(json.dumps(row.to_json(), ensure_ascii=False)))
            for position, row in rows
        ]
        with self._connect() as db:
            db.executemany(
                "INSERT OR REPLACE INTO evaluation_rows (evaluation_id, position, row_json) "
                "VALUES (?,?,?)",
                values,
            )

    def finish(self, evaluation_id: int, duration_ms: float) -> None:
        """Marks the evaluation as ended."""
        with self._connect() as db:
            db.execute(
                "UPDATE evaluations SET finished_at = ?, duration_ms = ? WHERE id = ?",
                (_now(), duration_ms, evaluation_id),
            )

    def report(self, evaluation_id: int) -> EvalReport:
        """The stored evaluation as a report (its finished cells); KeyError when there is none."""
        with self._connect() as db:
            head = db.execute("SELECT * FROM evaluations WHERE id = ?", (evaluation_id,)).fetchone()
            if head is None:
                raise KeyError(evaluation_id)
            rows = db.execute(
                "SELECT row_json FROM evaluation_rows WHERE evaluation_id = ? ORDER BY position",
                (evaluation_id,),
            ).fetchall()
        results = [
            EvalRow.from_json(json.loads(r["row_json"]), f"row {i}") for i, r in enumerate(rows)
        ]
        labels = json.loads(head["labels_json"])
        return EvalReport(results, list(labels), float(head["duration_ms"] or 0.0))

    def entries(self, source: str | None = None, limit: int = 200) -> list[EvalEntry]:
        """The newest evaluations (of ``source`` only, when given)."""
        where = "WHERE e.source = ?" if source is not None else ""
        query = (
            "SELECT e.*, COUNT(r.position) AS done, "
            "SUM(CASE WHEN json_extract(r.row_json, '$.pass') THEN 1 ELSE 0 END) AS passed "
            "FROM evaluations e LEFT JOIN evaluation_rows r ON r.evaluation_id = e.id "
            f"{where} GROUP BY e.id ORDER BY e.id DESC LIMIT ?"
        )
        args: tuple[object, ...] = (source, limit) if source is not None else (limit,)
        with self._connect() as db:
            rows = db.execute(query, args).fetchall()
        return [
            EvalEntry(
                id=r["id"],
                started_at=r["started_at"],
                finished_at=r["finished_at"],
                source=r["source"],
                title=r["title"],
                labels=list(json.loads(r["labels_json"])),
                cells=r["cells"],
                done=r["done"] or 0,
                passed=r["passed"] or 0,
                baseline=bool(r["baseline"]),
            )
            for r in rows
        ]

    def set_baseline(self, evaluation_id: int | None, source: str) -> None:
        """Makes ``evaluation_id`` the baseline of ``source`` (None: no baseline)."""
        with self._connect() as db:
            db.execute("UPDATE evaluations SET baseline = 0 WHERE source = ?", (source,))
            if evaluation_id is not None:
                db.execute(
                    "UPDATE evaluations SET baseline = 1 WHERE id = ? AND source = ?",
                    (evaluation_id, source),
                )

    def baseline(self, source: str) -> int | None:
        """The id of ``source``'s baseline evaluation, or None."""
        with self._connect() as db:
            row = db.execute(
                "SELECT id FROM evaluations WHERE source = ? AND baseline = 1", (source,)
            ).fetchone()
        return None if row is None else int(row["id"])

    def delete(self, evaluation_id: int) -> None:
        """Removes one evaluation and its rows."""
        with self._connect() as db:
            db.execute("DELETE FROM evaluation_rows WHERE evaluation_id = ?", (evaluation_id,))
            db.execute("DELETE FROM evaluations WHERE id = ?", (evaluation_id,))
