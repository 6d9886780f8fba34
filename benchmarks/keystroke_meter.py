"""Keystroke -> token meter update in a 200-card, ~128k-token workspace (DESIGN section 7).

Prints, in one run on this machine:
- the median time from an edit of one card to the meter showing the new figures (target < 5 ms),
- its ratio to tiktoken alone encoding the edited card (target <= 3x),
- the full recount of the workspace with an empty cache, and opening it in the window (the recount
  runs in a worker thread; the time is until the meter shows the figures).

Run: ``QT_QPA_PLATFORM=offscreen python -m benchmarks.keystroke_meter``
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

from benchmarks._common import scratch_dir

CARDS = 200
KEYSTROKES = 300
TARGET_TOKENS = 128_000


def build_workspace(path: Path) -> int:
    """Writes the 200-card workspace; returns its local token estimate."""
    from workbench.core.conversation import Message
    from workbench.core.tokens import TokenCounter

    paragraph = (
        "The session store keeps every login in memory and writes it back on shutdown; under load "
        "the retry loop recomputes the same value, and the divisor is hard-coded per method. "
    )
    messages = [{"role": "system", "content": "You are a careful reviewer. " * 10}]
    for i in range(CARDS - 1):
        role = "user" if i % 2 == 0 else "assistant"
        messages.append({"role": role, "content": f"Card {i}: " + paragraph * 18})
    data = {
        "format": "prompt-workbench/1",
        "title": "Keystroke benchmark",
        "messages": messages,
        "params": {"provider": "moonshot", "model": "moonshot-v1-128k", "max_tokens": 1024},
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    counted = TokenCounter().count([Message(m["role"], m["content"]) for m in messages])
    return counted.total


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = scratch_dir(prefix="keystroke-bench-")
    os.environ["WORKBENCH_HOME"] = home
    for name in ("MOONSHOT_API_KEY", "MOONSHOT_CN_API_KEY"):
        os.environ.pop(name, None)  # no exact counts: measure the local path only

    from PySide6.QtWidgets import QApplication

    from workbench.core.tokens import TokenCounter, encoding
    from workbench.ui.shell.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    path = Path(home) / "bench.prompt.json"
    total = build_workspace(path)

    # Full recount, empty cache, on this thread.
    window = MainWindow()
    window.show()
    app.processEvents()
    start = time.perf_counter()
    window.open_path(path)
    meter = window.token_meter
    while meter.reading is None or len(meter.reading.breakdown.per_message) != CARDS:
        app.processEvents()
        time.sleep(0.001)
    open_recount = time.perf_counter() - start
    messages = window.workspace.conversation.messages
    start = time.perf_counter()
    TokenCounter().count(messages)
    cold = time.perf_counter() - start

    conversation = window.workspace.conversation
    row = CARDS // 2
    base = conversation[row].content
    encode = encoding().encode_ordinary
    # Keystroke -> meter: the edit goes through the conversation (as a card's does), the model and
    # the visible cards react, and the meter re-reads: one card re-encoded, 199 from the cache.
    meter_samples: list[float] = []
    tiktoken_samples: list[float] = []
    text = base
    for i in range(KEYSTROKES):
        text = text + "abcdefghij"[i % 10]
        start = time.perf_counter()
        conversation.update(row, content=text)
        meter.refresh()
        meter_samples.append(time.perf_counter() - start)
        edited = text + "!"  # a text tiktoken has not seen: no help from any cache
        start = time.perf_counter()
        encode(edited)
        tiktoken_samples.append(time.perf_counter() - start)
        if i % 50 == 0:
            app.processEvents()
    app.processEvents()
    expected = TokenCounter().count(conversation.messages).total
    assert meter.reading.prompt_tokens == expected, "meter disagrees with a fresh count"

    # End to end: a key typed into a card on screen, through its editor, the undo stack, the
    # conversation, the model and the coalesced meter update, until the meter shows it.
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    card = window.message_list.scroll_to_row(row, focus=True)
    assert card is not None
    typed_samples: list[float] = []
    for i in range(KEYSTROKES // 3):
        before = meter.reading
        start = time.perf_counter()
        QTest.keyClick(card.content_edit, Qt.Key.Key_A)
        while meter.reading is before:
            app.processEvents()
        typed_samples.append(time.perf_counter() - start)
        if i % 20 == 0:
            app.processEvents()

    keystroke = median_ms(meter_samples)
    alone = median_ms(tiktoken_samples)
    card_tokens = len(encode(text))
    print(f"workspace: {CARDS} cards, {total:,} tokens (estimate; target ~{TARGET_TOKENS:,})")
    print(f"edited card: {card_tokens:,} tokens")
    print(f"keystroke -> meter update, median of {KEYSTROKES}: {keystroke:.3f} ms (target < 5 ms)")
    print(f"tiktoken alone encoding the edited card, median: {alone:.3f} ms")
    print(f"ratio: {keystroke / alone:.2f}x (target <= 3x)")
    print(
        f"typed key in a visible card, end to end (editor, undo, model, meter), median of "
        f"{len(typed_samples)}: {median_ms(typed_samples):.3f} ms"
    )
    print(f"full recount, empty cache: {cold * 1000:.1f} ms")
    print(f"open the file in the window until the meter shows it: {open_recount * 1000:.1f} ms")
    window.undo_stack.setClean()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
