"""Tool calls in the conversation: the calls an answer makes, the result cards, and Continue.

An assistant card that made tool calls shows, under its text, each call's function name, id and
pretty-printed arguments, with a red line where the arguments break that tool's schema. Each call
gets a tool-result card (role ``tool``, ``tool_call_id`` and ``name`` set) pre-filled from the
tool's saved mock result (``$web_search`` with its own arguments, as Moonshot expects); the user
fills them in and presses Continue (``continueWithResultsButton``), which sends the conversation
again.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QPushButton

from workbench.core.conversation import Conversation, Message
from workbench.core.run_types import RunResult, ToolCall
from workbench.core.tools import argument_problems, pretty_arguments, tool_result_messages
from workbench.core.workspace import ToolEntry, Workspace
from workbench.ui.common.palette import colours
from workbench.ui.common.undo import EditMessage, InsertMessage
from workbench.ui.common.widgets import named
from workbench.ui.run.run_controller import RunController

if TYPE_CHECKING:
    from workbench.ui.context import AppContext, Shell


def calls_of(message: Message) -> list[ToolCall]:
    """The tool calls of an assistant message as :class:`ToolCall` values."""
    calls = []
    for item in message.tool_calls:
        function = item.get("function") or {}
        if not isinstance(function, dict):
            function = {}  # a file's call whose "function" is not an object: shown unnamed
        calls.append(
            ToolCall(
                id=str(item.get("id") or ""),
                name=str(function.get("name") or ""),
                arguments=str(function.get("arguments") or ""),
                type=str(item.get("type") or "function"),
            )
        )
    return calls


def calls_html(calls: Sequence[ToolCall], tools: Sequence[ToolEntry], streaming: bool) -> str:
    """The tool calls as rich text: name, id, arguments, and what breaks the tool's schema."""
    parts = []
    for call in calls:
        head = f"<b>ƒ {html.escape(call.name or '…')}</b>"
        if call.id:
            head += f' <span style="color:{colours().muted}">· id {html.escape(call.id)}</span>'
        parts.append(f"<div>{head}</div>")
        arguments = call.arguments if streaming else pretty_arguments(call.arguments)
        parts.append(
            f'<pre style="margin-top:0; margin-bottom:4px">{html.escape(arguments or "{}")}</pre>'
        )
        if streaming:
            continue
        for problem in argument_problems(call.name, call.arguments, tools):
            parts.append(f'<div style="color:{colours().error}">✕ {html.escape(problem)}</div>')
    if streaming:
        receiving = QCoreApplication.translate("ToolCalls", "receiving tool calls…")
        parts.append(f'<div style="color:{colours().muted}">{receiving}</div>')
    return "".join(parts)


def result_html(message: Message, conversation: Conversation) -> str:
    """What a tool-result card answers: the call's function and id (or that no call has it)."""
    if not message.tool_call_id:
        text = QCoreApplication.translate(
            "ToolCalls",
            "This tool result answers no call: it needs the tool_call_id of an earlier call.",
        )
        return f'<div style="color:{colours().error}">✕ {text}</div>'
    # Ids like functions.add:0 repeat across turns: the nearest call above is the one answered.
    messages = list(conversation)
    above = messages[: next((i for i, m in enumerate(messages) if m is message), len(messages))]
    for other in reversed(above):
        for call in calls_of(other):
            if call.id == message.tool_call_id:
                text = QCoreApplication.translate(
                    "ToolCalls", "Result of <b>{name}</b> · call {id}"
                ).format(name=html.escape(call.name), id=html.escape(call.id))
                return f'<div style="color:{colours().muted}">↩ {text}</div>'
    text = QCoreApplication.translate("ToolCalls", "No earlier tool call has the id {id}.").format(
        id=html.escape(message.tool_call_id)
    )
    return f'<div style="color:{colours().error}">✕ {text}</div>'


class ToolCallCards(QObject):
    """Shows tool calls on cards, adds the result cards, and offers Continue.

    Args:
        shell: The card column and Send.
        context: The workspace (conversation and tools) and the undo stack.
        runs: The run feature's controller, whose answers may call tools.

    Signals:
        results_added(count): result cards were added for ``count`` calls.
    """

    results_added = Signal(int)

    def __init__(self, shell: Shell, context: AppContext, runs: RunController) -> None:
        super().__init__(context)
        self.setObjectName("toolCallCards")
        self._window = shell
        self._context = context
        self._workspace: Workspace = context.workspace
        shell.message_list.card_delegate.detail_for = self.detail_for
        self._runs = runs
        runs.run_finished.connect(self.on_run_finished)
        runs.run_started.connect(self._update_continue)
        runs.run_finished.connect(lambda _result: self._update_continue())

        self.continue_button = QPushButton(self.tr("Continue"))
        named(self.continue_button, "continueWithResultsButton")
        self.continue_button.setToolTip(self.tr("Send the conversation with the tool results"))
        self.continue_button.hide()
        shell.add_bottom_button(self.continue_button)
        self.continue_button.clicked.connect(self.continue_run)

        conversation = self._workspace.conversation
        for event in (
            conversation.inserted,
            conversation.removed,
            conversation.moved,
            conversation.reset,
        ):
            event.connect(lambda *_: self._update_continue())
        conversation.changed.connect(lambda *_: self._update_continue())
        # The checks of a call's arguments read the tools' schemas.
        self._workspace.tools_changed.connect(lambda _edit: self._relayout_tool_cards())
        self._workspace.reset.connect(self._relayout_tool_cards)
        self._update_continue()

    # Cards -----------------------------------------------------------------------------------

    def detail_for(self, message: Message) -> str:
        """The rich text under ``message``'s card: its tool calls, or what a result answers."""
        if message.role == "assistant" and message.tool_calls:
            streaming = self._streaming_into(message)
            return calls_html(calls_of(message), self._workspace.tools, streaming=streaming)
        if message.role == "tool":
            return result_html(message, self._workspace.conversation)
        return ""

    def _streaming_into(self, message: Message) -> bool:
        """Whether a run is still streaming into ``message`` (its arguments are not whole yet)."""
        conversation = self._workspace.conversation
        return self._runs.running and len(conversation) > 0 and conversation[-1] is message

    def _relayout_tool_cards(self) -> None:
        """The tools changed: the argument checks, and so the heights, of the cards that show
        tool calls or results may have too; no other card is touched."""
        for message in self._workspace.conversation:
            if message.tool_calls or message.role == "tool":
                self._refresh_message(message.uid)

    def _refresh_message(self, uid: int) -> None:
        try:
            row = self._workspace.conversation.index_of(uid)
        except ValueError:
            return
        view = self._window.message_list
        index = view.model().index(row, 0)
        card = view.card_at(row)
        if card is not None:
            view.card_delegate.setEditorData(card, index)
        view.card_delegate.sizeHintChanged.emit(index)

    # Runs ------------------------------------------------------------------------------------

    def add_calls(self, uid: int, calls: Sequence[ToolCall]) -> list[int]:
        """The run that wrote assistant message ``uid`` ended with ``calls``.

        Stores the calls on the message and adds one pre-filled result card per call right after
        it, as one undo step. Returns the uids of the result cards.
        """
        conversation = self._workspace.conversation
        try:
            row = conversation.index_of(uid)
        except ValueError:
            return []
        if not calls:
            self._refresh_message(uid)
            return []
        stack = self._context.undo_stack
        results = tool_result_messages(calls, self._workspace.tools)
        stack.beginMacro(self.tr("Tool calls ({count})").format(count=len(calls)))
        wanted = [c.to_json() for c in calls]
        if conversation[row].tool_calls != wanted:
            stack.push(EditMessage(conversation, uid, tool_calls=wanted))
        for offset, message in enumerate(results, start=1):
            stack.push(InsertMessage(conversation, row + offset, message, self.tr("Tool result")))
        stack.endMacro()
        self._refresh_message(uid)
        first_empty = next((m for m in results if not m.content), results[0])
        self._window.message_list.scroll_to_row(conversation.index_of(first_empty.uid), focus=True)
        self._context.show_status(
            self.tr(
                "The model called {value0} tool(s): fill in the results, then Continue."
            ).format(value0=len(calls)),
            10000,
        )
        self.results_added.emit(len(calls))
        return [m.uid for m in results]

    def on_run_finished(self, result: RunResult) -> list[int]:
        """A run ended: when it made tool calls, adds their result cards under its answer.

        The answer is the last assistant card holding exactly these calls (the run controller
        stored them there as they streamed in). Returns the uids of the result cards.
        """
        if not result.tool_calls:
            return []
        if result.error:
            self._relayout_tool_cards()  # the calls shown while streaming get their checks
            return []
        wanted = [c.to_json() for c in result.tool_calls]
        conversation = self._workspace.conversation
        for message in reversed(conversation.messages):
            if message.role == "assistant" and message.tool_calls == wanted:
                following = conversation.messages[conversation.index_of(message.uid) + 1 :]
                if any(m.role == "tool" for m in following):
                    return []  # answered already (the run was recorded twice, say)
                return self.add_calls(message.uid, result.tool_calls)
        return []

    # Continue --------------------------------------------------------------------------------

    def _update_continue(self) -> None:
        conversation = self._workspace.conversation
        waiting = len(conversation) > 0 and conversation[-1].role == "tool"
        self.continue_button.setVisible(waiting)
        # One run at a time: Continue waits, like Send, for the run streaming in to end.
        self.continue_button.setEnabled(not self._runs.running)

    def continue_run(self) -> None:
        """Continue: sends the conversation with the tool results."""
        self._window.send()


def install(shell: Shell, context: AppContext, runs: RunController) -> ToolCallCards:
    """Lets the cards show tool calls and adds the Continue button beside Send."""
    return ToolCallCards(shell, context, runs)
