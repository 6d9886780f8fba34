"""Which model holds a prompt: a pure function over the catalog (no I/O, no state).

needed = prompt tokens + reserved output + a safety margin when the prompt figure is an estimate.
The reserved output is ``max_tokens``, or the provider's default when it is not set (1024 on
Moonshot).

Choice, in order:

1. The same family as the current model: the smallest context window that holds ``needed``; among
   equal windows the cheaper one (known prices before unknown ones). Providers tier a family's
   prices by window (moonshot-v1-8k < 32k < 128k), so the smallest window that fits is the cheapest
   one even where the catalog lacks its price: that is how ``moonshot-v1-8k``, whose prices are
   unknown, is still picked, exactly as ``moonshot-v1-auto`` routes. The current model stays when
   it fits and the other's known price is no lower (kimi-k2-0905 is not swapped for the
   same-priced 0711 with a smaller window).
2. Otherwise the same provider: the lowest known cost of this request (input + maximum output);
   models with unknown prices come after every priced one (unknown is not free), then by window.
3. Otherwise nothing fits: by how many tokens the largest window falls short, and which cards are
   the largest.

Never recommended: models whose window is unknown (ids only listed by a provider) and routing
aliases (``moonshot-v1-auto``); for an alias, the explanation says which model it would route to.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from workbench.core.catalog import Catalog, ModelInfo

#: Output reserved when ``max_tokens`` is not set, by provider kind (the API's own default).
PROVIDER_DEFAULT_MAX_TOKENS = {"moonshot": 1024, "deepseek": 4096}
#: Reserved for providers whose default is not known.
FALLBACK_MAX_TOKENS = 1024
#: Share of an estimated prompt added as margin (local tokenizers differ from the provider's).
ESTIMATE_MARGIN = 0.05


def reserved_output(max_tokens: int | None, provider_kind: str) -> int:
    """The output tokens to reserve: ``max_tokens`` or the provider's default."""
    if max_tokens is not None and max_tokens > 0:
        return max_tokens
    return PROVIDER_DEFAULT_MAX_TOKENS.get(provider_kind, FALLBACK_MAX_TOKENS)


def estimate_margin(prompt_tokens: int, exact: bool) -> int:
    """The safety margin: none on an exact figure, ``ESTIMATE_MARGIN`` of an estimate."""
    return 0 if exact else math.ceil(prompt_tokens * ESTIMATE_MARGIN)


@dataclass(frozen=True)
class CostEstimate:
    """What one call may cost in USD: the prompt and the maximum output.

    Attributes:
        input_usd: The prompt at the full input price.
        output_usd: ``max_output`` tokens at the output price.
        cached_input_usd: The prompt at the cache-hit price, when the catalog has one.
    """

    input_usd: float
    output_usd: float
    cached_input_usd: float | None

    @property
    def total_usd(self) -> float:
        """Input plus maximum output (an upper bound: the answer may stop sooner)."""
        return self.input_usd + self.output_usd


def estimate_cost(model: ModelInfo, prompt_tokens: int, max_output: int) -> CostEstimate | None:
    """The cost of one call on ``model``; None when its prices are unknown (never free)."""
    if model.price_in is None or model.price_out is None:
        return None
    cached = (
        None if model.price_in_cached is None else prompt_tokens * model.price_in_cached / 1_000_000
    )
    return CostEstimate(
        prompt_tokens * model.price_in / 1_000_000,
        max_output * model.price_out / 1_000_000,
        cached,
    )


def _candidates(catalog: Catalog) -> list[ModelInfo]:
    return [m for m in catalog.models() if m.window_known and not m.auto_routes and not m.retired]


def _window(model: ModelInfo) -> int:
    assert model.context_window is not None
    return model.context_window


def _family_key(model: ModelInfo, prompt: int, output: int) -> tuple[int, int, float]:
    cost = estimate_cost(model, prompt, output)
    return (_window(model), cost is None, 0.0 if cost is None else cost.total_usd)


def _provider_key(model: ModelInfo, prompt: int, output: int) -> tuple[bool, float, int]:
    cost = estimate_cost(model, prompt, output)
    return (cost is None, 0.0 if cost is None else cost.total_usd, _window(model))


def auto_route(catalog: Catalog, family: str, needed: int) -> ModelInfo | None:
    """The model a routing alias of ``family`` picks for a request of ``needed`` tokens.

    ``moonshot-v1-auto``: prompt + max_tokens up to 8,192 -> 8k, up to 32,768 -> 32k, else 128k.
    Generalised: the smallest window of the family that holds it, else the largest window.
    """
    members = sorted(
        (m for m in _candidates(catalog) if m.family == family), key=lambda m: _window(m)
    )
    if not members:
        return None
    return next((m for m in members if _window(m) >= needed), members[-1])


@dataclass(frozen=True)
class Recommendation:
    """The recommender's answer.

    Attributes:
        current: The model the workspace uses.
        prompt_tokens: The prompt figure it was given.
        reserved_output: Output tokens reserved (``max_tokens`` or the provider default).
        margin: Safety margin added (0 for an exact figure).
        needed: ``prompt_tokens + reserved_output + margin``.
        current_window: The current model's window, None when unknown.
        current_fits: Whether it holds ``needed``; None when its window is unknown.
        model: The recommended model (may equal ``current``), None when nothing fits.
        scope: ``"family"`` or ``"provider"``: where the recommendation was found.
        shortfall: Tokens over the largest window when nothing fits, else None.
        largest_model: The model with the largest window considered, when nothing fits.
        largest_cards: Indexes of the largest cards (when nothing fits or the current is too small).
        auto_pick: For a routing alias, the model it would route this request to.
        auto_alias: The routing alias ``auto_pick`` is for: the current model, or when nothing
            fits, the alias of the current model's family (``moonshot-v1-auto``), if it has one.
        auto_refused: Whether ``auto_pick``'s window is smaller than prompt + max_tokens (the
            alias would route the request to a model that refuses it).
        message: One sentence for the user.
    """

    current: str
    prompt_tokens: int
    reserved_output: int
    margin: int
    needed: int
    current_window: int | None
    current_fits: bool | None
    model: str | None
    scope: str | None
    shortfall: int | None = None
    largest_model: str | None = None
    largest_cards: tuple[int, ...] = field(default_factory=tuple)
    auto_pick: str | None = None
    auto_alias: str | None = None
    auto_refused: bool = False
    message: str = ""

    @property
    def suggests_change(self) -> bool:
        """Whether the recommended model differs from the current one."""
        return self.model is not None and self.model != self.current


def _cards_text(cards: Sequence[int], card_tokens: Sequence[int]) -> str:
    if not cards:
        return ""
    parts = [f"#{i + 1} ({card_tokens[i]:,})" for i in cards]
    return " Largest cards: " + ", ".join(parts) + "."


def recommend(
    catalog: Catalog,
    model_id: str,
    prompt_tokens: int,
    *,
    max_tokens: int | None = None,
    provider_kind: str | None = None,
    exact: bool = False,
    card_tokens: Sequence[int] = (),
    estimated_part: int | None = None,
    top_cards: Sequence[int] | None = None,
) -> Recommendation:
    """The model to use for a prompt of ``prompt_tokens`` on ``model_id``'s provider.

    Args:
        catalog: The models, windows and prices.
        model_id: The current model (may be unknown to the catalog).
        prompt_tokens: The prompt's tokens, tools included.
        max_tokens: The request's ``max_tokens``; None for the provider default.
        provider_kind: The provider's kind; the current model's provider when None.
        exact: Whether ``prompt_tokens`` came from the provider (no margin then).
        card_tokens: Each card's tokens, to point at the largest when nothing fits.
        top_cards: The three largest cards' indexes, largest first, when the caller keeps them
            (then ``card_tokens`` is not sorted).
        estimated_part: The part of ``prompt_tokens`` that is an estimate (the tools, when the
            messages were counted exactly); the margin covers this part. All of it by default
            unless ``exact``.
    """
    current = catalog.get(model_id)
    kind = provider_kind or (current.provider if current else "")
    output = reserved_output(max_tokens, kind)
    if estimated_part is None:
        margin = estimate_margin(prompt_tokens, exact)
    else:
        margin = estimate_margin(estimated_part, exact=False)
    needed = prompt_tokens + output + margin
    window = current.context_window if current and not current.auto_routes else None
    auto = None
    routed = prompt_tokens + output  # what the alias routes by: no margin
    picked: ModelInfo | None = None
    if current is not None and current.auto_routes:
        picked = auto_route(catalog, current.family, routed)
        auto = picked.id if picked else None
        window = picked.context_window if picked else None
    fits = None if window is None else window >= needed
    base = Recommendation(
        current=model_id,
        prompt_tokens=prompt_tokens,
        reserved_output=output,
        margin=margin,
        needed=needed,
        current_window=window,
        current_fits=fits,
        model=None,
        scope=None,
        auto_pick=auto,
    )
    how = f"{prompt_tokens:,} prompt + {output:,} output" + (
        f" + {margin:,} margin for the estimate" if margin else ""
    )

    def auto_note(alias: str, pick: ModelInfo) -> str:
        note = (
            f" {alias} would route it to {pick.id} (prompt + max_tokens = {routed:,}"
            + ("" if exact else ", estimated")
            + ")"
        )
        if _window(pick) < routed:
            # Routing is no way out: the routed model refuses what its window cannot hold.
            return note + (
                f", whose window of {_window(pick):,} tokens does not hold it: the API would "
                "refuse it."
            )
        return note + "."

    note = auto_note(model_id, picked) if picked is not None else ""
    alias_id = model_id if picked is not None else None

    pool = _candidates(catalog)
    family = current.family if current is not None else None
    same_family = [m for m in pool if family is not None and m.family == family]
    fitting = [m for m in same_family if _window(m) >= needed]
    scope = "family"
    best: ModelInfo | None
    if fitting:
        best = min(fitting, key=lambda m: _family_key(m, prompt_tokens, output))
        if current in fitting and best is not current:
            mine = estimate_cost(current, prompt_tokens, output)
            theirs = estimate_cost(best, prompt_tokens, output)
            if mine and theirs and theirs.total_usd >= mine.total_usd:
                best = current  # a smaller window at the same price is no reason to switch
    else:
        scope = "provider"
        same_provider = [m for m in pool if m.provider == kind]
        fitting = [m for m in same_provider if _window(m) >= needed]
        best = (
            min(fitting, key=lambda m: _provider_key(m, prompt_tokens, output)) if fitting else None
        )

    def largest_cards() -> tuple[int, ...]:
        # Stable and keyed by a C-level getter: the first of equal cards first, and fast enough
        # for 50,000 cards on every keystroke.
        if top_cards is not None:
            return tuple(top_cards[:3])
        ranked = sorted(range(len(card_tokens)), key=card_tokens.__getitem__, reverse=True)
        return tuple(ranked[:3])

    if best is None:
        order = largest_cards()
        considered = [m for m in pool if m.provider == kind]
        if not considered:
            return replace(
                base,
                message=f"No known context window to compare with for {model_id} ({how}).",
            )
        largest = max(considered, key=_window)
        shortfall = needed - _window(largest)
        message = (
            f"Nothing fits: {needed:,} tokens needed ({how}), {shortfall:,} more than the "
            f"largest window ({largest.id}, {_window(largest):,}). "
            "Shorten the conversation or lower max_tokens." + _cards_text(order, card_tokens)
        )
        if picked is None and current is not None:
            # What the family's routing alias would do with it (moonshot-v1-auto: its largest).
            alias = next(
                (
                    m
                    for m in catalog.models()
                    if m.auto_routes and m.family == current.family and not m.retired
                ),
                None,
            )
            picked = auto_route(catalog, current.family, routed) if alias is not None else None
            if alias is not None and picked is not None:
                note = auto_note(alias.id, picked)
                alias_id = alias.id
        return replace(
            base,
            shortfall=shortfall,
            largest_model=largest.id,
            largest_cards=order,
            auto_pick=picked.id if picked is not None else None,
            auto_alias=alias_id,
            auto_refused=picked is not None and _window(picked) < routed,
            message=message + note,
        )

    best_window = _window(best)
    where = "same family" if scope == "family" else "same provider"
    if best.id == model_id:
        message = f"{model_id} is the best fit: {needed:,} of {best_window:,} tokens ({how})."
    elif auto is not None:
        message = f"{best.id} ({where}) holds {needed:,} of {best_window:,} tokens ({how})."
    elif fits is None:
        unknown = "" if current is not None else " (not in the catalog)"
        message = (
            f"{model_id}'s context window is unknown{unknown}; {best.id} holds {needed:,} "
            f"of {best_window:,} tokens ({how})."
        )
    elif fits and window is not None and best_window < window:
        message = (
            f"{best.id} ({where}, a smaller window) also holds {needed:,} of "
            f"{best_window:,} tokens ({how})."
        )
    elif fits:
        message = (
            f"{best.id} ({where}) also holds {needed:,} of {best_window:,} tokens "
            f"and costs less ({how})."
        )
    else:
        message = (
            f"{model_id} holds {window:,} tokens but {needed:,} are needed ({how}); "
            f"{best.id} ({where}) holds {best_window:,}."
        )
    return replace(
        base,
        model=best.id,
        scope=scope,
        largest_cards=largest_cards() if fits is False else (),
        auto_alias=alias_id,
        auto_refused=picked is not None and _window(picked) < routed,
        message=message + note,
    )
