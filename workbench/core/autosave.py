"""Autosave copies of open workspaces, and finding the ones worth recovering on start."""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.core import json_files, paths
from workbench.core.workspace import Workspace, WorkspaceError, workspace_from_json, write_atomic


@dataclass(frozen=True)
class Autosave:
    """One autosaved copy.

    Attributes:
        path: The autosave file itself.
        source: The workspace file it is a copy of, or None for an untitled workspace.
        saved_at: When it was written (seconds since the epoch).
    """

    path: Path
    source: Path | None
    saved_at: float

    def load(self) -> Workspace:
        """The autosaved workspace; WorkspaceError when the copy is damaged."""
        try:
            data = json_files.read_json_file(self.path)
            return workspace_from_json(data["workspace"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise WorkspaceError(f"autosave {self.path.name} is damaged: {error}") from None

    def discard(self) -> None:
        """Deletes the autosave file."""
        self.path.unlink(missing_ok=True)


def autosave_path(source: Path | None, session: str) -> Path:
    """Where the autosave of ``source`` goes (untitled workspaces: one per window ``session``)."""
    if source is None:
        key = f"untitled-{session}"
    else:
        digest = hashlib.sha1(str(source.resolve()).encode("utf-8")).hexdigest()[:16]
        key = f"{source.stem.removesuffix('.prompt')}-{digest}"
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
        if not isinstance(source, str | None) or isinstance(saved_at, bool):
            raise TypeError("autosave_of must be a path, saved_at a time")
        saved_at = float(saved_at)
        if not 0 <= saved_at < 1e11:  # a time between 1970 and the year 5138
            raise ValueError(f"saved_at {saved_at!r} is not a time")
        return Autosave(path, Path(source) if source else None, saved_at)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, OverflowError) as error:
        json_files.note_state_problem(f"Autosave {path} not offered: {error}")
        return None


def recoverable(source: Path | None) -> list[Autosave]:
    """Autosaves worth offering when ``source`` is opened (None: when the app starts empty).

    For a file: its autosave, if it is newer than the file. Without a file: autosaves of untitled
    workspaces left by a window that did not close cleanly.
    """
    found = []
    for path in paths.autosave_dir().glob("*.autosave.json"):
        save = _read(path)
        if save is None:
            continue
        if source is None and save.source is None:
            found.append(save)
        elif source is not None and save.source == source.resolve():
            try:
                file_time = os.stat(source).st_mtime
            except OSError:
                file_time = 0.0
            if save.saved_at > file_time:
                found.append(save)
    return sorted(found, key=lambda s: s.saved_at, reverse=True)
