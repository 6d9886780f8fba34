"""An evaluation of 200 cases x 4 variants against the bare SDK making the same 800 requests.

Targets (issue 13, DESIGN section 7):

- 200 cases x 4 variants against the loopback server at a per-provider limit of 8: wall time at
  most 1.3x the same 800 requests made by bare ``AsyncOpenAI`` calls at the same concurrency
  (an ``asyncio.Semaphore(8)``), measured in the same process and run;
- the longest UI-thread stall while the grid fills under 50 ms (a QTimer ticking every 5 ms
  records the longest gap between its ticks). On a loaded machine that gap is mostly time the
  process waited for a core, so two more figures are printed beside it: the same meter while the
  bare SDK streams the same requests on the same loop (the floor: the network and the machine),
  and the longest stretch the UI thread itself computed between two ticks (its own CPU time);
- memory after the run (resident set, against the same figure before it);
- opening a workspace with 1,000 cases: time to the painted Tests tab (against opening the same
  conversation without cases, to the painted cards).

The loopback server runs in its own process (in this one its threads would compete with the UI
thread for the GIL). Each answer is a small JSON object streamed in 20 chunks after a 20 ms first
byte, so that the concurrency limit, not the parsing, decides the wall time.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/eval_grid.py [CASES] [ROUNDS]
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if not __package__:  # run by path: the benchmarks package is importable from the repository
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks._common import scratch_dir

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["WORKBENCH_HOME"] = os.environ.get("WORKBENCH_HOME") or scratch_dir(prefix="wb-bench-")
os.environ["LOOP_BENCH_KEY"] = "sk-bench-0123456789"

from benchmarks import _common
from benchmarks._common import MIB, StallMeter, loop_provider, rss_mb, serve_reply, server_process
from workbench.loopback_server import Reply

VARIANTS = 4
LIMIT = 8
ANSWER = '{"name": "Kelvin Travel Mug", "brand": "Northfield", "price": 24.9, "in_stock": true}'
# The prefix "{" is the workspace's partial start: the model streams the rest.
REPLY = Reply(text=ANSWER[1:], chunks=20, first_byte_delay=0.02)


def workspace_data(cases: int, model: str = "moonshot-v1-32k") -> dict[str, Any]:
    """The JSON-extraction prompt with ``cases`` cases and four variants."""
    return {
        "format": "prompt-workbench/1",
        "title": f"Extraction, {cases} cases",
        "messages": [
            {"role": "system", "content": "Extract the product as one JSON object."},
            {"role": "user", "content": "{{description}}"},
            {"role": "assistant", "content": "{", "partial": True},
        ],
        "params": {"provider": "loop", "model": model, "max_tokens": 256},
        "variants": [
            {"label": f"V{i + 1}", "params": {"temperature": round(0.2 * i, 1)}}
            for i in range(VARIANTS)
        ],
        "tests": [
            {
                "description": f"product {i}",
                "vars": {"description": f"Product {i}: the Kelvin mug by Northfield, {i} EUR."},
                "assert": [{"type": "icontains", "value": "northfield"}],
            }
            for i in range(cases)
        ],
        "assert": [
            {"type": "is-json", "value": {"type": "object", "required": ["brand", "price"]}},
            {"type": "latency", "threshold": 10000},
        ],
    }


async def bare_sdk(bodies: list[dict[str, Any]], url: str) -> float:
    """Seconds for bare ``AsyncOpenAI`` calls to stream every body, 8 at once."""
    import openai

    client = openai.AsyncOpenAI(base_url=url, api_key="sk-bench", max_retries=0)
    limit = asyncio.Semaphore(LIMIT)

    async def one(body: dict[str, Any]) -> str:
        async with limit:
            stream: Any = await client.chat.completions.create(**body)
            pieces = []
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    pieces.append(chunk.choices[0].delta.content)
            return "".join(pieces)

    started = time.perf_counter()
    answers = await asyncio.gather(*(one(b) for b in bodies))
    elapsed = time.perf_counter() - started
    await client.close()
    assert all(a == ANSWER[1:] or a == ANSWER for a in answers), "a bare answer was cut"
    return elapsed


async def in_window(window: Any) -> tuple[float, int]:
    """Seconds for the Tests tab to run the evaluation into the grid, and the rows passed."""
    view = window.tests_view
    done = asyncio.Event()
    view.evaluation_finished.connect(lambda _report: done.set())
    started = time.perf_counter()
    view.run_evaluation()
    await done.wait()
    elapsed = time.perf_counter() - started
    while view.busy:  # the last rows are still being written to the history
        await asyncio.sleep(0.02)
    report = view.report
    errors = [r.error for r in report.rows if r.error]
    if errors:
        raise SystemExit(f"a cell failed: {errors[0]}")
    return elapsed, report.total.passed


async def open_and_paint(path: Path, tests_tab: bool) -> float:
    """Seconds from MainWindow(path) to the Tests table (or the cards) painted.

    The page is rendered with ``grab()``, which delivers its paint events at once: on the
    offscreen platform a shown window is not always exposed, so waiting for a paint may wait
    for nothing.
    """
    from workbench.ui.shell.main_window import MainWindow

    started = time.perf_counter()
    window = MainWindow(path)
    if tests_tab:
        window.main_tabs.setCurrentWidget(window.tests_view)
        page = window.tests_view
    else:
        page = window.main_tabs.widget(0)
    window.resize(1280, 820)
    window.show()
    image = page.grab()
    elapsed = time.perf_counter() - started
    assert not image.isNull()
    rows = window.tests_view.table_model.rowCount()
    window.undo_stack.setClean()
    window.close()
    await asyncio.sleep(0.05)
    if tests_tab:
        assert rows == 1000, rows
    return elapsed


async def main(cases: int, rounds: int) -> None:
    from workbench.core.evaluation import plan_cells
    from workbench.core.workspace import workspace_from_json
    from workbench.ui.shell.main_window import MainWindow

    folder = Path(scratch_dir(prefix="wb-eval-bench-"))
    with server_process(serve_reply, REPLY) as (_server, url):
        provider = loop_provider(url, "LOOP_BENCH_KEY")
        data = workspace_data(cases)
        path = folder / "eval.prompt.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        window = MainWindow(path)
        _common.COLLECTOR.freeze()  # as the app does once the first window's features are in
        window.providers.add(provider)
        window.context.run_engine.limiter.limit = LIMIT
        window.main_tabs.setCurrentWidget(window.tests_view)
        window.resize(1280, 820)
        window.show()
        await asyncio.sleep(0.3)
        workspace = workspace_from_json(data)
        cells = plan_cells(workspace, window.providers)
        bodies = [c.prepared.request.wire_body() for c in cells]
        requests = len(bodies)
        print(
            f"{cases} cases x {VARIANTS} variants = {requests} requests, "
            f"{LIMIT} at once per provider"
        )
        # Warm-up: SDK imports, first connections, the tokenizer are not what is measured.
        await bare_sdk(bodies[:16], url)
        small = workspace_data(4)
        window.document.import_text(json.dumps(small), unsaved=False)
        await in_window(window)
        window.document.open(path)
        await asyncio.sleep(0.2)

        with StallMeter() as idle:  # the machine's own noise: the UI thread doing nothing
            await asyncio.sleep(3)
        print(f"  longest UI-thread gap while idle for 3 s (noise floor): {idle.longest_ms:.1f} ms")
        bare_times, ui_times, stalls, bare_stalls, busy, collections = [], [], [], [], [], []
        passed = 0
        memory_before = rss_mb(MIB)
        for _ in range(rounds):
            with StallMeter() as floor:
                bare_times.append(await bare_sdk(bodies, url))
            bare_stalls.append(floor.longest_ms)
            await asyncio.sleep(0.1)
            with StallMeter() as meter:
                elapsed, passed = await in_window(window)
            ui_times.append(elapsed)
            stalls.append(meter.longest_ms)
            busy.append(meter.longest_cpu_ms)
            collections.append((meter.longest_gc_ms, meter.longest_gc_generation))
            await asyncio.sleep(0.1)
        memory_after = rss_mb(MIB)
        bare, ui = statistics.median(bare_times), statistics.median(ui_times)
        print(
            f"  bare AsyncOpenAI (chat.completions.create, Semaphore({LIMIT})): median "
            f"{bare * 1000:,.0f} ms (rounds: {', '.join(f'{t * 1000:,.0f}' for t in bare_times)})"
        )
        print(
            f"  evaluation into the grid (engine limit {LIMIT}, assertions, history): median "
            f"{ui * 1000:,.0f} ms (rounds: {', '.join(f'{t * 1000:,.0f}' for t in ui_times)}); "
            f"{passed}/{requests} rows passed"
        )
        print(f"wall-time ratio evaluation/bare SDK: {ui / bare:.2f} (target <= 1.3)")
        print(
            f"longest UI-thread stall while the grid fills: {max(stalls):.1f} ms "
            f"(rounds: {', '.join(f'{s:.0f}' for s in stalls)}; target < 50 ms); "
            f"while the bare SDK streams the same requests on this loop: {max(bare_stalls):.1f} ms "
            f"(ratio {max(stalls) / max(bare_stalls):.2f})"
        )
        print(
            f"longest UI-thread busy stretch while the grid fills (its CPU time between two "
            f"ticks): {max(busy):.1f} ms (rounds: {', '.join(f'{s:.0f}' for s in busy)}); "
            f"longest garbage collection in it (CPU time): {max(collections)[0]:.1f} ms "
            f"(rounds: {', '.join(f'{s:.0f} ms gen {g}' for s, g in collections)})"
        )
        print(
            f"memory: {memory_before:,.0f} MB resident before the measured rounds, "
            f"{memory_after:,.0f} MB after {rounds} evaluations of {requests} cells "
            f"(+{memory_after - memory_before:,.0f} MB)"
        )
        window.undo_stack.setClean()
        window.close()
        await asyncio.sleep(0.1)

        big = workspace_data(1000)
        big_path = folder / "thousand.prompt.json"
        big_path.write_text(json.dumps(big), encoding="utf-8")
        plain = {**big, "tests": [], "assert": []}
        plain_path = folder / "plain.prompt.json"
        plain_path.write_text(json.dumps(plain), encoding="utf-8")
        await open_and_paint(big_path, True)  # warm-up
        tests_times = [await open_and_paint(big_path, True) for _ in range(rounds)]
        plain_times = [await open_and_paint(plain_path, False) for _ in range(rounds)]
        t, p = statistics.median(tests_times), statistics.median(plain_times)
        print(
            f"opening a workspace with 1,000 cases to the painted Tests tab: median "
            f"{t * 1000:,.0f} ms; the same conversation without cases to the painted cards: "
            f"{p * 1000:,.0f} ms (ratio {t / p:.2f})"
        )


if __name__ == "__main__":
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    _common.run_in_app(main(cases, rounds), quit_on_last_window_closed=False)
