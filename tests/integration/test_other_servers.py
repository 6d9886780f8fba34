"""Other OpenAI-compatible servers and gateways (LiteLLM, Ollama, mocks): advice that fits them.

A wrong path is not a missing model, a renamed quota error is not a rate limit, a gateway in
front of DeepSeek or Moonshot is not refused or thrown away, and a 401 names where the key came
from. Each test failed before its fix.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.core.connection import check_connection
from workbench.core.payloads import ChatRequest, build_request, lint, request_problems
from workbench.core.providers import Prefill, ProviderConfig, preset
from workbench.core.run_errors import ApiFailure, describe_failure
from workbench.core.workspace import workspace_from_json
from workbench.loopback_server import LoopbackServer, Reply

MOONSHOT = ChatRequest("moonshot", "moonshot", "https://api.moonshot.ai/v1", "kimi-k2.5", {})
GATEWAY = replace(MOONSHOT, base_url="https://litellm.example.com/v1", provider_name="Gateway")
OLLAMA = ChatRequest(
    "ollama",
    "local",
    "http://localhost:11434/v1",
    "llama3",
    {},
    provider_name="Ollama",
    key_env="OLLAMA_API_KEY",
    needs_key=False,
)


def test_a_wrong_path_404_is_not_called_a_missing_model() -> None:
    wrong_path = ApiFailure(404, "", "Not Found")  # FastAPI's {"detail": "Not Found"}
    text = describe_failure(wrong_path, MOONSHOT)
    assert "was not found" not in text and "base URL" in text and "/v1" in text
    missing = ApiFailure(404, "resource_not_found_error", "model kimi-k2.5 not found")
    assert "'kimi-k2.5' was not found" in describe_failure(missing, MOONSHOT)


@pytest.mark.asyncio
async def test_a_detail_only_404_from_a_server_reads_as_a_wrong_path(
    loopback: LoopbackServer,
) -> None:
    from workbench.core.runner import Run

    loopback.queue(Reply(status=404, raw_body=b'{"detail": "Not Found"}'))
    request = replace(MOONSHOT, base_url=loopback.url, body={"model": "kimi-k2.5", "messages": []})
    result = await Run(request, "sk-test-0123456789").wait()
    assert result.error and "no chat-completions endpoint" in result.error, result.error


@pytest.mark.parametrize(
    "failure",
    [
        ApiFailure(429, "throttling_error", "Please check your plan and billing details"),
        ApiFailure(429, "throttling_error", "Rate limit", code="exceeded_current_quota_error"),
        ApiFailure(429, "throttling_error", "Your account is suspended"),
    ],
)
def test_a_quota_error_renamed_by_a_gateway_is_still_not_retried(failure: ApiFailure) -> None:
    assert failure.is_quota and not failure.retryable
    assert "Top up" in describe_failure(failure, GATEWAY)


def test_a_real_rate_limit_through_a_gateway_is_retried() -> None:
    assert ApiFailure(429, "throttling_error", "Too many requests, slow down").retryable


def test_401_advice_fits_the_provider_and_where_the_key_came_from() -> None:
    refused = ApiFailure(401, "invalid_authentication_error", "Invalid Authentication")
    own = describe_failure(refused, MOONSHOT)
    assert "api.moonshot.ai and api.moonshot.cn" in own
    gateway = describe_failure(refused, GATEWAY)
    assert "moonshot.cn" not in gateway and "Gateway" in gateway
    local = describe_failure(refused, OLLAMA)
    assert "needs no key" in local and "OLLAMA_API_KEY" in local
    option = describe_failure(refused, replace(MOONSHOT, key_env="MY_KEY", key_from_option=True))
    assert "MY_KEY" in option and "--api-key-env" in option and "Settings" not in option


def test_the_cli_names_the_api_key_env_variable_after_a_401(
    loopback: LoopbackServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    loopback.api_key = "the-right-key-0123456789"
    monkeypatch.setenv("WRONG_KEY", "a-wrong-key-0123456789")
    path = tmp_path / "w.prompt.json"
    path.write_text(
        json.dumps(
            {"format": "prompt-workbench/1", "messages": [{"role": "user", "content": "x"}]}
        ),
        encoding="utf-8",
    )
    status = main(["run", str(path), "--base-url", loopback.url, "--api-key-env", "WRONG_KEY"])
    err = capsys.readouterr().err
    assert status == 1 and "WRONG_KEY" in err and "--api-key-env" in err
    assert len(err.strip().splitlines()) == 1


def test_a_multi_line_server_message_stays_on_one_cli_line(
    loopback: LoopbackServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LOOP_KEY", "loop-key-0123456789")
    loopback.queue(Reply(status=400, error_message="Bad request:\n  field x\n  field y"))
    path = tmp_path / "w.prompt.json"
    path.write_text(
        json.dumps(
            {"format": "prompt-workbench/1", "messages": [{"role": "user", "content": "x"}]}
        ),
        encoding="utf-8",
    )
    status = main(["run", str(path), "--base-url", loopback.url, "--api-key-env", "LOOP_KEY"])
    err = capsys.readouterr().err
    assert status == 1 and len(err.strip().splitlines()) == 1 and "field y" in err


def deepseek_through(url: str) -> tuple[list[str], list[str]]:
    workspace = workspace_from_json(
        {
            "format": "prompt-workbench/1",
            "messages": [
                {"role": "user", "content": "JSON"},
                {"role": "assistant", "content": "{", "partial": True},
            ],
            "params": {"provider": "gw", "model": "deepseek-v4-flash"},
        }
    )
    provider = ProviderConfig("gw", "Gateway", "deepseek", url, Prefill.DEEPSEEK_PREFIX, "GW_KEY")
    problems = request_problems(workspace, provider)
    warnings = [f.message for f in lint(workspace, provider) if not f.blocking]
    return problems, warnings


def test_deepseek_prefix_through_a_gateway_warns_instead_of_refusing() -> None:
    problems, warnings = deepseek_through("http://litellm.internal:4000/v1")
    assert not any("beta" in p for p in problems)
    assert any("beta" in w and "litellm.internal" in w for w in warnings)
    own, _ = deepseek_through("https://api.deepseek.com/v1")
    assert any("beta" in p for p in own)  # DeepSeek's own API without /beta: refused


def test_test_connection_behind_a_gateway_keeps_the_models_without_a_balance(
    loopback: LoopbackServer,
) -> None:
    loopback.balance_reply = Reply(status=404, error_message="Not Found")
    report = asyncio.run(check_connection(loopback.url, "sk-x-0123456789", balance=True))
    assert report.ok and report.models == sorted(loopback.models)
    assert report.balance is None and report.balance_error and "gateway" in report.balance_error


def test_test_connection_reads_a_models_list_of_another_shape(loopback: LoopbackServer) -> None:
    loopback.models_reply = Reply(raw_body=b'{"models": [{"name": "llama3:8b"}, {"name": "qwen"}]}')
    report = asyncio.run(check_connection(loopback.url, None, balance=True))
    assert report.ok and report.models == ["llama3:8b", "qwen"], report.error


def test_a_local_mock_is_not_priced_as_the_cloud_model_of_the_same_name(
    loopback: LoopbackServer,
) -> None:
    from workbench.core.runner import Run

    workspace = workspace_from_json(
        {
            "format": "prompt-workbench/1",
            "messages": [{"role": "user", "content": "x"}],
            "params": {"provider": "ollama", "model": "gpt-4o"},
        }
    )
    ollama = preset("ollama")
    assert ollama is not None
    local = build_request(workspace, replace(ollama, base_url=loopback.url))
    loopback.queue(Reply(text="hi", usage={"prompt_tokens": 1000, "completion_tokens": 1000}))
    result = asyncio.run(Run(local, None).wait())
    assert result.usage is not None and result.cost_usd is None
    openai = preset("openai")
    assert openai is not None
    cloud = build_request(workspace, replace(openai, base_url=loopback.url))
    loopback.queue(Reply(text="hi", usage={"prompt_tokens": 1000, "completion_tokens": 1000}))
    assert (asyncio.run(Run(cloud, "sk-test-0123456789").wait()).cost_usd or 0) > 0
