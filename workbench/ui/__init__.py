"""PySide6 widgets over the Qt-free core. Holds no business rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.ui.shell.main_window import MainWindow

__all__ = ["MainWindow"]


def __getattr__(name: str) -> Any:
    # Imported lazily so that `import workbench.ui` stays cheap.
    if name == "MainWindow":
        from workbench.ui.shell.main_window import MainWindow

        return MainWindow
    raise AttributeError(name)
