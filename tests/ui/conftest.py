"""Fixtures for window tests: dialogs answered by the test, a qasync loop, a main window."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import qasync
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.memory_keyring import MemoryKeyring
from workbench.loopback_server import LoopbackServer
from workbench.ui.common import dialogs, i18n
from workbench.ui.shell.event_loop import install_asyncgen_hooks, new_event_loop
from workbench.ui.shell.gc_guard import GuiThreadGarbageCollector
from workbench.ui.shell.main_window import MainWindow


@pytest.fixture(autouse=True, scope="session")
def gui_thread_gc(qapp: QApplication) -> Iterator[None]:
    """Garbage collection on the GUI thread only, as in the app (workbench.ui.shell.gc_guard)."""
    collector = GuiThreadGarbageCollector(qapp)
    yield
    collector.stop()


@pytest.fixture
def chinese(qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app in Simplified Chinese (as WORKBENCH_LANGUAGE=zh_CN starts it) from the first
    window on, English after."""
    i18n.uninstall_translators()
    monkeypatch.setenv("WORKBENCH_LANGUAGE", "zh_CN")
    yield
    i18n.uninstall_translators()


@pytest.fixture(autouse=True)
def no_real_keyring(memory_keyring: MemoryKeyring) -> MemoryKeyring:
    """Every window test gets the in-memory keyring: none reads or writes the user's real keys.

    (A window looks keys up as soon as it shows a provider; without this, tests that did not ask
    for the memory keyring went to the desktop's keyring, which may prompt or be locked.)
    """
    return memory_keyring


@dataclass
class Dialogs:
    """Stands in for the user at every modal dialog.

    Queue answers with ``answers`` (for ``ask``) and paths with ``open_paths``/``save_paths``; a
    question nobody expected fails the test. Errors shown are collected in ``errors``.
    """

    answers: list[dialogs.Button] = field(default_factory=list)
    open_paths: list[str | None] = field(default_factory=list)
    save_paths: list[str | None] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def ask(self, _parent: object, title: str, text: str, *args: object, **kwargs: object):
        self.questions.append(f"{title}: {text}")
        if not self.answers:
            raise AssertionError(f"unexpected question: {title}: {text}")
        return self.answers.pop(0)

    def show_error(self, _parent: object, title: str, text: str, detail: str = "") -> None:
        self.errors.append(f"{title}: {text} {detail}".strip())

    def choose_open_path(self, _parent: object, _directory: str = "") -> str | None:
        if not self.open_paths:
            raise AssertionError("unexpected open-file dialog")
        return self.open_paths.pop(0)

    def choose_save_path(self, _parent: object, _suggested: str = "") -> str | None:
        if not self.save_paths:
            raise AssertionError("unexpected save-file dialog")
        return self.save_paths.pop(0)


@pytest.fixture
def user_dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    """Every modal dialog answered by the test instead of a person."""
    fake = Dialogs()
    for name in ("ask", "show_error", "choose_open_path", "choose_save_path"):
        monkeypatch.setattr(dialogs, name, getattr(fake, name))
    return fake


#: Closed qasync loops, kept alive for the rest of the session (see ``qloop``).
_CLOSED_LOOPS: list[qasync.QEventLoop] = []


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """The app's (qasync) event loop driven by Qt's, as in the app: coroutines run while qtbot
    waits."""
    loop = new_event_loop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    previous_hooks = install_asyncgen_hooks(loop)
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    for _ in range(20):
        if all(t.done() for t in pending):
            break
        qapp.processEvents()
    sys.set_asyncgen_hooks(*previous_hooks)
    asyncio.events._set_running_loop(None)
    loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
    loop.close()
    asyncio.set_event_loop(None)
    # Timers a closed loop still has with Qt (cancelled timeouts, late callbacks) fire later into
    # its timer object; if the loop were freed, the last handle dropped inside that timer event
    # would delete the object under Qt's feet (a segfault in QTimerInfoList::activateTimers).
    _CLOSED_LOOPS.append(loop)


@pytest.fixture
def open_window(qtbot: QtBot, user_dialogs: Dialogs) -> Iterator[type[MainWindow]]:
    """Builds main windows (optionally on a file); each is closed without questions at the end."""
    windows: list[MainWindow] = []

    def build(path: str | Path | None = None) -> MainWindow:
        window = MainWindow(path)
        # Closed by pytest-qt after the test, unsaved changes dropped without asking.
        qtbot.addWidget(window, before_close_func=lambda w: w.undo_stack.setClean())
        window.resize(1100, 800)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)  # window shortcuts need an active window
        window.message_list.sync_editors()
        windows.append(window)
        return window

    yield build  # type: ignore[misc]


@pytest.fixture
def loop_window(
    qloop: qasync.QEventLoop,
    open_window: Callable[[], MainWindow],
    loopback: LoopbackServer,
    memory_keyring: MemoryKeyring,
    qtbot: QtBot,
) -> Iterator[MainWindow]:
    """A window whose provider is the loopback server, its key stored in the (memory) keyring."""
    from tests.ui.run_helpers import LOOP_ID, SECRET, add_loop_provider, wait_idle
    from workbench.core.secrets import SERVICE

    win = open_window()
    loopback.api_key = SECRET
    memory_keyring.set_password(SERVICE, LOOP_ID, SECRET)
    add_loop_provider(win, loopback)
    yield win
    wait_idle(qtbot, win)
