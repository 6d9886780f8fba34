"""``prompt-workbench count``: figures, JSON, exit statuses, exact counts from the loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.memory_keyring import MemoryKeyring
from workbench.cli import main
from workbench.core.resources import examples_dir
from workbench.loopback_server import LoopbackServer, Reply

LONG = examples_dir() / "04-long-review-outgrows-8k.prompt.json"
SMALL = examples_dir() / "01-product-json-extraction.prompt.json"
TOOLS = examples_dir() / "03-coderunner-tool-prime.prompt.json"


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    status = main(["count", *argv, "--json"])
    out = capsys.readouterr().out
    return status, json.loads(out)


def test_text_report_names_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["count", str(LONG)]) == 0
    out = capsys.readouterr().out
    assert "Prompt tokens:" in out and "estimate, cl100k_base" in out
    assert "context window 8,192" in out
    assert "Fits:            NO" in out
    assert "Recommended:     moonshot-v1-32k" in out
    assert "Estimated cost:  up to $" in out  # moonshot-v1-8k: $0.20 in, $2.00 out per 1M


def test_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    status, data = run_json(capsys, str(LONG))
    assert status == 0
    assert data["model"] == "moonshot-v1-8k"
    assert data["exact"] is False and data["count"] == "estimate"
    assert data["prompt_tokens"] == data["system_tokens"] + data["message_tokens"]
    assert data["prompt_tokens"] > 8192
    assert data["context_window"] == 8192
    assert data["fits"] is False
    assert data["recommended_model"] == "moonshot-v1-32k"
    assert data["estimated_cost_usd"]["input"] == pytest.approx(data["prompt_tokens"] * 0.2 / 1e6)


def test_model_and_max_tokens_options(capsys: pytest.CaptureFixture[str]) -> None:
    status, data = run_json(
        capsys, str(SMALL), "--model", "moonshot-v1-32k", "--max-tokens", "2000"
    )
    assert status == 0
    assert data["model"] == "moonshot-v1-32k"
    assert data["reserved_output"] == 2000
    assert data["context_window"] == 32768 and data["fits"] is True
    cost = data["estimated_cost_usd"]
    assert cost["max_output"] == pytest.approx(2000 * 3.0 / 1e6)
    assert cost["input"] == pytest.approx(data["prompt_tokens"] * 1.0 / 1e6)
    assert cost["cached_input"] is None


def test_tools_are_counted(capsys: pytest.CaptureFixture[str]) -> None:
    _, data = run_json(capsys, str(TOOLS))
    assert data["tool_tokens"] > 20


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing.prompt.json"], "cannot read"),
        ([str(SMALL), "--max-tokens", "0"], "--max-tokens"),
        ([str(SMALL), "--exact", "--provider", "openai"], "no token count endpoint"),
        ([str(SMALL), "--exact"], "no API key (set MOONSHOT_API_KEY)"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str, memory_keyring: MemoryKeyring
) -> None:
    assert main(["count", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_invalid_workspace_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.prompt.json"
    bad.write_text('{"format": "prompt-workbench/1", "messages": [', encoding="utf-8")
    assert main(["count", str(bad)]) == 2
    assert "line 1" in capsys.readouterr().err


def test_exact_count_from_the_provider_then_calibrates(
    capsys: pytest.CaptureFixture[str], loopback: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOOPBACK_KEY", "sk-loopback-123456")
    loopback.api_key = "sk-loopback-123456"
    _, estimate = run_json(capsys, str(LONG))
    loopback.count_tokens = lambda body: round(estimate["prompt_tokens"] * 0.8)
    argv = [str(LONG), "--exact", "--base-url", loopback.url, "--api-key-env", "LOOPBACK_KEY"]
    status, exact = run_json(capsys, *argv)
    assert status == 0
    assert exact["exact"] is True and exact["count"] == "exact"
    assert exact["prompt_tokens"] == round(estimate["prompt_tokens"] * 0.8)
    assert exact["margin"] == 0
    body = loopback.requests[-1].body
    assert body["model"] == "moonshot-v1-8k" and len(body["messages"]) > 1
    # The next estimate of this family is corrected by what the exact count taught.
    _, again = run_json(capsys, str(LONG))
    assert again["count"] == "calibrated estimate"
    assert abs(again["prompt_tokens"] - exact["prompt_tokens"]) <= 2


def test_exact_count_uses_the_key_saved_in_the_keyring(
    capsys: pytest.CaptureFixture[str], loopback: LoopbackServer, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.set_password("prompt-workbench", "moonshot", "sk-keyring-count-0123")
    loopback.api_key = "sk-keyring-count-0123"
    loopback.count_tokens = lambda body: 77
    status, data = run_json(capsys, str(SMALL), "--exact", "--base-url", loopback.url)
    assert status == 0
    assert data["exact"] is True and data["prompt_tokens"] == 77


def test_failed_exact_count_prints_the_estimate_and_exits_1(
    capsys: pytest.CaptureFixture[str], loopback: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOONSHOT_API_KEY", "sk-test-abcdef")
    loopback.count_reply = Reply(
        status=503, error_type="engine_overloaded_error", error_message="overloaded"
    )
    status = main(["count", str(SMALL), "--exact", "--base-url", loopback.url, "--json"])
    captured = capsys.readouterr()
    assert status == 1
    data = json.loads(captured.out)
    assert data["count"] == "estimate"
    assert "HTTP 503: overloaded" in data["exact_error"]
    assert "exact count failed" in captured.err
    assert "sk-test" not in captured.out + captured.err


def anthropic_copy(tmp_path: Path, source: Path = TOOLS) -> Path:
    """The example sent through Moonshot's Messages API endpoint (provider kind anthropic)."""
    data = json.loads(source.read_text(encoding="utf-8"))
    data["params"]["provider"] = "moonshot-anthropic"
    path = tmp_path / "anthropic.prompt.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_exact_count_of_a_messages_api_provider_counts_the_tools(
    capsys: pytest.CaptureFixture[str],
    loopback: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("LOOPBACK_KEY", "sk-loopback-anthropic-123456")
    loopback.api_key = "sk-loopback-anthropic-123456"
    path = anthropic_copy(tmp_path)
    _, estimate = run_json(capsys, str(path))
    assert estimate["tool_tokens"] > 0
    argv = [str(path), "--exact", "--base-url", loopback.anthropic_url]
    status, exact = run_json(capsys, *argv, "--api-key-env", "LOOPBACK_KEY")
    assert status == 0, exact
    (request,) = [r for r in loopback.requests if r.path.endswith("/count_tokens")]
    assert request.path == "/anthropic/v1/messages/count_tokens"
    assert "max_tokens" not in request.body and request.body["model"] == "kimi-k2.6"
    assert [t["name"] for t in request.body["tools"]] == ["CodeRunner"]
    # The provider's one figure covers the tools: all of it is exact, no margin is added.
    assert exact["exact"] is True and exact["count"] == "exact"
    messages = [{"role": "system", "content": request.body["system"]}, *request.body["messages"]]
    server_figure = loopback.count_tokens({"messages": messages})
    server_figure += len(json.dumps(request.body["tools"])) // 4
    assert exact["prompt_tokens"] == server_figure
    assert 0 < exact["tool_tokens"] < server_figure
    assert exact["margin"] == 0
    status = main(["count", *argv, "--api-key-env", "LOOPBACK_KEY"])
    assert status == 0
    assert f"Prompt tokens:   {server_figure:,} (exact;" in capsys.readouterr().out


@pytest.mark.parametrize("offline", [False, True], ids=["error-body", "offline"])
def test_failed_messages_api_count_prints_the_estimate_and_exits_1(
    capsys: pytest.CaptureFixture[str],
    loopback: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    offline: bool,
) -> None:
    monkeypatch.setenv("MOONSHOT_API_KEY", "sk-test-anthropic-abcdef")
    loopback.count_reply = Reply(
        status=400, error_type="invalid_request_error", error_message="messages: empty content"
    )
    url = "http://127.0.0.1:9/anthropic" if offline else loopback.anthropic_url
    path = anthropic_copy(tmp_path)
    status = main(["count", str(path), "--exact", "--base-url", url, "--json"])
    captured = capsys.readouterr()
    assert status == 1
    data = json.loads(captured.out)
    assert data["count"] == "estimate" and data["exact"] is False
    reason = (
        "cannot reach http://127.0.0.1:9/anthropic"
        if offline
        else ("HTTP 400: messages: empty content")
    )
    assert data["exact_error"].startswith(f"exact count failed, showing the estimate: {reason}")
    assert captured.err.startswith("prompt-workbench count: exact count failed")
    assert "sk-test" not in captured.out + captured.err


def test_a_current_model_without_a_published_window_counts_as_window_unknown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["count", str(SMALL), "--model", "kimi-k3.1-pro"]) == 0
    out = capsys.readouterr().out
    assert "Model:           kimi-k3.1-pro, context window unknown" in out
    assert "Fits:            unknown (window unknown)" in out
    status, data = run_json(capsys, str(SMALL), "--model", "kimi-k3.1-pro")
    assert status == 0
    assert data["context_window"] is None and data["fits"] is None
    assert data["estimated_cost_usd"]["input"] == pytest.approx(data["prompt_tokens"] * 2.0 / 1e6)
