"""Runs in the window: Send, Stop, Regenerate, Continue, and the answer streaming into its card.

The controller prepares the request and starts it on the app's run engine
(:class:`~workbench.core.sessions.RunEngine`), which looks the key up off the UI thread, takes a
slot of the provider's limit, streams the run and records it in the history (without the key);
the controller shows the engine's events. Deltas are collected as they arrive and applied to the
conversation at most every ``FLUSH_MS`` milliseconds (less often when applying takes long), so
several fast streams never starve the UI thread. A run that could not be written to the history
says so on the run panel.

The answer goes into a new assistant card, added through the undo stack when the first piece
arrives, or, when the last card is partial (a prefilled answer), into that card, which then shows
prefix and continuation as one message with the prefix highlighted.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

from workbench.core import alternates
from workbench.core.conversation import Message
from workbench.core.export import export_request
from workbench.core.payloads import ChatRequest, build_request, request_problems
from workbench.core.providers import Prefill, ProviderConfig
from workbench.core.run_types import (
    Finished,
    ReasoningDelta,
    RunResult,
    Status,
    TextDelta,
    ToolCall,
    ToolCallDelta,
)
from workbench.core.sdk import load_openai
from workbench.core.sessions import (
    EngineEvent,
    NotRecorded,
    PreparedRun,
    Queued,
    Recorded,
    RunSetupError,
    RunTicket,
    missing_key_message,
)
from workbench.ui.common.background import BackgroundTasks
from workbench.ui.common.i18n import provider_name, shown, shown_lines
from workbench.ui.common.memory import map_large_blocks, trim_soon
from workbench.ui.common.palette import colours
from workbench.ui.common.stream_view import FlushPacer, StreamBuffer
from workbench.ui.common.undo import InsertMessage
from workbench.ui.conversation.message_card import STREAM_TAIL_CHARS

if TYPE_CHECKING:
    from workbench.ui.context import AppContext, Shell

from workbench.ui.run.answer_commands import (
    ANSWER_FIELDS,
    ApplyAnswer,
    RegenerateAnswer,
    Regeneration,
)
from workbench.ui.run.run_panel import RunPanel

log = logging.getLogger(__name__)

#: Streamed text is applied to the card at most this often (milliseconds).
FLUSH_MS = 30
#: A flush that brought at least this much new text replaced all a long answer's card shows
#: (its end, see STREAM_TAIL_CHARS): nobody reads text that goes by that fast, and each such
#: flush lays out and paints the whole card anew, so the next comes after REPLACED_FLUSH_MS.
#: A flush of less new text (the answer slowed down) brings back FLUSH_MS.
REPLACED_FLUSH_MS = 100
#: Applying may use at most this share of the UI thread; slower applies space out the flushes.
FLUSH_SHARE = 0.3
#: One flush stops updating further cards after this many milliseconds (the rest wait a tick).
FLUSH_BUDGET_MS = 8
#: After start-up, the SDK is imported in the background this many milliseconds later.
WARM_UP_DELAY_MS = 1500
#: An answer up to this long is put into its message on every flush; a longer one is drawn into
#: its card on every flush (the new text only) and put into the message less often (see below).
SYNC_EVERY_FLUSH_CHARS = 100_000
#: Putting a long answer into its message (the whole text: joined, counted, sized, autosaved)
#: may use at most this share of the UI thread, and happens at most every SYNC_MIN_S seconds.
SYNC_SHARE = 0.05
SYNC_MIN_S = 0.25
#: After a run with more text than this, freed memory is handed back (see _after_long_run).
LONG_RUN_CHARS = 100_000


# One stream ---------------------------------------------------------------------------------


@dataclass
class RunStream:
    """The state of one run streaming into one card.

    Attributes:
        request: What was sent (no key in it).
        ticket: The run on the engine; None until it is started.
        uid: The card the answer goes to; None until the first piece of a new answer arrives.
        prefix: The partial prefix the card started with ("" for a new answer).
        interactive: The run the window's run panel follows (Send, Regenerate, Continue).
    """

    request: ChatRequest
    ticket: RunTicket | None
    uid: int | None
    prefix: str
    interactive: bool
    #: The answer as its message last got it (without the prefix); the rest is in ``unsynced``
    #: (the pieces as they came: joined when the message gets them).
    text: str = ""
    unsynced: list[str] = field(default_factory=list)
    #: The runner's joined answer, once it is known to be the streamed one (see :meth:`adopt`).
    whole: str | None = None
    #: Characters of answer taken from ``pending`` so far.
    length: int = 0
    pending: StreamBuffer = field(default_factory=StreamBuffer)
    reasoning_pieces: list[str] = field(default_factory=list)
    reasoning_length: int = 0
    reasoning_pending: StreamBuffer = field(default_factory=StreamBuffer)
    tool_calls: dict[int, ToolCall] = field(default_factory=dict)
    tool_calls_dirty: bool = False
    result: RunResult | None = None
    stop_requested: bool = False
    #: Regenerate: the answer card stays as it is until the first piece of the new answer.
    regeneration: Regeneration | None = None
    #: The card shows the answer's end as it streams (see MessageListView.begin_stream).
    drawn_in_card: bool = False
    #: How much of the answer its message has, when it last got it, and what that cost
    #: (seconds).
    synced_length: int = 0
    synced_at: float = 0.0
    sync_cost: float = 0.0
    #: How much new answer text the last flush took.
    last_taken: int = 0

    @property
    def dirty(self) -> bool:
        """Whether pieces arrived since the card was last updated."""
        return bool(self.pending or self.reasoning_pending or self.tool_calls_dirty)

    @property
    def behind(self) -> bool:
        """Whether the message lacks text the card shows (see :meth:`sync_due`)."""
        return self.synced_length != self.length

    @property
    def reasoning(self) -> str:
        """The reasoning taken so far (joined on demand: the end of a run)."""
        if len(self.reasoning_pieces) > 1:
            self.reasoning_pieces[:] = ["".join(self.reasoning_pieces)]
        return self.reasoning_pieces[0] if self.reasoning_pieces else ""

    def take_pending(self) -> tuple[list[str], str]:
        """Takes what arrived since the last flush: (the new answer text's pieces, new
        reasoning). Nothing of the answer is copied: its pieces are joined when its message
        gets them (:meth:`joined`), and the card takes their end."""
        new_pieces = self.pending.take_pieces()
        taken = self.last_taken = sum(map(len, new_pieces))
        if taken:
            self.unsynced.extend(new_pieces)
            self.length += taken
        new_reasoning = self.reasoning_pending.take()
        if new_reasoning:
            self.reasoning_pieces.append(new_reasoning)
            self.reasoning_length += len(new_reasoning)
        return new_pieces, new_reasoning

    def joined(self) -> str:
        """The whole answer taken so far (without the prefix)."""
        if self.whole is not None and len(self.whole) == self.length:
            self.text = self.whole  # the runner's own string (see adopt): no copy of it
            self.unsynced.clear()
        elif self.unsynced:
            self.text = "".join([self.text, *self.unsynced])  # one copy, not two
            self.unsynced.clear()
        return self.text

    def adopt(self, whole: str) -> bool:
        """Whether ``whole`` (the runner's joined answer) is what was taken and what waits, in
        that order; then :meth:`joined` returns ``whole`` itself once all is taken, instead of
        joining a copy of it (12 ms and a second 10 MB string at the end of a 10 MB answer).
        Compared in place: no piece is joined or sliced."""
        waiting = self.pending.peek()
        if len(whole) != self.length + len(waiting) or not whole.startswith(self.text):
            return False
        at = len(self.text)
        for piece in self.unsynced:
            if not whole.startswith(piece, at):
                return False
            at += len(piece)
        if not whole.startswith(waiting, at):
            return False
        self.whole = whole
        return True

    def restart(self, text: str) -> None:
        """The answer is ``text`` after all (the result disagreed with what streamed)."""
        self.text = ""
        self.whole = None
        self.unsynced.clear()
        self.length = self.synced_length = 0
        self.pending.clear()
        self.pending.add(text)
        self.drawn_in_card = False

    def sync_due(self, now: float) -> bool:
        """Whether the message should get the text now (see SYNC_SHARE)."""
        if not self.behind:
            return False
        if self.length <= SYNC_EVERY_FLUSH_CHARS:
            return True
        return now >= self.synced_at + max(SYNC_MIN_S, self.sync_cost / SYNC_SHARE)


def _flush_spacing(stream: RunStream) -> float:
    """The shortest time (seconds) between two flushes of ``stream`` (see REPLACED_FLUSH_MS)."""
    if stream.drawn_in_card and stream.last_taken >= STREAM_TAIL_CHARS:
        return REPLACED_FLUSH_MS / 1000
    return FLUSH_MS / 1000


# The controller ------------------------------------------------------------------------------


class RunController(QObject):
    """Sends the window's workspace and streams answers into its cards.

    Args:
        shell: Where it shows: the card column, the Send row, the Run menu.
        context: The app's services: workspace, undo stack, providers, the run engine (keys,
            limit, history, catalog).

    Signals:
        run_started(): a run of the run panel started.
        status_changed(text): something to show while waiting (a retry after a 429).
        run_finished(result): a run ended (successful or not), after its text was applied.
        run_recorded(history_id): a run was written to the history.
    """

    run_started = Signal()
    status_changed = Signal(str)
    run_finished = Signal(object)
    run_recorded = Signal(int)

    def __init__(self, shell: Shell, context: AppContext) -> None:
        super().__init__(context)
        self._window = shell
        self._context = context
        self._conversation = context.workspace.conversation
        self.engine = context.run_engine
        self.panel = RunPanel()
        self._streams: list[RunStream] = []
        #: Runs started here whose events are not all out yet (history write included).
        self._tickets: set[RunTicket] = set()
        self._current: RunStream | None = None
        self._last: RunStream | None = None
        #: The window closed: runs are stopped and their ends touch no widget.
        self._closed = False
        #: Cards answered through a prefix, by uid: their prefix stays highlighted.
        self._prefixes: dict[int, str] = {}
        # Streams are served least recently updated first, within a time budget: with several
        # long answers streaming, each pass updates some cards and leaves the rest to the next,
        # and a slow apply (a long text) spaces that card's next one out.
        self._pacer: FlushPacer[RunStream] = FlushPacer(
            lambda: self._streams,
            lambda stream: stream.dirty,
            self._draw,
            interval_ms=FLUSH_MS,
            share=FLUSH_SHARE,
            budget_ms=FLUSH_BUDGET_MS,
            spacing=_flush_spacing,
            parent=self,
        )
        #: Starts the background import of the SDK once the window is up (see ``_warm_up``).
        self.warm_up_timer = QTimer(self)
        self.warm_up_timer.setSingleShot(True)
        self.warm_up_timer.setInterval(WARM_UP_DELAY_MS)
        self.warm_up_timer.timeout.connect(self._start_warm_up)
        self.regenerate_action = _menu_action(
            shell, self.tr("&Regenerate"), "Ctrl+Shift+R", self.regenerate
        )
        self.regenerate_action.setObjectName("regenerateAction")
        self.continue_action = _menu_action(
            shell, self.tr("&Continue the cut answer"), "Ctrl+Shift+Return", self.continue_answer
        )
        self.continue_action.setObjectName("continueAction")
        copy_menu = shell.menu("run").addMenu(self.tr("Copy request as &code"))
        copy_menu.setObjectName("copyAsCodeMenu")
        for kind, label in (
            ("python", self.tr("&Python (OpenAI SDK)")),
            ("curl", "&curl"),
            ("json", "&JSON"),
        ):
            action = copy_menu.addAction(label)
            action.setObjectName(f"copyAs{kind.capitalize()}Action")
            action.triggered.connect(lambda _checked=False, k=kind: self.copy_as_code(k))
        self.panel.regenerate_button.clicked.connect(self.regenerate)
        self.panel.continue_button.clicked.connect(self.continue_answer)
        self.panel.add_key_button.clicked.connect(
            lambda: shell.open_providers(self.panel.missing_key_provider, focus_key=True)
        )

    def _start_warm_up(self) -> None:
        if not _warmed_up.is_set():
            BackgroundTasks(self).run(_warm_up)

    # Checks --------------------------------------------------------------------------------

    def provider(self) -> ProviderConfig | None:
        """The workspace's provider, from the registry."""
        return self._context.providers.get(self._context.workspace.params.provider)

    def request_problems(self) -> list[str]:
        """Why the workspace cannot go to its provider (unknown one, partial unsupported...)."""
        provider = self.provider()
        if provider is None:
            return [
                self.tr(
                    "Unknown provider {provider!r}: choose one in Parameters or add it in "
                    "Settings › Providers…"
                ).format(provider=self._context.workspace.params.provider)
            ]
        return request_problems(
            self._context.workspace,
            provider,
            catalog=self._context.catalog,
            listed=self._context.listed.get(provider.id),
        )

    @property
    def busy(self) -> bool:
        """Whether any run is waiting, streaming or being written to the history."""
        self._tickets = {t for t in self._tickets if not t.done}
        return bool(self._tickets)

    @property
    def running(self) -> bool:
        """Whether the run panel's run is streaming."""
        return self._current is not None

    # Send, Stop, Regenerate, Continue ------------------------------------------------------

    def send(self) -> None:
        """Sends the workspace (already checked by the window) and streams the answer."""
        if self._current is not None:
            self._context.show_status(self.tr("A run is streaming: stop it first (Esc)."), 6000)
            return
        provider = self.provider()
        if provider is None:
            self.panel.fail(self.request_problems()[0])
            return
        try:
            prepared = self.engine.prepare(self._context.workspace)
        except RunSetupError as error:
            self.panel.fail(shown_lines(error.problems, " "))
            return
        self._context.ensure_model_list(provider.id)  # the first run per provider lists them
        request = prepared.request
        last = self._conversation[-1] if len(self._conversation) else None
        uid = last.uid if last is not None and last.partial else None
        stream = RunStream(
            request=request,
            ticket=None,
            uid=uid,
            prefix=request.prefix if uid is not None else "",
            interactive=True,
        )
        if uid is not None and last is not None:
            first = self._prefixes.get(uid) or last.prefill or None
            # Continue sends the cut answer as the prefix; the card's own prefix stays the user's
            # first one, so Regenerate starts the answer over from it, not from the cut.
            if first is None or not stream.prefix.startswith(first):
                self._prefixes[uid] = stream.prefix
        self._current = stream
        self._update_actions()
        self.panel.start(stream.prefix)
        self.run_started.emit()
        self._start(stream, prepared)

    def start_run(self, request: ChatRequest, api_key: str | None) -> RunStream:
        """Streams ``request`` into a new assistant card beside any other run (benchmarks,
        batch use), within the provider's limit; the run panel keeps following the interactive
        run."""
        # The request says all the engine needs of its provider (the key is given).
        provider = ProviderConfig(
            request.provider,
            request.provider_label,
            request.kind,
            request.base_url,
            Prefill.NONE,
            request.key_env,
            request.needs_key,
        )
        prepared = PreparedRun(
            request,
            provider,
            api_key=api_key,
            key_known=True,
            workspace_json=self._context.workspace.to_json(),
        )
        stream = RunStream(request=request, ticket=None, uid=None, prefix="", interactive=False)
        self._start(stream, prepared)
        return stream

    def stop(self) -> None:
        """Closes the interactive run's stream at once; its text stays, marked interrupted."""
        stream = self._current
        if stream is None:
            return
        stream.stop_requested = True
        if stream.ticket is not None:
            stream.ticket.stop()
        self.panel.status.setText(self.tr("Stopping…"))

    def regenerate(self) -> None:
        """Asks again for the last answer; the new one joins it as an alternate of its card.

        The request is the one that produced the answer: the messages before it, and its prefix
        (with its name) when it continued a prefilled start. The old answer stays on screen until
        the new one begins, so a refused or failed request loses nothing; then the card shows
        the new answer and keeps the old one (◀ ▶ on the card). An answer that asked for tools
        goes with the result cards that follow it: left there, they would be sent (empty) and
        the new answer would come after them.
        """
        if self._current is not None or not len(self._conversation):
            return
        target = self._answer_to_regenerate()
        if target is None:
            self._window.send()  # nothing answered yet (or a prefix waiting): a plain send
            return
        index, trailing = target
        workspace = self._context.workspace
        base = alternates.regenerate_base(workspace, index)
        provider = self.provider()
        problems = base.problems()
        if not problems:
            problems = (
                self.request_problems() if provider is None else request_problems(base, provider)
            )
        if problems or provider is None:
            self._window.show_send_problems(problems)
            return
        try:
            prepared = self.engine.prepare(base)
        except RunSetupError as error:
            self._window.show_send_problems(error.problems)
            return
        self._window.show_send_problems([])
        stream = RunStream(
            request=prepared.request,
            ticket=None,
            uid=self._conversation[index].uid,
            prefix=prepared.request.prefix,
            interactive=True,
            regeneration=Regeneration(trailing),
        )
        self._current = stream
        self._update_actions()
        self.panel.start(stream.prefix)
        self.run_started.emit()
        self._start(stream, prepared)

    def _answer_to_regenerate(self) -> tuple[int, list[int]] | None:
        """The answer Regenerate replaces and the uids of the tool results that answer it.

        The last card when it is an answer; or the last answer with tool calls when only the
        result cards of those calls follow it. None when the last card is no answer (a partial
        prefix, a question): then there is nothing to replace.
        """
        messages = self._conversation.messages
        end = len(messages)
        while end > 0 and messages[end - 1].role == "tool":
            end -= 1
        if end == 0:
            return None
        answer = messages[end - 1]
        if answer.role != "assistant" or answer.partial:
            return None
        trailing = messages[end:]
        if trailing:
            call_ids = {call.get("id") for call in answer.tool_calls}
            if not all(m.tool_call_id in call_ids for m in trailing):
                return None
        return end - 1, [m.uid for m in trailing]

    def copy_as_code(self, kind: str) -> str | None:
        """Puts the exact request as ``python``, ``curl`` or ``json`` on the clipboard.

        The key is read from the provider's environment variable in the code, never written.
        Returns the text copied, or None when the request cannot be built (the reason is shown).
        """
        problems = self._context.workspace.problems() + self.request_problems()
        provider = self.provider()
        if problems or provider is None:
            self._context.show_status(self.tr("Not copied: ") + problems[0], 8000)
            return None
        text = export_request(build_request(self._context.workspace, provider), as_=kind)
        QGuiApplication.clipboard().setText(text)
        self._context.show_status(self.tr("Copied the request as {kind}.").format(kind=kind), 4000)
        return text

    def continue_answer(self) -> None:
        """Sends the cut answer back as a prefix so the model carries on from where it stopped."""
        reason = self.continue_refusal()
        if reason is not None:
            self._context.show_status(reason, 8000)
            return
        last = self._conversation[-1]
        self._window.editor.edit_field(last.uid, "partial", True)
        self._window.send()

    def continue_refusal(self) -> str | None:
        """Why Continue is not possible now, or None."""
        if self._current is not None:
            return self.tr("A run is streaming.")
        stream = self._last
        if stream is None or stream.result is None or stream.uid is None:
            return self.tr("Nothing to continue.")
        result = stream.result
        if result.finish_reason != "length" and not (result.interrupted and result.full_text):
            return self.tr("The last answer was complete.")
        if not len(self._conversation) or self._conversation[-1].uid != stream.uid:
            return self.tr("Continue works on the last answer, which must be the last card.")
        provider = self.provider()
        if provider is None or provider.prefill is Prefill.NONE:
            name = provider_name(provider.name) if provider else self.tr("This provider")
            return self.tr(
                "{name} cannot prefill an answer, so it cannot continue a cut one."
            ).format(name=name)
        return None

    def forget_last_run(self) -> None:
        """Another workspace is shown (New, Open, an import): the last run answered none of its
        cards, so its result and Continue go; Regenerate stays only for an answer the new
        workspace holds (the panel with it). A run still streaming stays shown."""
        self._last = None
        self._prefixes.clear()
        if self._current is None:
            self.panel.clear(keep_shown=self._answer_to_regenerate() is not None)
        self._update_actions()

    # Streaming -----------------------------------------------------------------------------

    def shutdown(self) -> None:
        """The window closed: stops every run at once.

        Left streaming, a run went on updating the conversation and the run panel of a window
        being deleted (a RuntimeError from a dead widget when it ended). Stopped runs are still
        recorded: the context closes the history once they are.
        """
        self._closed = True
        self._pacer.stop()
        for stream in [*self._streams, *([self._current] if self._current else [])]:
            stream.stop_requested = True
            if stream.ticket is not None:
                stream.ticket.stop()

    def _start(self, stream: RunStream, prepared: PreparedRun) -> None:
        map_large_blocks()  # a long answer's copies go back to the system once freed
        stream.ticket = self.engine.start(
            prepared, lambda ticket, event: self._on_event(stream, ticket, event)
        )
        self._tickets.add(stream.ticket)

    def _on_event(self, stream: RunStream, ticket: RunTicket, event: EngineEvent) -> None:
        """One event of a run (called for every chunk: the flush timer does the drawing)."""
        if self._closed:
            return  # nothing left to show it in
        if isinstance(event, TextDelta):
            stream.pending.add(event.text)
        elif isinstance(event, ReasoningDelta):
            stream.reasoning_pending.add(event.text)
        elif isinstance(event, ToolCallDelta):
            stream.tool_calls[event.index] = event.call
            stream.tool_calls_dirty = True
        elif isinstance(event, Status | Queued):
            if stream.interactive:
                if isinstance(event, Queued):
                    self.panel.queued(event)
                else:
                    self.panel.status.setText(shown(event.text))
                text = self.panel.status.text()
                self.status_changed.emit(text)
            return
        elif isinstance(event, Finished):
            if stream in self._streams:
                self._streams.remove(stream)
            if ticket.sent:
                self._finish(stream, event.result)
            else:  # no key, or stopped while it waited
                error = event.result.error or self.tr("Stopped before sending.")
                provider = self.provider()
                keyless = provider is not None and error == missing_key_message(provider)
                self._end_without_run(
                    stream, error, missing_key_provider=provider.id if keyless and provider else ""
                )
            return
        elif isinstance(event, Recorded):
            self._after_long_run(stream)
            self.run_recorded.emit(event.history_id)
            return
        elif isinstance(event, NotRecorded):
            self._after_long_run(stream)
            # The run happened; losing its record must not go unnoticed: say so on that run.
            if stream is self._last:
                self.panel.not_recorded(event.message)
            self._context.show_status(
                self.tr("This run could not be written to the history: {message}").format(
                    message=event.message
                ),
                8000,
            )
            return
        else:  # Started: the slot is taken, the request goes out
            if stream not in self._streams:
                self._streams.append(stream)
            if stream.interactive and stream is self._current:
                self.panel.status.setText(self.tr("Sending…"))
            return
        if stream not in self._streams:
            self._streams.append(stream)
        self._pacer.wake()

    @staticmethod
    def _after_long_run(stream: RunStream) -> None:
        """The run's copies of a long answer (joined, recorded, encoded) are freed by now: the
        allocator is asked to give their memory back (it keeps large freed blocks otherwise,
        some hundred MB after a 10 MB answer)."""
        if stream.length + stream.reasoning_length > LONG_RUN_CHARS:
            trim_soon()

    def _end_without_run(
        self, stream: RunStream, text: str, missing_key_provider: str = ""
    ) -> None:
        first = self._prefixes.get(stream.uid) if stream.uid is not None else None
        if stream.uid is not None and not stream.length and first == stream.prefix:
            self._prefixes.pop(stream.uid, None)
        if stream is self._current:
            self._current = None
            self.panel.fail(text, missing_key_provider)
        self._update_actions()

    def flush(self) -> None:
        """Applies the pieces that arrived to the cards that are due (the pacer's pass)."""
        self._pacer.flush_due()

    def _draw(self, stream: RunStream) -> None:
        if not self._closed:
            self._apply(stream)

    def _apply(self, stream: RunStream, final: bool = False) -> None:
        """Shows what arrived: the new text drawn into the card, the message brought up to date
        when it is due (every flush for a short answer; ``final``: the run ended)."""
        new_pieces, new_reasoning = stream.take_pending()
        if stream.interactive and new_reasoning:
            self.panel.add_reasoning(new_reasoning, stream.reasoning_length)
        if stream.interactive and not stream.stop_requested and stream is self._current:
            # "Sending…" (or a retry's countdown) would otherwise stay up while the answer streams.
            streaming = "Thinking…" if new_reasoning and not stream.length else "Streaming…"
            if self.panel.status.text() != streaming:
                self.panel.status.setText(streaming)
        regeneration = stream.regeneration
        if regeneration is not None and regeneration.command is None:
            if not stream.length and not stream.tool_calls:
                return  # reasoning alone: the old answer stays until the new one begins
            self._begin_regeneration(stream, regeneration, stream.joined())
        started = time.perf_counter()
        values: dict[str, Any] = {}
        has_text = bool(stream.length) or stream.uid is not None
        if has_text and (
            final or stream.uid is None or not stream.drawn_in_card or stream.sync_due(started)
        ):
            values["content"] = stream.prefix + stream.joined()
        if stream.tool_calls_dirty:
            stream.tool_calls_dirty = False
            values["tool_calls"] = [
                stream.tool_calls[i].to_json() for i in sorted(stream.tool_calls)
            ]
        cards = self._window.message_list
        if stream.uid is None:
            if values:
                self._insert_answer(stream, values)
                self._synced(stream, started)
            return
        try:
            index = self._conversation.index_of(stream.uid)
        except ValueError:  # the user deleted the card: stop feeding it
            if stream.ticket is not None:
                stream.ticket.stop()
            return
        if not stream.drawn_in_card:
            stream.drawn_in_card = True
            cards.begin_stream(stream.uid, values["content"])
        elif new_pieces and not final:
            # At the run's end the card shows the message next (end_stream): the last pieces
            # are not drawn into its end first.
            cards.add_streamed(stream.uid, new_pieces)
        if values:
            self._conversation.update(index, **values)
            if "content" in values:
                self._synced(stream, started)

    @staticmethod
    def _synced(stream: RunStream, started: float) -> None:
        stream.synced_length = stream.length
        stream.synced_at = time.perf_counter()
        stream.sync_cost = stream.synced_at - started

    def _begin_regeneration(self, stream: RunStream, regeneration: Regeneration, text: str) -> None:
        """The first piece of a regenerated answer: the old one becomes an alternate."""
        assert stream.uid is not None
        try:
            message = self._conversation[self._conversation.index_of(stream.uid)]
        except ValueError:
            return  # the card was deleted meanwhile: _apply stops the run
        after = alternates.add_answer(message, stream.prefix + text)
        after["tool_calls"] = []
        after["prefill"] = stream.prefix
        command = RegenerateAnswer(
            self._conversation,
            stream.uid,
            after,
            regeneration.trailing,
            self.tr("Regenerate: answer from {model}").format(model=stream.request.model),
        )
        regeneration.command = command
        self._context.undo_stack.push(command)

    def _end_regeneration(self, stream: RunStream) -> None:
        """The regenerated answer is complete: its undo step redoes all of it."""
        regeneration = stream.regeneration
        if regeneration is None or regeneration.command is None or stream.uid is None:
            return
        with contextlib.suppress(ValueError):
            message = self._conversation[self._conversation.index_of(stream.uid)]
            regeneration.command.after = {
                name: copy.deepcopy(getattr(message, name)) for name in ANSWER_FIELDS
            }

    def _insert_answer(self, stream: RunStream, values: dict[str, Any]) -> None:
        message = Message(role="assistant", **values)
        command = InsertMessage(
            self._conversation,
            len(self._conversation),
            message,
            self.tr("Answer from {model}").format(model=stream.request.model),
        )
        # The card is made showing the answer's end: made showing the message first, it laid
        # out the start of a long answer (PREVIEW_CHARS) only to replace it at once.
        self._window.message_list.begin_stream(message.uid, message.content)
        self._context.undo_stack.push(command)
        stream.uid = message.uid
        stream.drawn_in_card = True
        if stream.interactive:
            self._window.message_list.scroll_to_row(command.index)

    def _answer_values(self, message: Message) -> dict[str, Any]:
        return {
            "content": message.content,
            "tool_calls": list(message.tool_calls),
            "partial": message.partial,
        }

    def _finish(self, stream: RunStream, result: RunResult) -> None:
        stream.result = result
        # The result is the truth: the text as the runner joined it, complete tool calls.
        if result.text and not stream.adopt(result.text):
            text = stream.joined()
            if result.text.startswith(text):
                stream.pending.clear()
                stream.pending.add(result.text[len(text) :])  # only what is not shown yet
            else:
                stream.restart(result.text)
        if result.tool_calls:
            stream.tool_calls = dict(enumerate(result.tool_calls))
            stream.tool_calls_dirty = True
        if stream.regeneration is not None:
            if stream.dirty or stream.behind:
                self._apply(stream, final=True)
            self._end_regeneration(stream)
        elif stream.prefix and stream.uid is not None and (result.text or result.tool_calls):
            self._finish_prefilled(stream, result)
        else:
            if stream.dirty or stream.behind:
                self._apply(stream, final=True)
            self._share_answer(stream)
        if stream.uid is not None:
            self._window.message_list.end_stream(stream.uid)  # the card shows the message
        self._keep_reasoning(stream, result)
        if stream.interactive:
            self._current = None
            self._last = stream
            self.panel.finish(result)
            missing = result.reasoning[stream.reasoning_length :]
            if missing and result.reasoning.startswith(stream.reasoning):
                self.panel.add_reasoning(missing, len(result.reasoning))
            self._update_actions()
        else:
            self.decorate_cards()  # the card is no longer being streamed into: unlock it
        self.run_finished.emit(result)

    def _share_answer(self, stream: RunStream) -> None:
        """The message keeps the runner's own joined answer, not an equal copy: the last flush
        before the result came may have joined the same pieces (see :meth:`RunStream.adopt`)."""
        if stream.whole is None or stream.uid is None or stream.prefix:
            return
        try:
            index = self._conversation.index_of(stream.uid)
        except ValueError:  # the user deleted the card
            return
        if self._conversation.share_text(index, stream.whole):
            stream.text = stream.whole

    def _keep_reasoning(self, stream: RunStream, result: RunResult) -> None:
        """Keeps the answer's reasoning on its card (``reasoning_content``): a thinking model
        needs it back with a turn that called tools, and the payload sends it where it must."""
        if stream.uid is None or not (result.reasoning or result.tool_calls):
            return
        try:
            index = self._conversation.index_of(stream.uid)
        except ValueError:
            return
        self._conversation.set_extra(index, "reasoning_content", result.reasoning or None)

    def _finish_prefilled(self, stream: RunStream, result: RunResult) -> None:
        """The prefilled card becomes a plain answer in one undoable step."""
        assert stream.uid is not None
        _text, new_reasoning = stream.take_pending()
        if stream.interactive and new_reasoning:
            # Reasoning that arrived since the last flush would otherwise be counted as shown.
            self.panel.add_reasoning(new_reasoning, stream.reasoning_length)
        try:
            index = self._conversation.index_of(stream.uid)
        except ValueError:
            return
        message = self._conversation[index]
        after: dict[str, Any] = {
            "content": stream.prefix + result.text,
            "partial": False,
            # Kept in the file, so Regenerate starts over from the user's prefix after reopening.
            "prefill": self._prefixes.get(stream.uid, stream.prefix),
        }
        if result.tool_calls:
            after["tool_calls"] = [c.to_json() for c in result.tool_calls]
        before = {
            "content": stream.prefix,
            "tool_calls": list(message.tool_calls),
            "partial": True,
            "prefill": message.prefill,
        }
        self._context.undo_stack.push(
            ApplyAnswer(
                self._conversation,
                stream.uid,
                before,
                after,
                self.tr("Answer from {model}").format(model=result.model),
            )
        )

    # Window state --------------------------------------------------------------------------

    def _update_actions(self) -> None:
        running = self._current is not None
        self._window.set_running(running)
        self.regenerate_action.setEnabled(not running)
        self.panel.regenerate_button.setEnabled(
            not running and (self._last is not None or self._answer_to_regenerate() is not None)
        )
        refusal = self.continue_refusal()
        cut = (
            self._last is not None
            and self._last.result is not None
            and (self._last.result.finish_reason == "length" or self._last.result.interrupted)
        )
        self.continue_action.setEnabled(refusal is None)
        self.panel.continue_button.setVisible(cut and not running)
        self.panel.continue_button.setEnabled(refusal is None)
        self.panel.continue_button.setToolTip(
            refusal
            or self.tr("Send the cut answer back as a prefix; the model carries on from its end.")
        )
        self.decorate_cards()

    def decorate_cards(self, *_args: object) -> None:
        """Highlights prefixes on the live cards and locks the cards being streamed into."""
        streaming = {s.uid for s in self._streams if s.uid is not None}
        if self._current is not None and self._current.uid is not None:
            streaming.add(self._current.uid)
        for card, message in self._window.message_list.cards_with_messages():
            edit: QPlainTextEdit = card.content_edit
            busy = card.uid in streaming
            if edit.isReadOnly() != busy:
                edit.setReadOnly(busy)
            # The answer's prefill is kept in the workspace; this session's prefixes go first
            # (a prefilled card still streaming has none saved yet).
            prefix = self._prefixes.get(card.uid) or message.prefill
            selections: list[QTextEdit.ExtraSelection] = []
            if prefix and edit.toPlainText().startswith(prefix):
                selection = QTextEdit.ExtraSelection()
                selection.format = QTextCharFormat()
                selection.format.setBackground(colours().qcolor("prefix"))
                selection.format.setToolTip(self.tr("Prefilled: the answer continued this text."))
                cursor = QTextCursor(edit.document())
                cursor.setPosition(len(prefix), QTextCursor.MoveMode.KeepAnchor)
                selection.cursor = cursor
                selections.append(selection)
            if selections or edit.extraSelections():
                edit.setExtraSelections(selections)


_warmed_up = threading.Event()


def _warm_up() -> None:
    """Imports the OpenAI SDK off the UI thread, then freezes what start-up allocated.

    The SDK takes about a second to import, which the first Send would otherwise spend on the
    UI thread. Once the app's long-lived objects exist, ``gc.freeze()`` moves them out of the
    collector's sight: a full collection then scans only what runs allocate, instead of pausing
    the UI for 50-100 ms while a long answer streams in.
    """
    if _warmed_up.is_set():
        return
    _warmed_up.set()
    try:
        load_openai()
    except ImportError:  # the run itself will say so
        log.warning("The OpenAI SDK cannot be imported")
    gc.freeze()


def install(shell: Shell, context: AppContext) -> RunController:
    """Wires Send, Stop, Regenerate and Continue and the run panel into the shell."""
    controller = RunController(shell, context)
    shell.set_sender(controller)
    context.closing.connect(controller.shutdown)
    context.document.loaded.connect(controller.forget_last_run)
    controller.run_recorded.connect(context.run_recorded)
    shell.add_conversation_widget(controller.panel)

    cards = shell.message_list
    model = cards.model()
    model.dataChanged.connect(controller.decorate_cards)
    model.rowsInserted.connect(controller.decorate_cards)
    model.modelReset.connect(controller.decorate_cards)
    cards.editors_synced.connect(controller.decorate_cards)
    controller._update_actions()
    controller.warm_up_timer.start()
    return controller


def _menu_action(shell: Shell, text: str, shortcut: str, slot: Callable[[], object]) -> QAction:
    action = QAction(text, shell.window())
    action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(slot)
    shell.menu("run").addAction(action)
    return action
