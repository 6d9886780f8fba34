"""The main window: lays out the card column and the side panels, and installs the features.

The menus (:mod:`.menus`), the File work on the document (:mod:`.document_actions`) and what the
window remembers (:mod:`.window_state`) live beside it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.conversation import ROLES
from workbench.core.providers import ProviderRegistry, prefill_refusal
from workbench.core.settings import Settings
from workbench.core.workspace import Workspace
from workbench.ui.common import dialogs
from workbench.ui.common.document import WorkspaceDocument, apply_defaults
from workbench.ui.common.i18n import (
    chosen_language,
    install_translators,
    installed_language,
    provider_name,
    shown,
    shown_lines,
)
from workbench.ui.common.icons import icon
from workbench.ui.common.palette import (
    apply_theme,
    check_assumed_scheme,
    error_text,
    known_desktop_scheme,
)
from workbench.ui.common.undo import SetParam, SetTitle
from workbench.ui.common.widgets import named, set_keys
from workbench.ui.context import AppContext, Sender
from workbench.ui.conversation.conversation_editor import ConversationEditor
from workbench.ui.conversation.message_list import CardDelegate, MessageListView
from workbench.ui.conversation.message_model import MessageListModel
from workbench.ui.shell.document_actions import DocumentActions
from workbench.ui.shell.menus import WindowMenus
from workbench.ui.shell.window_state import (
    AutosaveWarning,
    restore_layout,
    restore_tabs,
    save_layout,
    show_state_problems,
)

if TYPE_CHECKING:
    from workbench.ui.compare.compare_view import CompareView
    from workbench.ui.history.history_panel import HistoryPanel
    from workbench.ui.run.run_controller import RunController
    from workbench.ui.shell import request_lint
    from workbench.ui.shell.first_start import EmptyState
    from workbench.ui.shell.params_panel import ParamsPanel
    from workbench.ui.shell.provider_feed import ProviderFeed
    from workbench.ui.tokens.token_meter import TokenMeter
    from workbench.ui.tools.tool_editor import ToolsEditor

log = logging.getLogger(__name__)
APP_TITLE = "Prompt Workbench"


class _AfterFirstPaint(QObject):
    """Calls ``shown`` when ``widget`` is first shown (its children are laid out at their sizes
    by then), ``now`` when it first paints, and ``then`` once, on the loop's next turn."""

    def __init__(
        self,
        widget: QWidget,
        shown: Callable[[], None],
        now: Callable[[], None],
        then: Callable[[], None],
    ) -> None:
        super().__init__(widget)
        self._shown: Callable[[], None] | None = shown
        self._now = now
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Show and self._shown is not None:
            shown, self._shown = self._shown, None
            shown()
        elif kind == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            if self._shown is not None:  # painted without a Show event first
                shown, self._shown = self._shown, None
                shown()
            self._now()
            QTimer.singleShot(0, self._then)
        return False


class MainWindow(QMainWindow):
    """One workspace in a window: the shell that features are installed into.

    The window builds the :class:`~workbench.ui.context.AppContext` (:attr:`context`) and hands it
    to each feature package with itself as the :class:`~workbench.ui.context.Shell`.

    Args:
        workspace_path: A workspace file to open; a file that cannot be read is reported and left
            untouched, and the window starts empty.
        defer_features: Paint the window first and wire the features in right after (the app
            does, for a fast start); by default they are ready when the constructor returns.

    Signals:
        closed(): the window closed (after the user agreed about unsaved changes).
        first_painted(): with deferred features, the window is painting for the first time (its
            paint pass ends when control is back in the event loop).
        features_installed(): every feature is wired in (at once, or just after the first paint).
    """

    closed = Signal()
    first_painted = Signal()
    features_installed = Signal()

    def __init__(
        self, workspace_path: str | Path | None = None, *, defer_features: bool = False
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self._closed = False
        self.settings = Settings.load()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            # Before any widget exists: their texts are translated as they are built.
            if installed_language() is None:
                install_translators(chosen_language(self.settings.language))
            # The app's start paints with the desktop's scheme of the last session, checked
            # right after that paint (_after_first_paint).
            remembered = self.settings.desktop_scheme if defer_features else ""
            apply_theme(app, self.settings.theme, remembered)
        #: Built-in and user providers; features read providers through it, never the presets.
        self.providers = ProviderRegistry()
        self.workspace = Workspace()
        apply_defaults(self.workspace, self.settings)
        #: A run is streaming (set by the run feature through ``set_running``).
        self.running = False
        self._send_state: tuple[bool, str | None, bool] | None = None
        #: A file is being opened: the window is not empty yet (no first-start panel for it).
        self._opening = workspace_path is not None
        self.undo_stack = QUndoStack(self)
        self.document = WorkspaceDocument(self.workspace, self.undo_stack, self.settings)
        #: The services handed to every feature.
        self.context = AppContext(
            self.workspace,
            self.undo_stack,
            self.document,
            self.settings,
            self.providers,
            parent=self,
        )
        #: What Send and Stop call (the run feature); None until it is installed.
        self._sender: Sender | None = None
        #: The installed features (None until installed): tests and benchmarks drive them.
        self.run_controller: RunController | None = None
        self.token_meter: TokenMeter | None = None
        self.tools_editor: ToolsEditor | None = None
        self.compare_view: CompareView | None = None
        self.history_panel: HistoryPanel | None = None
        #: Feeds the provider and model selectors (made with the features: it reads the catalog).
        self.provider_feed: ProviderFeed | None = None
        self.request_lint: request_lint.RequestLint | None = None
        self.model = MessageListModel(self.workspace.conversation)
        self.message_list = MessageListView(lambda view: CardDelegate(self.partial_refusal, view))
        self.message_list.setModel(self.model)
        self.editor = ConversationEditor(
            self.workspace.conversation, self.undo_stack, self.message_list
        )
        self._params_panel: ParamsPanel | None = None
        self._build_layout()
        #: File > New, Open, Save, Import, recovery: the document's actions, asking first.
        self.files = DocumentActions(self, self.context)
        #: The menu bar and its actions.
        self.menus = WindowMenus(
            self, self, self.files, self.undo_stack, self.settings, self.main_tabs
        )
        self._connect()
        #: True once every feature (runs, meter, tools, compare...) is wired in.
        self.features_ready = False
        if defer_features:
            # The app paints the cards first and wires the features (and the parameters panel)
            # in right after the first paint: they cost more than the cards. The file writes
            # (the recent-files list of the file opened) wait too: a worker thread started now
            # would take the interpreter from the paint.
            self.document.hold_writes()
            # The cards are made when the window is shown, at their width on screen: made now,
            # they were laid out at three widths (the splitter and the tabs take their sizes in
            # steps as the window is shown), each time measuring and wrapping their text again.
            self.message_list.hold_editors()
            self._first_paint = _AfterFirstPaint(
                self,
                self.message_list.release_editors,
                self.first_painted.emit,
                self._after_first_paint,
            )
        else:
            self._install_features()
        self.resize(1280, 820)
        restore_layout(self, self.splitter, self.settings)
        self._refresh_all()
        show_state_problems(self.statusBar())
        if workspace_path is not None:
            self.files.open_path(workspace_path, offer_recovery=False)
        self.files.offer_recovery(at_start=True)
        if self._opening:
            self._opening = False
            self._send_state = None
            self._update_send_state()  # the file may not have opened

    # Layout ----------------------------------------------------------------------------------

    def _build_layout(self) -> None:
        self.add_button = QToolButton()
        named(self.add_button, "addMessageButton")
        self.add_button.setText(self.tr("Add message"))
        self.add_button.setIcon(icon("add"))
        self.add_button.setToolTip(
            self.tr("Add a message at the end (Ctrl+N); the arrow picks its role")
        )
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        # By name: no Qt.* value before the first paint (see set_keys).
        set_keys(self.add_button, "toolButtonStyle", "ToolButtonTextBesideIcon")
        role_menu = QMenu(self.add_button)
        # Its entries are made when it first opens: making an action before the first paint
        # makes PySide's QAction and QKeySequence types, a hundredth of the start.
        role_menu.aboutToShow.connect(lambda: self._fill_role_menu(role_menu))
        self.add_button.setMenu(role_menu)

        self.send_problems = QLabel()
        self.send_problems.setObjectName("sendProblems")
        self.send_problems.setWordWrap(True)
        self.send_problems.hide()
        error_text(self.send_problems, when_shown=True)  # (no style sheet before the paint)
        self.send_button = QPushButton(self.tr("Send"))
        named(self.send_button, "sendButton")
        self.send_button.setToolTip(self.tr("Send the conversation (Ctrl+Enter)"))
        self.send_button.setDefault(True)
        self.stop_button = QPushButton(self.tr("Stop"))
        named(self.stop_button, "stopButton")
        self.stop_button.setToolTip(self.tr("Stop the answer streaming in (Esc)"))
        self.stop_button.setEnabled(False)

        #: Why Send is disabled (nothing to send yet), beside the button.
        self.send_reason = QLabel()
        self.send_reason.setObjectName("sendDisabledReason")
        self.send_reason.setWordWrap(True)
        self.send_reason.setAccessibleName("sendDisabledReason")
        self.send_reason.hide()

        self.bottom_bar = QHBoxLayout()
        self.bottom_bar.addWidget(self.add_button)
        self.bottom_bar.addStretch(1)
        self.bottom_bar.addWidget(self.send_reason)
        self.bottom_bar.addWidget(self.stop_button)
        self.bottom_bar.addWidget(self.send_button)

        conversation_page = QWidget()
        conversation_page.setObjectName("conversationPage")
        column = QVBoxLayout(conversation_page)
        self._conversation_column = column
        column.setContentsMargins(8, 8, 8, 8)
        #: The first-start panel, built when the conversation is empty or the features are
        #: wired in (see ``empty_state``): a window opened on a file paints without it.
        self._empty_state: EmptyState | None = None
        column.addWidget(self.message_list, 1)
        column.addWidget(self.send_problems)
        column.addLayout(self.bottom_bar)

        #: Feature pages beside the conversation (Compare, History) go in here.
        self.main_tabs = QTabWidget()
        self.main_tabs.setObjectName("mainTabs")
        self.main_tabs.setDocumentMode(True)
        self.main_tabs.addTab(conversation_page, self.tr("Conversation"))

        params_page = QWidget()
        #: The side column of the Parameters tab; the token meter sits at its top.
        self.params_column = QVBoxLayout(params_page)
        self.params_column.addStretch(1)
        #: Side panels (Parameters, Tools...).
        self.side_tabs = QTabWidget()
        self.side_tabs.setObjectName("sideTabs")
        self.side_tabs.setDocumentMode(True)
        self.side_tabs.addTab(params_page, self.tr("Parameters"))

        #: The conversation (and feature tabs) beside the side panels; its sizes are remembered.
        self.splitter = QSplitter()
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.main_tabs)
        self.splitter.addWidget(self.side_tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([860, 380])
        self.setCentralWidget(self.splitter)
        self.statusBar().setObjectName("statusBar")
        #: Stays in the status bar while autosave fails (a full disk): the work is not safe.
        self.autosave_warning = AutosaveWarning(self.statusBar())

    def _fill_role_menu(self, menu: QMenu) -> None:
        """The Add message button's menu: one entry per role (made once)."""
        if menu.actions():
            return
        for role in ROLES:
            menu.addAction(
                self.tr("Add {role} message").format(role=role), partial(self.editor.append, role)
            )

    def _after_first_paint(self) -> None:
        self.document.release_writes()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            check_assumed_scheme(app)
        self._install_features()

    def _install_features(self) -> None:
        """Installs each feature package (runs, token meter, tools, compare...) into the window.

        A feature has an ``install(shell, context)`` function that adds its widgets through the
        :class:`~workbench.ui.context.Shell` methods below and finds its services on the
        :class:`~workbench.ui.context.AppContext`; the window itself knows no feature's rules.
        """
        if self.features_ready or self._closed:
            return
        self.menus.fill()
        from workbench.ui.compare import compare_view
        from workbench.ui.evaluate import tests_view
        from workbench.ui.history import history_panel
        from workbench.ui.providers import provider_dialog
        from workbench.ui.run import run_controller, tool_calls
        from workbench.ui.shell import request_lint
        from workbench.ui.shell.provider_feed import ProviderFeed
        from workbench.ui.tokens import token_meter
        from workbench.ui.tools import tool_editor

        context = self.context
        self.provider_feed = ProviderFeed(context, self.params_panel, self.message_list)
        self.request_lint = request_lint.install(context, self.params_panel, self.message_list)
        self.run_controller = run_controller.install(self, context)
        tool_calls.install(self, context, self.run_controller)
        provider_dialog.install(self, context)
        self.history_panel = history_panel.install(self, context)
        self.tools_editor = tool_editor.install(self, context)
        self.token_meter = token_meter.install(self, context)
        self.compare_view = compare_view.install(self, context)
        self.tests_view = tests_view.install(self, context)
        self.menus.add_tab_actions(self.main_tabs, self.side_tabs)
        restore_tabs(self.settings, self.main_tabs, self.side_tabs)
        self.empty_state  # noqa: B018 - every object name is there once the features are
        self.features_ready = True
        self.features_installed.emit()

    # The shell interface (workbench.ui.context.Shell) -------------------------------------------

    def add_main_tab(
        self, widget: QWidget, title: str, on_shown: Callable[[], None] | None = None
    ) -> None:
        """A page beside the conversation; ``on_shown`` is called each time it is shown."""
        self.main_tabs.addTab(widget, title)
        if on_shown is not None:
            self.main_tabs.currentChanged.connect(
                lambda index: on_shown() if self.main_tabs.widget(index) is widget else None
            )

    def show_conversation(self) -> None:
        """Brings the conversation page to the front."""
        self.main_tabs.setCurrentIndex(0)

    def add_side_tab(self, widget: QWidget, title: str) -> None:
        """A panel beside the parameters (Tools...)."""
        self.side_tabs.addTab(widget, title)

    def add_parameters_widget(self, widget: QWidget) -> None:
        """A widget at the top of the Parameters column."""
        self.params_column.insertWidget(0, widget)

    def add_conversation_widget(self, widget: QWidget) -> None:
        """A widget under the card column, above the Send row."""
        column = self._conversation_column
        column.insertWidget(column.indexOf(self.send_problems), widget)

    def add_bottom_button(self, widget: QWidget) -> None:
        """A button in the Send row, left of Send."""
        self.bottom_bar.insertWidget(self.bottom_bar.count() - 1, widget)

    def menu(self, name: str) -> QMenu:
        """The menu ``"run"`` or ``"settings"``."""
        menus = {"run": self.menus.run_menu, "settings": self.menus.settings_menu}
        return menus[name]

    def set_sender(self, sender: Sender) -> None:
        """What Send and Stop (buttons, menu, shortcuts) call."""
        self._sender = sender

    def may_discard(self) -> bool:
        """Asks what to do with unsaved changes; False when the user cancels."""
        return self.files.may_discard()

    def _connect(self) -> None:
        conversation = self.workspace.conversation
        conversation.notice.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.context.status_message.connect(self.statusBar().showMessage)
        self.editor.refused.connect(lambda text: self.statusBar().showMessage(text, 8000))
        # The parameters panel shows the parameters; the cards depend on them (the provider
        # decides whether a card can prefill).
        self.workspace.params_changed.connect(lambda _name: self._on_params_changed())
        self.workspace.reset.connect(self._on_params_changed)
        self.undo_stack.cleanChanged.connect(lambda _clean: self._update_title())
        self.document.path_changed.connect(self._update_title)
        self.document.autosave_failed.connect(self.autosave_warning.show_failure)
        self.document.path_changed.connect(self.menus.rebuild_recent_menu)
        self.document.loaded.connect(self._refresh_all)
        for signal in (
            self.model.rowsInserted,
            self.model.rowsRemoved,
            self.model.modelReset,
            self.model.dataChanged,
        ):
            signal.connect(self._update_send_state)
        self.add_button.clicked.connect(lambda: self.editor.append())
        self.send_button.clicked.connect(self.send)
        self.stop_button.clicked.connect(self.stop)

    @property
    def empty_state(self) -> EmptyState:
        """The first-start panel (object name ``emptyState``) shown instead of an empty
        conversation; built on first use, at the latest when the features are wired in."""
        if self._empty_state is None:
            from workbench.ui.shell.first_start import EmptyState

            panel = EmptyState()
            panel.hide()
            panel.add_key_requested.connect(
                lambda: self.open_providers(self._key_provider(), focus_key=True)
            )
            panel.write_requested.connect(lambda: self.editor.append("user"))
            panel.example_requested.connect(self.files.open_example)
            panel.paste_requested.connect(self.files.paste_request)
            self._conversation_column.insertWidget(0, panel, 1)
            self._empty_state = panel
        return self._empty_state

    @property
    def params_panel(self) -> ParamsPanel:
        """The Parameters panel, built on first use: with deferred features, just after the
        first paint (the cards paint without waiting for it)."""
        if self._params_panel is None:
            from workbench.ui.shell.params_panel import ParamsPanel

            panel = ParamsPanel()
            panel.set_providers([(p.id, provider_name(p.name)) for p in self.providers.all()])
            panel.show_params(self.workspace.params)
            panel.param_edited.connect(self._on_param_edited)
            # Above the stretch, under what features put on top (the token meter).
            self.params_column.insertWidget(self.params_column.count() - 1, panel)
            self._params_panel = panel
        return self._params_panel

    # Reacting to the workspace ---------------------------------------------------------------

    def partial_refusal(self, row: int) -> str | None:
        """Why the card in ``row`` cannot be partial, or None: the rule, then the provider."""
        reason = self.workspace.conversation.partial_refusal(row)
        if reason is not None:
            return reason
        provider = self.providers.get(self.workspace.params.provider)
        if self.workspace.params.extra.get("prefill_mode") == "instruction":
            return None  # the prefix goes as a closing instruction: any provider takes that
        if provider is not None:
            return prefill_refusal(provider.prefill, provider.name)
        return None

    def _on_param_edited(self, name: str, value: object) -> None:
        self.undo_stack.push(SetParam(self.workspace, name, value))

    def _on_params_changed(self) -> None:
        if self._params_panel is not None:
            self._params_panel.show_params(self.workspace.params)
        self.message_list.refresh_cards()

    def _refresh_all(self) -> None:
        # The cards were refreshed by the workspace's reset (``_on_params_changed``).
        if self._params_panel is not None:
            self._params_panel.show_params(self.workspace.params)
        self.send_problems.hide()
        self._update_title()
        self._update_send_state()

    def nothing_to_send(self) -> str | None:
        """Why there is nothing to send yet (an empty workspace), or None."""
        messages = self.workspace.conversation  # not .messages: no copy of every card per key
        if not len(messages):
            return self.tr(
                "Nothing to send yet: add a message, open an example or paste a request."
            )
        # isspace() stops at the first visible character: cheap on a long answer streaming in.
        if not any((m.content and not m.content.isspace()) or m.tool_calls for m in messages):
            return self.tr("Nothing to send yet: every message is empty.")
        return None

    def set_running(self, running: bool) -> None:
        """The run feature says whether an answer is streaming (Send off, Stop on)."""
        self.running = running
        self.stop_button.setEnabled(running)
        self.menus.set_stop_enabled(running)
        self._update_send_state()

    def _update_send_state(self, *_args: object) -> None:
        # Called on every edit (each streamed chunk too): touch the widgets only on a change.
        reason = None if self.running else self.nothing_to_send()
        empty = not len(self.workspace.conversation)
        state = (self.running, reason, empty)
        if state == self._send_state:
            return
        self._send_state = state
        enabled = not self.running and reason is None
        self.send_button.setEnabled(enabled)
        self.menus.set_send_enabled(enabled)
        self.send_button.setToolTip(reason or self.tr("Send the conversation (Ctrl+Enter)"))
        self.send_reason.setText(self.tr("Nothing to send yet") if reason else "")
        self.send_reason.setVisible(reason is not None)
        if (empty and not self._opening) or self._empty_state is not None:
            self.empty_state.setVisible(empty)
        self.message_list.setVisible(not empty)

    def _update_title(self) -> None:
        if self._closed:
            # Closed with unsaved changes dropped: the undo stack says so once more while the
            # window is being deleted.
            return
        self.setWindowTitle(f"{self.document.display_name()}[*] — {APP_TITLE}")
        self.setWindowModified(self.document.modified)

    # Files (the document's actions, for scripts and tests) ---------------------------------

    def open_path(
        self, path: str | Path, ask_first: bool = False, offer_recovery: bool = True
    ) -> bool:
        """Opens ``path`` (see :meth:`DocumentActions.open_path`); False when not opened."""
        return self.files.open_path(path, ask_first, offer_recovery)

    def open_example(self, path: Path) -> None:
        """File > Examples: opens a copy of the example ``path``."""
        self.files.open_example(path)

    def new(self) -> None:
        """File > New workspace (asking about unsaved changes first)."""
        self.files.new()

    def save(self) -> bool:
        """File > Save; asks for a name the first time. False when not saved."""
        return self.files.save()

    # Cards -----------------------------------------------------------------------------------

    def _focused_uid(self) -> int | None:
        focus = QGuiApplication.focusObject()
        for card in self.message_list.cards():
            if isinstance(focus, QWidget) and (focus is card or card.isAncestorOf(focus)):
                return card.uid
        return None

    def new_card(self) -> None:
        """Edit > New message: below the focused card, or at the end."""
        uid = self._focused_uid()
        if uid is None:
            self.editor.append()
        else:
            self.editor.insert(self.workspace.conversation.index_of(uid) + 1)

    def card_action(self, action: str) -> None:
        """Edit › Duplicate / Delete message (``action``) on the focused card."""
        uid = self._focused_uid()
        if uid is not None:
            self.editor.do_action(uid, action)

    # Sending ---------------------------------------------------------------------------------

    def send(self) -> None:
        """Run > Send: checks the workspace (and the request), then lets the run controller send."""
        problems = self.workspace.problems()
        if not problems and self._sender is not None:
            problems = self._sender.request_problems()
        self.show_send_problems(problems)
        if problems:
            return
        if self._sender is None:
            self.statusBar().showMessage(
                self.tr("Ready to send: configure a provider to run."), 6000
            )
        else:
            self._sender.send()

    def show_send_problems(self, problems: list[str]) -> None:
        """Lists why a request was not sent under the cards (hidden when ``problems`` is empty)."""
        self.send_problems.setText(shown_lines(problems))
        self.send_problems.setVisible(bool(problems))
        if problems:
            self.statusBar().showMessage(self.tr("Not sent: ") + shown(problems[0]), 8000)
            first = self.workspace.conversation.problems()
            if first and first[0].index is not None:
                self.message_list.scroll_to_row(first[0].index, focus=True)

    def stop(self) -> None:
        """Run > Stop: ends the answer streaming in, keeping its text."""
        if self._sender is not None:
            self._sender.stop()

    # Settings, help and the remembered layout ----------------------------------------------

    def _key_provider(self) -> str:
        """The provider whose key the first start offers to add: Moonshot's, or the chosen one."""
        current = self.providers.get(self.workspace.params.provider)
        if current is not None and current.kind == "moonshot":
            return current.id
        moonshot = next((p for p in self.providers.all() if p.kind == "moonshot"), None)
        return moonshot.id if moonshot is not None else self.workspace.params.provider

    def open_providers(self, provider_id: str | None = None, focus_key: bool = False) -> None:
        """Settings › Providers and keys, on ``provider_id`` (the workspace's provider by default),
        with the key field focused when ``focus_key``."""
        from workbench.ui.providers import provider_dialog

        provider_dialog.open_dialog(self, self.context, provider_id, focus_key=focus_key)

    def edit_properties(self) -> None:
        """File › Properties: the workspace title (used by exports, history and comparisons)."""
        from workbench.ui.shell.settings_dialogs import WorkspaceProperties

        dialog = WorkspaceProperties(self.workspace.title, self)
        dialog.accepted.connect(lambda: self._set_title(dialog.title()))
        dialog.open()

    def _set_title(self, title: str) -> None:
        if title != self.workspace.title:
            self.undo_stack.push(SetTitle(self.workspace, title))

    def show_preferences(self) -> None:
        """Settings › Preferences: language, theme, the default provider and model, start-up."""
        from workbench.ui.shell.settings_dialogs import PreferencesDialog

        dialog = self.findChild(PreferencesDialog, "preferencesDialog")
        if dialog is None:
            feed = self.provider_feed
            models = feed.models_for if feed is not None else None
            dialog = PreferencesDialog(self.settings, self.providers, self, models)
            dialog.run_limits_changed.connect(self.context.apply_run_settings)
        dialog.open()

    def show_shortcuts(self) -> None:
        """Help › Keyboard shortcuts: every shortcut of the window's actions, and the card keys."""
        from workbench.ui.shell.settings_dialogs import ShortcutsDialog

        ShortcutsDialog(self).open()

    def toggle_partial(self) -> None:
        """Edit › Toggle partial: on the last card (partial is only allowed there)."""
        conversation = self.workspace.conversation
        if not conversation.messages:
            return
        row = len(conversation.messages) - 1
        message = conversation.messages[row]
        refusal = None if message.partial else self.partial_refusal(row)
        if refusal is not None:
            self.statusBar().showMessage(refusal, 8000)
            return
        self.editor.edit_field(message.uid, "partial", not message.partial)

    # Closing ---------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed:
            event.accept()
            return
        if not self.files.may_discard():
            event.ignore()
            return
        self._closed = True
        # Nothing may raise out of here: the window would neither close nor say why.
        for step in (self.context.close, self.document.close, self.model.detach):
            try:
                step()
            except Exception:
                log.exception("Closing the window")
        try:
            save_layout(
                self.settings,
                self,
                self.splitter,
                self.main_tabs,
                self.side_tabs,
                self.document.path,
            )
            app = QApplication.instance()
            if isinstance(app, QApplication):  # what the next start paints with (System theme)
                self.settings.desktop_scheme = (
                    known_desktop_scheme(app) or self.settings.desktop_scheme
                )
            self.settings.save()
        except Exception as error:
            log.warning("Settings not saved: %s", error)
        event.accept()
        self.closed.emit()

    def show_about(self) -> None:
        """Help › About."""
        from workbench import __version__
        from workbench.ui.shell.app_icon import app_icon

        dialogs.show_about(
            self,
            self.tr("About"),
            f"{APP_TITLE} {__version__}",
            self.tr("Build and test prompts against Kimi and OpenAI-compatible APIs."),
            app_icon(),
        )
