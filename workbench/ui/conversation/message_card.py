"""One message as an editable card: role, optional name, content, partial toggle, card actions."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

# ``QtCore.Qt`` where used, never imported: PySide makes the ``Qt`` namespace (a hundred enums,
# ~25 ms) on first use, which must come after the first paint (see widgets.set_keys).
from PySide6 import QtCore
from PySide6.QtCore import QEvent, QObject, QPoint, QRectF, QSize, Signal
from PySide6.QtGui import (
    QColor,
    QEnterEvent,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core import alternates
from workbench.core.conversation import ROLES, Message
from workbench.ui.common.i18n import number
from workbench.ui.common.icons import icon
from workbench.ui.common.palette import ThemedTextColour, colours, pen, solid
from workbench.ui.common.widgets import named, set_keys

if TYPE_CHECKING:
    from workbench.ui.common.stream_view import StreamTail, StreamView

# Event types compared in handlers called for every event of a card's widgets.
_FOCUS_IN = QEvent.Type.FocusIn
_KEY_PRESS = QEvent.Type.KeyPress
_SHORTCUT_OVERRIDE = QEvent.Type.ShortcutOverride

#: Height of the header row of a card (role, name, partial, actions).
HEADER_HEIGHT = 30
#: Margins of a card's frame, and the gap between cards.
CARD_MARGIN = 8
CARD_SPACING = 6
#: The card's frame: the role's colour stripe on the left, a 1 px line elsewhere.
ROLE_STRIPE = 4
FRAME_LINE = 1
CARD_RADIUS = 6
#: The gap between the header, the content and the detail area in a card.
CARD_LAYOUT_SPACING = 2
#: The content editor grows with its text up to this height, then scrolls inside.
MAX_CONTENT_HEIGHT = 420
MIN_CONTENT_HEIGHT = 44
_DOC_MARGIN = 4


def content_font() -> QFont:
    """The font of card contents (also used to compute card heights without a widget)."""
    font = QFont()
    font.setPointSizeF(max(font.pointSizeF(), 10.0))
    return font


#: Long words (base64, minified code) wrap anywhere rather than run off the card in one line.
WRAP_MODE = QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere
#: A text with a "word" this long wraps anywhere: looking for a word boundary in megabytes of
#: base64 took Qt minutes (a search per line through the rest of the word).
_LONG_WORD = re.compile(r"\S{2000}")


def wrap_mode(text: str) -> QTextOption.WrapMode:
    """How a card wraps ``text``: at word boundaries where it can, anywhere for huge words."""
    return QTextOption.WrapMode.WrapAnywhere if _LONG_WORD.search(text) else WRAP_MODE


#: Characters laid out to tell whether a text reaches the tallest card: a card at its tallest
#: shows some 25 lines, and no line of a card holds more than a few hundred characters.
MEASURED_PREFIX = 20_000
#: Characters laid out first: the tallest card shows some 25 lines, which this much prose fills
#: in a card up to ~1,100 px wide (a third of the time of MEASURED_PREFIX for a long answer's
#: card); a text with short lines, or a wider card, has MEASURED_PREFIX laid out next.
FIRST_MEASURED_PREFIX = 4_000


#: A card shows at most this much of a longer text until the user goes into it: laying out
#: a 3 MB line took seconds per editor (and more than once while a window opens), and the
#: tallest card shows a few thousand characters anyway. The whole text is loaded for editing.
PREVIEW_CHARS = MEASURED_PREFIX
#: Going into a card with a line longer than this takes Qt a noticeable time (a line of 3 MB:
#: seconds, whatever the wrapping): the card says so while it loads.
LONG_LINE_CHARS = 100_000


def longest_line(text: str) -> int:
    """The length of the longest line of ``text``."""
    if "\n" not in text:
        return len(text)
    return max(len(line) for line in text.split("\n"))


#: While an answer streams in, its card shows the last 5,000 to 10,000 characters of it (the
#: tallest card shows some 25 lines): a flush lays out its new text, never the whole answer.
STREAM_TAIL_CHARS = 5_000


def _laid_out_height(text: str, width: int, font: QFont) -> int:
    document = QTextDocument()
    document.setDefaultFont(font)
    document.setDocumentMargin(_DOC_MARGIN)
    option = document.defaultTextOption()
    option.setWrapMode(wrap_mode(text))
    document.setDefaultTextOption(option)
    document.setPlainText(text or " ")
    document.setTextWidth(width)
    height = document.size().height() + 2 * _DOC_MARGIN
    return int(max(MIN_CONTENT_HEIGHT, min(MAX_CONTENT_HEIGHT, height + 2)))


def content_height(text: str, width: int, font: QFont) -> int:
    """The height of a content editor showing ``text`` at ``width`` pixels, capped.

    A long text is measured by its start first: when the start alone reaches the cap, so does the
    whole (text only ever adds lines), and the rest is never laid out (a 3 MB card took seconds).
    """
    if width <= 0:
        return MIN_CONTENT_HEIGHT
    for prefix in (FIRST_MEASURED_PREFIX, MEASURED_PREFIX):
        if len(text) > prefix:
            height = _laid_out_height(text[:prefix], width, font)
            if height >= MAX_CONTENT_HEIGHT:
                return height
    return _laid_out_height(text, width, font)


def estimate_content_height(
    text: str, width: int, font: QFont, metrics: QFontMetrics | None = None
) -> int:
    """A quick guess at :func:`content_height`, from the text's length and line breaks.

    Used for rows off screen until their exact height is measured: a guess costs a microsecond or
    two, a layout tens of microseconds (seconds for 50,000 cards). ``metrics`` of ``font``, when
    the caller keeps them, saves making them for every guess (a layout guesses every row).
    """
    if width <= 0:
        return MIN_CONTENT_HEIGHT
    if metrics is None:
        metrics = QFontMetrics(font)
    spacing = max(1, metrics.lineSpacing())
    per_line = max(1, int(width / max(1, metrics.averageCharWidth()) * 0.92))
    cap_lines = MAX_CONTENT_HEIGHT // spacing + 1
    if len(text) > per_line * cap_lines:
        return MAX_CONTENT_HEIGHT
    if "\n" in text:
        lines = sum(len(line) // per_line + 1 for line in text.split("\n"))
    else:
        lines = len(text) // per_line + 1
    height = lines * spacing + 2 * _DOC_MARGIN + 2 * _DOC_MARGIN
    return int(max(MIN_CONTENT_HEIGHT, min(MAX_CONTENT_HEIGHT, height + 2)))


def card_text_width(row_width: int) -> int:
    """The width of a card's content and detail area in a list row ``row_width`` wide."""
    return row_width - 2 * CARD_MARGIN - ROLE_STRIPE - FRAME_LINE


_header_heights: dict[str, int] = {}


def header_height() -> int:
    """The height of a card's header row at the app's font (role selector, buttons).

    A fixed 30 px clipped the role selector and its neighbours with a large font (1.5x scaling
    of a 10 pt desktop font): the row is as tall as its tallest control needs.
    """
    font = QApplication.font()
    key = font.key()
    height = _header_heights.get(key)
    if height is None:
        selector = QComboBox()
        selector.addItems(list(ROLES))
        name = QLineEdit()  # the tallest controls of the row; the others are icons and labels
        height = max(HEADER_HEIGHT, selector.sizeHint().height(), name.sizeHint().height())
        selector.deleteLater()
        name.deleteLater()
        _header_heights[key] = height
    return height


def card_height(text: str, width: int, font: QFont) -> int:
    """The full height of a card (header, content, margins) for a list row ``width`` wide."""
    return (
        header_height()
        + content_height(text, card_text_width(width), font)
        + CARD_MARGIN
        + CARD_LAYOUT_SPACING
        + 2 * FRAME_LINE
    )


def detail_font() -> QFont:
    """The font of a card's detail area (its tool calls): the app's."""
    return QFont()


def detail_height(html: str, width: int, font: QFont) -> int:
    """The height of a card's detail area showing ``html`` at ``width`` pixels (0 when empty)."""
    if not html or width <= 0:
        return 0
    document = QTextDocument()
    document.setDefaultFont(font)
    document.setDocumentMargin(0)
    document.setHtml(html)
    document.setTextWidth(width)
    return int(document.size().height()) + 4


def takes_tab(widget: QWidget) -> bool:
    """Whether Tab may give ``widget`` the focus (its policy includes tab focus)."""
    tab = QtCore.Qt.FocusPolicy.TabFocus.value
    return widget.focusPolicy().value & tab == tab


def _reason(forward: bool) -> QtCore.Qt.FocusReason:
    reasons = QtCore.Qt.FocusReason
    return reasons.TabFocusReason if forward else reasons.BacktabFocusReason


class ContentEdit(QPlainTextEdit):
    """The card's text editor. Leaves undo/redo and Ctrl+Enter to the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setUndoRedoEnabled(False)  # the window's undo stack covers every edit
        self.setTabChangesFocus(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFont(content_font())
        self.document().setDocumentMargin(_DOC_MARGIN)
        self.setWordWrapMode(WRAP_MODE)
        set_keys(self, "verticalScrollBarPolicy", "ScrollBarAsNeeded")
        set_keys(self, "horizontalScrollBarPolicy", "ScrollBarAlwaysOff")
        self.setPlaceholderText(self.tr("Message content…"))
        #: A line above the text, inside the editor: how much of an answer streaming in is
        #: above what is shown, or why the window waits while a very long line is laid out.
        self.note = QLabel(self)
        named(self.note, "contentNote")
        self.note.setContentsMargins(_DOC_MARGIN, 0, _DOC_MARGIN, 0)
        note_font = self.note.font()
        note_font.setItalic(True)
        self.note.setFont(note_font)
        ThemedTextColour(self.note, lambda c: c.muted)
        self.note.hide()

    def set_note(self, text: str) -> None:
        """Shows ``text`` on a line above the text (hidden when empty); the text area gives it
        the room, the editor keeps its height."""
        shown = self.note.text()
        visible = self.note.isVisibleTo(self)
        if text == shown and bool(text) == visible:
            return
        if text and visible and shown and "\n" not in text and "\n" not in shown:
            # One line for another (a streaming answer's count, every flush): the room stays.
            self.note.setText(text)
            self.note.setToolTip(text)
            return
        self.note.setText(text)
        self.note.setToolTip(text)
        self.note.setVisible(bool(text))
        height = self.note.sizeHint().height() if text else 0
        self.setViewportMargins(0, height, 0, 0)
        self._place_note()

    def _place_note(self) -> None:
        if self.note.isVisibleTo(self):
            rect = self.contentsRect()
            self.note.setGeometry(rect.x(), rect.y(), rect.width(), self.note.sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_note()

    def event(self, event: QEvent) -> bool:
        if event.type() == _SHORTCUT_OVERRIDE:
            from PySide6.QtGui import QKeySequence  # made at the first key, not before the paint

            key_event = event  # a QKeyEvent
            for standard in (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo):
                if key_event.matches(standard):  # type: ignore[attr-defined]
                    event.ignore()  # let the window's Undo/Redo shortcut fire
                    return False
        return super().event(event)


class DragGrip(QLabel):
    """The handle a card is dragged by (object name ``dragGrip``).

    Dragging is done with the mouse grab the press gives this label, not with Qt's drag and
    drop: the cards' text editors would otherwise take the drop for themselves. The grip reports
    where the pointer is (global coordinates) and the card column does the rest.
    """

    def __init__(self, card: MessageCard) -> None:
        super().__init__(card)
        self._card = card
        self._pressed_at: QPoint | None = None
        self._dragging = False
        named(self, "dragGrip")
        self._draw()
        self.setToolTip(self.tr("Drag to move this message (or Alt+Up / Alt+Down)"))
        # The open hand is set when the pointer first comes over the grip (see enterEvent).

    def _draw(self) -> None:
        self.setPixmap(icon("grip", "grip").pixmap(16, 16))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            self._draw()  # a pixmap keeps its colours: draw it again in the new theme's
        super().changeEvent(event)

    def enterEvent(self, event: QEnterEvent) -> None:
        # Not in __init__: a cursor's shape is a Qt.CursorShape, and the ``Qt`` namespace is made
        # after the first paint (see workbench.ui.common.widgets.set_keys).
        if not self._dragging:
            self.setCursor(QtCore.Qt.CursorShape.OpenHandCursor)
        super().enterEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == QtCore.Qt.MouseButton.LeftButton:
            self._pressed_at = event.position().toPoint()
            self._dragging = False
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        start = self._pressed_at
        if start is None:
            return
        distance = (event.position().toPoint() - start).manhattanLength()
        if not self._dragging and distance >= QApplication.startDragDistance():
            self._dragging = True
            self.setCursor(QtCore.Qt.CursorShape.ClosedHandCursor)
        if self._dragging:
            self._card.drag_moved.emit(self._card.uid, event.globalPosition().toPoint())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._dragging and event.button() == QtCore.Qt.MouseButton.LeftButton:
            self._card.drag_released.emit(self._card.uid, event.globalPosition().toPoint())
        self._pressed_at = None
        self._dragging = False
        self.setCursor(QtCore.Qt.CursorShape.OpenHandCursor)
        super().mouseReleaseEvent(event)


class MessageCard(QFrame):
    """The editor widget of one message row.

    The card never changes the conversation itself: it announces what the user asked for, and the
    window's conversation editor turns that into an undoable command.

    Signals:
        field_edited(uid, name, value): the user changed ``role``, ``name``, ``content`` or
            ``partial`` of the message ``uid``.
        drag_moved(uid, global_pos), drag_released(uid, global_pos): the card is being dragged
            by its grip, and where the pointer is.
        action_requested(uid, action): the user asked for ``insert_above``, ``insert_below``,
            ``duplicate``, ``move_up``, ``move_down``, ``delete``, or another of the answer's
            alternates (``previous_alternate``, ``next_alternate``).
    """

    field_edited = Signal(int, str, object)
    action_requested = Signal(int, str)
    #: A widget of the card got the keyboard focus (the list brings it on screen).
    widget_focused = Signal(object)
    drag_moved = Signal(int, QPoint)
    drag_released = Signal(int, QPoint)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "messageCard")
        # The frame (the role's stripe, a line, round corners, the base colour) is painted by
        # paintEvent: a style sheet would give the card and each widget in it Qt's style-sheet
        # style, most of the cost of building and showing a card. Its lines take this room.
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setContentsMargins(ROLE_STRIPE, FRAME_LINE, FRAME_LINE, FRAME_LINE)
        self.uid = 0
        self._role = ""
        #: Set by the list: moves the focus into the card after (True) or before (False) the card
        #: ``uid``, or out of the list at its ends; False when nothing took the focus.
        self.focus_neighbour: Callable[[int, bool], bool] | None = None

        self.role_selector = QComboBox()
        named(self.role_selector, "roleSelector")
        self.role_selector.addItems(list(ROLES))
        self.role_selector.setToolTip(self.tr("Role of this message"))
        set_keys(self.role_selector, "focusPolicy", "StrongFocus")

        self.name_button = QToolButton()
        self.name_button.setObjectName("addNameButton")
        self.name_button.setText(self.tr("+ name"))
        self.name_button.setToolTip(self.tr("Give this message a name (optional)"))
        self.name_button.setAutoRaise(True)
        self.name_edit = QLineEdit()
        named(self.name_edit, "nameEdit")
        self.name_edit.setPlaceholderText("name")
        self.name_edit.setMaximumWidth(160)
        self.name_edit.setClearButtonEnabled(True)
        self.name_edit.hide()

        self.partial_toggle = QCheckBox(self.tr("Partial"))
        named(self.partial_toggle, "partialToggle")

        self.lint_note = QLabel()
        named(self.lint_note, "cardLint")
        self.lint_note.setWordWrap(False)
        self.lint_note.hide()
        self._lint_blocking = False
        self._lint_style = ThemedTextColour(
            self.lint_note, lambda c: c.error if self._lint_blocking else c.link
        )
        self.badge = QLabel()
        named(self.badge, "tokenBadge")
        ThemedTextColour(self.badge, lambda c: c.muted)

        self.content_edit = ContentEdit()
        named(self.content_edit, "contentEdit")

        #: Read-only rich text under the content: an answer's tool calls, what a result answers.
        self.detail = QLabel()
        named(self.detail, "toolCallsView")
        set_keys(self.detail, "textFormat", "RichText")
        self.detail.setFont(detail_font())  # the font its height is measured with
        self.detail.setWordWrap(True)
        set_keys(self.detail, "textInteractionFlags", "TextSelectableByMouse")
        set_keys(self.detail, "alignment", "AlignTop|AlignLeft")
        self.detail.hide()

        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.setSpacing(6)
        self.grip = DragGrip(self)
        header.addWidget(self.grip)
        header.addWidget(self.role_selector)
        header.addWidget(self.name_button)
        header.addWidget(self.name_edit)
        header.addWidget(self.partial_toggle)
        header.addStretch(1)
        # An answer Regenerate kept alternates for: ◀ 2/3 ▶ (Alt+Left / Alt+Right).
        self.previous_alternate_button = self._alternate_button(
            "previousAlternateButton",
            "◀",
            "previous_alternate",
            self.tr("Show the previous answer (Alt+Left)"),
        )
        self.alternate_label = QLabel()
        named(self.alternate_label, "alternateLabel")
        self.alternate_label.setToolTip(
            self.tr("Answers kept by Regenerate: the one shown is sent next and saved")
        )
        self.next_alternate_button = self._alternate_button(
            "nextAlternateButton",
            "▶",
            "next_alternate",
            self.tr("Show the next answer (Alt+Right)"),
        )
        alternate_widgets: tuple[QWidget, ...] = (
            self.previous_alternate_button,
            self.alternate_label,
            self.next_alternate_button,
        )
        for widget in alternate_widgets:
            widget.hide()
            header.addWidget(widget)
        header.addWidget(self.lint_note)
        header.addWidget(self.badge)
        self._buttons: dict[str, QToolButton] = {}
        for action, tip in (
            ("insert_above", self.tr("Insert a message above")),
            ("insert_below", self.tr("Insert a message below")),
            ("duplicate", self.tr("Duplicate this message (Ctrl+D)")),
            ("move_up", self.tr("Move up (Alt+Up)")),
            ("move_down", self.tr("Move down (Alt+Down)")),
            ("delete", self.tr("Delete this message")),
        ):
            button = QToolButton()
            button.setIcon(icon(action, "danger_icon" if action == "delete" else "icon"))
            button.setToolTip(tip)
            button.setAccessibleName(tip)
            button.setAutoRaise(True)
            button.clicked.connect(
                lambda _=False, a=action: self.action_requested.emit(self.uid, a)
            )
            self._buttons[action] = button
            header.addWidget(button)
        self.delete_button = self._buttons["delete"]
        named(self.delete_button, "deleteMessageButton")
        header_widget = QWidget()
        header_widget.setLayout(header)
        header_widget.setFixedHeight(header_height())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(CARD_MARGIN, CARD_MARGIN // 2, CARD_MARGIN, CARD_MARGIN // 2)
        layout.setSpacing(CARD_LAYOUT_SPACING)
        layout.addWidget(header_widget)
        layout.addWidget(self.content_edit)
        layout.addWidget(self.detail)

        self.role_selector.activated.connect(self._on_role_chosen)
        # clicked(bool) would pass `checked` (False) as `focus`: the name field must get the keys.
        self.name_button.clicked.connect(lambda _checked=False: self._reveal_name(focus=True))
        self.name_edit.textEdited.connect(
            lambda text: self.field_edited.emit(self.uid, "name", text)
        )
        self.partial_toggle.clicked.connect(
            lambda checked: self.field_edited.emit(self.uid, "partial", bool(checked))
        )
        self.content_edit.textChanged.connect(self._on_text_changed)
        self._showing = False
        #: The whole text while the editor shows only its start (see PREVIEW_CHARS), else None.
        self._preview_of: str | None = None
        #: The answer streaming in, while the editor shows its end (and where that end started
        #: when it was put in the editor), else None.
        self._stream: StreamTail | None = None
        self._stream_start = 0
        #: Draws a streaming answer into the editor (made when the first answer streams in: the
        #: module is no part of the first paint).
        self._stream_view_made: StreamView | None = None
        for widget in (
            self.role_selector,
            self.name_button,
            self.name_edit,
            self.partial_toggle,
            self.content_edit,
            self.previous_alternate_button,
            self.next_alternate_button,
            *self._buttons.values(),
        ):
            widget.installEventFilter(self)

    def paintEvent(self, event: QPaintEvent) -> None:
        """The frame: the base colour inside a 1 px line with round corners, and on the left
        a stripe in the role's colour (a theme switch repaints it in the new theme's)."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        # Paths filled and stroked, not drawRoundedRect with setPen and setBrush: those make
        # PySide's ``Qt`` namespace before the first paint (see palette.pen).
        frame = QPainterPath()
        frame.addRoundedRect(
            QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), CARD_RADIUS, CARD_RADIUS
        )
        painter.fillPath(frame, solid(palette.color(QPalette.ColorRole.Base)))
        painter.strokePath(frame, pen(palette.color(QPalette.ColorRole.Midlight)))
        painter.setClipRect(0, 0, ROLE_STRIPE, self.height())
        stripe = QPainterPath()
        stripe.addRoundedRect(QRectF(self.rect()), CARD_RADIUS, CARD_RADIUS)
        painter.fillPath(stripe, solid(QColor(colours().role(self._role))))
        painter.end()

    def _alternate_button(self, name: str, arrow: str, action: str, tip: str) -> QToolButton:
        button = QToolButton()
        named(button, name)
        button.setText(arrow)
        button.setAutoRaise(True)
        button.setToolTip(tip)
        button.clicked.connect(lambda _=False: self.action_requested.emit(self.uid, action))
        return button

    # Showing a message -----------------------------------------------------------------------

    def show_message(
        self, message: Message, partial_refusal: str | None, stream: StreamTail | None = None
    ) -> None:
        """Shows ``message``; ``partial_refusal`` says why partial is off limits, if it is.

        While an answer streams into the card, ``stream`` is its end: the editor shows that
        instead of the content (which the window brings up to date less often than it draws).
        """
        self._showing = True
        try:
            if self.uid != message.uid:
                self._new_message(message)
            self.uid = message.uid
            if self.role_selector.currentText() != message.role:
                self.role_selector.setCurrentText(message.role)
            if self._role != message.role:
                self._role = message.role
                self.update()  # the stripe's colour
            if self.name_edit.text() != message.name:
                self.name_edit.setText(message.name)
            if message.name:
                self._reveal_name(focus=False)
            if stream is not None:
                self._show_stream(stream)
            else:
                self._end_stream()
                self._show_content(message.content)
            self.partial_toggle.setChecked(message.partial)
            self.partial_toggle.setEnabled(partial_refusal is None or message.partial)
            self.partial_toggle.setToolTip(
                partial_refusal
                or self.tr("Prefill the answer: the model continues this text (Kimi partial mode).")
            )
            self.partial_toggle.setVisible(message.role == "assistant")
            placeholder = (
                self.tr("Prefix the answer starts with, e.g. { for JSON…")
                if message.partial
                else self.tr("Message content…")
            )
            self.content_edit.setPlaceholderText(placeholder)
            self._show_alternates(message)
        finally:
            self._showing = False

    def _show_stream(self, stream: StreamTail) -> None:
        """Shows the end of the answer streaming in, unless the editor shows it already."""
        if self._stream is stream and self._stream_start == stream.start:
            return
        # The same stream let its start go: its new end replaces the old one in place.
        replacing = self._stream is stream
        self._stream = stream
        self._stream_start = stream.start
        self._preview_of = None
        self.content_edit.setToolTip("")
        self._set_wrap_for(stream.text)
        if replacing:
            self._stream_view.replace(stream.text)
        else:
            self._stream_view.reset(stream.text)
        bar = self.content_edit.verticalScrollBar()
        bar.setValue(bar.maximum())  # the newest text, where the answer grows
        self._show_stream_note(stream)

    @property
    def _stream_view(self) -> StreamView:
        if self._stream_view_made is None:
            from workbench.ui.common.stream_view import StreamView

            self._stream_view_made = StreamView(self.content_edit)
        return self._stream_view_made

    def add_streamed(self, stream: StreamTail, piece: str) -> None:
        """``piece`` arrived at the end of ``stream`` (already added to it): only the new text
        is laid out; once the stream let its start go, the editor takes its end afresh (and
        ``piece`` is "")."""
        if self._stream is not stream or self._stream_start != stream.start:
            showing, self._showing = self._showing, True
            try:
                self._show_stream(stream)
            finally:
                self._showing = showing
            return
        showing, self._showing = self._showing, True
        try:
            self._stream_view.append(piece)
        finally:
            self._showing = showing
        self._show_stream_note(stream)

    def _show_stream_note(self, stream: StreamTail) -> None:
        self.content_edit.set_note(
            self.tr(
                "{total} characters so far, the end shown: the whole answer is in the card "
                "when it finishes."
            ).format(total=number(stream.total))
            if stream.start
            else ""
        )

    def _end_stream(self) -> None:
        """The answer stopped streaming in: the editor shows the message again (what it holds
        is its end, not the text: it is replaced)."""
        if self._stream is None:
            return
        was_cut = self._stream.start > 0
        self._stream = None
        self.content_edit.set_note("")
        self._stream_view.forget_end()
        if was_cut:
            self.content_edit.setPlainText("")

    @property
    def streaming(self) -> bool:
        """Whether the editor shows the end of an answer streaming in."""
        return self._stream is not None

    def _show_content(self, content: str) -> None:
        if self._preview_of is not None:
            self._show_preview(content)
            return
        if len(content) > PREVIEW_CHARS and not self.content_edit.hasFocus():
            shown = self.content_edit.toPlainText()
            if not (shown and content.startswith(shown)):  # not an answer streaming in
                self._show_preview(content)
                return
        self._show_text(content)

    def _show_text(self, content: str) -> None:
        shown = self.content_edit.toPlainText()
        if shown and shown != content and content.startswith(shown):
            # An answer streaming in grows at its end: append the new text rather than lay
            # out the whole document again on every update.
            from workbench.ui.common.stream_view import append_tail

            append_tail(self.content_edit, content[len(shown) :])
        elif shown != content:
            self._set_whole_text(content)

    def _set_whole_text(self, content: str) -> None:
        """Puts ``content`` into the editor, wrapped to suit it, keeping the cursor's place."""
        self._set_wrap_for(content)
        if self.content_edit.document().isEmpty():
            # A new card: the cursor is at the start and stays there (and the text cursor's
            # type, ~4 ms, is not made before the first paint).
            self.content_edit.setPlainText(content)
            return
        cursor = self.content_edit.textCursor()
        position = cursor.position()
        self.content_edit.setPlainText(content)
        cursor = self.content_edit.textCursor()
        cursor.setPosition(min(position, len(content)))
        self.content_edit.setTextCursor(cursor)

    def _set_wrap_for(self, text: str) -> None:
        mode = wrap_mode(text)
        if self.content_edit.wordWrapMode() != mode:
            self.content_edit.setWordWrapMode(mode)

    def _show_preview(self, content: str) -> None:
        """Shows the start of ``content`` (the whole of it when it is short now)."""
        if len(content) <= PREVIEW_CHARS:
            self._preview_of = None
            self.content_edit.setToolTip("")
            self._show_text(content)
            return
        start = content[:PREVIEW_CHARS]
        if self._preview_of is None or not self._preview_of.startswith(start):
            self._set_wrap_for(start)
            self.content_edit.setPlainText(start)
        self._preview_of = content
        self.content_edit.setToolTip(
            self.tr(
                "Showing the first {shown} of {total} characters: click into the text to edit "
                "all of it."
            ).format(shown=number(PREVIEW_CHARS), total=number(len(content)))
        )

    def _show_whole(self) -> None:
        """Loads the whole text of a previewed card into its editor (the user goes into it)."""
        content = self._preview_of
        if content is None:
            return
        self._preview_of = None
        self.content_edit.setToolTip("")
        line = longest_line(content)
        if line > LONG_LINE_CHARS:
            # Qt lays a line out whole, and a line of megabytes takes seconds: the user is told
            # why the window waits, before it does.
            self.content_edit.set_note(
                self.tr(
                    "Loading a line of {count} characters: laying it out takes a few seconds…"
                ).format(count=number(line))
            )
            self.content_edit.note.repaint()
            QApplication.setOverrideCursor(QtCore.Qt.CursorShape.WaitCursor)
        showing, self._showing = self._showing, True
        try:
            self._set_whole_text(content)
            if line > LONG_LINE_CHARS:
                self.content_edit.viewport().repaint()  # the long line is laid out, told
        finally:
            self._showing = showing
            if line > LONG_LINE_CHARS:
                QApplication.restoreOverrideCursor()
                self.content_edit.set_note("")

    @property
    def role(self) -> str:
        """The role of the message shown ("" before the first)."""
        return self._role

    @property
    def previewing(self) -> bool:
        """Whether the editor shows only the start of a long text."""
        return self._preview_of is not None

    def _show_alternates(self, message: Message) -> None:
        total = alternates.count(message)
        shown = total > 1
        for widget in (
            self.previous_alternate_button,
            self.alternate_label,
            self.next_alternate_button,
        ):
            if widget.isVisibleTo(self) != shown:
                widget.setVisible(shown)
        if not shown:
            return
        at = alternates.position(message)
        self.alternate_label.setText(f"{at + 1}/{total}")
        self.alternate_label.setAccessibleDescription(
            self.tr("answer {value0} of {total}").format(value0=at + 1, total=total)
        )
        self.previous_alternate_button.setEnabled(at > 0)
        self.next_alternate_button.setEnabled(at < total - 1)

    def forget_content(self) -> None:
        """Drops the text shown (the card goes to the spare pool): the next message shown in it
        is shown whole."""
        self.uid = -1
        self._preview_of = None
        self._stream = None
        self.content_edit.set_note("")
        self.content_edit.setToolTip("")
        self._showing = True  # not the user's edit: nothing to report
        try:
            self.content_edit.setPlainText("")
        finally:
            self._showing = False

    def text_held(self) -> int:
        """How many characters of content the card keeps (in its editor or for its preview)."""
        held = self.content_edit.document().characterCount()
        return max(held, len(self._preview_of)) if self._preview_of is not None else held

    def _new_message(self, message: Message) -> None:
        """Forgets what the card showed for another message (cards are reused while scrolling)."""
        if not message.name and self.name_edit.isVisible() and not self.name_edit.hasFocus():
            self.name_edit.hide()
            self.name_button.show()
        self._preview_of = None
        self._stream = None
        self.content_edit.set_note("")
        self.content_edit.setToolTip("")
        self.content_edit.setPlainText("")

    def set_content_height(self, height: int) -> None:
        """Sizes the content editor (the list computes it, so rows and cards agree)."""
        self.content_edit.setFixedHeight(height)

    def set_detail(self, html: str, height: int) -> None:
        """Shows ``html`` under the content, ``height`` pixels tall (hidden when empty)."""
        if self.detail.text() != html:
            self.detail.setText(html)
        self.detail.setFixedHeight(max(0, height))
        self.detail.setVisible(bool(html))

    def set_lint(self, text: str, blocking: bool = False) -> None:
        """Shows the request linter's word on this card (hidden when empty)."""
        if not text:
            self.lint_note.hide()
            return
        short = text if len(text) <= 48 else text[:47] + "…"
        self.lint_note.setText(("✖ " if blocking else "⚠ ") + short)
        self.lint_note.setToolTip(text)
        self._lint_blocking = blocking
        self._lint_style.refresh()
        self.lint_note.show()

    def set_badge(self, text: str, tooltip: str = "") -> None:
        """Shows a small figure in the header (the card's token count, say)."""
        self.badge.setText(text)
        self.badge.setToolTip(tooltip)

    def sizeHint(self) -> QSize:
        detail = self.detail.height() + CARD_LAYOUT_SPACING if self.detail.isVisible() else 0
        return QSize(
            400,
            header_height()
            + CARD_LAYOUT_SPACING
            + self.content_edit.height()
            + detail
            + CARD_MARGIN
            + 2 * FRAME_LINE,
        )

    # User input ------------------------------------------------------------------------------

    def _on_role_chosen(self, _index: int) -> None:
        role = self.role_selector.currentText()
        if role != self._role:
            self.field_edited.emit(self.uid, "role", role)

    def _on_text_changed(self) -> None:
        if self._showing:
            return
        if self._preview_of is not None:
            # An edit reached the start shown alone (a drop, say): sending it would cut the
            # text. The whole text comes back; the user edits that.
            self._show_whole()
            return
        self.field_edited.emit(self.uid, "content", self.content_edit.toPlainText())

    def _reveal_name(self, focus: bool = True) -> None:
        self.name_button.hide()
        self.name_edit.show()
        if focus:
            self.name_edit.setFocus()

    def focus_chain(self) -> list[QWidget]:
        """The card's widgets that Tab visits, in order (header left to right, then content)."""
        widgets = [
            self.role_selector,
            self.name_button,
            self.name_edit,
            self.partial_toggle,
            self.previous_alternate_button,
            self.next_alternate_button,
            *self._buttons.values(),
            self.content_edit,
        ]
        return [w for w in widgets if w.isVisibleTo(self) and w.isEnabled() and takes_tab(w)]

    def focusNextPrevChild(self, next: bool) -> bool:
        # Tab order follows the rows, not the order the list happened to create its editors in
        # (cards made while scrolling up joined the window's focus chain at its end).
        chain = self.focus_chain()
        focus = QApplication.focusWidget()
        if focus in chain:
            position = chain.index(focus) + (1 if next else -1)
            if 0 <= position < len(chain):
                chain[position].setFocus(_reason(next))
                return True
            if self.focus_neighbour is not None and self.focus_neighbour(self.uid, next):
                return True
        return super().focusNextPrevChild(next)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Called for every event of thirteen widgets per card (some 300 while three cards are
        # built and shown, and each paint): the others cost one type check, and no call to the
        # base class (it lets every event through).
        kind = event.type()
        if kind == _FOCUS_IN:
            if watched is self.content_edit:
                self._show_whole()  # going into a long text: all of it, to edit
            self.widget_focused.emit(watched)
        # Alt+Up / Alt+Down move the card from wherever the focus is inside it.
        elif kind == _KEY_PRESS:
            key = event.key()  # type: ignore[attr-defined]
            modifiers = event.modifiers()  # type: ignore[attr-defined]
            alt = modifiers == QtCore.Qt.KeyboardModifier.AltModifier
            keys = QtCore.Qt.Key
            if alt and key in (keys.Key_Up, keys.Key_Down):
                action = "move_up" if key == keys.Key_Up else "move_down"
                self.action_requested.emit(self.uid, action)
                return True
            if (
                alt
                and key in (keys.Key_Left, keys.Key_Right)
                and not self.alternate_label.isHidden()
            ):
                step = "previous" if key == keys.Key_Left else "next"
                self.action_requested.emit(self.uid, f"{step}_alternate")
                return True
        return False
