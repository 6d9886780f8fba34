"""Settings › Providers…: the provider list, custom providers, keys in the OS keyring, a test.

Keys go to the OS keyring through :class:`~workbench.core.secrets.KeyStore` and are never shown
again: once saved, the key field gives way to "a key is stored in <backend>" with Replace and
Delete. Without a usable keyring the dialog says so and names the environment variable to set
instead; nothing is ever written to a file. Keyring calls and the connection test run off the UI
thread.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QCoreApplication, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.core.connection import check_connection
from workbench.core.providers import (
    KINDS,
    Prefill,
    ProviderConfig,
    ProviderError,
    ProviderRegistry,
    default_key_env,
    normalize_base_url,
    plain_http_host,
    validate_base_url,
)
from workbench.core.secrets import KeyStore, KeyStoreError, NoKeyringError, redact
from workbench.ui.common import dialogs
from workbench.ui.common.background import BackgroundTasks
from workbench.ui.common.i18n import QT_TRANSLATE_NOOP, decimal, provider_name, shown
from workbench.ui.common.palette import ThemedStyleSheet, error_text
from workbench.ui.common.widgets import named

if TYPE_CHECKING:
    from workbench.ui.context import AppContext, Shell

log = logging.getLogger(__name__)

PREFILL_NAMES = {
    Prefill.MOONSHOT_PARTIAL: QT_TRANSLATE_NOOP("ProviderDialog", "Moonshot partial message"),
    Prefill.DEEPSEEK_PREFIX: QT_TRANSLATE_NOOP("ProviderDialog", "DeepSeek prefix (beta URL)"),
    Prefill.CONTINUE_FINAL: QT_TRANSLATE_NOOP(
        "ProviderDialog", "vLLM/SGLang continue_final_message"
    ),
    Prefill.TRAILING_ASSISTANT: QT_TRANSLATE_NOOP(
        "ProviderDialog", "Trailing assistant message (local servers)"
    ),
    Prefill.NONE: QT_TRANSLATE_NOOP("ProviderDialog", "Cannot prefill"),
}
#: The prefill style a kind's servers speak, chosen with the kind (still changeable after);
#: "custom" keeps whatever is selected.
KIND_PREFILL = {
    "moonshot": Prefill.MOONSHOT_PARTIAL,
    "openai": Prefill.NONE,
    "deepseek": Prefill.DEEPSEEK_PREFIX,
    "vllm": Prefill.CONTINUE_FINAL,
    "local": Prefill.TRAILING_ASSISTANT,
}


@dataclass(frozen=True)
class KeyState:
    """What the keyring holds for one provider, read off the UI thread."""

    available: bool
    backend: str
    stored: bool
    error: str | None = None


def read_key_state(keys: KeyStore, provider_id: str) -> KeyState:
    """The keyring's state for ``provider_id`` (blocking: call it on a worker thread)."""
    if not keys.available():
        return KeyState(False, keys.backend_name(), False)
    try:
        return KeyState(True, keys.backend_name(), keys.get(provider_id) is not None)
    except NoKeyringError:
        return KeyState(False, "none", False)
    except KeyStoreError as error:
        return KeyState(True, keys.backend_name(), False, str(error))


class ProviderDialog(QDialog):
    """Adds, edits and removes providers, stores their keys and tests them.

    Args:
        registry: The providers (presets and the user's own).
        keys: The OS keyring.
        parent: The window it belongs to.

    Signals:
        providers_changed(): a provider was added, edited or removed.
        models_listed(provider_id, models): a connection test listed these model ids.
        key_state_shown(provider_id): the key section now shows the keyring's state (tests wait).
        connection_tested(provider_id, ok): a connection test ended.
    """

    providers_changed = Signal()
    models_listed = Signal(str, list)
    key_state_shown = Signal(str)
    connection_tested = Signal(str, bool)

    def __init__(
        self, registry: ProviderRegistry, keys: KeyStore, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        named(self, "providerDialog")
        self.setWindowTitle(self.tr("Providers"))
        self.resize(880, 660)
        self.registry = registry
        self.keys = keys
        self._tasks = BackgroundTasks(self)
        # Deleted with its window: the keyring and network work it started must not come back
        # to widgets that are gone.
        tasks = self._tasks
        self.destroyed.connect(lambda _obj=None: tasks.shutdown())
        self._new = False  # the form holds a provider not yet added
        self._focus_key = False  # focus the key field once the key state is shown
        self._key_stored = False  # the keyring holds a key for the provider shown
        #: The provider whose key state the key section shows (None while it is being read).
        self.shown_key_state: str | None = None
        self._build()
        self.reload()

    # Layout ----------------------------------------------------------------------------------

    def _build(self) -> None:
        self.provider_list = QListWidget()
        named(self.provider_list, "providerList")
        self.add_button = QPushButton(self.tr("Add custom…"))
        self.add_button.setObjectName("addProviderButton")
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setObjectName("removeProviderButton")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.provider_list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        left_layout.addLayout(buttons)

        self.name_edit = self._line("providerNameEdit", self.tr("My server"))
        self.id_edit = self._line("providerIdEdit", "my-server")
        self.kind_selector = QComboBox()
        self.kind_selector.setObjectName("providerKindSelector")
        self.kind_selector.addItems(list(KINDS))
        self.prefill_selector = QComboBox()
        self.prefill_selector.setObjectName("prefillSelector")
        for style, text in PREFILL_NAMES.items():
            self.prefill_selector.addItem(self.tr(text), style.value)
        self.base_url_edit = self._line("baseUrlEdit", "https://api.example.com/v1")
        self.base_url_error = QLabel()
        self.base_url_error.setObjectName("baseUrlError")
        error_text(self.base_url_error)
        self.base_url_error.setWordWrap(True)
        self.base_url_error.hide()
        self.base_url_warning = QLabel()
        self.base_url_warning.setObjectName("baseUrlWarning")
        ThemedStyleSheet(self.base_url_warning, lambda c: f"color: {c.warning};")
        self.base_url_warning.setWordWrap(True)
        self.base_url_warning.hide()
        self.key_env_edit = self._line("keyEnvEdit", "MY_SERVER_API_KEY")
        self.needs_key_check = QCheckBox(self.tr("Needs an API key"))
        self.needs_key_check.setObjectName("needsKeyCheck")
        self.save_provider_button = QPushButton(self.tr("Save provider"))
        self.save_provider_button.setObjectName("saveProviderButton")
        self.provider_error = QLabel()
        self.provider_error.setObjectName("providerError")
        error_text(self.provider_error)
        self.provider_error.setWordWrap(True)
        self.provider_error.hide()
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name_edit)
        form.addRow(self.tr("Id"), self.id_edit)
        form.addRow(self.tr("Kind"), self.kind_selector)
        form.addRow(self.tr("Prefill"), self.prefill_selector)
        form.addRow(self.tr("Base URL"), self.base_url_edit)
        form.addRow("", self.base_url_error)
        form.addRow("", self.base_url_warning)
        form.addRow(self.tr("Key variable"), self.key_env_edit)
        form.addRow("", self.needs_key_check)
        provider_box = QGroupBox(self.tr("Provider"))
        provider_layout = QVBoxLayout(provider_box)
        provider_layout.addLayout(form)
        provider_layout.addWidget(self.provider_error)
        provider_layout.addWidget(self.save_provider_button, 0, Qt.AlignmentFlag.AlignRight)

        self.key_status = QLabel()
        self._key_status_error = error_text(self.key_status, on=False)
        named(self.key_status, "keyStatusLabel")
        self.key_status.setWordWrap(True)
        self.key_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.api_key_edit = self._line("apiKeyEdit", self.tr("Paste the API key"))
        self.api_key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.save_key_button = QPushButton(self.tr("Save key"))
        named(self.save_key_button, "saveKeyButton")
        self.replace_key_button = QPushButton(self.tr("Replace…"))
        self.replace_key_button.setObjectName("replaceKeyButton")
        self.delete_key_button = QPushButton(self.tr("Delete key"))
        self.delete_key_button.setObjectName("deleteKeyButton")
        key_row = QHBoxLayout()
        key_row.addWidget(self.api_key_edit, 1)
        for key_button in (self.save_key_button, self.replace_key_button, self.delete_key_button):
            key_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            key_row.addWidget(key_button)
        key_row.addStretch(0)
        key_box = QGroupBox(self.tr("API key"))
        key_layout = QVBoxLayout(key_box)
        key_layout.addWidget(self.key_status)
        key_layout.addLayout(key_row)

        self.test_button = QPushButton(self.tr("Test connection"))
        named(self.test_button, "testConnectionButton")
        self.test_result = QLabel()
        named(self.test_result, "connectionResult")
        self.test_result.setWordWrap(True)
        self._test_result_error = error_text(self.test_result, on=False)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model_list = QListWidget()
        named(self.model_list, "listedModels")
        self.model_list.setMaximumHeight(110)
        test_box = QGroupBox(self.tr("Connection"))
        test_layout = QVBoxLayout(test_box)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        test_layout.addLayout(test_row)
        test_layout.addWidget(self.model_list)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(provider_box)
        right_layout.addWidget(key_box)
        right_layout.addWidget(test_box)
        right_layout.addStretch(1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([240, 580])
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(close)

        self.provider_list.currentRowChanged.connect(lambda _row: self._show_current())
        self.add_button.clicked.connect(self.start_new)
        self.remove_button.clicked.connect(self.remove_current)
        self.base_url_edit.textChanged.connect(self._check_base_url)
        self.needs_key_check.toggled.connect(lambda _on: self._warn_plain_http())
        self.api_key_edit.textChanged.connect(lambda _text: self._warn_plain_http())
        self.kind_selector.activated.connect(lambda _i: self._kind_chosen())
        self.id_edit.textEdited.connect(
            lambda text: self.key_env_edit.setText(default_key_env(text)) if self._new else None
        )
        self.save_provider_button.clicked.connect(self.save_provider)
        self.save_key_button.clicked.connect(self.save_key)
        self.api_key_edit.returnPressed.connect(self.save_key)
        self.replace_key_button.clicked.connect(self._ask_for_new_key)
        self.delete_key_button.clicked.connect(self.delete_key)
        self.test_button.clicked.connect(self.test_connection)
        # Enter in a field acts on that field's section, never on whichever button a dialog
        # makes its default ("Add custom…" took Enter and wiped the form being filled in).
        for push_button in self.findChildren(QPushButton):
            push_button.setAutoDefault(False)
            push_button.setDefault(False)
        for field in (self.name_edit, self.id_edit, self.base_url_edit, self.key_env_edit):
            field.returnPressed.connect(self.save_provider)

    def _kind_chosen(self) -> None:
        """The user picked a kind: its prefill style (and key need) come with it.

        Left alone, a new provider of kind moonshot kept the form's "trailing assistant" style
        and sent partial cards as plain assistant messages.
        """
        kind = self.kind_selector.currentText()
        style = KIND_PREFILL.get(kind)
        if style is not None:
            self.prefill_selector.setCurrentIndex(self.prefill_selector.findData(style.value))
            self.needs_key_check.setChecked(kind != "local")

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        named(edit, name)
        edit.setPlaceholderText(placeholder)
        return edit

    @property
    def busy(self) -> bool:
        """Whether keyring, network or history work it started is still in flight."""
        return self._tasks.busy

    # The list --------------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        """Lists the registry's providers, keeping (or moving to) a selection."""
        current = select or self.current_id()
        with QSignalBlocker(self.provider_list):
            self.provider_list.clear()
            for provider in self.registry.all():
                built_in = self.registry.is_preset(provider.id)
                label = provider_name(provider.name) + ("" if built_in else self.tr("  (custom)"))
                if built_in and self.registry.is_edited(provider.id):
                    label += "  (edited)"
                item = QListWidgetItem(label)
                item.setData(Qt.ItemDataRole.UserRole, provider.id)
                item.setToolTip(provider.base_url)
                self.provider_list.addItem(item)
        ids = [p.id for p in self.registry.all()]
        self.provider_list.setCurrentRow(ids.index(current) if current in ids else 0)
        self._show_current()

    def current_id(self) -> str | None:
        """The id of the selected provider."""
        item = self.provider_list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def select(self, provider_id: str) -> None:
        """Selects the provider ``provider_id``."""
        for row in range(self.provider_list.count()):
            item = self.provider_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == provider_id:
                self.provider_list.setCurrentRow(row)
                return

    def _show_current(self) -> None:
        provider_id = self.current_id()
        provider = self.registry.get(provider_id) if provider_id else None
        if provider is None:
            return
        self._new = False
        self._key_stored = False  # until the keyring says otherwise
        self._show_provider(provider)
        built_in = self.registry.is_preset(provider.id)
        self.remove_button.setText(self.tr("Restore defaults") if built_in else self.tr("Remove"))
        self.remove_button.setEnabled(not built_in or self.registry.is_edited(provider.id))
        self.id_edit.setReadOnly(True)
        self.model_list.clear()
        self.test_result.clear()
        self.shown_key_state = None
        self._tasks.spawn(self._refresh_key_state(provider.id))

    def _show_provider(self, provider: ProviderConfig) -> None:
        self.name_edit.setText(provider.name)
        self.id_edit.setText(provider.id)
        self.kind_selector.setCurrentText(provider.kind)
        self.prefill_selector.setCurrentIndex(
            self.prefill_selector.findData(provider.prefill.value)
        )
        self.base_url_edit.setText(provider.base_url)
        self.key_env_edit.setText(provider.key_env)
        self.needs_key_check.setChecked(provider.needs_key)
        self.provider_error.hide()

    def start_new(self) -> None:
        """Clears the form for a custom provider (added by Save provider)."""
        self._new = True
        self._key_stored = False
        with QSignalBlocker(self.provider_list):
            self.provider_list.clearSelection()
            self.provider_list.setCurrentRow(-1)
        self._show_provider(
            ProviderConfig("", "", "custom", "", Prefill.TRAILING_ASSISTANT, "", needs_key=True)
        )
        self.id_edit.setReadOnly(False)
        self.remove_button.setEnabled(False)
        self.key_status.setText(self.tr("Save the provider first, then its key."))
        self._set_key_widgets(entry=False, stored=False)
        self.name_edit.setFocus()

    def unsaved_changes(self) -> bool:
        """Whether the provider form holds edits that were not saved."""
        if self._new:
            return any(
                field.text().strip() for field in (self.name_edit, self.id_edit, self.base_url_edit)
            )
        provider_id = self.current_id()
        provider = self.registry.get(provider_id) if provider_id else None
        if provider is None:
            return False
        shown = self.form_config()
        return (
            shown.name,
            shown.kind,
            shown.base_url,
            shown.prefill,
            shown.key_env,
            shown.needs_key,
        ) != (
            provider.name,
            provider.kind,
            provider.base_url,
            provider.prefill,
            provider.key_env,
            provider.needs_key,
        )

    def typed_key(self) -> str:
        """The key typed into the key field and not saved yet ("" when none)."""
        if self._new or not self.api_key_edit.isVisibleTo(self):
            return ""
        return self.api_key_edit.text().strip()

    def done(self, result: int) -> None:
        """Closing (Close, Escape) with a typed key or form edits not saved asks first: save
        them, drop them, or stay."""
        if self.typed_key():
            provider = self.registry.get(self.current_id() or "")
            name = provider_name(provider.name) if provider else self.current_id()
            answer = dialogs.ask(
                self,
                self.tr("Unsaved key"),
                self.tr("Save the key you typed for {provider}?").format(provider=name),
                dialogs.Button.Save | dialogs.Button.Discard | dialogs.Button.Cancel,
                dialogs.Button.Save,
                self.tr("A key is only kept once it is saved to the keyring."),
            )
            if answer == dialogs.Button.Cancel:
                return
            if answer == dialogs.Button.Save:
                self.save_key()
            else:
                self.api_key_edit.clear()
        if self.unsaved_changes():
            answer = dialogs.ask(
                self,
                self.tr("Unsaved provider"),
                self.tr("Save the changes to this provider before closing?"),
                dialogs.Button.Save | dialogs.Button.Discard | dialogs.Button.Cancel,
                dialogs.Button.Save,
                self.tr("A tested connection is not saved until you save the provider."),
            )
            if answer == dialogs.Button.Cancel:
                return
            if answer == dialogs.Button.Save:
                self.save_provider()
                if self.unsaved_changes():
                    return  # the form says why it cannot be saved
        super().done(result)

    def form_config(self) -> ProviderConfig:
        """The provider the form describes."""
        return ProviderConfig(
            self.id_edit.text().strip(),
            self.name_edit.text().strip(),
            self.kind_selector.currentText(),
            normalize_base_url(self.base_url_edit.text()),
            Prefill(self.prefill_selector.currentData()),
            self.key_env_edit.text().strip(),
            self.needs_key_check.isChecked(),
        )

    def _check_base_url(self, text: str) -> bool:
        problem = validate_base_url(text)
        self.base_url_error.setText(problem or "")
        self.base_url_error.setVisible(problem is not None)
        self.test_button.setEnabled(problem is None)
        self._warn_plain_http()
        return problem is None

    def _sends_a_key(self) -> bool:
        """Whether runs of the provider in the form would send a key."""
        return (
            self.needs_key_check.isChecked()
            or bool(self.api_key_edit.text().strip())
            or self._key_stored
        )

    def _warn_plain_http(self) -> None:
        """The run's plain-http check, said at the Base URL field while it is typed."""
        text = self.base_url_edit.text()
        host = None if validate_base_url(text) else plain_http_host(text, self._sends_a_key())
        self.base_url_warning.setText(
            self.tr(
                "{host} is reached over plain http://, so the API key and the prompt would travel "
                "unencrypted. Use https:// if the server offers it."
            ).format(host=host)
            if host
            else ""
        )
        self.base_url_warning.setVisible(host is not None)

    def save_provider(self) -> None:
        """Adds or updates the provider in the form; shows why when it cannot."""
        if not self._check_base_url(self.base_url_edit.text()):
            return
        config = self.form_config()
        try:
            saved = self.registry.add(config) if self._new else self.registry.update(config)
        except ProviderError as error:
            self.provider_error.setText(str(error))
            self.provider_error.show()
            return
        self.reload(select=saved.id)
        self.providers_changed.emit()

    def remove_current(self) -> None:
        """Removes a custom provider (asking first) or restores a preset's defaults."""
        provider_id = self.current_id()
        if provider_id is None:
            return
        provider = self.registry.get(provider_id)
        name = provider_name(provider.name) if provider else provider_id
        built_in = self.registry.is_preset(provider_id)
        question = (
            self.tr("Restore the defaults of {name}?").format(name=name)
            if built_in
            else self.tr("Remove {name}?").format(name=name)
        )
        answer = dialogs.ask(
            self,
            self.tr("Providers"),
            question,
            dialogs.Button.Yes | dialogs.Button.No,
            dialogs.Button.No,
            "" if built_in else self.tr("Its key stays in the keyring until you delete it."),
        )
        if answer != dialogs.Button.Yes:
            return
        try:
            self.registry.remove(provider_id)
        except ProviderError as error:
            self.provider_error.setText(str(error))
            self.provider_error.show()
            return
        self.reload(select=provider_id if built_in else None)
        self.providers_changed.emit()

    # Keys ------------------------------------------------------------------------------------

    def _set_key_widgets(self, *, entry: bool, stored: bool) -> None:
        self.api_key_edit.setVisible(entry)
        self.api_key_edit.setEnabled(entry)
        self.save_key_button.setVisible(entry)
        self.save_key_button.setEnabled(entry)
        self.replace_key_button.setVisible(stored)
        self.delete_key_button.setVisible(stored)

    async def _refresh_key_state(self, provider_id: str) -> None:
        state = await self._tasks.call(lambda: read_key_state(self.keys, provider_id))
        if not shiboken6.isValid(self) or self._tasks.closed:
            return  # the dialog went away while the keyring answered (its window closed)
        if provider_id != self.current_id() or self._new:
            return  # the user moved on
        provider = self.registry.get(provider_id)
        env = provider.key_env if provider else default_key_env(provider_id)
        env_note = (
            " " + self.tr("{env} is set in the environment: runs use it.").format(env=env)
            if os.environ.get(env)
            else ""
        )
        if not state.available:
            self.key_status.setText(
                self.tr(
                    "No keyring is available on this system (no Secret Service, Keychain or "
                    "Credential Locker), so the key cannot be saved here, and it is never "
                    "written to a file. Set the environment variable {env} to your key before "
                    "starting the app instead.{env_note}"
                ).format(env=env, env_note=env_note)
            )
            self._key_status_error.set(True)
            self._set_key_widgets(entry=False, stored=False)
        elif state.stored:
            self.key_status.setText(
                self.tr(
                    "A key is stored in {backend}. It is not shown again: replace or delete it."
                ).format(backend=state.backend)
            )
            self._key_status_error.set(False)
            self._set_key_widgets(entry=False, stored=True)
        else:
            needs = provider is None or provider.needs_key
            lead = (
                self.tr("No key saved.")
                if needs
                else self.tr("This provider needs no key (optional).")
            )
            self.key_status.setText(
                self.tr(
                    "{error}{lead} A key you save goes to {backend}; {env} in the environment "
                    "also works.{env_note}"
                ).format(
                    error=state.error + " " if state.error else "",
                    lead=lead,
                    backend=state.backend,
                    env=env,
                    env_note=env_note,
                )
            )
            self._key_status_error.set(bool(state.error))
            self._set_key_widgets(entry=True, stored=False)
        self.api_key_edit.clear()
        self._key_stored = state.stored
        self._warn_plain_http()
        self.shown_key_state = provider_id
        if self._focus_key:
            self._take_key_focus()
        self.key_state_shown.emit(provider_id)

    def focus_key_field(self) -> None:
        """Puts the focus on the key field (or Replace key) once the key section is shown."""
        self._focus_key = True
        if self.shown_key_state is not None:
            self._take_key_focus()

    def _take_key_focus(self) -> None:
        self._focus_key = False
        if self.api_key_edit.isVisibleTo(self) and self.api_key_edit.isEnabled():
            self.api_key_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.replace_key_button.isVisibleTo(self):
            self.replace_key_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _ask_for_new_key(self) -> None:
        self._set_key_widgets(entry=True, stored=True)
        self.replace_key_button.hide()
        self.api_key_edit.setPlaceholderText(self.tr("Paste the new key (replaces the stored one)"))
        self.api_key_edit.setFocus()

    def save_key(self) -> None:
        """Stores the typed key in the keyring and clears the field."""
        provider_id = self.current_id()
        key = self.api_key_edit.text().strip()
        if provider_id is None or self._new or not key:
            return
        self.api_key_edit.clear()  # the key leaves the widget at once
        self.save_key_button.setEnabled(False)
        self._tasks.spawn(self._store_key(provider_id, key))

    async def _store_key(self, provider_id: str, key: str) -> None:
        try:
            await self._tasks.call(lambda: self.keys.set(provider_id, key))
        except KeyStoreError as error:
            self.key_status.setText(redact(str(error), key))
            self._key_status_error.set(True)
            self.save_key_button.setEnabled(True)
            self.key_state_shown.emit(provider_id)
            return
        await self._refresh_key_state(provider_id)

    def delete_key(self) -> None:
        """Deletes the stored key after asking."""
        provider_id = self.current_id()
        if provider_id is None:
            return
        answer = dialogs.ask(
            self,
            self.tr("Delete key"),
            self.tr("Delete the key stored for {provider_id}?").format(provider_id=provider_id),
            dialogs.Button.Yes | dialogs.Button.No,
            dialogs.Button.No,
        )
        if answer == dialogs.Button.Yes:
            self._tasks.spawn(self._delete_key(provider_id))

    async def _delete_key(self, provider_id: str) -> None:
        try:
            await self._tasks.call(lambda: self.keys.delete(provider_id))
        except KeyStoreError as error:
            self.key_status.setText(str(error))
            return
        await self._refresh_key_state(provider_id)

    # Connection test -------------------------------------------------------------------------

    def test_connection(self) -> None:
        """Lists the models of the provider in the form (and the Moonshot balance)."""
        if not self._check_base_url(self.base_url_edit.text()):
            return
        config = self.form_config()
        typed = self.api_key_edit.text().strip() or None
        self.test_button.setEnabled(False)
        self._test_result_error.set(False)
        self.test_result.setText(
            self.tr("Asking {base_url}/models…").format(base_url=config.base_url)
        )
        self.model_list.clear()
        self._tasks.spawn(self._test(config, typed))

    async def _test(self, config: ProviderConfig, typed: str | None) -> None:
        key = typed
        if key is None and config.id:
            key = await self._tasks.call(lambda: self.keys.resolve_key(config))
        try:
            report = await check_connection(
                config.base_url, key, balance=config.kind == "moonshot", kind=config.kind
            )
        finally:
            self.test_button.setEnabled(True)
        if report.error is not None:
            self._test_result_error.set(True)
            self.test_result.setText(shown(report.error))
            self.connection_tested.emit(config.id, False)
            return
        text = self.tr("Connected: {count} models listed.").format(count=len(report.models))
        if report.balance is not None:
            text += " " + self.tr("Balance: {balance}.").format(balance=decimal(report.balance, 2))
        elif report.balance_error:
            text += f" {report.balance_error}"
        self.test_result.setText(text)
        self.model_list.addItems(report.models)
        if config.id and self.registry.get(config.id) is not None:
            self.models_listed.emit(config.id, report.models)
        self.connection_tested.emit(config.id, True)


def open_dialog(
    parent: QWidget, context: AppContext, provider_id: str | None = None, *, focus_key: bool = False
) -> ProviderDialog:
    """Opens the window's provider dialog on ``provider_id`` (the workspace's provider by
    default); with ``focus_key`` the key field (or Replace key) takes the focus."""
    dialog = parent.findChild(ProviderDialog, "providerDialog")
    if dialog is None:
        dialog = ProviderDialog(context.providers, context.keys, parent)
        dialog.providers_changed.connect(context.providers_changed)
        dialog.models_listed.connect(context.add_listed_models)
    dialog.select(provider_id or context.workspace.params.provider)
    dialog.open()
    if focus_key:
        dialog.focus_key_field()
    return dialog


def install(shell: Shell, context: AppContext) -> None:
    """Adds Settings › Providers…; listed models join the app's catalog."""
    parent = shell.window()
    action = shell.menu("settings").addAction(
        QCoreApplication.translate("ProviderDialog", "&Providers and keys…")
    )
    action.setObjectName("providersAction")
    action.triggered.connect(lambda: open_dialog(parent, context))
