"""How long the Tools tab's checks take: all 128 tools (Moonshot's maximum) after each pause in
typing, cold and with one tool edited. The pause-driven check runs on the UI thread, so the edited
case must stay far below a 50 ms stall.

    .venv/bin/python benchmarks/tool_checks.py
"""

from __future__ import annotations

import statistics
import time

from workbench.core.tools import CODE_RUNNER, check_tools
from workbench.core.workspace import ToolEntry

TOOLS = 128


def main() -> None:
    entries = [ToolEntry(CODE_RUNNER.replace("CodeRunner", f"Runner_{i}")) for i in range(TOOLS)]
    start = time.perf_counter()
    check_tools(entries)
    cold = (time.perf_counter() - start) * 1000
    edited = []
    for round_ in range(50):
        entries[7].source = CODE_RUNNER.replace("CodeRunner", f"Edited_{round_}")
        start = time.perf_counter()
        check_tools(entries)
        edited.append((time.perf_counter() - start) * 1000)
    print(f"check {TOOLS} tools, cold (file just opened): {cold:.1f} ms")
    print(
        f"check {TOOLS} tools, one edited (each typing pause): median "
        f"{statistics.median(edited):.2f} ms, max {max(edited):.2f} ms"
    )


if __name__ == "__main__":
    main()
