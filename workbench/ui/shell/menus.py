"""The window's menu bar: File, Edit, View, Run, Settings and Help, and their shortcuts."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMainWindow, QMenu, QTabWidget

from workbench.core.settings import Settings
from workbench.ui.shell.document_actions import DocumentActions

if TYPE_CHECKING:
    from PySide6.QtGui import QAction, QKeySequence


class MenuCommands(Protocol):
    """What the menus call on the window besides the document's actions."""

    def new_card(self) -> None:
        """Edit › New message."""
        ...

    def card_action(self, action: str) -> None:
        """Edit › Duplicate / Delete message (``action``) on the focused card."""
        ...

    def toggle_partial(self) -> None:
        """Edit › Toggle partial."""
        ...

    def edit_properties(self) -> None:
        """File › Properties."""
        ...

    def send(self) -> None:
        """Run › Send."""
        ...

    def stop(self) -> None:
        """Run › Stop."""
        ...

    def show_preferences(self) -> None:
        """Settings › Preferences."""
        ...

    def show_shortcuts(self) -> None:
        """Help › Keyboard shortcuts."""
        ...

    def show_about(self) -> None:
        """Help › About."""
        ...

    def close(self) -> bool:
        """File › Quit: closes the window (asking about unsaved changes)."""
        ...


class WindowMenus(QObject):
    """Builds the menu bar of ``window``; its actions belong to the window (shortcuts work
    anywhere in it, and Help › Keyboard shortcuts lists them).

    Features add entries to :attr:`run_menu` and :attr:`settings_menu` (through the shell's
    ``menu(name)``); :meth:`add_tab_actions` adds one View entry per tab once they are all there.

    Args:
        window: The main window: the menu bar's owner and the actions' parent.
        commands: The window's commands the menus call.
        files: The document's actions (File menu).
        undo_stack: Undo and Redo.
        settings: The Open recent list.
        main_tabs: The tabs that Next tab and Previous tab step through.
    """

    def __init__(
        self,
        window: QMainWindow,
        commands: MenuCommands,
        files: DocumentActions,
        undo_stack: QUndoStack,
        settings: Settings,
        main_tabs: QTabWidget,
    ) -> None:
        super().__init__(window)
        self.setObjectName("windowMenus")
        self._window = window
        self._files = files
        self._settings = settings
        self._commands = commands
        self._undo_stack = undo_stack
        self._main_tabs = main_tabs
        #: Whether Send and Stop are enabled, kept for their actions until they are made.
        self._send_enabled = False
        self._stop_enabled = False
        self._filled = False
        menu = window.menuBar()
        # The menu bar's titles are there at the first paint; their actions (and the shortcuts)
        # are made by fill(), right after it with the app's deferred start: making 30 actions
        # and key sequences cost about a fiftieth of the start.
        self.file_menu = menu.addMenu(self.tr("&File"))
        self.edit_menu = menu.addMenu(self.tr("&Edit"))
        #: View > the main tabs (Ctrl+1...) and side panels (Alt+1...), filled once features
        #: have added their tabs.
        self.view_menu = menu.addMenu(self.tr("&View"))
        self.run_menu = menu.addMenu(self.tr("&Run"))
        self.settings_menu = menu.addMenu(self.tr("&Settings"))
        self.help_menu = menu.addMenu(self.tr("&Help"))

    def fill(self) -> None:
        """Makes the menus' actions (once): the File, Edit, View, Run, Settings and Help
        entries and their shortcuts, before the features add theirs."""
        if self._filled:
            return
        self._filled = True
        from PySide6.QtGui import QKeySequence

        from workbench.core.resources import example_files
        from workbench.ui.common.widgets import set_keys
        from workbench.ui.shell.first_start import example_title

        files, commands, window = self._files, self._commands, self._window
        undo_stack, main_tabs = self._undo_stack, self._main_tabs
        file_menu, edit_menu = self.file_menu, self.edit_menu
        self.new_action = self._action(
            file_menu, self.tr("&New workspace"), "Ctrl+Shift+N", files.new
        )
        self.new_action.setObjectName("newAction")
        self.open_action = self._action(
            file_menu, self.tr("&Open…"), QKeySequence.StandardKey.Open, files.choose_and_open
        )
        self.open_action.setObjectName("openAction")
        self.recent_menu = file_menu.addMenu(self.tr("Open &recent"))
        self.examples_menu = file_menu.addMenu(self.tr("&Examples"))
        for path in example_files():
            self.examples_menu.addAction(example_title(path), partial(files.open_example, path))
        file_menu.addSeparator()
        self.properties_action = self._action(
            file_menu, self.tr("P&roperties…"), "Ctrl+Shift+I", commands.edit_properties
        )
        self.properties_action.setObjectName("propertiesAction")
        file_menu.addSeparator()
        self.save_action = self._action(
            file_menu, self.tr("&Save"), QKeySequence.StandardKey.Save, files.save
        )
        self.save_as_action = self._action(
            file_menu, self.tr("Save &as…"), "Ctrl+Shift+S", files.save_as
        )
        file_menu.addSeparator()
        self.import_action = self._action(
            file_menu, self.tr("&Import request JSON…"), None, files.choose_and_import
        )
        self.paste_action = self._action(
            file_menu, self.tr("&Paste request JSON"), "Ctrl+Shift+V", files.paste_request
        )
        file_menu.addSeparator()
        self._action(file_menu, self.tr("&Quit"), QKeySequence.StandardKey.Quit, commands.close)

        self.undo_action = undo_stack.createUndoAction(window, self.tr("&Undo"))
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = undo_stack.createRedoAction(window, self.tr("&Redo"))
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for action in (self.undo_action, self.redo_action):
            set_keys(action, "shortcutContext", "WindowShortcut")  # no Qt.* before the paint
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        self.new_card_action = self._action(
            edit_menu, self.tr("&New message"), "Ctrl+N", commands.new_card
        )
        self._action(
            edit_menu,
            self.tr("&Duplicate message"),
            "Ctrl+D",
            lambda: commands.card_action("duplicate"),
        )
        self._action(
            edit_menu,
            self.tr("De&lete message"),
            "Ctrl+Shift+Backspace",
            lambda: commands.card_action("delete"),
        )
        edit_menu.addSeparator()
        self.partial_action = self._action(
            edit_menu,
            self.tr("Toggle &partial (prefill)"),
            "Ctrl+Shift+P",
            commands.toggle_partial,
        )
        self.partial_action.setObjectName("partialAction")

        self._action(
            self.view_menu,
            self.tr("&Next tab"),
            "Ctrl+PgDown",
            lambda: _step_tab(main_tabs, 1),
        )
        self._action(
            self.view_menu,
            self.tr("&Previous tab"),
            "Ctrl+PgUp",
            lambda: _step_tab(main_tabs, -1),
        )
        self.view_menu.addSeparator()

        self.send_action = self._action(
            self.run_menu, self.tr("&Send"), "Ctrl+Return", commands.send
        )
        self.send_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.stop_action = self._action(self.run_menu, self.tr("S&top"), "Esc", commands.stop)
        self.stop_action.setEnabled(self._stop_enabled)
        self.send_action.setEnabled(self._send_enabled)
        self.shortcuts_action = self._action(
            self.help_menu, self.tr("&Keyboard shortcuts"), "Ctrl+/", commands.show_shortcuts
        )
        self.shortcuts_action.setObjectName("shortcutsAction")
        about_action = self.help_menu.addAction(
            self.tr("About Prompt Workbench"), commands.show_about
        )
        about_action.setObjectName("aboutAction")
        self.preferences_action = self._action(
            self.settings_menu,
            self.tr("&Preferences…"),
            QKeySequence.StandardKey.Preferences,
            commands.show_preferences,
        )
        self.preferences_action.setObjectName("preferencesAction")
        files.recent_files_changed.connect(self.rebuild_recent_menu)
        self.rebuild_recent_menu()

    def _action(
        self,
        menu: QMenu,
        text: str,
        shortcut: str | QKeySequence.StandardKey | None,
        slot: Callable[[], object],
    ) -> QAction:
        from PySide6.QtGui import QAction, QKeySequence

        action = QAction(text, self._window)
        if shortcut is not None:
            # setShortcuts([...]), the same for one sequence: setShortcut's overloads make PySide
            # look at Qt.Key, whose ``Qt`` namespace is made after the first paint (see set_keys).
            action.setShortcuts([QKeySequence(shortcut)])
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def set_send_enabled(self, enabled: bool) -> None:
        """Run › Send is enabled (or not), now or once the action is made."""
        self._send_enabled = enabled
        if self._filled:
            self.send_action.setEnabled(enabled)

    def set_stop_enabled(self, enabled: bool) -> None:
        """Run › Stop is enabled (or not), now or once the action is made."""
        self._stop_enabled = enabled
        if self._filled:
            self.stop_action.setEnabled(enabled)

    def rebuild_recent_menu(self) -> None:
        """File › Open recent: the settings' recent files, newest first."""
        if not self._filled:
            return  # fill() builds it
        self.recent_menu.clear()
        for path in self._settings.recent_files:
            self.recent_menu.addAction(path, partial(self._files.open_path, path, ask_first=True))
        self.recent_menu.setEnabled(bool(self._settings.recent_files))

    def add_tab_actions(self, main_tabs: QTabWidget, side_tabs: QTabWidget) -> None:
        """View › one action per tab: Ctrl+1... for the main tabs, Alt+1... for the side panels."""
        for tabs, modifier in ((main_tabs, "Ctrl"), (side_tabs, "Alt")):
            for index in range(min(tabs.count(), 9)):
                text = tabs.tabText(index).replace("&", "")
                action = self._action(
                    self.view_menu,
                    text,
                    f"{modifier}+{index + 1}",
                    partial(tabs.setCurrentIndex, index),
                )
                action.setObjectName(f"showTab{tabs.objectName()[0].upper()}{index + 1}")
            self.view_menu.addSeparator()


def _step_tab(tabs: QTabWidget, step: int) -> None:
    if tabs.count():
        tabs.setCurrentIndex((tabs.currentIndex() + step) % tabs.count())
