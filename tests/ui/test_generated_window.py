"""The window's doors, fed generated input: a bad file or paste gives a dialog, never a crash.

The same generated contents as the CLI's (tests/generated), fewer of them (a window is slower).
Property: opening a file or pasting text either works or shows one error dialog naming the
problem; the window keeps its workspace, its file name and the file; nothing is raised.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtWidgets import QApplication

from tests.generated.strategies import REQUEST_BODY, WORKSPACE, file_texts
from tests.ui.conftest import Dialogs
from workbench.ui.shell.main_window import MainWindow

EXAMPLES = max(5, settings().max_examples // 3)


@settings(max_examples=EXAMPLES)
@given(data=st.one_of(file_texts(WORKSPACE), file_texts(REQUEST_BODY)))
def test_opening_any_file_gives_a_dialog_or_the_workspace(
    data: bytes,
    open_window: Callable[[], MainWindow],
    user_dialogs: Dialogs,
    tmp_path: Path,
    qloop: object,
) -> None:
    window = _window(open_window)
    good = tmp_path / "good.prompt.json"
    if not good.exists():
        good.write_text('{"format": "prompt-workbench/1", "messages": []}', encoding="utf-8")
    assert window.open_path(good)
    path = tmp_path / "generated.prompt.json"
    path.write_bytes(data)
    user_dialogs.errors.clear()
    opened = window.open_path(path)
    QApplication.processEvents()
    if opened:
        assert window.document.path == path.resolve() and not user_dialogs.errors
    else:
        assert len(user_dialogs.errors) == 1 and "generated.prompt.json" in user_dialogs.errors[0]
        assert window.document.path == good.resolve()  # still the old file, under its name
    assert path.read_bytes() == data
    window.undo_stack.setClean()


@settings(max_examples=EXAMPLES)
@given(kind=st.sampled_from(["fifo", "folder", "loop", "dangling", "device"]))
def test_opening_what_is_not_a_regular_file_gives_a_dialog(
    kind: str,
    open_window: Callable[[], MainWindow],
    user_dialogs: Dialogs,
    tmp_path: Path,
    qloop: object,
) -> None:
    window = _window(open_window)
    path = tmp_path / f"{kind}.prompt.json"
    if not os.path.lexists(path):
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "folder":
            path.mkdir()
        elif kind == "loop":
            path.symlink_to(tmp_path / f"{kind}-other")
            (tmp_path / f"{kind}-other").symlink_to(path)
        elif kind == "dangling":
            path.symlink_to(tmp_path / "nowhere")
        else:
            path.symlink_to("/dev/zero")
    user_dialogs.errors.clear()
    assert not window.open_path(path)
    assert len(user_dialogs.errors) == 1 and path.name in user_dialogs.errors[0]


_windows: dict[int, MainWindow] = {}


def _window(open_window: Callable[[], MainWindow]) -> MainWindow:
    """One window per test (Hypothesis runs the body many times with the same fixtures)."""
    key = id(open_window)
    if key not in _windows:
        _windows.clear()
        _windows[key] = open_window()
    return _windows[key]
