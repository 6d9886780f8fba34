"""The window remembers its layout; title, preferences, shortcuts and the tab keys."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit, QSplitter, QTableWidget, QTabWidget
from pytestqt.qtbot import QtBot

from workbench.app import _last_workspace
from workbench.core.resources import example_files
from workbench.core.settings import Settings
from workbench.core.workspace_files import load_workspace
from workbench.ui.common import palette
from workbench.ui.shell.main_window import MainWindow
from workbench.ui.shell.settings_dialogs import window_shortcuts


def test_geometry_splitter_and_tabs_come_back(
    qloop: object, open_window, qtbot: QtBot, tmp_path: Path
) -> None:
    window: MainWindow = open_window()
    qtbot.waitUntil(lambda: window.features_ready)
    window.resize(780, 560)  # within the offscreen screen (800 x 600)
    splitter = window.findChild(QSplitter, "mainSplitter")
    splitter.setSizes([450, 330])
    sizes = splitter.sizes()
    main_tabs = window.findChild(QTabWidget, "mainTabs")
    main_tabs.setCurrentIndex(main_tabs.count() - 1)
    shown = main_tabs.currentWidget().objectName()
    path = tmp_path / "kept.prompt.json"
    path.write_text(example_files()[0].read_text(encoding="utf-8"), encoding="utf-8")
    assert window.open_path(path)
    window.close()

    saved = Settings.load()
    assert saved.splitter_sizes == sizes and saved.main_tab == shown
    assert saved.window_geometry and saved.last_workspace == str(path.resolve())
    assert _last_workspace() is None  # reopening is off by default
    saved.reopen_last_workspace = True
    saved.save()
    assert _last_workspace() == str(path.resolve())

    again = MainWindow()  # not open_window: it sets its own size
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert (again.width(), again.height()) == (window.width(), window.height())
    assert again.findChild(QSplitter, "mainSplitter").sizes() == sizes
    assert again.findChild(QTabWidget, "mainTabs").currentWidget().objectName() == shown


def test_the_title_is_edited_in_properties_and_undone(
    open_window, qtbot: QtBot, tmp_path: Path, user_dialogs
) -> None:
    window: MainWindow = open_window(example_files()[0])
    window.menus.properties_action.trigger()
    dialog = window.findChild(QDialog, "workspacePropertiesDialog")
    dialog.findChild(QLineEdit, "titleEdit").setText("  Product extraction v2 ")
    dialog.accept()
    assert window.workspace.title == "Product extraction v2"
    assert window.isWindowModified()
    path = tmp_path / "titled.prompt.json"
    user_dialogs.save_paths.append(str(path))
    window.menus.save_as_action.trigger()
    assert load_workspace(path).title == "Product extraction v2"
    assert json.loads(path.read_text(encoding="utf-8"))["title"] == "Product extraction v2"
    window.undo_stack.undo()
    assert window.workspace.title != "Product extraction v2"


def test_help_lists_every_shortcut_and_none_is_taken_twice(open_window, qtbot: QtBot) -> None:
    window: MainWindow = open_window()
    qtbot.waitUntil(lambda: window.features_ready)
    rows = window_shortcuts(window)
    keys = [k for shown, _ in rows for k in shown.split(" / ")]
    assert len(keys) == len(set(keys)), sorted(keys)
    native = QKeySequence.SequenceFormat.NativeText
    for wanted in ("Ctrl+Return", "Ctrl+Shift+P", "Ctrl+1", "Ctrl+2", "Alt+1", "Ctrl+PgDown"):
        assert QKeySequence(wanted).toString(native) in keys, wanted
    window.menus.shortcuts_action.trigger()
    dialog = window.findChild(QDialog, "shortcutsDialog")
    table = dialog.findChild(QTableWidget, "shortcutsTable")
    assert table.rowCount() >= len(rows)
    listed = {table.item(row, 0).text() for row in range(table.rowCount())}
    assert {shown for shown, _ in rows} <= listed
    dialog.close()


def test_tab_shortcuts_switch_tabs(qloop: object, open_window, qtbot: QtBot) -> None:
    window: MainWindow = open_window()
    qtbot.waitUntil(lambda: window.features_ready)
    main_tabs = window.findChild(QTabWidget, "mainTabs")
    side_tabs = window.findChild(QTabWidget, "sideTabs")
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert main_tabs.currentIndex() == 1
    qtbot.keyClick(window, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert main_tabs.currentIndex() == 2 % main_tabs.count()
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert main_tabs.currentIndex() == 0
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert side_tabs.currentIndex() == 1


def test_the_partial_shortcut_toggles_the_last_card(open_window, qtbot: QtBot) -> None:
    window: MainWindow = open_window()
    window.editor.append("user", "Give JSON")
    window.editor.append("assistant", "{")
    window.menus.partial_action.trigger()
    assert window.workspace.conversation[-1].partial
    window.menus.partial_action.trigger()
    assert not window.workspace.conversation[-1].partial
    window.editor.append("user", "again")
    window.menus.partial_action.trigger()  # a user card cannot be partial: said, not done
    assert not window.workspace.conversation[-1].partial
    assert window.statusBar().currentMessage()


def test_theme_and_language_settings(open_window, qtbot: QtBot, qapp) -> None:
    window: MainWindow = open_window()
    window.menus.preferences_action.trigger()
    dialog = window.findChild(QDialog, "preferencesDialog")
    theme = dialog.findChild(QComboBox, "themeSelector")
    language = dialog.findChild(QComboBox, "languageSelector")
    try:
        theme.setCurrentIndex(theme.findData("dark"))
        assert palette.colours() is palette.DARK
        language.setCurrentIndex(language.findData("zh_CN"))
        saved = Settings.load()
        assert (saved.theme, saved.language) == ("dark", "zh_CN")
    finally:
        palette.apply_theme(qapp, "light")
    dialog.close()
