"""Settings › Preferences, File › Properties and Help › Keyboard shortcuts."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.providers import ProviderRegistry
from workbench.core.settings import RANGES, Settings
from workbench.ui.common.i18n import provider_name
from workbench.ui.common.palette import apply_theme
from workbench.ui.common.widgets import named

log = logging.getLogger(__name__)


class PreferencesDialog(QDialog):
    """Language, theme, the default provider and model, what happens at start, and the limits of
    a run (the largest answer, the longest run).

    Every change is saved at once; the theme applies at once, the limits to the next run, the
    language at the next start.

    Signals:
        run_limits_changed(): the largest answer or the longest run changed (and was saved).
    """

    run_limits_changed = Signal()

    def __init__(
        self,
        settings: Settings,
        providers: ProviderRegistry,
        parent: QWidget | None = None,
        models_for: Callable[[str], list[str]] | None = None,
    ) -> None:
        super().__init__(parent)
        named(self, "preferencesDialog")
        self.setWindowTitle(self.tr("Preferences"))
        self._settings = settings
        self._models_for = models_for or (lambda _provider: [])

        self.language_selector = QComboBox()
        named(self.language_selector, "languageSelector")
        self.language_selector.addItem(self.tr("System"), "system")
        self.language_selector.addItem(self.tr("English"), "en")
        self.language_selector.addItem("简体中文", "zh_CN")
        self._select(self.language_selector, settings.language)
        self.language_note = QLabel(self.tr("The language changes when the app starts again."))
        self.language_note.setObjectName("languageNote")
        self.language_note.setWordWrap(True)

        self.theme_selector = QComboBox()
        named(self.theme_selector, "themeSelector")
        self.theme_selector.addItem(self.tr("System"), "system")
        self.theme_selector.addItem(self.tr("Light"), "light")
        self.theme_selector.addItem(self.tr("Dark"), "dark")
        self._select(self.theme_selector, settings.theme)

        self.provider_selector = QComboBox()
        named(self.provider_selector, "defaultProviderSelector")
        self.provider_selector.addItem(self.tr("First built-in provider"), "")
        for provider in providers.all():
            self.provider_selector.addItem(provider_name(provider.name), provider.id)
        self._select(self.provider_selector, settings.default_provider)
        self.model_selector = QComboBox()
        named(self.model_selector, "defaultModelSelector")
        self.model_selector.setEditable(True)
        self._fill_models()
        self.model_selector.setEditText(settings.default_model)
        model_edit = self.model_selector.lineEdit()
        if model_edit is not None:
            model_edit.setPlaceholderText(self.tr("the provider's default"))

        self.reopen_check = QCheckBox(self.tr("Reopen the last workspace at start"))
        named(self.reopen_check, "reopenLastCheck")
        self.reopen_check.setChecked(settings.reopen_last_workspace)

        low, high = RANGES["max_answer_mb"]
        self.max_answer_spin = QDoubleSpinBox()
        named(self.max_answer_spin, "maxAnswerSpin")
        self.max_answer_spin.setRange(low, high)
        self.max_answer_spin.setDecimals(0)
        self.max_answer_spin.setSingleStep(16)
        self.max_answer_spin.setSuffix(self.tr(" million characters"))
        self.max_answer_spin.setValue(settings.max_answer_mb)
        self.max_answer_spin.setToolTip(
            self.tr(
                "A run stops when its answer, reasoning and tool arguments together pass this "
                "size (a broken or hostile server cannot fill the memory). Setting: max_answer_mb."
            )
        )
        low, high = RANGES["run_deadline_seconds"]
        self.deadline_spin = QSpinBox()
        named(self.deadline_spin, "runDeadlineSpin")
        self.deadline_spin.setRange(int(low), int(high))
        self.deadline_spin.setSingleStep(60)
        self.deadline_spin.setSuffix(self.tr(" s"))
        self.deadline_spin.setValue(round(settings.run_deadline_seconds))
        self.deadline_spin.setToolTip(
            self.tr(
                "A run stops after this long in all, retries included, however steadily the "
                "server keeps sending. Setting: run_deadline_seconds."
            )
        )
        self.deadline_note = QLabel()
        self.deadline_note.setObjectName("runDeadlineNote")
        self._show_deadline()
        limits = QGroupBox(self.tr("Limits of a run (from the next run on)"))
        limits_form = QFormLayout(limits)
        limits_form.addRow(self.tr("Largest answer"), self.max_answer_spin)
        limits_form.addRow(self.tr("Longest run"), self.deadline_spin)
        limits_form.addRow("", self.deadline_note)

        form = QFormLayout()
        form.addRow(self.tr("Language"), self.language_selector)
        form.addRow("", self.language_note)
        form.addRow(self.tr("Theme"), self.theme_selector)
        form.addRow(self.tr("New workspace provider"), self.provider_selector)
        form.addRow(self.tr("New workspace model"), self.model_selector)
        form.addRow("", self.reopen_check)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(limits)
        layout.addWidget(buttons)

        self.language_selector.currentIndexChanged.connect(self._changed)
        self.theme_selector.currentIndexChanged.connect(self._theme_changed)
        self.provider_selector.currentIndexChanged.connect(self._provider_changed)
        self.model_selector.currentTextChanged.connect(self._changed)
        self.reopen_check.toggled.connect(self._changed)
        self.max_answer_spin.valueChanged.connect(self._limits_changed)
        self.deadline_spin.valueChanged.connect(self._limits_changed)

    def _show_deadline(self) -> None:
        seconds = self.deadline_spin.value()
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        if hours:
            text = self.tr("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
        elif minutes:
            text = self.tr("{minutes} min {seconds} s").format(minutes=minutes, seconds=seconds)
        else:
            text = self.tr("{seconds} s").format(seconds=seconds)
        self.deadline_note.setText(text)

    def _limits_changed(self) -> None:
        self._show_deadline()
        self._changed()
        self.run_limits_changed.emit()

    @staticmethod
    def _select(combo: QComboBox, value: str) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(max(index, 0))

    def _fill_models(self) -> None:
        provider = str(self.provider_selector.currentData() or "")
        text = self.model_selector.currentText()
        self.model_selector.blockSignals(True)
        self.model_selector.clear()
        if provider:
            self.model_selector.addItems(self._models_for(provider))
        self.model_selector.setEditText(text)
        self.model_selector.blockSignals(False)

    def _provider_changed(self) -> None:
        self._fill_models()
        self.model_selector.setEditText("")
        self._changed()

    def _theme_changed(self) -> None:
        self._changed()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self._settings.theme)

    def _changed(self, *_args: object) -> None:
        settings = self._settings
        settings.language = str(self.language_selector.currentData())
        settings.theme = str(self.theme_selector.currentData())
        settings.default_provider = str(self.provider_selector.currentData() or "")
        settings.default_model = self.model_selector.currentText().strip()
        settings.reopen_last_workspace = self.reopen_check.isChecked()
        settings.max_answer_mb = float(self.max_answer_spin.value())
        settings.run_deadline_seconds = float(self.deadline_spin.value())
        try:
            settings.save()
        except OSError as error:
            log.warning("Settings not saved: %s", error)


class WorkspaceProperties(QDialog):
    """File › Properties: the workspace's title (object name ``workspacePropertiesDialog``)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workspacePropertiesDialog")
        self.setWindowTitle(self.tr("Workspace properties"))
        self.title_edit = QLineEdit(title)
        named(self.title_edit, "titleEdit")
        self.title_edit.selectAll()
        note = QLabel(self.tr("Exports, the history and comparisons are named after the title."))
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Title"), self.title_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def title(self) -> str:
        """The title typed (spaces around it removed; "Untitled" when left empty)."""
        return self.title_edit.text().strip() or "Untitled"


def widget_shortcuts() -> list[tuple[str, str]]:
    """The keys that work without a menu action (in the cards, lists and editors)."""
    return [
        (
            "Tab / Shift+Tab",
            QCoreApplication.translate(
                "ShortcutsDialog", "Walk every card in order (the list scrolls to it)"
            ),
        ),
        (
            "Alt+Up / Alt+Down",
            QCoreApplication.translate("ShortcutsDialog", "Move the focused card"),
        ),
        (
            "Down, Return",
            QCoreApplication.translate(
                "ShortcutsDialog", "History: from the search to the list; reopen the run"
            ),
        ),
    ]


def _menu_path(action: QAction) -> str:
    names: list[str] = []
    for widget in action.associatedObjects():
        if isinstance(widget, QMenu):
            menu: QObject | None = widget
            while isinstance(menu, QMenu):
                names.insert(0, menu.title().replace("&", ""))
                parent = menu.menuAction().associatedObjects()
                menu = next((m for m in parent if isinstance(m, QMenu)), None)
            break
    return " › ".join(names)


def window_shortcuts(window: QWidget) -> list[tuple[str, str]]:
    """Every action of ``window`` with a shortcut: (keys, "Menu › Action")."""
    rows: list[tuple[str, str]] = []
    seen: set[int] = set()
    for action in window.findChildren(QAction):
        keys = [k for k in action.shortcuts() if not k.isEmpty()]
        if not keys or id(action) in seen:
            continue
        seen.add(id(action))
        text = action.text().replace("&", "").rstrip("…").strip()
        path = _menu_path(action)
        label = f"{path} › {text}" if path else text
        shown = " / ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
        rows.append((shown, label))
    rows.sort(key=lambda row: row[1])
    return rows


class ShortcutsDialog(QDialog):
    """Help › Keyboard shortcuts: every shortcut of the window (object name ``shortcutsDialog``)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(560, 620)
        rows = window_shortcuts(window) + widget_shortcuts()
        self.table = QTableWidget(len(rows), 2)
        named(self.table, "shortcutsTable")
        self.table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("Action")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (keys, label) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(label))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
