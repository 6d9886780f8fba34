"""What an empty workspace shows in the card column: one click to each way of starting."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore
from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from workbench.core.resources import example_files
from workbench.ui.common.i18n import QT_TRANSLATE_NOOP
from workbench.ui.common.widgets import named

#: The titles of the bundled examples, by file name (an example not listed here is titled after
#: its file name, untranslated: add it here when you add an example).
EXAMPLE_TITLES = {
    "01-product-json-extraction": QT_TRANSLATE_NOOP("Examples", "Product JSON extraction"),
    "02-role-play-dr-kelsier": QT_TRANSLATE_NOOP("Examples", "Role play: Dr. Kelsier"),
    "03-coderunner-tool-prime": QT_TRANSLATE_NOOP("Examples", "CodeRunner tool: primes"),
    "04-long-review-outgrows-8k": QT_TRANSLATE_NOOP("Examples", "Long review outgrows 8k"),
    "05-product-json-eval": QT_TRANSLATE_NOOP("Examples", "Product JSON evaluation"),
}


def example_title(path: Path) -> str:
    """The menu title of an example file, in the user's language."""
    stem = path.name.removesuffix(".prompt.json")
    if stem in EXAMPLE_TITLES:
        return QCoreApplication.translate("Examples", EXAMPLE_TITLES[stem])
    return stem.split("-", 1)[-1].replace("-", " ").capitalize()


class EmptyState(QFrame):
    """Shown instead of the cards while the workspace has no message (object name ``emptyState``).

    Signals:
        add_key_requested(): the user wants to add a Moonshot key.
        example_requested(path): the user picked an example.
        paste_requested(): the user wants to paste a request body from the clipboard.
        write_requested(): the user wants to start with an empty message.
    """

    add_key_requested = Signal()
    example_requested = Signal(Path)
    paste_requested = Signal()
    write_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "emptyState")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 32, 32, 32)
        layout.setSpacing(10)
        layout.addStretch(1)

        heading = QLabel(self.tr("Start a conversation"))
        heading.setObjectName("emptyStateHeading")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        intro = QLabel(
            self.tr(
                "Each message is a card. Add your API key once, then open an example, paste a "
                "request body from your code, or write the first message yourself."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.add_key_button = self._button(
            "emptyAddKeyButton",
            self.tr("Add a Moonshot API key…"),
            self.tr("Opens Settings › Providers and keys at the key field"),
        )
        self.add_key_button.clicked.connect(self.add_key_requested)
        layout.addWidget(self.add_key_button)

        examples = QLabel(self.tr("Open an example:"))
        layout.addSpacing(6)
        layout.addWidget(examples)
        #: One button per bundled example (object name ``emptyExampleButton``).
        self.example_buttons: list[QPushButton] = []
        for path in example_files():
            button = self._button("emptyExampleButton", example_title(path), str(path.name))
            button.clicked.connect(lambda _=False, p=path: self.example_requested.emit(p))
            self.example_buttons.append(button)
            layout.addWidget(button)
        layout.addSpacing(6)

        self.paste_button = self._button(
            "emptyPasteButton",
            self.tr("Paste a request body (Ctrl+Shift+V)"),
            self.tr("An OpenAI-style request body or a JSON array of messages from the clipboard"),
        )
        self.paste_button.clicked.connect(self.paste_requested)
        layout.addWidget(self.paste_button)
        self.write_button = self._button(
            "emptyWriteButton",
            self.tr("Write the first message (Ctrl+N)"),
            self.tr("Adds an empty user message"),
        )
        self.write_button.clicked.connect(self.write_requested)
        layout.addWidget(self.write_button)
        layout.addStretch(2)

    def _button(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(text)
        button.setToolTip(tip)
        button.setCursor(QtCore.Qt.CursorShape.PointingHandCursor)
        button.setStyleSheet("text-align: left; padding: 6px 12px;")
        return button
