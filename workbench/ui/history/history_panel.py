"""The History tab: every run, searchable by its text, reopened as a new workspace.

The list is read from the :class:`~workbench.core.history.HistoryStore` on its own thread (see
:mod:`workbench.ui.common.history_worker`) and refreshed after every recorded run. Reopening
builds a workspace from the run as it was sent, with the answer as the last assistant card, and
opens it untitled and unsaved.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.core.history import HistoryEntry, HistoryStore, RunSummary, decode_json
from workbench.core.workspace import WorkspaceError
from workbench.ui.common import dialogs
from workbench.ui.common.background import BackgroundTasks
from workbench.ui.common.history_worker import HistoryWorker
from workbench.ui.common.i18n import date_time
from workbench.ui.common.widgets import named

if TYPE_CHECKING:
    from workbench.ui.context import AppContext, Shell

#: How many runs the list shows (the newest first).
LIST_LIMIT = 200
SEARCH_DELAY_MS = 250


def answer_of(entry: HistoryEntry) -> str:
    """The answer the run produced (prefix and continuation)."""
    result = decode_json(entry.result_json)
    if not isinstance(result, dict):
        return ""
    text = result.get("text")
    return text if isinstance(text, str) else ""


def reopened_workspace(entry: HistoryEntry) -> dict[str, Any]:
    """The run as a workspace: what was sent, with the answer as the last assistant card."""
    data = decode_json(entry.workspace_json)
    if not isinstance(data, dict):
        raise WorkspaceError(
            QCoreApplication.translate(
                "HistoryPanel", "This run has no workspace recorded; it cannot be reopened."
            )
        )
    data = copy.deepcopy(data)  # a private copy
    messages = data.setdefault("messages", [])
    answer = answer_of(entry)
    result = decode_json(entry.result_json) or {}
    tool_calls = result.get("tool_calls") if isinstance(result, dict) else None
    if answer or tool_calls:
        last = messages[-1] if messages else None
        if isinstance(last, dict) and last.get("role") == "assistant" and last.get("partial"):
            last.pop("partial", None)  # the answer already starts with the prefix
            if isinstance(last.get("content"), str) and last["content"]:
                last["prefill"] = last["content"]  # Regenerate starts over from it
            last["content"] = answer
            target = last
        else:
            target = {"role": "assistant", "content": answer}
            messages.append(target)
        if tool_calls:
            target["tool_calls"] = tool_calls
    when = entry.started_at
    title = data.get("title") or QCoreApplication.translate("HistoryPanel", "Untitled")
    data["title"] = QCoreApplication.translate("HistoryPanel", "{title} (run {id}, {when})").format(
        title=title, id=entry.id, when=_when(when)
    )
    return data


def _when(started_at: Any) -> str:
    """The run's start in local time, to the minute (the store keeps ISO 8601 in UTC)."""
    if isinstance(started_at, int | float):
        return date_time(dt.datetime.fromtimestamp(started_at))
    try:
        return date_time(dt.datetime.fromisoformat(str(started_at)).astimezone())
    except ValueError:
        return str(started_at)[:16].replace("T", " ")


def describe(entry: HistoryEntry | RunSummary) -> str:
    """One line for the list: when, where, and the start of the answer or the error."""
    where = f"{entry.provider} · {entry.model}"
    if entry.variant:
        where += f" · {entry.variant}"
    answer = entry.preview if isinstance(entry, RunSummary) else answer_of(entry)
    body = f"⚠ {entry.error}" if entry.error else answer.strip()
    body = " ".join(body.split())
    if len(body) > 90:
        body = body[:89] + "…"
    empty = QCoreApplication.translate("HistoryPanel", "(no text)")
    return f"{_when(entry.started_at)}  {where}\n{body or empty}"


#: Characters of an answer or request the detail shows (a 10 MB answer would take the UI).
DETAIL_CHARS = 200_000
#: A selected run longer than this (its stored JSON) is not kept once shown.
KEEP_CHARS = 1_000_000


def _size(entry: HistoryEntry) -> int:
    return sum(
        len(part) if isinstance(part, str) else 0
        for part in (entry.request_json, entry.result_json, entry.workspace_json)
    )


def _shortened(text: str) -> str:
    if len(text) <= DETAIL_CHARS:
        return text
    more = QCoreApplication.translate(
        "HistoryPanel", "… ({count} more characters: reopen the run to see them all)"
    ).format(count=f"{len(text) - DETAIL_CHARS:,}")
    return text[:DETAIL_CHARS] + "\n" + more


class HistoryPanel(QWidget):
    """Lists runs, searches them, shows one and reopens it.

    Signals:
        listed(count): the list was (re)filled with ``count`` runs (tests wait on it).
    """

    listed = Signal(int)

    def __init__(self, shell: Shell, context: AppContext) -> None:
        super().__init__()
        named(self, "historyPanel")
        self._shell = shell
        self._context = context
        self._history: HistoryWorker = context.history
        self._tasks = BackgroundTasks(self, report=context.show_status)
        #: The one run loaded whole: the selected one (unless it is long, see KEEP_CHARS).
        self._loaded: HistoryEntry | None = None
        #: The run the detail shows (kept or not).
        self._shown_id: int | None = None
        self._generation = 0
        self.search_edit = QLineEdit()
        named(self.search_edit, "historySearch")
        self.search_edit.setPlaceholderText(self.tr("Search the runs' messages and answers…"))
        self.search_edit.setClearButtonEnabled(True)
        self.run_list = QListWidget()
        named(self.run_list, "historyList")
        self.run_list.setWordWrap(True)
        self.run_list.setAlternatingRowColors(True)
        self.detail = QPlainTextEdit()
        named(self.detail, "historyDetail")
        self.detail.setReadOnly(True)
        self.reopen_button = QPushButton(self.tr("Reopen as new workspace"))
        named(self.reopen_button, "reopenRunButton")
        self.reopen_button.setEnabled(False)
        self.count_label = QLabel()
        self.count_label.setObjectName("historyCount")

        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.count_label)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.detail, 1)
        right_layout.addWidget(self.reopen_button, 0, Qt.AlignmentFlag.AlignRight)
        splitter = QSplitter()
        splitter.addWidget(self.run_list)
        splitter.addWidget(right)
        splitter.setSizes([420, 420])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.run_list.currentItemChanged.connect(lambda *_a: self._show_current())
        # Activated: a double click, or Return for a keyboard user (who gets there from the
        # search field with Return or Down).
        self.run_list.itemActivated.connect(lambda _i: self.reopen_current())
        self.search_edit.returnPressed.connect(self.run_list.setFocus)
        self.search_edit.installEventFilter(self)
        self.reopen_button.clicked.connect(self.reopen_current)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
        ):
            self.run_list.setFocus()
            return True
        return super().eventFilter(watched, event)

    @property
    def busy(self) -> bool:
        """Whether keyring, network or history work it started is still in flight."""
        return self._tasks.busy

    def shutdown(self) -> None:
        """The window is closing: a search still on its way is dropped."""
        self._tasks.shutdown()

    def refresh(self) -> None:
        """Reads the runs matching the search text (newest first) off the UI thread."""
        if self._tasks.closed:
            return
        self._generation += 1
        self._tasks.spawn(self._load(self._generation, self.search_edit.text().strip()))

    async def _load(self, generation: int, text: str) -> None:
        # The list holds summaries (a few hundred bytes a run); the run shown is loaded whole,
        # alone: memory stays flat however many runs there are and however long they were.
        selected = self._selected_id()

        def read(store: HistoryStore) -> tuple[list[RunSummary], HistoryEntry | None]:
            found = store.summaries(text, limit=LIST_LIMIT)
            ids = [s.id for s in found]
            shown = selected if selected in ids else (ids[0] if ids else None)
            return found, store.get(shown) if shown is not None else None

        try:
            summaries, shown = await self._history.call(read)
        except (RuntimeError, KeyError):  # the window closed, or the run was deleted meanwhile
            return
        if generation != self._generation:
            return  # a newer search is on its way
        self._loaded = shown
        with QSignalBlocker(self.run_list):
            self.run_list.clear()
            for summary in summaries:
                item = QListWidgetItem(describe(summary))
                item.setData(Qt.ItemDataRole.UserRole, summary.id)
                if summary.error:
                    item.setToolTip(summary.error)
                self.run_list.addItem(item)
                if shown is not None and summary.id == shown.id:
                    self.run_list.setCurrentItem(item)  # the best match is shown at once
        found = len(summaries)
        self.count_label.setText(
            self.tr("{found} run{value1}").format(found=found, value1="s" if found != 1 else "")
        )
        self._show_current()
        self.listed.emit(found)

    def _selected_id(self) -> int | None:
        item = self.run_list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def current_entry(self) -> HistoryEntry | None:
        """The selected run, once loaded (None while it is on its way)."""
        selected = self._selected_id()
        loaded = self._loaded
        return loaded if loaded is not None and loaded.id == selected else None

    def _show_current(self) -> None:
        selected = self._selected_id()
        entry = self.current_entry()
        if entry is None and selected is not None and selected == self._shown_id:
            self.reopen_button.setEnabled(True)  # a long run, shown and let go: read on Reopen
            return
        self.reopen_button.setEnabled(entry is not None)
        if entry is None:
            self._shown_id = None
            self.detail.setPlainText(self.tr("Loading the run…") if selected is not None else "")
            if selected is not None and not self._tasks.closed:
                self._tasks.spawn(self._load_entry(selected))
            return
        request = decode_json(entry.request_json)
        lines = [
            self.tr("Run {id} · {when} · {provider} · {model}").format(
                id=entry.id,
                when=_when(entry.started_at),
                provider=entry.provider,
                model=entry.model,
            )
        ]
        if entry.error:
            lines.append(self.tr("Error: {error}").format(error=entry.error))
        lines += [
            "",
            self.tr("Answer:"),
            _shortened(answer_of(entry)) or self.tr("(no text)"),
            "",
            self.tr("Request:"),
        ]
        lines.append(_shortened(json.dumps(request, indent=2, ensure_ascii=False)))
        self.detail.setPlainText("\n".join(lines))
        self._shown_id = entry.id
        if _size(entry) > KEEP_CHARS:
            # A 10 MB answer would stay in memory as long as the run stays selected (the newest
            # run is selected after every run): read again if the user reopens it.
            self._loaded = None

    async def _reopen_when_loaded(self, entry_id: int) -> None:
        try:
            entry = await self._history.call(lambda store: store.get(entry_id))
        except (RuntimeError, KeyError):
            return
        if entry_id == self._selected_id():
            self._reopen(entry)

    async def _load_entry(self, entry_id: int) -> None:
        try:
            entry = await self._history.call(lambda store: store.get(entry_id))
        except (RuntimeError, KeyError):
            return
        if entry_id == self._selected_id():
            self._loaded = entry
            self._show_current()

    def reopen_current(self) -> None:
        """Opens the selected run as a new, unsaved workspace (asking about unsaved work)."""
        entry = self.current_entry()
        selected = self._selected_id()
        if entry is None and selected is not None and not self._tasks.closed:
            self._tasks.spawn(self._reopen_when_loaded(selected))  # still on its way
            return
        if entry is not None:
            self._reopen(entry)

    def _reopen(self, entry: HistoryEntry) -> None:
        if not self._shell.may_discard():
            return
        try:
            data = reopened_workspace(entry)
            self._context.document.import_text(json.dumps(data), unsaved=True)
        except WorkspaceError as error:
            dialogs.show_error(self, self.tr("Cannot reopen this run"), str(error))
            return
        self._shell.show_conversation()
        self._context.show_status(
            self.tr("Reopened run {id} as a new workspace.").format(id=entry.id), 6000
        )


def install(shell: Shell, context: AppContext) -> HistoryPanel:
    """Adds the History tab beside the conversation; it follows every recorded run."""
    panel = HistoryPanel(shell, context)
    shell.add_main_tab(
        panel, QCoreApplication.translate("HistoryPanel", "History"), on_shown=panel.refresh
    )
    context.run_recorded.connect(lambda _id: panel.refresh())
    context.closing.connect(panel.shutdown)
    return panel
