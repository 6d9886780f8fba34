"""One long streamed answer into the window (issue 15, Streaming): 1 MB and 10 MB.

For each size, the loopback server (in its own process, as a real one would be) streams one
answer of that size in ~500-character chunks, and the script prints:

- the floor: the bare ``AsyncOpenAI`` client reading the same stream (raw chunks, as the runner
  reads them), in the same process and loop;
- the window: the same answer streamed into an assistant card of a shown window (Send's path:
  run engine, flush pacer, card, token meter, history), the ratio to the floor (target 1.3x);
- the longest UI-thread stall while it streamed (a 5 ms QTimer's longest gap; target < 50 ms),
  and from its end until the run is written to the history (on a worker); with the UI thread's
  CPU time in the longest gap and the most CPU time in any gap (on a loaded machine a gap is
  mostly the process waiting for a core);
- the process's RSS before the run, after it, after the card is deleted, and after the
  workspace is closed (a new one replaces it: the undo stack, which can bring the card back,
  goes with it).

Each figure is the median of ``--rounds`` rounds, the bare read and the window taking turns (one
read of 10 MB varies by 30-70% on a shared machine).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.stream_window \
        [--sizes 1,10] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import time
from typing import Any

from benchmarks._common import scratch_dir

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["WORKBENCH_HOME"] = os.environ.get("WORKBENCH_HOME") or scratch_dir(prefix="wb-stream-")

from benchmarks._common import (
    StallMeter,
    loop_document,
    loop_provider,
    raw_stream_text,
    rss_mb,
    run_in_app,
    server_process,
    shown_window,
)

WORDS = ["the", "model", "answers", "tokens", "prompt", "partial", "window", "stream", "card"]
CHUNK_CHARS = 500


def answer(megabytes: float) -> str:
    """Prose of about ``megabytes`` million characters, in paragraphs."""
    rng = random.Random(5)
    size = int(megabytes * 1_000_000)
    parts, length = [], 0
    while length < size:
        paragraph = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 120))) + ".\n\n"
        parts.append(paragraph)
        length += len(paragraph)
    return "".join(parts)


def serve(connection: Any) -> None:
    """The loopback server in its own process: answers what the benchmark queues."""
    from workbench.loopback_server import LoopbackServer, Reply

    with LoopbackServer() as server:
        connection.send(server.url)
        while True:
            message = connection.recv()
            if message is None:
                return
            text = answer(message)
            server.default_reply = Reply(text=text, chunks=max(1, len(text) // CHUNK_CHARS))
            connection.send(len(text))


async def bare_read(request: Any) -> tuple[float, int]:
    """(seconds, characters) for the bare AsyncOpenAI client to read the stream."""
    import openai

    client = openai.AsyncOpenAI(base_url=request.base_url, api_key="sk-bench", max_retries=0)
    started = time.perf_counter()
    text = await raw_stream_text(client, request.wire_body())
    elapsed = time.perf_counter() - started
    await client.close()
    return elapsed, len(text)


async def into_window(window: Any, request: Any) -> tuple[float, StallMeter, float]:
    """(seconds, the stall meter while it streamed, longest stall in ms from the end of the
    stream until the run was written to the history) for the answer to stream into a new card."""
    controller = window.run_controller
    done = asyncio.Event()
    results: list[Any] = []

    def finished(result: Any) -> None:
        results.append(result)
        done.set()

    controller.run_finished.connect(finished)
    with StallMeter() as meter:
        started = time.perf_counter()
        controller.start_run(request, "sk-bench")
        await done.wait()
        elapsed = time.perf_counter() - started
    controller.run_finished.disconnect(finished)
    with StallMeter() as after:  # the history write (a worker) and the idle work after the run
        while controller.busy:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
    if results[0].error:
        raise SystemExit(f"the run failed: {results[0].error}")
    return elapsed, meter, after.longest_ms


async def settle(window: Any) -> None:
    """Waits for the history write and the idle work after a run, then collects garbage."""
    while window.run_controller.busy:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    gc.collect()
    await asyncio.sleep(0.1)


async def main(sizes: list[float], rounds: int) -> None:
    from workbench.core.payloads import build_request
    from workbench.core.workspace import workspace_from_json

    with server_process(serve, stop=None) as (ours, url):
        document = loop_document("Write a long answer.")
        request = build_request(workspace_from_json(document), loop_provider(url))
        window = shown_window(workspace_from_json(document).dumps())
        await asyncio.sleep(0.3)
        ours.send(0.05)
        ours.recv()
        await bare_read(request)  # the SDK's import and first connection are not measured
        await into_window(window, request)
        window.document.import_text(workspace_from_json(document).dumps(), unsaved=False)
        await settle(window)
        conversation = window.workspace.conversation
        for megabytes in sizes:
            ours.send(megabytes)
            chars = ours.recv()
            floors, tooks, stalls, afters = [], [], [], []
            for _ in range(rounds):  # bare and window alternate: the same load for both
                floor, read = await bare_read(request)
                await settle(window)
                before = rss_mb()
                took, stall, stall_after = await into_window(window, request)
                complete = len(conversation[-1].content) == chars == read
                floors.append(floor)
                tooks.append(took)
                stalls.append(stall)
                afters.append(stall_after)
                await settle(window)
                after = rss_mb()
                window.editor.do_action(conversation[-1].uid, "delete")  # the user deletes it
                await settle(window)
                deleted = rss_mb()
                window.document.new()  # closes the workspace (its undo stack goes with it)
                await settle(window)
                closed = rss_mb()
                window.document.import_text(
                    workspace_from_json(document).dumps(), unsaved=False
                )
                conversation = window.workspace.conversation
                if not complete:
                    raise SystemExit(f"the {megabytes:g} MB answer was cut")
            floor, took = statistics.median(floors), statistics.median(tooks)
            ratios = [t / f for t, f in zip(tooks, floors, strict=True)]
            worst = max(stalls, key=lambda meter: meter.longest_ms)
            print(
                f"{megabytes:>4g} MB answer ({chars:,} characters, complete) | median of "
                f"{rounds} rounds: bare SDK read {floor:.2f} s | into the window {took:.2f} s "
                f"({took / floor:.2f}x, target 1.3x; per round "
                f"{', '.join(f'{r:.2f}' for r in ratios)}) | longest UI stall "
                f"{worst.longest_ms:.0f} ms (target < 50 ms; UI thread CPU in it "
                f"{worst.cpu_in_longest_ms:.0f} ms, most CPU between two ticks "
                f"{max(m.longest_cpu_ms for m in stalls):.0f} ms), until recorded "
                f"{max(afters):.0f} ms",
                flush=True,
            )
            print(
                f"     last round: RSS before {before:.0f} MB | after the run {after:.0f} MB "
                f"(+{after - before:.0f}) | card deleted {deleted:.0f} MB "
                f"(+{deleted - before:.0f}) | workspace closed {closed:.0f} MB "
                f"(+{closed - before:.0f})",
                flush=True,
            )
        window.undo_stack.setClean()
        window.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,10")
    parser.add_argument("--rounds", type=int, default=5, help="bare and window rounds per size")
    args = parser.parse_args()
    run_in_app(main([float(s) for s in args.sizes.split(",")], args.rounds))
