"""User settings: one typed model, defaults in one place, saved as JSON in the config folder.

Secrets are never part of it: API keys live in the OS keyring (see ``workbench.core.secrets``).
"""

from __future__ import annotations

import itertools
import logging
import math
import threading
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from workbench.core import json_files, paths
from workbench.core.json_files import write_atomic

#: How many runs of one provider stream at once unless the setting
#: ``max_concurrent_per_provider`` says otherwise. Four lets a four-column comparison stream side
#: by side, stays far below the concurrency paid API tiers allow (Moonshot's first paid tier: 50)
#: and does not swamp a local server that answers one request at a time. Batch evaluation queues
#: behind it, visibly (``workbench.core.sessions.Queued``). Defined here, not in the run engine,
#: so that reading the settings at start-up does not import the engine (and the SDK glue).
DEFAULT_MAX_CONCURRENT_PER_PROVIDER = 4

log = logging.getLogger(__name__)

MAX_RECENT = 10
#: Allowed ranges of the numeric settings (a value outside falls back to the default).
RANGES: dict[str, tuple[float, float]] = {
    "autosave_seconds": (0.5, 3600.0),
    "max_answer_mb": (1.0, 4096.0),
    "run_deadline_seconds": (10.0, 86400.0),
}
#: The type of the items of the list settings.
LIST_ITEMS: dict[str, type] = {"recent_files": str, "splitter_sizes": int}
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
    #: The most text (answer, reasoning and tool arguments, in millions of characters) a run
    #: takes before it stops: a hostile or broken server cannot fill the memory.
    max_answer_mb: float = 64.0
    #: The longest a run may take in all (seconds), however steadily the server keeps sending.
    run_deadline_seconds: float = 1800.0
    #: Runs of one provider that stream at once (Send, Compare, evaluation share them); more
    #: wait their turn, visibly. See ``workbench.core.sessions``.
    max_concurrent_per_provider: int = DEFAULT_MAX_CONCURRENT_PER_PROVIDER
    #: One of ``LANGUAGES``; applied at the next start (``WORKBENCH_LANGUAGE`` overrides it).
    language: str = "system"
    #: One of ``THEMES``.
    theme: str = "system"
    #: The desktop's colour scheme (``light`` or ``dark``) last seen: the System theme paints the
    #: window with it at the next start and asks the desktop once that paint is over ("" asks
    #: before it: the question costs the first paint some 25 ms of Qt set-up).
    desktop_scheme: str = ""
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
        """The saved settings; defaults for anything missing, unreadable or of the wrong type.

        Every value not used is noted (:func:`workbench.core.json_files.note_state_problem`)
        with the file and what was wrong; the app always starts.
        """
        try:
            path = cls.path()
        except OSError as error:
            json_files.note_state_problem(f"Settings folder unusable, defaults used: {error}")
            return cls()
        data, problem = json_files.read_state_file(path)
        settings = cls()
        if problem:
            json_files.note_state_problem(f"Settings not used (defaults instead): {problem}")
            return settings
        if data is None:
            return settings
        if not isinstance(data, dict):
            json_files.note_state_problem(
                f"Settings not used (defaults instead): {path}: expected an object"
            )
            return settings
        wrong = []
        for f in fields(cls):
            if f.name not in data:
                continue
            value, ok = _checked(f.name, data[f.name], getattr(settings, f.name))
            if ok:
                setattr(settings, f.name, value)
            else:
                wrong.append(f.name)
        if settings.language not in LANGUAGES:
            settings.language = "system"
            wrong.append("language")
        if settings.theme not in THEMES:
            settings.theme = "system"
            wrong.append("theme")
        if settings.desktop_scheme not in ("", "light", "dark"):
            settings.desktop_scheme = ""
            wrong.append("desktop_scheme")
        if not all(type(size) is int and size >= 0 for size in settings.splitter_sizes):
            settings.splitter_sizes = []
            wrong.append("splitter_sizes")
        if wrong:
            json_files.note_state_problem(
                f"{path}: odd value{'s' if len(wrong) > 1 else ''} of {', '.join(wrong)} "
                "ignored, defaults used"
            )
        return settings

    def save(self) -> None:
        """Writes the settings atomically."""
        write_settings(self.snapshot())

    def snapshot(self) -> SettingsSnapshot:
        """The settings file's text as of now: take it on the thread that changes the settings,
        then :func:`write_settings` it on any thread."""
        text = json_files.dumps(asdict(self), indent=2) + "\n"
        with _write_lock:
            return SettingsSnapshot(text, next(_taken))


@dataclass(frozen=True)
class SettingsSnapshot:
    """The text of the settings file, and when it was taken (a counter)."""

    text: str
    taken: int


#: Snapshots are numbered as they are taken; the number last written to each settings file is
#: kept, so a write on the I/O thread that comes after a newer one (a save on the UI thread) is
#: skipped and the file never goes back to older settings.
_write_lock = threading.Lock()
_taken = itertools.count(1)
_written: dict[Path, int] = {}


def write_settings(snapshot: SettingsSnapshot) -> bool:
    """Writes ``snapshot`` atomically to the settings file, unless a newer one was written
    there already (then False)."""
    path = Settings.path()
    with _write_lock:
        if snapshot.taken < _written.get(path, 0):
            return False
        write_atomic(path, snapshot.text, private=True)
        _written[path] = snapshot.taken
        return True


def _checked(name: str, value: Any, default: Any) -> tuple[Any, bool]:
    """(value, True) when ``value`` fits the setting ``name``; (default, False) otherwise."""
    if isinstance(default, bool):
        return (value, True) if isinstance(value, bool) else (default, False)
    if isinstance(default, float):
        low, high = RANGES.get(name, (-math.inf, math.inf))
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                number = float(value)
            except OverflowError:  # an integer of hundreds of digits
                return default, False
            if math.isfinite(number) and low <= number <= high:
                return number, True
        return default, False
    if isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return (value, True) if ok else (default, False)
    if isinstance(default, str):
        return (value, True) if isinstance(value, str) else (default, False)
    if isinstance(default, list):
        item = LIST_ITEMS.get(name, str)
        if isinstance(value, list) and all(
            isinstance(v, item) and not isinstance(v, bool) for v in value
        ):
            return (value[:MAX_RECENT] if name == "recent_files" else value), True
        return default, False
    return default, False
