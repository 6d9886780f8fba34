"""How long a 1,000-card workspace takes to open, and how smoothly it scrolls.

Target (DESIGN section 7, issue 2): open in under 1.5 s; no visible stall while scrolling
(every scroll step, editors re-synced and painted, well under 50 ms).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/open_1000_cards.py [CARDS]
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

from benchmarks._common import scratch_dir

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["WORKBENCH_HOME"] = os.environ.get("WORKBENCH_HOME") or scratch_dir(prefix="wb-bench-")

from PySide6.QtWidgets import QApplication

from workbench.core.conversation import Message
from workbench.core.workspace import Workspace, save_workspace

WORDS = [
    "the",
    "model",
    "answers",
    "tokens",
    "prompt",
    "partial",
    "window",
    "cost",
    "tool",
    "schema",
    "card",
    "stream",
]


def make_workspace(cards: int, path: Path) -> None:
    rng = random.Random(7)
    messages = [Message(role="system", content="You are a careful assistant.")]
    for i in range(cards - 1):
        length = rng.choice((8, 20, 40, 80, 160))
        text = " ".join(rng.choice(WORDS) for _ in range(length))
        messages.append(Message(role="user" if i % 2 == 0 else "assistant", content=text))
    save_workspace(Workspace(messages=messages), path)


def main() -> None:
    cards = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    app = QApplication.instance() or QApplication([])
    from workbench.ui.shell.main_window import MainWindow

    path = Path(scratch_dir()) / "big.prompt.json"
    make_workspace(cards, path)

    # Baseline: an empty window, same machine, same process.
    started = time.perf_counter()
    empty = MainWindow()
    empty.show()
    empty.grab()
    baseline = time.perf_counter() - started
    empty.close()

    started = time.perf_counter()
    window = MainWindow(path)
    window.resize(1280, 820)
    window.show()
    app.processEvents()
    window.grab()  # forces a full paint
    opened = time.perf_counter() - started

    view = window.message_list
    bar = view.verticalScrollBar()
    step = max(1, view.viewport().height() // 2)
    steps = []
    value = 0
    while value < bar.maximum():
        value = min(bar.maximum(), value + step)
        t = time.perf_counter()
        bar.setValue(value)
        app.processEvents()
        view.viewport().grab()
        steps.append((time.perf_counter() - t) * 1000)
    live = len(view.cards())

    print(f"cards: {cards}")
    print(
        f"open to first full paint: {opened * 1000:.0f} ms (target < 1500 ms); "
        f"empty window: {baseline * 1000:.0f} ms"
    )
    print(
        f"scroll: {len(steps)} half-page steps, median {statistics.median(steps):.1f} ms, "
        f"max {max(steps):.1f} ms per step (repaint included)"
    )
    print(f"live card editors after scrolling: {live}")
    window.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    main()
