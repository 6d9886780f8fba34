"""The run panel: the strip under the cards with a run's status, figures, error and reasoning."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.figures import run_metrics_line
from workbench.core.run_types import RunResult
from workbench.core.sessions import Queued
from workbench.ui.common.i18n import shown
from workbench.ui.common.palette import ThemedStyleSheet, error_text
from workbench.ui.common.stream_view import StreamView
from workbench.ui.common.widgets import named

# Plain-text figures ---------------------------------------------------------------------------


def shorten(text: str, limit: int = 24) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    flat = text.replace("\n", "⏎")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# The run panel --------------------------------------------------------------------------------


def _metrics_text(text: str) -> str:
    """The run's figures (``workbench.core.figures``) in the user's language."""
    return QCoreApplication.translate("RunMetrics", text)


class RunPanel(QFrame):
    """The strip under the cards: status, figures, error, reasoning, Regenerate and Continue."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.status = self._label("runStatus")
        self.prefix_label = self._label("prefixLabel")
        ThemedStyleSheet(self.prefix_label, lambda c: f"background: {c.prefix}; padding: 0 4px;")
        self.prefix_label.hide()
        self.metrics = self._label("runMetrics")
        self.metrics.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = self._label("runError")
        error_text(self.error)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        #: Under a "no API key" error: opens the provider dialog at that provider's key field.
        self.add_key_button = QPushButton(self.tr("Add API key…"))
        named(self.add_key_button, "addKeyButton")
        self.add_key_button.hide()
        #: The provider whose key ``add_key_button`` adds.
        self.missing_key_provider = ""
        self.history_error = self._label("runHistoryError")
        error_text(self.history_error)
        self.history_error.hide()
        self.regenerate_button = QPushButton(self.tr("Regenerate"))
        named(self.regenerate_button, "regenerateButton")
        self.regenerate_button.setToolTip(
            self.tr("Replace the last answer with a new one (Ctrl+Shift+R)")
        )
        self.continue_button = QPushButton(self.tr("Continue"))
        named(self.continue_button, "continueButton")
        self.continue_button.hide()
        self.reasoning_toggle = QToolButton()
        named(self.reasoning_toggle, "reasoningToggle")
        self.reasoning_toggle.setCheckable(True)
        self.reasoning_toggle.setAutoRaise(True)
        self.reasoning_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.reasoning_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.reasoning_toggle.hide()
        self.reasoning_view = QPlainTextEdit()
        named(self.reasoning_view, "reasoningView")
        self.reasoning_view.setReadOnly(True)
        self.reasoning_view.setMaximumHeight(110)
        ThemedStyleSheet(self.reasoning_view, lambda c: f"color: {c.muted}; font-style: italic;")
        self.reasoning_view.hide()
        self._reasoning_stream = StreamView(self.reasoning_view)
        self.reasoning_toggle.toggled.connect(self._show_reasoning)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.status)
        top.addWidget(self.prefix_label)
        top.addStretch(1)
        top.addWidget(self.reasoning_toggle)
        top.addWidget(self.continue_button)
        top.addWidget(self.regenerate_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.metrics)
        error_row = QHBoxLayout()
        error_row.setContentsMargins(0, 0, 0, 0)
        error_row.addWidget(self.error, 1)
        error_row.addWidget(self.add_key_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(error_row)
        layout.addWidget(self.history_error)
        layout.addWidget(self.reasoning_view)
        self.hide()

    def _label(self, name: str) -> QLabel:
        label = QLabel()
        named(label, name)
        label.setWordWrap(True)
        return label

    def _show_reasoning(self, shown: bool) -> None:
        self.reasoning_view.setVisible(shown)
        arrow = Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        self.reasoning_toggle.setArrowType(arrow)

    def start(self, prefix: str) -> None:
        """A new run: clears the last one's figures."""
        self.show()
        self.status.setText(self.tr("Sending…"))
        self.metrics.clear()
        self.error.clear()
        self.error.hide()
        self.add_key_button.hide()
        self.history_error.clear()
        self.history_error.hide()
        self.continue_button.hide()
        self._reasoning_stream.reset()
        self.reasoning_toggle.setChecked(False)
        self.reasoning_toggle.hide()
        self.prefix_label.setVisible(bool(prefix))
        self.prefix_label.setText(self.tr("prefilled: {value0}").format(value0=shorten(prefix)))
        self.prefix_label.setToolTip(
            self.tr(
                "The answer continues this prefix, sent as a partial message:\n{prefix}"
            ).format(prefix=prefix)
        )

    def clear(self, keep_shown: bool = False) -> None:
        """Forgets the last run (another workspace is shown); the panel hides until the next
        unless ``keep_shown`` (it offers Regenerate for the new workspace's answer)."""
        shown = not self.isHidden()
        self.start("")
        self.status.clear()
        self.prefix_label.hide()
        self.setVisible(shown and keep_shown)

    def add_reasoning(self, piece: str, total: int) -> None:
        """Appends streamed reasoning (kept collapsed until the user opens it)."""
        self._reasoning_stream.append(piece)
        self.reasoning_toggle.setText(
            self.tr("Reasoning ({total:,} characters)").format(total=total)
        )
        self.reasoning_toggle.show()

    def finish(self, result: RunResult) -> None:
        """Shows how the run ended."""
        if result.error:
            self.status.setText(
                self.tr("Failed") if not result.full_text else self.tr("Failed part-way")
            )
        elif result.interrupted:
            self.status.setText(self.tr("Stopped"))
        else:
            self.status.setText(self.tr("Done"))
        self.metrics.setText(run_metrics_line(result, _metrics_text))
        self.error.setText(shown(result.error or ""))
        self.error.setVisible(bool(result.error))

    def queued(self, event: Queued) -> None:
        """The run waits for a free slot of its provider."""
        self.status.setText(
            self.tr(
                "Waiting: {limit} run(s) of {provider} are streaming (Settings: at most {limit} "
                "at once)…"
            ).format(limit=event.limit, provider=event.provider)
        )

    def not_recorded(self, reason: str) -> None:
        """The run ended but could not be written to the history."""
        self.history_error.setText(
            self.tr("This run was not saved in the history: {reason}").format(reason=reason)
        )
        self.history_error.show()

    def fail(self, text: str, missing_key_provider: str = "") -> None:
        """A run that could not start (no key, unknown provider); for a missing key the panel
        offers to add one for ``missing_key_provider``."""
        self.missing_key_provider = missing_key_provider
        self.add_key_button.setVisible(bool(missing_key_provider))
        self.show()
        self.status.setText(self.tr("Not sent"))
        self.metrics.clear()
        self.prefix_label.hide()
        self.error.setText(shown(text))
        self.error.show()
