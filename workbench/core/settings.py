"""User settings: one typed model, defaults in one place, saved as JSON in the config folder.

Secrets are never part of it: API keys live in the OS keyring (see ``workbench.core.secrets``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from workbench.core import paths
from workbench.core.sessions import DEFAULT_MAX_CONCURRENT_PER_PROVIDER
from workbench.core.workspace import write_atomic

log = logging.getLogger(__name__)

MAX_RECENT = 10
#: Settings > Language: follow the system locale, or one of the shipped languages.
LANGUAGES = ("system", "en", "zh_CN")
#: Settings > Theme: follow the desktop's colour scheme, or always light or dark.
THEMES = ("system", "light", "dark")


@dataclass
class Settings:
    """Everything the app remembers between sessions, with its defaults."""

    recent_files: list[str] = field(default_factory=list)
    autosave_seconds: float = 3.0
    last_directory: str = ""
    window_geometry: str = ""
    compare_sync_scroll: bool = True
    #: Runs of one provider that stream at once (Send, Compare, evaluation share them); more
    #: wait their turn, visibly. See ``workbench.core.sessions``.
    max_concurrent_per_provider: int = DEFAULT_MAX_CONCURRENT_PER_PROVIDER
    #: One of ``LANGUAGES``; applied at the next start (``WORKBENCH_LANGUAGE`` overrides it).
    language: str = "system"
    #: One of ``THEMES``.
    theme: str = "system"
    #: What New workspace starts with ("" = the first built-in provider, its default model).
    default_provider: str = ""
    default_model: str = ""
    #: Open the workspace file that was open at the last close when the app starts.
    reopen_last_workspace: bool = False
    last_workspace: str = ""
    #: Widths of the main splitter (conversation | side panels), and the tabs last shown
    #: (object names of their pages).
    splitter_sizes: list[int] = field(default_factory=list)
    main_tab: str = ""
    side_tab: str = ""

    def add_recent(self, path: str | Path) -> None:
        """Puts ``path`` first in the recent files, keeping at most ``MAX_RECENT``."""
        text = str(Path(path).resolve())
        self.recent_files = [text] + [p for p in self.recent_files if p != text]
        del self.recent_files[MAX_RECENT:]

    @staticmethod
    def path() -> Path:
        """The settings file."""
        return paths.config_dir() / "settings.json"

    @classmethod
    def load(cls) -> Settings:
        """The saved settings; defaults for anything missing, unreadable or of the wrong type."""
        try:
            data = json.loads(cls.path().read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as error:
            log.warning("Settings unreadable, using defaults: %s", error)
            return cls()
        settings = cls()
        if not isinstance(data, dict):
            return settings
        for f in fields(cls):
            value: Any = data.get(f.name)
            default = getattr(settings, f.name)
            if value is not None and isinstance(value, type(default)):
                setattr(settings, f.name, value)
        if settings.language not in LANGUAGES:
            settings.language = "system"
        if settings.theme not in THEMES:
            settings.theme = "system"
        if not all(type(size) is int and size >= 0 for size in settings.splitter_sizes):
            settings.splitter_sizes = []
        return settings

    def save(self) -> None:
        """Writes the settings atomically."""
        write_atomic(self.path(), json.dumps(asdict(self), indent=2) + "\n", private=True)
