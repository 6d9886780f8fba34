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
    figures = {
        "moonshot-v1-8k": (8_192, None, None, None),
        "moonshot-v1-32k": (32_768, None, 1.0, 3.0),
        "moonshot-v1-128k": (131_072, None, 2.0, 5.0),
        "kimi-k2-0711-preview": (131_072, 0.15, 0.6, 2.5),
        "kimi-k2-0905-preview": (262_144, 0.15, 0.6, 2.5),
        "kimi-k2-turbo-preview": (262_144, 0.15, 1.15, 8.0),
        "kimi-k2-thinking": (262_144, 0.15, 0.6, 2.5),
        "kimi-k2.5": (262_144, 0.10, 0.6, 3.0),
    }
    for model_id, (window, cached, price_in, price_out) in figures.items():
        model = catalog.get(model_id)
        assert model is not None, model_id
        assert model.context_window == window
        assert (model.price_in_cached, model.price_in, model.price_out) == (
            cached,
            price_in,
            price_out,
        )
        assert model.as_of
    auto = catalog.get("moonshot-v1-auto")
    assert auto is not None and auto.auto_routes


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
