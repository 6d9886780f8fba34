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


def test_answers_are_judged_off_the_loop_thread_and_a_grader_asks_through_the_engine(
    loopback: LoopbackServer, monkeypatch: Any
) -> None:
    # In the window the loop's thread is the UI thread: checking 800 answers (JSON Schemas,
    # regexes over long texts) there stalls it; a grader's request still goes through the
    # engine and its per-provider limit, from the loop.
    import threading

    from workbench.core import assertions

    def respond(body: dict[str, Any]) -> Reply:
        if "<Rubric>" in body["messages"][-1]["content"]:
            return Reply(text='{"pass": true, "score": 0.9, "reason": "names the brand"}')
        return Reply(text='{"brand": "Northfield"}', chunks=2)

    loopback.responder = respond
    checked_on: list[int] = []
    json_check = assertions._json_check

    def spy(*args: Any) -> Any:
        checked_on.append(threading.get_ident())
        return json_check(*args)

    monkeypatch.setattr(assertions, "_json_check", spy)
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
            "tests": [
                {"vars": {"thing": f"mug {i}"}, "assert": [{"type": "not-contains", "value": "x"}]}
                for i in range(3)
            ],
            "assert": [
                {"type": "is-json", "value": {"type": "object", "required": ["brand"]}},
                {"type": "llm-rubric", "value": "Names the brand"},
                {"type": "icontains", "value": "northfield"},
            ],
        }
    )
    engine = RunEngine(registry, {"loop": KEY}, limiter=ProviderLimiter(2))
    evaluation = Evaluation(
        workspace, plan_cells(workspace, registry), engine=engine, registry=registry
    )
    loop_thread: list[int] = []

    async def run() -> Any:
        loop_thread.append(threading.get_ident())
        return await evaluation.run()

    report = asyncio.run(run())

    assert len(checked_on) == 6 and loop_thread[0] not in set(checked_on)
    assert [r.status for r in report.rows] == ["pass"] * 6
    # The results in the assertions' order, the grader's among them.
    first = report.rows[0].assertions
    assert [a.type for a in first] == ["is-json", "llm-rubric", "icontains", "not-contains"]
    assert first[1].reason == "names the brand" and first[1].score == 0.9
    chats = [r for r in loopback.requests if r.path.endswith("/chat/completions")]
    assert len(chats) == 12  # 6 answers, 6 grades: all through the engine


def test_runs_in_flight_says_whether_any_engine_has_a_run_not_done(
    loopback: LoopbackServer,
) -> None:
    # The GUI-thread garbage collector holds a full collection back while it says so.
    from workbench.core.sessions import runs_in_flight

    loopback.responder = lambda body: Reply(text="Northfield", first_byte_delay=0.2)
    registry = ProviderRegistry()
    registry.add(
        ProviderConfig("loop", "Loopback", "moonshot", loopback.url, Prefill.MOONSHOT_PARTIAL, "X")
    )
    workspace = workspace_from_json(
        {
            "format": "prompt-workbench/1",
            "messages": [{"role": "user", "content": "Brand?"}],
            "params": {"provider": "loop", "model": "moonshot-v1-8k"},
        }
    )
    engine = RunEngine(registry, {"loop": KEY})
    seen: list[bool] = []

    async def run() -> None:
        seen.append(runs_in_flight())
        ticket = engine.start(engine.prepare(workspace))
        seen.append(runs_in_flight())
        await ticket.wait()
        seen.append(runs_in_flight())

    asyncio.run(run())
    assert seen == [False, True, False]


def test_each_case_fills_a_variants_own_system_message_in_the_request_sent(
    loopback: LoopbackServer,
) -> None:
    loopback.responder = lambda body: Reply(text="ok", chunks=1)
    registry = ProviderRegistry()
    registry.add(
        ProviderConfig("loop", "Loopback", "moonshot", loopback.url, Prefill.MOONSHOT_PARTIAL, "X")
    )
    workspace = workspace_from_json(
        {
            "format": "prompt-workbench/1",
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Describe {{thing}}."},
            ],
            "params": {"provider": "loop", "model": "moonshot-v1-8k"},
            "variants": [{"label": "Own", "system": "Answer in {{language}}."}, {"label": "B"}],
            "tests": [
                {"vars": {"thing": "a mug", "language": "French"}},
                {"vars": {"thing": "a kettle", "language": "Italian"}},
            ],
        }
    )
    engine = RunEngine(registry, {"loop": KEY}, limiter=ProviderLimiter(1))
    evaluation = Evaluation(workspace, plan_cells(workspace, registry), engine=engine)

    report = asyncio.run(evaluation.run())

    assert [r.error for r in report.rows] == [None] * 4
    sent = [[m["content"] for m in body["messages"]] for body in loopback.chat_requests()]
    assert sent == [
        ["Answer in French.", "Describe a mug."],
        ["Be brief.", "Describe a mug."],
        ["Answer in Italian.", "Describe a kettle."],
        ["Be brief.", "Describe a kettle."],
    ]
