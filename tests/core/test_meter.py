"""The meter's reading while an exact count is pending: the last exact figure moved by the edits."""

from __future__ import annotations

import json
import math

from workbench.core.catalog import load_builtin_catalog
from workbench.core.meter import measure
from workbench.core.tokens import TokenCounter
from workbench.core.tools import CODE_RUNNER
from workbench.core.workspace import Workspace, workspace_from_json

CATALOG = load_builtin_catalog()


def workspace(words: int, tools: bool = False) -> Workspace:
    return workspace_from_json(
        {
            "format": "prompt-workbench/1",
            "messages": [{"role": "user", "content": "word " * words}],
            "tools": [json.loads(CODE_RUNNER)] if tools else [],
            "params": {"provider": "moonshot", "model": "moonshot-v1-8k", "max_tokens": 1024},
        }
    )


def test_an_anchor_moves_the_exact_count_by_the_estimated_edits() -> None:
    counter = TokenCounter()
    then = measure(workspace(100), counter, CATALOG).breakdown.conversation
    now = measure(workspace(110), counter, CATALOG, anchor=(1_000, then, False))
    edits = now.breakdown.conversation - then
    assert edits > 0
    assert now.source == "exact + estimated edits" and not now.exact
    assert now.prompt_tokens == 1_000 + edits
    # Only the edits are uncertain: the margin is 5 % of them, not of the whole prompt.
    assert now.recommendation.margin == math.ceil(edits * 0.05)


def test_an_anchor_that_counted_the_tools_moves_with_them_and_keeps_them_exact() -> None:
    counter = TokenCounter()
    first = measure(workspace(100, tools=True), counter, CATALOG)
    then = first.breakdown.conversation + first.breakdown.tools
    now = measure(workspace(90, tools=True), counter, CATALOG, anchor=(2_000, then, True))
    edits = now.breakdown.conversation + now.breakdown.tools - then
    assert edits < 0
    assert now.prompt_tokens == 2_000 + edits
    assert now.recommendation.margin == math.ceil(-edits * 0.05)
