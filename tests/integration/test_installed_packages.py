"""What ``pip install .`` puts in site-packages: every package of the source tree.

The package list in pyproject.toml is explicit (the resources are mapped in beside it), so a new
subpackage must be added there by hand; a missing one only shows in an installed copy (the
minimal-image check found the Tests tab missing: ``No module named 'workbench.ui.evaluate'``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_of_the_source_tree_is_installed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "workbench").rglob("__init__.py")
    }
    missing = sorted(found - listed)
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {missing}"
