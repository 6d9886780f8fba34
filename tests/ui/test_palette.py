"""The one palette: every colour in a light and a dark value, each readable (WCAG AA)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from workbench.ui.common import palette
from workbench.ui.common.palette import DARK, LIGHT, Colours


def luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of ``#rrggbb``."""
    channels = []
    for value in QColor(colour).getRgbF()[:3]:
        channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


#: Text colours: 4.5:1 against both surfaces they are drawn on (AA, normal text).
TEXT = [
    "text",
    "error",
    "warning",
    "success",
    "muted",
    "link",
    "placeholder",
    "json_key",
    "json_string",
    "json_number",
    "json_literal",
    "json_bracket",
]
#: Graphics (stripes, meter segments, outlines, icons): 3:1 against their surface (AA, 1.4.11).
GRAPHICS = [
    "role_system",
    "role_user",
    "role_assistant",
    "role_tool",
    "meter_system",
    "meter_messages",
    "meter_tools",
    "meter_reserved",
    "meter_over",
    "level_ok",
    "level_warning",
    "level_over",
    "level_unknown",
    "icon",
    "grip",
    "danger_icon",
]
#: Backgrounds that carry the normal text colour: 4.5:1 with it.
TEXT_BACKGROUNDS = [
    "diff_removed",
    "diff_added",
    "prefix",
    "base",
    "window",
    "alternate_base",
    "eval_pass",
    "eval_fail",
    "eval_error",
    "eval_queued",
]


def test_the_checked_lists_cover_every_colour() -> None:
    surfaces = {"window", "base", "button", "mid", "midlight", "highlight", "highlighted_text"}
    checked = set(TEXT) | set(GRAPHICS) | set(TEXT_BACKGROUNDS) | surfaces
    assert set(palette.colour_names()) == checked


@pytest.mark.parametrize("values", [LIGHT, DARK], ids=["light", "dark"])
def test_every_colour_keeps_wcag_aa_contrast(values: Colours) -> None:
    failures = []
    for name in TEXT:
        for surface in ("window", "base"):
            ratio = contrast(getattr(values, name), getattr(values, surface))
            if ratio < 4.5:
                failures.append(f"{name} on {surface}: {ratio:.2f} < 4.5")
    for name in GRAPHICS:
        for surface in ("window", "base"):
            ratio = contrast(getattr(values, name), getattr(values, surface))
            if ratio < 3:
                failures.append(f"{name} on {surface}: {ratio:.2f} < 3")
    for name in TEXT_BACKGROUNDS:
        ratio = contrast(values.text, getattr(values, name))
        if ratio < 4.5:
            failures.append(f"text on {name}: {ratio:.2f} < 4.5")
    ratio = contrast(values.highlighted_text, values.highlight)
    if ratio < 4.5:
        failures.append(f"highlighted_text on highlight: {ratio:.2f} < 4.5")
    assert not failures, "\n".join(failures)


def test_light_and_dark_differ_for_every_painted_colour() -> None:
    same = [n for n in palette.colour_names() if getattr(LIGHT, n) == getattr(DARK, n)]
    assert same == ["highlighted_text"]


def test_theme_setting_switches_the_palette_and_themed_text_follows(
    qtbot, qapp: QApplication
) -> None:
    label = QLabel("Something failed")
    qtbot.addWidget(label)
    label.show()
    palette.error_text(label)
    try:
        palette.apply_theme(qapp, "dark")
        qapp.processEvents()  # Qt posts the palette change to each widget
        assert palette.colours() is DARK
        assert DARK.error in label.styleSheet()
        palette.apply_theme(qapp, "light")
        qapp.processEvents()
        assert palette.colours() is LIGHT
        assert LIGHT.error in label.styleSheet()
    finally:
        palette.apply_theme(qapp, "light")


def test_a_themed_text_colour_follows_the_theme_without_a_style_sheet(
    qtbot, qapp: QApplication
) -> None:
    label = QLabel("53 tok")
    qtbot.addWidget(label)
    label.show()
    palette.ThemedTextColour(label, lambda c: c.muted)
    text = QPalette.ColorRole.Text
    try:
        palette.apply_theme(qapp, "dark")
        qapp.processEvents()
        assert label.palette().color(text).name() == DARK.muted
        palette.apply_theme(qapp, "light")
        qapp.processEvents()
        assert label.palette().color(text).name() == LIGHT.muted
        assert label.styleSheet() == ""
    finally:
        palette.apply_theme(qapp, "light")


def test_system_theme_follows_the_desktop_scheme(qapp: QApplication) -> None:
    hints = QGuiApplication.styleHints()
    expected = DARK if hints.colorScheme() == Qt.ColorScheme.Dark else LIGHT
    try:
        palette.apply_theme(qapp, "system")
        assert palette.colours() is expected
    finally:
        palette.apply_theme(qapp, "light")


def test_no_colour_is_painted_outside_the_palette() -> None:
    """Every colour comes from workbench/ui/common/palette.py (light and dark, contrast-checked).

    A literal like ``"#c0392b"``, ``QColor(231, 76, 60)`` or ``palette(mid)`` as a text colour
    elsewhere in the UI fails here: add the colour to ``Colours`` (both values) and use
    ``colours().name``, ``error_text(widget)`` or ``ThemedStyleSheet``."""
    import re
    from pathlib import Path

    import workbench.ui

    root = Path(workbench.ui.__file__).parent
    literal = re.compile(r"#[0-9a-fA-F]{6}\b|QColor\(\s*\d|color:\s*palette\(mid\)")
    found = [
        f"{path.relative_to(root.parent.parent)}:{number}: {line.strip()}"
        for path in sorted(root.rglob("*.py"))
        if path.name != "palette.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if literal.search(line)
    ]
    assert not found, "\n".join(found)


def test_icons_are_drawn_on_a_transparent_background(qapp: QApplication) -> None:
    """A line icon's pixmap is transparent around its strokes (Qt's default engine pixmap
    starts from uninitialised memory: noise on a real X11 display)."""
    from workbench.ui.common.icons import icon

    for scale in (1, 2):
        image = icon("delete", "danger_icon").pixmap(16 * scale, 16 * scale).toImage()
        assert image.pixelColor(0, 0).alpha() == 0
        assert image.pixelColor(8 * scale, 8 * scale).alpha() > 0  # the cross's centre
    dark_before = icon("add").pixmap(16, 16).toImage().pixelColor(8, 8)
    try:
        palette.apply_theme(qapp, "dark")
        dark_after = icon("add").pixmap(16, 16).toImage().pixelColor(8, 8)
    finally:
        palette.apply_theme(qapp, "light")
    assert dark_after.lightness() > dark_before.lightness()  # the same icon, repainted for dark


def _json_key_colour(edit: object) -> str:
    """The foreground the JSON highlighter gave the first key of ``edit``'s text."""
    layout = edit.document().firstBlock().layout()  # type: ignore[attr-defined]
    key = next(r for r in layout.formats() if r.start == 1)  # "name" after the brace
    return key.format.foreground().color().name()


def test_shown_json_takes_the_new_theme_at_once(qtbot, qapp: QApplication) -> None:
    from workbench.ui.tools.tool_editor import JsonEdit

    edit = JsonEdit()
    qtbot.addWidget(edit)
    edit.setPlainText('{"name": "CodeRunner", "strict": true}')
    edit.show()
    text = edit.toPlainText()
    try:
        palette.apply_theme(qapp, "light")
        qapp.processEvents()
        assert _json_key_colour(edit) == LIGHT.json_key
        palette.apply_theme(qapp, "dark")
        qapp.processEvents()
        assert _json_key_colour(edit) == DARK.json_key
        assert edit.toPlainText() == text  # recoloured as it stands: no new text
    finally:
        palette.apply_theme(qapp, "light")
    qapp.processEvents()
    assert _json_key_colour(edit) == LIGHT.json_key


def test_an_icon_is_drawn_once_per_size_and_colour(qapp: QApplication) -> None:
    """Every card on screen shows the same icons: a repaint reuses their pixmaps."""
    from workbench.ui.common.icons import icon

    first = icon("duplicate").pixmap(16, 16)
    assert icon("duplicate").pixmap(16, 16).cacheKey() == first.cacheKey()
    assert icon("duplicate").pixmap(24, 24).cacheKey() != first.cacheKey()
    try:
        palette.apply_theme(qapp, "dark")
        assert icon("duplicate").pixmap(16, 16).cacheKey() != first.cacheKey()
    finally:
        palette.apply_theme(qapp, "light")
