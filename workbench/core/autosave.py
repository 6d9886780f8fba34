"""Autosave copies of open workspaces, and finding the ones worth recovering on start.

Every window has its own autosave (its ``session``), even when two windows, or two running
instances of the app, have the same file open: neither overwrites nor deletes the other's copy.
A window holds a lock on its session for as long as it is open (:class:`SessionLock`), so a
copy whose session is still locked belongs to a running window and is never offered as
recovery, nor deleted; a copy whose lock is free was left by a window that did not close
cleanly (a crash, ``kill -9``) and is offered at the next start.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from workbench.core import json_files, paths
from workbench.core.workspace import Workspace, WorkspaceError, workspace_from_json, write_atomic

LOCK_SUFFIX = ".lock"


@dataclass(frozen=True)
class Autosave:
    """One autosaved copy.

    Attributes:
        path: The autosave file itself.
        source: The workspace file it is a copy of, or None for an untitled workspace.
        saved_at: When it was written (seconds since the epoch).
        session: The window that wrote it ("" for copies written before sessions were kept).
    """

    path: Path
    source: Path | None
    saved_at: float
    session: str = ""

    def load(self) -> Workspace:
        """The autosaved workspace; WorkspaceError when the copy is damaged."""
        try:
            data = json_files.read_json_file(self.path)
            return workspace_from_json(data["workspace"])
        except (OSError, ValueError, KeyError, TypeError, RecursionError) as error:
            raise WorkspaceError(f"autosave {self.path.name} is damaged: {error}") from None

    def discard(self) -> None:
        """Deletes the autosave file (and the lock its crashed window left behind)."""
        self.path.unlink(missing_ok=True)
        if self.session and not session_alive(self.session):
            _lock_path(self.session).unlink(missing_ok=True)


def autosave_path(source: Path | None, session: str) -> Path:
    """Where window ``session`` autosaves ``source`` (None: an untitled workspace)."""
    if source is None:
        key = f"untitled-{session}"
    else:
        import hashlib  # on use: OpenSSL's bindings cost ~3 ms at start-up

        digest = hashlib.sha1(str(source.resolve()).encode("utf-8")).hexdigest()[:16]
        key = f"{source.stem.removesuffix('.prompt')}-{digest}-{session}"
    return paths.autosave_dir() / f"{key}.autosave.json"


def write_autosave(
    workspace: Workspace | dict[str, Any], source: Path | None, session: str
) -> Path:
    """Writes an autosave copy of ``workspace`` (or its ``to_json()``) and returns its path.

    Passing the JSON lets a window take the snapshot on its own thread and write it on another.
    """
    target = autosave_path(source, session)
    data = workspace.to_json() if isinstance(workspace, Workspace) else workspace
    payload = {
        "autosave_of": str(source.resolve()) if source else None,
        "saved_at": time.time(),
        "session": session,
        "workspace": data,
    }
    write_atomic(target, json_files.dumps(payload) + "\n", private=True)
    return target


def _read(path: Path) -> Autosave | None:
    """The autosave at ``path``, or None (noted as a problem) when its metadata is unusable."""
    try:
        data = json_files.read_json_file(path, max_bytes=json_files.MAX_FILE_BYTES)
        if not isinstance(data, dict):
            raise TypeError("expected an object")
        source = data.get("autosave_of")
        saved_at = data["saved_at"]
        session = data.get("session", "")
        if not isinstance(source, str | None) or isinstance(saved_at, bool):
            raise TypeError("autosave_of must be a path, saved_at a time")
        if not isinstance(session, str):
            raise TypeError("session must be a string")
        saved_at = float(saved_at)
        if not 0 <= saved_at < 1e11:  # a time between 1970 and the year 5138
            raise ValueError(f"saved_at {saved_at!r} is not a time")
        return Autosave(path, Path(source) if source else None, saved_at, session)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, OverflowError) as error:
        json_files.note_state_problem(f"Autosave {path} not offered: {error}")
        return None


def recoverable(source: Path | None = None, *, every: bool = False) -> list[Autosave]:
    """Autosaves left by windows that did not close cleanly, newest first.

    Args:
        source: Only the copies of this file (those newer than it).
        every: Every copy worth offering at start: untitled ones, and copies of files that are
            newer than their file (or whose file is gone). Without it and without ``source``:
            the untitled ones.

    Copies of running windows (this process's or another instance's) are never listed.
    """
    found = []
    for path in paths.autosave_dir().glob("*.autosave.json"):
        save = _read(path)
        if save is None or (save.session and session_alive(save.session)):
            continue
        if save.source is None:
            if source is None:
                found.append(save)
            continue
        if source is not None and save.source != source.resolve():
            continue
        if source is None and not every:
            continue
        try:
            file_time = os.stat(save.source).st_mtime
        except OSError:
            file_time = 0.0
        if save.saved_at > file_time:
            found.append(save)
    return sorted(found, key=lambda s: s.saved_at, reverse=True)


# Which windows are running ---------------------------------------------------------------------


def _lock_path(session: str) -> Path:
    return paths.autosave_dir() / f"{session}{LOCK_SUFFIX}"


def _try_lock(handle: IO[bytes]) -> bool:
    """Takes an exclusive lock on ``handle`` without waiting; False when another holds it."""
    try:
        if sys.platform == "win32":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(handle: IO[bytes]) -> None:
    with contextlib.suppress(OSError):
        if sys.platform == "win32":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class SessionLock:
    """Held by a window while it is open: its autosaves are in use, not left by a crash.

    The operating system drops the lock when the process dies, however it dies, so the next
    start sees the copies as recoverable. Locks taken through separate opens conflict within one
    process too, so two windows of one app see each other as running.
    """

    def __init__(self, session: str) -> None:
        self.session = session
        self.path = _lock_path(session)
        self._handle: IO[bytes] | None = None
        try:
            handle = open(self.path, "a+b")  # noqa: SIM115 - held open for the window's life
        except OSError:
            return  # no lock: the copies look recoverable, which loses nothing
        if _try_lock(handle):
            self._handle = handle
        else:
            handle.close()

    @property
    def held(self) -> bool:
        """Whether the lock was taken (False when the autosave folder cannot be written)."""
        return self._handle is not None

    def release(self) -> None:
        """Gives the lock up and removes its file (a clean close)."""
        handle, self._handle = self._handle, None
        if handle is None:
            return
        _unlock(handle)
        handle.close()
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)


def session_alive(session: str) -> bool:
    """Whether a running window holds ``session``'s lock."""
    path = _lock_path(session)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError:
        return False  # no lock file: the window closed, or wrote before locks were kept
    try:
        if _try_lock(handle):
            _unlock(handle)
            return False
        return True
    finally:
        handle.close()
