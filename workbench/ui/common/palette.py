"""Every colour the app paints, with a light and a dark value, and the theme that picks one.

Widgets never hard-code a colour: they ask ``colours()`` when they paint (or ``colours(widget)``
for the palette the widget shows), so a theme change repaints them in the other set. Labels styled
with a colour (error text) use ``ThemedStyleSheet``, which re-applies the style sheet when the
palette changes. ``tests/ui/test_palette.py`` checks every pair against WCAG AA contrast.

The theme (Settings > Theme: System / Light / Dark) is applied by ``apply_theme``: *System*
follows the desktop's colour scheme (``QStyleHints.colorScheme``) and follows it when it changes.
At the app's start *System* takes the scheme the desktop had in the last session, and asks the
desktop once the window has painted (``check_assumed_scheme``): the answer is a ``Qt.ColorScheme``,
and PySide makes its ``Qt`` namespace (a hundred enums, some 25 ms) to give it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from PySide6 import QtCore
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPalette, QPen
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

THEMES = ("system", "light", "dark")


class Colours(NamedTuple):
    """One set of colours (``LIGHT`` or ``DARK``); values are ``#rrggbb`` strings.

    A named tuple (immutable, compared by value): Python makes it in ~0.5 ms where a frozen
    dataclass of these 45 fields took ~3 ms of the start, before the first paint.
    """

    #: The window's own surfaces and text (the palette applied for this set).
    window: str
    base: str
    text: str
    alternate_base: str
    button: str
    mid: str
    midlight: str
    highlight: str
    highlighted_text: str
    link: str
    placeholder: str
    #: Text that says something went wrong; warnings; things that passed.
    error: str
    warning: str
    success: str
    #: Secondary text (tool call ids, "receiving...").
    muted: str
    #: The stripe on the left of a card, per role.
    role_system: str
    role_user: str
    role_assistant: str
    role_tool: str
    #: Token meter segments and the meter's outline by level.
    meter_system: str
    meter_messages: str
    meter_tools: str
    meter_reserved: str
    meter_over: str
    level_ok: str
    level_warning: str
    level_over: str
    level_unknown: str
    #: Backgrounds behind text: words only on the left / right of a diff, the partial prefix.
    diff_removed: str
    diff_added: str
    prefix: str
    #: Evaluation grid cell backgrounds (pass, fail, error, queued) and a test case with problems.
    eval_pass: str
    eval_fail: str
    eval_error: str
    eval_queued: str
    #: JSON syntax colours in the tool editor.
    json_key: str
    json_string: str
    json_number: str
    json_literal: str
    json_bracket: str
    #: Line icons on buttons, the drag grip, the delete icon.
    icon: str
    grip: str
    danger_icon: str

    def role(self, role: str) -> str:
        """The stripe colour of a card of ``role`` (muted for an unknown role)."""
        return str(getattr(self, f"role_{role}", self.muted))

    def qcolor(self, name: str) -> QColor:
        """The colour ``name`` (a field of this class) as a QColor."""
        return QColor(getattr(self, name))


LIGHT = Colours(
    window="#efefef",
    base="#ffffff",
    text="#1d1d1f",
    alternate_base="#f5f5f5",
    button="#efefef",
    mid="#a0a0a0",
    midlight="#d6d6d6",
    highlight="#2a64b8",
    highlighted_text="#ffffff",
    link="#1f5fa8",
    placeholder="#6b6b6b",
    error="#b5271c",
    warning="#8f5a00",
    success="#1e7b43",
    muted="#636b6f",
    role_system="#8a63d2",
    role_user="#2f7de1",
    role_assistant="#2a8d58",
    role_tool="#b3700f",
    meter_system="#8e44ad",
    meter_messages="#2980b9",
    meter_tools="#138a72",
    meter_reserved="#7b8589",
    meter_over="#d64c3e",
    level_ok="#23984f",
    level_warning="#c4650f",
    level_over="#c0392b",
    level_unknown="#727d7e",
    diff_removed="#f8d7da",
    diff_added="#d4edda",
    prefix="#fff1b8",
    eval_pass="#d3f2df",
    eval_fail="#f9d6d2",
    eval_error="#fbe3bf",
    eval_queued="#e8eaeb",
    json_key="#1f5fa8",
    json_string="#2a6e2e",
    json_number="#a04f00",
    json_literal="#8e44ad",
    json_bracket="#555555",
    icon="#5f6368",
    grip="#80868b",
    danger_icon="#c0392b",
)

DARK = Colours(
    window="#2b2b2d",
    base="#1e1e20",
    text="#e8e8ea",
    alternate_base="#26262a",
    button="#36363a",
    mid="#5a5a60",
    midlight="#46464c",
    highlight="#3570c8",
    highlighted_text="#ffffff",
    link="#8cb8ff",
    placeholder="#9a9aa0",
    error="#ff7b70",
    warning="#f0b35a",
    success="#6fd39a",
    muted="#a3abb0",
    role_system="#b494f0",
    role_user="#6aa8ff",
    role_assistant="#5cc98e",
    role_tool="#e0a24a",
    meter_system="#b07ad0",
    meter_messages="#5aaee8",
    meter_tools="#3cc4a6",
    meter_reserved="#8a949a",
    meter_over="#e0584c",
    level_ok="#4cc27a",
    level_warning="#f09a45",
    level_over="#ff6f61",
    level_unknown="#8f9a9b",
    diff_removed="#5c2a2e",
    diff_added="#21482c",
    prefix="#4d4220",
    eval_pass="#1f4a30",
    eval_fail="#5a2925",
    eval_error="#5a4118",
    eval_queued="#34383b",
    json_key="#8cb8ff",
    json_string="#8fd694",
    json_number="#f3ad6b",
    json_literal="#d09af0",
    json_bracket="#b8b8b8",
    icon="#b4b8bd",
    grip="#8e9399",
    danger_icon="#ff7b70",
)


def is_dark(palette: QPalette) -> bool:
    """Whether ``palette`` is a dark one (light text on a dark window)."""
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return window.lightnessF() < text.lightnessF()


def colours(widget: QWidget | None = None) -> Colours:
    """The colour set matching ``widget``'s palette (the application's without a widget)."""
    if widget is not None:
        palette = widget.palette()
    elif QGuiApplication.instance() is not None:
        palette = QGuiApplication.palette()
    else:
        return LIGHT
    return DARK if is_dark(palette) else LIGHT


def pen(colour: QColor, width: float = 1.0) -> QPen:
    """A solid pen of ``colour`` (square ends, bevelled joins), for ``QPainter.strokePath``.

    What paints in the window's first paint draws with these and :func:`solid`, through
    ``strokePath`` and ``fillPath``: ``QPen(colour)``, ``QBrush(colour)``, ``setPen`` and
    ``setBrush`` have overloads that take Qt.PenStyle, Qt.BrushStyle or Qt.GlobalColor, and PySide
    makes its ``Qt`` namespace (a hundred enums, ~25 ms) to tell them apart, which waits for after
    that paint (tests/ui/test_start_path.py).
    """
    line = QPen()
    line.setColor(colour)
    line.setWidthF(width)
    return line


def solid(colour: QColor) -> QBrush:
    """A solid brush of ``colour``, for ``QPainter.fillPath`` (see :func:`pen`): a pen's brush,
    which its setColor makes solid."""
    return pen(colour).brush()


def transparent() -> QColor:
    """No colour (Qt.GlobalColor.transparent, without the ``Qt`` namespace: see :func:`pen`)."""
    return QColor(0, 0, 0, 0)


def qpalette(values: Colours) -> QPalette:
    """A full QPalette built from ``values`` (what ``apply_theme`` installs)."""
    palette = QPalette()
    role = QPalette.ColorRole
    pairs = {
        role.Window: values.window,
        role.WindowText: values.text,
        role.Base: values.base,
        role.AlternateBase: values.alternate_base,
        role.ToolTipBase: values.window,
        role.ToolTipText: values.text,
        role.PlaceholderText: values.placeholder,
        role.Text: values.text,
        role.Button: values.button,
        role.ButtonText: values.text,
        role.BrightText: values.error,
        role.Light: values.midlight,
        role.Midlight: values.midlight,
        role.Mid: values.mid,
        role.Dark: values.mid,
        role.Shadow: "#000000",
        role.Highlight: values.highlight,
        role.HighlightedText: values.highlighted_text,
        role.Link: values.link,
        role.LinkVisited: values.link,
    }
    for colour_role, value in pairs.items():
        palette.setColor(colour_role, QColor(value))
    disabled = QColor(values.placeholder)
    for colour_role in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, colour_role, disabled)
    return palette


def resolved_scheme(theme: str) -> QtCore.Qt.ColorScheme:
    """Light or Dark: the setting, or for ``system`` the desktop's scheme (Light when unknown)."""
    schemes = QtCore.Qt.ColorScheme
    if theme == "dark":
        return schemes.Dark
    if theme == "light":
        return schemes.Light
    scheme = QGuiApplication.styleHints().colorScheme()
    return schemes.Dark if scheme == schemes.Dark else schemes.Light


class _SchemeFollower(QObject):
    """Re-applies the System theme when the desktop switches between light and dark."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName("themeFollower")
        self.theme = "system"
        #: The desktop's scheme as last asked, ``light`` or ``dark``; "" until it is asked.
        self.desktop = ""
        #: Whether the colours applied are the dark ones.
        self.dark = False
        #: The System theme was applied with a scheme remembered, not asked (see apply_theme).
        self.assumed = False
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._changed)

    def desktop_is_dark(self) -> bool:
        """The desktop's scheme, asked once (and again when it changes)."""
        if not self.desktop:
            dark = resolved_scheme("system") == QtCore.Qt.ColorScheme.Dark
            self.desktop = "dark" if dark else "light"
        return self.desktop == "dark"

    def _changed(self, _scheme: QtCore.Qt.ColorScheme) -> None:
        self.desktop = ""
        if self.theme == "system":
            self.install(self.desktop_is_dark())

    def install(self, dark: bool) -> None:
        """Applies the dark or the light colours to the application."""
        self.dark = dark
        app = self.parent()
        assert isinstance(app, QApplication)
        values = DARK if dark else LIGHT
        # The style is asked only for Dark: its wrapper costs a few ms before the first paint.
        if dark and app.style().name().lower() in ("windowsvista", "windows11", "macos"):
            # These native styles draw with the system's colours and ignore an application palette.
            style = QStyleFactory.create("Fusion")
            if style is not None:
                app.setStyle(style)
        app.setPalette(qpalette(values))


def _follower(app: QApplication) -> _SchemeFollower:
    follower = app.findChild(_SchemeFollower, "themeFollower")
    return follower if follower is not None else _SchemeFollower(app)


def apply_theme(app: QApplication, theme: str, assumed_scheme: str = "") -> None:
    """Applies Settings > Theme (``system``, ``light`` or ``dark``) to the whole application.

    For ``system``, ``assumed_scheme`` (``light`` or ``dark``: the desktop's scheme remembered
    from the last session) is applied without asking the desktop, which the app's start leaves
    for after its first paint (:func:`check_assumed_scheme`); "" asks the desktop now.
    """
    if theme not in THEMES:
        theme = "system"
    follower = _follower(app)
    follower.theme = theme
    follower.assumed = False
    if theme == "system" and not follower.desktop and assumed_scheme in ("light", "dark"):
        follower.assumed = True
        dark = assumed_scheme == "dark"
    elif theme == "system":
        follower.desktop = ""  # asked afresh
        dark = follower.desktop_is_dark()
    else:
        dark = theme == "dark"
    follower.install(dark)


def check_assumed_scheme(app: QApplication) -> None:
    """Asks the desktop for its scheme if the System theme was applied with a remembered one,
    and switches to the desktop's if that changed since the last session."""
    follower = app.findChild(_SchemeFollower, "themeFollower")
    if follower is None or not follower.assumed:
        return
    follower.assumed = False
    dark = follower.desktop_is_dark()
    if follower.theme == "system" and dark != follower.dark:
        follower.install(dark)


def known_desktop_scheme(app: QApplication) -> str:
    """The desktop's scheme as last asked (``light`` or ``dark``), "" if it was not asked: what
    the next start assumes (Settings.desktop_scheme)."""
    follower = app.findChild(_SchemeFollower, "themeFollower")
    return follower.desktop if follower is not None else ""


class ThemedStyleSheet(QObject):
    """Keeps a widget's style sheet in step with the theme.

    ``make`` receives the colour set and returns the style sheet; it is applied now and again
    whenever the application palette changes (a theme switch).
    """

    def __init__(
        self, widget: QWidget, make: Callable[[Colours], str], when_shown: bool = False
    ) -> None:
        super().__init__(widget)
        self._widget = widget
        self._make = make
        # ``when_shown``: a widget hidden until something goes wrong (an error line) takes its
        # sheet when shown (below). The first style sheet of a process costs ~4 ms (Qt's
        # style-sheet style), and the window's first paint shows no such widget. Not the
        # default: a sheet that changes a widget's size must be there when it is laid out.
        if not (when_shown and widget.isHidden()):
            self.refresh()
        widget.installEventFilter(self)

    def refresh(self) -> None:
        """Applies the style sheet for the current theme (and the widget's current state)."""
        sheet = self._make(colours())
        if self._widget.styleSheet() != sheet:
            self._widget.setStyleSheet(sheet)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A hidden widget is not told about a palette change: catch up when it is shown.
        if event.type() in (QEvent.Type.ApplicationPaletteChange, QEvent.Type.Show):
            self.refresh()
        return False


class ThemedTextColour(QObject):
    """Keeps a widget's text colour (its palette's ``WindowText`` and ``Text``) in step with
    the theme.

    What ``ThemedStyleSheet`` does for a colour alone, without a style sheet: a style sheet on a
    widget gives it (and every widget inside it) Qt's style-sheet style, polished again for each
    widget, which made a card several times dearer to build and show. ``pick`` receives the
    colour set and returns the colour; :meth:`refresh` applies it again (a state change).
    """

    def __init__(self, widget: QWidget, pick: Callable[[Colours], str]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._pick = pick
        self._applied = ""
        self.refresh()
        widget.installEventFilter(self)

    def refresh(self) -> None:
        """Applies the text colour for the current theme (and the widget's current state)."""
        colour = self._pick(colours())
        if colour != self._applied:
            self._applied = colour
            palette = QPalette()  # only these roles set: the rest follows the application's
            # Text too: a widget on a Base background (a list's viewport) paints its text in it.
            for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
                palette.setColor(role, QColor(colour))
            self._widget.setPalette(palette)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A hidden widget is not told about a palette change: catch up when it is shown.
        if event.type() in (QEvent.Type.ApplicationPaletteChange, QEvent.Type.Show):
            self.refresh()
        return False


class ThemeFollower(QObject):
    """Calls ``apply(colours)`` now and again whenever the theme changes, for colours a style
    sheet cannot reach: a syntax highlighter's formats, a text edit's extra selections.

    A theme switch (the Theme setting, or the desktop's scheme under System) installs a new
    application palette; every widget gets a palette-change event and ``apply`` runs at once,
    so what is already shown takes the new colours without new text or a redraw. A hidden
    widget catches up when it is shown.
    """

    def __init__(self, widget: QWidget, apply: Callable[[Colours], None]) -> None:
        super().__init__(widget)
        self._apply = apply
        self._applied: Colours | None = None
        self.refresh()
        widget.installEventFilter(self)

    def refresh(self) -> None:
        """Calls ``apply`` when the theme's colour set differs from the one last applied."""
        values = colours()
        if values is not self._applied:
            self._applied = values
            self._apply(values)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (
            QEvent.Type.ApplicationPaletteChange,
            QEvent.Type.PaletteChange,
            QEvent.Type.Show,
        ):
            self.refresh()
        return False


class ErrorText(ThemedStyleSheet):
    """Shows a widget's text in the theme's error colour while ``on`` (see ``error_text``)."""

    def __init__(self, widget: QWidget, on: bool = True, when_shown: bool = False) -> None:
        self.on = on
        super().__init__(widget, lambda c: f"color: {c.error};" if self.on else "", when_shown)

    def set(self, on: bool) -> None:
        """Error colour on or off (the normal text colour)."""
        self.on = on
        self.refresh()


def error_text(widget: QWidget, on: bool = True, when_shown: bool = False) -> ErrorText:
    """Shows ``widget``'s text in the theme's error colour; ``.set(False)`` turns it off.
    ``when_shown``: a hidden widget takes the colour when it is shown (see ThemedStyleSheet)."""
    return ErrorText(widget, on, when_shown)


def colour_names() -> list[str]:
    """The names of every colour in a set."""
    return list(Colours._fields)
