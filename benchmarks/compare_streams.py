"""Four comparison columns streaming 2,000 chunks each, against the bare SDK on the same streams.

Prints the total wall time of the compare view (main window, Compare tab, "Run all") and of the
bare ``AsyncOpenAI`` client consuming the same four streams concurrently, in the same process and
on the same qasync loop, their ratio (target at most 1.5), and the longest stall of the UI thread
while the view streams (a 5 ms QTimer's largest gap; target under 50 ms), with the UI thread's CPU
time in it (the rest is the wait for a core on a loaded machine). The bare client is
timed twice: through ``chat.completions.create`` (a pydantic object per chunk) and through the
raw chunk dicts the runner reads, so the second ratio is what the window itself adds.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.compare_streams [--rounds N]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from typing import Any

from benchmarks._common import (
    StallMeter,
    raw_stream,
    scratch_dir,
    serve_reply,
    server_process,
)

COLUMNS = 4
CHUNKS = 2000


def _text(chunks: int, one_line: bool = False) -> str:
    """What each column streams: one short word per chunk, as models stream them.

    A paragraph break every 100 words, as in an answer; ``one_line`` leaves them out (a
    10,000-character line, like a long JSON answer, is the worst case for laying out text).
    """
    gap = " " if one_line else "\n\n"
    return "".join(f"w{i % 1000:03d}" + (gap if i % 100 == 99 else " ") for i in range(chunks))


async def bare_sdk(url: str, *, raw: bool = False) -> float:
    """Seconds for the bare client to consume ``COLUMNS`` streams at once.

    Args:
        url: The server's base URL.
        raw: Read plain chunk dicts through the SDK's ``post`` (what the runner does) instead of
            ``chat.completions.create``, which builds a pydantic object per chunk.
    """
    import openai

    body = {
        "model": "moonshot-v1-128k",
        "messages": [{"role": "user", "content": "Stream"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }

    async def one() -> int:
        client = openai.AsyncOpenAI(base_url=url, api_key="sk-bench", max_retries=0)
        received = 0
        try:
            if raw:
                async for chunk in await raw_stream(client, body):
                    choices = chunk.get("choices") or []
                    if choices and (choices[0].get("delta") or {}).get("content"):
                        received += 1
                return received
            stream: Any = await client.chat.completions.create(**body)
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    received += 1
            return received
        finally:
            await client.close()

    start = time.perf_counter()
    counts = await asyncio.gather(*(one() for _ in range(COLUMNS)))
    elapsed = time.perf_counter() - start
    assert all(c == CHUNKS for c in counts), counts
    return elapsed


async def compare_view(
    window: Any, meter: StallMeter, expected: str
) -> tuple[float, float, float, float]:
    """Seconds for the compare view to stream every column to the end, the longest stall, the
    UI thread's CPU time in it, and the most CPU time in any gap."""
    view = window.compare_view
    finished = asyncio.Event()
    view.comparison_finished.connect(finished.set)
    meter.start()
    start = time.perf_counter()
    view.run_button.click()
    await finished.wait()
    # The last batch of text is drawn by the flush timer: wait until every column shows it all.
    while any(p.running for p in view.panes()):
        await asyncio.sleep(0.001)
    elapsed = time.perf_counter() - start
    stall = meter.stop() / 1000
    view.comparison_finished.disconnect(finished.set)
    for pane in view.panes():
        assert pane.result is not None and pane.result.error is None, pane.result
        assert pane.result.text == expected
    return elapsed, stall, meter.cpu_in_longest_ms / 1000, meter.longest_cpu_ms / 1000


async def main(rounds: int, one_line: bool) -> None:
    from workbench.core.conversation import Message
    from workbench.core.providers import Prefill, ProviderConfig
    from workbench.core.workspace import Params, Variant, Workspace
    from workbench.loopback_server import Reply
    from workbench.ui.shell.main_window import MainWindow

    reply = Reply(text=_text(CHUNKS, one_line), chunks=CHUNKS)
    with server_process(serve_reply, reply) as (_server, url):
        window = MainWindow()
        providers = window.context.providers
        providers.add(
            ProviderConfig(
                "loopback",
                "Loopback",
                "custom",
                url,
                Prefill.TRAILING_ASSISTANT,
                "LOOPBACK_API_KEY",
                needs_key=False,
            )
        )
        window.context.providers_changed.emit()
        view = window.compare_view
        # The shipped default limit (the setting max_concurrent_per_provider), not a raised one.
        limit = window.context.run_engine.limiter.limit
        print(f"per-provider limit: {limit} (the shipped default)")
        window.workspace.replace_with(
            Workspace(
                title="Benchmark",
                messages=[Message("user", "Stream")],
                params=Params(provider="loopback", model="moonshot-v1-128k"),
                variants=[Variant(f"Column {i + 1}") for i in range(COLUMNS)],
            )
        )
        window.main_tabs.setCurrentWidget(view)
        window.resize(1400, 900)
        window.show()
        meter = StallMeter()

        await bare_sdk(url)  # warm up: imports, connections, first-use caches
        await bare_sdk(url, raw=True)
        await compare_view(window, meter, _text(CHUNKS, one_line))
        bare_times, raw_times, view_times = [], [], []
        stalls: list[tuple[float, float, float]] = []
        for _ in range(rounds):
            bare_times.append(await bare_sdk(url))
            raw_times.append(await bare_sdk(url, raw=True))
            elapsed, stall, stall_cpu, most_cpu = await compare_view(
                window, meter, _text(CHUNKS, one_line)
            )
            view_times.append(elapsed)
            stalls.append((stall, stall_cpu, most_cpu))
        window.undo_stack.setClean()
        window.close()

    bare = statistics.median(bare_times)
    raw = statistics.median(raw_times)
    ui = statistics.median(view_times)
    shape = "one long line each" if one_line else "paragraphs of 100 words"
    print(f"{COLUMNS} columns x {CHUNKS} chunks ({shape}), median of {rounds} rounds")
    print(f"bare AsyncOpenAI create(), {COLUMNS} streams:  {bare * 1000:8.1f} ms")
    print(f"bare AsyncOpenAI raw chunks, {COLUMNS} streams:{raw * 1000:8.1f} ms")
    print(f"compare view (Run all until drawn):    {ui * 1000:8.1f} ms")
    print(f"ratio view / bare SDK create():        {ui / bare:8.2f}   (target <= 1.5)")
    print(f"ratio view / bare SDK raw chunks:      {ui / raw:8.2f}   (the UI's own cost)")
    longest, longest_cpu, _most = max(stalls)
    print(
        f"longest UI-thread stall:               {longest * 1000:8.1f} ms "
        f"(median round {statistics.median(s[0] for s in stalls) * 1000:.1f} ms; target < 50 ms)"
    )
    # Wall time minus CPU time is the wait for a core (other processes on a loaded machine).
    print(f"  UI-thread CPU time in that stall:    {longest_cpu * 1000:8.1f} ms")
    print(
        f"most UI-thread CPU time in one gap:    {max(s[2] for s in stalls) * 1000:8.1f} ms "
        "(the app's own work between two 5 ms ticks)"
    )


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--one-line", action="store_true", help="stream one long line (no paragraph breaks)"
    )
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WORKBENCH_HOME"] = scratch_dir(prefix="workbench-bench-")
    from PySide6.QtWidgets import QApplication

    from workbench.ui.shell.event_loop import new_event_loop

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = new_event_loop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(main(args.rounds, args.one_line))
    return 0


if __name__ == "__main__":
    sys.exit(run())
