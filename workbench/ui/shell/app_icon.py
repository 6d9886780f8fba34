"""The application icon, built from the PNGs in ``resources/icons`` (no SVG plugin needed)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

from workbench.core.resources import resources_dir

ICON_NAME = "prompt-workbench"


def icon_files() -> list[Path]:
    """The icon's PNG renditions, smallest first."""
    folder = resources_dir() / "icons"
    files = folder.glob(f"{ICON_NAME}-*.png")
    return sorted(files, key=lambda path: int(path.stem.rsplit("-", 1)[1]))


def app_icon() -> QIcon:
    """The window and taskbar icon; null when the resources lack the PNGs."""
    icon = QIcon()
    for path in icon_files():
        icon.addFile(str(path))
    return icon
