"""One reading of the token meter: counts, window, reserved output, recommendation and cost.

The window's meter and the ``count`` command both build a :class:`MeterReading` from a workspace,
so they always agree. Figures are local estimates unless the provider's exact count is given (of
the messages for Moonshot, of the whole request with its tools for the Messages API); a learned
calibration (exact/estimate per model family) corrects estimates.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from workbench.core.catalog import Catalog, ModelInfo
from workbench.core.conversation import SystemReplaced
from workbench.core.providers import preset
from workbench.core.recommend import (
    CostEstimate,
    Recommendation,
    estimate_cost,
    recommend,
)
from workbench.core.tokens import (
    REPLY_PRIMING,
    Calibration,
    ConversationTally,
    TokenBreakdown,
    TokenCounter,
    encoding_name,
)
from workbench.core.variables import fill_message, variable_cards
from workbench.core.workspace import TOOL_META_KEY, ToolEntry, Workspace


@functools.lru_cache(maxsize=1024)
def _parsed_tool(source: str) -> dict[str, Any] | None:
    # Every keystroke re-reads the meter: parse each tool's text once, not on every refresh.
    parsed = ToolEntry(source).parsed()
    if parsed is not None:
        parsed.pop(TOOL_META_KEY, None)
    return parsed


def tools_to_send(workspace: Workspace) -> list[dict[str, Any]]:
    """The enabled tools whose JSON parses, as they would be sent (workbench data removed).

    The objects are shared between calls: read them, do not change them.
    """
    tools = []
    for entry in workspace.tools:
        parsed = _parsed_tool(entry.source) if entry.enabled else None
        if parsed is not None:
            tools.append(parsed)
    return tools


def provider_kind(provider_id: str) -> str:
    """The wire-format kind of a provider id (the id itself when it is not a preset)."""
    found = preset(provider_id)
    return found.kind if found is not None else provider_id


def _scale(part: int, whole: int, new_whole: int) -> int:
    return part if whole == 0 else round(part * new_whole / whole)


@dataclass(frozen=True)
class MeterReading:
    """What the meter shows.

    Attributes:
        breakdown: The raw local estimate, per part and per card.
        system: System tokens shown (exact share, calibrated or raw estimate).
        messages: Other messages' tokens shown (reply priming included).
        tools: Tool definition tokens: a local estimate, except when the provider's count
            included them (then the exact figure's share, split as the estimate splits it).
        exact: Whether the messages' figure came from the provider.
        calibrated: Whether a learned exact/estimate ratio corrected the estimate.
        source: ``"exact"`` (everything counted by the provider), ``"exact + estimate"``
            (exact messages, estimated tools), ``"exact + estimated edits"`` (an earlier exact
            count moved by the estimate of the edits since), ``"calibrated estimate"`` or
            ``"estimate"``.
        model_id: The model the workspace uses.
        model: Its catalog entry, None when unknown.
        recommendation: The recommender's answer.
        cost: Input + maximum output at the model's prices; None when unknown.
        encoding: The local tokenizer's name.
    """

    breakdown: TokenBreakdown
    system: int
    messages: int
    tools: int
    exact: bool
    calibrated: bool
    source: str
    model_id: str
    model: ModelInfo | None
    recommendation: Recommendation
    cost: CostEstimate | None
    encoding: str

    @property
    def prompt_tokens(self) -> int:
        """System + messages + tools."""
        return self.system + self.messages + self.tools

    @property
    def window(self) -> int | None:
        """The context window the figures are measured against (None when unknown)."""
        return self.recommendation.current_window

    @property
    def reserved_output(self) -> int:
        """Output tokens reserved (``max_tokens`` or the provider default)."""
        return self.recommendation.reserved_output

    @property
    def fits(self) -> bool | None:
        """Whether prompt + reserved output (+ margin) fit the window; None when unknown."""
        return self.recommendation.current_fits

    def to_json(self) -> dict[str, Any]:
        """The figures as a JSON object (``count --json``)."""
        rec = self.recommendation
        cost = None
        if self.cost is not None:
            cost = {
                "input": round(self.cost.input_usd, 8),
                "max_output": round(self.cost.output_usd, 8),
                "total": round(self.cost.total_usd, 8),
                "cached_input": None
                if self.cost.cached_input_usd is None
                else round(self.cost.cached_input_usd, 8),
            }
        return {
            "model": self.model_id,
            "prompt_tokens": self.prompt_tokens,
            "system_tokens": self.system,
            "message_tokens": self.messages,
            "tool_tokens": self.tools,
            "exact": self.source == "exact",
            "count": self.source,
            "encoding": self.encoding,
            "reserved_output": rec.reserved_output,
            "margin": rec.margin,
            "needed": rec.needed,
            "context_window": rec.current_window,
            "fits": rec.current_fits,
            "recommended_model": rec.model,
            "recommendation": rec.message,
            "shortfall": rec.shortfall,
            "estimated_cost_usd": cost,
        }


def fill_counts(
    breakdown: TokenBreakdown, workspace: Workspace, values: dict[str, Any], counter: TokenCounter
) -> TokenBreakdown:
    """``breakdown`` with the cards that use variables counted as a send fills them (the other
    cards are sent as they are: their counts stand)."""
    conversation = workspace.conversation
    per = list(breakdown.per_message)
    system, others = breakdown.system, breakdown.messages
    for index, _names in variable_cards(conversation).items():
        message = conversation[index]
        tokens = counter.count_message(fill_message(message, values))
        if message.role == "system":
            system += tokens - per[index]
        else:
            others += tokens - per[index]
        per[index] = tokens
    return TokenBreakdown(system, others, breakdown.tools, tuple(per))


def own_system_change(
    view: SystemReplaced, breakdown: TokenBreakdown, values: dict[str, Any], counter: TokenCounter
) -> int:
    """The tokens ``view``'s own system message adds to ``breakdown``, the count of its base
    conversation (filled with ``values``): the replacement's count less that of the card it
    replaces, or all of it (with the reply priming, for an empty base) when it goes first."""
    replacement = view.replacement
    if values:
        replacement = fill_message(replacement, values)  # filled as every card the run sends
    tokens = counter.count_message(replacement)
    if view.replaced_at is None:
        return tokens + (0 if breakdown.per_message else REPLY_PRIMING)
    return tokens - breakdown.per_message[view.replaced_at]


def measure(
    workspace: Workspace,
    counter: TokenCounter,
    catalog: Catalog,
    *,
    calibration: Calibration | None = None,
    exact_messages: int | None = None,
    exact_includes_tools: bool = False,
    model_id: str | None = None,
    max_tokens: int | None = None,
    use_workspace_max_tokens: bool = True,
    tally: ConversationTally | None = None,
    anchor: tuple[int, int, bool] | None = None,
) -> MeterReading:
    """Reads the meter for ``workspace``.

    Args:
        workspace: The conversation, tools and params.
        counter: The (cached) local counter.
        catalog: Windows and prices.
        calibration: Learned ratios; none applied when None.
        exact_messages: The provider's count of the messages, when known (current content).
        exact_includes_tools: Whether ``exact_messages`` counts the tool definitions too (the
            Messages API's count_tokens does, Moonshot's endpoint does not).
        model_id: Measure against this model instead of the workspace's.
        max_tokens: Reserve this output instead of the workspace's ``max_tokens``.
        use_workspace_max_tokens: False to ignore the workspace's ``max_tokens`` (provider default).
        tally: Per-card counts that follow the conversation (a keystroke recounts one card,
            whatever the number of cards); the counter alone reads every card when None.
        anchor: ``(exact, estimate, includes_tools)``: the provider's count of an earlier
            version of the request and the local estimate of that version (tools included when
            the count included them). Until the current one is counted, it shows ``exact +
            (estimate now - estimate then)``: the figure moves by what was typed instead of
            jumping to a calibrated estimate and back, and only the edits get a safety margin.
    """
    params = workspace.params
    model_id = model_id or params.model
    model = catalog.get(model_id)
    kind = model.provider if model is not None else provider_kind(params.provider)
    if max_tokens is None and use_workspace_max_tokens:
        max_tokens = params.max_tokens
    values = workspace.variable_values()
    filled = bool(values) and len(variable_cards(workspace.conversation)) > 0
    if filled and tally is None:
        # Variables filled from the current test case: the meter counts what a send sends.
        breakdown = counter.count(workspace.sent_messages(), tools_to_send(workspace))
    elif tally is not None:
        breakdown = tally.breakdown(workspace.conversation, tools_to_send(workspace))
        if filled:
            breakdown = fill_counts(breakdown, workspace, values, counter)
    else:
        breakdown = counter.count(workspace.conversation.messages, tools_to_send(workspace))
    conversation = breakdown.conversation
    calibrated = False
    tools = breakdown.tools
    tools_exact = exact_messages is not None and (exact_includes_tools or tools == 0)
    estimated_part: int | None = tools if exact_messages is not None and not tools_exact else None
    if exact_messages is not None and exact_includes_tools:
        # One figure for everything: split it between the parts as the estimate splits them.
        tools = _scale(tools, conversation + tools, exact_messages)
        shown = exact_messages - tools
        source = "exact"
    elif exact_messages is not None:
        shown = exact_messages
        source = "exact + estimate" if tools else "exact"
    elif anchor is not None:
        exact_then, estimate_then, anchor_has_tools = anchor
        estimate_now = conversation + (tools if anchor_has_tools else 0)
        edits = estimate_now - estimate_then
        moved = max(0, exact_then + edits)
        source = "exact + estimated edits"
        if anchor_has_tools:
            tools = _scale(tools, conversation + tools, moved)
            shown = moved - tools
            estimated_part = abs(edits)
        else:
            shown = moved
            estimated_part = abs(edits) + tools
    else:
        shown = conversation
        source = "estimate"
        family = model.family if model is not None else None
        if calibration is not None and family and calibration.ratio(family) is not None:
            shown = calibration.apply(family, conversation)
            calibrated = True
            source = "calibrated estimate"
    system = _scale(breakdown.system, conversation, shown)
    messages = shown - system
    prompt = shown + tools
    exact = exact_messages is not None
    rec = recommend(
        catalog,
        model_id,
        prompt,
        max_tokens=max_tokens,
        provider_kind=kind,
        exact=tools_exact,
        card_tokens=breakdown.per_message,
        top_cards=breakdown.top,
        estimated_part=estimated_part,
    )
    cost = None if model is None else estimate_cost(model, prompt, rec.reserved_output)
    return MeterReading(
        breakdown=breakdown,
        system=system,
        messages=messages,
        tools=tools,
        exact=exact,
        calibrated=calibrated,
        source=source,
        model_id=model_id,
        model=model,
        recommendation=rec,
        cost=cost,
        encoding=encoding_name(),
    )
