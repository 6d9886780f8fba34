"""Cold start: what ``prompt-workbench FILE`` loads before its first paint, in a fresh process.

The window paints its editable cards first; what only the features, runs or dialogs need loads
after that paint or on first use. Each test starts the app the way the command does
(``workbench.app.main``) with a hook that looks at the process when the window first paints.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from workbench.core.resources import examples_dir

#: An application event filter notes what is imported when the main window first paints, then
#: (the features wired in) whether the asyncio loop runs, then closes the window.
CHILD = """
import json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

WATCHED = json.loads(sys.argv[2])
PAINT = QEvent.Type.Paint
report = {}


class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == PAINT and isinstance(watched, QWidget) and watched.isWindow():
            app.removeEventFilter(self)
            report["at_paint"] = sorted(m for m in WATCHED if m in sys.modules)
            cards = watched.message_list.cards()
            report["cards"] = [card.content_edit.toPlainText() for card in cards]
            report["editable"] = all(not card.content_edit.isReadOnly() for card in cards)
            QTimer.singleShot(0, lambda: ready(watched))
        return False


def ready(window):
    if not window.features_ready:
        QTimer.singleShot(1, lambda: ready(window))
        return
    import asyncio

    report["loop_running"] = type(asyncio.get_running_loop()).__module__.split(".")[0]
    report["features"] = [
        name for name in ("sendButton", "tokenMeter", "toolsEditor", "compareView", "testsView")
        if window.findChild(QObject, name) is not None
    ]
    window.undo_stack.setClean()
    window.close()


app = QApplication(sys.argv[:1])
hook = FirstPaint()
app.installEventFilter(hook)
from workbench.app import main

status = main([sys.argv[1]])
report["status"] = status
print(json.dumps(report))
"""


def start_app(tmp_path: Path, watched: list[str]) -> dict[str, object]:
    """Starts ``prompt-workbench EXAMPLE`` in a fresh process; what the hook saw."""
    example = examples_dir() / "01-product-json-extraction.prompt.json"
    env = {**os.environ, "WORKBENCH_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(example), json.dumps(watched)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return report


def test_the_window_paints_its_cards_before_the_event_loop_and_sdks_load(tmp_path: Path) -> None:
    report = start_app(tmp_path, ["asyncio", "qasync", "openai", "tiktoken", "sqlite3"])

    assert report["at_paint"] == []
    assert len(report["cards"]) == 3 and report["editable"]  # type: ignore[arg-type]
    # Then the features are wired in, on qasync's running loop, and the app ends normally.
    assert report["loop_running"] == "qasync"
    assert report["features"] == [
        "sendButton",
        "tokenMeter",
        "toolsEditor",
        "compareView",
        "testsView",
    ]
    assert report["status"] == 0
