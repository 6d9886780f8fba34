"""What the Compare tab needs from the rest of the app, and how the app provides it."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

from workbench.core import tokens
from workbench.core.catalog import Catalog
from workbench.core.compare import CompareSession, Preflight, group_history, preflight
from workbench.core.conversation import SystemReplaced
from workbench.core.meter import fill_counts, own_system_change
from workbench.core.payloads import lint, request_problems, sent_tools
from workbench.core.recommend import reserved_output
from workbench.core.tokens import ConversationTally, TokenCounter
from workbench.core.variables import variable_cards
from workbench.core.workspace import Variant, Workspace
from workbench.ui.common.history_worker import HistoryWorker
from workbench.ui.common.i18n import date_time

if TYPE_CHECKING:
    from workbench.ui.context import AppContext


@dataclass
class CompareServices:
    """What the compare view needs from the rest of the app.

    Attributes:
        catalog: Models offered per provider, windows and prices.
        providers: The providers to choose from, as (id, display name, kind).
        make_session: A :class:`CompareSession` for a workspace, on the app's run engine.
        preflight: Checks one variant before running (fit, cost, prefill).
        history: Where comparisons are reopened from (the app's history worker), or None to
            keep no history.
        tokens_ready: Whether token counts are available yet; while not, the view checks again
            every second.
    """

    catalog: Callable[[], Catalog]
    providers: Callable[[], Sequence[tuple[str, str, str]]]
    make_session: Callable[[Workspace], CompareSession]
    preflight: Callable[[Workspace, Variant], Preflight]
    history: HistoryWorker | None = None
    tokens_ready: Callable[[], bool] | None = None


def past_comparisons(history: Any, limit: int = 30) -> list[tuple[str, str]]:
    """(group id, menu text) of the latest comparisons in ``history``, newest first."""
    found = []
    for past in group_history(history.search("", limit=500))[:limit]:
        when = past.started_at
        with contextlib.suppress(ValueError):  # not ISO 8601: shown as stored
            when = date_time(dt.datetime.fromisoformat(past.started_at).astimezone())
        title = f"{past.title} · " if past.title else ""
        found.append((past.group, f"{when} · {title}{', '.join(past.labels)}"))
    return found


# Wiring into the window -----------------------------------------------------------------------


def default_services(context: AppContext) -> CompareServices:
    """The app's services for the compare view: its run engine, providers, catalog, history.

    The context's objects are read on every use, so that the compare view sees the providers the
    user adds in the provider settings and the models providers listed.

    Args:
        context: The app's services; its run engine runs the columns.
    """
    from workbench.core.providers import ProviderRegistry

    def registry() -> ProviderRegistry:
        return context.providers

    history = context.history

    def catalog() -> Catalog:
        return context.catalog

    def counter() -> TokenCounter:
        # Shared with the token meter, which has the conversation's messages cached already.
        return context.counter

    def make_session(workspace: Workspace) -> CompareSession:
        return CompareSession(context.run_engine, workspace)

    # Per-card counts of the window's conversation, kept as it is edited: a column's count after
    # a keystroke recounts the edited card, not all of them.
    tally = ConversationTally(context.counter)
    context.closing.connect(tally.detach)

    def count(sent: Workspace) -> int | None:
        # Loading the tokenizer takes a while: until the meter's worker has it, show the
        # catalog's window and prices (the view asks again shortly).
        if not tokens.encoding_ready():
            return None
        tools = sent_tools(sent)
        conversation = sent.conversation
        cards = conversation.base if isinstance(conversation, SystemReplaced) else conversation
        if cards is not context.workspace.conversation:
            return counter().count(conversation.messages, tools).total
        breakdown = tally.breakdown(cards, tools)
        values = sent.variable_values()
        if values and len(variable_cards(cards)):
            breakdown = fill_counts(breakdown, context.workspace, values, counter())
        if isinstance(conversation, SystemReplaced):
            # The column's own system message: the window's count with that one card changed.
            return breakdown.total + own_system_change(conversation, breakdown, values, counter())
        return breakdown.total

    def problems(sent: Workspace) -> list[str]:
        provider = registry().get(sent.params.provider)
        if provider is None:
            return [
                QCoreApplication.translate("CompareView", "Unknown provider {provider!r}.").format(
                    provider=sent.params.provider
                )
            ]
        return request_problems(sent, provider)

    def check(workspace: Workspace, variant: Variant) -> Preflight:
        found = preflight(workspace, variant, catalog(), problems=problems, count_tokens=count)
        provider = registry().get(variant.provider or workspace.params.provider)
        if provider is not None:
            findings = lint(
                workspace, provider, variant, catalog=catalog(), prompt_tokens=found.prompt_tokens
            )
            fix = next((f.fix for f in findings if f.fix is not None), None)
            edits: dict[str, Any] = {}
            for name, value in fix.params.items() if fix is not None else ():
                if name == "model":
                    edits["model"] = value
                elif value is not None or name in variant.params:
                    edits[f"params.{name}"] = value  # None drops the column's own value
                else:
                    edits = {}  # the value is the workspace's: fixed in Parameters
                    break
            found = dataclasses.replace(
                found,
                warnings=tuple(f.message for f in findings if not f.blocking),
                fix=(fix.label, edits) if fix is not None and edits else None,
            )
        if found.max_tokens is None:
            # Unset, max_tokens is the provider's default, which the answer may well use up:
            # reserve it as the token meter does, or the column said "+ 0" and "at most $0".
            provider = registry().get(variant.provider or workspace.params.provider)
            reserved = reserved_output(None, provider.kind if provider is not None else "")
            found = dataclasses.replace(found, max_tokens=reserved)
        return found

    return CompareServices(
        catalog=catalog,
        providers=lambda: [(p.id, p.name, p.catalog_kind) for p in registry().all()],
        make_session=make_session,
        preflight=check,
        tokens_ready=tokens.encoding_ready,
        history=history,
    )
