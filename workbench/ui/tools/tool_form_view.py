"""The form view of a simple tool (``toolFormView``): name, description, a table of parameters.

The form shows the tool's current JSON; every change in it rewrites the JSON (kept in sync both
ways by the Tools tab). Tools the form cannot show faithfully are left to the JSON editor, with a
note saying why.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.tool_form import FORM_TYPES, FormParameter, ToolForm
from workbench.ui.common.i18n import QT_TRANSLATE_NOOP
from workbench.ui.common.palette import ThemedStyleSheet
from workbench.ui.common.widgets import named

COLUMNS = (
    QT_TRANSLATE_NOOP("ToolFormView", "Name"),
    QT_TRANSLATE_NOOP("ToolFormView", "Type"),
    QT_TRANSLATE_NOOP("ToolFormView", "Required"),
    QT_TRANSLATE_NOOP("ToolFormView", "Enum (comma-separated)"),
    QT_TRANSLATE_NOOP("ToolFormView", "Description"),
)
_NAME, _TYPE, _REQUIRED, _ENUM, _DESCRIPTION = range(len(COLUMNS))


class ToolFormView(QWidget):
    """Edits a :class:`ToolForm`.

    Signals:
        form_edited(form): the user changed the form; ``form`` is what it shows now.
    """

    form_edited = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "toolFormView")
        self.note = QLabel()
        self.note.setObjectName("toolFormNote")
        self.note.setWordWrap(True)
        ThemedStyleSheet(self.note, lambda c: f"color: {c.muted};")
        self.name_edit = QLineEdit()
        named(self.name_edit, "toolNameEdit")
        self.description_edit = QLineEdit()
        named(self.description_edit, "toolDescriptionEdit")
        self.table = QTableWidget(0, len(COLUMNS))
        named(self.table, "toolParamsTable")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.add_button = QToolButton()
        self.add_button.setObjectName("addParamButton")
        self.add_button.setText(self.tr("+ Parameter"))
        self.remove_button = QToolButton()
        self.remove_button.setObjectName("removeParamButton")
        self.remove_button.setText(self.tr("Remove"))

        fields = QFormLayout()
        fields.addRow(self.tr("Name"), self.name_edit)
        fields.addRow(self.tr("Description"), self.description_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.note)
        layout.addLayout(fields)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self.name_edit.textEdited.connect(self._announce)
        self.description_edit.textEdited.connect(self._announce)
        self.table.itemChanged.connect(self._announce)
        self.add_button.clicked.connect(self.add_parameter)
        self.remove_button.clicked.connect(self.remove_parameter)

    def clear(self) -> None:
        """Empties the fields (another tool, or none, is about to be shown)."""
        with QSignalBlocker(self.table):
            self.name_edit.clear()
            self.description_edit.clear()
            self.table.setRowCount(0)

    def show_form(self, form: ToolForm | None, refusal: str | None) -> None:
        """Shows ``form``; ``None`` disables the form and shows ``refusal``."""
        self.note.setText(refusal or "")
        self.note.setVisible(bool(refusal))
        for widget in (self.name_edit, self.description_edit, self.table):
            widget.setEnabled(form is not None)
        self.add_button.setEnabled(form is not None)
        self.remove_button.setEnabled(form is not None)
        if form is None:
            return
        with QSignalBlocker(self.table):
            if self.name_edit.text() != form.name:
                self.name_edit.setText(form.name)
            if self.description_edit.text() != form.description:
                self.description_edit.setText(form.description)
            self.table.setRowCount(len(form.parameters))
            for row, parameter in enumerate(form.parameters):
                self._show_row(row, parameter)

    def _show_row(self, row: int, parameter: FormParameter) -> None:
        def text_item(column: int, text: str) -> None:
            item = self.table.item(row, column)
            if item is None:
                item = QTableWidgetItem()
                self.table.setItem(row, column, item)
            if item.text() != text:
                item.setText(text)

        text_item(_NAME, parameter.name)
        text_item(_ENUM, ", ".join(parameter.enum))
        text_item(_DESCRIPTION, parameter.description)
        required = self.table.item(row, _REQUIRED)
        if required is None:
            required = QTableWidgetItem()
            required.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(row, _REQUIRED, required)
        state = Qt.CheckState.Checked if parameter.required else Qt.CheckState.Unchecked
        if required.checkState() != state:
            required.setCheckState(state)
        combo = self.table.cellWidget(row, _TYPE)
        if not isinstance(combo, QComboBox):
            combo = QComboBox()
            combo.addItems(list(FORM_TYPES))
            combo.activated.connect(self._announce)
            self.table.setCellWidget(row, _TYPE, combo)
        with QSignalBlocker(combo):
            combo.setCurrentText(parameter.type)

    def form(self) -> ToolForm:
        """What the form shows now (rows without a name left out)."""
        rows = []
        for row in range(self.table.rowCount()):

            def text(column: int, row: int = row) -> str:
                item = self.table.item(row, column)
                return item.text().strip() if item is not None else ""

            name = text(_NAME)
            if not name:
                continue
            combo = self.table.cellWidget(row, _TYPE)
            required = self.table.item(row, _REQUIRED)
            enum = [v.strip() for v in text(_ENUM).split(",") if v.strip()]
            rows.append(
                FormParameter(
                    name=name,
                    type=combo.currentText() if isinstance(combo, QComboBox) else "string",
                    required=required is not None
                    and required.checkState() == Qt.CheckState.Checked,
                    enum=enum,
                    description=text(_DESCRIPTION),
                )
            )
        return ToolForm(self.name_edit.text(), self.description_edit.text(), rows)

    def add_parameter(self) -> None:
        """Adds a parameter row named ``param_N`` (a nameless row would not reach the JSON)."""
        taken = {p.name for p in self.form().parameters}
        number = self.table.rowCount() + 1
        while f"param_{number}" in taken:
            number += 1
        row = self.table.rowCount()
        with QSignalBlocker(self.table):
            self.table.insertRow(row)
            self._show_row(row, FormParameter(f"param_{number}"))
        self._announce()
        self.table.setCurrentCell(row, _NAME)

    def remove_parameter(self) -> None:
        """Removes the selected parameter row."""
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self._announce()

    def _announce(self, *_args: object) -> None:
        self.form_edited.emit(self.form())
