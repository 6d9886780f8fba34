"""The run engine: every run of the app and of the CLI goes through one :class:`RunEngine`.

Send (the window's run controller), Compare (:class:`workbench.core.compare.CompareSession`) and
the CLI (:func:`run_variants`) prepare, limit, run and record runs here, the same way; batch
evaluation plugs in the same way (hundreds of :meth:`RunEngine.start` calls, queueing visible
through :class:`Queued`).

The contract:

1. **Prepare once.** :meth:`RunEngine.prepare` resolves a workspace and an optional variant into a
   :class:`PreparedRun`: the :class:`~workbench.core.payloads.ChatRequest` built by the
   provider's payload builder, the provider, and a snapshot of the workspace JSON for the history.
   Editing the workspace afterwards changes nothing about a prepared run. What must not be sent
   (unknown variant or provider, a request the provider would refuse) raises
   :class:`RunSetupError` before anything is sent.
2. **Start.** :meth:`RunEngine.start` returns a :class:`RunTicket` at once and works as an asyncio
   task on the running loop:

   a. The key is looked up off the event-loop thread (keyring, then environment) unless the
      prepared run carries one. A provider that needs a key and has none ends the run, unsent,
      with :func:`missing_key_message`: the one wording of "No API key".
   b. A slot is taken from the engine's :class:`ProviderLimiter`: at most ``limit`` runs of one
      provider stream at once, first come, first served. The limiter belongs to the app (one
      engine per app; the CLI makes its own) and its limit is the setting
      ``max_concurrent_per_provider`` (:data:`DEFAULT_MAX_CONCURRENT_PER_PROVIDER`). A run that
      has to wait first emits :class:`Queued`; every run that gets its slot emits
      :class:`Started`.
   c. The transport registered for the request's provider *kind* streams the run
      (:data:`DEFAULT_TRANSPORTS`: the OpenAI-compatible :class:`~workbench.core.runner.Run` for
      every kind without its own). A transport yields :data:`~workbench.core.run_types.RunEvent`
      values ending with :class:`~workbench.core.run_types.Finished`, as ``Run`` does.
   d. With a recorder (the history), every run that was sent is recorded, off the event-loop
      thread, after its ``Finished``: :class:`Recorded` or :class:`NotRecorded` (a full disk, a
      closed history) is the ticket's last event.

3. **Every outcome is reported**, as an event to the ticket's callback and as a field of the
   ticket (``result``, ``history_id``, ``history_error``): a missing key, a run stopped while it
   waited, a transport fault, a failed history write. Nothing escapes as an exception and no
   future is left unretrieved; :meth:`RunTicket.wait` returns the result once the history step is
   done.

Events of one ticket, in order::

    [Queued] -> Started -> RunEvent... -> Finished -> [Recorded | NotRecorded]
    [Queued] -> Finished                  (never sent: no key, stopped while waiting)
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import weakref
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from workbench.core.catalog import Catalog
from workbench.core.payloads import (
    ChatRequest,
    RequestError,
    build_request,
    find_variant,
    provider_id_for,
    workspace_with_model,
)
from workbench.core.providers import ProviderConfig, ProviderRegistry, normalize_base_url
from workbench.core.run_types import Finished, RunEvent, RunResult, TextDelta
from workbench.core.runner import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_ANSWER_CHARS,
    DEFAULT_TIMEOUT,
    Run,
)
from workbench.core.secrets import KeyStore, NoKeyringError, redact
from workbench.core.settings import DEFAULT_MAX_CONCURRENT_PER_PROVIDER
from workbench.core.texts import QT_TRANSLATE_NOOP, Text

if TYPE_CHECKING:
    from workbench.core.history import HistoryStore
    from workbench.core.workspace import Variant, Workspace

log = logging.getLogger(__name__)


def missing_key_message(provider: ProviderConfig) -> Text:
    """The one sentence for a provider that needs a key and has none (window, Compare, CLI)."""
    if provider.key_env:
        return QT_TRANSLATE_NOOP(
            "RunErrors",
            "No API key for {provider}: save one in Settings › Providers and keys, or set the "
            "environment variable {env}.",
        ).format(provider=Text("ProviderNames", provider.name), env=provider.key_env)
    return QT_TRANSLATE_NOOP(
        "RunErrors", "No API key for {provider}: save one in Settings › Providers and keys."
    ).format(provider=Text("ProviderNames", provider.name))


class RunSetupError(ValueError):
    """A run that cannot start: unknown variant or provider, a refused request, a missing key.

    Attributes:
        problems: Every reason, as sentences (one for most errors).
    """

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems) or [message]


# Events the engine adds around a run ------------------------------------------------------------


@dataclass(frozen=True)
class Queued:
    """The run waits for a free slot of its provider's limiter.

    Attributes:
        provider: The provider's name as the user reads it.
        ahead: Runs of that provider waiting before this one.
        limit: How many runs of that provider may stream at once.
        running: How many of them were streaming when this one was queued.
    """

    provider: str
    ahead: int
    limit: int
    running: int


@dataclass(frozen=True)
class Started:
    """The run has its slot; the request goes out now."""


@dataclass(frozen=True)
class Recorded:
    """The run was written to the history under ``history_id``."""

    history_id: int


@dataclass(frozen=True)
class NotRecorded:
    """The run could not be written to the history; ``message`` says why (no key in it)."""

    message: str


EngineEvent = Queued | Started | RunEvent | Recorded | NotRecorded
"""What a ticket's callback receives (see the module docstring for the order)."""


# The limiter ----------------------------------------------------------------------------------


class ProviderLimiter:
    """At most ``limit`` runs at once per provider, served first come, first served.

    One limiter belongs to the app (every window, Compare column and evaluation row share it),
    so no feature can exceed a provider's concurrency by starting runs of its own. Changing
    :attr:`limit` applies at once: a raised limit lets waiting runs start.

    Args:
        limit: Runs per provider at once (at least 1).
    """

    def __init__(self, limit: int = DEFAULT_MAX_CONCURRENT_PER_PROVIDER) -> None:
        self._limit = max(1, int(limit))
        self._active: dict[str, int] = {}
        self._waiting: dict[str, deque[asyncio.Future[None]]] = {}

    @property
    def limit(self) -> int:
        """Runs per provider at once."""
        return self._limit

    @limit.setter
    def limit(self, value: int) -> None:
        self._limit = max(1, int(value))
        for provider in list(self._waiting):
            self._wake(provider)

    def active(self, provider: str) -> int:
        """Runs of ``provider`` holding a slot."""
        return self._active.get(provider, 0)

    def waiting(self, provider: str) -> int:
        """Runs of ``provider`` waiting for a slot."""
        return len(self._waiting.get(provider, ()))

    def must_wait(self, provider: str) -> bool:
        """Whether a run of ``provider`` asking now would have to wait."""
        return self.active(provider) >= self._limit or self.waiting(provider) > 0

    async def acquire(self, provider: str) -> None:
        """Takes a slot of ``provider``, waiting for one when all are taken; cancellable."""
        if not self.must_wait(provider):
            self._active[provider] = self.active(provider) + 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._waiting.setdefault(provider, deque())
        queue.append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release(provider)  # granted as it was cancelled: hand the slot on
            elif future in queue:
                queue.remove(future)
            raise
        finally:
            if not queue:
                self._waiting.pop(provider, None)

    def release(self, provider: str) -> None:
        """Gives back a slot of ``provider`` (to the first run waiting, when one is)."""
        self._active[provider] = max(0, self.active(provider) - 1)
        self._wake(provider)
        if not self._active.get(provider):
            self._active.pop(provider, None)

    def _wake(self, provider: str) -> None:
        queue = self._waiting.get(provider)
        while queue and self.active(provider) < self._limit:
            future = queue.popleft()
            if not future.done():
                self._active[provider] = self.active(provider) + 1
                future.set_result(None)


# Transports -----------------------------------------------------------------------------------


class Transport(Protocol):
    """One streaming request (``workbench.core.runner.Run`` for OpenAI-compatible providers)."""

    def events(self) -> AsyncIterator[RunEvent]:
        """The run's events; the last is always :class:`Finished`. Iterated once."""
        ...

    def stop(self) -> None:
        """Closes the stream; the run still ends with :class:`Finished`."""
        ...


@dataclass(frozen=True)
class RunOptions:
    """How every run of an engine is made.

    Attributes:
        catalog: Prices for the cost (None: the built-in catalog).
        timeout: Seconds to wait for the connection and between two pieces of the stream.
        max_retries: Retries after a 429 or a 5xx, each announced by a Status event.
        backoff: First wait between retries without ``Retry-After``; doubled each time.
        max_answer_chars: The most characters a run takes (Settings › max_answer_mb).
        deadline: The longest a run may take in all, in seconds (Settings ›
            run_deadline_seconds).
    """

    catalog: Catalog | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = 3
    backoff: float = 1.0
    max_answer_chars: int = DEFAULT_MAX_ANSWER_CHARS
    deadline: float = DEFAULT_DEADLINE

    @classmethod
    def from_settings(cls, settings: Any, **changes: Any) -> RunOptions:
        """Options with the size limit and deadline of ``settings`` (a Settings)."""
        return cls(**changes).with_settings(settings)

    def with_settings(self, settings: Any) -> RunOptions:
        """These options with the size limit and deadline of ``settings`` (a Settings)."""
        return replace(
            self,
            max_answer_chars=int(settings.max_answer_mb * 1_000_000),
            deadline=float(settings.run_deadline_seconds),
        )


TransportFactory = Callable[[ChatRequest, str | None, RunOptions], Transport]
"""Makes the transport of one request: (request, API key, options) -> transport."""


def openai_transport(request: ChatRequest, api_key: str | None, options: RunOptions) -> Transport:
    """The OpenAI-compatible chat-completions stream (:class:`~workbench.core.runner.Run`)."""
    return Run(
        request,
        api_key,
        catalog=options.catalog,
        max_retries=options.max_retries,
        timeout=options.timeout,
        backoff=options.backoff,
        max_answer_chars=options.max_answer_chars,
        deadline=options.deadline,
    )


#: The transport of each provider kind; ``"*"`` serves every kind not listed. A second wire
#: format (the Anthropic Messages API, say) registers its kind here.
DEFAULT_TRANSPORTS: dict[str, TransportFactory] = {"*": openai_transport}


# Preparing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunOverrides:
    """Changes applied to every prepared run (the CLI's options).

    Attributes:
        provider: A provider id to use instead of the workspace's or variant's.
        model: A model id to use instead of the workspace's or variant's.
        base_url: A base URL to use instead of the provider's.
        api_key: The key to send, instead of the keyring's or the environment's.
        api_key_env: The environment variable ``api_key`` was read from (named in advice).
    """

    provider: str | None = None
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    api_key_env: str | None = None


@dataclass
class PreparedRun:
    """A request ready to send, resolved once from a workspace and a variant.

    Attributes:
        request: What is sent (no key in it).
        provider: The provider it goes to.
        api_key: The key, when already known (an override, or looked up by ``prepare``); the
            engine looks it up when the run starts otherwise.
        key_known: Whether ``api_key`` is final (None then means "no key needed or none").
        variant: The variant it sends, None for the workspace itself.
        workspace_json: The workspace file's JSON when it was prepared, for the history.
    """

    request: ChatRequest
    provider: ProviderConfig
    api_key: str | None = field(default=None, repr=False)  # a repr may reach a log
    key_known: bool = False
    variant: Variant | None = None
    workspace_json: dict[str, Any] = field(default_factory=dict, repr=False)


KeySource = KeyStore | Mapping[str, str]
"""A KeyStore (keyring, then environment) or a mapping provider id -> key."""


def _key_for(provider: ProviderConfig, keys: KeySource | None) -> str | None:
    if keys is None:
        return None
    if isinstance(keys, KeyStore):
        try:
            return keys.resolve_key(provider)
        except NoKeyringError:
            return None
    return keys.get(provider.id)


def prepare_run(
    workspace: Workspace,
    registry: ProviderRegistry,
    variant: Variant | None = None,
    *,
    overrides: RunOverrides | None = None,
) -> PreparedRun:
    """The run of ``variant`` over ``workspace`` (the workspace itself when None).

    Raises:
        RunSetupError: an unknown provider or a request that must not be sent.
    """
    overrides = overrides or RunOverrides()
    provider_id = overrides.provider or provider_id_for(workspace, variant)
    provider = registry.get(provider_id)
    if provider is None:
        known = ", ".join(p.id for p in registry.all())
        raise RunSetupError(f"unknown provider {provider_id!r} (providers: {known})")
    if overrides.base_url:
        provider = replace(provider, base_url=normalize_base_url(overrides.base_url))
    if overrides.model:
        # The model is forced before the request is built, so that its checks are the model's.
        workspace = workspace_with_model(workspace, overrides.model)
        variant = find_variant(workspace, variant.label) if variant is not None else None
    try:
        request = build_request(workspace, provider, variant)
    except RequestError as error:
        raise RunSetupError(str(error), error.problems) from None
    if overrides.api_key_env:
        request.key_env = overrides.api_key_env
        request.key_from_option = True
    return PreparedRun(
        request,
        provider,
        api_key=overrides.api_key,
        key_known=bool(overrides.api_key),
        variant=variant,
        workspace_json=workspace.to_json(),
    )


def prepare_runs(
    workspace: Workspace,
    registry: ProviderRegistry,
    keys: KeySource | None,
    labels: Sequence[str] = (),
    *,
    overrides: RunOverrides | None = None,
    require_keys: bool = True,
) -> list[PreparedRun]:
    """Prepares each variant in ``labels`` (the workspace itself when empty), keys included.

    This is the CLI's all-or-nothing preparation: every problem, a missing key included, is
    raised before anything is sent. ``require_keys=False`` looks for no key (export needs none).

    Raises:
        RunSetupError: an unknown variant or provider, a request that must not be sent, or a
            provider that needs a key and has none.
    """
    overrides = overrides or RunOverrides()
    variants: list[Variant | None] = []
    for label in labels:
        found = find_variant(workspace, label)
        if found is None:
            known = ", ".join(repr(v.label) for v in workspace.variants) or "none"
            raise RunSetupError(f"unknown variant {label!r} (variants: {known})")
        variants.append(found)
    prepared = []
    for variant in variants or [None]:
        try:
            item = prepare_run(workspace, registry, variant, overrides=overrides)
        except RunSetupError as error:
            message = str(error)
            where = f"variant {variant.label!r}" if variant is not None else ""
            if where and where.casefold() not in message.casefold():
                message = f"{where}: {message}"  # which one, when several run
            raise RunSetupError(message, error.problems) from None
        if require_keys and not item.key_known:
            item.api_key = _key_for(item.provider, keys)
            item.key_known = True
            if item.provider.needs_key and not item.api_key:
                raise RunSetupError(missing_key_message(item.provider))
        prepared.append(item)
    return prepared


# Running --------------------------------------------------------------------------------------

Recorder = Callable[[ChatRequest, RunResult, dict[str, Any], str | None], Awaitable[int]]
"""Writes one ended run to the history: (request, result, workspace JSON, group) -> its id."""

EventSink = Callable[["RunTicket", EngineEvent], object]
"""Receives a ticket's events on the event-loop thread; keep it cheap (text that arrived together
comes as one event, but a slow stream is an event per chunk)."""


def store_recorder(store: HistoryStore) -> Recorder:
    """Records in ``store`` on a worker thread (the CLI; the window uses its history thread)."""

    async def record(
        request: ChatRequest, result: RunResult, workspace_json: dict[str, Any], group: str | None
    ) -> int:
        text = json.dumps(workspace_json, ensure_ascii=False)
        return await asyncio.to_thread(store.record, request, result, text, group=group)

    return record


class RunTicket:
    """One run going through the engine: what it sends, where it stands, how it ended.

    Attributes:
        key: The caller's name for it (a Compare column, an evaluation cell), or None.
        prepared: What it sends.
        group: Its history group (a comparison, an evaluation), or None.
        state: ``"waiting"`` (key lookup, queue), ``"running"``, ``"finished"`` (result known,
            history step pending) or ``"done"``.
        sent: Whether the request went out (it had a slot and a key).
        result: How it ended, once ``Finished`` is out.
        history_id: Its id in the history, once recorded.
        history_error: Why it was not recorded, when a write failed.
    """

    def __init__(
        self, prepared: PreparedRun, sink: EventSink | None, key: Hashable, group: str | None
    ) -> None:
        self.key = key
        self.prepared = prepared
        self.group = group
        self.state = "waiting"
        self.sent = False
        self.result: RunResult | None = None
        self.history_id: int | None = None
        self.history_error: str | None = None
        self.stop_requested = False
        self._sink = sink
        self._transport: Transport | None = None
        self._task: asyncio.Task[RunResult] | None = None

    @property
    def done(self) -> bool:
        """Whether every event is out (the history step included)."""
        return self.state == "done"

    def stop(self) -> None:
        """Stops the run: a streaming one keeps its text (interrupted), a waiting one is not
        sent. It still ends with ``Finished``."""
        if self.state in ("finished", "done"):
            return
        self.stop_requested = True
        if self._transport is not None:
            self._transport.stop()
        elif self._task is not None and not self._task.done():
            self._task.cancel()

    def add_done_callback(self, callback: Callable[[RunTicket], object]) -> None:
        """Calls ``callback(ticket)`` on the loop once every event is out (soon, if already)."""
        assert self._task is not None
        self._task.add_done_callback(lambda _task: callback(self))

    async def wait(self) -> RunResult:
        """The result, once the run and its history step are done."""
        assert self._task is not None
        return await asyncio.shield(self._task)

    def _emit(self, event: EngineEvent) -> None:
        if self._sink is None:
            return
        try:
            self._sink(self, event)
        except Exception:  # a view's fault must not end the run or leave it unrecorded
            log.exception("A run's event callback failed")


#: Every run engine of the process (the windows' and the CLI's), for :func:`runs_in_flight`.
_ENGINES: weakref.WeakSet[RunEngine] = weakref.WeakSet()


def runs_in_flight() -> bool:
    """Whether any engine of the process has a run that is not done (queued or streaming): the
    GUI-thread garbage collector holds a full collection back meanwhile."""
    return any(engine.busy for engine in list(_ENGINES))


class RunEngine:
    """Prepares, limits, runs and records runs (see the module docstring for the contract).

    Args:
        registry: The providers, or a function returning them (the window's registry changes
            as the user adds providers).
        keys: Where keys are looked up, or a function returning it.
        limiter: The app's per-provider limiter; a new one with the default limit when None.
        recorder: Writes ended runs to the history; none kept when None.
        catalog: Prices for the cost, or a function returning them (the app's one catalog, with
            the user's overrides); the built-in catalog when None.
        options: Timeout and retries of every run (:attr:`options`, may be replaced).
        transports: The transport per provider kind (``"*"`` for the rest).
    """

    def __init__(
        self,
        registry: ProviderRegistry | Callable[[], ProviderRegistry],
        keys: KeySource | Callable[[], KeySource | None] | None = None,
        *,
        limiter: ProviderLimiter | None = None,
        recorder: Recorder | None = None,
        catalog: Catalog | Callable[[], Catalog] | None = None,
        options: RunOptions | None = None,
        transports: Mapping[str, TransportFactory] | None = None,
    ) -> None:
        self._registry = registry
        self._keys = keys
        self.limiter = limiter or ProviderLimiter()
        self.recorder = recorder
        self._catalog = catalog
        #: Timeout and retries of the runs started from now on.
        self.options = options or RunOptions()
        self.transports: dict[str, TransportFactory] = dict(transports or DEFAULT_TRANSPORTS)
        self._tickets: set[RunTicket] = set()
        _ENGINES.add(self)

    @property
    def registry(self) -> ProviderRegistry:
        """The providers runs are prepared for."""
        return self._registry() if callable(self._registry) else self._registry

    @property
    def keys(self) -> KeySource | None:
        """Where keys are looked up."""
        keys = self._keys
        if callable(keys) and not isinstance(keys, KeyStore):
            return keys()
        return keys

    @property
    def catalog(self) -> Catalog | None:
        """The catalog runs are priced with (None: the built-in one)."""
        return self._catalog() if callable(self._catalog) else self._catalog

    async def lookup_key(self, provider: ProviderConfig) -> str | None:
        """The key a run of ``provider`` would use now (keyring, then environment), looked up
        off the loop thread; None when there is none. A caller that starts many runs of one
        provider looks it up once and starts them with ``key_known``."""
        keys = self.keys
        return await asyncio.to_thread(_key_for, provider, keys)

    def transport_for(self, kind: str) -> TransportFactory:
        """The transport factory of provider kind ``kind``."""
        return self.transports.get(kind) or self.transports["*"]

    def prepare(
        self,
        workspace: Workspace,
        variant: Variant | None = None,
        *,
        overrides: RunOverrides | None = None,
    ) -> PreparedRun:
        """The run of ``variant`` (or the workspace itself); RunSetupError when it cannot be."""
        return prepare_run(workspace, self.registry, variant, overrides=overrides)

    @property
    def busy(self) -> bool:
        """Whether any ticket is not done yet."""
        return bool(self._tickets)

    def tickets(self) -> list[RunTicket]:
        """The tickets not done yet."""
        return list(self._tickets)

    def start(
        self,
        prepared: PreparedRun,
        on_event: EventSink | None = None,
        *,
        key: Hashable = None,
        group: str | None = None,
    ) -> RunTicket:
        """Starts ``prepared`` on the running loop; its events go to ``on_event``."""
        ticket = RunTicket(prepared, on_event, key, group)
        self._tickets.add(ticket)
        task = asyncio.get_running_loop().create_task(self._drive(ticket))
        ticket._task = task
        task.add_done_callback(lambda done: self._forget(ticket, done))
        return ticket

    async def run(
        self,
        prepared: PreparedRun,
        on_event: EventSink | None = None,
        *,
        key: Hashable = None,
        group: str | None = None,
    ) -> RunResult:
        """Starts ``prepared`` and waits for its result (history step included)."""
        return await self.start(prepared, on_event, key=key, group=group).wait()

    def stop_all(self) -> None:
        """Stops every ticket (each still ends with ``Finished``)."""
        for ticket in list(self._tickets):
            ticket.stop()

    async def wait_idle(self) -> None:
        """Waits until every ticket is done."""
        while self._tickets:
            tasks = [t._task for t in list(self._tickets) if t._task is not None]
            await asyncio.gather(*tasks, return_exceptions=True)

    def _forget(self, ticket: RunTicket, task: asyncio.Task[RunResult]) -> None:
        self._tickets.discard(ticket)
        if not task.cancelled() and task.exception() is not None:  # retrieved, never lost
            log.error("A run ended with an error: %s", redact(repr(task.exception())))

    async def _drive(self, ticket: RunTicket) -> RunResult:
        prepared = ticket.prepared
        request = prepared.request
        provider = prepared.provider
        slot = False
        result: RunResult | None = None
        try:
            api_key = prepared.api_key
            if not prepared.key_known:
                api_key = await self.lookup_key(provider)
            if api_key is None and provider.needs_key:
                result = self._unsent(request, missing_key_message(provider))
            else:
                limiter = self.limiter
                if limiter.must_wait(provider.id):
                    ticket._emit(
                        Queued(
                            request.provider_label,
                            limiter.waiting(provider.id),
                            limiter.limit,
                            limiter.active(provider.id),
                        )
                    )
                await limiter.acquire(provider.id)
                slot = True
                if ticket.stop_requested:
                    raise asyncio.CancelledError
                ticket.state = "running"
                ticket.sent = True
                ticket._emit(Started())
                result = await self._stream(ticket, api_key)
        except asyncio.CancelledError:
            if not ticket.stop_requested:
                # Cancelled from outside (Ctrl+C, the loop closing): not ours to swallow, but
                # what arrived is recorded first, as every run is.
                await self._record_interrupted(ticket)
                raise
            result = result or self._unsent(request, None)
            result.interrupted = True
        except Exception as error:  # a fault in the key lookup still ends the run
            log.error("Run failed unexpectedly: %s", redact(repr(error), prepared.api_key))
            result = self._unsent(request, redact(f"The run failed unexpectedly: {error}"))
        finally:
            if slot:
                self.limiter.release(provider.id)
            ticket._transport = None
        ticket.result = result
        ticket.state = "finished"
        ticket._emit(Finished(result))
        if ticket.sent and self.recorder is not None:
            await self._record(ticket, result)
        ticket.state = "done"
        return result

    async def _record_interrupted(self, ticket: RunTicket) -> None:
        snapshot = getattr(ticket._transport, "snapshot", None)
        if not ticket.sent or self.recorder is None or snapshot is None:
            return
        result = snapshot()
        ticket.result = result
        try:
            await self._record(ticket, result)
        except asyncio.CancelledError:  # cancelled again while recording: nothing more to do
            log.warning("Interrupted run not recorded in the history")

    def _unsent(self, request: ChatRequest, error: str | None) -> RunResult:
        return RunResult(
            provider=request.provider,
            model=request.model,
            variant=request.variant,
            prefix=request.prefix,
            error=error,
        )

    async def _stream(self, ticket: RunTicket, api_key: str | None) -> RunResult:
        request = ticket.prepared.request
        options = self.options
        if self.catalog is not None:
            options = replace(options, catalog=self.catalog)
        transport = self.transport_for(request.kind)(request, api_key, options)
        ticket._transport = transport
        result: RunResult | None = None
        text: list[str] = []
        try:
            async for event in transport.events():
                # Iterated to its end (Finished is last): breaking out would leave the generator
                # to be closed by the garbage collector, outside the event loop.
                if isinstance(event, Finished):
                    result = event.result
                else:
                    if isinstance(event, TextDelta):
                        text.append(event.text)
                    ticket._emit(event)
        except Exception as error:  # a transport that broke its promise to end with Finished
            # Not log.exception: the traceback may quote the key.
            log.error("Run failed unexpectedly: %s", redact(repr(error), api_key))
            result = self._unsent(request, redact(f"The run failed unexpectedly: {error}", api_key))
            result.text = "".join(text)
            result.interrupted = True
        if result is None:
            result = self._unsent(request, "The run ended without a result.")
        return result

    async def _record(self, ticket: RunTicket, result: RunResult) -> None:
        assert self.recorder is not None
        prepared = ticket.prepared
        try:
            history_id = await self.recorder(
                prepared.request, result, prepared.workspace_json, ticket.group
            )
        except (Exception, asyncio.CancelledError) as error:
            # The run happened and its answer is shown; only its record is lost: say so on it.
            reason = redact(str(error) or type(error).__name__, prepared.api_key)
            if isinstance(error, sqlite3.Error | OSError | RuntimeError):
                log.warning("Run not recorded in the history: %s", reason)
            else:
                log.exception("Run not recorded in the history")
            ticket.history_error = reason
            ticket._emit(NotRecorded(reason))
            return
        ticket.history_id = history_id
        ticket._emit(Recorded(history_id))


# The CLI's several runs -----------------------------------------------------------------------


async def run_variants(
    workspace: Workspace,
    registry: ProviderRegistry,
    keys: KeySource | None,
    labels: Sequence[str] = (),
    *,
    per_provider: int = DEFAULT_MAX_CONCURRENT_PER_PROVIDER,
    overrides: RunOverrides | None = None,
    catalog: Catalog | None = None,
    history: HistoryStore | None = None,
    group: str | None = None,
    on_event: Callable[[int, EngineEvent], None] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_retries: int = 3,
    options: RunOptions | None = None,
) -> list[RunResult]:
    """Runs the variants in ``labels`` concurrently through one engine; results in that order.

    Args:
        workspace: The conversation, tools and parameters.
        registry: Where provider ids are looked up.
        keys: A KeyStore (keyring, then environment) or a mapping provider id -> key.
        labels: Variant labels; empty runs the workspace itself.
        per_provider: At most this many runs at once against one provider.
        overrides: Provider, model, base URL or key forced on every run.
        catalog: Prices for the cost.
        history: When given, every run is recorded there (with ``group`` when several run).
        group: The history group of these runs.
        on_event: Called with (position in ``labels``, event) for every event of every run,
            the engine's included (a failed history write is a :class:`NotRecorded`). When it
            raises, every run is stopped and the error is raised once they have ended.
        timeout: Per-run timeout (see :class:`~workbench.core.runner.Run`).
        max_retries: Per-run retries.
        options: The size limit and deadline of each run (``timeout`` and ``max_retries``
            above apply over it).

    Raises:
        RunSetupError: before anything is sent (see :func:`prepare_runs`).
    """
    prepared = prepare_runs(workspace, registry, keys, labels, overrides=overrides)
    engine = RunEngine(
        registry,
        keys,
        limiter=ProviderLimiter(per_provider),
        recorder=store_recorder(history) if history is not None else None,
        catalog=catalog,
        options=replace(options or RunOptions(), timeout=timeout, max_retries=max_retries),
    )

    failures: list[Exception] = []

    def forward(ticket: RunTicket, event: EngineEvent) -> None:
        if on_event is None or not isinstance(ticket.key, int) or failures:
            return
        try:
            on_event(ticket.key, event)
        except Exception as error:  # the caller cannot take more (a closed pipe): stop all
            failures.append(error)
            engine.stop_all()

    tickets = [
        engine.start(item, forward, key=position, group=group)
        for position, item in enumerate(prepared)
    ]
    results = [await ticket.wait() for ticket in tickets]
    if failures:
        raise failures[0]  # the stopped runs are recorded first
    return results
