"""The Tools tab: the workspace's function schemas, edited as JSON that is checked as it is typed.

Object names: ``toolsEditor`` (the tab), ``toolList`` (tools, checkbox = sent with the next run),
``toolJsonEdit`` (the selected tool's JSON), ``toolFormView`` (the same tool as a form, for simple
schemas), ``toolErrors`` (its problems, with line and column), ``toolMockEdit`` (the mock result
that pre-fills its result cards), ``toolChoiceSelector``, and the buttons ``addToolButton``,
``duplicateToolButton``, ``deleteToolButton``, ``moveToolUpButton``, ``moveToolDownButton``,
``importToolsButton``, ``exportToolsButton``.

Every edit goes through the window's undo stack (:mod:`workbench.ui.tools.tool_undo`); the text
typed is stored at once, whether it is valid or not, and checked after a short pause.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QSplitter,
    QTabWidget,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.tool_form import ToolForm, form_from_tool, form_refusal, tool_with_form
from workbench.core.tools import (
    TEMPLATES,
    ToolRules,
    ToolsCheck,
    blank_tool,
    check_tools,
    enabled_function_names,
    rules_for,
    tool_choice_problem,
    tool_entries_from_text,
    tools_to_text,
    unused_name,
)
from workbench.core.workspace import (
    ListEdit,
    ToolEntry,
    Workspace,
    WorkspaceError,
    write_atomic,
)
from workbench.ui.common import dialogs
from workbench.ui.common.background import BackgroundTasks
from workbench.ui.common.i18n import shown
from workbench.ui.common.palette import Colours, ThemeFollower, colours
from workbench.ui.common.widgets import named
from workbench.ui.tools.tool_form_view import ToolFormView
from workbench.ui.tools.tool_undo import (
    EditToolSource,
    InsertTools,
    MoveTool,
    RemoveTool,
    SetToolChoice,
    SetToolField,
    index_of,
)

if TYPE_CHECKING:
    from workbench.ui.context import AppContext, Shell

#: Pause after the last keystroke before the tool is checked again.
VALIDATION_DELAY_MS = 250
INDENT = "  "


class JsonHighlighter(QSyntaxHighlighter):
    """Colours JSON: keys, strings, numbers, literals and brackets."""

    _TOKENS = re.compile(
        r'(?P<string>"(?:[^"\\]|\\.)*"?)(?P<colon>\s*:)?'
        r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
        r"|(?P<literal>\b(?:true|false|null)\b)"
        r"|(?P<bracket>[{}\[\]])"
    )

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._formats: dict[str, QTextCharFormat] = {}
        self._make_formats(colours())

    def _make_formats(self, values: Colours) -> None:
        for kind, bold in (
            ("key", True),
            ("string", False),
            ("number", False),
            ("literal", False),
            ("bracket", True),
        ):
            text_format = QTextCharFormat()
            text_format.setForeground(values.qcolor(f"json_{kind}"))
            if bold:
                text_format.setFontWeight(QFont.Weight.DemiBold)
            self._formats[kind] = text_format

    def set_colours(self, values: Colours) -> None:
        """Colours the text with ``values`` (a theme switch): the shown text at once."""
        self._make_formats(values)
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        for match in self._TOKENS.finditer(text):
            kind = match.lastgroup or ""
            if match.group("string") is not None:
                kind = "key" if match.group("colon") else "string"
                start, end = match.span("string")
            else:
                start, end = match.span()
            self.setFormat(start, end - start, self._formats[kind])


class JsonEdit(QPlainTextEdit):
    """A plain-text JSON editor with auto-indent. Leaves undo/redo to the window's stack."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setUndoRedoEnabled(False)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.setFont(font)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * len(INDENT))
        self.highlighter = JsonHighlighter(self.document())
        ThemeFollower(self, self.highlighter.set_colours)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            for standard in (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo):
                if event.matches(standard):
                    event.ignore()  # the window's Undo/Redo covers tool edits
                    return False
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            self._newline()
            return
        if key == Qt.Key.Key_Tab and plain:
            self.textCursor().insertText(INDENT)
            return
        if event.text() in ("}", "]") and plain:
            self._dedent_closing()
        super().keyPressEvent(event)

    def _newline(self) -> None:
        """Enter keeps the line's indentation, one level deeper after an opening bracket."""
        cursor = self.textCursor()
        line = cursor.block().text()
        column = cursor.positionInBlock()
        before, after = line[:column], line[column:]
        indent = re.match(r"[ \t]*", line).group(0)  # type: ignore[union-attr]
        opens = before.rstrip().endswith(("{", "["))
        closes = after.lstrip().startswith(("}", "]"))
        cursor.beginEditBlock()
        if opens:
            cursor.insertText("\n" + indent + INDENT)
            if closes:
                position = cursor.position()
                cursor.insertText("\n" + indent)
                cursor.setPosition(position)
        else:
            cursor.insertText("\n" + indent)
        cursor.endEditBlock()
        self.setTextCursor(cursor)

    def _dedent_closing(self) -> None:
        """Typing a closing bracket on a blank line takes one level of indentation away."""
        cursor = self.textCursor()
        before = cursor.block().text()[: cursor.positionInBlock()]
        if before and not before.strip() and before.endswith(INDENT):
            for _ in INDENT:
                cursor.deletePreviousChar()
            self.setTextCursor(cursor)

    def mark_problems(self, marks: list[tuple[int, int, str]]) -> None:
        """Underlines ``(start, end, colour)`` spans with a wavy line."""
        selections = []
        length = len(self.toPlainText())
        for start, end, colour in marks:
            selection = QTextEdit.ExtraSelection()
            selection.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            selection.format.setUnderlineColor(QColor(colour))
            cursor = QTextCursor(self.document())
            start = max(0, min(start, length))
            end = max(start, min(end, length))
            if end == start:  # an error at the very end: mark the last character
                start = max(0, start - 1)
            cursor.setPosition(start)
            cursor.setPosition(
                max(end, start + 1) if length else start, QTextCursor.MoveMode.KeepAnchor
            )
            selection.cursor = cursor
            selections.append(selection)
        self.setExtraSelections(selections)

    def go_to(self, offset: int) -> None:
        """Puts the cursor at character ``offset`` and the focus here."""
        cursor = self.textCursor()
        cursor.setPosition(max(0, min(offset, len(self.toPlainText()))))
        self.setTextCursor(cursor)
        self.centerCursor()
        self.setFocus()


def _button(name: str, text: str, tip: str) -> QToolButton:
    button = QToolButton()
    named(button, name)
    button.setText(text)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    return button


class ToolsEditor(QWidget):
    """The Tools tab: list, JSON editor, problems, mock result and ``tool_choice``.

    Args:
        workspace: The window's workspace (its ``tools`` and ``tool_choice`` are edited).
        undo_stack: The window's undo stack; every edit is a command on it.
        rules: The rules of the provider the tools go to (names, built-ins); by default those
            of the workspace's provider among the presets.

    Signals:
        status_changed(text): something to tell the user in the status bar.
        checked(): the tools were checked again (tests and the send check follow it).
    """

    status_changed = Signal(str)
    checked = Signal()

    def __init__(
        self,
        workspace: Workspace,
        undo_stack: QUndoStack,
        rules: Callable[[], ToolRules] | None = None,
    ) -> None:
        super().__init__()
        named(self, "toolsEditor")
        self._workspace = workspace
        self._undo = undo_stack
        self._rules = rules or (lambda: rules_for(workspace.params.provider))
        self._current: ToolEntry | None = None
        self._last_check: ToolsCheck | None = None
        #: The last text the form wrote, so that showing it does not rebuild the form mid-edit.
        self._form_source: str | None = None
        #: The tool the form shows (None: no tool).
        self._form_entry: ToolEntry | None = None
        #: What each row and the tool_choice list show, so that a keystroke touches only the
        #: edited tool's row in Qt.
        self._labels: dict[int, tuple[str, str]] = {}
        self._choice_shown: tuple[tuple[str, ...], str] | None = None
        self._io = BackgroundTasks(self, serial=True)
        self._build()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(VALIDATION_DELAY_MS)
        self._timer.timeout.connect(self.validate_now)
        # The tools panel shows the tools, tool_choice, and the provider's naming rules.
        workspace.tools_changed.connect(self._on_tools_changed)
        workspace.tool_choice_changed.connect(self.refresh)
        workspace.params_changed.connect(
            lambda name: self.refresh() if name == "provider" else None
        )
        workspace.reset.connect(self.refresh)
        self.refresh()
        self.validate_now()

    # Layout ----------------------------------------------------------------------------------

    def _build(self) -> None:
        self.tool_list = QListWidget()
        named(self.tool_list, "toolList")
        self.tool_list.setToolTip(
            self.tr("The workspace's tools; ticked ones are sent with the next run")
        )

        self.add_button = _button("addToolButton", self.tr("+ Add"), self.tr("Add a tool"))
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        add_menu = QMenu(self.add_button)
        add_menu.addAction(self.tr("Blank tool"), self.add_blank)
        for label, text in TEMPLATES:
            add_menu.addAction(
                self.tr("Template: {label}").format(label=label), partial(self.add_template, text)
            )
        add_menu.addAction(self.tr("From JSON…"), self.add_from_json)
        self.add_button.setMenu(add_menu)
        self.duplicate_button = _button(
            "duplicateToolButton", self.tr("Copy"), self.tr("Duplicate the tool")
        )
        self.delete_button = _button("deleteToolButton", "✕", self.tr("Delete the tool"))
        self.up_button = _button("moveToolUpButton", "↑", self.tr("Move the tool up"))
        self.down_button = _button("moveToolDownButton", "↓", self.tr("Move the tool down"))
        self.import_button = _button(
            "importToolsButton", self.tr("Import"), self.tr("Add tools from a JSON array")
        )
        self.import_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        import_menu = QMenu(self.import_button)
        import_menu.addAction(self.tr("From file…"), self.import_from_file)
        import_menu.addAction(self.tr("From clipboard"), self.import_from_clipboard)
        self.import_button.setMenu(import_menu)
        self.export_button = _button(
            "exportToolsButton",
            self.tr("Export"),
            self.tr("Write the tools as an OpenAI tools array"),
        )
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        export_menu = QMenu(self.export_button)
        export_menu.addAction(self.tr("To file…"), self.export_to_file)
        export_menu.addAction(self.tr("To clipboard"), self.export_to_clipboard)
        self.export_button.setMenu(export_menu)

        buttons = QHBoxLayout()
        buttons.setSpacing(2)
        for button in (
            self.add_button,
            self.duplicate_button,
            self.delete_button,
            self.up_button,
            self.down_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.export_button)

        self.tool_choice_selector = QComboBox()
        named(self.tool_choice_selector, "toolChoiceSelector")
        self.tool_choice_selector.setToolTip(
            self.tr(
                "tool_choice: auto lets the model decide, none forbids calls, required forces one, "
                "or force a named function"
            )
        )
        choice_row = QHBoxLayout()
        choice_row.addWidget(QLabel("tool_choice"))
        choice_row.addWidget(self.tool_choice_selector, 1)

        self.json_edit = JsonEdit()
        named(self.json_edit, "toolJsonEdit")
        self.json_edit.setPlaceholderText(self.tr("Add a tool to edit its JSON schema here."))

        self.errors = QListWidget()
        named(self.errors, "toolErrors")
        self.errors.setWordWrap(True)
        self.errors.setToolTip(self.tr("Problems of the selected tool; click one to go to it"))

        self.mock_edit = QPlainTextEdit()
        named(self.mock_edit, "toolMockEdit")
        self.mock_edit.setUndoRedoEnabled(False)
        self.mock_edit.setPlaceholderText(
            self.tr("Optional: what this tool would return, e.g. the output of a sample run")
        )

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.tool_list, 1)
        top_layout.addLayout(buttons)
        top_layout.addLayout(choice_row)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(QLabel(self.tr("Problems")))
        bottom_layout.addWidget(self.errors, 1)
        mock_label = QLabel(
            self.tr("Mock result (pre-fills the result card when the model calls it)")
        )
        mock_label.setBuddy(self.mock_edit)
        bottom_layout.addWidget(mock_label)
        bottom_layout.addWidget(self.mock_edit)
        self.mock_edit.setMaximumHeight(70)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        self.form_view = ToolFormView()
        self.view_tabs = QTabWidget()
        self.view_tabs.setObjectName("toolViewTabs")
        self.view_tabs.setDocumentMode(True)
        self.view_tabs.addTab(self.json_edit, self.tr("JSON"))
        self.view_tabs.addTab(self.form_view, self.tr("Form"))
        splitter.addWidget(self.view_tabs)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([170, 360, 150])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)

        self.tool_list.currentRowChanged.connect(self._on_row_changed)
        self.tool_list.itemChanged.connect(self._on_item_changed)
        self.duplicate_button.clicked.connect(self.duplicate_current)
        self.delete_button.clicked.connect(self.delete_current)
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(1))
        self.add_button.clicked.connect(self.add_blank)
        self.json_edit.textChanged.connect(self._on_json_typed)
        self.mock_edit.textChanged.connect(self._on_mock_typed)
        self.errors.itemClicked.connect(self._on_error_clicked)
        self.form_view.form_edited.connect(self._on_form_edited)
        self.tool_choice_selector.activated.connect(self._on_choice_chosen)

    # Showing the workspace -------------------------------------------------------------------

    @property
    def current(self) -> ToolEntry | None:
        """The tool shown in the editor."""
        return self._current

    def _on_tools_changed(self, edit: ListEdit) -> None:
        tools = self._workspace.tools
        if (
            edit.kind == "update"
            and edit.field in ("source", "mock_result")
            and self.tool_list.count() == len(tools)
            and any(t is self._current for t in tools)
        ):
            # One tool's text changed (a keystroke): nothing to do for the other 127 rows but
            # the labels and the tool_choice list, which only touch Qt where they changed.
            self._show_current()
            self._refresh_choice()
            self._update_labels()
            self._timer.start()
            return
        self.refresh()

    def refresh(self) -> None:
        """Shows the workspace's tools as they are now (after any edit, undo or file open)."""
        tools = self._workspace.tools
        if self._current is not None and not any(t is self._current for t in tools):
            self._current = None
        if self._current is None and tools:
            self._current = tools[0]
        if self.tool_list.count() != len(tools):
            self._labels.clear()  # rows were added or taken: set every label again
        with QSignalBlocker(self.tool_list):
            while self.tool_list.count() > len(tools):
                self.tool_list.takeItem(self.tool_list.count() - 1)
            while self.tool_list.count() < len(tools):
                item = QListWidgetItem()
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                self.tool_list.addItem(item)
            for row, entry in enumerate(tools):
                item = self.tool_list.item(row)
                state = Qt.CheckState.Checked if entry.enabled else Qt.CheckState.Unchecked
                if item.checkState() != state:
                    item.setCheckState(state)
            self.tool_list.setCurrentRow(
                index_of(self._workspace, self._current) if self._current is not None else -1
            )
        self._show_current()
        self._refresh_choice()
        self._update_labels()
        self._timer.start()

    def _show_current(self) -> None:
        entry = self._current
        source = entry.source if entry is not None else ""
        mock = (entry.mock_result or "") if entry is not None else ""
        self.json_edit.setEnabled(entry is not None)
        self.mock_edit.setEnabled(entry is not None)
        for button in (self.duplicate_button, self.delete_button, self.up_button, self.down_button):
            button.setEnabled(entry is not None)
        _set_text_keeping_cursor(self.json_edit, source)
        _set_text_keeping_cursor(self.mock_edit, mock)
        if entry is not self._form_entry:
            # Another tool (or none: a new or opened workspace): nothing of the last one stays,
            # not even in a form disabled because this one's JSON does not parse.
            self._form_entry = entry
            self._form_source = None
            self.form_view.clear()
        if entry is None:
            self.form_view.show_form(None, self.tr("Add a tool to edit it here."))
        elif source != self._form_source:
            # Changed elsewhere (JSON, undo): show it. A change the form made is shown already.
            tool = entry.parsed()
            self.form_view.show_form(form_from_tool(tool), form_refusal(tool))

    def _refresh_choice(self) -> None:
        choice = self._workspace.tool_choice
        names = enabled_function_names(self._workspace.tools)
        options: list[tuple[str, str | dict[str, Any]]] = [
            ("auto", "auto"),
            ("none", "none"),
            ("required", "required"),
        ]
        options += [(f"function: {n}", _named_choice(n)) for n in names]  # no-tr: API values
        if isinstance(choice, dict) and choice not in [o[1] for o in options]:
            name = choice.get("function", {}).get("name")
            options.append(
                (
                    self.tr("function: {name} (not an enabled tool)").format(name=name),
                    choice,
                )
            )
        shown = (tuple(label for label, _ in options), repr(choice))
        if shown == self._choice_shown:
            return  # a keystroke in one of 128 tools: the list is as it was
        self._choice_shown = shown
        selector = self.tool_choice_selector
        with QSignalBlocker(selector):
            if selector.count() == len(options):
                # A tool renamed as it is typed: change the rows that differ, not all 131.
                for row, (label, value) in enumerate(options):
                    if selector.itemText(row) != label:
                        selector.setItemText(row, label)
                        selector.setItemData(row, value)
            else:
                selector.clear()
                for label, value in options:
                    selector.addItem(label, value)
            current = next((i for i, o in enumerate(options) if o[1] == choice), 0)
            selector.setCurrentIndex(current)

    def _update_labels(self) -> None:
        check = self._last_check
        labels = self._labels
        for row, entry in enumerate(self._workspace.tools):
            result = check.tools[row] if check and row < len(check.tools) else None
            name = result.name if result and result.name else None
            label = name or (entry.source.strip().splitlines() or ["(empty)"])[0][:40]
            blocking = result is not None and not result.valid
            text = f"{'✕ ' if blocking else ''}{label}"
            if not entry.enabled:
                text += "  (off)"
            tip = self.tr("Has problems: it cannot be sent while enabled") if blocking else label
            if labels.get(row) == (text, tip):
                continue  # unchanged: no call into Qt for the 127 tools not being edited
            labels[row] = (text, tip)
            item = self.tool_list.item(row)
            with QSignalBlocker(self.tool_list):
                if item.text() != text:
                    item.setText(text)
                item.setToolTip(tip)

    # Checking --------------------------------------------------------------------------------

    def validate_now(self) -> None:
        """Checks every tool now, lists the selected tool's problems and marks them in its text."""
        self._timer.stop()
        tools = self._workspace.tools
        check = check_tools(tools, self._rules())
        self._last_check = check
        self._update_labels()
        self.errors.clear()
        marks = []
        values = colours()
        if self._current is not None:
            row = index_of(self._workspace, self._current)
            for problem in check.tools[row].problems:
                icon = "✕" if problem.blocking else "!"
                item = QListWidgetItem(f"{icon} {shown(problem.text())}")
                item.setForeground(values.qcolor("error" if problem.blocking else "warning"))
                item.setData(Qt.ItemDataRole.UserRole, problem.start)
                self.errors.addItem(item)
                if problem.start is not None and problem.end is not None:
                    colour = values.error if problem.blocking else values.warning
                    marks.append((problem.start, problem.end, colour))
        general = list(check.general)
        choice = tool_choice_problem(self._workspace.tool_choice, tools, check)
        if choice:
            general.append(choice)
        for text in general:
            item = QListWidgetItem(f"✕ {shown(text)}")
            item.setForeground(values.qcolor("error"))
            self.errors.addItem(item)
        if self._current is not None and not self.errors.count():
            self.errors.addItem(QListWidgetItem(self.tr("✓ No problems: this tool can be sent.")))
        self.json_edit.mark_problems(marks)
        self.checked.emit()

    def problem_texts(self) -> list[str]:
        """The lines of ``toolErrors`` as shown."""
        return [self.errors.item(i).text() for i in range(self.errors.count())]

    # Editing ---------------------------------------------------------------------------------

    def select(self, entry: ToolEntry) -> None:
        """Shows ``entry`` in the editor."""
        self._current = entry
        self._form_source = None
        with QSignalBlocker(self.tool_list):
            self.tool_list.setCurrentRow(index_of(self._workspace, entry))
        self._show_current()
        self.validate_now()

    def _on_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._workspace.tools):
            self.select(self._workspace.tools[row])

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        row = self.tool_list.row(item)
        if not 0 <= row < len(self._workspace.tools):
            return
        entry = self._workspace.tools[row]
        enabled = item.checkState() == Qt.CheckState.Checked
        if enabled != entry.enabled:
            self._undo.push(SetToolField(self._workspace, entry, "enabled", enabled))

    def _on_json_typed(self) -> None:
        entry = self._current
        text = self.json_edit.toPlainText()
        if entry is None or text == entry.source:
            return
        self._undo.push(EditToolSource(self._workspace, entry, text))

    def _on_form_edited(self, form: ToolForm) -> None:
        entry = self._current
        if entry is None:
            return
        text = tool_with_form(entry.parsed(), form)
        if text != entry.source:
            self._form_source = text
            self._undo.push(EditToolSource(self._workspace, entry, text))

    def _on_mock_typed(self) -> None:
        entry = self._current
        text = self.mock_edit.toPlainText()
        if entry is None or text == (entry.mock_result or ""):
            return
        value = text if text else None
        self._undo.push(SetToolField(self._workspace, entry, "mock_result", value))

    def _on_error_clicked(self, item: QListWidgetItem) -> None:
        offset = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(offset, int):
            self.json_edit.go_to(offset)

    def _on_choice_chosen(self, index: int) -> None:
        value = self.tool_choice_selector.itemData(index)
        if value is not None and value != self._workspace.tool_choice:
            self._undo.push(SetToolChoice(self._workspace, value))

    def add_tools(self, entries: list[ToolEntry], text: str = "") -> None:
        """Inserts ``entries`` after the selected tool (one undo step) and selects the first."""
        if not entries:
            return
        at = (
            index_of(self._workspace, self._current) + 1
            if self._current is not None
            else len(self._workspace.tools)
        )
        label = text or (
            self.tr("Add tool")
            if len(entries) == 1
            else self.tr("Add {count} tools").format(count=len(entries))
        )
        self._current = entries[0]
        self._undo.push(InsertTools(self._workspace, at, entries, label))
        self.select(entries[0])

    def add_template(self, text: str) -> None:
        """Add > Template: a copy of a template tool."""
        self.add_tools([ToolEntry(text)])

    def add_blank(self) -> None:
        """Add > Blank tool, named so that it does not clash with the others."""
        self.add_tools([ToolEntry(blank_tool(unused_name(self._workspace.tools, "new_tool")))])
        self.json_edit.setFocus()

    def add_from_json(self) -> None:
        """Add > From JSON: tools pasted into a dialog (a tool, an array or a request body)."""
        text = dialogs.ask_text(
            self,
            self.tr("Add tools from JSON"),
            self.tr("Paste a tool object, a tools array or a request body:"),
        )
        if text:
            self._add_from_text(text, self.tr("the pasted text"))

    def _add_from_text(self, text: str, what: str) -> bool:
        try:
            entries = tool_entries_from_text(text)
        except WorkspaceError as error:
            dialogs.show_error(
                self,
                self.tr("Cannot add tools"),
                f"{what[:1].upper()}{what[1:]}: {error}",
                self.tr(
                    "Expected a JSON array of tools (OpenAI format), one tool or a request body."
                ),
            )
            return False
        self.add_tools(entries)
        self.status_changed.emit(
            self.tr("Added {count} tool(s) from {what}.").format(count=len(entries), what=what)
        )
        return True

    def duplicate_current(self) -> None:
        """Duplicates the selected tool right after it."""
        entry = self._current
        if entry is not None:
            copy = ToolEntry(entry.source, entry.enabled, entry.mock_result)
            self.add_tools([copy], self.tr("Duplicate tool"))

    def delete_current(self) -> None:
        """Deletes the selected tool (Undo brings it back)."""
        entry = self._current
        if entry is None:
            return
        row = index_of(self._workspace, entry)
        tools = self._workspace.tools
        following = tools[row + 1] if row + 1 < len(tools) else (tools[row - 1] if row else None)
        self._current = following
        self._undo.push(RemoveTool(self._workspace, entry))

    def move_current(self, step: int) -> None:
        """Moves the selected tool up (-1) or down (+1)."""
        entry = self._current
        if entry is None:
            return
        row = index_of(self._workspace, entry)
        destination = row + step
        if 0 <= destination < len(self._workspace.tools):
            self._undo.push(MoveTool(self._workspace, entry, destination))

    # Import and export -----------------------------------------------------------------------

    def import_from_clipboard(self) -> None:
        """Import > From clipboard."""
        text = QGuiApplication.clipboard().text()
        if not text.strip():
            self.status_changed.emit(self.tr("The clipboard holds no text to import."))
            return
        self._add_from_text(text, self.tr("the clipboard"))

    def export_to_clipboard(self) -> None:
        """Export > To clipboard: the tools as an OpenAI tools array."""
        text, skipped = tools_to_text(self._workspace.tools)
        QGuiApplication.clipboard().setText(text)
        self.status_changed.emit(
            _exported(self.tr("the clipboard"), len(self._workspace.tools), skipped)
        )

    def import_from_file(self) -> None:
        """Import > From file (read off the UI thread)."""
        path = dialogs.choose_json_open_path(self, self.tr("Import tools"))
        if path:
            self._submit("import", path, lambda: Path(path).read_text(encoding="utf-8-sig"))

    def export_to_file(self) -> None:
        """Export > To file (written atomically, off the UI thread)."""
        path = dialogs.choose_json_save_path(self, self.tr("Export tools"), self.tr("tools.json"))
        if not path:
            return
        text, skipped = tools_to_text(self._workspace.tools)
        message = _exported(Path(path).name, len(self._workspace.tools), skipped)

        def write() -> str:
            write_atomic(Path(path), text)
            return message

        self._submit("export", path, write)

    def _submit(self, kind: str, path: str, work: Callable[[], str]) -> None:
        self._io.run(
            work,
            lambda text: self._on_file_done(kind, text),
            lambda error: self._on_file_failed(kind, path, error),
        )

    def _on_file_failed(self, kind: str, path: str, error: Exception) -> None:
        reason = getattr(error, "strerror", None) or str(error)
        title = (
            self.tr("Cannot import tools") if kind == "import" else self.tr("Cannot export tools")
        )
        dialogs.show_error(self, title, f"{path}: {reason}")

    def _on_file_done(self, kind: str, text: str) -> None:
        if kind == "import":
            self._add_from_text(text, self.tr("the file"))
        else:
            self.status_changed.emit(text)


def _exported(where: str, count: int, skipped: int) -> str:
    text = QCoreApplication.translate("ToolsEditor", "Exported {count} tool(s) to {where}.").format(
        count=count - skipped, where=where
    )
    if skipped:
        text += " " + QCoreApplication.translate(
            "ToolsEditor", "{count} left out: their text is not valid JSON yet."
        ).format(count=skipped)
    return text


def _named_choice(name: str) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name}}


def _set_text_keeping_cursor(edit: QPlainTextEdit, text: str) -> None:
    """Replaces the editor's text without announcing it as typing, keeping the cursor near."""
    if edit.toPlainText() == text:
        return
    with QSignalBlocker(edit):
        position = edit.textCursor().position()
        edit.setPlainText(text)
        cursor = edit.textCursor()
        cursor.setPosition(min(position, len(text)))
        edit.setTextCursor(cursor)


def install(shell: Shell, context: AppContext) -> ToolsEditor:
    """Adds the Tools tab beside the parameters and returns it."""

    def rules() -> ToolRules:
        provider_id = context.workspace.params.provider
        provider = context.providers.get(provider_id)
        if provider is None:
            return rules_for(provider_id)
        return rules_for(provider.id, provider.kind, provider.name)

    editor = ToolsEditor(context.workspace, context.undo_stack, rules)
    shell.add_side_tab(editor, QCoreApplication.translate("ToolEditor", "Tools"))
    editor.status_changed.connect(context.show_status)
    context.document.loaded.connect(editor.refresh)
    return editor
