"""Cold start to the first painted window, against a bare PySide6 window on the same machine.

Target (DESIGN section 7): at most 1.5x the bare window. Each figure is the median over fresh
interpreter processes, from launching the process to the end of the window's first full paint.
The app's window is built the way ``prompt-workbench`` builds it: the cards paint first and the
features (runs, meter, tools, compare) are wired in on the next turn of the event loop; the time
until they are ready is printed too.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/cold_start.py [RUNS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

BARE = """
import time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1280, 820)
window.show()
app.processEvents()
window.grab()
print(time.time(), time.time())
"""

APP = """
import sys, time
from PySide6.QtWidgets import QApplication
app = QApplication([])
from workbench.ui.shell.main_window import MainWindow
window = MainWindow(sys.argv[1], defer_features=True)  # as prompt-workbench builds it
window.resize(1280, 820)
window.show()
app.processEvents()
window.grab()
painted = time.time()
while not window.features_ready:
    app.processEvents()
print(painted, time.time())
window.undo_stack.setClean()
window.close()
"""


def timed(code: str, *args: str) -> tuple[float, float]:
    """Seconds from launch to the first paint, and to the features being ready."""
    launched = time.time()
    done = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True
    )
    painted, ready = (float(x) for x in done.stdout.split())
    return painted - launched, ready - launched


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WORKBENCH_HOME"] = tempfile.mkdtemp(prefix="wb-cold-")
    from workbench.core.resources import examples_dir

    example = str(examples_dir() / "01-product-json-extraction.prompt.json")
    timed(BARE)  # warm the OS file cache and bytecode for both
    timed(APP, example)
    bare = [timed(BARE)[0] for _ in range(runs)]
    app = [timed(APP, example) for _ in range(runs)]
    b = statistics.median(bare)
    painted = statistics.median(p for p, _ in app)
    ready = statistics.median(r for _, r in app)
    print(f"bare PySide6 window, launch to first paint: median {b * 1000:.0f} ms ({runs} runs)")
    print(f"Prompt Workbench on an example, launch to first paint: median {painted * 1000:.0f} ms")
    print(f"  ... to every feature ready: median {ready * 1000:.0f} ms")
    print(f"ratio first paint / bare: {painted / b:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
