"""Four streams of 2,000 chunks each: the runner against the bare AsyncOpenAI client.

DESIGN section 7 asks that four comparison columns streaming 2,000 chunks each take at most 1.5x
the wall time of the bare SDK consuming the same streams. This measures the headless part of that
budget: :class:`workbench.core.runner.Run` (event per chunk, usage, tool-call assembly) against
``client.chat.completions.create(stream=True)`` iterated to the end, both on one asyncio loop,
both against the loopback server.

    .venv/bin/python benchmarks/runner_streams.py [STREAMS] [CHUNKS] [ROUNDS]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from dataclasses import replace

from benchmarks._common import scratch_dir

os.environ["WORKBENCH_HOME"] = os.environ.get("WORKBENCH_HOME") or scratch_dir(prefix="wb-bench-")

from workbench.core.payloads import ChatRequest, build_request
from workbench.core.providers import preset
from workbench.core.run_types import Finished
from workbench.core.runner import Run
from workbench.core.workspace import workspace_from_json
from workbench.loopback_server import LoopbackServer, Reply


async def bare_sdk(request: ChatRequest, streams: int) -> float:
    """Seconds for the bare SDK to consume ``streams`` streams at once."""
    import openai

    client = openai.AsyncOpenAI(base_url=request.base_url, api_key="sk-bench", max_retries=0)
    started = time.perf_counter()

    async def one() -> int:
        count = 0
        stream = await client.chat.completions.create(
            model=request.model, messages=request.body["messages"], stream=True
        )
        async for _ in stream:
            count += 1
        return count

    await asyncio.gather(*(one() for _ in range(streams)))
    elapsed = time.perf_counter() - started
    await client.close()
    return elapsed


async def runner(request: ChatRequest, streams: int, chunks: int) -> float:
    """Seconds for ``streams`` runs at once, checking that each got the whole text."""
    started = time.perf_counter()

    async def one() -> None:
        async for event in Run(request, "sk-bench").events():
            if isinstance(event, Finished):
                assert event.result.error is None, event.result.error
                assert len(event.result.text) == chunks, len(event.result.text)

    await asyncio.gather(*(one() for _ in range(streams)))
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    streams = int(argv[0]) if argv else 4
    chunks = int(argv[1]) if len(argv) > 1 else 2000
    rounds = int(argv[2]) if len(argv) > 2 else 5
    workspace = workspace_from_json(
        {
            "format": "prompt-workbench/1",
            "messages": [{"role": "user", "content": "Stream a lot"}],
            "params": {"provider": "moonshot", "model": "moonshot-v1-128k"},
        }
    )
    moonshot = preset("moonshot")
    assert moonshot is not None
    with LoopbackServer() as server:
        server.default_reply = Reply(text="x" * chunks, chunks=chunks)
        request = build_request(workspace, replace(moonshot, base_url=server.url))
        asyncio.run(runner(request, 1, chunks))  # warm-up: imports, first connection
        bare, ours = [], []
        for _ in range(rounds):  # interleaved, so that machine load hits both alike
            bare.append(asyncio.run(bare_sdk(request, streams)))
            ours.append(asyncio.run(runner(request, streams, chunks)))
    bare_s, ours_s = statistics.median(bare), statistics.median(ours)
    ratio = ours_s / bare_s
    print(f"{streams} streams x {chunks} chunks, median of {rounds} rounds")
    print(f"  bare AsyncOpenAI (create, stream=True): {bare_s * 1000:8.1f} ms")
    print(f"  workbench Run (events, usage, tools):   {ours_s * 1000:8.1f} ms")
    print(f"  ratio runner / bare SDK: {ratio:.2f} (target <= 1.5)")
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
