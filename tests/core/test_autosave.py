"""Autosave copies and which ones are offered for recovery."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.core import paths
from workbench.core.autosave import SessionLock, recoverable, session_alive, write_autosave
from workbench.core.conversation import Message
from workbench.core.workspace import (
    Workspace,
    file_state,
    remove_stray_temp_files,
    save_workspace,
)


def test_an_autosave_newer_than_its_file_is_offered(tmp_path: Path) -> None:
    path = tmp_path / "w.prompt.json"
    save_workspace(Workspace(messages=[Message(content="saved")]), path)
    old = time.time() - 60
    os.utime(path, (old, old))
    write_autosave(Workspace(messages=[Message(content="typed later")]), path, "s1")
    [save] = recoverable(path)
    assert save.load().conversation[0].content == "typed later"
    save.discard()
    assert recoverable(path) == []


def test_an_autosave_older_than_its_file_is_not_offered(tmp_path: Path) -> None:
    path = tmp_path / "w.prompt.json"
    write_autosave(Workspace(messages=[Message(content="old")]), path, "s1")
    time.sleep(0.01)
    save_workspace(Workspace(messages=[Message(content="newer")]), path)
    os.utime(path, (time.time() + 5, time.time() + 5))
    assert recoverable(path) == []


def test_untitled_autosaves_are_offered_when_starting_empty(tmp_path: Path) -> None:
    write_autosave(Workspace(messages=[Message(content="draft")]), None, "crashed-window")
    [save] = recoverable(None)
    assert save.source is None
    assert save.load().conversation[0].content == "draft"
    assert recoverable(tmp_path / "other.prompt.json") == []


def test_two_windows_on_one_file_have_their_own_autosaves(tmp_path: Path) -> None:
    path = tmp_path / "w.prompt.json"
    save_workspace(Workspace(messages=[Message(content="saved")]), path)
    first = write_autosave(Workspace(messages=[Message(content="one")]), path, "window-a")
    second = write_autosave(Workspace(messages=[Message(content="two")]), path, "window-b")
    assert first != second and first.exists() and second.exists()


def test_a_running_windows_autosave_is_never_offered(tmp_path: Path) -> None:
    lock = SessionLock("running")
    assert lock.held and session_alive("running")
    write_autosave(Workspace(messages=[Message(content="in use")]), None, "running")
    assert recoverable(None) == []
    assert recoverable(every=True) == []
    lock.release()
    assert not session_alive("running")
    [save] = recoverable(None)
    assert save.session == "running"


CRASHING_WINDOW = """
import sys, time
from pathlib import Path
from workbench.core import autosave
from workbench.core.conversation import Message
from workbench.core.workspace import Workspace

lock = autosave.SessionLock("crashed")
assert lock.held
autosave.write_autosave(Workspace(messages=[Message(content="untitled draft")]), None, "crashed")
autosave.write_autosave(
    Workspace(messages=[Message(content="file draft")]), Path(sys.argv[1]), "crashed"
)
print("ready", flush=True)
time.sleep(60)
"""


def test_after_kill_9_every_autosave_of_the_dead_window_is_offered_at_start(
    tmp_path: Path,
) -> None:
    path = tmp_path / "w.prompt.json"
    save_workspace(Workspace(messages=[Message(content="saved")]), path)
    old = time.time() - 60
    os.utime(path, (old, old))
    child = subprocess.Popen(
        [sys.executable, "-c", CRASHING_WINDOW, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        assert session_alive("crashed")
        assert recoverable(every=True) == []  # still running: nothing to recover
    finally:
        child.kill()  # SIGKILL: no cleanup of any kind
        child.wait(timeout=10)
    offered = recoverable(every=True)
    assert sorted(s.load().conversation[0].content for s in offered) == [
        "file draft",
        "untitled draft",
    ]
    [for_file] = recoverable(path)
    assert for_file.source == path.resolve()
    for save in offered:
        save.discard()
    assert recoverable(every=True) == []
    assert not list(paths.autosave_dir().glob("crashed*"))  # the dead window's lock went too


def test_stray_temp_files_of_a_killed_save_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "w.prompt.json"
    stale = tmp_path / ".w.prompt.json.abc123.tmp"
    fresh = tmp_path / ".w.prompt.json.def456.tmp"
    other = tmp_path / ".other.prompt.json.abc123.tmp"
    for stray in (stale, fresh, other):
        stray.write_text("half a file")
    long_ago = time.time() - 3600
    os.utime(stale, (long_ago, long_ago))
    os.utime(other, (long_ago, long_ago))
    save_workspace(Workspace(messages=[Message(content="saved")]), path)
    assert not stale.exists()
    assert fresh.exists()  # may be another window's save in progress
    assert other.exists()  # another file's
    assert remove_stray_temp_files(tmp_path / "other.prompt.json") == 1


def test_a_change_made_outside_is_noticed(tmp_path: Path) -> None:
    path = tmp_path / "w.prompt.json"
    save_workspace(Workspace(messages=[Message(content="saved")]), path)
    before = file_state(path)
    assert file_state(path) == before
    path.write_text(path.read_text().replace("saved", "edited"))
    assert file_state(path) != before
    assert file_state(tmp_path / "missing.prompt.json") is None


@pytest.mark.parametrize("size", [0, 1, (1 << 18) - 1, 1 << 18, (1 << 18) + 1, 3 << 19])
def test_the_state_holds_the_files_sha256(tmp_path: Path, size: int) -> None:
    path = tmp_path / "w.prompt.json"
    content = os.urandom(size)
    path.write_bytes(content)
    state = file_state(path)
    assert state is not None
    assert state.sha256 == hashlib.sha256(content).hexdigest()
    assert state.size == size


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="the system has no named pipes (Windows)")
def test_the_state_of_what_is_no_regular_file_is_none_without_reading_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.prompt.json"
    os.mkfifo(fifo)  # reading it would block: nothing writes to it
    assert file_state(fifo) is None
    assert file_state(tmp_path) is None
