"""Settings: new fields keep their defaults when missing or invalid."""

from __future__ import annotations

import json

from workbench.core.settings import Settings


def test_new_settings_round_trip() -> None:
    settings = Settings()
    settings.language = "zh_CN"
    settings.theme = "dark"
    settings.default_provider = "deepseek"
    settings.default_model = "deepseek-v4-flash"
    settings.reopen_last_workspace = True
    settings.splitter_sizes = [700, 300]
    settings.main_tab = "compareView"
    settings.save()
    assert Settings.load() == settings


def test_unknown_language_theme_and_bad_sizes_fall_back_to_defaults() -> None:
    Settings.path().parent.mkdir(parents=True, exist_ok=True)
    Settings.path().write_text(
        json.dumps({"language": "klingon", "theme": "sepia", "splitter_sizes": [1, "x", -3]}),
        encoding="utf-8",
    )
    loaded = Settings.load()
    assert (loaded.language, loaded.theme, loaded.splitter_sizes) == ("system", "system", [])
