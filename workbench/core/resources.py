"""Files shipped with the app (model catalog, examples), from source, wheel or frozen bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """The folder holding ``models.json`` and ``examples/``."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    source = Path(__file__).resolve().parents[2] / "resources"
    if source.is_dir():
        return source
    import workbench.resources as package  # installed from a wheel: resources is a package

    return Path(package.__file__).resolve().parent


def examples_dir() -> Path:
    """The example workspaces of File > Examples."""
    return resources_dir() / "examples"


def example_files() -> list[Path]:
    """The example workspaces, sorted by file name."""
    return sorted(examples_dir().glob("*.prompt.json"))
