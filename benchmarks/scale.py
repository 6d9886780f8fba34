"""Scale (issue 15): curves against floors measured in the same run, and a plot.

For 100 / 1,000 / 10,000 / 50,000 cards:
- typing: one edit of a card on screen until the card, the row and the meter show it, against a
  bare ``QListView`` (uniform rows, a ``QStringListModel``) changing one row;
- opening: the workspace file to the first full paint, against a bare ``QListView`` with word
  wrap showing the same texts;
- scrolling: a half-page step with its repaint, against the bare view;
- resizing: the longest stall of the event loop after a window-height change and after a
  width-only change (until the loop is idle), and whether the rows on screen then have the
  heights of the new width (target: no stall over 100 ms, heights right).
For 100 / 10,000 / 100,000 runs: history search through the FTS5 index against the LIKE scan it
replaced. For 1 / 10 MB: counting an answer as it streams in (the counter's incremental pieces)
against tiktoken encoding only the new text. For 128 tools: the tools' count after a keystroke in
one tool against tiktoken encoding that tool alone.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.scale [--cards 100,1000,10000,50000]
        [--cards-only] [--runs 100,10000,100000] [--plot docs/scale.png]

Writes ``docs/scale.png`` when matplotlib is installed (``pip install .[bench]``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

from benchmarks._common import scratch_dir

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["WORKBENCH_HOME"] = os.environ.get("WORKBENCH_HOME") or scratch_dir(prefix="wb-scale-")

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


def texts(cards: int) -> list[str]:
    rng = random.Random(7)
    return [
        " ".join(rng.choice(WORDS) for _ in range(rng.choice((8, 20, 40, 80, 160))))
        for _ in range(cards)
    ]


def write_workspace(cards: int, path: Path) -> list[str]:
    contents = texts(cards)
    messages = [
        {"role": "user" if i % 2 == 0 else "assistant", "content": text}
        for i, text in enumerate(contents)
    ]
    data = {"format": "prompt-workbench/1", "messages": messages, "params": {"max_tokens": 1024}}
    path.write_text(json.dumps(data), encoding="utf-8")
    return contents


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bare_view(contents: list[str], uniform: bool) -> tuple[float, object, object]:
    """A bare QListView over the texts: (seconds to the first full paint, view, model)."""
    from PySide6.QtCore import QStringListModel
    from PySide6.QtWidgets import QListView

    started = time.perf_counter()
    model = QStringListModel(contents)
    view = QListView()
    view.setWordWrap(True)
    view.setUniformItemSizes(uniform)
    view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
    view.setModel(model)
    view.resize(1000, 760)
    view.show()
    view.grab()
    return time.perf_counter() - started, view, model


def scroll_steps(app: object, view: object, steps: int = 30) -> float:
    bar = view.verticalScrollBar()  # type: ignore[attr-defined]
    step = max(1, view.viewport().height() // 2)  # type: ignore[attr-defined]
    samples = []
    value = 0
    for _ in range(steps):
        value = min(bar.maximum(), value + step)
        started = time.perf_counter()
        bar.setValue(value)
        app.processEvents()  # type: ignore[attr-defined]
        view.viewport().repaint()  # type: ignore[attr-defined]
        samples.append(time.perf_counter() - started)
    return median_ms(samples)


def settle(app: object, seconds: float = 5.0) -> float:
    """Runs the event loop until it is idle (20 passes in a row under 2 ms, or ``seconds``);
    returns the longest pass in ms: the longest the window could not answer the user."""
    longest, quiet = 0.0, 0
    deadline = time.perf_counter() + seconds
    while quiet < 20 and time.perf_counter() < deadline:
        started = time.perf_counter()
        app.processEvents()  # type: ignore[attr-defined]
        took = time.perf_counter() - started
        longest = max(longest, took)
        quiet = quiet + 1 if took < 0.002 else 0
    return longest * 1000


def idle(app: object, seconds: float) -> None:
    """Runs the event loop for ``seconds`` of wall time, as an idle window does."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.005)


def heights_right(window: object) -> bool:
    """Whether the rows on screen are laid out at their measured heights for the view's width:
    each card's content as tall as its text needs, the next row starting where the row ends."""
    from workbench.ui.conversation.message_card import content_height

    view = window.message_list  # type: ignore[attr-defined]
    delegate = view.card_delegate
    conversation = window.workspace.conversation  # type: ignore[attr-defined]
    width = view.viewport().width()
    for card, message in view.cards_with_messages():
        row = conversation.index_of(message.uid)
        if row + 1 >= len(conversation):
            continue
        needed = content_height(message.content, delegate._text_width(width), delegate._font)
        if card.content_edit.height() != needed:
            return False
        top = view.visualRect(view.model().index(row, 0)).top()
        below = view.visualRect(view.model().index(row + 1, 0)).top()
        if below - top != delegate.row_height(message, width):
            return False
    return True


def resize_figures(app: object, window: object) -> dict[str, float]:
    """The longest stall after a window-height change, then after a width-only change, from
    the resize to the loop going idle; and whether the rows on screen then have the heights
    of the new width.

    Before each resize the loop idles for 1.5 s, as a user's window does between two gestures:
    the app's garbage collector makes its full collections when the window has been quiet
    (``workbench.ui.shell.gc_guard``), and one due from the previous measurement would
    otherwise land inside this one (50 ms at 100 cards, after the previous window closed).
    """
    settle(app)
    idle(app, 1.5)
    started = time.perf_counter()
    window.resize(1000, 600)  # type: ignore[attr-defined]
    height_stall = max((time.perf_counter() - started) * 1000, settle(app))
    height_right = heights_right(window)
    idle(app, 1.5)
    started = time.perf_counter()
    window.resize(820, 600)  # type: ignore[attr-defined]
    width_stall = max((time.perf_counter() - started) * 1000, settle(app))
    return {
        "height_stall_ms": height_stall,
        "width_stall_ms": width_stall,
        "heights_right": float(height_right and heights_right(window)),
    }


def warm_up(app: object) -> None:
    """Opens and closes a 10-card window and a bare view before the curves, so the first point
    (100 cards) measures opening a workspace, not importing the window's modules and Qt's first
    fonts and styles."""
    from workbench.ui.shell.main_window import MainWindow

    path = Path(scratch_dir()) / "warm-up.prompt.json"
    contents = write_workspace(10, path)
    _, bare, _model = bare_view(contents, uniform=False)
    bare.close()  # type: ignore[attr-defined]
    window = MainWindow(path)
    window.show()
    app.processEvents()  # type: ignore[attr-defined]
    window.grab()
    settle(app, 1.0)
    window.undo_stack.setClean()
    window.close()
    app.processEvents()  # type: ignore[attr-defined]


def cards_curve(app: object, cards: int) -> dict[str, float]:
    from workbench.ui.shell.main_window import MainWindow

    path = Path(scratch_dir()) / f"scale-{cards}.prompt.json"
    contents = write_workspace(cards, path)

    bare_open, bare, _bare_model = bare_view(contents, uniform=False)
    bare_scroll = scroll_steps(app, bare)
    bare.close()  # type: ignore[attr-defined]
    _, uniform, uniform_model = bare_view(contents, uniform=True)
    bare_keys = []
    for i in range(40):
        index = uniform_model.index(3, 0)  # type: ignore[attr-defined]
        started = time.perf_counter()
        uniform_model.setData(index, contents[3] + "x" * (i + 1))  # type: ignore[attr-defined]
        app.processEvents()  # type: ignore[attr-defined]
        uniform.viewport().repaint()  # type: ignore[attr-defined]
        bare_keys.append(time.perf_counter() - started)
    uniform.close()  # type: ignore[attr-defined]

    started = time.perf_counter()
    window = MainWindow(path)
    window.resize(1000, 820)
    window.show()
    app.processEvents()  # type: ignore[attr-defined]
    window.grab()
    opened = time.perf_counter() - started

    view = window.message_list
    meter = window.token_meter  # type: ignore[attr-defined]
    deadline = time.perf_counter() + 120
    while meter.reading is None and time.perf_counter() < deadline:
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.005)
    for _ in range(50):  # let the idle passes (batches, measuring) settle
        app.processEvents()  # type: ignore[attr-defined]
    conversation = window.workspace.conversation
    row = view.visible_rows().start + 1
    keys = []
    for _ in range(40):
        before = meter.reading
        started = time.perf_counter()
        conversation.update(row, content=conversation[row].content + "x")
        while meter.reading is before:
            app.processEvents()  # type: ignore[attr-defined]
        view.viewport().repaint()
        keys.append(time.perf_counter() - started)
    scroll = scroll_steps(app, view)
    resized = resize_figures(app, window)
    window.undo_stack.setClean()
    window.close()
    return {
        **resized,
        "cards": cards,
        "key_ms": median_ms(keys),
        "bare_key_ms": median_ms(bare_keys),
        "open_s": opened,
        "bare_open_s": bare_open,
        "scroll_ms": scroll,
        "bare_scroll_ms": bare_scroll,
    }


def history_curve(runs: int) -> dict[str, float]:
    import sqlite3

    from workbench.core.history import SCHEMA, HistoryStore

    path = Path(scratch_dir()) / "history.sqlite3"
    rng = random.Random(3)
    with sqlite3.connect(str(path)) as db:
        db.executescript(SCHEMA)
        rows = []
        for i in range(runs):
            answer = " ".join(rng.choice(WORDS) for _ in range(60))
            request = json.dumps({"messages": [{"role": "user", "content": answer[:200]}]})
            if i % 997 == 0:
                answer += " zanzibar"
            rows.append(
                (
                    "2026-01-01T00:00:00+00:00",
                    "moonshot",
                    "kimi-k3",
                    None,
                    None,
                    request,
                    "{}",
                    "{}",
                    None,
                    answer,
                )
            )
        db.executemany(
            'INSERT INTO runs (started_at, provider, model, variant, "group", request_json, '
            "result_json, workspace_json, error, answer) VALUES (?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
    started = time.perf_counter()
    store = HistoryStore(path)  # the migration builds the index
    migrated = time.perf_counter() - started
    fts, like = [], []
    for _ in range(10):
        started = time.perf_counter()
        found = store.summaries("zanzibar")
        fts.append(time.perf_counter() - started)
        started = time.perf_counter()
        scanned = store.search_like("zanzibar")
        like.append(time.perf_counter() - started)
    assert [s.id for s in found] == scanned
    return {
        "runs": runs,
        "fts_ms": median_ms(fts),
        "like_ms": median_ms(like),
        "migrate_s": migrated,
    }


def stream_curve(megabytes: int) -> dict[str, float]:
    from workbench.core.conversation import Message
    from workbench.core.tokens import TokenCounter, encoding

    encode = encoding().encode_ordinary
    rng = random.Random(5)
    size = megabytes * 1_000_000
    parts, length = [], 0
    while length < size:
        paragraph = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 120))) + ".\n\n"
        parts.append(paragraph)
        length += len(paragraph)
    text = "".join(parts)
    chunk = 4_000  # characters per flush of the window's stream
    counter = TokenCounter()
    message = Message("assistant", "")
    started = time.perf_counter()
    for end in range(chunk, len(text) + chunk, chunk):
        message.content = text[:end]
        counter.count_message(message)
    counted = time.perf_counter() - started
    # The floor grows the same string (as the window's answer does) and encodes only the new text.
    started = time.perf_counter()
    for end in range(chunk, len(text) + chunk, chunk):
        grown = text[:end]
        encode(grown[end - chunk : end])
    floor = time.perf_counter() - started
    whole = time.perf_counter()
    encode(text[: len(text) // 8])
    whole = (time.perf_counter() - whole) * 8 * (len(text) // chunk) / 2
    return {"mb": megabytes, "count_s": counted, "floor_s": floor, "recount_s": whole}


def tools_figures() -> dict[str, float]:
    from workbench.core.tokens import TokenCounter, encoding

    tools = [
        {
            "type": "function",
            "function": {
                "name": f"tool_{i}",
                "description": "Looks something up in the catalogue and returns it. " * 3,
                "parameters": {
                    "type": "object",
                    "properties": {"query": {"type": "string"}, "limit": {"type": "integer"}},
                    "required": ["query"],
                },
            },
        }
        for i in range(128)
    ]
    counter = TokenCounter()
    counter.count_tools(tools)
    encode = encoding().encode_ordinary
    samples, floor = [], []
    for i in range(200):
        edited = dict(tools[64])
        edited["function"] = {**tools[64]["function"], "description": "x" * (i + 1)}
        tools[64] = edited
        started = time.perf_counter()
        counter.count_tools(tools)
        samples.append(time.perf_counter() - started)
        started = time.perf_counter()
        encode(json.dumps(edited, separators=(",", ":")))
        floor.append(time.perf_counter() - started)
    return {"tools_ms": median_ms(samples), "edited_tool_ms": median_ms(floor)}


def tool_editor_figures(app: object) -> dict[str, float]:
    """A key typed into one of 128 tools in the window, against a bare QPlainTextEdit."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QPlainTextEdit, QWidget

    from workbench.ui.shell.main_window import MainWindow

    tools = [
        {
            "type": "function",
            "function": {
                "name": f"tool_{i}",
                "description": "Looks something up in the catalogue and returns it. " * 3,
                "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
            },
        }
        for i in range(128)
    ]
    path = Path(scratch_dir()) / "tools.prompt.json"
    data = {
        "format": "prompt-workbench/1",
        "messages": [{"role": "user", "content": "hi"}],
        "tools": tools,
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    window = MainWindow(path)
    window.show()
    editor = window.findChild(QWidget, "toolsEditor")
    editor.select(window.workspace.tools[64])  # type: ignore[union-attr]
    edit = window.findChild(QPlainTextEdit, "toolJsonEdit")
    edit.setFocus()  # type: ignore[union-attr]
    cursor = edit.textCursor()  # type: ignore[union-attr]
    cursor.setPosition(edit.toPlainText().index("Looks") + 5)  # type: ignore[union-attr]
    edit.setTextCursor(cursor)  # type: ignore[union-attr]
    app.processEvents()  # type: ignore[attr-defined]
    typed = []
    for _ in range(60):
        started = time.perf_counter()
        QTest.keyClick(edit, Qt.Key.Key_A)
        app.processEvents()  # type: ignore[attr-defined]
        typed.append(time.perf_counter() - started)
    window.undo_stack.setClean()
    window.close()
    bare = QPlainTextEdit()
    bare.setPlainText(json.dumps(tools[64], indent=2))
    bare.show()
    bare.setFocus()
    floor = []
    for _ in range(60):
        started = time.perf_counter()
        QTest.keyClick(bare, Qt.Key.Key_A)
        app.processEvents()  # type: ignore[attr-defined]
        floor.append(time.perf_counter() - started)
    bare.close()
    return {"editor_key_ms": median_ms(typed), "bare_key_ms": median_ms(floor)}


def plot(
    cards: list[dict[str, float]],
    runs: list[dict[str, float]],
    streams: list[dict[str, float]],
    out: Path,
) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure, axes = plt.subplots(1, 5, figsize=(20, 3.8))
    x = [c["cards"] for c in cards]
    for axis, (key, bare, title, unit) in zip(
        axes[:3],
        [
            ("key_ms", "bare_key_ms", "Keystroke → card + meter", "ms"),
            ("open_s", "bare_open_s", "Open to first paint", "s"),
            ("scroll_ms", "bare_scroll_ms", "Scroll step", "ms"),
        ],
        strict=True,
    ):
        axis.plot(x, [c[key] for c in cards], "o-", label="Prompt Workbench")
        axis.plot(x, [c[bare] for c in cards], "s--", label="bare QListView")
        axis.set_xscale("log")
        axis.set_title(title)
        axis.set_xlabel("cards")
        axis.set_ylabel(unit)
        axis.set_ylim(bottom=0)
        axis.legend()
    axes[3].plot([r["runs"] for r in runs], [r["fts_ms"] for r in runs], "o-", label="FTS5")
    axes[3].plot([r["runs"] for r in runs], [r["like_ms"] for r in runs], "s--", label="LIKE")
    axes[3].set_xscale("log")
    axes[3].set_yscale("log")
    axes[3].set_title("History search")
    axes[3].set_xlabel("runs")
    axes[3].set_ylabel("ms")
    axes[3].legend()
    sizes = [s["mb"] for s in streams]
    axes[4].plot(sizes, [s["count_s"] for s in streams], "o-", label="counted as it grows")
    axes[4].plot(sizes, [s["floor_s"] for s in streams], "s--", label="tiktoken, new text only")
    axes[4].set_title("Counting a streamed answer")
    axes[4].set_xlabel("MB")
    axes[4].set_ylabel("s")
    axes[4].set_ylim(bottom=0)
    axes[4].legend()
    figure.tight_layout()
    figure.savefig(out, dpi=90)
    return True


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", default="100,1000,10000,50000")
    parser.add_argument("--runs", default="100,10000,100000")
    parser.add_argument("--plot", default=str(Path(__file__).parent.parent / "docs" / "scale.png"))
    parser.add_argument(
        "--cards-only",
        action="store_true",
        help="only the card curves (typing, opening, scrolling, resizing); no plot",
    )
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    warm_up(app)
    cards = []
    for count in (int(n) for n in args.cards.split(",")):
        row = cards_curve(app, count)
        cards.append(row)
        print(
            f"{count:>6} cards | key {row['key_ms']:.2f} ms (bare {row['bare_key_ms']:.2f}, "
            f"{row['key_ms'] / row['bare_key_ms']:.1f}x) | open {row['open_s']:.2f} s (bare "
            f"{row['bare_open_s']:.2f}, {row['open_s'] / row['bare_open_s']:.2f}x) | scroll "
            f"{row['scroll_ms']:.1f} ms (bare {row['bare_scroll_ms']:.1f}, "
            f"{row['scroll_ms'] / row['bare_scroll_ms']:.2f}x) | resize: height "
            f"{row['height_stall_ms']:.0f} ms, width {row['width_stall_ms']:.0f} ms longest stall, "
            f"heights {'right' if row['heights_right'] else 'WRONG'} for the new width",
            flush=True,
        )
    if len(cards) > 1:
        print(f"typing, largest vs smallest: {cards[-1]['key_ms'] / cards[0]['key_ms']:.2f}x")
    if args.cards_only:
        return 0
    runs = []
    for count in (int(n) for n in args.runs.split(",")):
        row = history_curve(count)
        runs.append(row)
        print(
            f"{count:>6} runs | FTS5 {row['fts_ms']:.2f} ms | LIKE {row['like_ms']:.2f} ms | "
            f"migration {row['migrate_s']:.2f} s",
            flush=True,
        )
    streams = []
    for megabytes in (1, 10):
        row = stream_curve(megabytes)
        streams.append(row)
        print(
            f"{megabytes:>3} MB answer in 4 kB flushes | counted as it grows {row['count_s']:.2f} s"
            f" | tiktoken on the new text only {row['floor_s']:.2f} s "
            f"({row['count_s'] / row['floor_s']:.2f}x) | a full recount per flush would take "
            f"~{row['recount_s']:.0f} s",
            flush=True,
        )
    tools = tools_figures()
    print(
        f"128 tools, a key in one | count {tools['tools_ms']:.3f} ms | tiktoken on that tool "
        f"{tools['edited_tool_ms']:.3f} ms | what is not the edited tool "
        f"{max(0.0, tools['tools_ms'] - tools['edited_tool_ms']):.3f} ms"
    )
    typed = tool_editor_figures(app)
    print(
        f"128 tools, a key typed in the window's tool editor {typed['editor_key_ms']:.2f} ms | "
        f"bare text edit {typed['bare_key_ms']:.2f} ms | "
        f"{typed['editor_key_ms'] / typed['bare_key_ms']:.1f}x"
    )
    if plot(cards, runs, streams, Path(args.plot)):
        print(f"plot: {args.plot}")
    else:
        print("plot skipped: matplotlib is not installed (pip install .[bench])")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
