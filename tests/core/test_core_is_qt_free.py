"""The core must import without Qt: it is used headless by the CLI and tested without a display."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_importing_every_core_module_never_imports_pyside6() -> None:
    script = textwrap.dedent(
        """
        import importlib, pkgutil, sys

        class Blocker:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("PySide6", "qasync") or name.startswith("workbench.ui"):
                    raise ImportError(f"the core imported {name}")
                return None

        sys.meta_path.insert(0, Blocker())
        import workbench.core
        names = [m.name for m in pkgutil.walk_packages(workbench.core.__path__, "workbench.core.")]
        for name in names:
            importlib.import_module(name)
        import workbench.cli
        print(len(names))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) >= 5
