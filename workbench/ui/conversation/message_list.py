"""The column of message cards: a list view whose visible rows get live card editors.

A widget per card does not scale to thousands of messages, so the view keeps real
:class:`MessageCard` editors only for the rows on screen (plus a few around them) and paints a
light preview for the rest. Row heights come from the text, cached per message and width.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
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
from workbench.ui.common.palette import colours
from workbench.ui.common.widgets import named
from workbench.ui.conversation.message_card import (
    CARD_MARGIN,
    CARD_SPACING,
    HEADER_HEIGHT,
    MAX_CONTENT_HEIGHT,
    MessageCard,
    content_font,
    content_height,
    detail_height,
    takes_tab,
)
from workbench.ui.conversation.message_model import MessageListModel, UidRole

_Index = QModelIndex | QPersistentModelIndex
#: Rows above and below the screen that keep a live editor, so short scrolls show no previews.
EDITOR_BUFFER = 3
#: Cards kept hidden for reuse after they scroll away.
SPARE_CARDS = 16


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
        self._heights: dict[tuple[int, int, int], int] = {}
        self._spare_cards: list[MessageCard] = []
        #: Per (uid, width): a text known to reach the tallest card height.
        self._capped: dict[tuple[int, int], str] = {}
        self.badge_for: Callable[[Message], tuple[str, str]] | None = None
        #: The request linter's word on a card by row: (text, blocking); ("", False) for none.
        self.lint_for: Callable[[int], tuple[str, bool]] | None = None
        #: Rich text shown under a card's content (its tool calls, say); "" for none.
        self.detail_for: Callable[[Message], str] | None = None

    def message(self, index: _Index) -> Message:
        """The message of ``index``, straight from the model.

        Asking the model rather than ``index.data(MessageRole)`` avoids wrapping a Python object in
        a QVariant on every size and paint call of a layout pass over thousands of rows.
        """
        view = self.parent()
        assert isinstance(view, QListView)
        model = view.model()
        assert isinstance(model, MessageListModel)
        return model.message_at(index.row())

    # Sizes -----------------------------------------------------------------------------------

    def _text_width(self, row_width: int) -> int:
        return row_width - 2 * CARD_MARGIN - 4

    def content_height_for(self, message: Message, row_width: int) -> int:
        """The content editor height of ``message`` in a row ``row_width`` wide (cached)."""
        key = (message.uid, hash(message.content), row_width)
        height = self._heights.get(key)
        if height is None:
            if len(self._heights) > 20_000:
                self._heights.clear()
                self._capped.clear()
            capped = self._capped.get((message.uid, row_width))
            if capped is not None and message.content.startswith(capped):
                # Text added to a card already at its tallest (an answer streaming in) cannot
                # make it taller: skip laying out the whole text again.
                height = MAX_CONTENT_HEIGHT
            else:
                height = content_height(message.content, self._text_width(row_width), self._font)
            if height >= MAX_CONTENT_HEIGHT:
                self._capped[(message.uid, row_width)] = message.content
            self._heights[key] = height
        return height

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
            height = detail_height(html, self._text_width(row_width), self._font)
            self._heights[key] = height
        return height

    def row_height(self, message: Message, row_width: int) -> int:
        """The full row height: header, content, details, margins and the gap below."""
        return (
            HEADER_HEIGHT
            + self.content_height_for(message, row_width)
            + self.detail_height_for(message, row_width)
            + CARD_MARGIN
            + (CARD_SPACING + 4)
        )

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        view = self.parent()
        width = view.viewport().width() if isinstance(view, QListView) else 600
        return QSize(width, self.row_height(self.message(index), width))

    # Editors ---------------------------------------------------------------------------------

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        # Scrolling opens a card for every row that comes on screen: reuse the ones that left it
        # (building a card costs milliseconds; re-showing a message in one costs much less).
        while self._spare_cards:
            card = self._spare_cards.pop()
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
        if isinstance(editor, MessageCard) and len(self._spare_cards) < SPARE_CARDS:
            editor.hide()
            self._spare_cards.append(editor)
            return
        super().destroyEditor(editor, index)

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        if not isinstance(editor, MessageCard):
            return
        message = self.message(index)
        editor.show_message(message, self._partial_refusal(index.row()))
        view = self.parent()
        width = view.viewport().width() if isinstance(view, QListView) else editor.width()
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
            and event.key() == Qt.Key.Key_Escape
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
        header = QRect(rect.left() + CARD_MARGIN + 4, rect.top(), rect.width(), HEADER_HEIGHT)
        painter.drawText(header, Qt.AlignmentFlag.AlignVCenter, message.role)
        body = rect.adjusted(CARD_MARGIN + 8, HEADER_HEIGHT + 4, -CARD_MARGIN, -4)
        painter.setFont(self._font)
        painter.drawText(body, Qt.TextFlag.TextWordWrap, message.content[:4000])
        painter.restore()


class MessageListView(QListView):
    """The scrolling column of cards (object name ``messageList``).

    Signals:
        editors_synced(): live editors now cover the visible rows (tests wait on it).
        card_dropped(uid, destination): the user dragged message ``uid`` to row ``destination``.
    """

    editors_synced = Signal()
    card_dropped = Signal(int, int)

    def __init__(self, delegate_factory: Callable[[QListView], CardDelegate]) -> None:
        super().__init__()
        named(self, "messageList")
        self.card_delegate = delegate_factory(self)
        self.setItemDelegate(self.card_delegate)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFrameShape(QListView.Shape.NoFrame)
        self.setSpacing(0)
        self.viewport().setAutoFillBackground(True)
        self._open: set[int] = set()
        self._indicator_y: int | None = None
        self.card_delegate.drag_moved.connect(self._card_dragged)
        self.card_delegate.drag_released.connect(self._card_released)
        self.verticalScrollBar().valueChanged.connect(self.sync_editors)
        self.card_delegate.widget_focused.connect(self.ensure_widget_visible)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is None:
            return
        model.rowsInserted.connect(self._after_rows_changed)
        model.rowsRemoved.connect(self._after_rows_changed)
        model.rowsMoved.connect(self._after_rows_changed)
        model.modelReset.connect(self._after_reset)
        model.dataChanged.connect(self._on_data_changed)

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
        first = top.row() if top.isValid() else 0
        last = bottom.row() if bottom.isValid() else model.rowCount() - 1
        return range(first, last + 1)

    def sync_editors(self) -> None:
        """Opens cards for the rows on screen (and a few around), closes the others."""
        model = self.model()
        if model is None:
            return
        rows = self.visible_rows()
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
        self.doItemsLayout()
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
        reason = Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason
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

    def _on_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex) -> None:
        for row in range(top_left.row(), bottom_right.row() + 1):
            card = self.card_at(row)
            index = self.model().index(row, 0)
            if card is not None:
                before = (card.content_edit.height(), card.detail.height())
                self.card_delegate.setEditorData(card, index)
                if (card.content_edit.height(), card.detail.height()) != before:
                    self.card_delegate.sizeHintChanged.emit(index)
            else:
                self.card_delegate.sizeHintChanged.emit(index)

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

    def updateGeometries(self) -> None:
        super().updateGeometries()
        self.verticalScrollBar().setSingleStep(24)
