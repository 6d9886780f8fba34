"""The request parameters: provider, model, temperature, top_p, max_tokens, stop, response format.

The panel shows the workspace's ``Params`` and announces edits; the window turns them into
undoable commands. Invalid values are shown at the field, with the reason, and are not applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QSignalBlocker,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.workspace import MAX_TOKENS_LIMIT, Params
from workbench.ui.common.i18n import QT_TRANSLATE_NOOP
from workbench.ui.common.palette import error_text

#: Shown when a value is left to the provider's default (the value is not sent).
DEFAULT_TEXT = QT_TRANSLATE_NOOP("ParamsPanel", "default")


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

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paramsPanel")
        self.provider_selector = QComboBox()
        self.provider_selector.setObjectName("providerSelector")
        self.provider_selector.setAccessibleName("providerSelector")
        self.model_selector = QComboBox()
        self.model_selector.setObjectName("modelSelector")
        self.model_selector.setAccessibleName("modelSelector")
        self.model_selector.setEditable(True)
        self.model_selector.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.temperature_spin = _optional_spin(0.0, 2.0, 0.1, 2)
        self.temperature_spin.setObjectName("temperatureSpin")
        self.temperature_spin.setAccessibleName("temperatureSpin")
        self.top_p_spin = _optional_spin(0.01, 1.0, 0.01, 2)
        self.top_p_spin.setObjectName("topPSpin")
        self.top_p_spin.setAccessibleName("topPSpin")
        self.max_tokens_spin = QSpinBox()
        self.max_tokens_spin.setObjectName("maxTokensSpin")
        self.max_tokens_spin.setAccessibleName("maxTokensSpin")
        self.max_tokens_spin.setRange(0, MAX_TOKENS_LIMIT)
        self.max_tokens_spin.setSpecialValueText(
            QCoreApplication.translate("ParamsPanel", DEFAULT_TEXT)
        )
        self.max_tokens_spin.setSingleStep(256)
        self.max_tokens_spin.setKeyboardTracking(False)
        self.stop_edit = QLineEdit()
        self.stop_edit.setObjectName("stopEdit")
        self.stop_edit.setAccessibleName("stopEdit")
        self.stop_edit.setPlaceholderText(self.tr("e.g. END | \\n\\n (up to 4, separated by |)"))
        self.response_format = QComboBox()
        self.response_format.setObjectName("responseFormatSelector")
        self.response_format.setAccessibleName("responseFormatSelector")
        self.response_format.addItems(["text", "json_object"])
        self.errors = QLabel()
        self.errors.setObjectName("paramErrors")
        self.errors.setWordWrap(True)
        error_text(self.errors)
        self.errors.hide()

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Provider"), self.provider_selector)
        form.addRow(self.tr("Model"), self.model_selector)
        form.addRow(self.tr("Temperature"), self.temperature_spin)
        form.addRow("top_p", self.top_p_spin)
        form.addRow(self.tr("Max tokens"), self.max_tokens_spin)
        form.addRow(self.tr("Stop"), self.stop_edit)
        form.addRow(self.tr("Response"), self.response_format)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.errors)

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

    def set_models(self, models: Sequence[str]) -> None:
        """The model ids offered for the current provider (any id may still be typed)."""
        with QSignalBlocker(self.model_selector):
            current = self.model_selector.currentText()
            self.model_selector.clear()
            self.model_selector.addItems(list(models))
            self.model_selector.setCurrentText(current)

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
        self._show_errors()

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
