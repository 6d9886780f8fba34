"""Four runs streaming into the window at once, against the bare SDK reading the same streams.

Target (DESIGN section 7, issue 3): four runs of 2,000 chunks each from the loopback server,
streamed into four assistant cards of a shown window, take at most 1.5x the wall time of the bare
``AsyncOpenAI`` client consuming the same four streams in the same process (same qasync loop;
``post`` that the runner uses are measured),
and the UI thread never stalls for 50 ms or more (a QTimer ticking every 5 ms records the
longest gap between its ticks).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/parallel_runs.py [CHUNKS] [ROUNDS]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

if not __package__:  # run by path: the benchmarks package is importable from the repository
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks._common import scratch_dir

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["WORKBENCH_HOME"] = os.environ.get("WORKBENCH_HOME") or scratch_dir(prefix="wb-bench-")

from benchmarks._common import (
    StallMeter,
    loop_document,
    loop_provider,
    raw_stream_text,
    run_in_app,
    serve_reply,
    server_process,
    shown_window,
)
from workbench.core.payloads import ChatRequest, build_request
from workbench.core.workspace import workspace_from_json
from workbench.loopback_server import Reply

RUNS = 4


async def bare_sdk(request: ChatRequest, *, typed: bool) -> float:
    """Seconds for the bare AsyncOpenAI client to read four copies of ``request``'s stream.

    ``typed`` uses ``chat.completions.create`` (a pydantic object per chunk); otherwise the
    SDK's plain ``post`` yielding dicts, which is what the app's runner uses.
    """
    import openai

    client = openai.AsyncOpenAI(base_url=request.base_url, api_key="sk-bench", max_retries=0)

    async def one() -> int:
        if not typed:
            return len(await raw_stream_text(client, request.wire_body()))
        pieces: list[str] = []
        stream: Any = await client.chat.completions.create(**request.body)
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                pieces.append(chunk.choices[0].delta.content)
        return len("".join(pieces))

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(RUNS)))
    elapsed = time.perf_counter() - started
    await client.close()
    return elapsed


async def headless_runs(request: ChatRequest) -> float:
    """Seconds for four core :class:`Run` objects alone (no window) to read the streams."""
    from workbench.core.runner import Run

    started = time.perf_counter()
    await asyncio.gather(*(Run(request, "sk-bench").wait() for _ in range(RUNS)))
    return time.perf_counter() - started


async def in_window(window: Any, request: ChatRequest) -> float:
    """Seconds for four runs of ``request`` to stream into four cards of ``window``."""
    controller = window.run_controller
    done = asyncio.Event()
    results: list[Any] = []

    def finished(result: Any) -> None:
        results.append(result)
        if len(results) == RUNS:
            done.set()

    controller.run_finished.connect(finished)
    started = time.perf_counter()
    for _ in range(RUNS):
        controller.start_run(request, "sk-bench")
    await done.wait()
    elapsed = time.perf_counter() - started
    controller.run_finished.disconnect(finished)
    errors = [r.error for r in results if r.error]
    if errors:
        raise SystemExit(f"a run failed: {errors[0]}")
    return elapsed


async def measure(
    label: str, work: Callable[[], Awaitable[float]], rounds: int
) -> tuple[float, float]:
    """Median wall time (s) and the longest UI stall (ms) over ``rounds``."""
    times, stalls = [], []
    for _ in range(rounds):
        with StallMeter() as meter:
            times.append(await work())
        stalls.append(meter.longest_ms)
        await asyncio.sleep(0.05)
    print(
        f"  {label}: median {statistics.median(times) * 1000:,.0f} ms "
        f"(rounds: {', '.join(f'{t * 1000:,.0f}' for t in times)}), "
        f"longest UI stall {max(stalls):.1f} ms (rounds: {', '.join(f'{x:.0f}' for x in stalls)})"
    )
    return statistics.median(times), max(stalls)


async def main(chunks: int, rounds: int) -> None:
    text = "".join(f"tok{i % 100:02d} " for i in range(chunks))
    with server_process(serve_reply, Reply(text=text, chunks=chunks)) as (_server, url):
        workspace = workspace_from_json(loop_document("Stream a long answer."))
        request = build_request(workspace, loop_provider(url))
        window = shown_window(workspace.dumps())
        await asyncio.sleep(0.2)

        limit = window.run_controller.engine.limiter.limit
        print(f"{RUNS} parallel runs x {chunks:,} chunks ({len(text):,} characters each)")
        print(f"per-provider limit: {limit} (the shipped default: every run goes through it)")
        # Warm-up: the SDK's lazy imports and first connections are not what is measured.
        await bare_sdk(request, typed=True)
        await bare_sdk(request, typed=False)
        await in_window(window, request)
        typed, _ = await measure(
            "bare AsyncOpenAI, chat.completions.create",
            lambda: bare_sdk(request, typed=True),
            rounds,
        )
        raw, _ = await measure(
            "bare AsyncOpenAI, raw chunks (as the runner reads them)",
            lambda: bare_sdk(request, typed=False),
            rounds,
        )
        headless, _ = await measure(
            "core Run objects alone (no window)", lambda: headless_runs(request), rounds
        )
        ui, ui_stall = await measure("into the window", lambda: in_window(window, request), rounds)
        cards = len(window.workspace.conversation) - 1  # warm-up and measured runs
        complete = all(m.content == text for m in list(window.workspace.conversation)[1:])
        print(f"  cards streamed into: {cards}, every card complete: {complete}")
        print(
            f"wall-time ratio window/bare SDK: {ui / raw:.2f} against raw chunks, "
            f"{ui / typed:.2f} against chat.completions.create (target <= 1.5); "
            f"window/headless Run {ui / headless:.2f}"
        )
        print(f"longest UI-thread stall while streaming: {ui_stall:.1f} ms (target < 50 ms)")
        while window.run_controller.busy:  # the last runs are still being written to history
            await asyncio.sleep(0.05)
        window.undo_stack.setClean()
        window.close()


if __name__ == "__main__":
    chunks = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    run_in_app(main(chunks, rounds))
