"""Prints the .deb ``Depends`` line for a Linux bundle, from the libraries it links to.

Every ELF file in the bundle is read with ``objdump -p``; each needed library that the bundle
does not carry itself must come from the system, and so from a Debian package named below. An
unknown library fails the build, so a new dependency (a Qt plugin, an extension module) cannot
slip into the bundle without its package in the .deb.

Usage: python packaging/linux/debian_depends.py dist/prompt-workbench
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: soname prefix -> Debian package (alternatives for the t64 renames of Debian 13/Ubuntu 24.04).
PACKAGES: dict[str, str] = {
    "libc.so.6": "libc6 (>= 2.28)",
    "libm.so.6": "libc6 (>= 2.28)",
    "libdl.so.2": "libc6 (>= 2.28)",
    "libpthread.so.0": "libc6 (>= 2.28)",
    "librt.so.1": "libc6 (>= 2.28)",
    "libresolv.so.2": "libc6 (>= 2.28)",
    "libutil.so.1": "libc6 (>= 2.28)",
    "ld-linux-x86-64.so.2": "libc6 (>= 2.28)",
    "ld-linux-aarch64.so.1": "libc6 (>= 2.28)",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
    "libz.so.1": "zlib1g",
    "libbz2.so.1.0": "libbz2-1.0",
    "liblzma.so.5": "liblzma5",
    "libzstd.so.1": "libzstd1",
    "libuuid.so.1": "libuuid1",
    "libglib-2.0.so.0": "libglib2.0-0t64 | libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0t64 | libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libbrotlicommon.so.1": "libbrotli1",
    "libbrotlidec.so.1": "libbrotli1",
    "libgssapi_krb5.so.2": "libgssapi-krb5-2",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
}
#: Not linked, but wanted: keys go to the Secret Service over D-Bus (GNOME Keyring, KWallet...).
RECOMMENDS = "gnome-keyring | kwalletmanager | keepassxc"
#: Not linked, but needed: a font with Chinese (CJK) glyphs. The interface has a Simplified
#: Chinese translation and Kimi's users write Chinese in the cards; a minimal Debian or Ubuntu
#: has no CJK font and would draw boxes. Any of these serves (fontconfig finds it).
FONTS = "fonts-noto-cjk | fonts-wqy-microhei | fonts-wqy-zenhei"


def needed_libraries(bundle: Path) -> tuple[set[str], set[str]]:
    """(libraries linked by the bundle's ELF files, file names the bundle carries)."""
    needed: set[str] = set()
    carried: set[str] = set()
    for path in bundle.rglob("*"):
        if path.is_symlink() or not path.is_file():
            carried.add(path.name)
            continue
        carried.add(path.name)
        with path.open("rb") as handle:
            if handle.read(4) != b"\x7fELF":
                continue
        dump = subprocess.run(
            ["objdump", "-p", str(path)], capture_output=True, text=True, check=True
        ).stdout
        needed.update(line.split()[1] for line in dump.splitlines() if "NEEDED" in line)
    return needed, carried


def main(argv: list[str]) -> int:
    """Prints ``Depends: ...`` and ``Recommends: ...``; exits 2 naming any unmapped library."""
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    needed, carried = needed_libraries(Path(argv[0]))
    from_system = sorted(needed - carried)
    unknown = [name for name in from_system if name not in PACKAGES]
    if unknown:
        print(
            "debian_depends: no Debian package known for "
            + ", ".join(unknown)
            + " (add it to PACKAGES in packaging/linux/debian_depends.py)",
            file=sys.stderr,
        )
        return 2
    print("Depends: " + ", ".join([*sorted({PACKAGES[name] for name in from_system}), FONTS]))
    print(f"Recommends: {RECOMMENDS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
