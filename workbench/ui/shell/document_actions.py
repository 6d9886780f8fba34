"""The File menu's work on the window's document: new, open, save, import, recover autosaves."""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from workbench.core.workspace import WorkspaceError, read_workspace_text, workspace_from_text
from workbench.ui.common import dialogs
from workbench.ui.common.i18n import date_time, shown
from workbench.ui.context import AppContext


class DocumentActions(QObject):
    """Opens, saves, imports and recovers the workspace of one window, asking the user first.

    Every question goes through :mod:`~workbench.ui.common.dialogs` (the test seam) with
    ``window`` as the parent; what happened goes to the status bar through
    :meth:`AppContext.show_status`. A file that cannot be used is reported and never overwritten.

    Args:
        window: The parent of the dialogs.
        context: The window's services (the document, workspace, settings, providers, catalog).

    Signals:
        recent_files_changed(): the Open recent list changed (a listed file has gone).
    """

    recent_files_changed = Signal()

    def __init__(self, window: QWidget, context: AppContext) -> None:
        super().__init__(window)
        self.setObjectName("documentActions")
        self._window = window
        self._context = context
        self._document = context.document
        self._workspace = context.workspace
        self._settings = context.settings

    def may_discard(self) -> bool:
        """Asks what to do with unsaved changes; False when the user cancels."""
        if not self._document.modified:
            return True
        answer = dialogs.ask(
            self._window,
            self.tr("Unsaved changes"),
            self.tr("Save the changes to {value0}?").format(value0=self._document.display_name()),
            dialogs.Button.Save | dialogs.Button.Discard | dialogs.Button.Cancel,
            dialogs.Button.Save,
            self.tr("Your changes are lost if you don't save them."),
        )
        if answer == dialogs.Button.Save:
            return self.save()
        return answer == dialogs.Button.Discard

    def open_path(
        self, path: str | Path, ask_first: bool = False, offer_recovery: bool = True
    ) -> bool:
        """Opens ``path``; reports a file that cannot be used, leaving it and the window as is.

        Then offers the autosaves of that file a crashed window left (``offer_recovery``).
        """
        if ask_first and not self.may_discard():
            return False
        try:
            self._document.open(path)
        except WorkspaceError as error:
            missing = not os.path.lexists(path)
            # realpath, not Path.resolve(): a symlink loop must not break the error report.
            gone = os.path.realpath(path)
            if missing and gone in self._settings.recent_files:
                # A file moved or deleted since: no use offering it again.
                self._settings.recent_files = [p for p in self._settings.recent_files if p != gone]
                self.recent_files_changed.emit()
            dialogs.show_error(
                self._window,
                self.tr("Cannot open workspace"),
                shown(error),
                self.tr("It was moved or deleted; it is no longer listed in Open recent.")
                if missing
                else self.tr("The file was not changed."),
            )
            return False
        self._context.show_status(self.tr("Opened {path}").format(path=self._document.path), 5000)
        if offer_recovery:
            self.offer_recovery()
        return True

    def choose_and_open(self) -> None:
        """File > Open."""
        if not self.may_discard():
            return
        path = dialogs.choose_open_path(self._window, self._settings.last_directory)
        if path:
            self.open_path(path)

    def open_example(self, path: Path) -> None:
        """File > Examples: opens a copy (saving asks where)."""
        if not self.may_discard():
            return
        try:
            self._document.import_text(read_workspace_text(path), unsaved=False)
        except (OSError, WorkspaceError) as error:
            dialogs.show_error(self._window, self.tr("Cannot open example"), shown(error))

    def new(self) -> None:
        """File > New workspace."""
        if self.may_discard():
            self._document.new()

    def save(self) -> bool:
        """File > Save; asks for a name the first time. False when not saved."""
        if self._document.path is None:
            return self.save_as()
        return self._write(self._document.path)

    def save_as(self) -> bool:
        """File > Save as."""
        suggested = str(
            Path(self._settings.last_directory or Path.home())
            / f"{self._workspace.title or 'untitled'}.prompt.json"
        )
        path = dialogs.choose_save_path(self._window, suggested)
        return bool(path) and self._write(Path(path or ""))

    def _write(self, path: Path) -> bool:
        if (
            self._document.path is not None
            and path.resolve() == self._document.path
            and self._document.changed_on_disk()
        ):
            answer = dialogs.ask(
                self._window,
                self.tr("File changed on disk"),
                self.tr("{name} was changed outside Prompt Workbench since you opened it.").format(
                    name=path.name
                ),
                dialogs.Button.Save | dialogs.Button.Cancel,
                dialogs.Button.Cancel,
                self.tr(
                    "Save overwrites those changes with yours. Cancel leaves the file as it is; "
                    "Save as keeps your work in another file."
                ),
            )
            if answer != dialogs.Button.Save:
                self._context.show_status(
                    self.tr("Not saved: {name} changed on disk.").format(name=path.name), 8000
                )
                return False
        try:
            self._document.save_as(path)
        except OSError as error:
            dialogs.show_error(
                self._window,
                self.tr("Not saved"),
                self.tr("Cannot write {path}: {value1}").format(
                    path=path, value1=error.strerror or error
                ),
                self.tr("Your work is still here; choose another place with Save as."),
            )
            return False
        self._context.show_status(self.tr("Saved {path}").format(path=self._document.path), 4000)
        return True

    def choose_and_import(self) -> None:
        """File > Import request JSON: a request body or messages array from a file."""
        if not self.may_discard():
            return
        path = dialogs.choose_open_path(self._window, self._settings.last_directory)
        if not path:
            return
        try:
            self._import(read_workspace_text(path))
        except (OSError, UnicodeDecodeError, WorkspaceError) as error:
            dialogs.show_error(self._window, self.tr("Cannot import"), shown(error))

    def _import(self, text: str) -> None:
        """Imports a request body or messages array (WorkspaceError when unusable).

        A request body names a model but no provider: when the catalog knows the model and the
        chosen provider is of another kind, the first provider of the model's kind is taken, so a
        pasted ``gpt-4o`` request is not sent to Moonshot.
        """
        self._document.import_text(text)
        if self._workspace.import_notes:
            self._context.show_status(" ".join(self._workspace.import_notes), 12000)
        try:
            data = json.loads(text)
        except ValueError:
            return
        params = data.get("params") if isinstance(data, dict) else None
        if isinstance(params, dict) and "provider" in params:
            return  # a workspace file: its provider is the user's choice
        providers = self._context.providers
        info = self._context.catalog.get(self._workspace.params.model)
        current = providers.get(self._workspace.params.provider)
        if info is None or (current is not None and current.kind == info.provider):
            return
        match = next((p for p in providers.all() if p.kind == info.provider), None)
        if match is not None:
            self._workspace.set_param("provider", match.id)
            self._context.show_status(
                self.tr("Imported for {name}, the provider of {id}.").format(
                    name=match.name, id=info.id
                ),
                8000,
            )

    def paste_request(self) -> None:
        """File > Paste request JSON: the clipboard's request body or messages array."""
        text = QGuiApplication.clipboard().text()
        if not text.strip():
            self._context.show_status(self.tr("The clipboard holds no text to import."), 6000)
            return
        try:
            workspace_from_text(text)  # found invalid before the current work is put at risk
        except WorkspaceError as error:
            dialogs.show_error(
                self._window,
                self.tr("Cannot import the clipboard"),
                shown(error),
                self.tr("Copy an OpenAI request body or a JSON array of messages."),
            )
            return
        if not self.may_discard():
            return
        try:
            self._import(text)
        except WorkspaceError as error:
            dialogs.show_error(self._window, self.tr("Cannot import the clipboard"), shown(error))

    def offer_recovery(self, at_start: bool = False) -> None:
        """Offers to recover autosaves left by windows that did not close cleanly.

        At start every one is offered (untitled work, and copies newer than their files);
        after opening a file, the copies of that file. One can be recovered into this window:
        Yes recovers it, No deletes it, Ignore keeps it for the next start; once one is
        recovered the rest are kept for the next start. Copies of windows still open (here or
        in another instance) are never offered.
        """
        saves = self._document.recoverable(at_start=at_start)
        for position, save in enumerate(saves):
            import datetime as dt  # when there is a copy to offer: not on the start path

            when = date_time(dt.datetime.fromtimestamp(save.saved_at))
            what = save.source.name if save.source else self.tr("an untitled workspace")
            answer = dialogs.ask(
                self._window,
                self.tr("Recover unsaved work?"),
                self.tr("There are unsaved changes to {what} from {when}.").format(
                    what=what, when=when
                ),
                dialogs.Button.Yes | dialogs.Button.No | dialogs.Button.Ignore,
                dialogs.Button.Yes,
                self.tr(
                    "Yes opens them (save to keep them); No deletes them; Ignore keeps them for "
                    "the next start."
                ),
            )
            if answer == dialogs.Button.Yes:
                try:
                    self._document.recover(save)
                except WorkspaceError as error:
                    dialogs.show_error(self._window, self.tr("Cannot recover"), shown(error))
                    continue
                left = len(saves) - position - 1
                if left:
                    self._context.show_status(
                        self.tr(
                            "More unsaved copies kept: {count}, offered again at the next start."
                        ).format(count=left),
                        10000,
                    )
                return
            if answer == dialogs.Button.No:
                save.discard()
