"""The evaluation grid: a row per case, a column per variant (and repeat), cells that stream.

Cells go queued → streaming → pass/fail/error as the engine reports; updates are collected and
shown at most every :data:`FLUSH_MS` milliseconds, so 800 streaming cells cost the UI thread a
few repaints a second, not one per chunk. With a baseline, each finished cell also shows what
changed against it, and the grid can show only the rows that changed.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush

from workbench.core.evaluation import CellChange, CellKey, EvalRow
from workbench.core.figures import money
from workbench.core.sessions import Queued
from workbench.ui.common.i18n import number, shown
from workbench.ui.common.palette import colours

FLUSH_MS = 50
#: Finished cells shown in one pass of the event loop, at most (the rest wait for the next)...
APPLY_MAX_CELLS = 32
#: ...and for at most this long, so that a burst of finished cells never stalls the UI.
APPLY_BUDGET_MS = 8.0
_Index = QModelIndex | QPersistentModelIndex
#: The palette colour (``workbench.ui.common.palette``) of a cell, by status.
CELL_COLOURS = {
    "pass": "eval_pass",
    "fail": "eval_fail",
    "error": "eval_error",
    "queued": "eval_queued",
}
#: A role with the cell's :class:`CellState` (for the detail dialog and tests).
STATE_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass
class CellState:
    """What one grid cell shows."""

    phase: str = "idle"  # idle, queued, streaming, done
    chars: int = 0
    row: EvalRow | None = None
    change: CellChange | None = None
    status_text: str = ""
    #: Why a queued cell waits (the engine's event), None before the engine says.
    queue: Queued | None = None

    def status(self) -> str:
        """``pass``, ``fail``, ``error``, ``queued``, ``streaming`` or ``idle``."""
        if self.row is not None:
            return self.row.status
        return self.phase


def cell_text(state: CellState) -> str:
    """The cell's two or three lines."""
    if state.row is None:
        if state.phase == "queued":
            queue = state.queue
            if queue is None:
                return QCoreApplication.translate("EvalGrid", "queued")
            return QCoreApplication.translate(
                "EvalGrid", "queued: {provider} {running} of {limit} running"
            ).format(provider=queue.provider, running=queue.running, limit=queue.limit)
        if state.phase == "streaming":
            extra = f" · {state.status_text}" if state.status_text else ""
            return QCoreApplication.translate("EvalGrid", "streaming… {chars} chars{extra}").format(
                chars=number(state.chars), extra=extra
            )
        return ""
    row = state.row
    if row.error is not None:
        lines = [
            QCoreApplication.translate("EvalGrid", "⚠ ERROR"),
            " ".join(shown(row.error).split())[:80],
        ]
    else:
        mark = (
            QCoreApplication.translate("EvalGrid", "✓ PASS")
            if row.passed
            else QCoreApplication.translate("EvalGrid", "✗ FAIL")
        )
        latency = f"{row.duration_ms:.0f} ms" if row.duration_ms is not None else "–"
        lines = [f"{mark}  {row.score:.2f}  ·  {latency}  ·  {money(row.cost_usd)}"]
        failing = [a for a in row.assertions if not a.passed]
        if failing:
            lines.append(f"{failing[0].type}: {shown(failing[0].reason)}"[:90])
    change = state.change
    if change is not None:
        notes = []
        if change.was is None:
            notes.append(QCoreApplication.translate("EvalGrid", "new"))
        elif change.newly_failing:
            notes.append(
                QCoreApplication.translate("EvalGrid", "▼ newly failing (was {was})").format(
                    was=change.was
                )
            )
        elif change.newly_passing:
            notes.append(
                QCoreApplication.translate("EvalGrid", "▲ newly passing (was {was})").format(
                    was=change.was
                )
            )
        elif change.was != change.now:
            notes.append(QCoreApplication.translate("EvalGrid", "was {was}").format(was=change.was))
        if change.text_changed and change.was is not None:
            notes.append(QCoreApplication.translate("EvalGrid", "Δ text"))
        if change.cost_delta is not None and abs(change.cost_delta) >= 0.000005:
            notes.append(
                QCoreApplication.translate("EvalGrid", "cost {delta:+.5f}").format(
                    delta=change.cost_delta
                )
            )
        if change.latency_delta is not None and abs(change.latency_delta) >= 1:
            notes.append(f"{change.latency_delta:+.0f} ms")
        if notes:
            lines.append(" · ".join(notes))
    return "\n".join(lines)


def queue_tip(queue: Queued | None) -> str:
    """A queued cell's tooltip: what it waits for."""
    if queue is None:
        return QCoreApplication.translate("EvalGrid", "Waiting for its turn to be sent.")
    return QCoreApplication.translate(
        "EvalGrid",
        "Waiting for a free slot: at most {limit} run(s) of {provider} stream at once "
        "(Settings), {ahead} queued before this one when it was queued.",
    ).format(limit=queue.limit, provider=queue.provider, ahead=queue.ahead)


T = TypeVar("T")


class TimeBoxedQueue(QObject, Generic[T]):
    """Items handled a few at a time on the UI thread: at most ``max_items`` and about
    ``budget_ms`` per pass of the event loop, the rest on the next passes, in order.

    Finished cells arrive in bursts (a stall elsewhere lets dozens end at once); handling each
    as it comes would make one long stretch of the UI thread out of the burst.

    Args:
        handle: Called with each item, on the UI thread.
        max_items: The most items handled in one pass.
        budget_ms: A pass stops taking items once it has run this long.
    """

    def __init__(
        self,
        handle: Callable[[T], None],
        parent: QObject | None = None,
        *,
        max_items: int = APPLY_MAX_CELLS,
        budget_ms: float = APPLY_BUDGET_MS,
    ) -> None:
        super().__init__(parent)
        self._handle = handle
        self.max_items = max_items
        self.budget_ms = budget_ms
        self._items: deque[T] = deque()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.handle_some)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: T) -> None:
        """Queues ``item``; a pass of the event loop soon handles it."""
        self._items.append(item)
        if not self._timer.isActive():
            self._timer.start()

    def handle_some(self) -> int:
        """Handles the next items within the pass's limits; how many."""
        deadline = time.perf_counter() + self.budget_ms / 1000
        done = 0
        items = self._items
        while items and done < self.max_items:
            self._handle(items.popleft())
            done += 1
            if time.perf_counter() >= deadline:
                break
        if items and not self._timer.isActive():
            self._timer.start()
        return done

    def handle_all(self) -> None:
        """Handles every queued item now (the evaluation ended: the report needs them all)."""
        self._timer.stop()
        while self._items:
            self._handle(self._items.popleft())

    def clear(self) -> None:
        """Drops the queued items."""
        self._timer.stop()
        self._items.clear()


class EvalGridModel(QAbstractTableModel):
    """Cells of one evaluation: ``rows`` cases × ``columns`` (variant, repeat) pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.case_labels: list[str] = []
        self.columns: list[tuple[str, int]] = []
        self._cells: dict[tuple[int, int], CellState] = {}
        self._column_of: dict[tuple[str, int], int] = {}
        self._dirty: set[tuple[int, int]] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FLUSH_MS)
        self._timer.timeout.connect(self.flush)

    def setup(self, case_labels: list[str], labels: list[str], repeat: int) -> None:
        """Empties the grid for a new evaluation."""
        self.beginResetModel()
        self.case_labels = list(case_labels)
        self.columns = [(label, r) for label in labels for r in range(max(1, repeat))]
        self._column_of = {c: i for i, c in enumerate(self.columns)}
        self._cells = {}
        self._dirty.clear()
        self.endResetModel()

    def position(self, key: CellKey) -> tuple[int, int] | None:
        """The (row, column) of a cell key, None when the grid has no such cell."""
        test, label, repeat = key
        column = self._column_of.get((label, repeat))
        if column is None or not 0 <= test < len(self.case_labels):
            return None
        return (test, column)

    def state(self, key: CellKey) -> CellState:
        """The state of a cell (created on first use)."""
        where = self.position(key)
        if where is None:
            return CellState()
        return self._cells.setdefault(where, CellState())

    def state_at(self, row: int, column: int) -> CellState:
        """The state of the cell at (row, column)."""
        return self._cells.get((row, column), CellState())

    def touch(self, key: CellKey) -> None:
        """Marks a cell for the next repaint (at most every FLUSH_MS)."""
        where = self.position(key)
        if where is None:
            return
        self._dirty.add(where)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Repaints the cells that changed since the last flush."""
        if not self._dirty:
            return
        rows = [r for r, _ in self._dirty]
        columns = [c for _, c in self._dirty]
        self._dirty.clear()
        self.dataChanged.emit(
            self.index(min(rows), min(columns)), self.index(max(rows), max(columns))
        )

    def states(self) -> list[CellState]:
        """Every cell's state."""
        return list(self._cells.values())

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.case_labels)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return self.case_labels[section] if section < len(self.case_labels) else None
        if section >= len(self.columns):
            return None
        label, repeat = self.columns[section]
        repeats = sum(1 for lab, _ in self.columns if lab == label)
        return f"{label} #{repeat + 1}" if repeats > 1 else label

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        state = self._cells.get((index.row(), index.column()))
        if state is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(state)
        if role == Qt.ItemDataRole.BackgroundRole:
            name = CELL_COLOURS.get(state.status())
            return QBrush(colours().qcolor(name)) if name else None
        if role == Qt.ItemDataRole.ToolTipRole and state.phase == "queued":
            return queue_tip(state.queue)
        if role == Qt.ItemDataRole.ToolTipRole and state.row is not None:
            lines = [
                f"{'✓' if a.passed else '✗'} {a.type}: {shown(a.reason)}"
                for a in state.row.assertions
            ]
            hint = QCoreApplication.translate("EvalGrid", "Double-click for the full answer.")
            return "\n".join([*lines, hint])
        if role == STATE_ROLE:
            return state
        return None
