"""The catalog: built-in figures, the user's override file, ids a provider lists."""

from __future__ import annotations

import json
from pathlib import Path

from workbench.core.catalog import load_builtin_catalog, load_catalog, override_path


def _write(path: Path, data: object) -> None:
    path.write_text(json.dumps(data), encoding="utf-8")


def test_builtin_figures_of_design_section_5() -> None:
    catalog = load_catalog()
    assert catalog.override_error is None
    assert catalog.as_of == "2026-12-01"
    figures = {
        "kimi-k3": (1_048_576, 0.30, 3.0, 15.0),
        "kimi-k3.1-pro": (None, 0.20, 2.0, 10.0),
        "kimi-k3.1-pro-highspeed": (None, 0.20, 4.0, 20.0),
        "kimi-k2.7-code": (262_144, 0.19, 0.95, 4.0),
        "kimi-k2.7-code-highspeed": (262_144, 0.19, 0.95, 4.0),
        "kimi-k2.6": (262_144, 0.16, 0.95, 4.0),
        "kimi-k2.5": (262_144, 0.10, 0.6, 3.0),
        "moonshot-v1-8k": (8_192, None, 0.2, 2.0),
        "moonshot-v1-32k": (32_768, None, 1.0, 3.0),
        "moonshot-v1-128k": (131_072, None, 2.0, 5.0),
        "deepseek-v4-flash": (1_000_000, 0.028, 0.14, 0.28),
        "deepseek-v4-pro": (1_000_000, 0.145, 1.74, 3.48),
    }
    for model_id, (window, cached, price_in, price_out) in figures.items():
        model = catalog.get(model_id)
        assert model is not None, model_id
        assert model.context_window == window, model_id
        assert (model.price_in_cached, model.price_in, model.price_out) == (
            cached,
            price_in,
            price_out,
        ), model_id
        assert model.as_of and not model.retired
    auto = catalog.get("moonshot-v1-auto")
    assert auto is not None and auto.auto_routes
    pro = catalog.get("kimi-k3.1-pro")
    assert pro is not None and pro.price_cache_write == {"5m": 2.0, "1h": 4.0}
    flash = catalog.get("deepseek-v4-flash")
    assert flash is not None and flash.max_output == 384_000
    k3 = catalog.get("kimi-k3")
    assert k3 is not None and k3.capabilities.thinking == "always"
    assert k3.capabilities.effort_levels == ("low", "high", "max")
    assert k3.output_field == "max_completion_tokens" and k3.max_output == 131_072


def test_retired_ids_name_their_date_and_replacement() -> None:
    catalog = load_catalog()
    retired = {
        "kimi-k2-0711-preview": "2026-05-25",
        "kimi-k2-0905-preview": "2026-05-25",
        "kimi-k2-turbo-preview": "2026-05-25",
        "kimi-k2-thinking": "2026",
        "kimi-k2-thinking-turbo": "2026",
        "kimi-latest": "2026",
        "deepseek-chat": "2026-07-24",
        "deepseek-reasoner": "2026-07-24",
    }
    for model_id, date in retired.items():
        model = catalog.get(model_id)
        assert model is not None and model.retired == date, model_id
        replacement = catalog.get(model.replacement)
        assert replacement is not None and not replacement.retired, model_id
    old = catalog.get("kimi-k2-0905-preview")
    assert old is not None
    assert (
        old.retirement() == "kimi-k2-0905-preview was retired on 2026-05-25: switch to kimi-k2.6."
    )
    thinking = catalog.get("kimi-k2-thinking")
    assert thinking is not None and "retired in 2026" in (thinking.retirement() or "")
    assert all(not m.retired for m in catalog.for_provider("moonshot"))
    assert "kimi-k2-0905-preview" in {m.id for m in catalog.for_provider("moonshot", retired=True)}


def test_every_current_model_states_its_limits_and_date() -> None:
    catalog = load_catalog()
    for model in catalog.current():
        assert model.as_of == "2026-12-01", model.id
        assert model.output_field in ("max_tokens", "max_completion_tokens")
        if model.capabilities.thinking == "effort":
            assert model.capabilities.effort_levels, model.id
    openai_ids = {m.id for m in catalog.for_provider("openai")}
    assert {"gpt-5.1", "gpt-5", "gpt-5-mini", "gpt-4.1", "o3"} <= openai_ids
    assert all(m.capabilities.prefill == "no" for m in catalog.for_provider("openai"))


def test_override_merges_field_by_field_and_adds_models() -> None:
    _write(
        override_path(),
        {
            "models": [
                {"id": "moonshot-v1-8k", "price_in": 0.5, "price_out": 1.5},
                {"id": "my-model", "provider": "local", "context_window": 4096},
            ]
        },
    )
    catalog = load_catalog()
    assert catalog.override_error is None
    small = catalog.get("moonshot-v1-8k")
    assert small is not None
    assert (small.price_in, small.price_out, small.context_window) == (0.5, 1.5, 8192)
    assert small.family == "moonshot-v1"
    mine = catalog.get("my-model")
    assert mine is not None and mine.context_window == 4096


def test_invalid_override_keeps_defaults_and_says_why() -> None:
    override_path().write_text('{"models": [ {"id": "x",, } ]}', encoding="utf-8")
    catalog = load_catalog()
    assert catalog.override_error is not None
    assert "models.json" in catalog.override_error
    assert "line 1" in catalog.override_error
    assert len(catalog.models()) == len(load_builtin_catalog().models())


def test_override_with_a_wrong_value_names_the_entry() -> None:
    _write(override_path(), {"models": [{"id": "moonshot-v1-8k", "context_window": "big"}]})
    catalog = load_catalog()
    assert catalog.override_error is not None
    assert "models[0]" in catalog.override_error
    small = catalog.get("moonshot-v1-8k")
    assert small is not None and small.context_window == 8192


def test_override_without_models_list() -> None:
    _write(override_path(), [1, 2])
    assert "expected" in (load_catalog().override_error or "")


def test_every_current_models_unknown_figure_says_why() -> None:
    """Window, output limit, prices and date for each current model; where a figure is null
    (not given in the sources of 2026-12), the entry's note says so, and prices the catalog
    carries without a checked source say that too."""
    catalog = load_builtin_catalog()
    for model in catalog.current():
        assert model.as_of, model.id
        if model.auto_routes:
            assert "routing alias" in model.note, model.id
            continue
        if model.context_window is None:
            assert "Context window not published" in model.note, model.id
        if model.max_output is None:
            assert "Output limit not given" in model.note, model.id
        if model.price_in is None or model.price_out is None:
            assert "Prices not confirmed" in model.note, model.id
        elif model.provider in ("openai", "anthropic"):
            assert "not re-checked" in model.note, model.id
    # Section 5 of the design notes gives no window for kimi-k3.1-pro: unknown, not guessed.
    pro = catalog.get("kimi-k3.1-pro")
    assert pro is not None and pro.context_window is None and pro.max_output is None
