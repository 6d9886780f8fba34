"""Every modal question the app asks goes through these functions, which tests replace.

Tests monkeypatch ``workbench.ui.common.dialogs.ask`` (and the file choosers) to answer without a
human.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

# The dialog classes are imported when a dialog opens: their types (and enums) cost ~5 ms before
# the first paint, which needs none of them.
if TYPE_CHECKING:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QMessageBox, QWidget

    #: The buttons of :func:`ask` (``QMessageBox.StandardButton``).
    Button = QMessageBox.StandardButton
else:

    def __getattr__(name: str) -> object:
        if name == "Button":
            from PySide6.QtWidgets import QMessageBox

            return QMessageBox.StandardButton
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def file_filter() -> str:
    """The workspace filter of the file dialogs, in the user's language."""
    return QCoreApplication.translate(
        "Dialogs",
        "Prompt workspaces (*.prompt.json);;JSON files (*.json);;"
        "promptfoo configs (*.yaml *.yml);;All files (*)",
    )


def json_filter() -> str:
    """The JSON filter of the file dialogs, in the user's language."""
    return QCoreApplication.translate("Dialogs", "JSON files (*.json);;All files (*)")


def ask(
    parent: QWidget | None,
    title: str,
    text: str,
    buttons: Button | None = None,
    default: Button | None = None,
    informative: str = "",
) -> Button:
    """Asks a question in a message box and returns the button pressed (by default Yes or No,
    Yes the default button)."""
    from PySide6.QtWidgets import QMessageBox

    button = QMessageBox.StandardButton
    if buttons is None:
        buttons = button.Yes | button.No
    box = QMessageBox(QMessageBox.Icon.Question, title, text, buttons, parent)
    box.setDefaultButton(button.Yes if default is None else default)
    if informative:
        box.setInformativeText(informative)
    return button(box.exec())


def show_error(parent: QWidget | None, title: str, text: str, detail: str = "") -> None:
    """Tells the user something failed (modal: it needs reading)."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    if detail:
        box.setInformativeText(detail)
    box.exec()


def show_about(
    parent: QWidget | None, title: str, text: str, detail: str = "", icon: QIcon | None = None
) -> None:
    """Says what the app is (modal), with its icon; the information icon when it has none.

    Not :func:`show_error`: a warning sign over the version number reads as a fault.
    """
    from PySide6.QtWidgets import QMessageBox

    ok = QMessageBox.StandardButton.Ok
    box = QMessageBox(QMessageBox.Icon.Information, title, text, ok, parent)
    if icon is not None and not icon.isNull():
        box.setIconPixmap(icon.pixmap(64, 64))
    if detail:
        box.setInformativeText(detail)
    box.exec()


def choose_export_path(parent: QWidget | None, suggested: str, file_filter: str) -> str | None:
    """Where to export something (a comparison...), or None when the user cancels."""
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getSaveFileName(
        parent, QCoreApplication.translate("Dialogs", "Export"), suggested, file_filter
    )
    return path or None


def choose_open_path(parent: QWidget | None, directory: str = "") -> str | None:
    """A file to open, or None when the user cancels."""
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getOpenFileName(
        parent, QCoreApplication.translate("Dialogs", "Open workspace"), directory, file_filter()
    )
    return path or None


def choose_save_path(parent: QWidget | None, suggested: str = "") -> str | None:
    """Where to save, or None when the user cancels."""
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getSaveFileName(
        parent, QCoreApplication.translate("Dialogs", "Save workspace"), suggested, file_filter()
    )
    return path or None


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """Multi-line text the user types or pastes, or None when they cancel."""
    from PySide6.QtWidgets import QInputDialog

    value, accepted = QInputDialog.getMultiLineText(parent, title, label, text)
    return value if accepted else None


def choose_json_open_path(parent: QWidget | None, title: str, directory: str = "") -> str | None:
    """A JSON file to read (tools, say), or None when the user cancels."""
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getOpenFileName(parent, title, directory, json_filter())
    return path or None


def choose_json_save_path(parent: QWidget | None, title: str, suggested: str = "") -> str | None:
    """Where to write a JSON file, or None when the user cancels."""
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, json_filter())
    return path or None


def tests_filter() -> str:
    """The test-case files filter, in the user's language."""
    return QCoreApplication.translate(
        "Dialogs",
        "Test cases (*.csv *.jsonl *.tsv);;CSV (*.csv);;JSON Lines (*.jsonl);;All files (*)",
    )


def choose_tests_open_path(parent: QWidget | None) -> str | None:
    """A CSV or JSONL file of test cases to import, or None when the user cancels."""
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getOpenFileName(
        parent, QCoreApplication.translate("Dialogs", "Import test cases"), "", tests_filter()
    )
    return path or None


def choose_tests_save_path(parent: QWidget | None, suggested: str) -> str | None:
    """Where to export the test cases (CSV or JSONL by the suffix), or None when cancelled."""
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getSaveFileName(
        parent,
        QCoreApplication.translate("Dialogs", "Export test cases"),
        suggested,
        tests_filter(),
    )
    return path or None
