"""The column of message cards: a list view whose visible rows get live card editors.

A widget per card does not scale to thousands of messages, so the view keeps real
:class:`MessageCard` editors only for the rows on screen (plus a few around them) and paints a
light preview for the rest. Row heights come from the text, cached per message and width.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

# ``QtCore.Qt`` where used, never imported: PySide makes the ``Qt`` namespace (a hundred enums,
# ~25 ms) on first use, which must come after the first paint (see widgets.set_keys).
from PySide6 import QtCore
from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QListView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from workbench.core.conversation import Message
from workbench.ui.common.memory import trim_soon
from workbench.ui.common.palette import colours
from workbench.ui.common.widgets import named, set_keys
from workbench.ui.conversation.message_card import (
    CARD_LAYOUT_SPACING,
    CARD_MARGIN,
    CARD_SPACING,
    FRAME_LINE,
    HEADER_HEIGHT,
    MAX_CONTENT_HEIGHT,
    MEASURED_PREFIX,
    MIN_CONTENT_HEIGHT,
    STREAM_TAIL_CHARS,
    MessageCard,
    card_text_width,
    content_font,
    content_height,
    detail_font,
    detail_height,
    estimate_content_height,
    header_height,
    takes_tab,
)

if TYPE_CHECKING:
    from workbench.ui.common.stream_view import StreamTail
from workbench.ui.conversation.message_model import MessageListModel, UidRole

_Index = QModelIndex | QPersistentModelIndex
#: What a cached height belongs to: the text's hash, or ("start", hash of its start).
_TextKey = int | tuple[str, int] | None
#: Rows above and below the screen that keep a live editor, so short scrolls show no previews.
EDITOR_BUFFER = 3
#: Cards kept hidden for reuse after they scroll away.
SPARE_CARDS = 16
#: A card released with more text than this gives its text back (and the memory is trimmed).
LONG_TEXT_CHARS = 100_000
#: Rows laid out per batch between events (QListView's batched layout): a batch is how long the
#: window cannot answer a key or a scroll while rows are laid out again (2,000 took 30 ms and more).
LAYOUT_BATCH = 500
#: The shortest a row can be (header, smallest content, margins, gap).
MIN_ROW_HEIGHT = HEADER_HEIGHT + MIN_CONTENT_HEIGHT + CARD_MARGIN + CARD_SPACING + 4
#: Seconds of measuring guessed heights per pass of the event loop.
MEASURE_SLICE_S = 0.012
#: Screens of rows measured on either side of the screen once a guessed row comes within a screen
#: of it: a measured height that differs from its guess lays every row out again, so measuring
#: well ahead does that once every few screens of scrolling rather than at every step.
MEASURE_SCREENS = 4


class CardDelegate(QStyledItemDelegate):
    """Sizes rows by their text, creates card editors and paints previews.

    Signals:
        field_edited(uid, name, value), action_requested(uid, action): forwarded from the cards.
    """

    field_edited = Signal(int, str, object)
    action_requested = Signal(int, str)
    widget_focused = Signal(object)
    drag_moved = Signal(int, QPoint)
    drag_released = Signal(int, QPoint)

    def __init__(self, partial_refusal: Callable[[int], str | None], parent: QWidget) -> None:
        super().__init__(parent)
        self._partial_refusal = partial_refusal
        self._font = content_font()
        self._metrics = QFontMetrics(self._font)
        self._detail_font = detail_font()
        #: The cards' header row, as tall as its controls need at the app's font.
        self._header = header_height()
        self._heights: dict[tuple[int, int, int], int] = {}
        self._spare_cards: list[MessageCard] = []
        # Content heights per text width: uid -> (hash of the text, height). Exact ones come from
        # laying the text out; guesses (rows off screen) from its length, until the idle pass
        # measures them. Only the widths in use are kept: no clearing that would make every
        # keystroke lay out every card again.
        self._exact: dict[int, dict[int, tuple[_TextKey, int]]] = {}
        self._guessed: dict[int, dict[int, tuple[_TextKey, int]]] = {}
        #: Rows whose heights are measured during a layout pass (on screen and around).
        self.exact_rows = range(0, 0)
        #: Per (uid, width): a text known to reach the tallest card height.
        self._capped: dict[tuple[int, int], str] = {}
        self.badge_for: Callable[[Message], tuple[str, str]] | None = None
        #: The request linter's word on a card by row: (text, blocking); ("", False) for none.
        self.lint_for: Callable[[int], tuple[str, bool]] | None = None
        #: Rich text shown under a card's content (its tool calls, say); "" for none.
        self.detail_for: Callable[[Message], str] | None = None
        self._model: MessageListModel | None = None
        #: The size last given for each row by uid: (width, content, exact, detail, size). A
        #: layout asks every row's size (50,000 at 50,000 cards), mostly of rows it asked before.
        self._sizes: dict[int, tuple[int, str, bool, str, QSize]] = {}
        #: Answers streaming into cards, by uid: their cards show these ends, not the content.
        self.streams: dict[int, StreamTail] = {}

    def message(self, index: _Index) -> Message:
        """The message of ``index``, straight from the model.

        Asking the model rather than ``index.data(MessageRole)`` avoids wrapping a Python object in
        a QVariant on every size and paint call of a layout pass over thousands of rows.
        """
        model = self._model
        if model is None:
            view = self.parent()
            assert isinstance(view, QListView)
            found = view.model()
            assert isinstance(found, MessageListModel)
            model = self._model = found
        return model.message_at(index.row())

    # Sizes -----------------------------------------------------------------------------------

    def _text_width(self, row_width: int) -> int:
        return card_text_width(row_width)

    def _tables(
        self, width: int
    ) -> tuple[dict[int, tuple[_TextKey, int]], dict[int, tuple[_TextKey, int]]]:
        exact = self._exact.get(width)
        if exact is None:
            # A new width: keep the previous one (a resize back and forth), drop older ones.
            for table in (self._exact, self._guessed):
                for old in list(table)[:-1]:
                    del table[old]
            exact = self._exact[width] = {}
            self._guessed[width] = {}
            self._capped.clear()
        return exact, self._guessed[width]

    def content_height_for(self, message: Message, row_width: int, exact: bool = True) -> int:
        """The content editor height of ``message`` in a row ``row_width`` wide (cached).

        Args:
            message: The card's message.
            row_width: The row's width.
            exact: Lay the text out if it has not been at this width; False to take a guess
                from its length instead (rows off screen), to be measured later.
        """
        known, guesses = self._tables(row_width)
        text = message.content
        uid = message.uid
        found = known.get(uid)
        # A long text is known by its start while its start alone reaches the tallest card: the
        # rest cannot change the height, and hashing megabytes on every update of an answer
        # streaming in cost more than the rest of showing it.
        long = len(text) > MEASURED_PREFIX
        if long:
            key: _TextKey = ("start", hash(text[:MEASURED_PREFIX]))
            if found is not None and found[0] == key:
                return found[1]
            if found is not None and isinstance(found[0], int) and found[0] == hash(text):
                return found[1]  # a long text that does not reach the tallest card (rare)
        else:
            key = hash(text)
            if found is not None and found[0] == key:
                return found[1]
        if not exact:
            guessed = guesses.get(uid)
            if guessed is not None and guessed[0] == key:
                return guessed[1]
            width = self._text_width(row_width)
            height = estimate_content_height(text, width, self._font, self._metrics)
            guesses[uid] = (key if not long or height >= MAX_CONTENT_HEIGHT else None, height)
            return height
        capped = self._capped.get((uid, row_width))
        width = self._text_width(row_width)
        if capped is not None and text.startswith(capped):
            # Text added to a card already at its tallest (an answer streaming in) cannot
            # make it taller: skip laying out the whole text again.
            height = MAX_CONTENT_HEIGHT
        else:
            # What reaches the cap is remembered by its start only (a deleted 10 MB answer
            # must not stay in memory here).
            head = text[:MEASURED_PREFIX]
            height = content_height(head, width, self._font)
            if height >= MAX_CONTENT_HEIGHT:
                self._capped[(uid, row_width)] = head
            elif len(text) > len(head):
                height = content_height(text, width, self._font)
        known[uid] = (key if not long or height >= MAX_CONTENT_HEIGHT else hash(text), height)
        if guesses.pop(uid, None) is not None:
            self._sizes.pop(uid, None)  # it was given its guess
        return height

    def last_height(self, uid: int, row_width: int) -> int | None:
        """The content height last given for message ``uid`` at ``row_width`` (exact or not)."""
        known, guesses = self._tables(row_width)
        found = known.get(uid) or guesses.get(uid)
        return found[1] if found is not None else None

    def is_guessed(self, uid: int, row_width: int) -> bool:
        """Whether the height of message ``uid`` at ``row_width`` is still a guess."""
        guesses = self._guessed.get(row_width)  # asking starts no table for a new width
        return guesses is not None and uid in guesses

    def measure(self, message: Message, row_width: int) -> bool:
        """Measures ``message`` exactly at ``row_width``; whether that changed the height its
        row was given (a guess): the rows must then be laid out again."""
        guessed = self._tables(row_width)[1].get(message.uid)
        return guessed is not None and self.content_height_for(message, row_width) != guessed[1]

    def forget(self, uid: int) -> None:
        """Drops what is known of message ``uid`` (it left the conversation)."""
        for table in (*self._exact.values(), *self._guessed.values()):
            table.pop(uid, None)
        for key in [k for k in self._capped if k[0] == uid]:
            del self._capped[key]
        self._sizes.pop(uid, None)

    def follow(self, model: MessageListModel | None) -> None:
        """Reads messages from ``model`` from now on (the view's model changed)."""
        self._model = model

    def detail_html(self, message: Message) -> str:
        """The rich text under the card of ``message`` ("" for none)."""
        return self.detail_for(message) if self.detail_for is not None else ""

    def detail_height_for(self, message: Message, row_width: int) -> int:
        """The height of the detail area of ``message``'s card (cached by its text)."""
        html = self.detail_html(message)
        if not html:
            return 0
        key = (message.uid, hash(html), -row_width)
        height = self._heights.get(key)
        if height is None:
            height = detail_height(html, self._text_width(row_width), self._detail_font)
            self._heights[key] = height
        return height

    def row_height(self, message: Message, row_width: int, exact: bool = True) -> int:
        """The full row height: header, content, details, margins and the gap below."""
        detail = self.detail_height_for(message, row_width)
        return (
            self._header
            + CARD_LAYOUT_SPACING
            + self.content_height_for(message, row_width, exact)
            + (detail + CARD_LAYOUT_SPACING if detail else 0)
            + CARD_MARGIN
            + 2 * FRAME_LINE
            + CARD_SPACING
        )

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        # Called for every row of every layout pass (50,000 times at 50,000 cards): rows off
        # screen get a guess, measured later by the view's idle pass.
        view = self.parent()
        width = view.viewport().width() if isinstance(view, QListView) else 600
        row = index.row()
        message = self.message(index)
        exact = row in self.exact_rows
        detail = self.detail_html(message)
        uid = message.uid
        given = self._sizes.get(uid)
        if (
            given is not None
            and given[0] == width
            and given[1] is message.content
            and (given[2] or not exact)
            and given[3] == detail
        ):
            return given[4]
        size = QSize(width, self.row_height(message, width, exact))
        measured = not self.is_guessed(uid, width)
        self._sizes[uid] = (width, message.content, measured, detail, size)
        return size

    # Editors ---------------------------------------------------------------------------------

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        # Scrolling opens a card for every row that comes on screen: reuse the ones that left it
        # (building a card costs milliseconds; re-showing a message in one costs much less).
        spare = self._spare_cards
        if spare:
            # One that showed a card of the same role, if there is one: its frame is painted
            # in that role's colour already.
            role = self.message(index).role
            at = next((i for i in range(len(spare) - 1, -1, -1) if spare[i].role == role), -1)
            spare.append(spare.pop(at))
        while spare:
            card = spare.pop()
            if card.parentWidget() is parent:
                card.show()
                return card
            card.deleteLater()
        card = MessageCard(parent)
        card.field_edited.connect(self.field_edited)
        card.action_requested.connect(self.action_requested)
        card.widget_focused.connect(self.widget_focused)
        view = self.parent()
        if isinstance(view, MessageListView):
            card.focus_neighbour = view.focus_neighbour
        card.drag_moved.connect(self.drag_moved)
        card.drag_released.connect(self.drag_released)
        return card

    def destroyEditor(self, editor: QWidget, index: _Index) -> None:
        if isinstance(editor, MessageCard):
            if editor.text_held() > LONG_TEXT_CHARS:
                # A spare card would keep a long answer's text and layout alive (hundreds of MB
                # for a 10 MB answer) after its card was deleted or its workspace closed.
                editor.forget_content()
                trim_soon()
            if len(self._spare_cards) < SPARE_CARDS:
                editor.hide()
                self._spare_cards.append(editor)
                return
        super().destroyEditor(editor, index)

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        if not isinstance(editor, MessageCard):
            return
        message = self.message(index)
        editor.show_message(
            message, self._partial_refusal(index.row()), self.streams.get(message.uid)
        )
        view = self.parent()
        width = view.viewport().width() if isinstance(view, QListView) else editor.width()
        if self.measure(message, width):
            # The row was laid out at a guessed height: the rows are laid out again, or the card
            # would overlap the row below it (or leave a gap).
            self.sizeHintChanged.emit(index)
        editor.set_content_height(self.content_height_for(message, width))
        editor.set_detail(self.detail_html(message), self.detail_height_for(message, width))
        if self.badge_for is not None:
            editor.set_badge(*self.badge_for(message))
        editor.set_lint(*(self.lint_for(index.row()) if self.lint_for is not None else ("",)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Qt's delegate filter claims Esc for "cancel editing" (accepting its shortcut override).
        # Cards are persistent editors with nothing to cancel: Esc is the window's Stop.
        if (
            event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
            and isinstance(event, QKeyEvent)
            and event.key() == QtCore.Qt.Key.Key_Escape
        ):
            return False
        return super().eventFilter(watched, event)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: _Index) -> None:
        """Nothing: cards announce edits through signals, which become undoable commands."""

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: _Index
    ) -> None:
        rect = option.rect.adjusted(0, 0, 0, -CARD_SPACING)
        editor.setGeometry(rect)

    # Previews --------------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        view = self.parent()
        if isinstance(view, QListView) and view.indexWidget(view.model().index(index.row(), 0)):
            return  # a live card covers the row: a preview underneath is wasted work
        message = self.message(index)
        rect = option.rect.adjusted(0, 0, -1, -CARD_SPACING - 1)
        palette = option.palette
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(palette.color(QPalette.ColorRole.Midlight))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, 6, 6)
        painter.fillRect(
            QRect(rect.left(), rect.top() + 1, 4, rect.height() - 1),
            QColor(colours().role(message.role)),
        )
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        header = QRect(rect.left() + CARD_MARGIN + 4, rect.top(), rect.width(), self._header)
        painter.drawText(header, QtCore.Qt.AlignmentFlag.AlignVCenter, message.role)
        body = rect.adjusted(CARD_MARGIN + 8, self._header + 4, -CARD_MARGIN, -4)
        painter.setFont(self._font)
        painter.drawText(body, QtCore.Qt.TextFlag.TextWordWrap, message.content[:4000])
        painter.restore()


class MessageListView(QListView):
    """The scrolling column of cards (object name ``messageList``).

    Signals:
        editors_synced(): live editors now cover the visible rows (tests wait on it).
        card_dropped(uid, destination): the user dragged message ``uid`` to row ``destination``.
    """

    editors_synced = Signal()
    card_dropped = Signal(int, int)
    #: Set once built: Qt calls the overrides below from QListView's own constructor.
    _ready = False
    #: The row to keep in place through a layout: (uid, its top, the scroll bar's value then).
    _anchor: tuple[int, int, int] | None = None
    #: Whether a measured row differed from its guess since the rows were last laid out.
    _measured_changed = False
    #: No rows laid out and no cards opened until release_editors() (see hold_editors).
    _held = False

    def __init__(self, delegate_factory: Callable[[QListView], CardDelegate]) -> None:
        super().__init__()
        # The viewport's first wrapper, found by name: the first viewport() call would make
        # PySide look for its most derived class through every widget class, creating their
        # types and enums (about 10 ms before the first paint); later calls return this one.
        self._viewport = self.findChild(QWidget, "qt_scrollarea_viewport")
        named(self, "messageList")
        self.card_delegate = delegate_factory(self)
        self.setItemDelegate(self.card_delegate)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        set_keys(self, "horizontalScrollBarPolicy", "ScrollBarAlwaysOff")
        # Always there: a bar that comes and goes changes the rows' width, and so every row's
        # height (a layout of every row, which can take the bar away again while it runs).
        set_keys(self, "verticalScrollBarPolicy", "ScrollBarAlwaysOn")
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        set_keys(self, "focusPolicy", "NoFocus")
        self.setFrameShape(QListView.Shape.NoFrame)
        self.setSpacing(0)
        self.viewport().setAutoFillBackground(True)
        self._open: set[int] = set()
        self._indicator_y: int | None = None
        self.card_delegate.drag_moved.connect(self._card_dragged)
        self.card_delegate.drag_released.connect(self._card_released)
        self.verticalScrollBar().valueChanged.connect(self.sync_editors)
        self.card_delegate.widget_focused.connect(self.ensure_widget_visible)
        # Thousands of rows are laid out in batches between events (no stall, whatever the
        # count); heights of rows off screen are guessed, then measured by an idle pass.
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(LAYOUT_BATCH)
        self._measure_timer: QTimer = QTimer(self)
        self._measure_timer.setSingleShot(True)
        self._measure_timer.setInterval(0)
        self._measure_timer.timeout.connect(self._measure_some)
        self.verticalScrollBar().valueChanged.connect(lambda _v: self._measure_timer.start())
        self._ready = True

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        self.card_delegate.follow(model if isinstance(model, MessageListModel) else None)
        if model is None:
            return
        model.rowsInserted.connect(self._after_rows_changed)
        model.rowsRemoved.connect(self._after_rows_changed)
        model.rowsMoved.connect(self._after_rows_changed)
        model.modelReset.connect(self._after_reset)
        if isinstance(model, MessageListModel):
            model.conversation.removed.connect(self._on_message_removed)

    def _on_message_removed(self, _index: int, message: Message) -> None:
        self.card_delegate.forget(message.uid)

    # Answers streaming in ----------------------------------------------------------------------
    # A run draws its new text into the card straight away (the card shows the answer's end, see
    # StreamTail) and brings the message up to date less often: a flush costs the new text, not
    # the whole answer again.

    def begin_stream(self, uid: int, text: str) -> None:
        """The answer in card ``uid`` streams in from now on; ``text`` is what it holds so far."""
        from workbench.ui.common.stream_view import StreamTail

        self.card_delegate.streams[uid] = StreamTail(text, STREAM_TAIL_CHARS)
        row = self._row_of(uid)
        card = self.card_at(row) if row >= 0 else None
        if card is not None:
            self.card_delegate.setEditorData(card, self.model().index(row, 0))

    def add_streamed(self, uid: int, pieces: Sequence[str]) -> None:
        """``pieces`` arrived at the end of the answer streaming into card ``uid``."""
        stream = self.card_delegate.streams.get(uid)
        if stream is None:
            return
        added = stream.add(pieces)
        row = self._row_of(uid)
        card = self.card_at(row) if row >= 0 else None
        if card is not None:
            card.add_streamed(stream, added)

    def end_stream(self, uid: int) -> None:
        """The answer in card ``uid`` is complete (or stopped): the card shows its message."""
        if self.card_delegate.streams.pop(uid, None) is None:
            return
        row = self._row_of(uid)
        card = self.card_at(row) if row >= 0 else None
        if card is not None:
            self.card_delegate.setEditorData(card, self.model().index(row, 0))

    # Layout ----------------------------------------------------------------------------------
    # QListView lays out every row again on any change of data (QListView::dataChanged) and
    # asks the delegate for every row's size: at 50,000 cards that was seconds per keystroke.
    # Here a change re-lays out only when a row's height really changed, rows off screen are
    # sized by a guess, and the guesses are measured a few at a time when the loop is idle.

    def hold_editors(self) -> None:
        """Lays out no rows and opens no cards until :meth:`release_editors`: the window is not
        shown yet, and the view will be laid out at other widths before it is."""
        self._held = True

    def release_editors(self) -> None:
        """Lays the rows out and opens the cards on screen, at the view's size now."""
        if self._held:
            self._held = False
            self.doItemsLayout()
            self.sync_editors()

    def doItemsLayout(self) -> None:
        if not self._ready:
            super().doItemsLayout()
            return
        if self._held:
            return
        rows = self.visible_rows()
        model = self.model()
        count = model.rowCount() if model is not None else 0
        fits = self.viewport().height() // MIN_ROW_HEIGHT + 1
        self.card_delegate.exact_rows = range(
            max(0, rows.start - EDITOR_BUFFER), min(count, rows.start + fits + EDITOR_BUFFER)
        )
        if self._anchor is None and rows:
            self._anchor = self._anchor_of(rows.start)
        super().doItemsLayout()
        self._measure_timer.start()

    def lay_out_now(self) -> None:
        """Lays out every row at once (before asking where a far row is)."""
        self.setLayoutMode(QListView.LayoutMode.SinglePass)
        try:
            self.doItemsLayout()
        finally:
            self.setLayoutMode(QListView.LayoutMode.Batched)

    def _anchor_of(self, row: int) -> tuple[int, int, int] | None:
        model = self.model()
        if model is None:
            return None
        rect = self.visualRect(model.index(row, 0))
        uid = model.data(model.index(row, 0), UidRole)
        if not rect.isValid() or uid is None:
            return None
        return (int(uid), rect.top(), self.verticalScrollBar().value())

    def _restore_anchor(self, scrolled_to: int) -> None:
        """Keeps the row that was at the top where it was, however heights above it changed.

        The user may have scrolled while the rows were laid out (in batches, which start again
        whenever a measured height differs from its guess): their scroll is kept, not undone (the
        view jumped back to where the layout began, the top of the file after a quick scroll
        down a file just opened). ``scrolled_to`` is the scroll bar's value before the layout
        changed the range: Qt pulling it down to a smaller maximum is not the user's scrolling
        (counted as such, the view at the bottom of a list whose rows shrank jumped up).
        """
        anchor, self._anchor = self._anchor, None
        if anchor is None:
            return
        uid, top, value = anchor
        row = self._row_of(uid)
        model = self.model()
        if row < 0 or model is None:
            return
        rect = self.visualRect(model.index(row, 0))
        if not rect.isValid():
            self._anchor = anchor  # the batches have not reached it yet
            return
        bar = self.verticalScrollBar()
        wanted = top - (scrolled_to - value)  # where the user's scrolling since then put it
        if rect.top() != wanted:
            bar.setValue(bar.value() + rect.top() - wanted)

    def _measure_some(self) -> None:
        """Measures the guessed heights of the rows on screen and some screens around them.

        Nothing is measured while the rows within a screen of the screen are measured already;
        once a guessed row comes that near, the rows :data:`MEASURE_SCREENS` screens around are
        measured (nearest first, a slice per pass of the loop). Rows further away keep their
        guess: a guess only moves the scroll bar a little, and measuring 50,000 cards would take
        the loop for seconds. When a measured row differs from its guess, the rows are laid out
        again (in batches).
        """
        model = self.model()
        if not isinstance(model, MessageListModel):
            return
        width = self.viewport().width()
        delegate = self.card_delegate
        rows = self.visible_rows()
        if not rows:
            return  # the last batch starts it again, when the rows on screen are known
        count = model.rowCount()
        conversation = model.conversation
        screen = self.viewport().height() // MIN_ROW_HEIGHT + 1
        near = range(max(0, rows.start - screen), min(count, rows.stop + screen))
        if not any(delegate.is_guessed(conversation[i].uid, width) for i in near):
            # Earlier slices may have measured rows that differ from their guess (a slow
            # machine cuts a slice after a row or two): they are laid out again all the same.
            self._lay_out_measured(rows.start)
            return
        ahead = MEASURE_SCREENS * screen
        first, last = max(0, rows.start - ahead), min(count, rows.stop + ahead)
        middle = (rows.start + rows.stop) // 2
        order = sorted(range(first, last), key=lambda i: abs(i - middle))
        deadline = time.perf_counter() + MEASURE_SLICE_S
        for row in order:
            message = conversation[row]
            if not delegate.is_guessed(message.uid, width):
                continue
            self._measured_changed = delegate.measure(message, width) or self._measured_changed
            if time.perf_counter() > deadline:
                # More next time round; the rows are laid out again once, when the rows around
                # the screen are all measured (a layout per slice took a layout of every row
                # per slice, and the next slice waited for it).
                self._measure_timer.start()
                return
        self._lay_out_measured(rows.start)

    def _lay_out_measured(self, top: int) -> None:
        """Lays the rows out again if a measured row differed from its guess, keeping ``top``
        (the row at the top of the screen) in place."""
        if self._measured_changed:
            self._measured_changed = False
            if self._anchor is None:
                self._anchor = self._anchor_of(top)
            self.scheduleDelayedItemsLayout()

    def dataChanged(
        self,
        top_left: QModelIndex | QPersistentModelIndex,
        bottom_right: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        # Not QListView::dataChanged, which lays out every row again: the cards of the rows
        # are shown afresh, and a layout is asked for only when a row's height changed.
        if not self._ready:
            QAbstractItemView.dataChanged(self, top_left, bottom_right, list(roles))
            return
        # The heights before the change, taken first: QAbstractItemView.dataChanged repaints a
        # single changed row, which asks its new size (the delegate then knew only the new
        # height, and a row off screen that shrank kept its old place: no layout was asked).
        cards = {}
        heights = {}
        width = self.viewport().width()
        delegate = self.card_delegate
        model = self.model()
        for row in range(top_left.row(), bottom_right.row() + 1):
            card = self.card_at(row)
            if card is not None:
                cards[row] = (card.content_edit.height(), card.detail.height())
            else:
                uid = delegate.message(model.index(row, 0)).uid
                heights[row] = delegate.last_height(uid, width)
        QAbstractItemView.dataChanged(self, top_left, bottom_right, list(roles))
        self._on_data_changed(top_left, bottom_right, cards, heights)

    # Live editors ----------------------------------------------------------------------------
    # Open editors are tracked by message uid: rows move when cards are inserted or moved, uids
    # don't.

    def _row_of(self, uid: int) -> int:
        model = self.model()
        if not isinstance(model, MessageListModel):
            return -1
        try:
            return model.conversation.index_of(uid)
        except ValueError:
            return -1

    def card_at(self, row: int) -> MessageCard | None:
        """The live card of ``row``, if it has one."""
        model = self.model()
        if model is None or not 0 <= row < model.rowCount():
            return None
        widget = self.indexWidget(model.index(row, 0))
        return widget if isinstance(widget, MessageCard) else None

    def _open_cards(self) -> list[tuple[int, MessageCard]]:
        """(row, card) of every live card."""
        found = []
        for uid in list(self._open):
            row = self._row_of(uid)
            card = self.card_at(row) if row >= 0 else None
            if card is None:
                self._open.discard(uid)
            else:
                found.append((row, card))
        return sorted(found, key=lambda pair: pair[0])

    def cards(self) -> list[MessageCard]:
        """The live cards, top to bottom."""
        return [card for _, card in self._open_cards()]

    def cards_with_messages(self) -> list[tuple[MessageCard, Message]]:
        """The live cards, top to bottom, each with the message it shows."""
        model = self.model()
        if not isinstance(model, MessageListModel):
            return []
        return [(card, model.message_at(row)) for row, card in self._open_cards()]

    def visible_rows(self) -> range:
        """The rows at least partly on screen."""
        model = self.model()
        if model is None or model.rowCount() == 0:
            return range(0)
        top = self.indexAt(QPoint(4, 0))
        bottom = self.indexAt(QPoint(4, self.viewport().height() - 1))
        # Never more rows than the screen holds: while the rows are laid out again in batches,
        # the top can be past the rows laid out so far and the bottom not (a card for every row
        # was opened then, 5,000 of them).
        fits = self.viewport().height() // MIN_ROW_HEIGHT + 1
        if top.isValid():
            first = top.row()
        else:
            # QListView's indexAt finds no row until its last batch, nor where a row's size
            # changed since it was laid out (the top of the screen falls in the space left): the
            # row at the top is looked for by the rows' places (taken as the first row, a card
            # scrolled to at row 2,800 was closed and the rows 0-8 opened).
            found = self._laid_out_top_row()
            if found is not None:
                first = found
            elif self.laying_out():
                return range(0)  # the batches have not reached the screen yet
            else:
                first = max(0, bottom.row() - fits) if bottom.isValid() else 0
        last = bottom.row() if bottom.isValid() else first + fits
        return range(first, min(model.rowCount() - 1, first + fits, last) + 1)

    def _laid_out_top_row(self) -> int | None:
        """The row at the top of the screen if it is laid out, by a binary search of the rows'
        places (a row the batches have not reached yet has none)."""
        model = self.model()
        if model is None:
            return None
        low, high = 0, model.rowCount() - 1
        found = None
        while low <= high:
            middle = (low + high) // 2
            rect = self.visualRect(model.index(middle, 0))
            if rect.isValid() and rect.top() <= 0:
                found, low = middle, middle + 1
            else:
                high = middle - 1
        if found is None:
            return None
        if found + 1 < model.rowCount() and self.visualRect(model.index(found + 1, 0)).isValid():
            return found  # the next row starts below the top: this one is there
        rect = self.visualRect(model.index(found, 0))
        return found if rect.bottom() >= 0 else None

    def sync_editors(self) -> None:
        """Opens cards for the rows on screen (and a few around), closes the others."""
        model = self.model()
        if model is None or self._held:
            return
        rows = self.visible_rows()
        if not rows and model.rowCount() > 0:
            return  # which rows are on screen is known when the batches reach them
        wanted = range(
            max(0, rows.start - EDITOR_BUFFER), min(model.rowCount(), rows.stop + EDITOR_BUFFER)
        )
        focused = QApplication.focusWidget()
        for row, card in self._open_cards():
            if row in wanted:
                continue
            if focused is not None and card.isAncestorOf(focused):
                continue  # never pull the card the user is typing in from under them
            self._open.discard(card.uid)
            self.closePersistentEditor(model.index(row, 0))
        for row in wanted:
            index = model.index(row, 0)
            if self.indexWidget(index) is None:
                self.openPersistentEditor(index)
                self._open.add(model.data(index, UidRole))
        self.editors_synced.emit()

    def scroll_to_row(self, row: int, focus: bool = False) -> MessageCard | None:
        """Brings ``row`` on screen and returns its card (focusing its content if asked)."""
        model = self.model()
        if model is None or not 0 <= row < model.rowCount():
            return None
        if not self.visualRect(model.index(row, 0)).isValid():
            self.lay_out_now()  # a row the batches have not reached yet
        self.executeDelayedItemsLayout()
        self.scrollTo(model.index(row, 0), QAbstractItemView.ScrollHint.EnsureVisible)
        self.sync_editors()
        card = self.card_at(row)
        if card is not None and focus:
            card.content_edit.setFocus()
        return card

    def focus_neighbour(self, uid: int, forward: bool) -> bool:
        """Tab past the end of card ``uid``: into the next (or previous) row's card, brought on
        screen, or out of the list after the last row (before the first)."""
        model = self.model()
        row = self._row_of(uid)
        target = row + (1 if forward else -1)
        reasons = QtCore.Qt.FocusReason
        reason = reasons.TabFocusReason if forward else reasons.BacktabFocusReason
        if model is not None and row >= 0 and 0 <= target < model.rowCount():
            card = self.scroll_to_row(target)
            chain = card.focus_chain() if card is not None else []
            if chain:
                (chain[0] if forward else chain[-1]).setFocus(reason)
                return True
            return False
        # Out of the list: walk the window's chain from the list itself, where it sits among
        # the window's controls (the cards were added to the chain's end when they were made).
        start: QWidget = self
        widget: QWidget | None = start
        while widget is not None:
            widget = widget.nextInFocusChain() if forward else widget.previousInFocusChain()
            if widget is None or widget is start:
                break
            if (
                not self.isAncestorOf(widget)
                and widget.window() is self.window()
                and widget.isVisible()
                and widget.isEnabled()
                and takes_tab(widget)
            ):
                widget.setFocus(reason)
                return True
        return False

    def ensure_widget_visible(self, widget: QWidget) -> None:
        """Scrolls the least needed to show ``widget`` (a part of a card that got the focus).

        Without it, Tab walked into the cards kept below the screen and no further: the list
        never scrolled, so the cards past them never got editors to move on to.
        """
        if not self.viewport().isAncestorOf(widget):
            return
        top = widget.mapTo(self.viewport(), QPoint(0, 0)).y()
        bottom = top + widget.height()
        shown = self.viewport().height()
        bar = self.verticalScrollBar()
        if top < 0 or bottom - top > shown:
            bar.setValue(bar.value() + top - CARD_MARGIN)
        elif bottom > shown:
            bar.setValue(bar.value() + bottom - shown + CARD_MARGIN)

    def _on_data_changed(
        self,
        top_left: QModelIndex | QPersistentModelIndex,
        bottom_right: QModelIndex | QPersistentModelIndex,
        cards: dict[int, tuple[int, int]],
        heights: dict[int, int | None],
    ) -> None:
        """Shows changed rows afresh; lays out again only where a row's height changed.

        Args:
            top_left, bottom_right: The changed rows.
            cards: (content, detail) heights of their live cards before the change.
            heights: Content heights of the other rows before the change (None: not known).
        """
        model = self.model()
        if model is None:
            return
        width = self.viewport().width()
        delegate = self.card_delegate
        relayout = now = False
        for row in range(top_left.row(), bottom_right.row() + 1):
            index = model.index(row, 0)
            card = self.card_at(row)
            if card is not None:
                delegate.setEditorData(card, index)
                if (card.content_edit.height(), card.detail.height()) != cards.get(row):
                    relayout = now = True
                continue
            message = delegate.message(index)
            exact = row in delegate.exact_rows
            if delegate.content_height_for(message, width, exact) != heights.get(row):
                relayout = True
        if now:
            self.doItemsLayout()  # a card on screen grew: its row follows at once
        elif relayout:
            self.scheduleDelayedItemsLayout()

    def _after_rows_changed(self, *_args: object) -> None:
        self.doItemsLayout()
        self.sync_editors()
        self.refresh_cards()  # row numbers shifted: the partial rule of open cards may differ

    def _after_reset(self) -> None:
        self._open.clear()
        self.doItemsLayout()
        self.sync_editors()

    def refresh_cards(self) -> None:
        """Re-shows every open card (after a rule outside the message changed: the provider)."""
        model = self.model()
        for row, card in self._open_cards():
            self.card_delegate.setEditorData(card, model.index(row, 0))

    # Drag to reorder ------------------------------------------------------------------------
    # A card's grip reports the pointer while it is dragged (message_card.DragGrip); the column
    # draws where the card would land and, on release, announces the move.

    def drop_destination(self, uid: int, position: QPoint) -> int | None:
        """Where message ``uid`` goes when dropped at ``position`` (viewport coordinates)."""
        model = self.model()
        source = self._row_of(uid)
        if model is None or source < 0:
            return None
        index = self.indexAt(position)
        if not index.isValid():
            gap = 0 if position.y() < 0 else model.rowCount()
        else:
            rect = self.visualRect(index)
            gap = index.row() + (1 if position.y() > rect.center().y() else 0)
        destination = gap - 1 if gap > source else gap
        return destination if destination != source else None

    def _card_dragged(self, uid: int, global_position: QPoint) -> None:
        position = self.viewport().mapFromGlobal(global_position)
        model = self.model()
        self._indicator_y = None
        if model is not None and self.drop_destination(uid, position) is not None:
            index = self.indexAt(position)
            if not index.isValid():
                last = model.index(0 if position.y() < 0 else model.rowCount() - 1, 0)
                rect = self.visualRect(last)
                self._indicator_y = rect.top() if position.y() < 0 else rect.bottom()
            else:
                rect = self.visualRect(index)
                below = position.y() > rect.center().y()
                self._indicator_y = rect.bottom() - CARD_SPACING // 2 if below else rect.top()
        self.viewport().update()

    def _card_released(self, uid: int, global_position: QPoint) -> None:
        self._indicator_y = None
        self.viewport().update()
        destination = self.drop_destination(uid, self.viewport().mapFromGlobal(global_position))
        if destination is not None:
            self.card_dropped.emit(uid, destination)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._indicator_y is not None:
            painter = QPainter(self.viewport())
            painter.fillRect(
                QRect(4, self._indicator_y - 1, self.viewport().width() - 8, 3),
                self.palette().color(QPalette.ColorRole.Highlight),
            )
            painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.sync_editors()
        if event.size().width() != event.oldSize().width():
            # The rows are laid out again for the new width (visible ones measured, the others
            # guessed, then measured near the screen); the live cards size their editors now.
            # QListView itself lays out again only when the height changes (its flow's size).
            self.scheduleDelayedItemsLayout()
            self.refresh_cards()

    def laying_out(self) -> bool:
        """Whether QListView's batches have not reached the last row yet."""
        model = self.model()
        if not self._ready or model is None or model.rowCount() <= LAYOUT_BATCH:
            return False
        return not self.visualRect(model.index(model.rowCount() - 1, 0)).isValid()

    def updateGeometries(self) -> None:
        bar = self.verticalScrollBar()
        if not self.laying_out():
            scrolled_to = bar.value()
            super().updateGeometries()
            bar.setSingleStep(24)
            if self._ready:
                self._restore_anchor(scrolled_to)
                self.sync_editors()
                self._measure_timer.start()
            return
        # Part way through the batches the rows laid out so far are all QListView knows of: it
        # would shrink the scroll range to them and take the view to their end (a card scrolled
        # to at row 30,000 ended at row 495). The range and the place stay until the last batch.
        value, top = bar.value(), bar.maximum()
        blocked = bar.blockSignals(True)
        try:
            super().updateGeometries()
            bar.setMaximum(max(top, bar.maximum()))
            bar.setValue(value)
        finally:
            bar.blockSignals(blocked)
        bar.setSingleStep(24)

    def updateEditorGeometries(self) -> None:
        # The cards stay where they are until the batches reach their rows (QListView hid them
        # meanwhile, the column blank for as long as the batches took).
        if not self.laying_out():
            super().updateEditorGeometries()
