"""Entry point: a headless command, or the window on an optional workspace file."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence

#: The headless commands' names (``workbench.cli.COMMANDS``, whose module the window's start does
#: not import: 1 ms; tests/core/test_cli_names.py keeps the two the same).
COMMAND_NAMES = frozenset({"run", "count", "export", "eval"})


def _gui_arguments(argv: Sequence[str]) -> argparse.Namespace:
    if len(argv) <= 1 and not any(arg.startswith("-") for arg in argv):
        # ``prompt-workbench [FILE]``, the start: building the parser and its messages (gettext,
        # locale) is left to the options and to --help.
        return argparse.Namespace(file=argv[0] if argv else None, self_test=False)
    parser = argparse.ArgumentParser(
        prog="prompt-workbench",
        description="Prompt Workbench. Commands: run, count, export (prompt-workbench run --help).",
    )
    parser.add_argument("file", nargs="?", help="a workspace file (*.prompt.json) to open")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check offscreen and offline that the installed app works, then exit",
    )
    return parser.parse_args(argv)


def _last_workspace() -> str | None:
    """The workspace open at the last close, when Settings › Reopen the last workspace is on."""
    from pathlib import Path

    from workbench.core.settings import Settings

    settings = Settings.load()
    last = settings.last_workspace
    if settings.reopen_last_workspace and last and Path(last).is_file():
        return last
    return None


def run_gui(file: str | None) -> int:
    """Starts the QApplication, shows the main window and runs the event loop (qasync's, see
    ``workbench.ui.shell.event_loop``).

    The window is built and painted before asyncio and qasync are imported (about a tenth of the
    start): its first paint needs neither. Its features are wired in right after that paint, and
    need no running loop to be wired in; what they run on it starts once the user acts.
    Automatic garbage collection is off from the start (the collector below keeps it off and
    collects on the GUI thread): the start's imports and widgets made it run some twenty times
    before the first paint, for nothing to collect.
    """
    import gc

    gc.disable()
    import PySide6  # noqa: F401  (this sets up PySide's import hook: cheapen it first)

    from workbench.ui.shell import pyside_scan

    pyside_scan.install()  # before the window's hundred imports (see its docstring)
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from workbench.ui.shell.gc_guard import GuiThreadGarbageCollector

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Prompt Workbench")
    app.setOrganizationName("prompt-workbench")
    app.setDesktopFileName("prompt-workbench")
    collector = GuiThreadGarbageCollector(app)
    collector.hold()  # until the first paint is over
    from workbench.ui.shell.main_window import MainWindow

    if file is None:
        file = _last_workspace()

    window = MainWindow(file, defer_features=True)
    window.features_installed.connect(collector.freeze)
    window.first_painted.connect(collector.resume)
    closed_early: list[bool] = []
    window.closed.connect(lambda: closed_early.append(True))
    # Qt's loop alone until the first paint is over; a window the system never paints (started
    # minimised) goes on after a second.
    first_paint = QEventLoop()
    window.first_painted.connect(first_paint.quit)
    QTimer.singleShot(1000, first_paint.quit)
    window.show()
    first_paint.exec()
    window.first_painted.disconnect(first_paint.quit)

    import asyncio

    from workbench.ui.shell import event_loop
    from workbench.ui.shell.app_icon import app_icon
    from workbench.ui.shell.event_loop import install_asyncgen_hooks

    app.setWindowIcon(app_icon())

    async def until_closed() -> None:
        install_asyncgen_hooks(asyncio.get_running_loop())
        if closed_early:
            return
        closed = asyncio.Event()
        window.closed.connect(closed.set)
        await closed.wait()

    with contextlib.suppress(asyncio.CancelledError):  # the window closed the loop
        event_loop.run(until_closed())
    collector.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``prompt-workbench [FILE]`` or ``prompt-workbench COMMAND ...``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in COMMAND_NAMES:
        from workbench import cli

        return cli.main(args)
    options = _gui_arguments(args)
    if options.self_test:
        from workbench import self_test

        return self_test.main()
    return run_gui(options.file)
