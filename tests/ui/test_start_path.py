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

import pytest

from workbench.core.resources import examples_dir

#: An event filter on the main window (on it alone: a filter on the whole application would give
#: every object a Python wrapper, which makes PySide create types the app does not) notes what is
#: imported when the window first paints and how often the garbage collector ran since the start,
#: then (the features wired in) whether the asyncio loop runs, then closes the window.
CHILD = """
import gc, json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

WATCHED = json.loads(sys.argv[2])
#: PySide makes a class (and its enums) when first used: made ones are in the module's dict.
WATCHED_TYPES = json.loads(sys.argv[3])
PAINT = QEvent.Type.Paint
report = {}


class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == PAINT:
            watched.removeEventFilter(self)
            report["at_paint"] = sorted(m for m in WATCHED if m in sys.modules)
            report["automatic_collections"] = collections[0]
            report["collections"] = collections[1]
            report["types_at_paint"] = sorted(
                name for name in WATCHED_TYPES
                if name.rpartition(".")[2] in vars(sys.modules["PySide6." + name.partition(".")[0]])
            )
            # (After the types above: asking for the menus makes QAction.)
            report["menus_at_paint"] = [action.text() for action in watched.menuBar().actions()]
            cards = watched.message_list.cards()
            report["cards"] = [card.content_edit.toPlainText() for card in cards]
            report["styled_in_cards"] = [
                widget.objectName() or type(widget).__name__
                for card in cards
                for widget in (card, *card.findChildren(QWidget))
                if widget.styleSheet()
            ]
            report["styled_at_paint"] = sorted(
                widget.objectName() or type(widget).__name__
                for widget in watched.findChildren(QWidget)
                if widget.styleSheet()
            )
            report["empty_state_at_paint"] = watched.findChild(QObject, "emptyState") is not None
            report["editable"] = all(not card.content_edit.isReadOnly() for card in cards)
            QTimer.singleShot(0, lambda: ready(watched))
        return False


def ready(window):
    if not window.features_ready:
        QTimer.singleShot(1, lambda: ready(window))
        return
    import asyncio

    report["loop_running"] = type(asyncio.get_running_loop()).__name__
    report["features"] = [
        name
        for name in (
            "sendButton", "tokenMeter", "toolsEditor", "compareView", "testsView", "emptyState",
            "emptyAddKeyButton", "newAction", "shortcutsAction", "preferencesAction",
        )
        if window.findChild(QObject, name) is not None
    ]
    window.undo_stack.setClean()
    window.close()


class WatchWindows:
    # Each MainWindow is watched once built, its module imported by the app as usual.
    def find_spec(self, name, path=None, target=None):
        if name != "workbench.ui.shell.main_window":
            return None
        sys.meta_path.remove(self)
        collections[:] = [0, 0]  # counted from here: the window's import, its build, its paint
        import importlib.util

        spec = importlib.util.find_spec(name)
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            built = module.MainWindow.__init__

            def watched_init(window, *args, **kwargs):
                built(window, *args, **kwargs)
                window.installEventFilter(hook)

            module.MainWindow.__init__ = watched_init

        spec.loader.exec_module = exec_module
        return spec


def count_collection(phase, _info):
    if phase == "stop":
        collections[1] += 1
        if gc.isenabled():  # automatic: the GUI-thread collector's are not
            collections[0] += 1


app = QApplication(sys.argv[:1])
hook = FirstPaint()
sys.meta_path.insert(0, WatchWindows())
from workbench.app import main

collections = [0, 0]
gc.callbacks.append(count_collection)
status = main([sys.argv[1]])
report["status"] = status
from workbench.core.settings import Settings

settings = Settings.load()
report["recent_files"] = settings.recent_files
report["desktop_scheme"] = settings.desktop_scheme
print(json.dumps(report))
"""


def start_app(
    tmp_path: Path,
    watched: list[str],
    watched_types: list[str] | None = None,
    settings: dict[str, object] | None = None,
    as_user: bool = False,
) -> dict[str, object]:
    """Starts ``prompt-workbench EXAMPLE`` in a fresh process; what the hook saw: which of the
    ``watched`` modules and ``watched_types`` (``"QtWidgets.QMessageBox"``) were loaded when the
    window first painted, and more. ``settings`` are saved first (a user who started the app
    before). ``as_user``: ``tmp_path`` is the user's home, where the app finds its folders as a
    user's start does (no ``WORKBENCH_HOME``)."""
    config = tmp_path / ".config" / "prompt-workbench" if as_user else tmp_path / "config"
    if settings is not None:
        config.mkdir(parents=True, exist_ok=True)
        (config / "settings.json").write_text(json.dumps(settings), "utf-8")
    example = examples_dir() / "01-product-json-extraction.prompt.json"
    env = {**os.environ, "WORKBENCH_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    if as_user:
        for name in ("WORKBENCH_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            env.pop(name, None)
        env["HOME"] = str(tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            str(example),
            json.dumps(watched),
            json.dumps(watched_types or []),
        ],
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
    # Nor does it start a worker thread before it paints: the recent-files list is written
    # after that paint (a thread started during it takes the interpreter from the paint), and
    # handed to the I/O thread only then (the futures it answers with cost 2 ms to import).
    # Nor OpenSSL (``_hashlib``, 3.5-5 ms): the opened file's digest is CPython's own sha256.
    watched = ["asyncio", "qasync", "openai", "tiktoken", "sqlite3", "concurrent.futures"]
    watched.append("_hashlib")
    report = start_app(tmp_path, watched)

    assert report["at_paint"] == []
    # Nor does automatic garbage collection run while the app imports, builds and paints its
    # window (it is off from the start; the app's collector collects on the GUI thread later).
    assert report["automatic_collections"] == 0
    # Nor the GUI-thread collector's: it waits for the paint (the build takes longer than its
    # check period, so the loop's first turn, before the paint, used to collect).
    assert report["collections"] == 0
    assert len(report["cards"]) == 3 and report["editable"]  # type: ignore[arg-type]
    # The menu bar is painted whole; its menus' entries come right after the paint.
    assert report["menus_at_paint"] == ["&File", "&Edit", "&View", "&Run", "&Settings", "&Help"]
    # Then the features are wired in, on the app's running loop (qasync's, with asyncio's queue
    # of ready callbacks), and the app ends normally.
    assert report["loop_running"] == "WorkbenchEventLoop"
    assert report["features"] == [
        "sendButton",
        "tokenMeter",
        "toolsEditor",
        "compareView",
        "testsView",
        # Built after the paint (the file's cards are shown, not it), there once features are.
        "emptyState",
        "emptyAddKeyButton",
        # The menus' actions, made right after the paint (their titles are painted).
        "newAction",
        "shortcutsAction",
        "preferencesAction",
    ]
    assert report["status"] == 0
    example = examples_dir() / "01-product-json-extraction.prompt.json"
    assert report["recent_files"] == [str(example.resolve())]
    # The desktop's colour scheme (offscreen: none, so light) is remembered for the next start.
    assert report["desktop_scheme"] == "light"


def test_the_first_paint_makes_no_qt_type_it_does_not_show(tmp_path: Path) -> None:
    # Each PySide class costs its type and enums when first used (QTextCursor ~4 ms, the dialogs
    # ~5 ms); the first viewport() call made PySide create every widget class it had not made
    # yet (QMdiArea, QGraphicsView, QWizard... ~10 ms), and the style ~3 ms. The ``Qt``
    # namespace, a hundred enums, costs ~25 ms: no Qt.* value before the paint (roles by value,
    # properties set by the names of their values, painting through strokePath and fillPath,
    # the desktop's colour scheme remembered from the last session and asked after the paint).
    unused = [
        "QtCore.Qt",
        "QtWidgets.QMessageBox",
        "QtWidgets.QFileDialog",
        "QtWidgets.QInputDialog",
        "QtGui.QTextCursor",
        "QtWidgets.QMdiArea",
        "QtWidgets.QGraphicsView",
        "QtWidgets.QWizard",
        "QtWidgets.QStyle",
        # Actions and key sequences (~4 ms): the menus' entries are made after the paint.
        "QtGui.QAction",
        "QtGui.QKeySequence",
        "QtWidgets.QWidgetAction",
        # Translators and Qt's library paths (not for English), dates (the History tab).
        "QtCore.QTranslator",
        "QtCore.QLibraryInfo",
        "QtCore.QDateTime",
    ]
    report = start_app(
        tmp_path,
        [
            "ctypes",
            "platformdirs",
            "workbench.core.catalog",
            "workbench.core.run_types",
            # Nor the standard library the paint does not use: secrets (hmac, OpenSSL's
            # bindings: ~8 ms), datetime, glob (the stray temporary files are looked for on the
            # I/O thread), locale (argparse's messages: ``prompt-workbench FILE`` builds no
            # parser).
            "secrets",
            "hmac",
            "datetime",
            "glob",
            "locale",
        ],
        unused,
        settings={"desktop_scheme": "light"},
    )

    # Memory trims, platform folders, the model catalog and those modules load on use.
    assert report["at_paint"] == []
    assert report["types_at_paint"] == []
    # Nor the first-start panel: a window opened on a file does not show it.
    assert not report["empty_state_at_paint"]
    # A card's frame and labels take their colours without a style sheet: one on a card gave
    # it and every widget in it Qt's style-sheet style, polished widget by widget.
    assert report["styled_in_cards"] == []
    # Nor anywhere in the window: the first style sheet of the process costs ~4 ms (Qt's
    # style-sheet style); the themed error lines are hidden, and take theirs when shown.
    assert report["styled_at_paint"] == []
    assert len(report["cards"]) == 3 and report["editable"]  # type: ignore[arg-type]
    assert report["status"] == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG fast path is Linux's")
def test_a_users_start_finds_its_folders_without_platformdirs(tmp_path: Path) -> None:
    # platformdirs costs 4.5 ms to import; on Linux the XDG rule it applies is followed directly
    # (tests/core/test_paths.py checks both give the same folders).
    report = start_app(
        tmp_path, ["platformdirs"], settings={"desktop_scheme": "light"}, as_user=True
    )

    assert report["at_paint"] == []
    assert report["status"] == 0
    assert report["desktop_scheme"] == "light"  # read from, and saved to, the user's folder
    assert (tmp_path / ".config" / "prompt-workbench" / "settings.json").is_file()
