"""Memory per run over 500 runs against the loopback server (issue 15, Memory: flat).

The window sends 500 runs, one after another, each streaming a 20,000-character answer into a
new card from the loopback server (its own process); each answer card is undone once its run
is recorded, as a user clearing the way for the next try would, so what stays is what the app
keeps per run: the history panel's list, the engine's records, caches. The script prints the
RSS curve every 50 runs and the growth per run over the last 400 (the first 100 warm caches up),
against the same figure for a bare loop of the same runs through the core (no window) in the
same process.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.memory_runs [--runs 500]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
from typing import Any

from benchmarks._common import scratch_dir

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["WORKBENCH_HOME"] = os.environ.get("WORKBENCH_HOME") or scratch_dir(prefix="wb-runs-")

from benchmarks._common import (
    loop_document,
    loop_provider,
    rss_mb,
    run_in_app,
    serve_reply,
    server_process,
    shown_window,
)

ANSWER = "".join(f"word{i % 97} " + ("\n" if i % 13 == 0 else "") for i in range(3_000))
EVERY = 50


def slope(points: list[tuple[int, float]]) -> float:
    """Least-squares MB per run through ``points`` (run, MB)."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / var if var else 0.0


async def one_run(window: Any, request: Any) -> None:
    controller = window.run_controller
    done = asyncio.Event()

    def finished(_result: object) -> None:
        done.set()

    controller.run_finished.connect(finished)
    controller.start_run(request, "sk-bench")
    await done.wait()
    controller.run_finished.disconnect(finished)
    while controller.busy:  # recorded in the history
        await asyncio.sleep(0.005)
    # The answer card goes (Undo; the next run's card replaces it in the undo stack), so what
    # stays is what the app keeps per run, not the cards or an ever longer undo history.
    window.undo_stack.undo()


async def main(runs: int) -> None:
    from workbench.core.payloads import build_request
    from workbench.core.runner import Run
    from workbench.core.workspace import workspace_from_json
    from workbench.loopback_server import Reply

    with server_process(serve_reply, Reply(text=ANSWER, chunks=200)) as (_server, url):
        document = loop_document("Write an answer.")
        request = build_request(workspace_from_json(document), loop_provider(url))
        # The floor: the same runs through the core alone (no window, no history).
        for _ in range(20):
            await Run(request, "sk-bench").wait()
        gc.collect()
        floor_points = []
        for run in range(1, 201):
            await Run(request, "sk-bench").wait()
            if run % EVERY == 0:
                gc.collect()
                floor_points.append((run, rss_mb()))
        window = shown_window(workspace_from_json(document).dumps())
        await asyncio.sleep(0.3)
        points = [(0, rss_mb())]
        for run in range(1, runs + 1):
            await one_run(window, request)
            if run % EVERY == 0:
                await asyncio.sleep(0.3)  # the history list refreshes after a recorded run
                gc.collect()
                points.append((run, rss_mb()))
                print(f"  after {run:>4} runs: RSS {points[-1][1]:.1f} MB", flush=True)
        tail = [p for p in points if p[0] >= min(100, runs // 5)]
        per_run = slope(tail) * 1000
        floor = slope(floor_points) * 1000
        print(
            f"{runs} runs of {len(ANSWER):,} characters: {per_run:+.1f} kB per run over runs "
            f"{tail[0][0]}-{runs} (target: flat) | core runs alone {floor:+.1f} kB per run | "
            f"RSS {points[0][1]:.0f} -> {points[-1][1]:.0f} MB"
        )
        window.undo_stack.setClean()
        window.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args()
    run_in_app(main(args.runs))
