"""The first Send's longest stall of the event loop (the window's UI thread), in a fresh process.

Issue 10: a Send within 1.5 s of start, before the window's warm-up import of the OpenAI SDK was
done, froze the window for as long as the import took. This script starts, in a fresh
interpreter each round, what a first Send starts at once (the run, the provider's model list and
an exact count) against the loopback server, while a ticker on the same loop measures its
longest gap. The floor is the ticker's longest gap over an idle stretch of the same length in the
same process.

    .venv/bin/python benchmarks/first_send_stall.py [ROUNDS]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap

from benchmarks._common import scratch_dir

ROUND = textwrap.dedent(
    """
    import asyncio, json, os, time
    from dataclasses import replace

    from workbench.core.exact_count import ExactCountClient
    from workbench.core.model_lists import fetch_model_list
    from workbench.core.payloads import build_request
    from workbench.core.providers import preset
    from workbench.core.runner import Run
    from workbench.core.workspace import workspace_from_json
    from workbench.loopback_server import LoopbackServer, Reply

    workspace = workspace_from_json(
        {"format": "prompt-workbench/1", "messages": [{"role": "user", "content": "Hi"}],
         "params": {"provider": "moonshot", "model": "moonshot-v1-8k"}}
    )

    async def longest_gap(done):
        longest, last = 0.0, time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            longest, last = max(longest, now - last), now
        return longest

    async def first_send(url):
        request = build_request(workspace, replace(preset("moonshot"), base_url=url))
        await asyncio.gather(
            Run(request, "sk-test").wait(),
            fetch_model_list(url, "sk-test"),
            ExactCountClient(url, "sk-test").count("moonshot-v1-8k", workspace.sent_messages()),
        )

    async def main(url):
        done = asyncio.Event()
        ticker = asyncio.create_task(longest_gap(done))
        started = time.perf_counter()
        await first_send(url)
        took = time.perf_counter() - started
        done.set()
        stall = await ticker
        idle = asyncio.Event()
        ticker = asyncio.create_task(longest_gap(idle))
        await asyncio.sleep(took)
        idle.set()
        return stall, await ticker, took

    with LoopbackServer() as server:
        server.queue(Reply(text="Hello"))
        stall, floor, took = asyncio.run(main(server.url))
    print(json.dumps({"stall": stall, "floor": floor, "took": took}))
    """
)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    env = {**os.environ, "WORKBENCH_HOME": scratch_dir(prefix="wb-bench-")}
    results = []
    for _ in range(rounds):
        done = subprocess.run(
            [sys.executable, "-c", ROUND], capture_output=True, text=True, env=env, check=True
        )
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    stall = statistics.median(r["stall"] for r in results) * 1000
    floor = statistics.median(r["floor"] for r in results) * 1000
    took = statistics.median(r["took"] for r in results) * 1000
    print(f"first Send (run + model list + exact count, SDK not yet imported), {rounds} rounds")
    print(f"  took                 {took:8.1f} ms (median)")
    print(f"  longest loop stall   {stall:8.1f} ms (median)")
    print(f"  idle floor           {floor:8.1f} ms (same process, same length)")
    print(f"  ratio stall / floor  {stall / max(floor, 1e-3):8.1f}x")


if __name__ == "__main__":
    main()
