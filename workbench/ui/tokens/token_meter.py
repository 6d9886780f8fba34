"""The live token meter: tokens against the model's window, cost, and a recommended model.

``install(window)`` puts the meter at the top of the Parameters column and a token badge on every
card. The meter follows the conversation's events: edits are coalesced into one update per pass of
the event loop, and a keystroke re-encodes only the edited card (the counter caches by content).
Opening a large file recounts in a worker thread. About 400 ms after typing stops, the provider's
exact count is requested where there is one (Moonshot's tokenizer endpoint for the messages, the
Messages API's count_tokens for the whole request, tools included); it replaces the estimate until
the text changes again, and teaches the per-family calibration.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from workbench.core.conversation import Message
from workbench.core.exact_count import (
    EXACT_COUNT_KINDS,
    TOOLS_COUNTED_KINDS,
    AnthropicCountClient,
    CountTarget,
    ExactCountClient,
    ExactCountError,
    ExactCountScheduler,
    count_client,
)
from workbench.core.figures import money
from workbench.core.lint import fit_output
from workbench.core.meter import MeterReading, measure, tools_to_send
from workbench.core.providers import ProviderRegistry, preset
from workbench.core.recommend import Recommendation
from workbench.core.secrets import KeyStore, redact
from workbench.core.tokens import Calibration, ConversationTally, encoding, encoding_ready
from workbench.ui.common.background import BackgroundTasks
from workbench.ui.common.i18n import installed_language, number
from workbench.ui.common.palette import colours, error_text
from workbench.ui.common.undo import SetParam
from workbench.ui.common.widgets import named

if TYPE_CHECKING:
    from workbench.ui.context import AppContext, Shell
    from workbench.ui.conversation.message_list import MessageListView

log = logging.getLogger(__name__)

#: Share of the window above which the meter turns amber, then red.
WARNING_LEVEL = 0.75
DANGER_LEVEL = 0.9
#: Characters of not-yet-counted text above which a recount goes to a worker thread.
BACKGROUND_RECOUNT_CHARS = 50_000
#: A card an answer streams into fast (more than BACKGROUND_RECOUNT_CHARS of new text between two
#: counts) is counted on the worker at most this often, the first time this long after it was
#: first asked: encoding takes a core (a 10 MB answer: over half a second of CPU) that the stream
#: itself needs, and the UI thread waited for the GIL behind the worker. An answer complete
#: sooner is counted once, when it is complete (its stream ended).
STREAMING_COUNT_S = 2.0

#: The narrowest a segment with tokens in it is drawn.
MIN_SEGMENT_PX = 3.0


def segment_colour(name: str) -> QColor:
    """The colour of the meter segment ``name`` (system, messages, tools, reserved)."""
    return colours().qcolor(f"meter_{name}")


def level_colour(level: str) -> QColor:
    """The meter's outline colour at ``level`` (ok, warning, over, unknown)."""
    return colours().qcolor(f"level_{level}")


#: Where to ask for exact counts (base URL, key, provider kind), or None when there is nowhere.
#: A plain (base URL, key) pair means Moonshot's endpoint.
ExactTarget = CountTarget | tuple[str, str] | None


def level_for(needed: int, window: int | None) -> str:
    """``ok``, ``warning`` (past 75 %), ``over`` (past 90 % or not fitting) or ``unknown``."""
    if window is None or window <= 0:
        return "unknown"
    share = needed / window
    if share > DANGER_LEVEL:
        return "over"
    if share > WARNING_LEVEL:
        return "warning"
    return "ok"


class TokenMeterBar(QWidget):
    """A bar of segments (system, messages, tools, reserved output) against the context window.

    Object name ``tokenMeter``. Past the window, the overflow shows as a red end; the rim takes the
    level's colour (green, amber, red; grey when the window is unknown).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "tokenMeter")
        self.setMinimumHeight(18)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._segments: dict[str, int] = {}
        self._window: int | None = None
        self._level = "unknown"

    @property
    def segments(self) -> dict[str, int]:
        """Tokens per segment, as drawn."""
        return dict(self._segments)

    @property
    def context_window(self) -> int | None:
        """The context window the bar measures against."""
        return self._window

    @property
    def level(self) -> str:
        """``ok``, ``warning``, ``over`` or ``unknown``."""
        return self._level

    def show_reading(self, segments: dict[str, int], window: int | None, level: str) -> None:
        """Shows new figures (repaints only when they changed)."""
        if segments == self._segments and window == self._window and level == self._level:
            return
        self._segments = dict(segments)
        self._window = window
        self._level = level
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(240, 18)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.palette().color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, 4, 4)
        total = sum(self._segments.values())
        if not self._window:
            # Nothing to measure against: a bar filled with the prompt read as a full window.
            painter.setPen(QPen(level_colour("unknown"), 1, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 4, 4)
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.tr("context window unknown"))
            painter.end()
            return
        scale = max(total, self._window, 1)
        x = rect.left()
        for name in ("system", "messages", "tools", "reserved"):
            tokens = self._segments.get(name, 0)
            if tokens <= 0:
                continue
            # A few pixels at least: 100 tokens of a 262k window are invisible otherwise, and
            # the bar read as an empty text field.
            width = min(max(rect.width() * tokens / scale, MIN_SEGMENT_PX), rect.right() - x)
            if width <= 0:
                continue
            painter.fillRect(QRectF(x, rect.top(), width, rect.height()), segment_colour(name))
            x += width
        if self._window and total > self._window:
            # The part past the window, in red: what has to go for the request to fit.
            start = rect.left() + rect.width() * self._window / scale
            painter.fillRect(
                QRectF(start, rect.top(), rect.right() - start, rect.height()),
                colours().qcolor("meter_over"),
            )
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(level_colour(self._level), 2))
        painter.drawRoundedRect(rect, 4, 4)
        painter.end()


def registry_exact_target(
    providers: ProviderRegistry, keys: KeyStore
) -> Callable[[str], ExactTarget]:
    """Exact-count targets from the window's providers and the keyring (then env variables)."""

    def target(provider_id: str) -> ExactTarget:
        provider = providers.get(provider_id)
        if provider is None or provider.kind not in EXACT_COUNT_KINDS:
            return None
        key = keys.resolve_key(provider)  # the keyring, then the environment variable
        return CountTarget(provider.base_url, key, provider.kind) if key else None

    return target


def _env_exact_target(provider_id: str) -> ExactTarget:
    """The preset's base URL and its key variable, for providers with a count endpoint."""
    found = preset(provider_id)
    if found is None or found.kind not in EXACT_COUNT_KINDS:
        return None
    key = os.environ.get(found.key_env)
    return CountTarget(found.base_url, key, found.kind) if key else None


#: The widest figures a meter line is expected to show: its height is reserved for them.
WIDEST_TOKENS = 8_888_888
WIDEST_USD = 88.8888


class SteadyLabel(QLabel):
    """A wrapped label as tall as its widest likely text needs, whatever it shows now.

    The meter's figures change length as the user types (9,999 to 10,000 tokens, an estimate
    becoming exact); a plain wrapped label then flips between one line and two, and the whole
    Parameters form under the meter jumps. This one reserves the height of a template (the same
    sentence with the widest figures, :meth:`reserve`) at its current width; only a text longer
    than the template makes it taller.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._template = QLabel(self)  # measures only, never shown
        self._template.setWordWrap(True)
        self._template.hide()

    def reserve(self, template: str) -> None:
        """Keeps the height ``template`` needs at the label's width."""
        if template != self._template.text():
            self._template.setText(template)
            self.updateGeometry()

    def heightForWidth(self, width: int) -> int:
        own = super().heightForWidth(width)
        if not self._template.text():
            return own
        self._template.setFont(self.font())
        margins = self.contentsMargins()
        return max(own, self._template.heightForWidth(width) + margins.top() + margins.bottom())


class TokenMeterPanel(QWidget):
    """The meter's widgets (object name ``tokenMeterPanel``); :class:`TokenMeter` feeds them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenMeterPanel")
        self.bar = TokenMeterBar()
        self.count_label = SteadyLabel()
        named(self.count_label, "tokenCountLabel")
        #: ((font key, tags), the widest tag) as last measured.
        self._widest_tag: tuple[tuple[str, tuple[str, ...]], str] | None = None
        # Wrapped, as tall as its widest figures need: unwrapped, its text set the side panel's
        # minimum width, so a count growing a digit took pixels from the cards (every row of a
        # long conversation laid out again).
        self.legend_label = SteadyLabel()
        self.legend_label.setObjectName("tokenLegendLabel")
        self.legend_label.setTextFormat(Qt.TextFormat.RichText)
        self.cost_label = SteadyLabel()
        named(self.cost_label, "tokenCostLabel")
        self.recommended_label = QLabel()
        named(self.recommended_label, "recommendedModelLabel")
        self.recommended_label.setWordWrap(True)
        self.apply_button = QPushButton(self.tr("Use it"))
        named(self.apply_button, "applyRecommendationButton")
        self.apply_button.setEnabled(False)
        self.rate_label = SteadyLabel()
        self.rate_label.setObjectName("rateLimitLabel")
        self.rate_label.setAccessibleName("rateLimitLabel")
        self.rate_label.setToolTip(
            self.tr(
                "Moonshot counts the prompt plus the reserved output (max_completion_tokens) "
                "against the tokens-per-minute limit: an oversized reservation burns quota. Fit "
                "reserves what the window leaves after the prompt, capped by the model's output "
                "limit."
            )
        )
        self.fit_button = QPushButton(self.tr("Fit"))
        self.fit_button.setObjectName("fitOutputButton")
        self.fit_button.setAccessibleName("fitOutputButton")
        self.fit_button.setEnabled(False)
        self.catalog_error = QLabel()
        self.catalog_error.setObjectName("catalogErrorLabel")
        self.catalog_error.setWordWrap(True)
        error_text(self.catalog_error)
        self.catalog_error.hide()

        recommendation = QHBoxLayout()
        recommendation.setContentsMargins(0, 0, 0, 0)
        recommendation.addWidget(self.recommended_label, 1)
        recommendation.addWidget(self.apply_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.setSpacing(4)
        layout.addWidget(self.bar)
        layout.addWidget(self.count_label)
        layout.addWidget(self.legend_label)
        layout.addWidget(self.cost_label)
        rate = QHBoxLayout()
        rate.setContentsMargins(0, 0, 0, 0)
        rate.addWidget(self.rate_label, 1)
        rate.addWidget(self.fit_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(rate)
        layout.addLayout(recommendation)
        layout.addWidget(self.catalog_error)

    def show_status(self, text: str) -> None:
        """A word while the figures are being made (loading the tokenizer, counting)."""
        self.count_label.setText(text)

    def show_catalog_error(self, text: str | None) -> None:
        """Why the user's catalog override was ignored; hidden when None."""
        self.catalog_error.setText(text or "")
        self.catalog_error.setVisible(bool(text))

    # Showing -----------------------------------------------------------------------------------

    def _recommendation_text(self, rec: Recommendation) -> str:
        """The recommender's sentence: as the core words it in English, composed from its
        figures in another language (the core does not translate)."""
        if installed_language() in (None, "en"):
            return rec.message
        return self._translated_recommendation(rec) + self._auto_route_text(rec)

    def _auto_route_text(self, rec: Recommendation) -> str:
        """What the routing alias (moonshot-v1-auto) would do with the request, if it applies."""
        if rec.auto_alias is None or rec.auto_pick is None:
            return ""
        if rec.auto_refused:
            return " " + self.tr(
                "{alias} would route it to {model}, whose window does not hold it: the API "
                "would refuse it."
            ).format(alias=rec.auto_alias, model=rec.auto_pick)
        return " " + self.tr("{alias} would route it to {model}.").format(
            alias=rec.auto_alias, model=rec.auto_pick
        )

    def _translated_recommendation(self, rec: Recommendation) -> str:
        if rec.model is None and rec.shortfall is not None:
            return self.tr(
                "Nothing fits: {needed} tokens needed, {shortfall} more than the largest window "
                "({model}). Shorten the conversation or lower max_tokens."
            ).format(
                needed=number(rec.needed),
                shortfall=number(rec.shortfall),
                model=rec.largest_model or "",
            )
        if rec.model is None:
            return self.tr("No known context window to compare with for {model}.").format(
                model=rec.current
            )
        if rec.model == rec.current:
            return self.tr("{model} is the best fit: {needed} of {window} tokens.").format(
                model=rec.model,
                needed=number(rec.needed),
                window=number(rec.current_window or 0),
            )
        scope = self.tr("same family") if rec.scope == "family" else self.tr("same provider")
        if rec.current_fits is False:
            return self.tr(
                "{current} holds {window} tokens but {needed} are needed; {model} ({scope}) "
                "holds them."
            ).format(
                current=rec.current,
                window=number(rec.current_window or 0),
                needed=number(rec.needed),
                model=rec.model,
                scope=scope,
            )
        return self.tr("{model} ({scope}) also holds the {needed} tokens needed.").format(
            model=rec.model, scope=scope, needed=number(rec.needed)
        )

    def _widest(self, tags: tuple[str, ...]) -> str:
        """The widest of ``tags`` in the count label's font (measured once per font and
        language, not per keystroke)."""
        key = (self.count_label.font().key(), tags)
        if self._widest_tag is None or self._widest_tag[0] != key:
            metrics = self.count_label.fontMetrics()
            self._widest_tag = (key, max(tags, key=metrics.horizontalAdvance))
        return self._widest_tag[1]

    def _count_text(
        self, prefix: str, prompt: int, reserved: int, window: int | None, tag: str
    ) -> str:
        return self.tr(
            "{prefix}{prompt_tokens} prompt + {reserved_output} output{window} tokens ({tag})"
        ).format(
            prefix=prefix,
            prompt_tokens=number(prompt),
            reserved_output=number(reserved),
            window="" if window is None else f" / {number(window)}",
            tag=tag
            if window is not None
            else self.tr("{tag}; context window unknown").format(tag=tag),
        )

    def _legend_text(self, system: int, messages: int, tools: int, reserved: int) -> str:
        palette = colours()
        return " ".join(
            # An entry wraps as one: its square, name and figure stay on one line.
            f'<span style="color:{palette.qcolor(f"meter_{key}").name()}">■</span>&nbsp;'
            f"{name}&nbsp;{number(value)}"
            for key, name, value in (
                ("system", self.tr("system"), system),
                ("messages", self.tr("messages"), messages),
                ("tools", self.tr("tools"), tools),
                ("reserved", self.tr("output"), reserved),
            )
        )

    def _rate_text(self, prefix: str, total: int, reserved: int) -> str:
        return self.tr(
            "Counts against the rate limit: {prefix}{total} tokens (prompt + {reserved} "
            "reserved output)"
        ).format(prefix=prefix, total=number(total), reserved=number(reserved))

    def _cost_text(
        self, total: float, input_usd: float, output: float, cached_usd: float | None
    ) -> str:
        cached = (
            ""
            if cached_usd is None
            else self.tr(" · cached input {cost}").format(cost=money(cached_usd))
        )
        return self.tr("Cost ≤ {total} (input {input} + max output {output}){cached}").format(
            total=money(total), input=money(input_usd), output=money(output), cached=cached
        )

    def show_reading(
        self, reading: MeterReading, note: str = "", ratio: float | None = None
    ) -> None:
        """Shows a reading.

        Args:
            reading: The figures.
            note: Why there is no exact figure, for the tooltip (empty when nothing failed).
            ratio: The calibration ratio applied to the estimate, if any.
        """
        rec = reading.recommendation
        level = level_for(rec.needed, rec.current_window)
        self.bar.show_reading(
            {
                "system": reading.system,
                "messages": reading.messages,
                "tools": reading.tools,
                "reserved": rec.reserved_output,
            },
            rec.current_window,
            level,
        )
        tags = {
            "exact": self.tr("exact"),
            "exact + estimate": self.tr("exact; tools estimated"),
            "exact + estimated edits": self.tr("exact count + estimated edits"),
            "calibrated estimate": self.tr("estimate, calibrated"),
            "estimate": self.tr("estimate"),
        }
        tag = tags.get(reading.source, tags["estimate"])
        prefix = "" if reading.exact else "≈ "
        self.count_label.setText(
            self._count_text(
                prefix, reading.prompt_tokens, rec.reserved_output, rec.current_window, tag
            )
        )
        # Typing changes the prompt's figure and the tag; the output and the window stay.
        widest_tag = self._widest(tuple(tags.values()))
        self.count_label.reserve(
            self._count_text(
                "≈ ", WIDEST_TOKENS, rec.reserved_output, rec.current_window, widest_tag
            )
        )
        palette = colours()
        style = (
            ""
            if level in ("ok", "unknown")
            else f"color: {palette.warning if level == 'warning' else palette.error};"
        )
        # Setting the same sheet again re-polishes the label: not on every keystroke.
        if self.count_label.styleSheet() != style:
            self.count_label.setStyleSheet(style)
        self.legend_label.setText(
            self._legend_text(reading.system, reading.messages, reading.tools, rec.reserved_output)
        )
        self.legend_label.reserve(
            self._legend_text(WIDEST_TOKENS, WIDEST_TOKENS, WIDEST_TOKENS, rec.reserved_output)
        )
        tip = [
            self.tr(
                "System {system} · messages {messages} · tools {tools} · reserved output {reserved}"
            ).format(
                system=number(reading.system),
                messages=number(reading.messages),
                tools=number(reading.tools),
                reserved=number(rec.reserved_output),
            )
            + (
                self.tr(" · margin {margin}").format(margin=number(rec.margin))
                if rec.margin
                else ""
            ),
        ]
        if reading.source == "exact + estimated edits":
            tip.append(
                self.tr(
                    "The provider's last exact count, plus the local estimate of the edits made "
                    "since; the exact count follows when typing pauses."
                )
            )
        elif reading.exact and reading.source == "exact" and reading.tools:
            tip.append(self.tr("Messages and tools counted by the provider's count endpoint."))
        elif reading.exact:
            tip.append(self.tr("Messages counted by the provider's tokenizer endpoint."))
            if reading.tools:
                tip.append(self.tr("Tools are a local estimate: the endpoint does not count them."))
        else:
            tip.append(
                self.tr("Local estimate with {encoding}, not the model's own tokenizer.").format(
                    encoding=reading.encoding
                )
            )
            if reading.calibrated and ratio is not None:
                tip.append(
                    self.tr("Calibrated by earlier exact counts (×{ratio:.3f}).").format(
                        ratio=ratio
                    )
                )
        if note:
            tip.append(note)
        tooltip = "\n".join(tip)
        self.count_label.setToolTip(tooltip)
        self.bar.setToolTip(tooltip)
        self.bar.setAccessibleDescription(self.count_label.text())

        fitted = fit_output(reading.model, reading.prompt_tokens + rec.margin)
        self.rate_label.setText(
            self._rate_text(
                prefix, reading.prompt_tokens + rec.reserved_output, rec.reserved_output
            )
        )
        self.rate_label.reserve(self._rate_text("≈ ", WIDEST_TOKENS, rec.reserved_output))
        self.fit_button.setEnabled(fitted is not None and fitted != rec.reserved_output)
        self.fit_button.setToolTip(
            self.tr(
                "Set max_tokens to {tokens}: what the window leaves after the prompt, capped by "
                "the model's output limit."
            ).format(tokens=number(fitted))
            if fitted is not None
            else self.tr("Fit needs the model's window or output limit (not in the catalog).")
        )
        cost = reading.cost
        if cost is None:
            self.cost_label.setText(self.tr("Cost: unknown (no prices for this model)"))
            self.cost_label.reserve("")
            self.cost_label.setToolTip(
                self.tr("The catalog has no prices for it: not free, unknown.")
            )
        else:
            self.cost_label.setText(
                self._cost_text(
                    cost.total_usd, cost.input_usd, cost.output_usd, cost.cached_input_usd
                )
            )
            cached = None if cost.cached_input_usd is None else WIDEST_USD
            self.cost_label.reserve(
                self._cost_text(WIDEST_USD, WIDEST_USD, cost.output_usd, cached)
            )
            self.cost_label.setToolTip(
                self.tr(
                    "Input at the full price plus the maximum output; when the provider's context "
                    "cache hits, the input costs the cached price instead."
                )
            )

        if rec.model is None:
            text = self._recommendation_text(rec)
        elif rec.suggests_change:
            text = self.tr("Recommended: <b>{model}</b>").format(model=rec.model)
        else:
            text = self.tr("Recommended: {model} (current)").format(model=rec.model)
        self.recommended_label.setText(text)
        self.recommended_label.setToolTip(self._recommendation_text(rec))
        self.apply_button.setEnabled(rec.suggests_change)
        self.apply_button.setToolTip(
            self.tr("Switch the model to {model} (undoable)").format(model=rec.model)
            if rec.suggests_change
            else ""
        )


class TokenMeter(QObject):
    """Keeps the meter's panel current: counts, exact counts, recommendation, badges.

    Args:
        window: The main window (workspace, undo stack, message list, status bar).
        cards: The card column (its badges are redrawn when the counts are ready).
        calibration: Learned exact/estimate ratios; the saved ones by default.
        exact_target: Gives (base URL, key) for a provider id, or None when it has no exact
            count; by default the preset's URL and the key from its environment variable.

    Signals:
        reading_changed(): the figures shown changed.
        exact_count_settled(): an exact count arrived or failed (tests wait on it).
    """

    reading_changed = Signal()
    exact_count_settled = Signal()

    def __init__(
        self,
        context: AppContext,
        cards: MessageListView,
        *,
        calibration: Calibration | None = None,
        exact_target: Callable[[str], ExactTarget] | None = None,
    ) -> None:
        super().__init__(context)
        self._context = context
        self._cards = cards
        self.workspace = context.workspace
        self.calibration = calibration or Calibration()
        self.counter = context.counter
        self.tally = ConversationTally(self.counter)
        self.exact_target = exact_target or _env_exact_target
        self._targets: dict[str, ExactTarget] = {}
        self._closing: asyncio.Task[None] | None = None
        self.scheduler = ExactCountScheduler()
        self.reading: MeterReading | None = None
        #: The last exact count: what it counted (signature), the total, whether tools were in
        #: it, and the local estimate of what it counted (tools included when they were).
        self._exact: tuple[tuple[object, ...], int, bool, int] | None = None
        self._exact_note = ""
        self._requested: tuple[object, ...] | None = None
        #: Edits of what is sent (cards, the case filling their variables): the exact count is
        #: that of one revision of the messages.
        self._sent_edits = 0
        self._client: ExactCountClient | AnthropicCountClient | None = None
        self._client_target: CountTarget | None = None
        #: Recounts, exact-count targets and calibration writes, one at a time off the UI thread.
        self._tasks = BackgroundTasks(self, serial=True)
        self._recount_generation = 0
        self._recounting = False
        #: A worker is counting cards with much new text (see _count_in_background).
        self._counting_in_background = False
        #: When a card an answer streams into may next be counted on the worker, by uid.
        self._streaming_counts: dict[int, float] = {}
        self._target_generation = 0
        self._update_timer = QTimer(self)
        self._update_timer.setSingleShot(True)
        self._update_timer.setInterval(0)
        self._update_timer.timeout.connect(self.refresh)
        self.panel = TokenMeterPanel()
        self.panel.show_catalog_error(context.catalog.override_error)
        self._connect()

    def _connect(self) -> None:
        conversation = self.workspace.conversation
        conversation.changed.connect(self._on_card_changed)
        conversation.inserted.connect(lambda _i: self._sent_changed())
        conversation.removed.connect(lambda _i, _m: self._sent_changed())
        conversation.moved.connect(lambda _s, _d: self._sent_changed())
        conversation.reset.connect(self._on_reset)
        # Another workspace: the last exact count says nothing about its messages.
        self.workspace.reset.connect(self._forget_exact)
        # The meter counts the tools and tool_choice too, and prices the chosen model.
        self.workspace.params_changed.connect(lambda _name: self.schedule_refresh())
        self.workspace.tools_changed.connect(lambda _edit: self.schedule_refresh())
        self.workspace.tool_choice_changed.connect(self.schedule_refresh)
        self.workspace.reset.connect(self.schedule_refresh)
        # Variables are filled from the current test case: its values count.
        self.workspace.current_test_changed.connect(self._sent_changed)
        self.workspace.tests_changed.connect(lambda _edit: self._sent_changed())
        self.panel.apply_button.clicked.connect(self.apply_recommendation)
        self.panel.fit_button.clicked.connect(self.fit_output)

    _SENT_FIELDS = frozenset({"role", "name", "content", "tool_call_id", "tool_calls", "partial"})

    def _on_card_changed(self, _index: int, names: frozenset[str]) -> None:
        if names & self._SENT_FIELDS:
            self._sent_changed()
        else:
            self.schedule_refresh()

    def _sent_changed(self) -> None:
        self._sent_edits += 1
        self.schedule_refresh()

    def _on_reset(self) -> None:
        self._sent_edits += 1
        self.recount()

    # Counting ----------------------------------------------------------------------------------

    def schedule_refresh(self) -> None:
        """Coalesces a burst of events into one refresh when the event loop is next idle."""
        if not self._update_timer.isActive():
            self._update_timer.start()

    def recount(self) -> None:
        """Counts every card again (opening a file): in a worker thread when there is much."""
        self._recount_generation += 1
        generation = self._recount_generation
        messages = list(self.workspace.conversation.messages)
        fresh = [m for m in messages if not self.counter.is_cached(m)]
        loaded = encoding_ready()
        if loaded and sum(len(m.content) for m in fresh) < BACKGROUND_RECOUNT_CHARS:
            self._recounting = False
            self.refresh()
            return
        self._recounting = True
        self._context.set_prompt_tokens(None)  # the last file's figure is no longer the prompt's
        # The tokenizer loads in the worker too: the window paints before it is ready.
        self.panel.show_status(
            self.tr("Counting {value0:,} cards…").format(value0=len(fresh))
            if loaded
            else self.tr("Loading the tokenizer…")
        )

        def work() -> None:
            encoding()
            self.counter.prime(fresh)

        self._tasks.run(work, lambda _none: self._on_recount_finished(generation))

    def _count_in_background(self, messages: list[Message]) -> None:
        """Counts ``messages`` on the worker, then refreshes the meter and the badges (one batch
        at a time: what grew meanwhile is taken by the refresh that follows)."""
        if self._counting_in_background:
            return
        messages = self._not_streaming_fast(messages)
        if not messages:
            return
        self._counting_in_background = True

        def done(_result: object) -> None:
            self._counting_in_background = False
            self.schedule_refresh()
            self._cards.refresh_cards()

        self._tasks.run(lambda: self.counter.prime(messages), done, done)

    def _not_streaming_fast(self, messages: list[Message]) -> list[Message]:
        """``messages`` less the cards an answer streams into that were counted on the worker
        less than STREAMING_COUNT_S ago (or first asked less than that ago)."""
        streams = self._cards.card_delegate.streams
        due = self._streaming_counts
        now = time.perf_counter()
        kept = []
        for message in messages:
            uid = message.uid
            if uid in streams:
                if now < due.setdefault(uid, now + STREAMING_COUNT_S):
                    continue
                due[uid] = now + STREAMING_COUNT_S
            else:
                due.pop(uid, None)
            kept.append(message)
        if len(due) > len(streams):  # cards deleted while their answer streamed in
            for uid in [u for u in due if u not in streams]:
                del due[uid]
        return kept

    def _on_recount_finished(self, generation: int) -> None:
        if generation == self._recount_generation:
            self._recounting = False
            self.refresh()
            self._cards.refresh_cards()  # badges left blank while loading

    def _signature(self) -> tuple[object, ...]:
        """What an exact count depends on: the model, the messages as sent (as the number of edits
        of them so far: a keystroke must not read every card to know it) and, where the endpoint
        counts them, the tools, tool_choice and thinking setting."""
        workspace = self.workspace
        signature: tuple[object, ...] = (workspace.params.model, self._sent_edits)
        target = self._targets.get(workspace.params.provider)
        if target is not None and CountTarget(*target).kind in TOOLS_COUNTED_KINDS:
            signature += (
                tuple(e.source for e in workspace.tools if e.enabled),
                repr(workspace.tool_choice),
                repr(workspace.params.value("thinking")),
                workspace.params.extra.get("prefill_mode"),
            )
        return signature

    def refresh(self) -> None:
        """Re-reads the meter now (cheap: only cards not seen before are encoded)."""
        self._update_timer.stop()
        if self._recounting:
            return
        heavy = self.tally.heavy_changes(self.workspace.conversation, BACKGROUND_RECOUNT_CHARS)
        if heavy:
            # Encoding them here would stall the UI (a 10 MB answer streaming in): the reading
            # stays as it was until the worker has counted them, then refreshes.
            self._count_in_background(heavy)
            return
        signature = self._signature() if self._exact is not None or self._wants_exact() else ()
        exact: int | None = None
        includes_tools = False
        anchor: tuple[int, int, bool] | None = None
        if self._exact is not None:
            counted, total, tools_counted, estimate = self._exact
            if counted == signature:
                exact, includes_tools = total, tools_counted
            elif counted[:1] == signature[:1]:
                # Same model, text edited since: the exact count moved by the edits' estimate,
                # not a calibrated estimate that jumps away from it and back on every pause.
                anchor = (total, estimate, tools_counted)
        reading = measure(
            self.workspace,
            self.counter,
            self._context.catalog,
            calibration=self.calibration,
            exact_messages=exact,
            exact_includes_tools=includes_tools,
            tally=self.tally,
            anchor=anchor,
        )
        self.reading = reading
        ratio = (
            self.calibration.ratio(reading.model.family)
            if reading.calibrated and reading.model is not None
            else None
        )
        self.panel.show_reading(reading, self._exact_note, ratio)
        self._context.set_prompt_tokens(reading.prompt_tokens)
        if exact is None and signature and signature != self._requested:
            self._request_exact(signature, reading)
        self.reading_changed.emit()

    # Exact counts ------------------------------------------------------------------------------

    def _forget_exact(self) -> None:
        self._exact = None
        self._requested = None
        self.schedule_refresh()

    def _target(self) -> ExactTarget:
        # Looked up once per provider, on the worker thread: reading the keyring is a D-Bus call
        # that may take long. Until the answer comes the meter shows its estimate.
        provider = self.workspace.params.provider
        if provider not in self._targets:
            self._targets[provider] = None
            generation = self._target_generation
            lookup = self.exact_target

            def find() -> ExactTarget:
                try:
                    return lookup(provider)
                except Exception as error:  # a broken keyring must not break the meter
                    log.info("No exact counts for %s: %s", provider, redact(str(error)))
                    return None

            self._tasks.run(find, partial(self._on_target_found, generation, provider))
        return self._targets[provider]

    def _on_target_found(self, generation: int, provider: str, target: ExactTarget) -> None:
        if generation != self._target_generation:
            return  # looked up before the providers or keys changed
        self._targets[provider] = target
        if target is not None:
            self.schedule_refresh()

    def forget_exact_targets(self) -> None:
        """Reads the providers' URLs and keys again (after the user changed them)."""
        self._target_generation += 1
        self._targets.clear()
        self._requested = None
        self.schedule_refresh()

    def _wants_exact(self) -> bool:
        return bool(len(self.workspace.conversation)) and self._target() is not None

    def _request_exact(self, signature: tuple[object, ...], reading: MeterReading) -> None:
        found = self._target()
        if found is None:
            return
        target = CountTarget(*found)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._exact_note = self.tr("Exact count unavailable: no event loop is running.")
            return
        if self._client is None or target != self._client_target:
            self._close_client()
            self._client = count_client(target)
            self._client_target = target
        client = self._client
        tools_counted = client.tools_counted
        self._requested = signature
        try:
            fetch = client.prepare(self.workspace, self._context.catalog)
        except ExactCountError as error:
            self._exact_note = self.tr("Exact count failed, showing the estimate: {reason}").format(
                reason=str(error)
            )
            self.panel.show_reading(reading, self._exact_note)
            self.exact_count_settled.emit()
            return
        estimate = reading.breakdown.conversation + (
            reading.breakdown.tools if tools_counted else 0
        )
        family = reading.model.family if reading.model is not None else None

        def settled(total: int | None, reason: str | None) -> None:
            if total is not None:
                self._exact = (signature, total, tools_counted, estimate)
                self._exact_note = ""
                if family and self.calibration.learn(family, estimate, total, save=False):
                    self._tasks.run(self.calibration.save)  # file I/O off the UI thread
            else:
                self._exact_note = self.tr(
                    "Exact count failed, showing the estimate: {reason}"
                ).format(reason=reason)
            self.refresh()
            self.exact_count_settled.emit()

        self.scheduler.schedule(fetch, settled, loop=loop)

    def _close_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            # Without a running loop the process is ending and takes the sockets with it.
            with contextlib.suppress(RuntimeError):
                self._closing = asyncio.get_running_loop().create_task(client.aclose())

    # Cards and actions ---------------------------------------------------------------------------

    def badge(self, message: Message) -> tuple[str, str]:
        """A card's token badge: its count and what the figure includes."""
        if not encoding_ready():
            return ("", "")  # never load the tokenizer on the UI thread for a badge
        if self._recounting and not self.counter.is_cached(message):
            return ("", "")  # the worker is counting it (a 3 MB card): filled in when it is done
        if self.counter.uncounted_chars(message) > BACKGROUND_RECOUNT_CHARS:
            # Much new text (a long answer streaming in fast): a worker encodes it, the badge
            # shows the last count meanwhile.
            self._count_in_background([message])
            last = self.counter.last_count(message)
            if last is None:
                return ("", "")
            tokens = last
        else:
            tokens = self.counter.count_message(message)
        return (
            self.tr("{tokens} tok").format(tokens=number(tokens)),
            self.tr("≈ {tokens} tokens (estimate, including the 3-token message overhead)").format(
                tokens=number(tokens)
            ),
        )

    # Actions -----------------------------------------------------------------------------------

    def fit_output(self) -> None:
        """Sets max_tokens to what the window leaves after the prompt (capped by the model's
        output limit), as one undo step."""
        reading = self.reading
        if reading is None:
            return
        fitted = fit_output(reading.model, reading.prompt_tokens + reading.recommendation.margin)
        if fitted is None:
            return
        self._context.undo_stack.push(SetParam(self.workspace, "max_tokens", fitted))
        self._context.show_status(
            self.tr("max_tokens set to {tokens} (Undo to go back).").format(tokens=number(fitted)),
            6000,
        )

    def apply_recommendation(self) -> None:
        """Switches the workspace to the recommended model through the undo stack."""
        reading = self.reading
        if reading is None or not reading.recommendation.suggests_change:
            return
        model = reading.recommendation.model
        self._context.undo_stack.push(SetParam(self.workspace, "model", model))
        self._context.show_status(
            self.tr("Model set to {model} (Undo to go back).").format(model=model), 6000
        )

    def tools_tokens(self) -> int:
        """Tokens of the tools that would be sent."""
        return self.counter.count_tools(tools_to_send(self.workspace))

    def shutdown(self) -> None:
        """Stops pending work (the window is closing)."""
        self.tally.detach()
        self.scheduler.cancel()
        self._close_client()
        self._tasks.shutdown()


def install(shell: Shell, context: AppContext) -> TokenMeter:
    """Puts the token meter at the top of the Parameters column and badges on the cards."""
    cards = shell.message_list
    meter = TokenMeter(
        context, cards, exact_target=registry_exact_target(context.providers, context.keys)
    )
    context.catalog_changed.connect(meter.schedule_refresh)
    context.providers_changed.connect(meter.forget_exact_targets)
    context.closing.connect(meter.shutdown)
    shell.add_parameters_widget(meter.panel)
    cards.card_delegate.badge_for = meter.badge
    meter.recount()
    cards.refresh_cards()
    return meter
