"""An evaluation on the run engine against the loopback server: what it asks of the engine."""

from __future__ import annotations

import asyncio
from typing import Any

from workbench.core.evaluation import Evaluation, plan_cells
from workbench.core.providers import Prefill, ProviderConfig, ProviderRegistry
from workbench.core.sessions import ProviderLimiter, RunEngine
from workbench.core.workspace import workspace_from_json
from workbench.loopback_server import LoopbackServer, Reply

KEY = "sk-eval-engine-0123456789"


class CountingKeys(dict[str, str]):
    """A key source that counts its lookups."""

    lookups = 0

    def get(self, key: str, default: Any = None) -> Any:
        self.lookups += 1
        return super().get(key, default)


def test_an_evaluation_looks_each_providers_key_up_once_not_once_per_cell(
    loopback: LoopbackServer,
) -> None:
    loopback.responder = lambda body: Reply(text="Northfield", chunks=2)
    registry = ProviderRegistry()
    registry.add(
        ProviderConfig("loop", "Loopback", "moonshot", loopback.url, Prefill.MOONSHOT_PARTIAL, "X")
    )
    workspace = workspace_from_json(
        {
            "format": "prompt-workbench/1",
            "messages": [{"role": "user", "content": "Brand of {{thing}}?"}],
            "params": {"provider": "loop", "model": "moonshot-v1-8k"},
            "variants": [{"label": "A"}, {"label": "B"}],
            "tests": [{"vars": {"thing": f"mug {i}"}} for i in range(3)],
            "assert": [{"type": "contains", "value": "Northfield"}],
        }
    )
    keys = CountingKeys(loop=KEY)
    engine = RunEngine(registry, keys, limiter=ProviderLimiter(2))
    evaluation = Evaluation(workspace, plan_cells(workspace, registry), engine=engine)

    report = asyncio.run(evaluation.run())

    assert [r.status for r in report.rows] == ["pass"] * 6
    assert keys.lookups == 1
    chats = [r for r in loopback.requests if r.path.endswith("/chat/completions")]
    sent = [{k.lower(): v for k, v in r.headers.items()} for r in chats]
    assert {h["authorization"] for h in sent} == {f"Bearer {KEY}"}
