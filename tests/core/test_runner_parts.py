"""Pieces of the runner that need no server: error wording, Retry-After, tool-call assembly."""

from __future__ import annotations

import email.utils
import time

import pytest

from workbench.core.payloads import ChatRequest
from workbench.core.providers import ProviderRegistry
from workbench.core.run_errors import ApiFailure, _retry_after, describe_failure
from workbench.core.runner import _ToolCallAssembler
from workbench.core.sessions import RunSetupError, prepare_runs
from workbench.core.workspace import workspace_from_json

REQUEST = ChatRequest("moonshot", "moonshot", "https://api.moonshot.ai/v1", "kimi-k2.5", {})


@pytest.mark.parametrize(
    ("failure", "words"),
    [
        (ApiFailure(401, "invalid_authentication_error", "Invalid Authentication"), "key"),
        (ApiFailure(403, "", "Forbidden"), "balance"),
        (ApiFailure(404, "resource_not_found_error", "Not found"), "'kimi-k2.5' was not found"),
        (ApiFailure(400, "invalid_request_error", "exceeded model token limit"), "too long"),
        (ApiFailure(400, "invalid_request_error", "context_length_exceeded"), "too long"),
        (ApiFailure(400, "invalid_request_error", "bad tool"), "refused (400"),
        (ApiFailure(429, "exceeded_current_quota_error", "no money"), "Top up"),
        (ApiFailure(429, "insufficient_quota", "You exceeded your quota"), "Top up"),
        (ApiFailure(429, "rate_limit_reached_error", "slow down"), "Rate limited"),
        (ApiFailure(502, "", "Bad gateway"), "server failed"),
    ],
)
def test_each_failure_has_its_own_plain_message(failure: ApiFailure, words: str) -> None:
    assert words in describe_failure(failure, REQUEST)


def test_quota_is_never_retryable_but_rate_limits_and_5xx_are() -> None:
    assert not ApiFailure(429, "exceeded_current_quota_error", "").retryable
    assert ApiFailure(429, "rate_limit_reached_error", "").retryable
    assert ApiFailure(429, "engine_overloaded_error", "").retryable
    assert ApiFailure(503, "", "").retryable
    assert not ApiFailure(400, "", "").retryable


def test_retry_after_in_seconds_milliseconds_or_as_a_date() -> None:
    assert _retry_after({"retry-after": "3"}) == 3.0
    assert _retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert _retry_after({}) is None
    assert _retry_after({"retry-after": "soon"}) is None
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 < (_retry_after({"retry-after": later}) or 0) <= 30


def test_tool_call_deltas_with_and_without_index() -> None:
    calls = _ToolCallAssembler()
    calls.add({"index": 0, "id": "functions.a:0", "function": {"name": "a", "arguments": "{"}})
    calls.add({"function": {"arguments": '"x": 1}'}})  # no index: continues the last call
    calls.add({"id": "functions.b:1", "function": {"name": "b", "arguments": "{}"}})
    calls.add({"index": 0, "function": {"arguments": ""}})

    assert [(c.id, c.name, c.arguments) for c in calls.calls] == [
        ("functions.a:0", "a", '{"x": 1}'),
        ("functions.b:1", "b", "{}"),
    ]


def test_prepare_runs_refuses_before_sending() -> None:
    workspace = workspace_from_json(
        {
            "format": "prompt-workbench/1",
            "messages": [{"role": "user", "content": "Hi"}],
            "params": {"provider": "moonshot", "model": "moonshot-v1-32k", "temperature": 1.5},
            "variants": [{"label": "Local", "provider": "ollama", "model": "llama3.2"}],
        }
    )
    registry = ProviderRegistry()

    with pytest.raises(RunSetupError, match="temperature between 0 and 1"):
        prepare_runs(workspace, registry, {"moonshot": "sk-abcdefgh"})
    with pytest.raises(RunSetupError, match="unknown variant"):
        prepare_runs(workspace, registry, {}, ["Remote"])
    # A keyless local server needs no key; the workspace temperature is fine there.
    (local,) = prepare_runs(workspace, registry, {}, ["local"])
    assert local.request.base_url == "http://localhost:11434/v1"
    assert local.api_key is None


def test_a_prepared_run_keeps_its_key_out_of_its_repr() -> None:
    workspace = workspace_from_json(
        {"format": "prompt-workbench/1", "messages": [{"role": "user", "content": "Hi"}]}
    )
    (prepared,) = prepare_runs(workspace, ProviderRegistry(), {"moonshot": "secret-token-4711"})
    assert prepared.api_key == "secret-token-4711"
    assert "secret-token-4711" not in repr(prepared)


def test_a_setup_error_names_the_variant_once() -> None:
    workspace = workspace_from_json(
        {
            "format": "prompt-workbench/1",
            "messages": [{"role": "user", "content": "Hi"}],
            "variants": [{"label": "Hot", "params": {"temperature": "very"}}],
        }
    )
    with pytest.raises(RunSetupError) as caught:
        prepare_runs(workspace, ProviderRegistry(), {"moonshot": "sk-abcdefgh"}, ["Hot"])
    assert str(caught.value).count("'Hot'") == 1
    assert "temperature" in str(caught.value)
