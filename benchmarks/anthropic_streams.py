"""Four Compare columns streaming the Anthropic Messages format, against the bare ``anthropic`` SDK.

The loopback server (in its own process) speaks the Messages API's SSE stream under
``/anthropic``: 2,000 ``text_delta`` events per column. Prints the total wall time of the
compare view (main window, Compare tab, "Run all", four columns on a provider of kind
``anthropic``) and of the bare ``AsyncAnthropic`` client consuming the same four streams
concurrently on the same qasync loop, their ratio (target at most 1.5), and the longest stall of
the UI thread while the view streams (a 5 ms QTimer's largest gap; target under 50 ms). The bare
client is timed through ``messages.create(stream=True)`` (a pydantic event per SSE event, what a
script would write) and through raw event dicts (what the app's transport reads), so the second
ratio is what the window itself adds.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.anthropic_streams [--rounds N]``
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import time
from typing import Any

from benchmarks._common import scratch_dir
from benchmarks.compare_streams import StallMeter, _text, compare_view

COLUMNS = 4
EVENTS = 2000
MODEL = "kimi-k2.6"


def _serve(connection: Any, events: int) -> None:
    from workbench.loopback_server import LoopbackServer, Reply

    with LoopbackServer() as server:
        server.default_reply = Reply(text=_text(events), chunks=events)
        connection.send(server.anthropic_url)
        connection.recv()  # anything: stop


async def bare_sdk(url: str, *, raw: bool = False) -> float:
    """Seconds for the bare ``AsyncAnthropic`` client to consume ``COLUMNS`` streams at once."""
    import anthropic

    body: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 4096,
        "messages": [{"role": "user", "content": "Stream"}],
    }

    async def one() -> int:
        client = anthropic.AsyncAnthropic(base_url=url, api_key="sk-bench", max_retries=0)
        received = 0
        try:
            if raw:
                stream: Any = await client.post(
                    "/v1/messages",
                    body={**body, "stream": True},
                    cast_to=object,
                    stream=True,
                    stream_cls=anthropic.AsyncStream[object],
                )
                async for event in stream:
                    if event.get("type") == "content_block_delta":
                        received += 1
                return received
            stream = await client.messages.create(**body, stream=True)
            async for event in stream:
                if event.type == "content_block_delta" and event.delta.type == "text_delta":
                    received += 1
            return received
        finally:
            await client.close()

    start = time.perf_counter()
    counts = await asyncio.gather(*(one() for _ in range(COLUMNS)))
    elapsed = time.perf_counter() - start
    assert all(c == EVENTS for c in counts), counts
    return elapsed


async def main(rounds: int) -> None:
    from workbench.core.conversation import Message
    from workbench.core.providers import Prefill, ProviderConfig
    from workbench.core.workspace import Params, Variant, Workspace
    from workbench.ui.shell.main_window import MainWindow

    context = multiprocessing.get_context("spawn")
    here, there = context.Pipe()
    server_process = context.Process(target=_serve, args=(there, EVENTS), daemon=True)
    server_process.start()
    url = here.recv()
    try:
        window = MainWindow()
        window.context.providers.add(
            ProviderConfig(
                "loopback-anthropic",
                "Loopback (Anthropic format)",
                "anthropic",
                url,
                Prefill.TRAILING_ASSISTANT,
                "LOOPBACK_API_KEY",
                needs_key=False,
                models_from="moonshot",
            )
        )
        window.context.providers_changed.emit()
        view = window.compare_view
        print(f"per-provider limit: {window.context.run_engine.limiter.limit} (shipped default)")
        window.workspace.replace_with(
            Workspace(
                title="Benchmark",
                messages=[Message("user", "Stream")],
                params=Params(provider="loopback-anthropic", model=MODEL, max_tokens=4096),
                variants=[Variant(f"Column {i + 1}") for i in range(COLUMNS)],
            )
        )
        window.main_tabs.setCurrentWidget(view)
        window.resize(1400, 900)
        window.show()
        meter = StallMeter()
        expected = _text(EVENTS)

        await bare_sdk(url)  # warm up: imports, connections, first-use caches
        await bare_sdk(url, raw=True)
        await compare_view(window, meter, expected)
        typed_times, raw_times, view_times = [], [], []
        stalls: list[tuple[float, float, float]] = []
        for _ in range(rounds):
            typed_times.append(await bare_sdk(url))
            raw_times.append(await bare_sdk(url, raw=True))
            elapsed, stall, stall_cpu, most_cpu = await compare_view(window, meter, expected)
            view_times.append(elapsed)
            stalls.append((stall, stall_cpu, most_cpu))
        window.undo_stack.setClean()
        window.close()
    finally:
        here.send("stop")
        server_process.join(5)

    typed = statistics.median(typed_times)
    raw = statistics.median(raw_times)
    ui = statistics.median(view_times)
    print(f"{COLUMNS} columns x {EVENTS} text_delta events (Messages API), median of {rounds}")
    print(f"bare AsyncAnthropic messages.create(stream=True): {typed * 1000:8.1f} ms")
    print(f"bare AsyncAnthropic raw events:                   {raw * 1000:8.1f} ms")
    print(f"compare view (Run all until drawn):               {ui * 1000:8.1f} ms")
    print(f"ratio view / bare SDK create():                   {ui / typed:8.2f}   (target <= 1.5)")
    print(f"ratio view / bare SDK raw events:                 {ui / raw:8.2f}   (the UI's cost)")
    longest, longest_cpu, _most = max(stalls)
    print(
        f"longest UI-thread stall:                          {longest * 1000:8.1f} ms "
        f"(median round {statistics.median(s[0] for s in stalls) * 1000:.1f} ms; target < 50 ms)"
    )
    # Wall time minus CPU time is the wait for a core (other processes on a loaded machine).
    print(f"  UI-thread CPU time in that stall:                {longest_cpu * 1000:8.1f} ms")
    most_cpu = max(s[2] for s in stalls)
    print(
        f"most UI-thread CPU time in one gap:               {most_cpu * 1000:8.1f} ms "
        "(the app's own work between two 5 ms ticks)"
    )


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WORKBENCH_HOME"] = scratch_dir(prefix="workbench-bench-")
    from PySide6.QtWidgets import QApplication

    from workbench.ui.shell.event_loop import new_event_loop

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = new_event_loop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(main(args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(run())
