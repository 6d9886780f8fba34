"""The request linter in the window: each finding at its place, each fix one click away.

As the workspace, the catalog, the providers or a provider's model list change, the linter
(:mod:`workbench.core.lint`) runs again (debounced). Findings about the model and the parameters
are listed under the parameters with their fix buttons; findings about a card show on that card.
A fix is one undo step. Opening a workspace whose model was retired says so in the status bar
("X was retired on DATE: switch to Y"), and the fix is in the list. Under the model selector the
catalog's figures are shown ("window unknown" for a model only the provider lists, a flag for
one the provider no longer lists), and the thinking control follows the model. The window rule
(prompt + reserved output past the model's window) reads the token meter's prompt figure
(``AppContext.prompt_tokens``), exact where the provider counted it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer

from workbench.core.catalog import ModelInfo
from workbench.core.lint import Finding
from workbench.core.payloads import lint
from workbench.ui.common.i18n import number, provider_name, shown
from workbench.ui.common.undo import SetParam
from workbench.ui.context import AppContext
from workbench.ui.conversation.message_list import MessageListView
from workbench.ui.shell.params_panel import ParamsPanel

#: Milliseconds of quiet before the linter runs again.
LINT_DELAY_MS = 120


def describe_model(model: ModelInfo) -> str:
    """Window and price in a few words (``ModelInfo.describe`` in the user's language)."""
    window = (
        QCoreApplication.translate("RequestLint", "{window} tokens").format(
            window=number(model.context_window)
        )
        if model.context_window
        else QCoreApplication.translate("RequestLint", "window unknown")
    )
    if model.price_in is None or model.price_out is None:
        return QCoreApplication.translate("RequestLint", "{window}, price unknown").format(
            window=window
        )
    return QCoreApplication.translate(
        "RequestLint", "{window}, ${price_in:g} in / ${price_out:g} out per 1M"
    ).format(window=window, price_in=model.price_in, price_out=model.price_out)


class RequestLint(QObject):
    """Keeps one window's linter findings, model figures and thinking control current."""

    def __init__(self, context: AppContext, panel: ParamsPanel, cards: MessageListView) -> None:
        super().__init__(context)
        self.setObjectName("requestLint")
        self._panel = panel
        self._cards_view = cards
        self._context = context
        self.findings: list[Finding] = []
        self._cards: dict[int, tuple[str, bool]] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(LINT_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        workspace = context.workspace
        workspace.params_changed.connect(self.schedule)
        workspace.reset.connect(self.schedule)
        workspace.tools_changed.connect(self.schedule)
        conversation = workspace.conversation
        for event in (
            conversation.inserted,
            conversation.removed,
            conversation.moved,
            conversation.changed,
            conversation.reset,
        ):
            event.connect(self.schedule)
        context.document.loaded.connect(self._on_loaded)
        context.catalog_changed.connect(self.schedule)
        context.providers_changed.connect(self.schedule)
        context.models_listed.connect(lambda *_args: self.schedule())
        # The window rule (prompt + reserved output past the window) needs the meter's count.
        context.prompt_counted.connect(self.schedule)
        panel.params_changed.connect(self.apply)
        cards.card_delegate.lint_for = self.card_note
        self._on_loaded()

    def schedule(self, *_args: object) -> None:
        """Runs the linter after a short pause (typing does not run it per keystroke)."""
        self._timer.start()

    def card_note(self, row: int) -> tuple[str, bool]:
        """The linter's word on the card in ``row``: (text, blocking)."""
        return self._cards.get(row, ("", False))

    def refresh(self) -> None:
        """Runs the linter now and shows its findings."""
        self._timer.stop()
        context = self._context
        workspace = context.workspace
        provider = context.providers.get(workspace.params.provider)
        listed = context.listed.get(provider.id) if provider is not None else None
        if provider is None:
            self.findings = []
        else:
            self.findings = lint(
                workspace,
                provider,
                catalog=context.catalog,
                listed=listed,
                prompt_tokens=context.prompt_tokens,
            )
        panel = self._panel
        panel.show_findings(self.findings)
        cards: dict[int, tuple[str, bool]] = {}
        for finding in self.findings:
            if finding.card is not None and finding.card not in cards:
                cards[finding.card] = (shown(finding.message), finding.blocking)
        if cards != self._cards:
            self._cards = cards
            self._cards_view.refresh_cards()
        model = context.catalog.get(workspace.params.model)
        info = ""
        if model is not None and not model.listed_only:
            info = describe_model(model) + (
                QCoreApplication.translate("RequestLint", " · as of {date}").format(
                    date=model.as_of
                )
                if model.as_of
                else ""
            )
        elif model is not None:
            info = QCoreApplication.translate(
                "RequestLint", "window unknown (listed by the provider, not in the catalog)"
            )
        if listed is not None and workspace.params.model not in listed and provider is not None:
            info += QCoreApplication.translate(
                "RequestLint", " · ⚠ not in {provider}'s model list"
            ).format(provider=provider_name(provider.name))
        panel.set_model_info(info, model.capabilities if model is not None else None)

    def _on_loaded(self) -> None:
        self.refresh()
        # After the window's own "Opened ..." line, which would otherwise replace it.
        QTimer.singleShot(0, self, self._say_retired)

    def _say_retired(self) -> None:
        retired = next((f for f in self.findings if f.rule == "retired-model"), None)
        if retired is not None:
            self._context.show_status(shown(retired.message), 15000)

    def apply(self, changes: dict[str, Any]) -> None:
        """Sets several parameters as one undo step (a fix, a thinking choice)."""
        workspace = self._context.workspace
        changed = {k: v for k, v in changes.items() if workspace.params.value(k) != v}
        if not changed:
            return
        stack = self._context.undo_stack
        stack.beginMacro(self.tr("Change ") + ", ".join(changed))
        for name, value in changed.items():
            stack.push(SetParam(workspace, name, value))
        stack.endMacro()
        self.refresh()


def install(context: AppContext, panel: ParamsPanel, cards: MessageListView) -> RequestLint:
    """Runs the request linter for one window's parameters and cards."""
    return RequestLint(context, panel, cards)
