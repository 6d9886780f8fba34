"""What the start path sets without PySide's ``Qt`` namespace is what the ``Qt.*`` values say.

Before its first paint the window uses no ``Qt.*`` value (tests/ui/test_start_path.py): roles by
their numbers, properties by the names of their values (``set_keys``), pens and brushes made
without ``QPen(colour)`` or ``setPen``, the desktop's colour scheme remembered from the last
session. Each stand-in is checked here against the value it stands for.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QPointF, Qt
from PySide6.QtGui import QColor, QEnterEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel

from workbench.core.resources import examples_dir
from workbench.core.settings import Settings
from workbench.ui.common import palette
from workbench.ui.common.palette import DARK, LIGHT
from workbench.ui.common.widgets import set_keys
from workbench.ui.conversation import message_model


def test_the_model_roles_are_qts() -> None:
    model = message_model
    roles = [model.DISPLAY_ROLE, model.EDIT_ROLE, model.ACCESSIBLE_TEXT_ROLE, model.UidRole]
    assert roles == [
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.EditRole,
        Qt.ItemDataRole.AccessibleTextRole,
        Qt.ItemDataRole.UserRole + 2,
    ]


def test_set_keys_sets_enums_and_flags_by_name_and_refuses_a_wrong_name(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    set_keys(label, "alignment", "AlignTop|AlignLeft")
    set_keys(label, "textFormat", "RichText")
    assert label.alignment() == Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft
    assert label.textFormat() == Qt.TextFormat.RichText
    with pytest.raises(ValueError, match="alignment"):
        set_keys(label, "alignment", "AlignNowhere")
    with pytest.raises(ValueError, match="alignmnet"):
        set_keys(label, "alignmnet", "AlignTop")


def test_pens_and_brushes_are_solid_in_their_colour(qapp: QApplication) -> None:
    colour = QColor(LIGHT.role_user)
    line = palette.pen(colour, 1.6)
    assert (line.color(), line.widthF(), line.style()) == (colour, 1.6, Qt.PenStyle.SolidLine)
    brush = palette.solid(colour)
    assert (brush.color(), brush.style()) == (colour, Qt.BrushStyle.SolidPattern)
    assert palette.transparent() == QColor(Qt.GlobalColor.transparent)


def test_cards_and_window_controls_have_the_values_set_by_name(
    tmp_path: Path, open_window, qtbot
) -> None:
    example = tmp_path / "example.prompt.json"
    shutil.copy(examples_dir() / "01-product-json-extraction.prompt.json", example)
    window = open_window(example)
    window.message_list.sync_editors()
    card = window.message_list.cards()[0]
    assert card.role_selector.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert card.detail.textFormat() == Qt.TextFormat.RichText
    assert card.detail.textInteractionFlags() == Qt.TextInteractionFlag.TextSelectableByMouse
    assert card.detail.alignment() == Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft
    edit = card.content_edit
    assert edit.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAsNeeded
    assert edit.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    view = window.message_list
    assert view.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    assert view.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOn
    assert view.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert window.add_button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    for action in (window.menus.undo_action, window.menus.redo_action):
        assert action.shortcutContext() == Qt.ShortcutContext.WindowShortcut
    # One shortcut each, as setShortcut gave them.
    assert window.menus.new_card_action.shortcuts() == [QKeySequence("Ctrl+N")]
    # The grip shows the open hand from the moment the pointer is over it.
    grip = card.grip
    centre = QPointF(grip.rect().center())
    QApplication.sendEvent(grip, QEnterEvent(centre, centre, grip.mapToGlobal(centre)))
    assert grip.cursor().shape() == Qt.CursorShape.OpenHandCursor


def test_the_system_theme_paints_with_the_remembered_scheme_then_takes_the_desktops(
    qapp: QApplication,
) -> None:
    desktop = (
        "dark" if QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark else "light"
    )
    other = "light" if desktop == "dark" else "dark"
    follower = qapp.findChild(QObject, "themeFollower")
    if follower is not None:
        follower.desktop = ""  # type: ignore[attr-defined] # not asked yet, as at the app's start
    try:
        palette.apply_theme(qapp, "system", assumed_scheme=other)
        assert palette.colours() is (DARK if other == "dark" else LIGHT)
        palette.check_assumed_scheme(qapp)
        assert palette.colours() is (DARK if desktop == "dark" else LIGHT)
        assert palette.known_desktop_scheme(qapp) == desktop
        # Light and Dark are what they say, whatever is remembered.
        palette.apply_theme(qapp, "dark", assumed_scheme="light")
        palette.check_assumed_scheme(qapp)
        assert palette.colours() is DARK
    finally:
        palette.apply_theme(qapp, "light")


def test_a_closed_window_remembers_the_desktops_scheme(open_window) -> None:
    window = open_window()
    palette.apply_theme(QApplication.instance(), "system")  # type: ignore[arg-type]
    try:
        window.close()
        desktop = palette.known_desktop_scheme(QApplication.instance())  # type: ignore[arg-type]
        assert desktop in ("light", "dark")
        assert Settings.load().desktop_scheme == desktop
    finally:
        palette.apply_theme(QApplication.instance(), "light")  # type: ignore[arg-type]


def test_an_odd_remembered_scheme_is_dropped() -> None:
    Settings.path().parent.mkdir(parents=True, exist_ok=True)
    Settings.path().write_text(json.dumps({"desktop_scheme": "sepia"}), encoding="utf-8")
    assert Settings.load().desktop_scheme == ""
