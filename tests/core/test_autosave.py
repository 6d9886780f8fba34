"""Autosave copies and which ones are offered for recovery."""

from __future__ import annotations

import os
import time
from pathlib import Path

from workbench.core.autosave import recoverable, write_autosave
from workbench.core.conversation import Message
from workbench.core.workspace import Workspace, save_workspace


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
