"""The open workspace as a document: its file, its unsaved state, autosave and recovery."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from workbench.core import autosave
from workbench.core.settings import Settings, write_settings
from workbench.core.workspace import (
    SUFFIX,
    FileState,
    Workspace,
    WorkspaceError,
    file_state,
    remove_stray_temp_files,
    workspace_from_text,
    write_atomic,
)
from workbench.core.workspace_files import load_workspace
from workbench.ui.common.background import BackgroundTasks
from workbench.ui.common.memory import trim_soon

if TYPE_CHECKING:  # concurrent.futures loads with the first background work, after the paint
    from concurrent.futures import Future

log = logging.getLogger(__name__)
T = TypeVar("T")


def apply_defaults(workspace: Workspace, settings: Settings) -> None:
    """Gives a new workspace the default provider and model of the settings (when set)."""
    if settings.default_provider:
        workspace.params.provider = settings.default_provider
    if settings.default_model:
        workspace.params.model = settings.default_model


class WorkspaceDocument(QObject):
    """Owns the workspace shown in a window and where it is saved.

    The workspace object stays the same for the life of the window (views hold on to it); opening
    a file replaces its contents. Unsaved state is the undo stack's clean state.

    Each document has its own autosave, locked by its session while the window is open (see
    :mod:`workbench.core.autosave`): another window or instance on the same file never writes,
    offers or deletes it.

    Signals:
        path_changed(): the file the workspace belongs to changed (open, save as, new).
        loaded(): the workspace's contents were replaced (open, import, recovery).
        autosaved(path): an autosave copy was written.
        autosave_failed(reason): an autosave copy could not be written (a full disk, say).
    """

    path_changed = Signal()
    loaded = Signal()
    autosaved = Signal(str)
    autosave_failed = Signal(str)

    def __init__(self, workspace: Workspace, undo_stack: QUndoStack, settings: Settings) -> None:
        super().__init__()
        self.workspace = workspace
        self.undo_stack = undo_stack
        self.settings = settings
        self.path: Path | None = None
        # Random like uuid4's, without importing uuid (and libuuid) before the first paint.
        self._session = os.urandom(6).hex()
        #: Held while the window is open: its autosaves belong to a running window.
        self._lock = autosave.SessionLock(self._session)
        #: The file as last read or written here, to notice changes made outside the app.
        self._on_disk: FileState | None = None
        #: Why the last autosave failed, until one succeeds again (or the work is saved).
        self.autosave_error: str | None = None
        #: Autosave writes, one after another in the order they were taken.
        self._io = BackgroundTasks(self, serial=True)
        #: Writes asked for while they are held (:meth:`hold_writes`), in order; None if not.
        self._held_writes: list[Callable[[], object]] | None = None
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(int(settings.autosave_seconds * 1000))
        self._autosave_timer.timeout.connect(self.autosave_now)
        undo_stack.indexChanged.connect(self._on_edit)

    # State -----------------------------------------------------------------------------------

    @property
    def modified(self) -> bool:
        """Whether there are changes not saved to ``path``."""
        return not self.undo_stack.isClean()

    def display_name(self) -> str:
        """The file name, or the workspace title for an unsaved one."""
        return self.path.name if self.path else f"{self.workspace.title or 'Untitled'} (unsaved)"

    # Opening ---------------------------------------------------------------------------------

    def open(self, path: str | Path) -> None:
        """Opens a workspace file; WorkspaceError (nothing changed) when it cannot be used."""
        path = Path(path)
        state = file_state(path)
        loaded = load_workspace(path)
        resolved = path.resolve()
        # A promptfoo config becomes an unsaved workspace: saving must not write JSON over YAML.
        foreign = path.suffix.lower() in (".yaml", ".yml")
        discarded = autosave.autosave_path(self.path, self._session)
        try:
            self._replace(loaded, None if foreign else resolved)
        except WorkspaceError as error:
            raise error.in_file(path.name) from None
        # The work this window held was saved or discarded before opening: its copy goes too.
        self._remove(discarded)
        self._on_disk = None if foreign else state
        # On the I/O thread, in order with the writes (after the first paint at start): a look
        # at the folder is no part of showing the file.
        self._write(
            lambda: remove_stray_temp_files(resolved),
            None,
            lambda error: log.warning("Stray temporary files not removed: %s", error),
        )
        self.undo_stack.clear()
        if foreign:
            self.undo_stack.resetClean()
        self.settings.add_recent(resolved)
        self._save_settings()
        self.path_changed.emit()

    def new(self) -> None:
        """Starts an empty, untitled workspace with the default provider and model."""
        self._discard_autosave()
        workspace = Workspace()
        apply_defaults(workspace, self.settings)
        self._replace(workspace, None)
        self._on_disk = None
        self.undo_stack.clear()
        self.path_changed.emit()

    def import_text(self, text: str, title: str | None = None, unsaved: bool = True) -> None:
        """Replaces the workspace with one read from JSON text (a request body, say).

        The result is untitled; ``unsaved`` marks it as work to save (an import), or not (an
        example opened to look at). WorkspaceError, with nothing changed, if unusable.
        """
        imported = workspace_from_text(text)
        if title:
            imported.title = title
        self._discard_autosave()
        self._replace(imported, None)
        self._on_disk = None
        self.undo_stack.clear()
        if unsaved:
            self.undo_stack.resetClean()  # an import is new work: it is not saved anywhere yet
        self.path_changed.emit()

    def recover(self, save: autosave.Autosave) -> None:
        """Replaces the workspace with an autosaved copy (unsaved until the user saves)."""
        recovered = save.load()
        self._discard_autosave()
        self._replace(recovered, save.source)
        self._on_disk = file_state(save.source) if save.source is not None else None
        self.undo_stack.clear()
        self.undo_stack.resetClean()
        # This window's own copy first, then the crashed one goes: a second crash loses nothing.
        # Recovered at start (the user answered before the first paint), the writes held until
        # that paint go now, this one with them: waiting on a held write would wait for nothing.
        self.release_writes()
        written = self.autosave_now()
        if written is not None:
            with contextlib.suppress(Exception):
                written.result(timeout=10)
        save.discard()
        self.path_changed.emit()

    def _replace(self, other: Workspace, path: Path | None) -> None:
        """Shows ``other`` as the file ``path``: both or neither.

        The path changes with the contents, so no view ever shows one file under another's
        name; when a view cannot take the new contents, the old ones (the same message objects,
        so the undo stack still applies) and the old path come back and WorkspaceError says why.
        """
        current = self.workspace
        before = Workspace(
            title=current.title,
            messages=list(current.conversation.messages),
            tools=current.tools,
            tool_choice=current.tool_choice,
            params=current.params,
            variants=current.variants,
            tests=current.tests,
            asserts=current.asserts,
        )
        old_path = self.path
        self.path = path
        try:
            current.replace_with(other)
        except Exception as error:
            log.exception("A view could not show the new workspace")
            self.path = old_path
            current.replace_with(before)
            raise WorkspaceError(
                self.tr("it cannot be shown ({error})").format(error=error)
            ) from None
        self.loaded.emit()
        # The old workspace goes, with the undo steps that kept its cards (a 10 MB answer): the
        # allocator keeps large freed blocks unless asked to give them back.
        trim_soon()

    # Saving ----------------------------------------------------------------------------------

    def save(self) -> bool:
        """Saves to ``path``; False when there is no path yet (use ``save_as``)."""
        if self.path is None:
            return False
        self.save_as(self.path)
        return True

    def save_as(self, path: str | Path) -> None:
        """Writes the workspace atomically to ``path`` (``.prompt.json`` added if missing)."""
        path = Path(path)
        if not path.name.endswith(".json"):
            path = path.with_name(path.name + SUFFIX)
        old_autosave = autosave.autosave_path(self.path, self._session)
        write_atomic(path, self.workspace.dumps())
        self.path = path.resolve()
        self._on_disk = file_state(self.path)
        self.undo_stack.setClean()
        self._remove(old_autosave)
        self._discard_autosave()
        self._autosave_ok()
        self.settings.add_recent(self.path)
        self.settings.last_directory = str(self.path.parent)
        self._save_settings()
        self.path_changed.emit()

    # Autosave --------------------------------------------------------------------------------

    def _on_edit(self, _index: int) -> None:
        if self.modified:
            self._autosave_timer.start()

    def autosave_now(self) -> Future[Path] | None:
        """Writes an autosave copy now (off the UI thread); None when there is nothing to save,
        or while the writes are held (:meth:`hold_writes`: the copy is written on release)."""
        if not self.modified:
            return None
        snapshot = self.workspace.to_json()  # taken on this thread, written on the I/O thread
        path, session = self.path, self._session
        return self._write(
            lambda: autosave.write_autosave(snapshot, path, session),
            self._after_autosave,
            self._autosave_failed,
        )

    def _after_autosave(self, written: Path) -> None:
        self._autosave_ok()
        self.autosaved.emit(str(written))

    def _autosave_ok(self) -> None:
        if self.autosave_error is not None:
            self.autosave_error = None
            self.autosave_failed.emit("")

    def _autosave_failed(self, error: Exception) -> None:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        log.warning("Autosave failed: %s", reason)
        self.autosave_error = reason
        self.autosave_failed.emit(reason)

    def _discard_autosave(self) -> None:
        self._remove(autosave.autosave_path(self.path, self._session))

    @staticmethod
    def _remove(path: Path) -> None:
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            log.warning("Autosave copy %s not removed: %s", path.name, error)

    def recoverable(self, at_start: bool = False) -> list[autosave.Autosave]:
        """Autosaves left by windows that did not close cleanly, worth offering.

        Args:
            at_start: Every one (untitled work and copies newer than their files); otherwise
                those of the current file (or, untitled, the untitled ones).
        """
        if at_start:
            return autosave.recoverable(every=True)
        return autosave.recoverable(self.path)

    # Changes made outside the app ------------------------------------------------------------

    def changed_on_disk(self) -> bool:
        """Whether the file was changed by something else since it was opened or saved here."""
        if self.path is None or self._on_disk is None:
            return False
        now = file_state(self.path)
        return now is not None and now != self._on_disk

    def close(self) -> None:
        """Stops autosaving; a clean close leaves no autosave behind. Never raises."""
        self._autosave_timer.stop()
        with contextlib.suppress(RuntimeError, TypeError):
            self.undo_stack.indexChanged.disconnect(self._on_edit)
        self.release_writes()  # a window closed before its first paint writes them too
        try:
            self._io.shutdown(wait=True, timeout=10, finish_queued=True)
        except Exception as error:  # a failed last write must not keep the window open
            log.warning("Autosave not finished at close: %s", error)
        self._discard_autosave()
        self._lock.release()

    def hold_writes(self) -> None:
        """Keeps the file writes (settings, autosaves, the clean-up of stray temporary files)
        waiting, in order, until :meth:`release_writes`. The window holds them until its first
        paint is over: handed to the I/O thread, they would start it (and import the futures it
        answers with, 2 ms) while the window paints."""
        if self._held_writes is None:
            self._held_writes = []

    def release_writes(self) -> None:
        """Hands the writes held since :meth:`hold_writes` to the I/O thread, in order."""
        held, self._held_writes = self._held_writes, None
        for write in held or ():
            try:
                write()
            except Exception as error:  # one that cannot start must not keep the others back
                log.warning("A held write was not started: %s", error)

    def _write(
        self,
        work: Callable[[], T],
        on_success: Callable[[T], None] | None,
        on_failure: Callable[[Exception], None],
    ) -> Future[T] | None:
        """``work()`` on the I/O thread after the writes asked for before it (None while held)."""
        if self._held_writes is not None:
            self._held_writes.append(lambda: self._io.run(work, on_success, on_failure))
            return None
        return self._io.run(work, on_success, on_failure)

    def _save_settings(self) -> None:
        # Written on the I/O thread, in order with the autosaves: opening a file at start-up
        # does not wait for the disk (an fsync) before the window paints.
        snapshot = self.settings.snapshot()  # taken on this thread, written on the I/O thread
        self._write(
            lambda: write_settings(snapshot),
            None,
            lambda error: log.warning("Settings not saved: %s", error),
        )
