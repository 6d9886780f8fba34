"""Cold start to the first painted, usable window, against bare Qt on the same file.

Target (DESIGN section 7, the scale issue): at most 1.5x the floor, a bare ``QMainWindow`` with a
``QListView`` showing the messages of the same workspace file (read with ``json``). Each figure is
the median over fresh interpreter processes, from launching the process to the end of the
window's first full paint. The app's window is built the way ``prompt-workbench`` builds it
(``defer_features=True``): the cards are there and editable at the first paint; the features
(runs, meter, tools, compare...) are wired in on the next turns of the event loop, and the time
until they are ready is printed too.

``--baseline DIR`` also times the app from another source tree (a checkout of an older commit),
interleaved with the same runs, so a before/after ratio is measured under the same load.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/cold_start.py [--runs N] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

BARE = """
import json, sys, time
from PySide6.QtCore import QStringListModel
from PySide6.QtWidgets import QApplication, QListView, QMainWindow
app = QApplication([])
with open(sys.argv[1], encoding="utf-8") as file:
    messages = json.load(file)["messages"]
window = QMainWindow()
view = QListView()
view.setWordWrap(True)
view.setModel(QStringListModel([m.get("content") or "" for m in messages]))
window.setCentralWidget(view)
window.resize(1280, 820)
window.show()
app.processEvents()
window.grab()
print(time.time(), time.time())
"""

APP = """
import sys, time
if sys.argv[2]:
    sys.path.insert(0, sys.argv[2])  # the app from another source tree (--baseline)
from PySide6.QtWidgets import QApplication
app = QApplication([])
from workbench.ui.shell.main_window import MainWindow
window = MainWindow(sys.argv[1], defer_features=True)  # as prompt-workbench builds it
window.resize(1280, 820)
window.show()
app.processEvents()
window.grab()
painted = time.time()
cards = window.message_list.cards()
assert cards and cards[0].findChild(object, "contentEdit") is not None, "no editable card"
while not window.features_ready:
    app.processEvents()
print(painted, time.time())
window.undo_stack.setClean()
window.close()
"""


#: Bytecode is cached (in a folder of the benchmark's own), as an installed app has it compiled:
#: with PYTHONDONTWRITEBYTECODE set (the test script sets it) every run would compile the app's
#: modules from source while the bare window's PySide6 comes compiled.
ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "PYTHONPYCACHEPREFIX": tempfile.mkdtemp(prefix="wb-cold-pyc-"),
}


def timed(code: str, *args: str) -> tuple[float, float]:
    """Seconds from launch to the first paint, and to the features being ready."""
    launched = time.time()
    done = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True, env=ENV
    )
    painted, ready = (float(x) for x in done.stdout.split()[-2:])
    return painted - launched, ready - launched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=7, help="runs of each (default 7)")
    parser.add_argument("--runs", dest="runs_option", type=int, help="the same, as an option")
    parser.add_argument("--baseline", default="", help="another source tree to time as 'before'")
    args = parser.parse_args()
    runs = args.runs_option or args.runs
    ENV.setdefault("QT_QPA_PLATFORM", "offscreen")
    ENV["WORKBENCH_HOME"] = tempfile.mkdtemp(prefix="wb-cold-")
    from workbench.core.resources import examples_dir

    example = str(examples_dir() / "01-product-json-extraction.prompt.json")
    trees = {"app": ""}
    if args.baseline:
        trees = {"before": os.path.abspath(args.baseline), "app": ""}
    timed(BARE, example)  # warm the OS file cache and bytecode for each
    for tree in trees.values():
        timed(APP, example, tree)
    bare: list[float] = []
    apps: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    for _ in range(runs):  # interleaved: a change of load hits every variant alike
        bare.append(timed(BARE, example)[0])
        for name, tree in trees.items():
            apps[name].append(timed(APP, example, tree))
    b = statistics.median(bare)
    print(f"Cold start, median of {runs} runs each (offscreen, interleaved)")
    print(f"  bare QMainWindow + QListView on the file, launch to first paint: {b * 1000:.0f} ms")
    for name, timings in apps.items():
        painted = statistics.median(p for p, _ in timings)
        ready = statistics.median(r for _, r in timings)
        label = "Prompt Workbench" if name == "app" else f"Prompt Workbench ({name})"
        print(f"  {label}, to first paint with editable cards: {painted * 1000:.0f} ms")
        print(f"    ... to every feature ready: {ready * 1000:.0f} ms ({ready / b:.2f}x the floor)")
        print(f"    ratio first paint / floor: {painted / b:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
