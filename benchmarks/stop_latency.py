"""Stop on an endless stream: how long from ``Run.stop()`` to ``Finished``.

Issue 10 asks that Stop ends a run within 100 ms, even when a hostile server streams without
end. The tests check that Stop ends such a run promptly (with a bound loose enough for a loaded
CI machine); this script prints the figure itself, with the time one chunk takes to arrive as
the baseline measured in the same run.

    .venv/bin/python benchmarks/stop_latency.py [ROUNDS] [CHUNKS_BEFORE_STOP]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace

os.environ.setdefault("WORKBENCH_HOME", tempfile.mkdtemp(prefix="wb-bench-"))

from workbench.core.payloads import build_request
from workbench.core.providers import preset
from workbench.core.run_types import Finished, TextDelta
from workbench.core.runner import Run
from workbench.core.workspace import workspace_from_json
from workbench.loopback_server import LoopbackServer, Reply

WORKSPACE = workspace_from_json(
    {
        "format": "prompt-workbench/1",
        "messages": [{"role": "user", "content": "Never stop"}],
        "params": {"provider": "moonshot", "model": "moonshot-v1-8k"},
    }
)


async def one_round(server: LoopbackServer, before_stop: int) -> tuple[float, float]:
    """(stop -> Finished, median gap between text events) in seconds, for one endless run."""
    moonshot = preset("moonshot")
    assert moonshot is not None
    server.queue(Reply(text="flood ", endless=True))
    run = Run(build_request(WORKSPACE, replace(moonshot, base_url=server.url)), "sk-bench")
    received = 0
    stopped_at = finished_at = 0.0
    gaps: list[float] = []
    last = time.perf_counter()
    async for event in run.events():
        if isinstance(event, TextDelta):
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
            received += 1
            if received == before_stop:
                stopped_at = time.perf_counter()
                run.stop()
        if isinstance(event, Finished):
            finished_at = time.perf_counter()
    return finished_at - stopped_at, statistics.median(gaps)


async def main(rounds: int, before_stop: int) -> None:
    with LoopbackServer() as server:
        await one_round(server, 50)  # imports the SDK outside the measurement
        stops: list[float] = []
        chunk_gaps: list[float] = []
        for _ in range(rounds):
            stop, gap = await one_round(server, before_stop)
            stops.append(stop)
            chunk_gaps.append(gap)
    ms = [s * 1000 for s in stops]
    print(f"Stop on an endless stream, {rounds} rounds after {before_stop:,} chunks each")
    print(f"  stop -> Finished: median {statistics.median(ms):.1f} ms, max {max(ms):.1f} ms "
          "(target < 100 ms)")
    print(f"  baseline, one chunk's gap: median {statistics.median(chunk_gaps) * 1e3:.3f} ms")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(args[0] if args else 10, args[1] if len(args) > 1 else 2000))
