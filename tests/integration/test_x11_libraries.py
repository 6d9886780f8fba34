"""The README's list of X11 libraries for Qt's xcb plugin, checked against the plugin itself."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def debian_depends() -> ModuleType:
    """packaging/linux/debian_depends.py (a script, not a package), loaded as a module."""
    path = ROOT / "packaging" / "linux" / "debian_depends.py"
    spec = importlib.util.spec_from_file_location("debian_depends", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("ldd") is None,
    reason="the xcb plugin and ldd exist on Linux only",
)


def readme_packages() -> set[str]:
    """The packages of the README's apt line (between the x11-libraries markers)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- x11-libraries -->", 1)[1].split("<!-- /x11-libraries -->", 1)[0]
    words = re.findall(r"[a-z0-9][a-z0-9.+-]+", block.replace("\\\\", " "))
    return {w for w in words if w not in {"bash", "sudo", "apt", "install"}}


def xcb_plugin_libraries() -> set[str]:
    """Every shared library (soname) that loading the xcb plugin pulls in, as ldd resolves it."""
    import PySide6

    qt = Path(PySide6.__file__).resolve().parent / "Qt"
    wanted = ("XcbQpa", "Gui", "Core", "Widgets", "DBus")
    files = [qt / "plugins" / "platforms" / "libqxcb.so"]
    files += [qt / "lib" / f"libQt6{name}.so.6" for name in wanted]
    found: set[str] = set()
    for path in files:
        listing = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=True)
        for line in listing.stdout.splitlines():
            name = line.strip().split(" ", 1)[0]
            assert "not found" not in line, f"{path.name}: {line.strip()}"
            found.add(name)
    return found


def test_the_readme_lists_every_x11_library_the_xcb_plugin_loads() -> None:
    x11 = sorted(
        name
        for name in xcb_plugin_libraries()
        if name.startswith(("libX", "libxcb", "libxkbcommon"))
    )
    assert "libxcb-cursor.so.0" in x11  # the one Qt 6.5+ added, missing on many systems
    mapping: dict[str, str] = debian_depends().PACKAGES
    unmapped = [name for name in x11 if name not in mapping]
    assert not unmapped, f"add these to packaging/linux/debian_depends.py PACKAGES: {unmapped}"
    listed = readme_packages()
    missing = sorted({mapping[name] for name in x11} - listed)
    assert not missing, f"README's X11 apt line lacks {missing}"


def test_the_deb_depends_on_a_cjk_font() -> None:
    assert "fonts-noto-cjk" in debian_depends().FONTS
    assert "fonts-noto-cjk" in readme_packages()


def test_the_minimal_image_check_installs_exactly_the_readmes_list() -> None:
    """packaging/linux/check_minimal_image.sh (run by hand, as root) reads the same apt line."""
    script = ROOT / "packaging" / "linux" / "check_minimal_image.sh"
    listed = subprocess.run(
        ["bash", str(script), "--list"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert sorted(listed) == sorted(readme_packages())
    assert "libxcb-cursor0" in listed
