"""The window and its files: opening is all or nothing, autosaves are per window, nothing lost."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Dialogs
from workbench.core.conversation import Message
from workbench.core.workspace import Workspace, save_workspace
from workbench.core.workspace_files import load_workspace
from workbench.ui.common import dialogs


def write(path: Path, text: str, **params: object) -> Path:
    workspace = Workspace(messages=[Message(role="user", content=text)])
    for name, value in params.items():
        setattr(workspace.params, name, value)
    save_workspace(workspace, path)
    return path


def test_a_file_with_max_tokens_beyond_32_bits_is_refused_and_the_window_stays_as_it_was(
    open_window, user_dialogs: Dialogs, tmp_path: Path
) -> None:
    good = write(tmp_path / "good.prompt.json", "the good one")
    bad = tmp_path / "bad.prompt.json"
    data = json.loads(good.read_text())
    data["messages"][0]["content"] = "the bad one"
    data["params"]["max_tokens"] = 3_000_000_000
    bad.write_text(json.dumps(data))

    window = open_window(good)
    assert not window.open_path(bad)
    assert len(user_dialogs.errors) == 1
    assert "bad.prompt.json" in user_dialogs.errors[0]
    assert "2,147,483,647" in user_dialogs.errors[0]
    assert window.document.path == good.resolve()
    assert window.windowTitle().startswith("good.prompt.json")
    assert [m.content for m in window.workspace.conversation] == ["the good one"]


def test_a_file_a_view_cannot_show_leaves_the_old_one_under_its_own_name(
    open_window, user_dialogs: Dialogs, tmp_path: Path
) -> None:
    first = write(tmp_path / "first.prompt.json", "first")
    second = write(tmp_path / "second.prompt.json", "second")
    window = open_window(first)
    window.editor.append("user", "unsaved edit")

    def refuse() -> None:
        if window.workspace.conversation[0].content == "second":
            raise OverflowError("a view refused the value")

    window.workspace.reset.connect(refuse)
    assert not window.open_path(second)
    assert "second.prompt.json" in user_dialogs.errors[0]
    assert window.document.path == first.resolve()
    assert [m.content for m in window.workspace.conversation] == ["first", "unsaved edit"]
    # The undo stack still applies to the cards that came back.
    window.undo_stack.undo()
    assert [m.content for m in window.workspace.conversation] == ["first"]


def test_typing_into_a_message_of_content_parts_is_what_gets_saved(
    open_window, user_dialogs: Dialogs, tmp_path: Path, qtbot: QtBot
) -> None:
    path = tmp_path / "parts.prompt.json"
    path.write_text(
        json.dumps(
            {
                "format": "prompt-workbench/1",
                "messages": [{"role": "user", "content": [{"type": "text", "text": "old words"}]}],
            }
        )
    )
    window = open_window(path)
    edit = window.message_list.cards()[0].content_edit
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "new words")
    assert window.save()
    saved = json.loads(path.read_text())["messages"][0]["content"]
    assert saved == [{"type": "text", "text": "new words"}]
    assert load_workspace(path).conversation[0].content == "new words"


def autosave_of(window) -> Path:
    future = window.document.autosave_now()
    assert future is not None
    return Path(future.result(timeout=10))


def killed(window) -> None:
    """As if ``window``'s process were killed: no more autosaves, and the system drops its lock."""
    window.document._autosave_timer.stop()
    window.document._lock.release()


def test_two_windows_on_one_file_keep_their_own_autosaves(
    open_window, user_dialogs: Dialogs, tmp_path: Path, qtbot: QtBot
) -> None:
    path = write(tmp_path / "shared.prompt.json", "saved")
    first, second = open_window(path), open_window(path)
    first.editor.append("user", "typed in the first")
    second.editor.append("user", "typed in the second")
    first_copy, second_copy = autosave_of(first), autosave_of(second)
    assert first_copy != second_copy

    # A clean close of one leaves the other's crash copy alone.
    user_dialogs.answers.append(dialogs.Button.Discard)
    assert first.close()
    assert not first_copy.exists()
    assert second_copy.exists()
    # A window opened now (or a second instance) is not offered the running window's copy.
    third = open_window(path)
    assert user_dialogs.questions == ["Unsaved changes: Save the changes to shared.prompt.json?"]
    assert [m.content for m in third.workspace.conversation] == ["saved"]
    assert second_copy.exists()


def test_a_second_window_is_not_offered_a_running_windows_untitled_work(
    open_window, user_dialogs: Dialogs, qtbot: QtBot
) -> None:
    first = open_window()
    first.editor.append("user", "untitled draft")
    copy = autosave_of(first)
    open_window()  # would raise on an unexpected "Recover?" question
    assert user_dialogs.questions == []
    assert copy.exists()


def test_after_a_crash_the_next_start_offers_every_autosave(
    open_window, user_dialogs: Dialogs, tmp_path: Path, qtbot: QtBot
) -> None:
    path = write(tmp_path / "work.prompt.json", "saved")
    crashed = open_window(path)
    crashed.editor.append("user", "typed in the file")
    autosave_of(crashed)
    other = open_window()
    other.editor.append("user", "untitled work")
    autosave_of(other)
    for window in (crashed, other):  # no close
        killed(window)

    user_dialogs.answers += [dialogs.Button.Ignore, dialogs.Button.Yes]
    started = open_window()
    assert len(user_dialogs.questions) == 2
    assert all(q.startswith("Recover unsaved work?") for q in user_dialogs.questions)
    recovered = [m.content for m in started.workspace.conversation]
    assert recovered in (["saved", "typed in the file"], ["untitled work"])
    # The one ignored is kept for the next start; the recovered one is now this window's.
    user_dialogs.answers += [dialogs.Button.No]
    started.document._lock.release()  # this one crashes too
    user_dialogs.answers += [dialogs.Button.No]
    open_window()
    assert len(user_dialogs.questions) == 4


def test_discarding_work_and_opening_another_file_removes_its_autosave(
    open_window, user_dialogs: Dialogs, tmp_path: Path, qtbot: QtBot
) -> None:
    first = write(tmp_path / "first.prompt.json", "first")
    second = write(tmp_path / "second.prompt.json", "second")
    window = open_window(first)
    window.editor.append("user", "thrown away")
    copy = autosave_of(window)
    user_dialogs.answers.append(dialogs.Button.Discard)
    assert window.open_path(second, ask_first=True)
    assert not copy.exists()
    window.document._lock.release()
    open_window()  # nothing to offer: an unexpected question would fail here
    assert user_dialogs.questions == ["Unsaved changes: Save the changes to first.prompt.json?"]


def test_a_failed_autosave_is_said_and_closing_still_works(
    open_window, user_dialogs: Dialogs, qtbot: QtBot, monkeypatch
) -> None:
    import errno

    from workbench.core import autosave

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    window = open_window()
    monkeypatch.setattr(autosave, "write_atomic", disk_full)
    window.document._autosave_timer.setInterval(10)
    warning = window.statusBar().findChild(QLabel, "autosaveWarning")
    window.editor.append("user", "typed while the disk is full")
    assert warning.styleSheet() == ""  # hidden: themed when shown (no sheet before the paint)
    qtbot.waitUntil(warning.isVisible, timeout=5000)
    assert "No space left on device" in warning.text()
    from workbench.ui.common.palette import colours

    assert colours().error in warning.styleSheet()  # in the theme's error colour
    window.editor.append("user", "and more")
    window.document.autosave_now()
    user_dialogs.answers.append(dialogs.Button.Discard)
    assert window.close()  # no exception out of closeEvent
    monkeypatch.undo()


def test_saving_over_a_file_changed_outside_asks_first(
    open_window, user_dialogs: Dialogs, tmp_path: Path, qtbot: QtBot
) -> None:
    path = write(tmp_path / "shared.prompt.json", "mine")
    window = open_window(path)
    window.editor.append("user", "added here")
    outside = path.read_text().replace('"mine"', '"changed by a colleague"')
    path.write_text(outside)

    user_dialogs.answers.append(dialogs.Button.Cancel)
    assert not window.save()
    assert "changed outside Prompt Workbench" in user_dialogs.questions[-1]
    assert path.read_text() == outside
    assert window.isWindowModified()

    user_dialogs.answers.append(dialogs.Button.Save)
    assert window.save()
    assert [m.content for m in load_workspace(path).conversation] == ["mine", "added here"]
    # Saved by us: the next save asks nothing.
    window.editor.append("user", "more")
    assert window.save()
    assert len(user_dialogs.questions) == 2


def test_opening_a_file_writes_the_recent_list_off_the_ui_thread(
    open_window, tmp_path: Path, qtbot: QtBot, monkeypatch
) -> None:
    # At start-up the window opens a file before it paints: the settings write (an fsync) must
    # not hold the first paint.
    import threading

    from workbench.core import settings as settings_module

    writers: list[bool] = []
    real_write = settings_module.write_atomic

    def spy(*args: object, **kwargs: object) -> None:
        writers.append(threading.current_thread() is threading.main_thread())
        real_write(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(settings_module, "write_atomic", spy)
    path = write(tmp_path / "recent.prompt.json", "hello")
    window = open_window()
    assert window.open_path(path)
    qtbot.waitUntil(lambda: bool(writers))
    assert writers == [False]
    qtbot.waitUntil(lambda: str(path.resolve()) in settings_module.Settings.load().recent_files)


def test_opening_a_file_removes_a_killed_saves_temp_file_beside_it(
    open_window, qtbot: QtBot, tmp_path: Path
) -> None:
    # Looked for on the document's I/O thread (after the first paint at start), not while the
    # window opens the file.
    import os
    import time

    path = write(tmp_path / "w.prompt.json", "saved")
    stale = tmp_path / ".w.prompt.json.abc123.tmp"
    stale.write_text("half a file")
    long_ago = time.time() - 3600
    os.utime(stale, (long_ago, long_ago))

    window = open_window(path)

    qtbot.waitUntil(lambda: not stale.exists())
    assert window.message_list.cards()[0].content_edit.toPlainText() == "saved"


def test_held_writes_wait_for_the_first_paint_and_then_run_in_order(
    tmp_path: Path, qtbot: QtBot, monkeypatch
) -> None:
    # The window holds its file writes while it builds and first paints: handed to the I/O
    # thread then, they would start it while the window paints.
    from PySide6.QtGui import QUndoStack

    from workbench.core import settings as settings_module
    from workbench.core.settings import Settings
    from workbench.ui.common.document import WorkspaceDocument

    written: list[list[str]] = []
    real_write = settings_module.write_atomic

    def spy(*args: object, **kwargs: object) -> None:
        written.append(list(Settings.load().recent_files))
        real_write(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(settings_module, "write_atomic", spy)
    first = write(tmp_path / "first.prompt.json", "one")
    second = write(tmp_path / "second.prompt.json", "two")
    document = WorkspaceDocument(Workspace(), QUndoStack(), Settings.load())
    document.hold_writes()
    document.open(first)
    document.open(second)
    qtbot.wait(50)
    assert written == []  # nothing written, no I/O work started
    assert not document._io.busy

    document.release_writes()

    qtbot.waitUntil(lambda: len(written) == 2)
    # In the order asked: the list written second holds the first file (written first).
    assert written[1][:1] == [str(first.resolve())]
    assert Settings.load().recent_files[:2] == [str(second.resolve()), str(first.resolve())]
    document.close()


def test_a_document_closed_while_its_writes_are_held_still_writes_them(tmp_path: Path) -> None:
    # A window closed before it ever painted keeps the recent-files list it was given.
    from PySide6.QtGui import QUndoStack

    from workbench.core.settings import Settings
    from workbench.ui.common.document import WorkspaceDocument

    path = write(tmp_path / "held.prompt.json", "held")
    document = WorkspaceDocument(Workspace(), QUndoStack(), Settings.load())
    document.hold_writes()
    document.open(path)

    document.close()

    assert Settings.load().recent_files[:1] == [str(path.resolve())]


def test_work_recovered_at_start_is_autosaved_before_the_crashed_copy_goes(
    open_window, user_dialogs: Dialogs, qtbot: QtBot
) -> None:
    # The app's start asks "Recover?" while the window is built, with its writes held until the
    # first paint: the recovered work must still be on disk before the crashed copy is deleted.
    import time

    from workbench.core import autosave
    from workbench.ui.shell.main_window import MainWindow

    crashed = open_window()
    crashed.editor.append("user", "work from the crash")
    crashed_copy = autosave_of(crashed)
    killed(crashed)

    user_dialogs.answers.append(dialogs.Button.Yes)
    started_at = time.monotonic()
    window = MainWindow(defer_features=True)
    qtbot.addWidget(window, before_close_func=lambda w: w.undo_stack.setClean())

    assert time.monotonic() - started_at < 5  # no wait on a write that cannot start yet
    assert [m.content for m in window.workspace.conversation] == ["work from the crash"]
    assert not crashed_copy.exists()
    own = autosave.autosave_path(window.document.path, window.document._session)
    assert own.exists()  # written before the crashed copy went
