"""One Compare column: a variant's settings, its streamed answer, its metrics and diff marks."""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.catalog import Capabilities
from workbench.core.compare import DiffSpan, Preflight, asks_for_json, check_json
from workbench.core.figures import result_metrics
from workbench.core.run_types import (
    Finished,
    ReasoningDelta,
    RunResult,
    Status,
    TextDelta,
    ToolCallDelta,
)
from workbench.core.sessions import EngineEvent, NotRecorded, Queued, Started
from workbench.core.workspace import MAX_VARIANTS, Params, Variant
from workbench.ui.common.i18n import number, shown
from workbench.ui.common.palette import (
    Colours,
    ThemedStyleSheet,
    ThemeFollower,
    colours,
    error_text,
)
from workbench.ui.common.stream_view import StreamBuffer, StreamView
from workbench.ui.common.thinking import thinking_choices
from workbench.ui.common.widgets import named

log = logging.getLogger(__name__)

_INHERIT = "inherit"


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
        self._pending = StreamBuffer()
        self._status = ""
        self._awaiting_answer = False
        self._expects_json = False
        #: Why the last run is not in the history (a failed write), or None.
        self.history_error: str | None = None
        self._reasoning_chars = 0
        self._pending_reasoning = StreamBuffer()
        self._tool_calls = 0
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(300)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self.label_edit = QLineEdit()
        named(self.label_edit, "variantLabelEdit")
        self.label_edit.setToolTip(self.tr("The variant's label"))
        self.left_button = self._tool(
            "◀", "moveVariantLeftButton", self.tr("Move this column left")
        )
        self.right_button = self._tool(
            "▶", "moveVariantRightButton", self.tr("Move this column right")
        )
        self.duplicate_button = self._tool(
            self.tr("Copy"), "duplicateVariantButton", self.tr("Duplicate variant")
        )
        self.remove_button = self._tool("✕", "removeVariantButton", self.tr("Remove this variant"))
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
        self.thinking_selector.setToolTip(
            self.tr("This column's thinking (the model's own control)")
        )
        self._thinking: list[tuple[str, dict[str, Any]]] = []
        self.system_toggle = QCheckBox(self.tr("Own system message"))
        named(self.system_toggle, "variantSystemToggle")
        self.system_edit = QPlainTextEdit()
        named(self.system_edit, "variantSystemEdit")
        self.system_edit.setPlaceholderText(self.tr("Replaces the workspace's system message"))
        self.system_edit.setMaximumHeight(70)
        self.system_edit.hide()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Provider"), self.provider_selector)
        form.addRow(self.tr("Model"), self.model_selector)
        form.addRow(self.tr("Temperature"), self.temperature_spin)
        form.addRow(self.tr("Thinking"), self.thinking_selector)
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

        self.run_button = QPushButton(self.tr("Run"))
        named(self.run_button, "runPaneButton")
        self.run_button.setToolTip(self.tr("Run (or rerun) this variant alone"))
        self.stop_button = QPushButton(self.tr("Stop"))
        named(self.stop_button, "stopPaneButton")
        self.stop_button.setEnabled(False)
        self.use_button = QPushButton(self.tr("Use this answer"))
        named(self.use_button, "useAnswerButton")
        self.use_button.setToolTip(
            self.tr("Add this answer to the conversation as an assistant message")
        )
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
        self.markdown_toggle = QCheckBox(self.tr("Markdown"))
        named(self.markdown_toggle, "markdownToggle")
        self.markdown_toggle.setToolTip(self.tr("Show the answer rendered as Markdown"))
        self.json_toggle = QCheckBox(self.tr("Pretty JSON"))
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
        self.text.setPlaceholderText(self.tr("The answer streams here."))
        #: The diff marks shown (spans and the name of their colour), repainted on a theme switch.
        self._marks: tuple[Sequence[DiffSpan], str] | None = None
        ThemeFollower(self.text, self._paint_marks)
        self.reasoning = QPlainTextEdit()
        named(self.reasoning, "paneReasoning")
        self.reasoning.setReadOnly(True)
        self.reasoning.setMaximumHeight(90)
        self.reasoning.setToolTip(self.tr("The model's reasoning, shown apart from the answer"))
        self.reasoning.hide()
        self._text_stream = StreamView(self.text)
        self._reasoning_stream = StreamView(self.reasoning, follow=True)
        self.metrics = QLabel(self.tr("Not run yet."))
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

    def set_position(self, index: int, count: int, total: int | None = None) -> None:
        """Enables the move/remove buttons for column ``index`` of the ``count`` shown, of
        ``total`` variants in the workspace (``count`` when None)."""
        self.left_button.setEnabled(index > 0)
        self.right_button.setEnabled(index < count - 1)
        self.duplicate_button.setEnabled((count if total is None else total) < MAX_VARIANTS)

    def show_preflight(self, check: Preflight) -> None:
        """Shows whether the conversation fits the model, its cost, what stops sending, what
        may be refused, and the one-click fix; the thinking control follows the model."""
        self.fit_label.setText(check.summary())
        self._fit_error.set(check.fits is False)
        self.problem_label.setText("\n".join(shown(p) for p in check.problems))
        self.problem_label.setVisible(bool(check.problems))
        self.warning_label.setText("\n".join(f"⚠ {shown(w)}" for w in check.warnings))
        self.warning_label.setVisible(bool(check.warnings))
        self._fix = dict(check.fix[1]) if check.fix is not None else {}
        self.fix_button.setText(shown(check.fix[0]) if check.fix is not None else "")
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

    def begin_run(self, prefix: str, expects_json: bool | None = None) -> None:
        """Clears the column for a new run.

        Args:
            prefix: The partial prefix the answer extends.
            expects_json: The run asks for JSON (:func:`workbench.core.compare.asks_for_json`);
                None: judged from the prefix alone. Only then, or when the answer parses, does
                the column claim anything about JSON.
        """
        self.result = None
        self._expects_json = (
            asks_for_json(Params(), prefix) if expects_json is None else expects_json
        )
        self.running = True
        self.history_error = None
        self._awaiting_answer = False
        self._pending.clear()
        self._status = ""
        self._reasoning_chars = 0
        self._pending_reasoning.clear()
        self._tool_calls = 0
        self._reasoning_stream.reset()
        self.reasoning.hide()
        self.clear_highlight()
        with QSignalBlocker(self.markdown_toggle), QSignalBlocker(self.json_toggle):
            self.markdown_toggle.setChecked(False)
            self.json_toggle.setChecked(False)
        self._text_stream.reset(prefix)
        self.json_badge.hide()
        self.json_toggle.setEnabled(False)
        self.use_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.run_button.setText(self.tr("Rerun"))
        self.metrics.setText(self.tr("Looking up the key and a free slot…"))
        self.metrics.setStyleSheet("")

    def on_event(self, event: EngineEvent) -> None:
        """Takes one event of the run; text waits for the next :meth:`flush`."""
        if isinstance(event, Queued):
            self._status = self._queued_text(event)
        elif isinstance(event, Started):
            self._awaiting_answer = True
            self._status = self.tr("Sent to {provider}: waiting for its first token…").format(
                provider=self.provider_selector.currentText()
            )
        elif isinstance(event, NotRecorded):
            self.not_recorded(event.message)
        elif isinstance(event, TextDelta):
            self._pending.add(event.text)
            if self._awaiting_answer:
                self._awaiting_answer = False
                self._status = self.tr("Streaming…")
        elif isinstance(event, ReasoningDelta):
            self._reasoning_chars += len(event.text)
            self._pending_reasoning.add(event.text)
            self._status = self.tr("Thinking… ({count} characters of reasoning)").format(
                count=number(self._reasoning_chars)
            )
        elif isinstance(event, ToolCallDelta):
            self._tool_calls = max(self._tool_calls, event.index + 1)
            self._status = self.tr("Calling {tool}…").format(
                tool=event.call.name or self.tr("a tool")
            )
        elif isinstance(event, Status):
            self._status = event.text
        elif isinstance(event, Finished):
            self.finish(event.result)

    def _queued_text(self, event: Queued) -> str:
        """What a queued column waits for: a free slot of its provider, and who is ahead."""
        text = self.tr(
            "Waiting for a free slot on {provider} ({running} of {limit} running)"
        ).format(provider=event.provider, running=event.running, limit=event.limit)
        if event.ahead:
            text += " " + self.tr("– {count} more waiting ahead").format(count=event.ahead)
        return text + "…"

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
            self._reasoning_stream.append(self._pending_reasoning.take())
        self._text_stream.append(self._pending.take())

    def finish(self, result: RunResult) -> None:
        """Shows how the run ended: the full answer, its metrics, its JSON badge."""
        self._pending.clear()
        self._pending_reasoning.clear()
        self._status = ""
        self.running = False
        self.result = result
        if result.reasoning and self.reasoning.toPlainText() != result.reasoning:
            self._reasoning_stream.reset(result.reasoning)
        self.reasoning.setVisible(bool(result.reasoning))
        self.stop_button.setEnabled(False)
        self.run_button.setText(self.tr("Rerun"))
        # Only what the model wrote counts: a failed run holds just the prefix ("{"), and
        # "using" it would turn the partial card into a finished answer of one brace.
        self.use_button.setEnabled(bool(result.text or result.tool_calls))
        self._show_final_answer()
        self._show_metrics(result)
        check = check_json(result.full_text, expected=self._expects_json)
        # A run that failed before the model wrote anything is not an invalid JSON answer.
        judged = check.looks_like_json and bool(result.text or not result.error)
        self.json_badge.setVisible(judged)
        self.json_toggle.setEnabled(check.valid)
        if judged:
            text = self.tr("✓ valid JSON") if check.valid else self.tr("✗ invalid JSON")
            tip = (
                self.tr("The answer parses as JSON.")
                if check.valid
                else self.tr("Not valid JSON: {error}").format(error=check.error)
            )
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
        parts = [
            f"{QCoreApplication.translate('Figures', name)} {value}"
            for name, value in metrics.items()
            if value != "–"
        ]
        if result.tool_calls:
            parts.append(self.tr("{count} tool call(s)").format(count=len(result.tool_calls)))
        line = " · ".join(html.escape(p) for p in parts)
        if result.error:
            error = html.escape(shown(result.error))
            line += f'<br><span style="color: {colours().error};">{error}</span>'
        elif result.interrupted:
            line += "<br>" + self.tr("Stopped: the text received so far is kept.")
        if self.history_error:
            note = self.tr("Not saved in the history: {reason}").format(reason=self.history_error)
            line += f'<br><span style="color: {colours().error};">{html.escape(note)}</span>'
        self.metrics.setText(line or self.tr("Finished."))
        # Long error ids do not wrap: the whole message is in the tooltip too.
        self.metrics.setToolTip(shown(result.error or ""))

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

    def _show_final_answer(self) -> None:
        """The run ended: what streamed stays, only the text not drawn yet is appended (Stop
        on a long answer would otherwise lay the whole answer out again)."""
        if self.is_raw():
            answer = self.answer_text()
            shown = self.text.toPlainText()
            if answer.startswith(shown):
                self.text.setExtraSelections([])
                self._text_stream.append(answer[len(shown) :])
                return
        self._show_answer()

    def _show_answer(self) -> None:
        self._text_stream.forget_end()  # the document is replaced: the next stream finds its end
        bar = self.text.verticalScrollBar()
        position = bar.value()
        self.clear_highlight()
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

    def highlight(self, spans: Sequence[DiffSpan], colour: str) -> None:
        """Highlights ``spans`` of the raw answer in the palette's ``colour`` (a name of
        :class:`~workbench.ui.common.palette.Colours`), kept in step with the theme."""
        self._marks = (spans, colour)
        self._paint_marks(colours())

    def clear_highlight(self) -> None:
        """Takes the diff marks away."""
        self._marks = None
        self.text.setExtraSelections([])

    def _paint_marks(self, values: Colours) -> None:
        if self._marks is None:
            return
        spans, name = self._marks
        color = values.qcolor(name)
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
