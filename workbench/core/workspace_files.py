"""Opening a file as a workspace, whatever its format.

A workspace file, a request body or a bare messages array is read by
:mod:`workbench.core.workspace`; a ``promptfooconfig.yaml`` by :mod:`workbench.core.promptfoo`,
which builds on the workspace (and the run engine, for its export), so the choice between them
sits above both.
"""

from __future__ import annotations

import os
from pathlib import Path

from workbench.core.workspace import (
    Workspace,
    WorkspaceError,
    read_workspace_text,
    workspace_from_text,
)


def load_workspace(path: str | os.PathLike[str]) -> Workspace:
    """Reads a workspace file; WorkspaceError (naming the file) when it cannot be used.

    A ``*.yaml``/``*.yml`` file is read as a promptfoo config (``workbench.core.promptfoo``).
    """
    if str(path).lower().endswith((".yaml", ".yml")):
        # Imported only for a YAML file: the promptfoo module brings PyYAML and the run engine,
        # which the window does not need to open a JSON file at start-up.
        from workbench.core.promptfoo import load_promptfoo

        return load_promptfoo(Path(path))
    text = read_workspace_text(path)
    try:
        return workspace_from_text(text)
    except WorkspaceError as error:
        raise error.in_file(Path(path).name) from None
