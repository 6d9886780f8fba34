"""What the window remembers between starts (geometry, splitter, tabs, last workspace) and the
status-bar notes about the app's own state (autosave failing, odd settings files)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QStatusBar, QTabWidget

from workbench.core.settings import Settings
from workbench.ui.common.palette import error_text


def restore_layout(window: QMainWindow, splitter: QSplitter, settings: Settings) -> None:
    """Gives ``window`` and ``splitter`` the geometry and sizes they had when last closed."""
    if settings.window_geometry:
        window.restoreGeometry(QByteArray.fromHex(settings.window_geometry.encode()))
    sizes = settings.splitter_sizes
    if len(sizes) == splitter.count() and sum(sizes) > 0:
        splitter.setSizes(sizes)


def restore_tabs(settings: Settings, main_tabs: QTabWidget, side_tabs: QTabWidget) -> None:
    """Brings the tabs that were current when the window last closed to the front."""
    for tabs, name in ((main_tabs, settings.main_tab), (side_tabs, settings.side_tab)):
        for index in range(tabs.count()):
            page = tabs.widget(index)
            if name and page is not None and page.objectName() == name:
                tabs.setCurrentIndex(index)


def save_layout(
    settings: Settings,
    window: QMainWindow,
    splitter: QSplitter,
    main_tabs: QTabWidget,
    side_tabs: QTabWidget,
    workspace_path: Path | None,
) -> None:
    """Puts the window's geometry, splitter sizes, current tabs and file into ``settings``."""
    settings.window_geometry = bytes(window.saveGeometry().toHex().data()).decode()
    settings.splitter_sizes = list(splitter.sizes())
    for tabs, attribute in ((main_tabs, "main_tab"), (side_tabs, "side_tab")):
        page = tabs.currentWidget()
        setattr(settings, attribute, page.objectName() if page is not None else "")
    settings.last_workspace = str(workspace_path) if workspace_path else ""


def show_state_problems(status_bar: QStatusBar) -> None:
    """Says which of the app's own files held odd values (defaults were used instead)."""
    from workbench.core.json_files import state_problems

    if state_problems:
        status_bar.showMessage(" ".join(state_problems[-3:]), 20000)


class AutosaveWarning(QLabel):
    """Stays in the status bar while autosave fails (a full disk): the work is not safe."""

    def __init__(self, status_bar: QStatusBar) -> None:
        super().__init__()
        self.setObjectName("autosaveWarning")
        self.setAccessibleName("autosaveWarning")
        self.hide()
        error_text(self, when_shown=True)  # (no style sheet before the first paint)
        self._status_bar = status_bar
        status_bar.addPermanentWidget(self)

    def show_failure(self, reason: str) -> None:
        """Says, until an autosave or a save succeeds (``reason`` empty), that the work is not
        autosaved."""
        if not reason:
            self.hide()
            return
        self.setText(self.tr("Autosave failed: {reason}").format(reason=reason))
        self.setToolTip(
            self.tr(
                "Your changes are not autosaved. Save them (Ctrl+S), or free space and keep "
                "working: the next autosave tries again."
            )
        )
        self.show()
        self._status_bar.showMessage(
            self.tr("Autosave failed: {reason}. Save your work.").format(reason=reason), 10000
        )
