"""The Compare tab: one column per variant, streaming side by side, with metrics, diff and keeping.

Variants live in ``workspace.variants``; every edit made here goes through the window's undo
stack (:mod:`workbench.ui.compare.compare_commands`). Runs go through
:class:`~workbench.core.compare.CompareSession` on the app's run engine; this module only shows
what they stream, their place in the provider's queue and a failed history write.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import html
import itertools
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QScrollBar,
    QSizePolicy,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core import alternates, tokens
from workbench.core.catalog import Capabilities, Catalog
from workbench.core.compare import (
    CompareSession,
    Comparison,
    ComparisonEntry,
    DiffSpan,
    Preflight,
    WordDiff,
    check_json,
    comparison_from_history,
    comparison_to_json,
    comparison_to_markdown,
    group_history,
    next_label,
    preflight,
    word_diff,
)
from workbench.core.conversation import Message
from workbench.core.figures import result_metrics
from workbench.core.history import HistoryEntry
from workbench.core.lint import thinking_choices
from workbench.core.payloads import effective_params, lint, request_problems, sent_tools
from workbench.core.recommend import reserved_output
from workbench.core.run_types import (
    Finished,
    ReasoningDelta,
    RunResult,
    Status,
    TextDelta,
    ToolCallDelta,
)
from workbench.core.sessions import EngineEvent, NotRecorded, Queued, Started
from workbench.core.tokens import TokenCounter
from workbench.core.workspace import (
    KNOWN_PARAMS,
    MAX_VARIANTS,
    MIN_VARIANTS,
    ListEdit,
    Variant,
    Workspace,
    WorkspaceError,
    write_atomic,
)
from workbench.ui.common import dialogs
from workbench.ui.common.background import BackgroundTasks
from workbench.ui.common.history_worker import HistoryWorker
from workbench.ui.common.palette import ThemedStyleSheet, colours, error_text
from workbench.ui.common.undo import EditMessage, InsertMessage, SetParam
from workbench.ui.common.widgets import named
from workbench.ui.compare.compare_commands import (
    AddVariant,
    EditVariant,
    MoveVariant,
    RemoveVariant,
    ReplaceVariants,
)

if TYPE_CHECKING:
    from workbench.ui.context import AppContext, Shell

log = logging.getLogger(__name__)

#: Streamed text is added to a column in batches at most this often: a repaint per batch, not
#: per chunk.
FLUSH_INTERVAL_MS = 30
#: The drawing timer's tick. Each tick draws one column (the one waiting longest), so that with
#: eight columns streaming no single tick holds the UI thread for eight relayouts.
FLUSH_TICK_MS = 8
FLUSH_BATCH_S = FLUSH_INTERVAL_MS / 1000
FLUSH_COST_FACTOR = 5
#: The preflight (fit, cost, prefill) is recomputed this long after the last edit.
PREFLIGHT_DELAY_MS = 250
#: How often the columns ask again for token counts while the tokenizer is loading.
TOKENS_RETRY_MS = 1000
_INHERIT = "inherit"


def _named_after_model(variant: Variant) -> bool:
    """Whether ``variant``'s label is the one the app gave it: its model, maybe numbered."""
    model = variant.model or ""
    return bool(model) and re.fullmatch(re.escape(model) + r"( \d+)?", variant.label) is not None


@dataclass
class CompareServices:
    """What the compare view needs from the rest of the app.

    Attributes:
        catalog: Models offered per provider, windows and prices.
        providers: The providers to choose from, as (id, display name, kind).
        make_session: A :class:`CompareSession` for a workspace, on the app's run engine.
        preflight: Checks one variant before running (fit, cost, prefill).
        history: Where comparisons are reopened from (the app's history worker), or None to
            keep no history.
        tokens_ready: Whether token counts are available yet; while not, the view checks again
            every second.
    """

    catalog: Callable[[], Catalog]
    providers: Callable[[], Sequence[tuple[str, str, str]]]
    make_session: Callable[[Workspace], CompareSession]
    preflight: Callable[[Workspace, Variant], Preflight]
    history: HistoryWorker | None = None
    tokens_ready: Callable[[], bool] | None = None


# A column -----------------------------------------------------------------------------------


class ComparePane(QFrame):
    """One variant's column: its settings, its streamed answer and its metrics.

    Signals:
        variant_edited(name, value): the user changed a field (``label``, ``provider``, ``model``,
            ``system``, ``params.temperature``).
        run_requested(), stop_requested(), duplicate_requested(), remove_requested(),
        use_requested(): the column's buttons.
        move_requested(delta): move the column left (-1) or right (+1).
        view_changed(): the text shown changed mode (raw, markdown, formatted JSON).
    """

    variant_edited = Signal(str, object)
    run_requested = Signal()
    stop_requested = Signal()
    duplicate_requested = Signal()
    remove_requested = Signal()
    use_requested = Signal()
    move_requested = Signal(int)
    view_changed = Signal()

    def __init__(self, key: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "comparePane")
        self.key = key
        self.variant: Variant | None = None
        self.result: RunResult | None = None
        self.running = False
        self._pending: list[str] = []
        self._end: QTextCursor | None = None
        #: When the column last drew streamed text (monotonic seconds).
        self.flushed_at = 0.0
        #: How long the last batch took to draw (seconds).
        self.flush_cost = 0.0
        self._status = ""
        self._queued = False
        #: Why the last run is not in the history (a failed write), or None.
        self.history_error: str | None = None
        self._reasoning_chars = 0
        self._pending_reasoning: list[str] = []
        self._tool_calls = 0
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(300)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self.label_edit = QLineEdit()
        named(self.label_edit, "variantLabelEdit")
        self.label_edit.setToolTip("The variant's label")
        self.left_button = self._tool("◀", "moveVariantLeftButton", "Move this column left")
        self.right_button = self._tool("▶", "moveVariantRightButton", "Move this column right")
        self.duplicate_button = self._tool("Copy", "duplicateVariantButton", "Duplicate variant")
        self.remove_button = self._tool("✕", "removeVariantButton", "Remove this variant")
        header = QHBoxLayout()
        header.addWidget(self.label_edit, 1)
        for button in (
            self.left_button,
            self.right_button,
            self.duplicate_button,
            self.remove_button,
        ):
            header.addWidget(button)

        self.provider_selector = QComboBox()
        named(self.provider_selector, "variantProviderSelector")
        self.model_selector = QComboBox()
        named(self.model_selector, "variantModelSelector")
        self.model_selector.setEditable(True)
        self.model_selector.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.temperature_spin = QDoubleSpinBox()
        named(self.temperature_spin, "variantTemperatureSpin")
        self.temperature_spin.setDecimals(2)
        self.temperature_spin.setSingleStep(0.1)
        # One step below 0 stands for "inherit": the workspace's temperature is sent.
        self.temperature_spin.setRange(-0.1, 2.0)
        self.temperature_spin.setSpecialValueText(_INHERIT)
        self.temperature_spin.setKeyboardTracking(False)
        self.thinking_selector = QComboBox()
        named(self.thinking_selector, "variantThinkingSelector")
        self.thinking_selector.setToolTip("This column's thinking (the model's own control)")
        self._thinking: list[tuple[str, dict[str, Any]]] = []
        self.system_toggle = QCheckBox("Own system message")
        named(self.system_toggle, "variantSystemToggle")
        self.system_edit = QPlainTextEdit()
        named(self.system_edit, "variantSystemEdit")
        self.system_edit.setPlaceholderText("Replaces the workspace's system message")
        self.system_edit.setMaximumHeight(70)
        self.system_edit.hide()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Provider", self.provider_selector)
        form.addRow("Model", self.model_selector)
        form.addRow("Temperature", self.temperature_spin)
        form.addRow("Thinking", self.thinking_selector)
        self._form = form

        self.fit_label = QLabel()
        self._fit_error = error_text(self.fit_label, on=False)
        named(self.fit_label, "paneFit")
        self.fit_label.setWordWrap(True)
        self.problem_label = QLabel()
        named(self.problem_label, "paneProblem")
        self.problem_label.setWordWrap(True)
        error_text(self.problem_label)
        self.problem_label.hide()
        self.warning_label = QLabel()
        named(self.warning_label, "paneWarning")
        self.warning_label.setWordWrap(True)
        self.warning_label.hide()
        self.fix_button = QPushButton()
        named(self.fix_button, "paneFixButton")
        self.fix_button.hide()
        self._fix: dict[str, Any] = {}

        self.run_button = QPushButton("Run")
        named(self.run_button, "runPaneButton")
        self.run_button.setToolTip("Run (or rerun) this variant alone")
        self.stop_button = QPushButton("Stop")
        named(self.stop_button, "stopPaneButton")
        self.stop_button.setEnabled(False)
        self.use_button = QPushButton("Use this answer")
        named(self.use_button, "useAnswerButton")
        self.use_button.setToolTip("Add this answer to the conversation as an assistant message")
        self.use_button.setEnabled(False)
        buttons = QHBoxLayout()
        for widget in (self.run_button, self.stop_button, self.use_button):
            # As wide as their text: three buttons fit the narrowest column.
            widget.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            buttons.addWidget(widget)
        buttons.addStretch(1)

        self.json_badge = QLabel()
        self._json_valid = False
        self._json_badge_style = ThemedStyleSheet(
            self.json_badge,
            lambda c: f"color: {c.success if self._json_valid else c.error}; font-weight: bold;",
        )
        named(self.json_badge, "paneJsonBadge")
        self.json_badge.hide()
        self.markdown_toggle = QCheckBox("Markdown")
        named(self.markdown_toggle, "markdownToggle")
        self.markdown_toggle.setToolTip("Show the answer rendered as Markdown")
        self.json_toggle = QCheckBox("Pretty JSON")
        named(self.json_toggle, "jsonFormatToggle")
        self.json_toggle.setEnabled(False)
        view_row = QHBoxLayout()
        view_row.addWidget(self.json_badge)
        view_row.addStretch(1)
        view_row.addWidget(self.markdown_toggle)
        view_row.addWidget(self.json_toggle)

        self.text = QTextEdit()
        named(self.text, "paneText")
        self.text.setReadOnly(True)
        self.text.setAcceptRichText(False)
        self.text.setPlaceholderText("The answer streams here.")
        self.reasoning = QPlainTextEdit()
        named(self.reasoning, "paneReasoning")
        self.reasoning.setReadOnly(True)
        self.reasoning.setMaximumHeight(90)
        self.reasoning.setToolTip("The model's reasoning, shown apart from the answer")
        self.reasoning.hide()
        self.metrics = QLabel("Not run yet.")
        named(self.metrics, "paneMetrics")
        self.metrics.setWordWrap(True)
        self.metrics.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(header)
        layout.addLayout(form)
        layout.addWidget(self.system_toggle)
        layout.addWidget(self.system_edit)
        layout.addWidget(self.fit_label)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.fix_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(buttons)
        layout.addLayout(view_row)
        layout.addWidget(self.reasoning)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.metrics)
        self._connect()

    def _tool(self, text: str, name: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        named(button, name)
        button.setToolTip(tip)
        return button

    def _connect(self) -> None:
        self.label_edit.editingFinished.connect(self._label_edited)
        self.provider_selector.activated.connect(
            lambda _i: self.variant_edited.emit("provider", self.provider_selector.currentData())
        )
        self.model_selector.activated.connect(lambda _i: self._model_edited())
        if line := self.model_selector.lineEdit():
            line.editingFinished.connect(self._model_edited)
        self.temperature_spin.valueChanged.connect(self._temperature_edited)
        self.system_toggle.toggled.connect(self._system_toggled)
        self.system_edit.textChanged.connect(self._system_edited)
        self.thinking_selector.activated.connect(self._thinking_chosen)
        self.fix_button.clicked.connect(self._apply_fix)
        self.left_button.clicked.connect(lambda: self.move_requested.emit(-1))
        self.right_button.clicked.connect(lambda: self.move_requested.emit(1))
        self.duplicate_button.clicked.connect(self.duplicate_requested)
        self.remove_button.clicked.connect(self.remove_requested)
        self.run_button.clicked.connect(self.run_requested)
        self.stop_button.clicked.connect(self.stop_requested)
        self.use_button.clicked.connect(self.use_requested)
        self.markdown_toggle.toggled.connect(self._view_toggled)
        self.json_toggle.toggled.connect(self._view_toggled)

    # Editing the variant ---------------------------------------------------------------------

    def _label_edited(self) -> None:
        text = self.label_edit.text().strip()
        if self.variant is not None and text and text != self.variant.label:
            self.variant_edited.emit("label", text)
        elif self.variant is not None:
            self.label_edit.setText(self.variant.label)

    def _model_edited(self) -> None:
        text = self.model_selector.currentText().strip()
        if self.variant is not None and text and text != (self.variant.model or ""):
            self.variant_edited.emit("model", text)

    def _temperature_edited(self, value: float) -> None:
        inherit = value <= self.temperature_spin.minimum() + 1e-9
        self.variant_edited.emit("params.temperature", None if inherit else round(value, 2))

    def _system_toggled(self, on: bool) -> None:
        self.system_edit.setVisible(on)
        if self.variant is None or on == (self.variant.system is not None):
            return
        self.variant_edited.emit("system", self.system_edit.toPlainText() if on else None)

    def _system_edited(self) -> None:
        if self.variant is not None and self.system_toggle.isChecked():
            text = self.system_edit.toPlainText()
            if text != self.variant.system:
                self.variant_edited.emit("system", text)

    def show_variant(
        self,
        variant: Variant,
        providers: Sequence[tuple[str, str, str]],
        models: Sequence[str],
        provider_id: str,
        model_id: str,
    ) -> None:
        """Shows ``variant`` (and what it inherits) without announcing edits."""
        self.variant = variant
        widgets = (
            self.label_edit,
            self.provider_selector,
            self.model_selector,
            self.temperature_spin,
            self.system_toggle,
            self.system_edit,
        )
        blockers = [QSignalBlocker(w) for w in widgets]
        if not self.label_edit.hasFocus():
            self.label_edit.setText(variant.label)
        self.provider_selector.clear()
        for pid, name, _kind in providers:
            self.provider_selector.addItem(name, pid)
        index = self.provider_selector.findData(provider_id)
        if index < 0:
            self.provider_selector.addItem(provider_id, provider_id)
            index = self.provider_selector.count() - 1
        self.provider_selector.setCurrentIndex(index)
        if not self.model_selector.hasFocus():
            self.model_selector.clear()
            self.model_selector.addItems(list(models))
            self.model_selector.setCurrentText(model_id)
        temperature = variant.params.get("temperature")
        spin = self.temperature_spin
        spin.setValue(
            spin.minimum() if not isinstance(temperature, int | float) else float(temperature)
        )
        self.system_toggle.setChecked(variant.system is not None)
        self.system_edit.setVisible(variant.system is not None)
        if variant.system is not None and self.system_edit.toPlainText() != variant.system:
            self.system_edit.setPlainText(variant.system)
        del blockers

    def set_position(self, index: int, count: int) -> None:
        """Enables the move/remove buttons for column ``index`` of ``count``."""
        self.left_button.setEnabled(index > 0)
        self.right_button.setEnabled(index < count - 1)
        self.duplicate_button.setEnabled(count < MAX_VARIANTS)

    def show_preflight(self, check: Preflight) -> None:
        """Shows whether the conversation fits the model, its cost, what stops sending, what
        may be refused, and the one-click fix; the thinking control follows the model."""
        self.fit_label.setText(check.summary())
        self._fit_error.set(check.fits is False)
        self.problem_label.setText("\n".join(check.problems))
        self.problem_label.setVisible(bool(check.problems))
        self.warning_label.setText("\n".join(f"⚠ {w}" for w in check.warnings))
        self.warning_label.setVisible(bool(check.warnings))
        self._fix = dict(check.fix[1]) if check.fix is not None else {}
        self.fix_button.setText(check.fix[0] if check.fix is not None else "")
        self.fix_button.setVisible(check.fix is not None)
        self._show_thinking(check.model.capabilities if check.model is not None else None)

    def _show_thinking(self, capabilities: Capabilities | None) -> None:
        choices = thinking_choices(capabilities)
        with QSignalBlocker(self.thinking_selector):
            if [c[0] for c in choices] != [c[0] for c in self._thinking]:
                self.thinking_selector.clear()
                self.thinking_selector.addItems([label for label, _c in choices])
            self._thinking = choices
            params = self.variant.params if self.variant is not None else {}
            current = {k: params.get(k) for k in ("thinking", "reasoning_effort")}
            index = next((i for i, (_l, c) in enumerate(choices) if c == current), 0)
            self.thinking_selector.setCurrentIndex(index)
        self._form.setRowVisible(self.thinking_selector, bool(choices))

    def _thinking_chosen(self, index: int) -> None:
        if 0 <= index < len(self._thinking):
            for name, value in self._thinking[index][1].items():
                if self.variant is not None and self.variant.params.get(name) != value:
                    self.variant_edited.emit(f"params.{name}", value)

    def _apply_fix(self) -> None:
        for name, value in self._fix.items():
            self.variant_edited.emit(name, value)

    # Streaming -------------------------------------------------------------------------------

    def begin_run(self, prefix: str) -> None:
        """Clears the column for a new run; ``prefix`` is the partial prefix the answer extends."""
        self.result = None
        self.running = True
        self.history_error = None
        self._queued = False
        self._pending.clear()
        self._status = ""
        self._reasoning_chars = 0
        self._pending_reasoning.clear()
        self._tool_calls = 0
        self.reasoning.clear()
        self.reasoning.hide()
        self.text.setExtraSelections([])
        with QSignalBlocker(self.markdown_toggle), QSignalBlocker(self.json_toggle):
            self.markdown_toggle.setChecked(False)
            self.json_toggle.setChecked(False)
        self.text.setPlainText(prefix)
        self._end = None
        self.json_badge.hide()
        self.json_toggle.setEnabled(False)
        self.use_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.run_button.setText("Rerun")
        self.metrics.setText("Waiting…")
        self.metrics.setStyleSheet("")

    def on_event(self, event: EngineEvent) -> None:
        """Takes one event of the run; text waits for the next :meth:`flush`."""
        if isinstance(event, Queued):
            self._queued = True
            self._status = (
                f"Queued: {event.limit} run(s) of {event.provider} are streaming "
                f"(at most {event.limit} at once)…"
            )
        elif isinstance(event, Started):
            if self._queued:
                self._status = "Waiting…"
        elif isinstance(event, NotRecorded):
            self.not_recorded(event.message)
        elif isinstance(event, TextDelta):
            self._pending.append(event.text)
        elif isinstance(event, ReasoningDelta):
            self._reasoning_chars += len(event.text)
            self._pending_reasoning.append(event.text)
            self._status = f"Thinking… ({self._reasoning_chars:,} characters of reasoning)"
        elif isinstance(event, ToolCallDelta):
            self._tool_calls = max(self._tool_calls, event.index + 1)
            self._status = f"Calling {event.call.name or 'a tool'}…"
        elif isinstance(event, Status):
            self._status = event.text
        elif isinstance(event, Finished):
            self.finish(event.result)

    def has_pending(self) -> bool:
        """Whether streamed text waits to be shown."""
        return bool(self._pending or self._pending_reasoning) or (
            self.running and bool(self._status)
        )

    def flush(self) -> None:
        """Adds the text streamed since the last flush, keeping the view at the bottom."""
        if self._status and self.running:
            self.metrics.setText(html.escape(self._status))
            self._status = ""
        if self._pending_reasoning:
            self.reasoning.show()
            cursor = QTextCursor(self.reasoning.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText("".join(self._pending_reasoning))
            self._pending_reasoning.clear()
            bar = self.reasoning.verticalScrollBar()
            bar.setValue(bar.maximum())
        if not self._pending:
            return
        chunk = "".join(self._pending)
        self._pending.clear()
        bar = self.text.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        if self._end is None:
            self._end = QTextCursor(self.text.document())
            self._end.movePosition(QTextCursor.MoveOperation.End)
        # The cursor stays at the end as text goes in: no search for the end on every batch.
        self._end.insertText(chunk)
        if at_bottom:
            bar.setValue(bar.maximum())

    def finish(self, result: RunResult) -> None:
        """Shows how the run ended: the full answer, its metrics, its JSON badge."""
        self._pending.clear()
        self._pending_reasoning.clear()
        self._status = ""
        self.running = False
        self.result = result
        if result.reasoning and self.reasoning.toPlainText() != result.reasoning:
            self.reasoning.setPlainText(result.reasoning)
        self.reasoning.setVisible(bool(result.reasoning))
        self.stop_button.setEnabled(False)
        self.run_button.setText("Rerun")
        # Only what the model wrote counts: a failed run holds just the prefix ("{"), and
        # "using" it would turn the partial card into a finished answer of one brace.
        self.use_button.setEnabled(bool(result.text or result.tool_calls))
        self._show_answer()
        self._show_metrics(result)
        check = check_json(result.full_text)
        # A run that failed before the model wrote anything is not an invalid JSON answer.
        judged = check.looks_like_json and bool(result.text or not result.error)
        self.json_badge.setVisible(judged)
        self.json_toggle.setEnabled(check.valid)
        if judged:
            text = "✓ valid JSON" if check.valid else "✗ invalid JSON"
            tip = "The answer parses as JSON." if check.valid else f"Not valid JSON: {check.error}"
            self.json_badge.setText(text)
            self.json_badge.setToolTip(tip)
            self._json_valid = check.valid
            self._json_badge_style.refresh()

    def not_recorded(self, reason: str) -> None:
        """The finished run could not be written to the history: the column says so."""
        self.history_error = reason
        if self.result is not None:
            self._show_metrics(self.result)

    def show_result(self, result: RunResult) -> None:
        """Shows a result from the history (no run)."""
        self.begin_run(result.prefix)
        self.finish(result)

    def _show_metrics(self, result: RunResult) -> None:
        metrics = result_metrics(result)
        parts = [f"{name} {value}" for name, value in metrics.items() if value != "–"]
        if result.tool_calls:
            parts.append(f"{len(result.tool_calls)} tool call(s)")
        line = " · ".join(html.escape(p) for p in parts)
        if result.error:
            error = html.escape(result.error)
            line += f'<br><span style="color: {colours().error};">{error}</span>'
        elif result.interrupted:
            line += "<br>Stopped: the text received so far is kept."
        if self.history_error:
            note = f"Not saved in the history: {self.history_error}"
            line += f'<br><span style="color: {colours().error};">{html.escape(note)}</span>'
        self.metrics.setText(line or "Finished.")
        # Long error ids do not wrap: the whole message is in the tooltip too.
        self.metrics.setToolTip(result.error or "")

    # Views of the answer ---------------------------------------------------------------------

    def answer_text(self) -> str:
        """The raw answer shown in raw mode (prefix + continuation, tool calls after it)."""
        if self.result is None:
            return self.text.toPlainText()
        text = self.result.full_text
        if self.result.tool_calls:
            calls = json.dumps([c.to_json() for c in self.result.tool_calls], indent=2)
            text += ("\n\n" if text else "") + calls
        return text

    def is_raw(self) -> bool:
        """Whether the text shown is the raw answer (diff offsets only apply to it)."""
        return not self.markdown_toggle.isChecked() and not self.json_toggle.isChecked()

    def _view_toggled(self, on: bool) -> None:
        sender = self.sender()
        if on:
            other = self.json_toggle if sender is self.markdown_toggle else self.markdown_toggle
            with QSignalBlocker(other):
                other.setChecked(False)
        if not self.running:
            self._show_answer()
        self.view_changed.emit()

    def _show_answer(self) -> None:
        self._end = None  # the document is replaced: a new end cursor for the next stream
        bar = self.text.verticalScrollBar()
        position = bar.value()
        self.text.setExtraSelections([])
        answer = self.answer_text()
        if self.markdown_toggle.isChecked():
            self.text.document().setMarkdown(answer)
        elif self.json_toggle.isChecked():
            self.text.setPlainText(check_json(answer).formatted)
        else:
            self.text.setPlainText(answer)
        bar.setValue(min(position, bar.maximum()))

    def show_raw(self) -> None:
        """Switches back to the raw answer (for highlighting a diff)."""
        if self.is_raw():
            return
        with QSignalBlocker(self.markdown_toggle), QSignalBlocker(self.json_toggle):
            self.markdown_toggle.setChecked(False)
            self.json_toggle.setChecked(False)
        self._show_answer()

    def highlight(self, spans: Sequence[DiffSpan], color: QColor) -> None:
        """Highlights ``spans`` of the raw answer."""
        selections = []
        document = self.text.document()
        length = document.characterCount() - 1
        for span in spans:
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(document)
            cursor.setPosition(min(span.start, length))
            cursor.setPosition(min(span.end, length), QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            fmt.setBackground(color)
            selection.cursor = cursor
            selection.format = fmt
            selections.append(selection)
        self.text.setExtraSelections(selections)


# The view -----------------------------------------------------------------------------------


class CompareView(QWidget):
    """The Compare tab.

    Signals:
        answer_used(text): an answer was added to the conversation.
        comparison_finished(): every column of a "Run all" has ended.
        exported(path): a comparison was written to ``path``.
        notice(text): an edit was refused (a label another column has); ``text`` says why.
    """

    answer_used = Signal(str)
    comparison_finished = Signal()
    exported = Signal(str)
    notice = Signal(str)

    def __init__(
        self,
        workspace: Workspace,
        undo_stack: QUndoStack,
        services: CompareServices,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        named(self, "compareView")
        self.workspace = workspace
        self.undo_stack = undo_stack
        self.services = services
        self.session: CompareSession | None = None
        self.group: str | None = None
        #: The cards the current comparison ran over (an answer card not among them was added
        #: by *Use this answer*: the next winner becomes its alternate).
        self._compared: set[int] = set()
        self._compared_partial: int | None = None
        self._panes: list[ComparePane] = []
        self._keys = itertools.count(1)
        self._syncing_scroll = False
        #: Diffs, exports, history reads and the comparison run (the view's background work).
        self._tasks = BackgroundTasks(self)
        self._diff_task: Future[WordDiff] | None = None
        self._run_all_task: asyncio.Task[None] | None = None
        self._build()
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_TICK_MS)
        self._flush_timer.timeout.connect(self._flush)
        self._preflight_timer = QTimer(self)
        self._preflight_timer.setSingleShot(True)
        self._preflight_timer.setInterval(PREFLIGHT_DELAY_MS)
        self._preflight_timer.timeout.connect(self.refresh_preflight)
        self._observe(workspace)
        self.sync_panes()

    # Layout ----------------------------------------------------------------------------------

    def _build(self) -> None:
        self.add_button = QPushButton("+ Add variant")
        named(self.add_button, "addVariantButton")
        self.add_button.setToolTip(f"Add a column ({MIN_VARIANTS} to {MAX_VARIANTS} variants)")
        self.run_button = QPushButton("Run all")
        named(self.run_button, "runCompareButton")
        self.stop_button = QPushButton("Stop all")
        named(self.stop_button, "stopCompareButton")
        self.stop_button.setEnabled(False)
        self.sync_toggle = QCheckBox("Sync scrolling")
        named(self.sync_toggle, "syncScrollToggle")
        self.sync_toggle.setChecked(True)
        self.diff_left = QComboBox()
        named(self.diff_left, "diffLeftSelector")
        self.diff_right = QComboBox()
        named(self.diff_right, "diffRightSelector")
        self.diff_toggle = QPushButton("Diff")
        named(self.diff_toggle, "diffToggle")
        self.diff_toggle.setCheckable(True)
        self.diff_toggle.setToolTip("Highlight the words that differ between the two columns")
        self.diff_summary = QLabel()
        named(self.diff_summary, "diffSummary")
        self.diff_summary.setWordWrap(True)
        self.history_button = QToolButton()
        self.history_button.setText("Past comparisons")
        named(self.history_button, "compareHistoryButton")
        self.history_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.history_menu = QMenu(self.history_button)
        self.history_button.setMenu(self.history_menu)
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        named(self.export_button, "exportCompareButton")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        export_menu = QMenu(self.export_button)
        self.export_markdown_action = export_menu.addAction(
            "As Markdown…", lambda: self.export("markdown")
        )
        self.export_json_action = export_menu.addAction("As JSON…", lambda: self.export("json"))
        self.export_button.setMenu(export_menu)

        # Two rows: in one, the bar alone was wider than a 1024-pixel window could hold beside the
        # side panel, and the whole window refused to shrink below 1,275 pixels.
        bar = QHBoxLayout()
        for widget in (self.add_button, self.run_button, self.stop_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.history_button)
        bar.addWidget(self.export_button)
        reading_bar = QHBoxLayout()
        reading_bar.addWidget(self.sync_toggle)
        reading_bar.addSpacing(12)
        reading_bar.addWidget(self.diff_left)
        reading_bar.addWidget(QLabel("vs"))
        reading_bar.addWidget(self.diff_right)
        reading_bar.addWidget(self.diff_toggle)
        reading_bar.addWidget(self.diff_summary, 1)

        self.hint = QLabel()
        named(self.hint, "compareHint")
        self.hint.setWordWrap(True)
        self.columns = QWidget()
        self.columns_layout = QHBoxLayout(self.columns)
        self.columns_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.columns)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area = scroll

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addLayout(reading_bar)
        layout.addWidget(self.hint)
        layout.addWidget(scroll, 1)

        self.add_button.clicked.connect(self.add_variant)
        self.run_button.clicked.connect(self.run_all)
        self.stop_button.clicked.connect(self.stop_all)
        self.diff_toggle.toggled.connect(lambda _on: self.update_diff())
        self.diff_left.activated.connect(lambda _i: self.update_diff())
        self.diff_right.activated.connect(lambda _i: self.update_diff())
        self.history_menu.aboutToShow.connect(self._fill_history_menu)

    def _observe(self, workspace: Workspace) -> None:
        # Columns follow the variants; what they inherit follows the parameters; their fit and
        # cost (the preflight, debounced) follow everything that is sent.
        workspace.variants_changed.connect(self._variants_changed)
        workspace.params_changed.connect(self._params_changed)
        workspace.tools_changed.connect(self._conversation_changed)
        workspace.tool_choice_changed.connect(self._conversation_changed)
        workspace.reset.connect(self.sync_panes)
        conversation = workspace.conversation
        for event in (
            conversation.inserted,
            conversation.removed,
            conversation.moved,
            conversation.changed,
            conversation.reset,
        ):
            event.connect(self._conversation_changed)

    def _conversation_changed(self, *_args: object) -> None:
        self._preflight_timer.start(PREFLIGHT_DELAY_MS)

    def _variants_changed(self, edit: ListEdit) -> None:
        if edit.kind != "update" or not 0 <= edit.index < len(self._panes):
            self.sync_panes()  # columns added, removed, moved or replaced
            return
        # One field of one variant: that column alone shows it and checks it again.
        pane = self._panes[edit.index]
        self._show_settings([pane])
        if pane.variant is not None:
            pane.show_preflight(self.services.preflight(self.workspace, pane.variant))
        if edit.field == "label":
            self._fill_diff_selectors()

    def _params_changed(self, name: str) -> None:
        if name in ("provider", "model"):
            self._show_settings(self._panes)  # what the columns inherit
        self._preflight_timer.start(PREFLIGHT_DELAY_MS)

    # Columns ---------------------------------------------------------------------------------

    def panes(self) -> list[ComparePane]:
        """The columns, in order."""
        return list(self._panes)

    def pane_for(self, variant: Variant) -> ComparePane | None:
        """The column showing ``variant``."""
        return next((p for p in self._panes if p.variant is variant), None)

    def _pane_by_key(self, key: Hashable) -> ComparePane | None:
        return next((p for p in self._panes if p.key == key), None)

    def sync_panes(self) -> None:
        """Makes the columns follow ``workspace.variants`` (order, additions, removals)."""
        variants = self.workspace.variants
        kept: list[ComparePane] = []
        for variant in variants:
            pane = self.pane_for(variant) or self._new_pane()
            pane.variant = variant
            kept.append(pane)
        for pane in self._panes:
            if pane not in kept:
                if self.session is not None:
                    self.session.stop(pane.key)
                self.columns_layout.removeWidget(pane)
                pane.hide()
                pane.deleteLater()
        self._panes = kept
        for index, pane in enumerate(kept):
            self.columns_layout.insertWidget(index, pane, 1)
            pane.set_position(index, len(kept))
        self._show_settings(kept)
        self._update_controls()
        self._fill_diff_selectors()
        self.refresh_preflight()

    def _show_settings(self, panes: Sequence[ComparePane]) -> None:
        """Shows the variant of each of ``panes``, with what it inherits from the workspace."""
        providers = list(self.services.providers())
        for pane in panes:
            variant = pane.variant
            if variant is None:
                continue
            provider_id = variant.provider or self.workspace.params.provider
            model_id = variant.model or self.workspace.params.model
            kind = next((k for pid, _n, k in providers if pid == provider_id), provider_id)
            models = [m.id for m in self.services.catalog().for_provider(kind)]
            pane.show_variant(variant, providers, models, provider_id, model_id)

    def _new_pane(self) -> ComparePane:
        pane = ComparePane(next(self._keys))
        pane.variant_edited.connect(lambda name, value, p=pane: self._edit(p, name, value))
        pane.run_requested.connect(lambda p=pane: self.run_one(p))
        pane.stop_requested.connect(lambda p=pane: self.stop_one(p))
        pane.duplicate_requested.connect(lambda p=pane: self.duplicate_variant(p))
        pane.remove_requested.connect(lambda p=pane: self.remove_variant(p))
        pane.move_requested.connect(lambda delta, p=pane: self.move_variant(p, delta))
        pane.use_requested.connect(lambda p=pane: self.use_answer(p))
        pane.view_changed.connect(self.update_diff)
        pane.text.verticalScrollBar().valueChanged.connect(
            lambda _v, p=pane: self._scrolled(p.text.verticalScrollBar())
        )
        return pane

    def _update_controls(self) -> None:
        count = len(self._panes)
        running = any(p.running for p in self._panes)
        self.add_button.setEnabled(count < MAX_VARIANTS)
        self.run_button.setEnabled(count >= MIN_VARIANTS and not running)
        self.run_button.setToolTip(
            "Run every variant at once"
            if count >= MIN_VARIANTS
            else f"Add at least {MIN_VARIANTS} variants to compare"
        )
        self.stop_button.setEnabled(running)
        if count < MIN_VARIANTS:
            self.hint.setText(
                f"Add {MIN_VARIANTS - count} more variant(s) to compare: each column sends the "
                "same conversation with its own provider, model or settings."
            )
        self.hint.setVisible(count < MIN_VARIANTS)

    def refresh_preflight(self) -> None:
        """Recomputes each column's fit, cost and prefill check."""
        self._preflight_timer.stop()
        for pane in self._panes:
            if pane.variant is not None:
                pane.show_preflight(self.services.preflight(self.workspace, pane.variant))
        ready = self.services.tokens_ready
        if ready is not None and not ready() and self._panes:
            self._preflight_timer.start(TOKENS_RETRY_MS)

    # Editing variants (undoable) -------------------------------------------------------------

    def add_variant(self) -> None:
        """Adds a column for the workspace's own provider and model."""
        if len(self._panes) >= MAX_VARIANTS:
            return
        params = self.workspace.params
        labels = [v.label for v in self.workspace.variants]
        variant = Variant(next_label(labels, params.model), params.provider, params.model)
        index = len(self.workspace.variants)
        self.undo_stack.push(
            AddVariant(self.workspace, index, variant, f"Add variant {variant.label}")
        )

    def duplicate_variant(self, pane: ComparePane) -> None:
        """Adds a copy of ``pane``'s variant right after it."""
        if pane.variant is None or len(self._panes) >= MAX_VARIANTS:
            return
        labels = [v.label for v in self.workspace.variants]
        clone = Variant(
            next_label(labels, pane.variant.label),
            pane.variant.provider,
            pane.variant.model,
            json.loads(json.dumps(pane.variant.params)),
            pane.variant.system,
        )
        index = self.workspace.variants.index(pane.variant) + 1
        self.undo_stack.push(
            AddVariant(self.workspace, index, clone, f"Duplicate variant {pane.variant.label}")
        )

    def remove_variant(self, pane: ComparePane) -> None:
        """Removes ``pane``'s variant (undoable)."""
        if pane.variant is not None:
            self.undo_stack.push(RemoveVariant(self.workspace, pane.variant))

    def move_variant(self, pane: ComparePane, delta: int) -> None:
        """Moves ``pane``'s column ``delta`` places."""
        if pane.variant is None:
            return
        index = self.workspace.variants.index(pane.variant)
        destination = index + delta
        if 0 <= destination < len(self.workspace.variants):
            self.undo_stack.push(MoveVariant(self.workspace, pane.variant, destination))

    def _edit(self, pane: ComparePane, name: str, value: Any) -> None:
        if pane.variant is None:
            return
        if name == "label":
            problem = self.workspace.variant_label_problem(str(value), pane.variant)
            if problem is not None:  # the column keeps its label and says why
                pane.label_edit.setText(pane.variant.label)
                self.notice.emit(problem)
                return
        if name == "provider" and pane.variant.model is None:
            # A provider without a model of its own would inherit a model it may not serve.
            self.undo_stack.beginMacro(f"Set provider of variant {pane.variant.label}")
            self.undo_stack.push(
                EditVariant(self.workspace, pane.variant, "model", self.workspace.params.model)
            )
            self.undo_stack.push(EditVariant(self.workspace, pane.variant, name, value))
            self.undo_stack.endMacro()
            return
        if name == "model" and _named_after_model(pane.variant):
            # A label the app derived from the model would otherwise go on naming the old model
            # (the column and the diff selectors would say "kimi-k2" over a moonshot-v1 answer).
            variant = pane.variant
            others = [v.label for v in self.workspace.variants if v is not variant]
            self.undo_stack.beginMacro(f"Set model of variant {variant.label}")
            self.undo_stack.push(EditVariant(self.workspace, variant, name, value))
            self.undo_stack.push(
                EditVariant(self.workspace, variant, "label", next_label(others, str(value)))
            )
            self.undo_stack.endMacro()
            return
        self.undo_stack.push(EditVariant(self.workspace, pane.variant, name, value))

    # Running ---------------------------------------------------------------------------------

    def _ensure_session(self) -> CompareSession:
        if self.session is None:
            self.session = self.services.make_session(self.workspace)
        return self.session

    def _partial_prefix(self) -> str:
        """What a partial last card starts every answer with (shown while the rest streams)."""
        last = self.workspace.conversation[-1] if len(self.workspace.conversation) else None
        return last.content if last is not None and last.partial else ""

    def _remember_compared(self) -> None:
        conversation = self.workspace.conversation
        self._compared = {m.uid for m in conversation}
        last = conversation[-1] if len(conversation) else None
        self._compared_partial = last.uid if last is not None and last.partial else None

    def run_all(self) -> None:
        """Runs every column at once (a new comparison in the history)."""
        if len(self._panes) < MIN_VARIANTS:
            return
        self.group = uuid.uuid4().hex
        self._remember_compared()
        session = self._ensure_session()
        session.group = self.group
        items = []
        for pane in self._panes:
            assert pane.variant is not None
            pane.begin_run(self._partial_prefix())
            items.append((pane.key, pane.variant))
        self.diff_summary.clear()
        self._flush_timer.start()
        self._update_controls()

        async def run() -> None:
            await session.run_all(items, self._on_event)
            self.comparison_finished.emit()

        self._run_all_task = self._tasks.spawn(run())

    def run_one(self, pane: ComparePane) -> None:
        """Runs (or reruns) one column; it joins the current comparison."""
        if pane.variant is None:
            return
        if self.group is None:
            self.group = uuid.uuid4().hex
            self._remember_compared()
        session = self._ensure_session()
        session.group = self.group
        pane.begin_run(self._partial_prefix())
        session.start(pane.key, pane.variant, self._on_event)
        self._flush_timer.start()
        self._update_controls()

    def stop_one(self, pane: ComparePane) -> None:
        """Stops one column; the others go on."""
        if self.session is not None:
            self.session.stop(pane.key)

    def stop_all(self) -> None:
        """Stops every column."""
        if self.session is not None:
            self.session.stop_all()

    def _on_event(self, key: Hashable, event: EngineEvent) -> None:
        # Called for every streamed chunk: keep it cheap, the timer does the drawing.
        pane = self._pane_by_key(key)
        if pane is None:
            return
        if isinstance(event, Finished):
            pane.finish(event.result)
            self._update_controls()
            if self.diff_toggle.isChecked():
                self.update_diff()
        else:
            pane.on_event(event)

    def _flush(self) -> None:
        now = time.monotonic()
        # A column whose text is slow to lay out (one very long line, say) is drawn less often:
        # at most a fifth of the UI thread's time goes to drawing it.
        due = [
            p
            for p in self._panes
            if p.has_pending()
            and now - p.flushed_at >= max(FLUSH_BATCH_S, FLUSH_COST_FACTOR * p.flush_cost)
        ]
        if due:
            pane = min(due, key=lambda p: p.flushed_at)
            pane.flush()
            pane.flushed_at = time.monotonic()
            pane.flush_cost = pane.flushed_at - now
        if not any(p.running or p.has_pending() for p in self._panes):
            self._flush_timer.stop()

    # Reading ---------------------------------------------------------------------------------

    def _scrolled(self, source: QScrollBar) -> None:
        if not self.sync_toggle.isChecked() or self._syncing_scroll:
            return
        fraction = source.value() / source.maximum() if source.maximum() else 0.0
        self._syncing_scroll = True
        try:
            for pane in self._panes:
                bar = pane.text.verticalScrollBar()
                if bar is not source:
                    with QSignalBlocker(bar):
                        bar.setValue(round(fraction * bar.maximum()))
        finally:
            self._syncing_scroll = False

    def _fill_diff_selectors(self) -> None:
        for selector, default in ((self.diff_left, 0), (self.diff_right, 1)):
            with QSignalBlocker(selector):
                current = selector.currentData()
                selector.clear()
                for pane in self._panes:
                    assert pane.variant is not None
                    selector.addItem(pane.variant.label, pane.key)
                index = selector.findData(current)
                selector.setCurrentIndex(
                    index if index >= 0 else min(default, selector.count() - 1)
                )
        self.diff_toggle.setEnabled(len(self._panes) >= 2)

    def diff_panes(self) -> tuple[ComparePane, ComparePane] | None:
        """The two columns chosen for the diff, when they differ."""
        left = self._pane_by_key(self.diff_left.currentData())
        right = self._pane_by_key(self.diff_right.currentData())
        if left is None or right is None or left is right:
            return None
        return left, right

    def update_diff(self) -> None:
        """Highlights (or clears) the word diff between the two chosen columns."""
        for pane in self._panes:
            pane.text.setExtraSelections([])
        chosen = self.diff_panes()
        if not self.diff_toggle.isChecked() or chosen is None:
            self.diff_summary.setText("Choose two different columns." if chosen is None else "")
            return
        left, right = chosen
        if left.running or right.running:
            self.diff_summary.setText("Diff shown once both answers are complete.")
            return
        left.show_raw()
        right.show_raw()
        a, b = left.answer_text(), right.answer_text()
        # The diff of two long answers can take a while: compute it off the UI thread.
        future: Future[WordDiff] | None = None

        def done(diff: WordDiff) -> None:
            if future is not self._diff_task:
                return  # a newer diff was asked for
            if left.answer_text() != a or right.answer_text() != b:
                return  # one of them changed meanwhile; a newer diff follows
            left.highlight(diff.left, colours().qcolor("diff_removed"))
            right.highlight(diff.right, colours().qcolor("diff_added"))
            self.diff_summary.setText(
                "Identical." if diff.identical else f"{diff.ratio:.0%} similar"
            )

        def failed(error: Exception) -> None:
            if future is self._diff_task:
                self.diff_summary.setText(f"No diff: {error}")

        future = self._tasks.run(lambda: word_diff(a, b), done, failed)
        self._diff_task = future

    # Keeping ---------------------------------------------------------------------------------

    def use_answer(self, pane: ComparePane) -> None:
        """Keeps ``pane``'s answer in the conversation (undoable), then offers its settings.

        A partial last card is completed in place (its prefix joined to the continuation and
        kept as its ``prefill``). An answer card that an earlier *Use this answer* of this
        comparison added gets the winner as an alternate (◀ ▶ on the card), so trying several
        winners loses none. Otherwise a new assistant card goes at the end. When the column's
        model, parameters or system message differ from the workspace's, the user is asked
        whether to adopt them too.
        """
        result = pane.result
        if result is None or pane.variant is None:
            return
        conversation = self.workspace.conversation
        calls = [c.to_json() for c in result.tool_calls]
        label = pane.variant.label
        last = conversation[-1] if len(conversation) else None
        values: dict[str, Any] | None = None
        if last is not None and last.partial and last.role == "assistant":
            values = {"content": result.full_text, "partial": False, "prefill": last.content}
        elif last is not None and last.role == "assistant" and self._is_answer_slot(last.uid):
            values = alternates.add_answer(last, result.full_text)
        if last is not None and values is not None:
            values["tool_calls"] = calls
            command = EditMessage(conversation, last.uid, **values)
            command.setText(f"Use the answer of {label}")
            self.undo_stack.push(command)
        else:
            message = Message(role="assistant", content=result.full_text, tool_calls=calls)
            self.undo_stack.push(
                InsertMessage(
                    conversation, len(conversation), message, f"Use the answer of {label}"
                )
            )
        self.answer_used.emit(result.full_text)
        self.offer_settings(pane.variant)

    def _is_answer_slot(self, uid: int) -> bool:
        """Whether card ``uid`` holds this comparison's answer: its partial card (completed by an
        earlier *Use this answer*) or a card such a use added after it ran."""
        return uid == self._compared_partial or uid not in self._compared

    def settings_changes(self, variant: Variant) -> list[tuple[str, str, Any]]:
        """(what, description, value) for each setting of ``variant`` the workspace lacks.

        ``what`` is a parameter name, or ``"system"`` for the column's own system message.
        """
        try:
            wanted = effective_params(self.workspace, variant)
        except WorkspaceError:
            return []
        current = self.workspace.params
        changes: list[tuple[str, str, Any]] = []
        for name in KNOWN_PARAMS:
            old, new = getattr(current, name), getattr(wanted, name)
            if old != new:
                shown = "default" if new is None else new
                changes.append(
                    (name, f"{name}: {old if old is not None else 'default'} → {shown}", new)
                )
        for name in sorted(set(current.extra) | set(wanted.extra)):
            old, new = current.extra.get(name), wanted.extra.get(name)
            if old != new:
                changes.append((name, f"{name}: {old} → {new}", new))
        if variant.system is not None:
            system = next((m for m in self.workspace.conversation if m.role == "system"), None)
            if system is None or system.content != variant.system:
                changes.append(("system", "the column's system message", variant.system))
        return changes

    def offer_settings(self, variant: Variant) -> bool:
        """Asks whether to adopt ``variant``'s settings; applies them in one undoable step."""
        changes = self.settings_changes(variant)
        if not changes:
            return False
        answer = dialogs.ask(
            self,
            "Use its settings too?",
            f"Adopt the settings of {variant.label} for the workspace?",
            dialogs.Button.Yes | dialogs.Button.No,
            dialogs.Button.No,
            "\n".join(description for _, description, _ in changes),
        )
        if answer != dialogs.Button.Yes:
            return False
        self.undo_stack.beginMacro(f"Adopt the settings of {variant.label}")
        try:
            for name, _description, value in changes:
                if name != "system":
                    self.undo_stack.push(SetParam(self.workspace, name, value))
                    continue
                conversation = self.workspace.conversation
                system = next((m for m in conversation if m.role == "system"), None)
                if system is None:
                    message = Message(role="system", content=value)
                    self.undo_stack.push(
                        InsertMessage(conversation, 0, message, "Adopt the system message")
                    )
                else:
                    self.undo_stack.push(EditMessage(conversation, system.uid, content=value))
        finally:
            self.undo_stack.endMacro()
        return True

    def current_comparison(self) -> Comparison:
        """The comparison on screen: each column's variant and result."""
        comparison = Comparison.of(self.workspace, [])
        if self.group:
            comparison.group = self.group
        for pane in self._panes:
            assert pane.variant is not None
            comparison.entries.append(ComparisonEntry(pane.variant, pane.result))
        return comparison

    def export(self, as_: str) -> None:
        """Exports the comparison as Markdown or JSON to a file the user picks."""
        comparison = self.current_comparison()
        markdown = as_ == "markdown"
        suffix = ".md" if markdown else ".json"
        name = (self.workspace.title or "comparison").replace("/", "-")
        path = dialogs.choose_export_path(
            self,
            f"{name} comparison{suffix}",
            "Markdown (*.md)" if markdown else "JSON (*.json)",
        )
        if not path:
            return
        text = (
            comparison_to_markdown(comparison)
            if markdown
            else json.dumps(comparison_to_json(comparison), indent=2, ensure_ascii=False) + "\n"
        )
        self._tasks.run(
            lambda: write_atomic(Path(path), text),
            lambda _none: self.exported.emit(path),
            lambda error: dialogs.show_error(self, "Not exported", f"Cannot write {path}: {error}"),
        )

    # History ---------------------------------------------------------------------------------

    def _fill_history_menu(self) -> None:
        self.history_menu.clear()
        history = self.services.history
        if history is None:
            self.history_menu.addAction("No history").setEnabled(False)
            return
        loading = self.history_menu.addAction("Loading…")
        loading.setEnabled(False)

        def failed(error: Exception) -> None:
            self.history_menu.clear()
            self.history_menu.addAction(f"History unavailable: {error}").setEnabled(False)

        def done(groups: list[tuple[str, str]]) -> None:
            self.history_menu.clear()
            if not groups:
                self.history_menu.addAction("No comparisons yet").setEnabled(False)
            for group, text in groups:
                action = self.history_menu.addAction(text)
                action.triggered.connect(partial(self._reopen_clicked, group))

        self._tasks.spawn(history.call(past_comparisons), done, failed)

    def _reopen_clicked(self, group: str, _checked: bool = False) -> None:
        self.reopen(group)

    def reopen(self, group: str) -> asyncio.Task[list[HistoryEntry]] | None:
        """Brings back a stored comparison: its variants become the columns, with their answers."""
        history = self.services.history
        if history is None:
            return None

        def done(entries: list[HistoryEntry]) -> None:
            try:
                comparison = comparison_from_history(entries)
            except ValueError as error:
                dialogs.show_error(self, "Cannot reopen", str(error))
                return
            self.show_comparison(comparison)

        return self._tasks.spawn(
            history.call(lambda store: store.group(group)),
            done,
            lambda error: dialogs.show_error(self, "Cannot reopen", str(error)),
        )

    def show_comparison(self, comparison: Comparison) -> None:
        """Shows ``comparison``: its variants as columns (undoable), each with its answer."""
        self.stop_all()
        variants = [entry.variant for entry in comparison.entries][:MAX_VARIANTS]
        self.undo_stack.push(
            ReplaceVariants(self.workspace, variants, f"Reopen comparison {comparison.created_at}")
        )
        self.group = comparison.group
        for entry in comparison.entries[:MAX_VARIANTS]:
            pane = self.pane_for(entry.variant)
            if pane is not None and entry.result is not None:
                pane.show_result(entry.result)
        self._update_controls()


def past_comparisons(history: Any, limit: int = 30) -> list[tuple[str, str]]:
    """(group id, menu text) of the latest comparisons in ``history``, newest first."""
    found = []
    for past in group_history(history.search("", limit=500))[:limit]:
        when = past.started_at
        with contextlib.suppress(ValueError):  # not ISO 8601: shown as stored
            when = dt.datetime.fromisoformat(past.started_at).astimezone().strftime("%b %d %H:%M")
        title = f"{past.title} · " if past.title else ""
        found.append((past.group, f"{when} · {title}{', '.join(past.labels)}"))
    return found


# Wiring into the window -----------------------------------------------------------------------


def default_services(context: AppContext) -> CompareServices:
    """The app's services for the compare view: its run engine, providers, catalog, history.

    The context's objects are read on every use, so that the compare view sees the providers the
    user adds in the provider settings and the models providers listed.

    Args:
        context: The app's services; its run engine runs the columns.
    """
    from workbench.core.providers import ProviderRegistry

    def registry() -> ProviderRegistry:
        return context.providers

    history = context.history

    def catalog() -> Catalog:
        return context.catalog

    def counter() -> TokenCounter:
        # Shared with the token meter, which has the conversation's messages cached already.
        return context.counter

    def make_session(workspace: Workspace) -> CompareSession:
        return CompareSession(context.run_engine, workspace)

    def count(sent: Workspace) -> int | None:
        # Loading the tokenizer takes a while: until the meter's worker has it, show the
        # catalog's window and prices (the view asks again shortly).
        if not tokens.encoding_ready():
            return None
        return counter().count(sent.conversation.messages, sent_tools(sent)).total

    def problems(sent: Workspace) -> list[str]:
        provider = registry().get(sent.params.provider)
        if provider is None:
            return [f"Unknown provider {sent.params.provider!r}."]
        return request_problems(sent, provider)

    def check(workspace: Workspace, variant: Variant) -> Preflight:
        found = preflight(workspace, variant, catalog(), problems=problems, count_tokens=count)
        provider = registry().get(variant.provider or workspace.params.provider)
        if provider is not None:
            findings = lint(workspace, provider, variant, catalog=catalog())
            fix = next((f.fix for f in findings if f.fix is not None), None)
            edits: dict[str, Any] = {}
            for name, value in fix.params.items() if fix is not None else ():
                if name == "model":
                    edits["model"] = value
                elif value is not None or name in variant.params:
                    edits[f"params.{name}"] = value  # None drops the column's own value
                else:
                    edits = {}  # the value is the workspace's: fixed in Parameters
                    break
            found = dataclasses.replace(
                found,
                warnings=tuple(f.message for f in findings if not f.blocking),
                fix=(fix.label, edits) if fix is not None and edits else None,
            )
        if found.max_tokens is None:
            # Unset, max_tokens is the provider's default, which the answer may well use up:
            # reserve it as the token meter does, or the column said "+ 0" and "at most $0".
            provider = registry().get(variant.provider or workspace.params.provider)
            reserved = reserved_output(None, provider.kind if provider is not None else "")
            found = dataclasses.replace(found, max_tokens=reserved)
        return found

    return CompareServices(
        catalog=catalog,
        providers=lambda: [(p.id, p.name, p.catalog_kind) for p in registry().all()],
        make_session=make_session,
        preflight=check,
        tokens_ready=tokens.encoding_ready,
        history=history,
    )


def install(shell: Shell, context: AppContext) -> CompareView:
    """Adds the Compare tab beside the conversation."""
    view = CompareView(context.workspace, context.undo_stack, default_services(context))
    shell.add_main_tab(view, "Compare")

    def answer_used(_text: str) -> None:
        shell.show_conversation()
        shell.message_list.scroll_to_row(len(context.workspace.conversation) - 1)
        context.show_status("Answer added to the conversation.", 5000)

    view.answer_used.connect(answer_used)
    context.closing.connect(view.stop_all)
    view.exported.connect(lambda path: context.show_status(f"Exported {path}", 5000))
    view.notice.connect(lambda text: context.show_status(text, 8000))
    return view
