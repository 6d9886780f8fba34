"""Keystroke in the tool JSON editor -> token meter update, without and with 8 Compare columns.

A key typed into the tool editor changes one tool's text. The token meter must show the new
figures; nothing else on screen depends on that text but the Compare columns' fit and cost (a
debounced recount). Prints, in one run, the median time from the key to the meter's new reading
with no variants (the baseline) and with 8 Compare columns, their ratio, and how many times the
Compare columns were rebuilt and the cards refreshed per keystroke.

Then a key in one card of a 1,000-card conversation with 8 Compare columns: the columns' check
(fit, cost, problems, linter: what the view runs after the key) when the columns send the
window's system message (the floor) and when each has its own, and their ratio.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.tool_keystroke [--system-only]``
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks._common import scratch_dir

KEYSTROKES = 60
ROUNDS = 3
CARDS = 20
TOOL = {
    "type": "function",
    "function": {
        "name": "lookup_order",
        "description": "Finds an order by its number.",
        "parameters": {
            "type": "object",
            "properties": {"order": {"type": "string", "description": "The order number"}},
            "required": ["order"],
        },
    },
}


def write_workspace(path: Path, variants: int) -> None:
    messages = [{"role": "system", "content": "You answer questions about orders."}]
    for i in range(CARDS - 1):
        role = "user" if i % 2 == 0 else "assistant"
        messages.append({"role": role, "content": f"Message {i}: where is my order? " * 8})
    data = {
        "format": "prompt-workbench/1",
        "title": "Tool keystroke benchmark",
        "messages": messages,
        "tools": [TOOL],
        "params": {"provider": "moonshot", "model": "moonshot-v1-32k", "max_tokens": 512},
        "variants": [
            {"label": f"Column {i + 1}", "model": "moonshot-v1-8k"} for i in range(variants)
        ],
    }
    path.write_text(json.dumps(data), encoding="utf-8")


class Counter:
    """Counts calls of a method on its class (bound methods look it up at call time)."""

    def __init__(self, cls: type, name: str) -> None:
        self.calls = 0
        original = getattr(cls, name)

        def counted(this: Any, *args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return original(this, *args, **kwargs)

        setattr(cls, name, counted)


def measure(app: Any, home: Path, variants: int) -> tuple[float, float, float]:
    """(median ms key -> meter, column rebuilds per key, card refreshes per key)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QPlainTextEdit

    from workbench.ui.compare.compare_pane import ComparePane
    from workbench.ui.conversation.message_list import MessageListView
    from workbench.ui.shell.main_window import MainWindow

    path = home / f"bench-{variants}.prompt.json"
    write_workspace(path, variants)
    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    window.open_path(path)
    meter = window.token_meter
    while meter.reading is None:
        app.processEvents()
        time.sleep(0.001)
    window.main_tabs.setCurrentIndex(0)
    editor = window.findChild(QPlainTextEdit, "toolJsonEdit")
    assert editor is not None, "toolJsonEdit"
    editor.setFocus()
    cursor = editor.textCursor()
    text = editor.toPlainText()
    cursor.setPosition(text.index("by its number") + len("by its number"))
    editor.setTextCursor(cursor)
    for _ in range(20):
        app.processEvents()
    columns = Counter(ComparePane, "show_variant")
    cards = Counter(MessageListView, "refresh_cards")
    samples = []
    for i in range(KEYSTROKES):
        before = meter.reading
        start = time.perf_counter()
        QTest.keyClick(editor, Qt.Key.Key_A if i % 2 else Qt.Key.Key_B)
        while meter.reading is before:
            app.processEvents()
        samples.append(time.perf_counter() - start)
    rebuilds, refreshes = columns.calls, cards.calls
    window.undo_stack.setClean()
    window.close()
    app.processEvents()
    return statistics.median(samples) * 1000, rebuilds / KEYSTROKES, refreshes / KEYSTROKES


SYSTEM_CARDS = 1000
SYSTEM_KEYS = 40


def columns_check(app: Any, home: Path, own_system: bool) -> float:
    """Median ms of the 8 Compare columns' check after a key in one card of 1,000 (each column
    with its own system message, or sending the window's)."""
    from workbench.ui.shell.main_window import MainWindow

    messages = [{"role": "system", "content": "You answer questions about orders."}]
    for i in range(SYSTEM_CARDS - 1):
        role = "user" if i % 2 == 0 else "assistant"
        messages.append({"role": role, "content": f"Message {i}: where is my order? " * 4})
    variants = [
        {"label": f"Column {i + 1}", "model": "moonshot-v1-128k"}
        | ({"system": f"You answer as column {i + 1}."} if own_system else {})
        for i in range(8)
    ]
    path = home / f"system-{own_system}.prompt.json"
    data = {
        "format": "prompt-workbench/1",
        "messages": messages,
        "params": {"provider": "moonshot", "model": "moonshot-v1-32k", "max_tokens": 512},
        "variants": variants,
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    window.open_path(path)
    while window.token_meter.reading is None:
        app.processEvents()
        time.sleep(0.001)
    view = window.compare_view
    view.refresh_preflight()
    conversation = window.workspace.conversation
    row = SYSTEM_CARDS // 2
    samples = []
    for i in range(SYSTEM_KEYS):
        conversation.update(row, content=conversation[row].content + ("a" if i % 2 else "b"))
        start = time.perf_counter()
        view.refresh_preflight()
        samples.append(time.perf_counter() - start)
        app.processEvents()
    window.undo_stack.setClean()
    window.close()
    app.processEvents()
    return statistics.median(samples) * 1000


def system_figures(app: Any, home: Path) -> None:
    columns_check(app, home, True)  # warm-up
    same, own = [], []
    for _round in range(ROUNDS):  # alternated, so that a busy moment hits both alike
        same.append(columns_check(app, home, False))
        own.append(columns_check(app, home, True))
    floor, measured = statistics.median(same), statistics.median(own)
    print(
        f"{SYSTEM_CARDS:,} cards, 8 Compare columns, {SYSTEM_KEYS} keys in one card, "
        f"{ROUNDS} rounds: the columns' check after a key"
    )
    print(f"columns sending the window's system message: median {floor:.2f} ms")
    print(f"columns with their own system message:      median {measured:.2f} ms")
    print(f"ratio own / window's system message: {measured / floor:.2f}")
    print(f"load average: {os.getloadavg()[0]:.1f}")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(scratch_dir(prefix="tool-keystroke-bench-"))
    os.environ["WORKBENCH_HOME"] = str(home)
    for name in ("MOONSHOT_API_KEY", "MOONSHOT_CN_API_KEY"):
        os.environ.pop(name, None)  # no exact counts: the local path only

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from workbench.ui.compare.compare_pane import ComparePane
    from workbench.ui.conversation.message_list import MessageListView

    if "--system-only" in sys.argv[1:]:
        system_figures(app, home)
        return 0
    show_variant, refresh_cards = ComparePane.show_variant, MessageListView.refresh_cards
    measure(app, home, 0)  # warm-up: tokenizer, first window
    runs: dict[int, list[tuple[float, float, float]]] = {0: [], 8: []}
    for _round in range(ROUNDS):  # alternated, so that a busy moment hits both alike
        for variants in (0, 8):
            ComparePane.show_variant, MessageListView.refresh_cards = show_variant, refresh_cards
            runs[variants].append(measure(app, home, variants))
    base = statistics.median(r[0] for r in runs[0])
    base_cards = statistics.median(r[2] for r in runs[0])
    wide = statistics.median(r[0] for r in runs[8])
    wide_columns = statistics.median(r[1] for r in runs[8])
    wide_cards = statistics.median(r[2] for r in runs[8])
    print(f"{CARDS} cards, one tool, {KEYSTROKES} keys typed into toolJsonEdit, {ROUNDS} rounds")
    print(f"no variants:       key -> meter median {base:.2f} ms")
    print(f"8 Compare columns: key -> meter median {wide:.2f} ms")
    print(f"ratio 8 columns / none: {wide / base:.2f}")
    print(
        f"per keystroke with 8 columns: {wide_columns:.1f} column rebuilds, "
        f"{wide_cards:.1f} card refreshes (no variants: {base_cards:.1f} card refreshes)"
    )
    system_figures(app, home)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
