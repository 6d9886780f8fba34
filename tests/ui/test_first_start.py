"""First start: the empty state, Send with nothing to send, the default provider and model."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from workbench.core.conversation import Message
from workbench.core.resources import example_files
from workbench.core.settings import Settings
from workbench.core.workspace import Workspace, save_workspace
from workbench.ui.shell.main_window import MainWindow


def child(window: QWidget, kind: type, name: str):
    found = window.findChild(kind, name)
    assert found is not None, name
    return found


def test_an_empty_workspace_shows_the_ways_to_start(open_window, qtbot: QtBot) -> None:
    window: MainWindow = open_window()
    empty = child(window, QWidget, "emptyState")
    assert empty.isVisible() and not window.message_list.isVisible()
    buttons = empty.findChildren(QPushButton)
    names = {b.objectName() for b in buttons}
    assert {"emptyAddKeyButton", "emptyExampleButton", "emptyPasteButton"} <= names
    examples = [b for b in buttons if b.objectName() == "emptyExampleButton"]
    assert len(examples) == len(example_files())

    # One click opens an example: the cards replace the empty state.
    qtbot.mouseClick(examples[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not empty.isVisible())
    assert window.message_list.isVisible()
    assert len(window.workspace.conversation) > 0

    # Deleting every card brings it back.
    while window.workspace.conversation.messages:
        window.editor.do_action(window.workspace.conversation[0].uid, "delete")
    qtbot.waitUntil(empty.isVisible)


def test_send_is_disabled_with_a_reason_while_there_is_nothing_to_send(
    open_window, qtbot: QtBot
) -> None:
    window: MainWindow = open_window()
    send = child(window, QPushButton, "sendButton")
    reason = child(window, QLabel, "sendDisabledReason")
    assert not send.isEnabled() and not window.menus.send_action.isEnabled()
    assert reason.isVisible() and "Nothing to send" in reason.text()
    assert "Nothing to send" in send.toolTip()

    uid = window.workspace.conversation[window.editor.append("user", "")].uid
    assert not send.isEnabled()  # an empty message is nothing to send either
    window.editor.edit_field(uid, "content", "Hello")
    assert send.isEnabled() and window.menus.send_action.isEnabled()
    assert not reason.isVisible()


def test_add_key_opens_the_moonshot_key_field(
    qloop: object, open_window, qtbot: QtBot, memory_keyring: object
) -> None:
    window: MainWindow = open_window()
    qtbot.waitUntil(lambda: window.features_ready)
    qtbot.mouseClick(child(window, QPushButton, "emptyAddKeyButton"), Qt.MouseButton.LeftButton)
    dialog = child(window, QDialog, "providerDialog")
    qtbot.waitUntil(dialog.isVisible)
    assert window.providers.get(dialog.current_id()).kind == "moonshot"
    key_edit = child(dialog, QLineEdit, "apiKeyEdit")
    qtbot.waitUntil(lambda: dialog.focusWidget() is key_edit)
    dialog.close()


def test_paste_from_the_empty_state(open_window, qtbot: QtBot) -> None:
    window: MainWindow = open_window()
    QGuiApplication.clipboard().setText('[{"role": "user", "content": "From my code"}]')
    qtbot.mouseClick(child(window, QPushButton, "emptyPasteButton"), Qt.MouseButton.LeftButton)
    assert [m.content for m in window.workspace.conversation.messages] == ["From my code"]


def test_new_workspace_uses_the_default_provider_and_model(open_window, qtbot: QtBot) -> None:
    settings = Settings.load()
    settings.default_provider = "deepseek"
    settings.default_model = "deepseek-v4-flash"
    settings.save()
    window: MainWindow = open_window()
    assert (window.workspace.params.provider, window.workspace.params.model) == (
        "deepseek",
        "deepseek-v4-flash",
    )
    window.workspace.set_param("provider", "openai")
    window.menus.new_action.trigger()
    assert window.workspace.params.provider == "deepseek"
    assert window.workspace.params.model == "deepseek-v4-flash"


def test_the_preferences_set_the_default_provider(open_window, qtbot: QtBot) -> None:
    window: MainWindow = open_window()
    qtbot.waitUntil(lambda: window.features_ready)
    window.menus.preferences_action.trigger()
    dialog = child(window, QDialog, "preferencesDialog")
    providers = child(dialog, QWidget, "defaultProviderSelector")
    providers.setCurrentIndex(providers.findData("openai"))
    models = child(dialog, QWidget, "defaultModelSelector")
    models.setEditText("gpt-4o")
    dialog.close()
    saved = Settings.load()
    assert (saved.default_provider, saved.default_model) == ("openai", "gpt-4o")
    window.menus.new_action.trigger()
    assert (window.workspace.params.provider, window.workspace.params.model) == (
        "openai",
        "gpt-4o",
    )


def test_examples_are_listed_by_title(tmp_path: Path) -> None:
    from workbench.ui.shell.first_start import example_title

    assert example_title(Path("01-product-json-extraction.prompt.json")) == (
        "Product JSON extraction"
    )
    assert example_title(Path("09-a-new-one.prompt.json")) == "A new one"


def test_the_cards_paint_first_and_the_parameters_panel_comes_with_the_features(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # As the app starts (defer_features): the editable cards are in the first paint; the
    # Parameters panel is built with the features, right after it.
    from workbench.ui.shell.params_panel import ParamsPanel

    path = tmp_path / "first.prompt.json"
    save_workspace(Workspace(messages=[Message(role="user", content="typed before")]), path)
    window = MainWindow(path, defer_features=True)
    qtbot.addWidget(window, before_close_func=lambda w: w.undo_stack.setClean())
    assert window.findChild(ParamsPanel) is None
    window.show()
    qtbot.waitExposed(window)
    (card,) = window.message_list.cards()
    assert card.content_edit.toPlainText() == "typed before"
    assert not card.content_edit.isReadOnly()
    qtbot.waitUntil(lambda: window.features_ready)
    panel = window.findChild(ParamsPanel)
    assert panel is not None and panel is window.params_panel
    assert panel.findChild(QWidget, "providerSelector") is not None
    column = window.params_column
    assert column.indexOf(panel) == column.count() - 2  # under the token meter, above the stretch


def test_the_cards_are_made_once_at_their_width_on_screen(qtbot: QtBot, tmp_path: Path) -> None:
    """As the app starts, the cards are made when the window is shown, at the width they are
    painted at: made with the window, they were laid out at three widths (the splitter and the
    tabs take their sizes in steps as the window is shown), their text wrapped each time."""
    path = tmp_path / "first.prompt.json"
    texts = ["You are terse. " * 12, "Summarise the file. " * 20, "Sure."]
    roles = ("system", "user", "assistant")
    messages = [Message(role=r, content=t) for r, t in zip(roles, texts, strict=True)]
    save_workspace(Workspace(messages=messages), path)
    window = MainWindow(path, defer_features=True)
    qtbot.addWidget(window, before_close_func=lambda w: w.undo_stack.setClean())
    window.resize(1100, 800)
    assert window.message_list.cards() == []  # not before the window is shown
    window.show()
    cards = window.message_list.cards()  # made by show(), before any paint
    assert [card.content_edit.toPlainText() for card in cards] == texts
    viewport = window.message_list.viewport().width()
    assert {card.width() for card in cards} == {viewport}
    # Their texts were measured (laid out to find their heights) at that width alone.
    assert list(window.message_list.card_delegate._exact) == [viewport]
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.features_ready)
