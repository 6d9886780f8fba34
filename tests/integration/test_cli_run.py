"""``prompt-workbench run`` and ``export`` against the loopback server: output and exit statuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.memory_keyring import MemoryKeyring
from workbench import cli
from workbench.core.history import HistoryStore
from workbench.loopback_server import LoopbackServer, Reply

KEY = "sk-cli-test-key-0123456789"
RESULT_FIELDS = {
    "variant",
    "provider",
    "model",
    "text",
    "reasoning",
    "tool_calls",
    "finish_reason",
    "usage",
    "ttft_ms",
    "duration_ms",
    "cost_usd",
    "error",
}


@pytest.fixture
def workspace_file(tmp_path: Path) -> Path:
    path = tmp_path / "extract.prompt.json"
    data: dict[str, Any] = {
        "format": "prompt-workbench/1",
        "title": "Extraction",
        "messages": [
            {"role": "user", "content": "Name a fruit as JSON"},
            {"role": "assistant", "content": "{", "partial": True},
        ],
        "params": {"provider": "moonshot", "model": "moonshot-v1-128k", "temperature": 0.6},
        "variants": [
            {"label": "K2 cold", "params": {"temperature": 0.1}},
            {"label": "v1 8k", "model": "moonshot-v1-8k"},
        ],
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def key_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CLI_TEST_KEY", KEY)
    return "CLI_TEST_KEY"


def authorization(headers: dict[str, str]) -> str:
    return next((v for k, v in headers.items() if k.lower() == "authorization"), "")


def run_cli(*args: str) -> int:
    return cli.main(["run", *args])


def test_text_mode_prints_prefix_and_continuation(
    workspace_file: Path,
    loopback: LoopbackServer,
    key_env: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    loopback.queue(Reply(text='"fruit": "mango"}', chunks=4))

    status = run_cli(str(workspace_file), "--base-url", loopback.url, "--api-key-env", key_env)

    out, err = capsys.readouterr()
    assert status == 0, err
    assert out == '{"fruit": "mango"}\n'
    assert err == ""
    assert len(HistoryStore().search()) == 1


def test_a_corrupt_history_file_does_not_stop_the_run(
    workspace_file: Path,
    loopback: LoopbackServer,
    key_env: str,
    workbench_home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (workbench_home / "data").mkdir(exist_ok=True)
    (workbench_home / "data" / "history.sqlite3").write_text("not a database", encoding="utf-8")
    loopback.queue(Reply(text='"fruit": "kiwi"}'))

    status = run_cli(str(workspace_file), "--base-url", loopback.url, "--api-key-env", key_env)

    out, err = capsys.readouterr()
    assert status == 0
    assert out == '{"fruit": "kiwi"}\n'
    assert "history" in err and err.count("\n") == 1


def test_json_mode_prints_one_object_per_variant_run_concurrently(
    workspace_file: Path,
    loopback: LoopbackServer,
    key_env: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    loopback.default_reply = Reply(text="ok}", first_byte_delay=0.3)

    status = run_cli(
        str(workspace_file),
        "--variant",
        "K2 cold",
        "--variant",
        "v1 8k",
        "--base-url",
        loopback.url,
        "--api-key-env",
        key_env,
        "--json",
    )

    out, err = capsys.readouterr()
    assert status == 0, err
    objects = [json.loads(line) for line in out.splitlines()]
    assert [o["variant"] for o in objects] == ["K2 cold", "v1 8k"]
    assert all(set(o) == RESULT_FIELDS for o in objects)
    assert [o["model"] for o in objects] == ["moonshot-v1-128k", "moonshot-v1-8k"]
    assert objects[0]["text"] == "{ok}"
    assert objects[0]["usage"]["completion_tokens"] >= 1
    assert objects[0]["cost_usd"] > 0
    # Both waited 0.3 s for their first byte; run one after the other they would take 0.6 s.
    assert max(o["duration_ms"] for o in objects) < 600
    temperatures = sorted(body["temperature"] for body in loopback.chat_requests())
    assert temperatures == [0.1, 0.6]
    entries = HistoryStore().search()
    assert len(entries) == 2
    assert entries[0].group is not None and entries[0].group == entries[1].group


def test_a_variants_own_system_message_is_sent_filled_from_the_first_case(
    tmp_path: Path, loopback: LoopbackServer, key_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    loopback.default_reply = Reply(text="ok}")
    path = tmp_path / "own.prompt.json"
    data = {
        "format": "prompt-workbench/1",
        "messages": [
            {"role": "system", "content": "Be {{tone}}."},
            {"role": "user", "content": "Name a fruit"},
        ],
        "params": {"provider": "moonshot", "model": "moonshot-v1-8k"},
        "variants": [{"label": "French", "system": "Answer in {{language}}, {{tone}}."}],
        "tests": [{"vars": {"tone": "briefly", "language": "French"}}],
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    args = ["--variant", "French", "--base-url", loopback.url, "--api-key-env", key_env]

    assert run_cli(str(path), *args) == 0, capsys.readouterr().err
    (body,) = loopback.chat_requests()
    assert body["messages"][0] == {"role": "system", "content": "Answer in French, briefly."}

    # A value only the variant's system message needs: refused before sending, naming it.
    del data["tests"][0]["vars"]["language"]  # type: ignore[index]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert run_cli(str(path), *args) == 2
    err = capsys.readouterr().err
    assert "Variant 'French', system message: No value for {{language}}" in err
    assert len(loopback.chat_requests()) == 1


def test_model_and_provider_options_override_the_workspace(
    workspace_file: Path, loopback: LoopbackServer, key_env: str
) -> None:
    status = run_cli(
        str(workspace_file),
        "--provider",
        "vllm",
        "--model",
        "my-local-model",
        "--base-url",
        loopback.url,
        "--api-key-env",
        key_env,
    )

    assert status == 0
    body = loopback.chat_requests()[-1]
    assert body["model"] == "my-local-model"
    assert body["continue_final_message"] is True  # vLLM's prefill style


def test_api_failure_exits_1_with_one_line(
    workspace_file: Path,
    loopback: LoopbackServer,
    key_env: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    loopback.queue(Reply(status=404, error_type="resource_not_found_error", error_message="gone"))

    status = run_cli(str(workspace_file), "--base-url", loopback.url, "--api-key-env", key_env)

    out, err = capsys.readouterr()
    assert status == 1
    assert out == ""  # no lone prefix printed for an answer that never came
    assert err.count("\n") == 1 and err.startswith("prompt-workbench run: ")
    assert "moonshot-v1-128k" in err and "retired" in err
    assert HistoryStore().search()[0].error is not None


def test_json_mode_reports_the_error_in_the_object(
    workspace_file: Path,
    loopback: LoopbackServer,
    key_env: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    loopback.queue(Reply(text="alpha beta gamma", cut_after=2))

    status = run_cli(
        str(workspace_file), "--base-url", loopback.url, "--api-key-env", key_env, "--json"
    )

    out, _ = capsys.readouterr()
    assert status == 1
    result = json.loads(out)
    assert result["text"] == "{alpha "
    assert "before the answer was complete" in result["error"]


def test_retries_show_on_stderr_and_the_answer_on_stdout(
    workspace_file: Path,
    loopback: LoopbackServer,
    key_env: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    limited = Reply(status=429, error_type="rate_limit_reached_error", headers={"Retry-After": "0"})
    loopback.queue(limited, Reply(text="done}"))

    status = run_cli(str(workspace_file), "--base-url", loopback.url, "--api-key-env", key_env)

    out, err = capsys.readouterr()
    assert status == 0
    assert out == "{done}\n"
    assert "Rate limited (429 rate_limit_reached_error): retry 1 of 3" in err


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--variant", "nope"], "unknown variant 'nope'"),
        (["--provider", "nope"], "unknown provider 'nope'"),
        (["--base-url", "localhost:8000"], "--base-url"),
        (["--provider", "openai"], "cannot prefill"),
        (["--api-key-env", "SURELY_UNSET_VARIABLE"], "SURELY_UNSET_VARIABLE"),
        (["--timeout", "0"], "--timeout"),
        (["--timeout", "nan"], "--timeout"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    workspace_file: Path,
    extra: list[str],
    words: str,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = run_cli(str(workspace_file), *extra)

    _, err = capsys.readouterr()
    assert status == 2
    assert err.count("\n") == 1 and words in err


def test_unreadable_and_invalid_files_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.prompt.json"
    broken.write_text('{"format": "prompt-workbench/1",\n "messages": [}', encoding="utf-8")

    assert run_cli(str(tmp_path / "missing.prompt.json")) == 2
    assert run_cli(str(broken)) == 2

    err = capsys.readouterr().err.splitlines()
    assert "cannot read" in err[0]
    assert "line 2" in err[1]


def test_missing_key_exits_2_naming_the_variable(
    workspace_file: Path,
    loopback: LoopbackServer,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = run_cli(str(workspace_file), "--base-url", loopback.url)

    assert status == 2
    assert "MOONSHOT_API_KEY" in capsys.readouterr().err
    assert loopback.chat_requests() == []


def test_key_comes_from_the_keyring_then_the_environment(
    workspace_file: Path,
    loopback: LoopbackServer,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MOONSHOT_API_KEY", "sk-from-environment-000")
    assert run_cli(str(workspace_file), "--base-url", loopback.url) == 0
    memory_keyring.set_password("prompt-workbench", "moonshot", "sk-from-keyring-111")
    assert run_cli(str(workspace_file), "--base-url", loopback.url) == 0

    sent = [authorization(r.headers) for r in loopback.requests]
    assert sent == ["Bearer sk-from-environment-000", "Bearer sk-from-keyring-111"]


def test_the_console_entry_point_runs_headless(
    workspace_file: Path, loopback: LoopbackServer, tmp_path: Path
) -> None:
    env = {**os.environ, "CLI_TEST_KEY": KEY, "WORKBENCH_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "run",
            str(workspace_file),
            "--base-url",
            loopback.url,
            "--api-key-env",
            "CLI_TEST_KEY",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["text"] == "{Hello from the loopback server."


def test_core_warnings_are_prefixed_like_the_cli_errors(
    workspace_file: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "providers.json").write_text("{broken", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "export", str(workspace_file), "--as", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "WORKBENCH_HOME": str(home)},
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("prompt-workbench export: Provider file not used")
    assert done.stderr.count("\n") == 1


# Export ---------------------------------------------------------------------------------------


def test_export_json_is_the_body_the_run_sends(
    workspace_file: Path,
    loopback: LoopbackServer,
    key_env: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["export", str(workspace_file), "--as", "json", "--variant", "K2 cold"]) == 0
    exported = json.loads(capsys.readouterr().out)

    run_cli(
        str(workspace_file),
        "--variant",
        "K2 cold",
        "--base-url",
        loopback.url,
        "--api-key-env",
        key_env,
    )

    assert exported == loopback.chat_requests()[-1]


def test_exported_python_and_curl_send_the_same_request(
    workspace_file: Path,
    loopback: LoopbackServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["export", str(workspace_file), "--base-url", loopback.url]
    assert cli.main([*args, "--as", "python"]) == 0
    python_code = capsys.readouterr().out
    assert cli.main([*args, "--as", "curl"]) == 0
    curl_script = capsys.readouterr().out
    assert cli.main([*args, "--as", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert KEY not in python_code + curl_script

    env = {**os.environ, "MOONSHOT_API_KEY": KEY}
    script = tmp_path / "request.py"
    script.write_text(python_code, encoding="utf-8")
    ran = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "{Hello from the loopback server.\n"
    assert loopback.chat_requests()[-1] == body
    assert authorization(loopback.requests[-1].headers) == f"Bearer {KEY}"

    curl = subprocess.run(
        ["bash", "-c", curl_script], capture_output=True, text=True, env=env, timeout=60
    )
    assert curl.returncode == 0, curl.stderr
    assert loopback.chat_requests()[-1] == body
    assert "data: [DONE]" in curl.stdout


def test_export_of_an_unknown_variant_exits_2(
    workspace_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["export", str(workspace_file), "--variant", "nope"]) == 2
    assert "unknown variant" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["run"], "the following arguments are required: file"),
        (["export", "x.prompt.json", "--as", "xml"], "invalid choice: 'xml'"),
        (["count", "x.prompt.json", "--max-tokens", "many"], "invalid int value: 'many'"),
        (["run", "x.prompt.json", "--colour"], "unrecognized arguments: --colour"),
    ],
)
def test_wrong_options_exit_2_with_one_line(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 2

    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and words in err and err.startswith("prompt-workbench")


def test_a_reader_that_goes_away_ends_run_quietly(loopback, tmp_path) -> None:
    import subprocess
    import sys

    from workbench.loopback_server import Reply

    loopback.queue(Reply(text="word " * 20000, chunks=400))
    path = tmp_path / "w.prompt.json"
    path.write_text(
        '{"format": "prompt-workbench/1", "messages": [{"role": "user", "content": "hi"}],'
        ' "params": {"provider": "moonshot", "model": "moonshot-v1-128k"}}'
    )
    env_key = "LOOP_KEY"
    command = (
        f"{sys.executable} -m workbench run {path} --base-url {loopback.url} "
        f"--api-key-env {env_key} | head -c 10"
    )
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        capture_output=True,
        text=True,
        timeout=60,
        env={**__import__("os").environ, env_key: "sk-test", "WORKBENCH_HOME": str(tmp_path)},
    )
    assert done.stdout == "word word "
    assert "Traceback" not in done.stderr


def test_exported_curl_of_a_keyless_preset_sends_the_key_variable_when_set(
    workspace_file: Path, loopback: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    loopback.api_key = "gateway-key-0123456789"  # an authenticating gateway in front of Ollama
    args = ["export", str(workspace_file), "--provider", "ollama", "--base-url", loopback.url]
    assert cli.main([*args, "--as", "curl"]) == 0
    script = capsys.readouterr().out
    env = {**os.environ, "OLLAMA_API_KEY": "gateway-key-0123456789"}
    curl = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert curl.returncode == 0 and "data: [DONE]" in curl.stdout, curl.stdout + curl.stderr
    env.pop("OLLAMA_API_KEY")
    curl = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert "invalid_authentication_error" in curl.stdout  # without it: no header at all


def test_exported_python_prints_the_tool_calls(
    workspace_file: Path,
    loopback: LoopbackServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    loopback.queue(
        Reply(text="", tool_calls=[{"id": "call_7", "name": "lookup", "arguments": '{"q": "x"}'}])
    )
    assert cli.main(["export", str(workspace_file), "--base-url", loopback.url]) == 0
    script = tmp_path / "request.py"
    script.write_text(capsys.readouterr().out, encoding="utf-8")
    env = {**os.environ, "MOONSHOT_API_KEY": KEY}
    ran = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60
    )
    assert ran.returncode == 0, ran.stderr
    assert '[tool call call_7] lookup({"q": "x"})' in ran.stdout


def test_ctrl_c_mid_run_exits_130_and_the_run_is_recorded_as_interrupted(
    workspace_file: Path, loopback: LoopbackServer, workbench_home: Path
) -> None:
    import signal
    import time

    from workbench.core.history import HistoryStore

    loopback.queue(Reply(text=" ".join(f"w{i}" for i in range(400)), chunks=400, chunk_delay=0.05))
    env = {**os.environ, "LOOP_KEY": KEY, "WORKBENCH_HOME": str(workbench_home)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "workbench",
            "run",
            str(workspace_file),
            "--base-url",
            loopback.url,
            "--api-key-env",
            "LOOP_KEY",
        ],
        # Ctrl+C reaches the CLI as in a terminal, even when the suite itself was started from a
        # shell that ignores SIGINT (a background job): an ignored SIGINT is inherited, and Python
        # then installs no KeyboardInterrupt handler.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None
    started = time.monotonic()
    seen = b""
    while b"w3" not in seen and time.monotonic() - started < 30:
        seen += process.stdout.read1(100)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert err.decode().strip().endswith("interrupted")
    runs = HistoryStore().search("")
    assert len(runs) == 1
    result = runs[0].result()
    assert result.interrupted and result.text.startswith("w0 w1 w2")


def test_run_and_count_print_the_window_rule_with_the_counted_prompt(
    tmp_path: Path,
    loopback: LoopbackServer,
    key_env: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "long.prompt.json"
    data = {
        "format": "prompt-workbench/1",
        "messages": [{"role": "user", "content": "Summarise the review below.\n" + "word " * 900}],
        "params": {"provider": "moonshot", "model": "moonshot-v1-8k", "max_tokens": 8000},
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    assert cli.main(["count", str(path), "--json"]) == 0
    counted = capsys.readouterr()
    prompt = json.loads(counted.out)["prompt_tokens"]
    assert 900 < prompt < 8192 - 1000  # it fits; the reservation does not
    line = (
        f"warning: param:max_tokens: The prompt (≈ {prompt:,}) plus 8,000 reserved output "
        f"exceeds moonshot-v1-8k's window of 8,192 tokens. (fix: Fit: {8192 - prompt:,})"
    )
    assert f"prompt-workbench count: {line}\n" in counted.err
    loopback.queue(Reply(text="Short."))
    status = run_cli(str(path), "--base-url", loopback.url, "--api-key-env", key_env)
    out, err = capsys.readouterr()
    assert status == 0, err
    assert out == "Short.\n"
    assert f"prompt-workbench run: {line}\n" in err  # a warning: the run still goes
    # Reserving what the window leaves: no line from either.
    assert cli.main(["count", str(path), "--max-tokens", str(8192 - prompt)]) == 0
    assert "exceeds" not in capsys.readouterr().err
