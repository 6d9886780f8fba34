"""Door 2, the app's own files: whatever they hold, defaults are used and the file is named.

Generated contents for settings.json, providers.json, the models.json override, the token
calibration and autosave files: damaged valid files, JSON of any shape, odd numbers, deep
nesting, bytes that are not UTF-8. Property: every loader returns usable values (right types,
finite numbers, valid URLs), says which file was not (fully) used, never raises, and leaves the
file as it was (nothing in it is lost); ``count`` still works.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, fields
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.generated.guards import check_cli_outcome, no_hang, run_cli
from tests.generated.strategies import WORKSPACE, file_texts
from workbench.core import json_files
from workbench.core.providers import validate_base_url

SETTINGS = {
    "recent_files": ["/tmp/a.prompt.json"],
    "autosave_seconds": 3.0,
    "compare_sync_scroll": True,
    "max_answer_mb": 64.0,
    "run_deadline_seconds": 1800.0,
    "max_concurrent_per_provider": 2,
    "language": "en",
    "splitter_sizes": [600, 400],
}
PROVIDERS = {
    "providers": [
        {
            "id": "mine",
            "name": "Mine",
            "kind": "custom",
            "base_url": "https://llm.example.com/v1",
            "prefill": "none",
            "key_env": "MINE_API_KEY",
            "needs_key": True,
        }
    ]
}
MODELS = {
    "as_of": "2026-12",
    "models": [
        {
            "id": "moonshot-v1-8k",
            "context_window": 8192,
            "price_in": 0.2,
            "price_out": 2.0,
            "capabilities": {"partial": True},
            "temperature_range": [0, 1],
        },
        {"id": "my-model", "provider": "custom", "family": "mine", "context_window": 4096},
    ],
}
CALIBRATION = {"moonshot-v1": {"ratio": 1.1, "samples": 3}}
AUTOSAVE = {"autosave_of": "/tmp/x.prompt.json", "saved_at": 1.7e9, "workspace": WORKSPACE}

FILES = {
    "settings.json": ("config", SETTINGS),
    "providers.json": ("config", PROVIDERS),
    "models.json": ("config", MODELS),
    "token_calibration.json": ("data", CALIBRATION),
    "x.autosave.json": ("data/autosave", AUTOSAVE),
}


def contents() -> st.SearchStrategy[tuple[str, bytes]]:
    return st.one_of(*(file_texts(t).map(lambda d, n=n: (n, d)) for n, (_, t) in FILES.items()))


def check_loaders(name: str) -> None:
    """Every loader gives usable values whatever ``name`` holds."""
    from workbench.core import autosave
    from workbench.core.catalog import load_catalog
    from workbench.core.providers import ProviderRegistry
    from workbench.core.settings import Settings
    from workbench.core.tokens import MAX_SAMPLES, Calibration

    settings = Settings.load()
    defaults = Settings()
    for f in fields(Settings):
        value, default = getattr(settings, f.name), getattr(defaults, f.name)
        assert type(value) is type(default), (f.name, value)
        if isinstance(value, float):
            assert math.isfinite(value), (f.name, value)
    json_files.dumps(asdict(settings))  # and it can be saved

    registry = ProviderRegistry()
    assert registry.get("moonshot") is not None
    for provider in registry.all():
        assert validate_base_url(provider.base_url) is None, provider
    if registry.load_error:
        assert "providers.json" in registry.load_error

    catalog = load_catalog()
    assert catalog.get("moonshot-v1-8k") is not None
    for model in catalog.models():
        assert model.context_window is None or model.context_window > 0
        for price in (model.price_in, model.price_out, model.price_in_cached):
            assert price is None or math.isfinite(price)
    if catalog.override_error:
        assert "models.json" in catalog.override_error

    calibration = Calibration()
    for family in ("moonshot-v1", "kimi"):
        ratio = calibration.ratio(family)
        assert ratio is None or 0.2 <= ratio <= 5
        assert 0 <= calibration.samples(family) <= MAX_SAMPLES

    for save in autosave.recoverable(None) + autosave.recoverable(Path("/tmp/x.prompt.json")):
        assert math.isfinite(save.saved_at)
        try:
            save.load()
        except ValueError as error:  # WorkspaceError: named, never anything else
            assert save.path.name in str(error)


@given(item=contents())
def test_any_state_file(
    item: tuple[str, bytes],
    workbench_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    name, data = item
    for where, _ in FILES.values():  # one odd file at a time: the others are absent
        for old in (workbench_home / where).glob("*.json"):
            old.unlink()
    folder = workbench_home / FILES[name][0]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    json_files.state_problems.clear()
    with no_hang():
        check_loaders(name)
    # A file not used as it is, is named (only its own loader reads it, so any problem noted
    # concerns it, and the name is in the message).
    for problem in json_files.state_problems:
        assert name in problem or str(folder) in problem, problem
    workspace = tmp_path / "w.prompt.json"
    workspace.write_text(json.dumps(WORKSPACE), encoding="utf-8")
    for argv in (["count", str(workspace)], ["export", str(workspace), "--as", "json"]):
        status, _, err = run_cli(capsys, *argv)
        check_cli_outcome(argv[0], status, err)
        assert status == 0, err
    assert path.read_bytes() == data  # never overwritten: nothing in it is lost
