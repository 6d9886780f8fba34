"""Helpers for the run and provider window tests: the loopback server as a provider."""

from __future__ import annotations

import json
from typing import Any

from pytestqt.qtbot import QtBot

from workbench.core.providers import Prefill, ProviderConfig
from workbench.loopback_server import LoopbackServer
from workbench.ui.shell.main_window import MainWindow

LOOP_ID = "loop"
LOOP_ENV = "LOOP_API_KEY"
#: Looks like a real key, so that redaction and leaks are both tested.
SECRET = "sk-loopTEST0123456789abcdefSECRET"


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
    window.context.providers_changed.emit()
    return config


def load(window: MainWindow, messages: list[dict[str, Any]], **params: Any) -> None:
    """Puts ``messages`` in the window, sent to the loopback provider."""
    body = {
        "format": "prompt-workbench/1",
        "messages": messages,
        "params": {"provider": LOOP_ID, "model": "moonshot-v1-128k", **params},
    }
    window.document.import_text(json.dumps(body), unsaved=False)


def wait_idle(qtbot: QtBot, window: MainWindow) -> None:
    """Waits until runs, history writes and dialog work of ``window`` are over.

    A test must not end with work in flight: its callbacks would land on the next test's loop
    after this test's qasync loop is closed.
    """
    from workbench.ui.history.history_panel import HistoryPanel
    from workbench.ui.providers.provider_dialog import ProviderDialog
    from workbench.ui.run.run_controller import RunController

    busy: list[RunController | HistoryPanel | ProviderDialog] = []
    if isinstance(window.run_controller, RunController):
        busy.append(window.run_controller)
    busy += window.findChildren(HistoryPanel) + window.findChildren(ProviderDialog)
    qtbot.waitUntil(lambda: not any(part.busy for part in busy), timeout=10_000)
