"""The Compare tab: one column per variant, streaming side by side, with metrics, diff and keeping.

Variants live in ``workspace.variants``; every edit made here goes through the window's undo
stack (:mod:`workbench.ui.compare.compare_commands`). Runs go through
:class:`~workbench.core.compare.CompareSession` on the app's run engine; this module only shows
what they stream, their place in the provider's queue and a failed history write.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import uuid
from collections.abc import Hashable, Sequence
from concurrent.futures import Future
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QSignalBlocker, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QScrollBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core import alternates
from workbench.core.compare import (
    CompareSession,
    Comparison,
    ComparisonEntry,
    WordDiff,
    asks_for_json,
    comparison_from_history,
    comparison_to_json,
    comparison_to_markdown,
    next_label,
    word_diff,
)
from workbench.core.conversation import Message
from workbench.core.history import HistoryEntry
from workbench.core.payloads import effective_params
from workbench.core.run_types import Finished
from workbench.core.sessions import EngineEvent
from workbench.core.workspace import (
    KNOWN_PARAMS,
    MAX_VARIANTS,
    MIN_VARIANTS,
    ListEdit,
    Variant,
    Workspace,
    WorkspaceError,
    write_atomic,
)
from workbench.ui.common import dialogs
from workbench.ui.common.background import BackgroundTasks
from workbench.ui.common.stream_view import FlushPacer
from workbench.ui.common.undo import EditMessage, InsertMessage, SetParam
from workbench.ui.common.widgets import named
from workbench.ui.compare.compare_commands import (
    AddVariant,
    EditVariant,
    MoveVariant,
    RemoveVariant,
    ReplaceVariants,
)

if TYPE_CHECKING:
    from workbench.ui.context import AppContext, Shell

from workbench.ui.compare.compare_pane import ComparePane
from workbench.ui.compare.services import CompareServices, default_services, past_comparisons

log = logging.getLogger(__name__)

#: Streamed text is added to a column in batches at most this often: a repaint per batch, not
#: per chunk.
FLUSH_INTERVAL_MS = 30
#: The drawing timer's tick. Each tick draws one column (the one waiting longest), so that with
#: eight columns streaming no single tick holds the UI thread for eight relayouts.
FLUSH_TICK_MS = 8
FLUSH_COST_FACTOR = 5
#: The preflight (fit, cost, prefill) is recomputed this long after the last edit.
PREFLIGHT_DELAY_MS = 250
#: How often the columns ask again for token counts while the tokenizer is loading.
TOKENS_RETRY_MS = 1000


def _named_after_model(variant: Variant) -> bool:
    """Whether ``variant``'s label is the one the app gave it: its model, maybe numbered."""
    model = variant.model or ""
    return bool(model) and re.fullmatch(re.escape(model) + r"( \d+)?", variant.label) is not None


# The view -----------------------------------------------------------------------------------


class CompareView(QWidget):
    """The Compare tab.

    Signals:
        answer_used(text): an answer was added to the conversation.
        comparison_finished(): every column of a "Run all" has ended.
        exported(path): a comparison was written to ``path``.
        notice(text): something the user should read now: an edit was refused (a label
            another column has), or the workspace opened has more variants than Compare shows.

    A workspace may hold more variants than Compare runs at once (a file with 300): the columns
    show :data:`MAX_VARIANTS` of them at a time, a page bar says which and moves to the others,
    and the workspace keeps every variant.
    """

    answer_used = Signal(str)
    comparison_finished = Signal()
    exported = Signal(str)
    notice = Signal(str)

    def __init__(
        self,
        workspace: Workspace,
        undo_stack: QUndoStack,
        services: CompareServices,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        named(self, "compareView")
        self.workspace = workspace
        self.undo_stack = undo_stack
        self.services = services
        self.session: CompareSession | None = None
        self.group: str | None = None
        #: The cards the current comparison ran over (an answer card not among them was added
        #: by *Use this answer*: the next winner becomes its alternate).
        self._compared: set[int] = set()
        self._compared_partial: int | None = None
        self._panes: list[ComparePane] = []
        self._keys = itertools.count(1)
        self._syncing_scroll = False
        #: Diffs, exports, history reads and the comparison run (the view's background work).
        self._tasks = BackgroundTasks(self)
        self._diff_task: Future[WordDiff] | None = None
        self._run_all_task: asyncio.Task[None] | None = None
        #: Index of the first variant shown (a multiple of MAX_VARIANTS).
        self._first = 0
        self._build()
        # A column whose text is slow to lay out (one very long line, say) is drawn less often:
        # at most a fifth of the UI thread's time goes to drawing it; one column per tick.
        self._pacer: FlushPacer[ComparePane] = FlushPacer(
            lambda: self._panes,
            ComparePane.has_pending,
            ComparePane.flush,
            interval_ms=FLUSH_INTERVAL_MS,
            share=1 / FLUSH_COST_FACTOR,
            budget_ms=0,
            gap_ms=FLUSH_TICK_MS,
            parent=self,
        )
        self._preflight_timer = QTimer(self)
        self._preflight_timer.setSingleShot(True)
        self._preflight_timer.setInterval(PREFLIGHT_DELAY_MS)
        self._preflight_timer.timeout.connect(self.refresh_preflight)
        self._observe(workspace)
        self.sync_panes()

    # Layout ----------------------------------------------------------------------------------

    def _build(self) -> None:
        self.add_button = QPushButton(self.tr("+ Add variant"))
        named(self.add_button, "addVariantButton")
        self.add_button.setToolTip(
            self.tr("Add a column ({MIN_VARIANTS} to {MAX_VARIANTS} variants)").format(
                MIN_VARIANTS=MIN_VARIANTS, MAX_VARIANTS=MAX_VARIANTS
            )
        )
        self.run_button = QPushButton(self.tr("Run all"))
        named(self.run_button, "runCompareButton")
        self.stop_button = QPushButton(self.tr("Stop all"))
        named(self.stop_button, "stopCompareButton")
        self.stop_button.setEnabled(False)
        self.sync_toggle = QCheckBox(self.tr("Sync scrolling"))
        named(self.sync_toggle, "syncScrollToggle")
        self.sync_toggle.setChecked(True)
        self.diff_left = QComboBox()
        named(self.diff_left, "diffLeftSelector")
        self.diff_right = QComboBox()
        named(self.diff_right, "diffRightSelector")
        self.diff_toggle = QPushButton(self.tr("Diff"))
        named(self.diff_toggle, "diffToggle")
        self.diff_toggle.setCheckable(True)
        self.diff_toggle.setToolTip(
            self.tr("Highlight the words that differ between the two columns")
        )
        self.diff_summary = QLabel()
        named(self.diff_summary, "diffSummary")
        self.diff_summary.setWordWrap(True)
        self.history_button = QToolButton()
        self.history_button.setText(self.tr("Past comparisons"))
        named(self.history_button, "compareHistoryButton")
        self.history_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.history_menu = QMenu(self.history_button)
        self.history_button.setMenu(self.history_menu)
        self.export_button = QToolButton()
        self.export_button.setText(self.tr("Export"))
        named(self.export_button, "exportCompareButton")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        export_menu = QMenu(self.export_button)
        self.export_markdown_action = export_menu.addAction(
            self.tr("As Markdown…"), lambda: self.export("markdown")
        )
        self.export_json_action = export_menu.addAction(
            self.tr("As JSON…"), lambda: self.export("json")
        )
        self.export_button.setMenu(export_menu)

        # Two rows: in one, the bar alone was wider than a 1024-pixel window could hold beside the
        # side panel, and the whole window refused to shrink below 1,275 pixels.
        bar = QHBoxLayout()
        for widget in (self.add_button, self.run_button, self.stop_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.history_button)
        bar.addWidget(self.export_button)
        reading_bar = QHBoxLayout()
        reading_bar.addWidget(self.sync_toggle)
        reading_bar.addSpacing(12)
        reading_bar.addWidget(self.diff_left)
        reading_bar.addWidget(QLabel("vs"))
        reading_bar.addWidget(self.diff_right)
        reading_bar.addWidget(self.diff_toggle)
        reading_bar.addWidget(self.diff_summary, 1)

        self.hint = QLabel()
        named(self.hint, "compareHint")
        self.hint.setWordWrap(True)
        self.page_label = QLabel()
        named(self.page_label, "variantPageLabel")
        self.page_label.setWordWrap(True)
        self.previous_page_button = QPushButton(
            self.tr("◀ Previous {count}").format(count=MAX_VARIANTS)
        )
        named(self.previous_page_button, "previousVariantsButton")
        self.next_page_button = QPushButton(self.tr("Next {count} ▶").format(count=MAX_VARIANTS))
        named(self.next_page_button, "nextVariantsButton")
        self.page_bar = QWidget()
        page_layout = QHBoxLayout(self.page_bar)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addWidget(self.page_label, 1)
        page_layout.addWidget(self.previous_page_button)
        page_layout.addWidget(self.next_page_button)
        self.page_bar.hide()
        self.columns = QWidget()
        self.columns_layout = QHBoxLayout(self.columns)
        self.columns_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.columns)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area = scroll

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addLayout(reading_bar)
        layout.addWidget(self.hint)
        layout.addWidget(self.page_bar)
        layout.addWidget(scroll, 1)

        self.add_button.clicked.connect(self.add_variant)
        self.run_button.clicked.connect(self.run_all)
        self.stop_button.clicked.connect(self.stop_all)
        self.diff_toggle.toggled.connect(lambda _on: self.update_diff())
        self.diff_left.activated.connect(lambda _i: self.update_diff())
        self.diff_right.activated.connect(lambda _i: self.update_diff())
        self.history_menu.aboutToShow.connect(self._fill_history_menu)
        self.previous_page_button.clicked.connect(
            lambda: self.show_variants_from(self._first - MAX_VARIANTS)
        )
        self.next_page_button.clicked.connect(
            lambda: self.show_variants_from(self._first + MAX_VARIANTS)
        )

    def _observe(self, workspace: Workspace) -> None:
        # Columns follow the variants; what they inherit follows the parameters; their fit and
        # cost (the preflight, debounced) follow everything that is sent.
        workspace.variants_changed.connect(self._variants_changed)
        workspace.params_changed.connect(self._params_changed)
        workspace.tools_changed.connect(self._conversation_changed)
        workspace.tool_choice_changed.connect(self._conversation_changed)
        workspace.reset.connect(self._workspace_reset)
        # The current test case fills the variables (own system messages' too): a value may lack.
        workspace.current_test_changed.connect(self._conversation_changed)
        workspace.tests_changed.connect(self._conversation_changed)
        conversation = workspace.conversation
        for event in (
            conversation.inserted,
            conversation.removed,
            conversation.moved,
            conversation.changed,
            conversation.reset,
        ):
            event.connect(self._conversation_changed)

    def _conversation_changed(self, *_args: object) -> None:
        self._preflight_timer.start(PREFLIGHT_DELAY_MS)

    def _workspace_reset(self) -> None:
        """Another workspace (a file opened): its first variants, and a word when it has more
        than Compare shows."""
        self._first = 0
        self.sync_panes()
        count = len(self.workspace.variants)
        if count > MAX_VARIANTS:
            text = self.tr(
                "This workspace has {count} variants: Compare shows {shown} at a time, the "
                "first {shown} now (Next {shown} in the Compare tab shows the others). Every "
                "variant is kept when you save."
            ).format(count=count, shown=MAX_VARIANTS)
            # After the file's own "Opened ..." line, which would otherwise cover it at once.
            QTimer.singleShot(0, self, lambda: self.notice.emit(text))

    def _variants_changed(self, edit: ListEdit) -> None:
        index = edit.index - self._first
        if edit.kind != "update" or not 0 <= index < len(self._panes):
            self.sync_panes()  # columns added, removed, moved or replaced
            return
        # One field of one variant: that column alone shows it and checks it again.
        pane = self._panes[index]
        self._show_settings([pane])
        if pane.variant is not None:
            pane.show_preflight(self.services.preflight(self.workspace, pane.variant))
        if edit.field == "label":
            self._fill_diff_selectors()

    def _params_changed(self, name: str) -> None:
        if name in ("provider", "model"):
            self._show_settings(self._panes)  # what the columns inherit
        self._preflight_timer.start(PREFLIGHT_DELAY_MS)

    # Columns ---------------------------------------------------------------------------------

    def panes(self) -> list[ComparePane]:
        """The columns, in order."""
        return list(self._panes)

    def pane_for(self, variant: Variant) -> ComparePane | None:
        """The column showing ``variant``."""
        return next((p for p in self._panes if p.variant is variant), None)

    def _pane_by_key(self, key: Hashable) -> ComparePane | None:
        return next((p for p in self._panes if p.key == key), None)

    def show_variants_from(self, first: int) -> None:
        """Shows the columns of the variants from index ``first`` on (at most MAX_VARIANTS).

        Nothing moves while a column runs: the runs belong to the columns shown.
        """
        if any(p.running for p in self._panes):
            return
        self._first = first
        self.sync_panes()

    def sync_panes(self) -> None:
        """Makes the columns follow ``workspace.variants`` (order, additions, removals): the
        :data:`MAX_VARIANTS` of them from the page shown."""
        variants = self.workspace.variants
        last_page = (len(variants) - 1) // MAX_VARIANTS * MAX_VARIANTS if variants else 0
        self._first = max(0, min(self._first - self._first % MAX_VARIANTS, last_page))
        kept: list[ComparePane] = []
        for variant in variants[self._first : self._first + MAX_VARIANTS]:
            pane = self.pane_for(variant) or self._new_pane()
            pane.variant = variant
            kept.append(pane)
        for pane in self._panes:
            if pane not in kept:
                if self.session is not None:
                    self.session.stop(pane.key)
                self.columns_layout.removeWidget(pane)
                pane.hide()
                pane.deleteLater()
        self._panes = kept
        for index, pane in enumerate(kept):
            self.columns_layout.insertWidget(index, pane, 1)
            pane.set_position(index, len(kept), len(variants))
        self._show_settings(kept)
        self._update_controls()
        self._fill_diff_selectors()
        self.refresh_preflight()

    def _show_settings(self, panes: Sequence[ComparePane]) -> None:
        """Shows the variant of each of ``panes``, with what it inherits from the workspace."""
        providers = list(self.services.providers())
        for pane in panes:
            variant = pane.variant
            if variant is None:
                continue
            provider_id = variant.provider or self.workspace.params.provider
            model_id = variant.model or self.workspace.params.model
            kind = next((k for pid, _n, k in providers if pid == provider_id), provider_id)
            models = [m.id for m in self.services.catalog().for_provider(kind)]
            pane.show_variant(variant, providers, models, provider_id, model_id)

    def _new_pane(self) -> ComparePane:
        pane = ComparePane(next(self._keys))
        pane.variant_edited.connect(lambda name, value, p=pane: self._edit(p, name, value))
        pane.run_requested.connect(lambda p=pane: self.run_one(p))
        pane.stop_requested.connect(lambda p=pane: self.stop_one(p))
        pane.duplicate_requested.connect(lambda p=pane: self.duplicate_variant(p))
        pane.remove_requested.connect(lambda p=pane: self.remove_variant(p))
        pane.move_requested.connect(lambda delta, p=pane: self.move_variant(p, delta))
        pane.use_requested.connect(lambda p=pane: self.use_answer(p))
        pane.view_changed.connect(self.update_diff)
        pane.text.verticalScrollBar().valueChanged.connect(
            lambda _v, p=pane: self._scrolled(p.text.verticalScrollBar())
        )
        return pane

    def _show_page(self, running: bool) -> None:
        """The page bar: shown only when the workspace has more variants than Compare shows."""
        total = len(self.workspace.variants)
        self.page_bar.setVisible(total > MAX_VARIANTS)
        if total <= MAX_VARIANTS:
            return
        self.page_label.setText(
            self.tr(
                "Variants {first}–{last} of {total} are shown: Compare runs at most {shown} at "
                "once. All {total} stay in the workspace and its file."
            ).format(
                first=self._first + 1,
                last=self._first + len(self._panes),
                total=total,
                shown=MAX_VARIANTS,
            )
        )
        self.previous_page_button.setEnabled(self._first > 0 and not running)
        self.next_page_button.setEnabled(self._first + MAX_VARIANTS < total and not running)

    def _update_controls(self) -> None:
        count = len(self._panes)
        running = any(p.running for p in self._panes)
        self._show_page(running)
        self.add_button.setEnabled(len(self.workspace.variants) < MAX_VARIANTS)
        self.run_button.setEnabled(count >= MIN_VARIANTS and not running)
        self.run_button.setToolTip(
            self.tr("Run every variant at once")
            if count >= MIN_VARIANTS
            else self.tr("Add at least {MIN_VARIANTS} variants to compare").format(
                MIN_VARIANTS=MIN_VARIANTS
            )
        )
        self.stop_button.setEnabled(running)
        if count < MIN_VARIANTS:
            self.hint.setText(
                self.tr(
                    "Add {value0} more variant(s) to compare: each column sends the same "
                    "conversation with its own provider, model or settings."
                ).format(value0=MIN_VARIANTS - count)
            )
        self.hint.setVisible(count < MIN_VARIANTS)

    def refresh_preflight(self) -> None:
        """Recomputes each column's fit, cost and prefill check."""
        self._preflight_timer.stop()
        for pane in self._panes:
            if pane.variant is not None:
                pane.show_preflight(self.services.preflight(self.workspace, pane.variant))
        ready = self.services.tokens_ready
        if ready is not None and not ready() and self._panes:
            self._preflight_timer.start(TOKENS_RETRY_MS)

    # Editing variants (undoable) -------------------------------------------------------------

    def add_variant(self) -> None:
        """Adds a column for the workspace's own provider and model."""
        if len(self.workspace.variants) >= MAX_VARIANTS:
            return
        params = self.workspace.params
        labels = [v.label for v in self.workspace.variants]
        variant = Variant(next_label(labels, params.model), params.provider, params.model)
        index = len(self.workspace.variants)
        self.undo_stack.push(
            AddVariant(
                self.workspace,
                index,
                variant,
                self.tr("Add variant {label}").format(label=variant.label),
            )
        )

    def duplicate_variant(self, pane: ComparePane) -> None:
        """Adds a copy of ``pane``'s variant right after it."""
        if pane.variant is None or len(self.workspace.variants) >= MAX_VARIANTS:
            return
        labels = [v.label for v in self.workspace.variants]
        clone = Variant(
            next_label(labels, pane.variant.label),
            pane.variant.provider,
            pane.variant.model,
            json.loads(json.dumps(pane.variant.params)),
            pane.variant.system,
        )
        index = self.workspace.variants.index(pane.variant) + 1
        self.undo_stack.push(
            AddVariant(
                self.workspace,
                index,
                clone,
                self.tr("Duplicate variant {label}").format(label=pane.variant.label),
            )
        )

    def remove_variant(self, pane: ComparePane) -> None:
        """Removes ``pane``'s variant (undoable)."""
        if pane.variant is not None:
            self.undo_stack.push(RemoveVariant(self.workspace, pane.variant))

    def move_variant(self, pane: ComparePane, delta: int) -> None:
        """Moves ``pane``'s column ``delta`` places."""
        if pane.variant is None:
            return
        index = self.workspace.variants.index(pane.variant)
        destination = index + delta
        if 0 <= destination < len(self.workspace.variants):
            self.undo_stack.push(MoveVariant(self.workspace, pane.variant, destination))

    def _edit(self, pane: ComparePane, name: str, value: Any) -> None:
        if pane.variant is None:
            return
        if name == "label":
            problem = self.workspace.variant_label_problem(str(value), pane.variant)
            if problem is not None:  # the column keeps its label and says why
                pane.label_edit.setText(pane.variant.label)
                self.notice.emit(problem)
                return
        if name == "provider" and pane.variant.model is None:
            # A provider without a model of its own would inherit a model it may not serve.
            self.undo_stack.beginMacro(
                self.tr("Set provider of variant {label}").format(label=pane.variant.label)
            )
            self.undo_stack.push(
                EditVariant(self.workspace, pane.variant, "model", self.workspace.params.model)
            )
            self.undo_stack.push(EditVariant(self.workspace, pane.variant, name, value))
            self.undo_stack.endMacro()
            return
        if name == "model" and _named_after_model(pane.variant):
            # A label the app derived from the model would otherwise go on naming the old model
            # (the column and the diff selectors would say "kimi-k2" over a moonshot-v1 answer).
            variant = pane.variant
            others = [v.label for v in self.workspace.variants if v is not variant]
            self.undo_stack.beginMacro(
                self.tr("Set model of variant {label}").format(label=variant.label)
            )
            self.undo_stack.push(EditVariant(self.workspace, variant, name, value))
            self.undo_stack.push(
                EditVariant(self.workspace, variant, "label", next_label(others, str(value)))
            )
            self.undo_stack.endMacro()
            return
        self.undo_stack.push(EditVariant(self.workspace, pane.variant, name, value))

    # Running ---------------------------------------------------------------------------------

    def _ensure_session(self) -> CompareSession:
        if self.session is None:
            self.session = self.services.make_session(self.workspace)
        return self.session

    def _partial_prefix(self) -> str:
        """What a partial last card starts every answer with (shown while the rest streams)."""
        last = self.workspace.conversation[-1] if len(self.workspace.conversation) else None
        return last.content if last is not None and last.partial else ""

    def _asks_for_json(self, variant: Variant) -> bool:
        """Whether ``variant``'s run asks for JSON (its response format or a JSON prefix)."""
        try:
            params = effective_params(self.workspace, variant)
        except WorkspaceError:
            params = self.workspace.params
        return asks_for_json(params, self._partial_prefix())

    def _remember_compared(self) -> None:
        conversation = self.workspace.conversation
        self._compared = {m.uid for m in conversation}
        last = conversation[-1] if len(conversation) else None
        self._compared_partial = last.uid if last is not None and last.partial else None

    def run_all(self) -> None:
        """Runs every column at once (a new comparison in the history)."""
        if len(self._panes) < MIN_VARIANTS:
            return
        self.group = uuid.uuid4().hex
        self._remember_compared()
        session = self._ensure_session()
        session.group = self.group
        items = []
        for pane in self._panes:
            assert pane.variant is not None
            pane.begin_run(self._partial_prefix(), self._asks_for_json(pane.variant))
            items.append((pane.key, pane.variant))
        self.diff_summary.clear()
        self._pacer.wake()
        self._update_controls()

        async def run() -> None:
            await session.run_all(items, self._on_event)
            self.comparison_finished.emit()

        self._run_all_task = self._tasks.spawn(run())

    def run_one(self, pane: ComparePane) -> None:
        """Runs (or reruns) one column; it joins the current comparison."""
        if pane.variant is None:
            return
        if self.group is None:
            self.group = uuid.uuid4().hex
            self._remember_compared()
        session = self._ensure_session()
        session.group = self.group
        pane.begin_run(self._partial_prefix(), self._asks_for_json(pane.variant))
        session.start(pane.key, pane.variant, self._on_event)
        self._pacer.wake()
        self._update_controls()

    def stop_one(self, pane: ComparePane) -> None:
        """Stops one column; the others go on."""
        if self.session is not None:
            self.session.stop(pane.key)

    def stop_all(self) -> None:
        """Stops every column."""
        if self.session is not None:
            self.session.stop_all()

    def _on_event(self, key: Hashable, event: EngineEvent) -> None:
        # Called for every streamed chunk: keep it cheap, the timer does the drawing.
        pane = self._pane_by_key(key)
        if pane is None:
            return
        self._pacer.wake()
        if isinstance(event, Finished):
            pane.finish(event.result)
            self._update_controls()
            if self.diff_toggle.isChecked():
                self.update_diff()
        else:
            pane.on_event(event)

    # Reading ---------------------------------------------------------------------------------

    def _scrolled(self, source: QScrollBar) -> None:
        if not self.sync_toggle.isChecked() or self._syncing_scroll:
            return
        fraction = source.value() / source.maximum() if source.maximum() else 0.0
        self._syncing_scroll = True
        try:
            for pane in self._panes:
                bar = pane.text.verticalScrollBar()
                if bar is not source:
                    with QSignalBlocker(bar):
                        bar.setValue(round(fraction * bar.maximum()))
        finally:
            self._syncing_scroll = False

    def _fill_diff_selectors(self) -> None:
        for selector, default in ((self.diff_left, 0), (self.diff_right, 1)):
            with QSignalBlocker(selector):
                current = selector.currentData()
                selector.clear()
                for pane in self._panes:
                    assert pane.variant is not None
                    selector.addItem(pane.variant.label, pane.key)
                index = selector.findData(current)
                selector.setCurrentIndex(
                    index if index >= 0 else min(default, selector.count() - 1)
                )
        self.diff_toggle.setEnabled(len(self._panes) >= 2)

    def diff_panes(self) -> tuple[ComparePane, ComparePane] | None:
        """The two columns chosen for the diff, when they differ."""
        left = self._pane_by_key(self.diff_left.currentData())
        right = self._pane_by_key(self.diff_right.currentData())
        if left is None or right is None or left is right:
            return None
        return left, right

    def update_diff(self) -> None:
        """Highlights (or clears) the word diff between the two chosen columns."""
        for pane in self._panes:
            pane.clear_highlight()
        chosen = self.diff_panes()
        if not self.diff_toggle.isChecked() or chosen is None:
            self.diff_summary.setText(
                self.tr("Choose two different columns.") if chosen is None else ""
            )
            return
        left, right = chosen
        if left.running or right.running:
            self.diff_summary.setText(self.tr("Diff shown once both answers are complete."))
            return
        left.show_raw()
        right.show_raw()
        a, b = left.answer_text(), right.answer_text()
        # The diff of two long answers can take a while: compute it off the UI thread.
        future: Future[WordDiff] | None = None

        def done(diff: WordDiff) -> None:
            if future is not self._diff_task:
                return  # a newer diff was asked for
            if left.answer_text() != a or right.answer_text() != b:
                return  # one of them changed meanwhile; a newer diff follows
            left.highlight(diff.left, "diff_removed")
            right.highlight(diff.right, "diff_added")
            self.diff_summary.setText(
                self.tr("Identical.")
                if diff.identical
                else self.tr("{ratio:.0%} similar").format(ratio=diff.ratio)
            )

        def failed(error: Exception) -> None:
            if future is self._diff_task:
                self.diff_summary.setText(self.tr("No diff: {error}").format(error=error))

        future = self._tasks.run(lambda: word_diff(a, b), done, failed)
        self._diff_task = future

    # Keeping ---------------------------------------------------------------------------------

    def use_answer(self, pane: ComparePane) -> None:
        """Keeps ``pane``'s answer in the conversation (undoable), then offers its settings.

        A partial last card is completed in place (its prefix joined to the continuation and
        kept as its ``prefill``). An answer card that an earlier *Use this answer* of this
        comparison added gets the winner as an alternate (◀ ▶ on the card), so trying several
        winners loses none. Otherwise a new assistant card goes at the end. When the column's
        model, parameters or system message differ from the workspace's, the user is asked
        whether to adopt them too.
        """
        result = pane.result
        if result is None or pane.variant is None:
            return
        conversation = self.workspace.conversation
        calls = [c.to_json() for c in result.tool_calls]
        label = pane.variant.label
        last = conversation[-1] if len(conversation) else None
        values: dict[str, Any] | None = None
        if last is not None and last.partial and last.role == "assistant":
            values = {"content": result.full_text, "partial": False, "prefill": last.content}
        elif last is not None and last.role == "assistant" and self._is_answer_slot(last.uid):
            values = alternates.add_answer(last, result.full_text)
        if last is not None and values is not None:
            values["tool_calls"] = calls
            command = EditMessage(conversation, last.uid, **values)
            command.setText(self.tr("Use the answer of {label}").format(label=label))
            self.undo_stack.push(command)
        else:
            message = Message(role="assistant", content=result.full_text, tool_calls=calls)
            self.undo_stack.push(
                InsertMessage(
                    conversation,
                    len(conversation),
                    message,
                    self.tr("Use the answer of {label}").format(label=label),
                )
            )
        self.answer_used.emit(result.full_text)
        self.offer_settings(pane.variant)

    def _is_answer_slot(self, uid: int) -> bool:
        """Whether card ``uid`` holds this comparison's answer: its partial card (completed by an
        earlier *Use this answer*) or a card such a use added after it ran."""
        return uid == self._compared_partial or uid not in self._compared

    def settings_changes(self, variant: Variant) -> list[tuple[str, str, Any]]:
        """(what, description, value) for each setting of ``variant`` the workspace lacks.

        ``what`` is a parameter name, or ``"system"`` for the column's own system message.
        """
        try:
            wanted = effective_params(self.workspace, variant)
        except WorkspaceError:
            return []
        current = self.workspace.params
        changes: list[tuple[str, str, Any]] = []
        for name in KNOWN_PARAMS:
            old, new = getattr(current, name), getattr(wanted, name)
            if old != new:
                shown = "default" if new is None else new
                changes.append(
                    (name, f"{name}: {old if old is not None else 'default'} → {shown}", new)
                )
        for name in sorted(set(current.extra) | set(wanted.extra)):
            old, new = current.extra.get(name), wanted.extra.get(name)
            if old != new:
                changes.append((name, f"{name}: {old} → {new}", new))
        if variant.system is not None:
            system = next((m for m in self.workspace.conversation if m.role == "system"), None)
            if system is None or system.content != variant.system:
                changes.append(("system", self.tr("the column's system message"), variant.system))
        return changes

    def offer_settings(self, variant: Variant) -> bool:
        """Asks whether to adopt ``variant``'s settings; applies them in one undoable step."""
        changes = self.settings_changes(variant)
        if not changes:
            return False
        answer = dialogs.ask(
            self,
            self.tr("Use its settings too?"),
            self.tr("Adopt the settings of {label} for the workspace?").format(label=variant.label),
            dialogs.Button.Yes | dialogs.Button.No,
            dialogs.Button.No,
            "\n".join(description for _, description, _ in changes),
        )
        if answer != dialogs.Button.Yes:
            return False
        self.undo_stack.beginMacro(
            self.tr("Adopt the settings of {label}").format(label=variant.label)
        )
        try:
            for name, _description, value in changes:
                if name != "system":
                    self.undo_stack.push(SetParam(self.workspace, name, value))
                    continue
                conversation = self.workspace.conversation
                system = next((m for m in conversation if m.role == "system"), None)
                if system is None:
                    message = Message(role="system", content=value)
                    self.undo_stack.push(
                        InsertMessage(conversation, 0, message, self.tr("Adopt the system message"))
                    )
                else:
                    self.undo_stack.push(EditMessage(conversation, system.uid, content=value))
        finally:
            self.undo_stack.endMacro()
        return True

    def current_comparison(self) -> Comparison:
        """The comparison on screen: each column's variant and result."""
        comparison = Comparison.of(self.workspace, [])
        if self.group:
            comparison.group = self.group
        for pane in self._panes:
            assert pane.variant is not None
            comparison.entries.append(ComparisonEntry(pane.variant, pane.result))
        return comparison

    def export(self, as_: str) -> None:
        """Exports the comparison as Markdown or JSON to a file the user picks."""
        comparison = self.current_comparison()
        markdown = as_ == "markdown"
        suffix = ".md" if markdown else ".json"
        name = (self.workspace.title or "comparison").replace("/", "-")
        path = dialogs.choose_export_path(
            self,
            self.tr("{name} comparison{suffix}").format(name=name, suffix=suffix),
            self.tr("Markdown (*.md)") if markdown else self.tr("JSON (*.json)"),
        )
        if not path:
            return
        text = (
            comparison_to_markdown(comparison)
            if markdown
            else json.dumps(comparison_to_json(comparison), indent=2, ensure_ascii=False) + "\n"
        )
        self._tasks.run(
            lambda: write_atomic(Path(path), text),
            lambda _none: self.exported.emit(path),
            lambda error: dialogs.show_error(
                self,
                self.tr("Not exported"),
                self.tr("Cannot write {path}: {error}").format(path=path, error=error),
            ),
        )

    # History ---------------------------------------------------------------------------------

    def _fill_history_menu(self) -> None:
        self.history_menu.clear()
        history = self.services.history
        if history is None:
            self.history_menu.addAction(self.tr("No history")).setEnabled(False)
            return
        loading = self.history_menu.addAction(self.tr("Loading…"))
        loading.setEnabled(False)

        def failed(error: Exception) -> None:
            self.history_menu.clear()
            self.history_menu.addAction(
                self.tr("History unavailable: {error}").format(error=error)
            ).setEnabled(False)

        def done(groups: list[tuple[str, str]]) -> None:
            self.history_menu.clear()
            if not groups:
                self.history_menu.addAction(self.tr("No comparisons yet")).setEnabled(False)
            for group, text in groups:
                action = self.history_menu.addAction(text)
                action.triggered.connect(partial(self._reopen_clicked, group))

        self._tasks.spawn(history.call(past_comparisons), done, failed)

    def _reopen_clicked(self, group: str, _checked: bool = False) -> None:
        self.reopen(group)

    def reopen(self, group: str) -> asyncio.Task[list[HistoryEntry]] | None:
        """Brings back a stored comparison: its variants become the columns, with their answers."""
        history = self.services.history
        if history is None:
            return None

        def done(entries: list[HistoryEntry]) -> None:
            try:
                comparison = comparison_from_history(entries)
            except ValueError as error:
                dialogs.show_error(self, self.tr("Cannot reopen"), str(error))
                return
            self.show_comparison(comparison)

        return self._tasks.spawn(
            history.call(lambda store: store.group(group)),
            done,
            lambda error: dialogs.show_error(self, self.tr("Cannot reopen"), str(error)),
        )

    def show_comparison(self, comparison: Comparison) -> None:
        """Shows ``comparison``: its variants as columns (undoable), each with its answer."""
        self.stop_all()
        variants = [entry.variant for entry in comparison.entries][:MAX_VARIANTS]
        self.undo_stack.push(
            ReplaceVariants(
                self.workspace,
                variants,
                self.tr("Reopen comparison {when}").format(when=comparison.created_at),
            )
        )
        self.group = comparison.group
        for entry in comparison.entries[:MAX_VARIANTS]:
            pane = self.pane_for(entry.variant)
            if pane is not None and entry.result is not None:
                pane.show_result(entry.result)
        self._update_controls()


def install(shell: Shell, context: AppContext) -> CompareView:
    """Adds the Compare tab beside the conversation."""
    view = CompareView(context.workspace, context.undo_stack, default_services(context))
    shell.add_main_tab(view, QCoreApplication.translate("CompareView", "Compare"))

    def answer_used(_text: str) -> None:
        shell.show_conversation()
        shell.message_list.scroll_to_row(len(context.workspace.conversation) - 1)
        context.show_status(
            QCoreApplication.translate("CompareView", "Answer added to the conversation."), 5000
        )

    view.answer_used.connect(answer_used)
    context.closing.connect(view.stop_all)
    view.exported.connect(
        lambda path: context.show_status(
            QCoreApplication.translate("CompareView", "Exported {path}").format(path=path), 5000
        )
    )
    view.notice.connect(lambda text: context.show_status(text, 8000))
    return view
