"""The request parameters: provider, model, thinking, temperature, top_p, max_tokens, stop, format.

The panel shows the workspace's ``Params`` and announces edits; the window turns them into
undoable commands. Invalid values are shown at the field, with the reason, and are not applied.
Under the model it says what the catalog knows of it (window, price, or "window unknown"); the
thinking control follows the model's capabilities (a toggle, effort levels, always on, none);
the request linter's findings are listed under the fields, each with its one-click fix.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.catalog import Capabilities
from workbench.core.lint import WORKBENCH_PARAMS, Finding
from workbench.core.workspace import EXTRA_BODY_KEY, MAX_TOKENS_LIMIT, Params
from workbench.ui.common.i18n import QT_TRANSLATE_NOOP, shown
from workbench.ui.common.palette import ThemedStyleSheet, error_text
from workbench.ui.common.thinking import thinking_choices
from workbench.ui.common.widgets import named

#: Shown when a value is left to the provider's default (the value is not sent).
DEFAULT_TEXT = QT_TRANSLATE_NOOP("ParamsPanel", "default")


#: The ``reasoning_effort`` levels as the user reads them (the value sent stays the API's).
class UndoGoesToWindow(QObject):
    """Leaves Undo/Redo keys to the window's undo stack instead of a field's own text history.

    Applied values are already undoable commands; a field undoing its own text showed one value
    ("default") while the workspace kept sending another.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            for standard in (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo):
                if event.matches(standard):
                    event.ignore()  # not claimed by the field: the window's shortcut fires
                    return True
        return False


def _optional_spin(minimum: float, maximum: float, step: float, decimals: int) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setDecimals(decimals)
    # One step below the real minimum stands for "not set": the provider's default.
    spin.setRange(minimum - step, maximum)
    spin.setSingleStep(step)
    spin.setSpecialValueText(QCoreApplication.translate("ParamsPanel", DEFAULT_TEXT))
    spin.setKeyboardTracking(False)
    return spin


def thinking_choice(params: Params, choices: list[tuple[str, dict[str, Any]]]) -> int:
    """The index of the entry matching ``params`` (0, the default, when none matches)."""
    current = {
        "thinking": params.extra.get("thinking"),
        "reasoning_effort": params.extra.get("reasoning_effort"),
    }
    return next((i for i, (_l, change) in enumerate(choices) if change == current), 0)


class LintList(QWidget):
    """The request linter's findings: one row per finding, its fix as a button.

    Signals:
        fix_requested(changes): the user clicked a fix (parameter name -> value).
    """

    fix_requested = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "lintList")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 4, 0, 0)
        self._layout.setSpacing(2)
        self._shown: list[Finding] = []
        self.hide()

    def show_findings(self, findings: Sequence[Finding]) -> None:
        """Shows ``findings`` (hidden when there are none)."""
        findings = list(findings)
        if findings == self._shown:
            return
        self._shown = findings
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        for finding in findings:
            self._layout.addWidget(self._row(finding))
        self.setVisible(bool(findings))

    def _row(self, finding: Finding) -> QWidget:
        row = QWidget()
        row.setObjectName("lintRow")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        mark = "✖" if finding.blocking else "⚠"
        where = f"{finding.param}: " if finding.param and finding.param != "model" else ""
        if finding.card is not None:
            where = self.tr("message {number}: ").format(number=finding.card + 1)
        label = QLabel(f"{mark} {where}{shown(finding.message)}")
        label.setObjectName("lintMessage")
        label.setWordWrap(True)
        label.setToolTip(
            self.tr("The provider refuses this request: Send is blocked.")
            if finding.blocking
            else self.tr("The provider may refuse or ignore this: Send still sends.")
        )
        error_text(label, finding.blocking)
        layout.addWidget(label, 1)
        if finding.fix is not None:
            button = QPushButton(shown(finding.fix.label))
            named(button, "lintFixButton")
            changes = dict(finding.fix.params)
            button.clicked.connect(lambda: self.fix_requested.emit(changes))
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        return row


#: Extra parameters with their own control (the thinking selector) or never sent.
_SHOWN_ELSEWHERE = ("thinking", "reasoning_effort", *WORKBENCH_PARAMS)


def extra_summary(params: Params) -> str:
    """The extra parameters a request carries, one short item each (``response_format:
    json_schema``, ``provider {...}``, ``seed=7``); "" when there are none."""
    items = []
    extra = dict(params.extra)
    merged = extra.pop(EXTRA_BODY_KEY, None)
    if isinstance(merged, dict):
        extra.update(merged)
    for key, value in extra.items():
        if key in _SHOWN_ELSEWHERE:
            continue
        if isinstance(value, dict) and isinstance(value.get("type"), str):
            items.append(f"{key}: {value['type']}")
        elif isinstance(value, dict | list):
            items.append(f"{key} {{…}}" if isinstance(value, dict) else f"{key} […]")
        else:
            text = json.dumps(value, ensure_ascii=False)
            items.append(f"{key}={text if len(text) <= 24 else text[:23] + '…'}")
    return ", ".join(items)


def split_stop(text: str) -> list[str]:
    """Stop sequences from the field: separated by ``|``; ``\\n`` and ``\\t`` are escapes."""
    parts = [p.strip() for p in text.split("|")] if text.strip() else []
    return [p.replace("\\n", "\n").replace("\\t", "\t") for p in parts]


def join_stop(stop: Sequence[str]) -> str:
    """The field's text for ``stop``."""
    return " | ".join(s.replace("\n", "\\n").replace("\t", "\\t") for s in stop)


class ParamsPanel(QWidget):
    """Edits :class:`Params`.

    Signals:
        param_edited(name, value): the user set a valid ``value`` for parameter ``name``.
    """

    param_edited = Signal(str, object)
    #: Several parameters at once (a thinking choice, a linter fix): one undo step.
    params_changed = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paramsPanel")
        self.provider_selector = QComboBox()
        named(self.provider_selector, "providerSelector")
        self.model_selector = QComboBox()
        named(self.model_selector, "modelSelector")
        self.model_selector.setEditable(True)
        self.model_selector.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.temperature_spin = _optional_spin(0.0, 2.0, 0.1, 2)
        named(self.temperature_spin, "temperatureSpin")
        self.top_p_spin = _optional_spin(0.01, 1.0, 0.01, 2)
        named(self.top_p_spin, "topPSpin")
        self.max_tokens_spin = QSpinBox()
        named(self.max_tokens_spin, "maxTokensSpin")
        self.max_tokens_spin.setRange(0, MAX_TOKENS_LIMIT)
        self.max_tokens_spin.setSpecialValueText(
            QCoreApplication.translate("ParamsPanel", DEFAULT_TEXT)
        )
        self.max_tokens_spin.setSingleStep(256)
        self.max_tokens_spin.setKeyboardTracking(False)
        self.stop_edit = QLineEdit()
        named(self.stop_edit, "stopEdit")
        self.stop_edit.setPlaceholderText(self.tr("e.g. END | \\n\\n (up to 4, separated by |)"))
        self.response_format = QComboBox()
        named(self.response_format, "responseFormatSelector")
        self.response_format.addItems(["text", "json_object"])
        self.model_info = QLabel()
        named(self.model_info, "modelInfoLabel")
        self.model_info.setWordWrap(True)
        ThemedStyleSheet(self.model_info, lambda c: f"color: {c.muted};")
        self.thinking_selector = QComboBox()
        named(self.thinking_selector, "thinkingSelector")
        self.thinking_selector.setToolTip(
            self.tr(
                "How the model thinks: a toggle (thinking), effort levels (reasoning_effort), or "
                "always on, as the model takes it"
            )
        )
        self._thinking: list[tuple[str, dict[str, Any]]] = []
        self.lint = LintList()
        self.lint.fix_requested.connect(self.params_changed)
        # What a request carries besides the fields above (a pasted json_schema, OpenRouter's
        # provider object...): sent as it is, so it is shown.
        self.extra_params = QLabel()
        named(self.extra_params, "extraParamsLabel")
        self.extra_params.setWordWrap(True)
        self.extra_params.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.errors = QLabel()
        self.errors.setObjectName("paramErrors")
        self.errors.setWordWrap(True)
        error_text(self.errors)
        self.errors.hide()

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Provider"), self.provider_selector)
        form.addRow(self.tr("Model"), self.model_selector)
        form.addRow("", self.model_info)
        form.addRow(self.tr("Thinking"), self.thinking_selector)
        self._form = form
        form.addRow(self.tr("Temperature"), self.temperature_spin)
        form.addRow("top_p", self.top_p_spin)
        form.addRow(self.tr("Max tokens"), self.max_tokens_spin)
        form.addRow(self.tr("Stop"), self.stop_edit)
        form.addRow(self.tr("Response"), self.response_format)
        form.addRow(self.tr("Also sent"), self.extra_params)
        form.setRowVisible(self.extra_params, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.errors)
        layout.addWidget(self.lint)
        self.thinking_selector.activated.connect(self._thinking_chosen)
        form.setRowVisible(self.thinking_selector, False)

        self.provider_selector.activated.connect(
            lambda _i: self._emit(
                "provider",
                self.provider_selector.currentData() or self.provider_selector.currentText(),
            )
        )
        self.model_selector.activated.connect(
            lambda _i: self._emit("model", self.model_selector.currentText().strip())
        )
        if line := self.model_selector.lineEdit():
            line.editingFinished.connect(
                lambda: self._emit("model", self.model_selector.currentText().strip())
            )
        self.temperature_spin.valueChanged.connect(
            lambda v: self._emit("temperature", self._optional(self.temperature_spin, v))
        )
        self.top_p_spin.valueChanged.connect(
            lambda v: self._emit("top_p", self._optional(self.top_p_spin, v))
        )
        self.max_tokens_spin.valueChanged.connect(lambda v: self._emit("max_tokens", v or None))
        self.stop_edit.editingFinished.connect(
            lambda: self._emit("stop", split_stop(self.stop_edit.text()))
        )
        self.response_format.activated.connect(
            lambda _i: self._emit("response_format", self.response_format.currentText())
        )
        self._params = Params()
        self._undo_filter = UndoGoesToWindow(self)
        for field in (
            self.model_selector,
            self.model_selector.lineEdit(),
            self.temperature_spin,
            self.temperature_spin.lineEdit(),
            self.top_p_spin,
            self.top_p_spin.lineEdit(),
            self.max_tokens_spin,
            self.max_tokens_spin.lineEdit(),
            self.stop_edit,
        ):
            if field is not None:
                field.installEventFilter(self._undo_filter)

    @staticmethod
    def _optional(spin: QDoubleSpinBox, value: float) -> float | None:
        return None if value <= spin.minimum() + 1e-9 else round(value, spin.decimals())

    def set_providers(self, providers: Sequence[tuple[str, str]]) -> None:
        """The providers to choose from, as (id, display name)."""
        with QSignalBlocker(self.provider_selector):
            self.provider_selector.clear()
            for provider_id, name in providers:
                self.provider_selector.addItem(name, provider_id)
        self.show_params(self._params)

    def set_models(self, models: Sequence[str], tips: Sequence[str] = ()) -> None:
        """The model ids offered for the current provider (any id may still be typed).

        ``tips`` says what is known of each (window and price, "window unknown").
        """
        with QSignalBlocker(self.model_selector):
            current = self.model_selector.currentText()
            self.model_selector.clear()
            self.model_selector.addItems(list(models))
            for row, tip in enumerate(tips):
                self.model_selector.setItemData(row, tip, Qt.ItemDataRole.ToolTipRole)
            self.model_selector.setCurrentText(current)

    def set_model_info(self, text: str, capabilities: Capabilities | None) -> None:
        """What the catalog knows of the chosen model, and its thinking control."""
        self.model_info.setText(text)
        self.model_info.setVisible(bool(text))
        choices = thinking_choices(capabilities)
        if [label for label, _c in choices] != [label for label, _c in self._thinking]:
            with QSignalBlocker(self.thinking_selector):
                self.thinking_selector.clear()
                self.thinking_selector.addItems([label for label, _c in choices])
        self._thinking = choices
        self._form.setRowVisible(self.thinking_selector, bool(choices))
        self._show_thinking()

    def _show_thinking(self) -> None:
        if self._thinking:
            with QSignalBlocker(self.thinking_selector):
                self.thinking_selector.setCurrentIndex(
                    thinking_choice(self._params, self._thinking)
                )

    def _thinking_chosen(self, index: int) -> None:
        if 0 <= index < len(self._thinking):
            changes = self._thinking[index][1]
            if any(self._params.value(k) != v for k, v in changes.items()):
                self.params_changed.emit(dict(changes))

    def show_findings(self, findings: Sequence[Finding]) -> None:
        """The request linter's findings for the parameters and the model."""
        self.lint.show_findings(findings)

    def show_params(self, params: Params) -> None:
        """Shows ``params`` without announcing edits."""
        self._params = params
        blockers = [
            QSignalBlocker(w)
            for w in (
                self.provider_selector,
                self.model_selector,
                self.temperature_spin,
                self.top_p_spin,
                self.max_tokens_spin,
                self.stop_edit,
                self.response_format,
            )
        ]
        index = self.provider_selector.findData(params.provider)
        if index < 0 and params.provider:
            self.provider_selector.addItem(params.provider, params.provider)
            index = self.provider_selector.count() - 1
        self.provider_selector.setCurrentIndex(index)
        self.model_selector.setCurrentText(params.model)
        t = params.temperature
        self.temperature_spin.setValue(self.temperature_spin.minimum() if t is None else t)
        p = params.top_p
        self.top_p_spin.setValue(self.top_p_spin.minimum() if p is None else p)
        self.max_tokens_spin.setValue(params.max_tokens or 0)
        if split_stop(self.stop_edit.text()) != params.stop:
            self.stop_edit.setText(join_stop(params.stop))
        self.response_format.setCurrentText(params.response_format)
        del blockers
        self._show_extra(params)
        self._show_thinking()
        self._show_errors()

    def _show_extra(self, params: Params) -> None:
        shown = extra_summary(params)
        self.extra_params.setText(shown)
        self.extra_params.setToolTip(
            self.tr("Parameters of the request that have no field here; they are sent as they are.")
        )
        self._form.setRowVisible(self.extra_params, bool(shown))

    def _emit(self, name: str, value: Any) -> None:
        if getattr(self._params, name) == value:
            # Leaving a field unchanged (Tab through the model) is no edit: no undo step, and
            # no unsaved marker.
            return
        trial = Params(**{**self._params.__dict__, name: value})
        problems = [reason for param, reason in trial.problems() if param == name]
        if problems:
            self._show_errors(problems)
            return
        self.param_edited.emit(name, value)

    def _show_errors(self, problems: Sequence[str] = ()) -> None:
        problems = list(problems) or [reason for _, reason in self._params.problems()]
        self.errors.setText("\n".join(problems))
        self.errors.setVisible(bool(problems))
