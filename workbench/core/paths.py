"""Where the app keeps its files: one folder under ``WORKBENCH_HOME`` or the platform's folders."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "prompt-workbench"


def _home() -> Path | None:
    value = os.environ.get("WORKBENCH_HOME")
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    """Settings, provider definitions, the model catalog override."""
    home = _home()
    path = home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME, False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """Run history and autosaves."""
    home = _home()
    path = home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME, False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def autosave_dir() -> Path:
    """Autosaved copies of open workspaces."""
    path = data_dir() / "autosave"
    path.mkdir(parents=True, exist_ok=True)
    return path
