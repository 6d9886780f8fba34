"""Where the app keeps its files: one folder under ``WORKBENCH_HOME`` or the platform's folders."""

from __future__ import annotations

import logging
import os
import posixpath
import sys
from functools import cache
from pathlib import Path

from workbench.core.json_files import note_state_problem

log = logging.getLogger(__name__)
_warned: set[Path] = set()

APP_NAME = "prompt-workbench"


def _home() -> Path | None:
    value = os.environ.get("WORKBENCH_HOME")
    return Path(value).expanduser() if value else None


#: The XDG base directory variable and its default under ``$HOME``, per kind of folder.
_XDG = {"config": ("XDG_CONFIG_HOME", ".config"), "data": ("XDG_DATA_HOME", ".local/share")}


@cache
def _platform_dir(kind: str) -> Path:
    """The platform's ``config`` or ``data`` folder for the app, asked once per process (each
    question checks the paths again: a few ms at start-up, where settings are read twice)."""
    known = xdg_dir(kind)
    if known is not None:
        return known
    import platformdirs

    if kind == "config":
        return Path(platformdirs.user_config_dir(APP_NAME, False))
    return Path(platformdirs.user_data_dir(APP_NAME, False))


def xdg_dir(kind: str) -> Path | None:
    """On Linux, the folder ``platformdirs`` gives, without importing it (4.5 ms of the start).

    The XDG base directory rule: ``$XDG_CONFIG_HOME`` (``$XDG_DATA_HOME``) when it is an absolute
    path, else ``~/.config`` (``~/.local/share``) with an absolute ``$HOME``, and the app's name
    under it. Anything else (another system, Android, a relative variable or one with spaces
    around it, no usable ``$HOME``) is None, left to platformdirs, whose versions differ there.
    ``tests/core/test_paths.py`` checks on generated environments that both give the same
    folder.
    """
    android = hasattr(sys, "getandroidapilevel") or "ANDROID_DATA" in os.environ
    if not sys.platform.startswith("linux") or android:
        return None
    variable, default = _XDG[kind]
    value = os.environ.get(variable, "")
    if value != value.strip():  # platformdirs 4.6-4.14.2 strip it, the others do not
        return None
    if posixpath.isabs(value):
        return Path(value, APP_NAME)
    if value or not posixpath.isabs(os.environ.get("HOME", "")):  # relative: versions differ
        return None
    return Path(os.path.expanduser(f"~/{default}"), APP_NAME)


def config_dir() -> Path:
    """Settings, provider definitions, the model catalog override."""
    home = _home()
    path = home / "config" if home else _platform_dir("config")
    return _made(path)


def data_dir() -> Path:
    """Run history and autosaves."""
    home = _home()
    path = home / "data" if home else _platform_dir("data")
    return _made(path)


def autosave_dir() -> Path:
    """Autosaved copies of open workspaces."""
    return _made(data_dir() / "autosave")


def _made(path: Path) -> Path:
    """``path``, created if missing; a folder that cannot be created is reported, not raised.

    Reading from it then finds nothing (defaults) and writing to it fails where the write is
    made, with that write's message: an unwritable ``WORKBENCH_HOME`` must not stop ``count``.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        if path not in _warned:
            _warned.add(path)
            note_state_problem(f"{path}: cannot create the folder ({error.strerror or error})")
    return path
