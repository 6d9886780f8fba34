"""Settings › Preferences: the limits of a run (largest answer, longest run), saved and used by the
next run."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDoubleSpinBox, QLabel, QSpinBox
from pytestqt.qtbot import QtBot

from tests.ui.run_helpers import load
from workbench.core.sessions import RunEngine
from workbench.core.settings import Settings
from workbench.loopback_server import LoopbackServer, Reply
from workbench.ui.shell.main_window import MainWindow


def test_the_run_limits_are_set_in_preferences_saved_and_used_by_the_next_run(
    qtbot: QtBot, loop_window: MainWindow, loopback: LoopbackServer
) -> None:
    window = loop_window
    load(window, [{"role": "user", "content": "Never stop"}])
    engine: RunEngine = window.context.run_engine  # built with the saved (default) limits
    window.menus.preferences_action.trigger()
    dialog = window.findChild(QDialog, "preferencesDialog")
    assert dialog is not None
    size = dialog.findChild(QDoubleSpinBox, "maxAnswerSpin")
    deadline = dialog.findChild(QSpinBox, "runDeadlineSpin")
    note = dialog.findChild(QLabel, "runDeadlineNote")
    # The defaults and ranges of core/settings.py, with their units.
    assert (size.value(), size.minimum(), size.maximum()) == (64, 1, 4096)
    assert size.suffix() == " million characters"
    assert (deadline.value(), deadline.minimum(), deadline.maximum()) == (1800, 10, 86400)
    assert deadline.suffix() == " s" and note.text() == "30 min 0 s"

    size.setValue(1)
    deadline.setValue(5400)
    assert note.text() == "1 h 30 min"
    saved = Settings.load()
    assert (saved.max_answer_mb, saved.run_deadline_seconds) == (1.0, 5400.0)
    dialog.close()

    # The next run of the window's engine stops at the new size.
    loopback.queue(Reply(text="la " * 1000, endless=True))
    ticket = engine.start(engine.prepare(window.workspace))
    qtbot.waitUntil(lambda: ticket.result is not None, timeout=30_000)
    result = ticket.result
    assert result is not None and result.error and "max_answer_mb" in result.error, result.error
    assert 990_000 <= len(result.text) <= 1_000_000 and result.interrupted
    assert engine.options.deadline == 5400
    qtbot.waitUntil(lambda: not engine.busy, timeout=10_000)  # recorded before the window closes
