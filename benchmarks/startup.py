"""Start-up time of the packaged app against running from source (and a bare PySide6 window).

Each run starts ``--self-test`` in a fresh process, offscreen, and times two moments from the
spawn: the ``window`` line (the MainWindow has been built on an example and painted once: the
first painted window) and the exit (the whole self-test: tokenizer, keyring, one streamed
request). A bare PySide6 window (QApplication + QWidget shown and painted) is the reference of
DESIGN section 7. Medians over ``--runs`` runs, after one warm-up run each (disk cache).

Usage:
    python benchmarks/startup.py [--bundle dist/prompt-workbench/prompt-workbench] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WINDOW_MARK = "ok   window"
BARE_WINDOW = """
import sys
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv[:1])
window = QLabel("bare")
window.resize(1280, 820)
window.show()
assert not window.grab().isNull()
print("ok   window", flush=True)
"""


@dataclass
class Timing:
    """Seconds from spawn to the first painted window and to the exit of one run."""

    window: float
    total: float


def time_run(command: Sequence[str], home: Path) -> Timing:
    """Runs ``command`` once; fails when it does not paint its window or exits non-zero."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "WORKBENCH_HOME": str(home)}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    window = None
    output = []
    for line in process.stdout:
        output.append(line)
        if window is None and line.strip().startswith(WINDOW_MARK):
            window = time.perf_counter() - started
    status = process.wait()
    total = time.perf_counter() - started
    if status != 0 or window is None:
        stderr = process.stderr.read() if process.stderr else ""
        raise SystemExit(f"{command[0]} failed ({status}):\n{''.join(output)}{stderr}")
    return Timing(window, total)


def measure(command: Sequence[str], runs: int) -> tuple[float, float]:
    """Median seconds (to the window, to the exit) over ``runs`` runs after a warm-up run."""
    with tempfile.TemporaryDirectory(prefix="workbench-startup-") as home:
        time_run(command, Path(home))
        timings = [time_run(command, Path(home)) for _ in range(runs)]
    return (
        statistics.median(t.window for t in timings),
        statistics.median(t.total for t in timings),
    )


def bundle_size(bundle: Path) -> int:
    """Bytes in the unpacked bundle folder (symbolic links counted as links)."""
    return sum(p.lstat().st_size for p in bundle.parent.rglob("*") if not p.is_dir())


def main(argv: Sequence[str] | None = None) -> int:
    """Prints the table of start-up figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, help="the built executable, to compare with source")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per variant (default 5)")
    args = parser.parse_args(argv)

    variants: list[tuple[str, list[str]]] = [
        ("bare PySide6 window (source)", [sys.executable, "-c", BARE_WINDOW]),
        ("prompt-workbench from source", [sys.executable, "-m", "workbench", "--self-test"]),
    ]
    if args.bundle:
        variants.append(("prompt-workbench bundle", [str(args.bundle.resolve()), "--self-test"]))

    print(f"Start-up, median of {args.runs} runs (offscreen; first painted window / self-test):")
    results: dict[str, tuple[float, float]] = {}
    for label, command in variants:
        window, total = measure(command, args.runs)
        results[label] = (window, total)
        print(f"  {label:<30} window {window * 1000:6.0f} ms   self-test {total * 1000:6.0f} ms")
    source = results["prompt-workbench from source"]
    bare = results["bare PySide6 window (source)"]
    # A reference only: the self-test opens and paints a full workspace, the bare window a label.
    print(f"  self-test window from source / bare PySide6 window: {source[0] / bare[0]:.2f}x")
    if args.bundle:
        bundle = results["prompt-workbench bundle"]
        print(
            f"  bundle / source: window {bundle[0] / source[0]:.2f}x,"
            f" self-test {bundle[1] / source[1]:.2f}x"
        )
        size = bundle_size(args.bundle.resolve())
        print(f"  unpacked bundle: {size / 1e6:.1f} MB (target < 150 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
