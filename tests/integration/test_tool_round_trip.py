"""A tool-call round trip against the loopback server, through the core: send with tools, get
streamed (parallel) calls, answer them, continue."""

from __future__ import annotations

import asyncio
import json

import pytest

from workbench.core.conversation import Message
from workbench.core.payloads import build_request
from workbench.core.providers import Prefill, ProviderConfig
from workbench.core.run_types import Finished, RunResult, ToolCallDelta
from workbench.core.runner import Run
from workbench.core.tools import CODE_RUNNER, WEB_SEARCH_TOOL, call_problems, tool_result_messages
from workbench.core.workspace import ToolEntry, Workspace
from workbench.loopback_server import LoopbackServer, Reply

CALLS = [
    {
        "id": "functions.CodeRunner:0",
        "name": "CodeRunner",
        "arguments": '{"language": "python", "code": "print(3214567 % 7)"}',
    },
    {"id": "$web_search:1", "name": "$web_search", "arguments": '{"search_result": {"id": "s1"}}'},
]


async def run_once(workspace: Workspace, provider: ProviderConfig) -> tuple[RunResult, int]:
    run = Run(build_request(workspace, provider), "sk-test", max_retries=0, timeout=10)
    deltas = 0
    async for event in run.events():
        if isinstance(event, ToolCallDelta):
            deltas += 1
        if isinstance(event, Finished):
            return event.result, deltas
    raise AssertionError("no Finished event")


@pytest.mark.parametrize("omit_index", [False, True], ids=["indexed", "missing-index"])
def test_parallel_tool_calls_answered_and_continued(
    loopback: LoopbackServer, omit_index: bool
) -> None:
    provider = ProviderConfig(
        "loop", "Loopback", "moonshot", loopback.url, Prefill.MOONSHOT_PARTIAL, "LOOP_KEY"
    )
    workspace = Workspace(
        messages=[Message(role="user", content="Is 3214567 prime? Any news about it?")],
        tools=[ToolEntry(CODE_RUNNER, mock_result="True"), ToolEntry(WEB_SEARCH_TOOL)],
    )
    workspace.params.provider = provider.id
    loopback.queue(
        Reply(
            text="", reasoning="Run the code, then search.", tool_calls=CALLS, omit_index=omit_index
        ),
        Reply(text="3214567 is prime."),
    )

    result, deltas = asyncio.run(run_once(workspace, provider))
    assert result.error is None and result.finish_reason == "tool_calls"
    assert deltas == 4  # two fragments per call, assembled into two calls
    assert [(c.id, c.name, c.arguments) for c in result.tool_calls] == [
        (c["id"], c["name"], c["arguments"]) for c in CALLS
    ]
    assert [call_problems(c, workspace.tools) for c in result.tool_calls] == [[], []]
    first_body = loopback.chat_requests()[0]
    assert [t["function"]["name"] for t in first_body["tools"]] == ["CodeRunner", "$web_search"]

    conversation = workspace.conversation
    # kimi-k2.6 thinks by default: the tool-calling turn carries its reasoning back.
    conversation.append(
        Message(
            role="assistant",
            content="",
            tool_calls=[c.to_json() for c in result.tool_calls],
            extra={"reasoning_content": result.reasoning},
        )
    )
    for message in tool_result_messages(result.tool_calls, workspace.tools):
        conversation.append(message)

    answer, _ = asyncio.run(run_once(workspace, provider))
    assert answer.full_text == "3214567 is prime."
    sent = loopback.chat_requests()[1]["messages"]
    assert sent[1]["tool_calls"] == [
        {
            "id": c["id"],
            "type": "function",
            "function": {"name": c["name"], "arguments": c["arguments"]},
        }
        for c in CALLS
    ]
    assert sent[1]["reasoning_content"] == "Run the code, then search."
    assert [(m["role"], m["tool_call_id"], m["name"], m["content"]) for m in sent[2:]] == [
        ("tool", "functions.CodeRunner:0", "CodeRunner", "True"),
        ("tool", "$web_search:1", "$web_search", CALLS[1]["arguments"]),
    ]
    assert json.loads(sent[3]["content"]) == {"search_result": {"id": "s1"}}
