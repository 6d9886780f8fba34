"""Settings › Providers…: keys to the keyring and never shown again, validation, the test."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import shiboken6
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.memory_keyring import MemoryKeyring, installed
from tests.ui.run_helpers import LOOP_ID, SECRET, add_loop_provider, wait_idle
from workbench.core import paths
from workbench.core.providers import Prefill, plain_http_warning
from workbench.core.secrets import SERVICE, KeyStore
from workbench.loopback_server import LoopbackServer
from workbench.ui.providers.provider_dialog import ProviderDialog
from workbench.ui.shell.main_window import MainWindow


@pytest.fixture
def window(
    qloop: asyncio.AbstractEventLoop, open_window: Callable[[], MainWindow], qtbot: QtBot
) -> Iterator[MainWindow]:
    win = open_window()
    yield win
    wait_idle(qtbot, win)


def open_dialog(qtbot: QtBot, window: MainWindow, provider_id: str = "moonshot") -> ProviderDialog:
    """Settings › Providers… on ``provider_id``, once its key state is shown."""
    window.workspace.set_param("provider", provider_id)
    action = window.findChild(QAction, "providersAction")
    assert action is not None
    action.trigger()
    dialog = window.findChild(ProviderDialog, "providerDialog")
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.shown_key_state == provider_id)
    return dialog


def texts(widget: QWidget) -> list[str]:
    """Every text a user can see or copy in ``widget``'s labels and line edits."""
    shown = [label.text() for label in widget.findChildren(QLabel)]
    return shown + [edit.text() for edit in widget.findChildren(QLineEdit)]


def test_a_saved_key_goes_to_the_keyring_and_is_never_shown_again(
    qtbot: QtBot, window: MainWindow, memory_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog(qtbot, window)
    assert dialog.current_id() == "moonshot"
    key_edit = dialog.findChild(QLineEdit, "apiKeyEdit")
    assert key_edit is not None and key_edit.isVisible()
    assert key_edit.echoMode() == QLineEdit.EchoMode.Password

    qtbot.keyClicks(key_edit, SECRET)
    with qtbot.waitSignal(
        dialog.key_state_shown, timeout=5000, check_params_cb=lambda shown: shown == "moonshot"
    ):
        qtbot.mouseClick(dialog.save_key_button, Qt.MouseButton.LeftButton)

    assert memory_keyring.passwords == {(SERVICE, "moonshot"): SECRET}
    assert not key_edit.isVisible() and key_edit.text() == ""
    status = dialog.findChild(QLabel, "keyStatusLabel")
    assert status is not None
    assert f"A key is stored in {KeyStore().backend_name()}" in status.text()
    assert dialog.replace_key_button.isVisible() and dialog.delete_key_button.isVisible()
    assert not any(SECRET in text for text in texts(dialog))
    # Reopening the provider shows the same: stored, not shown. Each wait is for that
    # provider's own key state, so no refresh is left in flight when the test ends.
    with qtbot.waitSignal(
        dialog.key_state_shown, timeout=5000, check_params_cb=lambda shown: shown == "openai"
    ):
        dialog.select("openai")
    with qtbot.waitSignal(
        dialog.key_state_shown, timeout=5000, check_params_cb=lambda shown: shown == "moonshot"
    ):
        dialog.select("moonshot")
    assert not key_edit.isVisible()
    assert not any(SECRET in text for text in texts(dialog))
    for path in paths.config_dir().parent.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_without_a_keyring_it_says_so_and_names_the_variable(
    qtbot: QtBot, window: MainWindow
) -> None:
    with installed(fail.Keyring()):
        dialog = open_dialog(qtbot, window)
    status = dialog.findChild(QLabel, "keyStatusLabel")
    assert status is not None
    assert "No keyring is available" in status.text()
    assert "MOONSHOT_API_KEY" in status.text()
    assert not dialog.save_key_button.isVisible() and not dialog.api_key_edit.isVisible()


def test_base_url_is_checked_as_it_is_typed(
    qtbot: QtBot, window: MainWindow, memory_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog(qtbot, window)
    dialog.start_new()
    edit = dialog.findChild(QLineEdit, "baseUrlEdit")
    assert edit is not None
    qtbot.keyClicks(edit, "ftp://example.com")
    assert dialog.base_url_error.isVisible()
    assert "https://" in dialog.base_url_error.text()
    assert not dialog.test_button.isEnabled()
    edit.setText("http://127.0.0.1:9/v1")
    assert not dialog.base_url_error.isVisible()


def test_a_custom_provider_is_added_tested_and_feeds_the_model_list(
    qtbot: QtBot,
    window: MainWindow,
    memory_keyring: MemoryKeyring,
    loopback: LoopbackServer,
) -> None:
    loopback.models = ["moonshot-v1-128k", "kimi-new-model-x"]
    dialog = open_dialog(qtbot, window)
    dialog.start_new()
    dialog.name_edit.setText("My loop")
    qtbot.keyClicks(dialog.id_edit, "my-loop")
    assert dialog.key_env_edit.text() == "MY_LOOP_API_KEY"
    dialog.kind_selector.setCurrentText("moonshot")
    dialog.base_url_edit.setText(loopback.url + "/")
    with qtbot.waitSignal(dialog.key_state_shown, timeout=5000):
        qtbot.mouseClick(dialog.save_provider_button, Qt.MouseButton.LeftButton)
    saved = window.providers.get("my-loop")
    assert saved is not None and saved.base_url == loopback.url
    assert window.params_panel.provider_selector.findData("my-loop") >= 0

    with qtbot.waitSignal(dialog.connection_tested, timeout=10_000) as tested:
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)

    assert tested.args == ["my-loop", True]
    result = dialog.findChild(QLabel, "connectionResult")
    assert result is not None
    assert "2 models" in result.text() and "Balance: 49.50" in result.text()
    window.workspace.set_param("provider", "my-loop")
    models = [
        window.params_panel.model_selector.itemText(i)
        for i in range(window.params_panel.model_selector.count())
    ]
    assert "kimi-new-model-x" in models and "moonshot-v1-8k" in models  # listed + catalog


def test_a_refused_key_is_explained_by_the_test(
    qtbot: QtBot,
    window: MainWindow,
    memory_keyring: MemoryKeyring,
    loopback: LoopbackServer,
) -> None:
    loopback.api_key = "sk-the-right-one-000000"
    add_loop_provider(window, loopback)
    dialog = open_dialog(qtbot, window, LOOP_ID)
    dialog.api_key_edit.setText(SECRET)  # typed, not saved: the test uses it

    with qtbot.waitSignal(dialog.connection_tested, timeout=10_000) as tested:
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)

    assert tested.args == [LOOP_ID, False]
    assert "401" in dialog.test_result.text()
    assert SECRET not in dialog.test_result.text()
    assert memory_keyring.passwords == {}


def test_choosing_a_kind_for_a_new_provider_picks_its_prefill_style(
    qtbot: QtBot, window: MainWindow, memory_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog(qtbot, window)
    dialog.findChild(QWidget, "addProviderButton").click()
    kind = dialog.findChild(QComboBox, "providerKindSelector")
    prefill = dialog.findChild(QComboBox, "prefillSelector")
    kind.setFocus()
    qtbot.keyClicks(kind, "moonshot")  # picked by keyboard: a user's choice
    assert kind.currentText() == "moonshot"
    assert prefill.currentData() == Prefill.MOONSHOT_PARTIAL.value
    qtbot.wait(QApplication.keyboardInputInterval() + 50)  # a new keyboard search
    qtbot.keyClicks(kind, "local")
    assert prefill.currentData() == Prefill.TRAILING_ASSISTANT.value
    assert not dialog.findChild(QCheckBox, "needsKeyCheck").isChecked()
    # The style stays the user's to change after the kind.
    prefill.setCurrentIndex(prefill.findData(Prefill.CONTINUE_FINAL.value))
    dialog.findChild(QLineEdit, "providerNameEdit").setText("Box")
    qtbot.keyClicks(dialog.findChild(QLineEdit, "providerIdEdit"), "box")
    dialog.findChild(QLineEdit, "baseUrlEdit").setText("http://127.0.0.1:9/v1")
    dialog.findChild(QWidget, "saveProviderButton").click()
    saved = window.providers.get("box")
    assert saved is not None and saved.prefill is Prefill.CONTINUE_FINAL and saved.kind == "local"


def test_enter_in_a_field_never_wipes_the_form_and_close_asks_about_edits(
    qtbot: QtBot, window: MainWindow, memory_keyring: MemoryKeyring, user_dialogs: Any
) -> None:
    from workbench.ui.common import dialogs

    dialog = open_dialog(qtbot, window)
    dialog.start_new()
    dialog.name_edit.setText("My gateway")
    qtbot.keyClicks(dialog.id_edit, "gateway")
    dialog.base_url_edit.setFocus()
    qtbot.keyClicks(dialog.base_url_edit, "http://127.0.0.1:9/v1")
    # Enter saves the provider being filled in; it never starts another blank one.
    with qtbot.waitSignal(dialog.key_state_shown, timeout=5000):
        qtbot.keyClick(dialog.base_url_edit, Qt.Key.Key_Return)
    assert window.providers.get("gateway") is not None
    assert dialog.name_edit.text() == "My gateway"

    dialog.base_url_edit.setText("http://127.0.0.1:10/v1")  # edited, not saved
    user_dialogs.answers.append(dialogs.Button.Cancel)
    dialog.reject()
    assert dialog.isVisible()
    assert "Save the changes to this provider" in user_dialogs.questions[-1]
    user_dialogs.answers.append(dialogs.Button.Save)
    dialog.reject()
    assert not dialog.isVisible()
    saved = window.providers.get("gateway")
    assert saved is not None and saved.base_url == "http://127.0.0.1:10/v1"


def test_plain_http_to_another_machine_is_warned_at_the_base_url_field_while_typing(
    qtbot: QtBot, window: MainWindow, memory_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog(qtbot, window)  # Moonshot: runs send a key
    warning = dialog.findChild(QLabel, "baseUrlWarning")
    assert warning is not None and warning.isHidden()
    url = dialog.base_url_edit
    url.selectAll()
    qtbot.keyClicks(url, "http://gateway.example.com/v1")
    # Said while typing, in the words of the run's own check (core.providers).
    assert warning.isVisible()
    assert "gateway.example.com is reached over plain http://" in warning.text()
    assert plain_http_warning(url.text(), SECRET) is not None
    qtbot.keyClick(url, Qt.Key.Key_Home)
    qtbot.keyClicks(url, "x")  # "xhttp://...": not a URL, so its error says it all
    assert warning.isHidden() and dialog.base_url_error.isVisible()
    url.setText("https://gateway.example.com/v1")
    assert warning.isHidden()
    url.setText("http://127.0.0.1:8000/v1")  # a local server: plain http is normal
    assert warning.isHidden()

    # A provider that sends no key warns only once a key is typed for it.
    dialog.start_new()
    dialog.needs_key_check.setChecked(False)
    dialog.base_url_edit.setText("http://10.0.0.5:4000/v1")
    assert warning.isHidden()
    dialog.needs_key_check.setChecked(True)
    assert warning.isVisible() and "10.0.0.5" in warning.text()
    with qtbot.waitSignal(dialog.key_state_shown, timeout=5000):
        dialog.select("moonshot")
    assert warning.isHidden()


def test_a_typed_key_not_saved_is_asked_about_on_close_and_escape(
    qtbot: QtBot, window: MainWindow, memory_keyring: MemoryKeyring, user_dialogs: Any
) -> None:
    from workbench.ui.common import dialogs

    dialog = open_dialog(qtbot, window)
    key_edit = dialog.api_key_edit
    qtbot.keyClicks(key_edit, SECRET)
    # Close: stay (Cancel) keeps the dialog and the typed key.
    user_dialogs.answers.append(dialogs.Button.Cancel)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close).click()
    assert user_dialogs.questions == ["Unsaved key: Save the key you typed for Moonshot (global)?"]
    assert dialog.isVisible() and key_edit.text() == SECRET
    # Escape, then Discard: closed, the key dropped, nothing stored.
    user_dialogs.answers.append(dialogs.Button.Discard)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and key_edit.text() == ""
    assert memory_keyring.passwords == {}

    # Typed again, then Close and Save: the key goes to the keyring.
    dialog = open_dialog(qtbot, window)
    qtbot.keyClicks(dialog.api_key_edit, SECRET)
    user_dialogs.answers.append(dialogs.Button.Save)
    with qtbot.waitSignal(dialog.key_state_shown, timeout=5000):
        dialog.reject()
    assert not dialog.isVisible()
    assert memory_keyring.passwords == {(SERVICE, "moonshot"): SECRET}
    assert len(user_dialogs.questions) == 3


def test_a_late_key_state_on_a_deleted_dialog_is_dropped(
    qtbot: QtBot, window: MainWindow, memory_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog(qtbot, window)
    gate = threading.Event()
    real = memory_keyring.get_password

    def slow_get(service: str, user: str) -> str | None:
        gate.wait(10)
        return real(service, user)

    memory_keyring.get_password = slow_get  # type: ignore[method-assign]
    dialog.select("openai")  # its key state is read on a worker thread, held at the gate
    refresh = next(iter(dialog._tasks.coroutines))
    shiboken6.delete(dialog)  # the window dropped the dialog while the keyring answered
    gate.set()
    qtbot.waitUntil(refresh.done, timeout=5000)
    # Before: the late answer reached the deleted widgets (RuntimeError in the task).
    assert refresh.cancelled() or refresh.exception() is None
