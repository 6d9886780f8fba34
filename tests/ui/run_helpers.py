"""Helpers for the run and provider window tests: an in-memory keyring and a loopback provider."""

from __future__ import annotations

import json
from typing import Any

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from workbench.core.providers import Prefill, ProviderConfig
from workbench.loopback_server import LoopbackServer
from workbench.ui.main_window import MainWindow
from workbench.ui.provider_feed import ProviderFeed

LOOP_ID = "loop"
LOOP_ENV = "LOOP_API_KEY"
#: Looks like a real key, so that redaction and leaks are both tested.
SECRET = "sk-loopTEST0123456789abcdefSECRET"


class MemoryKeyring(KeyringBackend):
    """A keyring backend in a dict: UI tests never touch the machine's real keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    @property
    def name(self) -> str:  # type: ignore[override]
        return "Memory keyring"

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.passwords:
            raise PasswordDeleteError("no such password")
        del self.passwords[(service, username)]


def use_keyring(backend: Any) -> Any:
    """Installs ``backend`` and returns the one it replaces."""
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    return previous


def add_loop_provider(
    window: MainWindow,
    server: LoopbackServer,
    *,
    prefill: Prefill = Prefill.MOONSHOT_PARTIAL,
    kind: str = "moonshot",
) -> ProviderConfig:
    """Registers the loopback server as provider ``loop`` and makes it the workspace's."""
    config = ProviderConfig(LOOP_ID, "Loopback", kind, server.url, prefill, LOOP_ENV)
    window.providers.add(config)
    ProviderFeed.of(window).providers_changed.emit()
    return config


def load(window: MainWindow, messages: list[dict[str, Any]], **params: Any) -> None:
    """Puts ``messages`` in the window, sent to the loopback provider."""
    body = {
        "format": "prompt-workbench/1",
        "messages": messages,
        "params": {"provider": LOOP_ID, "model": "kimi-k2-0905-preview", **params},
    }
    window.document.import_text(json.dumps(body), unsaved=False)
