#!/usr/bin/env bash
# Checks the README's X11 library list on a truly minimal Debian, as a user of the .tar.gz or a
# pip install would meet it: a `debootstrap --variant=minbase` system gets only the README's apt
# line (between the <!-- x11-libraries --> markers) plus python3 and python3-venv, without
# recommended packages; PySide6-Essentials (the version the project's .venv runs, else the newest
# that pyproject.toml allows) goes into a venv there. Then:
#   1. `ldd` on Qt's xcb plugin and the Qt libraries it loads: no library may be "not found";
#   2. xvfb is installed, and a QApplication with QT_QPA_PLATFORM=xcb shows a window with Chinese
#      text under Xvfb: the platform must be xcb, the window exposed, and a CJK font found;
#   3. the app itself (the committed HEAD, pip-installed with its dependencies) starts in Chinese
#      on an example under the same Xvfb and paints its window (APP=0 skips this step);
#   4. every shared library those processes had mapped (read from /proc/PID/maps, so libraries
#      Qt dlopens count too) must come from the minimal base, the README's packages or their
#      dependencies, never from a package that only xvfb brought in.
# A failure names the missing library and package. Needs root, Linux and the network (Debian's
# mirror, PyPI). The debootstrapped system is kept in ROOT-debootstrap, and each run copies it to
# ROOT afresh (a re-run skips debootstrap); delete both with `rm -rf ROOT ROOT-debootstrap` when
# done (unmount first if a run was killed: see `mount | grep ROOT`).
#
# Usage: sudo packaging/linux/check_minimal_image.sh [ROOT]       (default /tmp/minimal)
#        packaging/linux/check_minimal_image.sh --list              (the packages it installs)
#        SUITE=trixie MIRROR=http://deb.debian.org/debian PYSIDE_VERSION=6.11.3 ... (optional;
#        PIP_CERT=FILE: the CA bundle pip needs behind a TLS-intercepting proxy)
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
root=${1:-/tmp/minimal}
suite=${SUITE:-bookworm}
mirror=${MIRROR:-http://deb.debian.org/debian}

if [ -z "${PYSIDE_VERSION:-}" ] && [ -x "$repo/.venv/bin/python" ]; then
    PYSIDE_VERSION=$("$repo/.venv/bin/python" -c \
        "import importlib.metadata as m; print(m.version('pyside6-essentials'))")
fi
if [ -n "${PYSIDE_VERSION:-}" ]; then
    pyside="pyside6-essentials==$PYSIDE_VERSION"
else
    pyside=$(grep -o '"pyside6-essentials[^"]*"' "$repo/pyproject.toml" | tr -d '"')
fi

# The README's apt line: the words between the markers, less the command itself.
packages=$(sed -n '/<!-- x11-libraries -->/,/<!-- \/x11-libraries -->/p' "$repo/README.md" \
    | grep -v -e '^<!--' -e '^```' | tr '\\' ' ' | tr -s ' ' '\n' \
    | grep -v -x -e '' -e sudo -e apt -e apt-get -e install -e -y)
if [ -z "$packages" ]; then
    echo "check_minimal_image: no apt line between the x11-libraries markers in README.md" >&2
    exit 2
fi
if [ "$root" = --list ]; then  # what would be installed (tests/integration read it)
    echo "$packages"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "check_minimal_image: run as root (debootstrap and chroot need it)" >&2
    exit 2
fi

step() { printf '\n== %s\n' "$*"; }

# Every run starts from a fresh copy of the debootstrapped system (kept in $pristine), so
# that packages of an earlier run cannot hide a missing one.
pristine=${root%/}-debootstrap
if [ ! -x "$pristine/usr/bin/apt-get" ]; then
    command -v debootstrap >/dev/null || apt-get install -y debootstrap
    step "debootstrap --variant=minbase $suite $pristine"
    rm -rf "$pristine"
    debootstrap --variant=minbase "$suite" "$pristine" "$mirror"
fi
for fs in proc sys dev; do
    if mountpoint -q "$root/$fs"; then
        echo "check_minimal_image: $root/$fs is still mounted (a killed run?): umount it" >&2
        exit 2
    fi
done
rm -rf "$root"
cp -a "$pristine" "$root"

mounted=()
cleanup() {
    for pidfile in "$root/tmp/app.pid" "$root/tmp/xvfb.pid"; do
        if [ -f "$pidfile" ]; then
            kill "$(cat "$pidfile")" 2>/dev/null || true
            rm -f "$pidfile"
        fi
    done
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}" || true
    done
}
trap cleanup EXIT
for fs in proc sys dev dev/pts; do
    if ! mountpoint -q "$root/$fs"; then
        case $fs in
            proc) mount -t proc proc "$root/proc" ;;
            sys) mount -t sysfs sys "$root/sys" ;;
            *) mount --bind "/$fs" "$root/$fs" ;;
        esac
        mounted+=("$root/$fs")
    fi
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
installed() { in_root dpkg-query -W -f='${db:Status-Status} ${Package}\n' \
    | awk '$1 == "installed" {print $2}' | sort; }

step "packages of the minimal system"
installed >"$root/tmp/base.txt"
wc -l <"$root/tmp/base.txt"

step "apt-get install (no recommends): the README's list + python3 python3-venv"
echo $packages
in_root apt-get update -q
# shellcheck disable=SC2086  # one word per package
in_root apt-get install -y -q --no-install-recommends $packages python3 python3-venv
installed >"$root/tmp/listed.txt"

step "pip install $pyside into /opt/venv"
in_root python3 -m venv /opt/venv
pip_env=()
if [ -n "${PIP_CERT:-}" ]; then  # a network whose proxy has its own CA: pip needs it too
    cp "$PIP_CERT" "$root/tmp/pip-ca.crt"
    pip_env=(PIP_CERT=/tmp/pip-ca.crt)
fi
pip() { in_root /usr/bin/env "${pip_env[@]}" /opt/venv/bin/pip install -q \
    --disable-pip-version-check "$@"; }
pip "$pyside"
qt=$(in_root /opt/venv/bin/python -c \
    "import PySide6, pathlib; print(pathlib.Path(PySide6.__file__).parent / 'Qt')")
in_root /opt/venv/bin/python -c "import PySide6; print('PySide6', PySide6.__version__)"

step "ldd: the xcb plugin and the Qt libraries it loads"
missing=0
for lib in plugins/platforms/libqxcb.so lib/libQt6XcbQpa.so.6 lib/libQt6Gui.so.6 \
    lib/libQt6Widgets.so.6 lib/libQt6Core.so.6 lib/libQt6DBus.so.6; do
    if in_root ldd "$qt/$lib" | grep 'not found'; then
        echo "  ^ needed by $lib"
        missing=1
    fi
done
[ "$missing" = 0 ] || { echo "FAIL: libraries missing on the minimal system" >&2; exit 1; }
echo "every library resolves"

step "apt-get install (no recommends): xvfb xauth (the X server, not part of the check)"
in_root apt-get install -y -q --no-install-recommends xvfb xauth
installed >"$root/tmp/with-xvfb.txt"
echo "xvfb brought in: $(comm -13 "$root/tmp/listed.txt" "$root/tmp/with-xvfb.txt" | tr '\n' ' ')"

step "a QApplication on xcb under Xvfb shows a window with Chinese text"
cat >"$root/tmp/show_window.py" <<'EOF'
import pathlib
import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv)
label = QLabel("Prompt Workbench · 提示词工作台 · 发送")
label.resize(480, 120)
label.show()
checks = {}


def check() -> None:
    """Looked at while the window is up (quitting closes it)."""
    handle = label.windowHandle()
    checks["xcb"] = QGuiApplication.platformName() == "xcb"
    checks["exposed"] = handle is not None and handle.isExposed()
    cjk = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    checks["cjk font"] = bool(cjk) and QFontMetrics(label.font()).inFontUcs4(ord("提"))
    print("platform:", QGuiApplication.platformName(), "| window:", label.size().toTuple())
    print("CJK fonts:", ", ".join(cjk[:4]) or "none")
    screen = QGuiApplication.primaryScreen().grabWindow(0, 0, 0, 480, 120)
    screen.save("/tmp/minimal-window.png")
    maps = pathlib.Path("/proc/self/maps").read_text().splitlines()
    loaded = sorted({line.split()[-1] for line in maps if ".so" in line.split()[-1]})
    pathlib.Path("/tmp/loaded.txt").write_text("\n".join(loaded) + "\n")
    app.quit()


QTimer.singleShot(1500, check)
app.exec()
print("checks:", checks)
sys.exit(0 if checks and all(checks.values()) else 1)
EOF
in_root sh -c 'Xvfb :99 -screen 0 1400x900x24 -nolisten tcp >/tmp/xvfb.log 2>&1 & echo $! >/tmp/xvfb.pid'
sleep 2
in_root /usr/bin/env QT_QPA_PLATFORM=xcb DISPLAY=:99 /opt/venv/bin/python /tmp/show_window.py \
    || { echo "FAIL: the window did not open on xcb (or no CJK font)" >&2; exit 1; }

if [ "${APP:-1}" != 0 ]; then
    step "the app itself (committed HEAD, pip-installed) opens its window in Chinese on xcb"
    rm -rf "$root/opt/src" && mkdir -p "$root/opt/src"
    git -C "$repo" archive HEAD | tar -x -C "$root/opt/src"
    pip /opt/src
    example=$(in_root /opt/venv/bin/python -c \
        "from workbench.core.resources import example_files; print(example_files()[0])")
    in_root sh -c "cd /tmp && WORKBENCH_HOME=/tmp/home WORKBENCH_LANGUAGE=zh_CN \
        QT_QPA_PLATFORM=xcb DISPLAY=:99 /opt/venv/bin/prompt-workbench '$example' \
        >/tmp/app.log 2>&1 & echo \$! >/tmp/app.pid"
    app_pid=$(cat "$root/tmp/app.pid")
    cat >"$root/tmp/grab_screen.py" <<'GRAB'
import sys

from PySide6.QtGui import QGuiApplication

app = QGuiApplication(sys.argv)
image = QGuiApplication.primaryScreen().grabWindow(0).toImage()
image.save("/tmp/minimal-app.png")
colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
print("screen:", image.width(), "x", image.height(), "|", len(colours), "colours sampled")
sys.exit(0 if len(colours) > 20 else 1)  # a painted window, not an empty screen
GRAB
    sleep 15  # start-up, the example opened, the tokenizer loaded (a loaded machine is slow)
    if ! kill -0 "$app_pid" 2>/dev/null; then
        cat "$root/tmp/app.log"
        echo "FAIL: the app exited on the minimal system" >&2
        exit 1
    fi
    in_root /usr/bin/env QT_QPA_PLATFORM=xcb DISPLAY=:99 /opt/venv/bin/python /tmp/grab_screen.py \
        || { cat "$root/tmp/app.log"; echo "FAIL: nothing painted on the screen" >&2; exit 1; }
    # Read from outside, the chrooted process's paths start with $root.
    awk '{print $NF}' "/proc/$app_pid/maps" | grep '\.so' | sed "s|^$root||" | sort -u \
        >>"$root/tmp/loaded.txt"
    kill "$app_pid" 2>/dev/null || true
    rm -f "$root/tmp/app.pid"
    echo "app log:"
    sed 's/^/  /' "$root/tmp/app.log" | head -20
    if grep -q Traceback "$root/tmp/app.log"; then
        echo "FAIL: the app raised an exception on the minimal system (see its log above)" >&2
        exit 1
    fi
fi
kill "$(cat "$root/tmp/xvfb.pid")" 2>/dev/null || true
rm -f "$root/tmp/xvfb.pid"

step "every library the window processes loaded: from the base, the README's list or its deps"
stray=0
while read -r path; do
    case $path in /opt/venv/*) continue ;; esac
    package=$(in_root dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1) || true
    if [ -z "$package" ]; then
        # /lib is a symlink to /usr/lib on a merged-/usr system: dpkg knows one of the two.
        package=$(in_root dpkg -S "${path#/usr}" 2>/dev/null | head -1 | cut -d: -f1) || true
    fi
    if [ -z "$package" ]; then
        echo "  ? $path: no package owns it"
        stray=1
    elif ! grep -qx "$package" "$root/tmp/listed.txt"; then
        echo "  ! $path comes from $package, which only xvfb brought in: add it to the README"
        stray=1
    fi
done <"$root/tmp/loaded.txt"
sort -u -o "$root/tmp/loaded.txt" "$root/tmp/loaded.txt"
echo "$(grep -vc '^/opt/venv/' "$root/tmp/loaded.txt") system libraries loaded"
[ "$stray" = 0 ] || { echo "FAIL: the README's list is incomplete" >&2; exit 1; }

step "PASS: the README's list is complete on minimal $suite ($pyside); screenshots: $root/tmp/minimal-*.png"
