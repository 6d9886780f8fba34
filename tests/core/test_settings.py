"""Settings: new fields keep their defaults when missing or invalid."""

from __future__ import annotations

import json

from workbench.core.settings import Settings, write_settings


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


def test_a_late_write_of_older_settings_does_not_undo_a_newer_save() -> None:
    # The window writes the recent-files list on its I/O thread; a save made meanwhile on the UI
    # thread (Preferences) must stay: the older snapshot, written last, is skipped.
    settings = Settings()
    settings.add_recent("/tmp/first.prompt.json")
    older = settings.snapshot()
    settings.theme = "dark"
    settings.save()
    assert not write_settings(older)
    assert Settings.load().theme == "dark"
    newer = settings.snapshot()
    settings.theme = "light"
    assert write_settings(newer)
    assert Settings.load().theme == "dark"
