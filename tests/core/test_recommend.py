"""The recommender: moonshot-v1-auto's boundaries, families, nothing fits, retired, unknowns."""

from __future__ import annotations

import pytest

from workbench.core.catalog import Catalog, ModelInfo, load_builtin_catalog
from workbench.core.recommend import (
    auto_route,
    estimate_cost,
    estimate_margin,
    recommend,
    reserved_output,
)

CATALOG = load_builtin_catalog()


# moonshot-v1-auto: prompt + max_tokens <= 8,192 -> 8k, <= 32,768 -> 32k, else 128k.
@pytest.mark.parametrize(
    ("prompt", "max_tokens", "expected"),
    [
        (1, 1024, "moonshot-v1-8k"),
        (7_168, 1024, "moonshot-v1-8k"),  # exactly 8,192
        (7_169, 1024, "moonshot-v1-32k"),  # 8,193
        (8_191, 1, "moonshot-v1-8k"),
        (8_192, 1, "moonshot-v1-32k"),
        (31_744, 1024, "moonshot-v1-32k"),  # exactly 32,768
        (31_745, 1024, "moonshot-v1-128k"),  # 32,769
        (120_000, 11_072, "moonshot-v1-128k"),  # exactly 131,072
        (0, 8_192, "moonshot-v1-8k"),
        (0, 8_193, "moonshot-v1-32k"),
    ],
)
def test_exact_figures_reproduce_moonshot_v1_auto(
    prompt: int, max_tokens: int, expected: str
) -> None:
    routed = auto_route(CATALOG, "moonshot-v1", prompt + max_tokens)
    assert routed is not None and routed.id == expected
    for current in ("moonshot-v1-auto", "moonshot-v1-8k", "moonshot-v1-32k", "moonshot-v1-128k"):
        result = recommend(CATALOG, current, prompt, max_tokens=max_tokens, exact=True)
        assert result.model == expected, current
        assert result.scope == "family"
    auto = recommend(CATALOG, "moonshot-v1-auto", prompt, max_tokens=max_tokens, exact=True)
    assert auto.auto_pick == expected
    assert f"would route it to {expected}" in auto.message
    assert auto.suggests_change  # an alias is never itself the recommendation


def test_auto_routes_to_the_largest_when_nothing_fits() -> None:
    routed = auto_route(CATALOG, "moonshot-v1", 200_000)
    assert routed is not None and routed.id == "moonshot-v1-128k"


def test_default_max_tokens_is_the_providers() -> None:
    assert reserved_output(None, "moonshot") == 1024
    assert reserved_output(0, "moonshot") == 1024
    assert reserved_output(500, "moonshot") == 500
    result = recommend(CATALOG, "moonshot-v1-8k", 7_168, exact=True)
    assert result.reserved_output == 1024
    assert result.needed == 8_192
    assert result.model == "moonshot-v1-8k"
    assert result.current_fits is True
    assert "best fit" in result.message


def test_estimates_get_a_margin_that_can_move_the_boundary() -> None:
    assert estimate_margin(1000, exact=True) == 0
    assert estimate_margin(1000, exact=False) == 50
    exact = recommend(CATALOG, "moonshot-v1-8k", 7_000, max_tokens=1024, exact=True)
    estimate = recommend(CATALOG, "moonshot-v1-8k", 7_000, max_tokens=1024, exact=False)
    assert exact.model == "moonshot-v1-8k"
    assert estimate.margin == 350
    assert estimate.needed == 8_374
    assert estimate.model == "moonshot-v1-32k"
    assert estimate.current_fits is False
    assert "estimate" in estimate.message


@pytest.mark.parametrize(
    ("current", "prompt", "expected"),
    [
        ("deepseek-v4-pro", 10_000, "deepseek-v4-flash"),  # same window, cheaper
        ("deepseek-v4-flash", 10_000, "deepseek-v4-flash"),
        ("deepseek-v4-flash", 998_976, "deepseek-v4-flash"),  # exactly 1,000,000
        # Same window at the same price: no reason to switch.
        ("kimi-k2.7-code-highspeed", 10_000, "kimi-k2.7-code-highspeed"),
        ("moonshot-v1-128k", 7_000, "moonshot-v1-8k"),
    ],
)
def test_the_smallest_or_cheapest_of_the_family(current: str, prompt: int, expected: str) -> None:
    result = recommend(CATALOG, current, prompt, max_tokens=1024, exact=True)
    assert result.model == expected
    assert result.scope == "family"


def test_over_the_largest_window_tries_the_provider_then_says_nothing_fits() -> None:
    result = recommend(
        CATALOG,
        "deepseek-v4-flash",
        998_977,
        max_tokens=1024,
        exact=True,
        card_tokens=[100, 900_000, 50, 98_827],
    )
    assert result.model is None
    assert result.shortfall == 1
    assert result.largest_model in {"deepseek-v4-flash", "deepseek-v4-pro"}
    assert result.largest_cards == (1, 3, 0)
    assert "1 more than the largest window" in result.message
    assert "#2 (900,000)" in result.message


def test_family_too_small_falls_back_to_the_cheapest_of_the_provider() -> None:
    # moonshot-v1 tops out at 128k; the provider's cheapest priced model that holds 140k.
    result = recommend(CATALOG, "moonshot-v1-128k", 140_000, max_tokens=1024, exact=True)
    assert result.scope == "provider"
    assert result.model == "kimi-k2.5"
    assert result.current_fits is False
    # A model of one family outgrown goes to a bigger one of the provider: kimi-k3 holds 1M.
    k26 = recommend(CATALOG, "kimi-k2.6", 300_000, max_tokens=1024, exact=True)
    assert k26.model == "kimi-k3"


def test_retired_models_are_never_recommended() -> None:
    result = recommend(CATALOG, "kimi-k2-0905-preview", 10_000, max_tokens=1024, exact=True)
    assert result.model is not None
    model = CATALOG.get(result.model)
    assert model is not None and not model.retired


def test_unknown_prices_are_not_free_across_families() -> None:
    models = [
        ModelInfo("free?", "p", "a", 10_000),  # prices unknown
        ModelInfo("priced", "p", "b", 10_000, price_in=5.0, price_out=5.0),
        ModelInfo("current", "p", "c", 1_000, price_in=1.0, price_out=1.0),
    ]
    result = recommend(Catalog(models), "current", 5_000, max_tokens=100, exact=True)
    assert result.scope == "provider"
    assert result.model == "priced"
    assert estimate_cost(models[0], 1000, 100) is None


def test_unknown_windows_are_never_recommended() -> None:
    listed = CATALOG.with_listed("moonshot", ["kimi-k3-preview", "moonshot-v1-8k"])
    model = listed.get("kimi-k3-preview")
    assert model is not None and model.context_window is None and model.listed_only
    assert len(listed.models()) == len(CATALOG.models()) + 1
    for prompt in (10, 100_000):
        assert recommend(listed, "moonshot-v1-8k", prompt, exact=True).model != "kimi-k3-preview"
    result = recommend(listed, "kimi-k3-preview", 5_000, max_tokens=1024, exact=True)
    assert result.current_window is None
    assert result.current_fits is None
    assert result.model == "moonshot-v1-8k"  # the provider's cheapest that holds it
    assert "window is unknown" in result.message


def test_a_model_unknown_to_the_catalog_of_an_unknown_provider() -> None:
    result = recommend(CATALOG, "my-local-model", 100, provider_kind="local")
    assert result.model is None
    assert result.shortfall is None
    assert "No known context window" in result.message


def test_cost_is_input_plus_maximum_output_with_cached_price_noted() -> None:
    model = CATALOG.get("kimi-k2.5")
    assert model is not None
    cost = estimate_cost(model, 1_000_000, 1_000_000)
    assert cost is not None
    assert cost.input_usd == pytest.approx(0.60)
    assert cost.output_usd == pytest.approx(3.00)
    assert cost.total_usd == pytest.approx(3.60)
    assert cost.cached_input_usd == pytest.approx(0.10)
    no_cache = CATALOG.get("moonshot-v1-32k")
    assert no_cache is not None
    cost = estimate_cost(no_cache, 1000, 0)
    assert cost is not None and cost.cached_input_usd is None


def test_nothing_fits_says_where_auto_would_route_it_and_that_it_would_be_refused() -> None:
    # Over every Moonshot window (kimi-k3 holds 1,048,576): moonshot-v1-auto would send it to
    # its largest model, which refuses it; routing is no way out, and the message says so.
    for current in ("moonshot-v1-auto", "moonshot-v1-8k"):
        result = recommend(CATALOG, current, 1_100_000, max_tokens=1024, exact=True)
        assert result.model is None
        assert result.message.startswith("Nothing fits")
        assert (
            "moonshot-v1-auto would route it to moonshot-v1-128k (prompt + max_tokens = "
            "1,101,024), whose window of 131,072 tokens does not hold it" in result.message
        )
        assert result.largest_model == "kimi-k3"
        assert result.auto_alias == "moonshot-v1-auto"
        assert result.auto_pick == "moonshot-v1-128k"
        assert result.auto_refused
    # A family without a routing alias says nothing about routing.
    deepseek = recommend(CATALOG, "deepseek-v4-flash", 1_100_000, max_tokens=1024, exact=True)
    assert deepseek.auto_alias is None and "route" not in deepseek.message


def test_auto_routing_past_its_largest_window_is_not_offered_as_a_way_out() -> None:
    result = recommend(CATALOG, "moonshot-v1-auto", 200_000, max_tokens=1024, exact=True)
    assert result.model == "kimi-k2.5"
    assert "does not hold it: the API would refuse it." in result.message
    assert result.auto_refused
    fits = recommend(CATALOG, "moonshot-v1-auto", 20_000, max_tokens=1024, exact=True)
    assert not fits.auto_refused
    assert fits.message.endswith(
        "would route it to moonshot-v1-32k (prompt + max_tokens = 21,024)."
    )
