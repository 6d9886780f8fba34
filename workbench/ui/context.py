"""What a feature is handed: the application context (services) and the shell (where it shows).

The shell (:mod:`workbench.ui.shell.main_window`) builds one :class:`AppContext` per window and
installs each feature package with ``install(shell, context)``. A feature finds every service it
uses on the context (the workspace, the undo stack, the document, the providers, the keys, the one
model catalog, the one history worker, background work, status messages) and adds its widgets
through the narrow :class:`Shell` interface (a tab, a menu action, a widget above Send). It never
looks services up on the window, and never imports another feature: the import-linter contracts
in ``pyproject.toml`` say so.

The catalog is the one place model windows and prices come from: the built-in figures with the
user's ``models.json`` override merged over them, plus the ids providers listed. The meter, Send's
cost, Compare and the model selector all read :attr:`AppContext.catalog`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMenu, QWidget

from workbench.core.providers import ProviderRegistry
from workbench.core.settings import Settings
from workbench.core.workspace import Workspace
from workbench.ui.common.background import BackgroundTasks
from workbench.ui.common.document import WorkspaceDocument
from workbench.ui.common.i18n import provider_name, shown
from workbench.ui.conversation.conversation_editor import ConversationEditor
from workbench.ui.conversation.message_list import MessageListView

if TYPE_CHECKING:
    from workbench.core.catalog import Catalog
    from workbench.core.model_lists import ModelListCache
    from workbench.core.secrets import KeyStore
    from workbench.core.sessions import RunEngine, RunTicket
    from workbench.core.tokens import TokenCounter
    from workbench.ui.common.history_worker import HistoryWorker

#: How long a status message stays, in milliseconds, unless the caller says otherwise.
STATUS_MS = 8000


class AppContext(QObject):
    """The services of one window, built once by the shell and handed to every feature.

    Args:
        workspace: The workspace the window edits.
        undo_stack: Every edit of the workspace goes through it.
        document: The workspace's file, unsaved state and autosave.
        settings: The user's settings.
        providers: Built-in and user providers (features never read the presets directly).
        catalog: The model catalog; ``load_catalog()`` (with the user's override), loaded on
            first use, by default.
        keys: Where API keys are read from; the OS keyring (``KeyStore()``) by default.
        history: The run history's worker; one opened on first use by default.

    The run engine (:attr:`run_engine`) is built from these on first use.
        parent: The window that owns the context.

    Signals:
        status_message(text, milliseconds): a line for the status bar.
        catalog_changed(): :attr:`catalog` is another object (a provider listed its models).
        providers_changed(): the provider registry changed (a custom provider added, edited...).
        models_listed(provider_id, ids): a provider listed its models (a connection test).
        prompt_counted(): the token meter's prompt figure (:attr:`prompt_tokens`) changed.
        run_recorded(history_id): a run was written to the history.
        closing(): the window is closing: stop what you started (emitted once).
    """

    status_message = Signal(str, int)
    catalog_changed = Signal()
    providers_changed = Signal()
    models_listed = Signal(str, list)
    prompt_counted = Signal()
    run_recorded = Signal(int)
    closing = Signal()

    def __init__(
        self,
        workspace: Workspace,
        undo_stack: QUndoStack,
        document: WorkspaceDocument,
        settings: Settings,
        providers: ProviderRegistry,
        *,
        catalog: Catalog | None = None,
        keys: KeyStore | None = None,
        history: HistoryWorker | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("appContext")
        self.workspace = workspace
        self.undo_stack = undo_stack
        self.document = document
        self.settings = settings
        self.providers = providers
        self._catalog = catalog
        self._keys = keys
        self._history = history
        self._counter: TokenCounter | None = None
        self._engine: RunEngine | None = None
        self._model_lists: ModelListCache | None = None
        self._listed: dict[str, list[str]] | None = None
        self._lists_fetched: set[str] = set()
        #: Background work owned by the window as a whole (features keep their own sets).
        self.tasks = BackgroundTasks(self)
        self._closed = False
        # The prompt's tokens as the token meter last counted them (exact where the provider
        # counted them), None before its first reading; the linter's window rule reads it.
        self.prompt_tokens: int | None = None

    # Services, built on first use (start-up pays for none of them) ----------------------------

    @property
    def model_lists(self) -> ModelListCache:
        """The model lists providers gave earlier (``GET {base}/models``), with their dates."""
        if self._model_lists is None:
            from workbench.core.model_lists import ModelListCache

            self._model_lists = ModelListCache()
        return self._model_lists

    @property
    def listed(self) -> dict[str, list[str]]:
        """Model ids each provider listed, by provider id: the cached lists until this session
        fetches a provider's own."""
        if self._listed is None:
            self._listed = {pid: list(e.ids) for pid, e in self.model_lists.all().items()}
        return self._listed

    @property
    def catalog(self) -> Catalog:
        """The one model catalog: built-in, the user's override, and the models providers listed."""
        if self._catalog is None:
            from workbench.core.catalog import load_catalog

            catalog = load_catalog()
            for provider_id, ids in self.listed.items():
                provider = self.providers.get(provider_id)
                if provider is not None:
                    catalog = catalog.with_listed(provider.catalog_kind, ids)
            self._catalog = catalog
        return self._catalog

    @property
    def keys(self) -> KeyStore:
        """The one key store (OS keyring, then the provider's environment variable)."""
        if self._keys is None:
            from workbench.core.secrets import KeyStore

            self._keys = KeyStore()
        return self._keys

    @keys.setter
    def keys(self, keys: KeyStore) -> None:
        self._keys = keys

    @property
    def counter(self) -> TokenCounter:
        """The one token counter (it caches each message's count: share it, don't make more)."""
        if self._counter is None:
            from workbench.core.tokens import TokenCounter

            self._counter = TokenCounter()
        return self._counter

    @property
    def history(self) -> HistoryWorker:
        """The one history worker (its database opens on its thread at the first call)."""
        if self._history is None:
            from workbench.ui.common.history_worker import HistoryWorker

            self._history = HistoryWorker()
        return self._history

    @property
    def run_engine(self) -> RunEngine:
        """The one run engine: Send and Compare prepare, limit, run and record through it.

        Its per-provider limit is the setting ``max_concurrent_per_provider``; it prices runs
        with :attr:`catalog` and records them through :attr:`history`.
        """
        if self._engine is None:
            from workbench.core.sessions import ProviderLimiter, RunEngine, RunOptions

            self._engine = RunEngine(
                lambda: self.providers,
                lambda: self.keys,
                limiter=ProviderLimiter(self.settings.max_concurrent_per_provider),
                recorder=self.history.record,
                catalog=lambda: self.catalog,
                options=RunOptions.from_settings(self.settings),
            )
        return self._engine

    def apply_run_settings(self) -> None:
        """Hands the run settings (``max_answer_mb``, ``run_deadline_seconds``,
        ``max_concurrent_per_provider``) to the run engine: the next run uses them.

        An engine not built yet takes them from :attr:`settings` when it is.
        """
        engine = self._engine
        if engine is None:
            return
        engine.options = engine.options.with_settings(self.settings)
        engine.limiter.limit = self.settings.max_concurrent_per_provider

    # Changes every feature follows ------------------------------------------------------------

    def add_listed_models(self, provider_id: str, ids: Sequence[str]) -> None:
        """Adds the ids a provider listed to the catalog (unknown windows: shown, never advised)."""
        from workbench.core.meter import provider_kind

        self.listed[provider_id] = list(ids)
        self._lists_fetched.add(provider_id)
        self.model_lists.put(provider_id, list(ids))
        provider = self.providers.get(provider_id)
        kind = provider.catalog_kind if provider is not None else provider_kind(provider_id)
        self._catalog = self.catalog.with_listed(kind, list(ids))
        self.catalog_changed.emit()
        self.models_listed.emit(provider_id, list(ids))

    def ensure_model_list(self, provider_id: str) -> None:
        """Fetches the provider's model list once per session (its first run), in the background.

        A list that cannot be fetched leaves the catalog and the cached list as they were and
        says why in the status bar.
        """
        provider = self.providers.get(provider_id)
        if provider is None or provider_id in self._lists_fetched or self._closed:
            return
        self._lists_fetched.add(provider_id)

        async def fetch() -> list[str]:
            import asyncio

            from workbench.core.model_lists import fetch_model_list

            key = await asyncio.to_thread(self.keys.resolve_key, provider)
            return await fetch_model_list(provider.base_url, key, kind=provider.kind)

        def failed(error: Exception) -> None:
            cached = self.model_lists.get(provider_id)
            kept = (
                self.tr("Using the list of {date}.").format(date=cached.fetched)
                if cached
                else self.tr("Using the catalog.")
            )
            self.show_status(
                self.tr("{provider}'s model list was not loaded: {reason} {kept}").format(
                    provider=provider_name(provider.name), reason=shown(error), kept=kept
                )
            )

        try:
            self.tasks.spawn(fetch(), lambda ids: self.add_listed_models(provider_id, ids), failed)
        except RuntimeError:  # no event loop (a headless use of the window): nothing to fetch
            self._lists_fetched.discard(provider_id)

    def set_prompt_tokens(self, tokens: int | None) -> None:
        """Publishes the meter's prompt figure; ``prompt_counted`` when it changed."""
        if tokens != self.prompt_tokens:
            self.prompt_tokens = tokens
            self.prompt_counted.emit()

    def show_status(self, text: str, milliseconds: int = STATUS_MS) -> None:
        """Shows ``text`` in the window's status bar for a while."""
        self.status_message.emit(text, milliseconds)

    def close(self) -> None:
        """The window is closing: features stop their work, then the services close."""
        if self._closed:
            return
        self._closed = True
        self.closing.emit()  # features stop their runs and work here
        self.tasks.shutdown()
        history = self._history
        if history is None:
            return
        # Stopped runs are still recorded: the history closes once the last one is written.
        pending = {t for t in self._engine.tickets() if not t.done} if self._engine else set()
        if not pending:
            history.close()
            return

        def one_done(ticket: RunTicket) -> None:
            pending.discard(ticket)
            if not pending:
                history.close()

        for ticket in list(pending):
            ticket.add_done_callback(one_done)


class Sender(Protocol):
    """What the shell asks of the run feature when the user sends."""

    def request_problems(self) -> list[str]:
        """Reasons the request cannot be sent to the chosen provider."""
        ...

    def send(self) -> None:
        """Sends the (checked) workspace."""
        ...

    def stop(self) -> None:
        """Stops the run streaming in."""
        ...


class Shell(Protocol):
    """Where a feature shows itself: the window, as narrow as features need it.

    The card column and its editor are the conversation every feature decorates (badges,
    tool-call details, a card being streamed into); the rest adds tabs, menu entries and widgets.
    """

    @property
    def message_list(self) -> MessageListView:
        """The card column."""
        ...

    @property
    def editor(self) -> ConversationEditor:
        """Card actions as undo commands."""
        ...

    def window(self) -> QWidget:
        """The top-level widget: the parent of dialogs and actions."""
        ...

    def add_main_tab(
        self, widget: QWidget, title: str, on_shown: Callable[[], None] | None = None
    ) -> None:
        """A page beside the conversation; ``on_shown`` is called each time it is shown."""
        ...

    def show_conversation(self) -> None:
        """Brings the conversation page to the front."""
        ...

    def add_side_tab(self, widget: QWidget, title: str) -> None:
        """A panel beside the parameters (Tools...)."""
        ...

    def add_parameters_widget(self, widget: QWidget) -> None:
        """A widget at the top of the Parameters column."""
        ...

    def add_conversation_widget(self, widget: QWidget) -> None:
        """A widget under the card column, above the Send row."""
        ...

    def add_bottom_button(self, widget: QWidget) -> None:
        """A button in the Send row, left of Stop and Send."""
        ...

    def menu(self, name: str) -> QMenu:
        """The menu ``"run"`` or ``"settings"``."""
        ...

    def set_sender(self, sender: Sender) -> None:
        """What Send and Stop (buttons, menu, shortcuts) call."""
        ...

    def set_running(self, running: bool) -> None:
        """Enables Stop and disables Send while a run streams (and back)."""
        ...

    def open_providers(self, provider_id: str | None = None, focus_key: bool = False) -> None:
        """Settings › Providers and keys on ``provider_id``, its key field focused if asked."""
        ...

    def send(self) -> None:
        """Checks the workspace, then sends it (as the Send button does)."""
        ...

    def show_send_problems(self, problems: list[str]) -> None:
        """Lists why a request was not sent under the cards (hidden when empty)."""
        ...

    def may_discard(self) -> bool:
        """Asks what to do with unsaved changes; False when the user cancels."""
        ...
