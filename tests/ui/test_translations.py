"""The Chinese UI: every visible string marked and translated, the .qm files up to date, and the
window, the provider dialog and the Compare tab free of untranslated text in Chinese."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests import translation_check
from workbench.core.resources import example_files
from workbench.core.tokens import encoding
from workbench.ui.common import i18n
from workbench.ui.shell.main_window import MainWindow


def test_every_visible_string_is_marked_translated_and_compiled() -> None:
    problems = translation_check.problems()
    assert not problems, "\n" + "\n".join(problems)


#: Words that stay as they are in the Chinese UI: names, protocols, keys, API terms.
KEEP = re.compile(
    r"\b(JSON|API|URL|HTTPS?|SSE|Kimi|Moonshot|OpenAI|DeepSeek|Ollama|LM Studio|llama\.cpp|"
    r"vLLM|SGLang|TGI|Anthropic|Claude|Markdown|Python|curl|Ctrl|Shift|Alt|Esc|Enter|Return|Tab|"
    r"PgUp|PgDown|Backspace|Del|Up|Down|Prompt Workbench|system|user|assistant|tool|tokens?|"
    r"max_tokens|temperature|top_p|partial|prefix|env|ID|id|Base|Key|keyring|Secret Service|"
    r"Keychain|MemoryKeyring|memory keyring|promptfoo|tiktoken|auto|none|required|tool_choice|"
    r"thinking|"
    r"CodeRunner|Kelsier|beta|[\w.-]+\.(json|py|ts|qm)|[A-Z_]{3,}|\w+_\w+|"
    r"[a-z0-9]+(-[a-z0-9.]+)+)\b"
)


def untranslated(text: str) -> bool:
    """Whether ``text`` still reads as English once names and technical words are taken out.

    A single lower-case word (``moonshot``, ``json_object``) is an API value shown as is."""
    if re.fullmatch(r"[a-z_]+", text):
        return False
    plain = html.unescape(re.sub(r"<[^>]+>", " ", text)).replace("&", "")
    plain = re.sub(r"\w+://\S+", " ", plain)
    plain = KEEP.sub(" ", plain)
    return re.search(r"[A-Za-z]{3,}", plain) is not None


def visible_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) of everything a user reads in ``root``: labels, buttons, tooltips, tabs,
    placeholders, combo items, group titles. Typed content (cards, fields) is the user's, not
    the app's, and is left out."""
    widgets = [root, *root.findChildren(QWidget)]
    for widget in widgets:
        if not widget.isVisibleTo(root) and widget is not root:
            continue
        where = f"{type(widget).__name__} {widget.objectName()!r}"
        if widget.toolTip():
            yield where + " tooltip", widget.toolTip()
        if isinstance(widget, QLabel | QAbstractButton):
            yield where, widget.text()
        elif isinstance(widget, QLineEdit):
            yield where + " placeholder", widget.placeholderText()
        elif isinstance(widget, QGroupBox):
            yield where, widget.title()
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                yield where + f" tab {index}", widget.tabText(index)
        elif isinstance(widget, QComboBox) and not widget.isEditable():
            for index in range(widget.count()):
                yield where + f" item {index}", widget.itemText(index)
        elif isinstance(widget, QAbstractSpinBox):
            yield where + " special", widget.specialValueText()


def menu_texts(window: MainWindow) -> Iterator[tuple[str, str]]:
    """Every menu title and action text of the menu bar, submenus included."""

    def walk(menu: QMenu, path: str) -> Iterator[tuple[str, str]]:
        for action in menu.actions():
            if action.isSeparator():
                continue
            yield f"{path} › action", action.text()
            if action.toolTip() != action.text().replace("&", ""):
                yield f"{path} › {action.text()} tooltip", action.toolTip()
            if action.menu() is not None and menu is not window.menus.recent_menu:
                yield from walk(action.menu(), f"{path} › {action.text()}")

    for action in window.menuBar().actions():
        yield "menu bar", action.text()
        if action.menu() is not None:
            yield from walk(action.menu(), action.text())


def english_left(texts: Iterator[tuple[str, str]]) -> list[str]:
    return sorted({f"{where}: {text!r}" for where, text in texts if text and untranslated(text)})


def test_the_window_in_chinese_shows_no_english(
    chinese: None, qloop: object, open_window, qtbot: QtBot, memory_keyring: object
) -> None:
    encoding()  # the tokenizer loaded: cards show their token badges, the meter its figures
    window: MainWindow = open_window()
    qtbot.waitUntil(lambda: window.features_ready)
    assert i18n.installed_language() == "zh_CN"
    assert QLocale().name() == "zh_CN"
    assert window.send_button.text() == "发送"

    # First start: the empty state and the menus.
    left = english_left(visible_texts(window)) + english_left(menu_texts(window))

    # A workspace open: cards, the meter, the parameters.
    window.open_example(example_files()[0])
    qtbot.waitUntil(lambda: window.message_list.isVisible())
    window.message_list.sync_editors()
    left += english_left(visible_texts(window))

    # The Compare tab.
    compare = window.findChild(QWidget, "compareView")
    window.main_tabs.setCurrentWidget(compare)
    left += english_left(visible_texts(window))

    # The provider dialog.
    window.open_providers()
    dialog = window.findChild(QDialog, "providerDialog")
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: dialog.shown_key_state is not None)
    left += english_left(visible_texts(dialog))
    dialog.close()

    assert not left, "English text left in the Chinese UI:\n" + "\n".join(sorted(set(left)))


def test_untranslated_text_is_found() -> None:
    assert untranslated("Send the conversation")
    assert untranslated("<b>Stop</b> now")
    assert not untranslated("发送 (Ctrl+Enter)")
    assert not untranslated("kimi-k2.5 · moonshot-v1-8k · JSON")
    assert not untranslated("262,144 tokens")


def test_the_cores_marked_messages_are_collected_and_translated() -> None:
    """Run, file and send errors of the core are in the .ts (so the check above covers them)."""
    marked = {(e.context, e.source) for e in translation_check.marked_strings()}
    assert ("RunErrors", "Rate limited{after} {detail}. Wait a little and send again.") in marked
    assert ("FileErrors", "it is a folder, not a file") in marked
    assert ("SendProblems", "The conversation is empty: add a message.") in marked


def test_a_mark_lupdate_cannot_read_is_found(tmp_path: Path) -> None:
    source = tmp_path / "marks.py"
    source.write_text(
        'a = QT_TRANSLATE_NOOP("RunErrors", "No key for {p}.")\n'
        'b = QT_TRANSLATE_NOOP("RunErrors", f"No key for {name}.")\n'
        'c = QT_TRANSLATE_NOOP("RunErrors", "No key for {p}.", p=name)\n'
        "d = QT_TRANSLATE_NOOP(CONTEXT, TEMPLATE)\n",
        encoding="utf-8",
    )
    found = translation_check.unreadable_marks([source])
    assert [item.line for item in found] == [2, 3, 4]
