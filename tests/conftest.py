"""Fixtures for every test: a private WORKBENCH_HOME and a loopback OpenAI-compatible server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from workbench.loopback_server import LoopbackServer

# Generated-input tests (tests/generated): a bounded number of examples per test in CI, many
# more on demand with HYPOTHESIS_PROFILE=thorough. No per-example deadline (the machine may be
# loaded); the tests guard against hangs themselves.
settings.register_profile(
    "ci",
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=True,
)
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def workbench_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own settings, history and autosave folder, and no key variables."""
    home = tmp_path_factory.mktemp("workbench-home")
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    # The tests read English text whatever the machine's locale (one test switches to Chinese).
    monkeypatch.setenv("WORKBENCH_LANGUAGE", "en")
    for name in ("MOONSHOT_API_KEY", "OPENAI_API_KEY", "DEEPSEEK_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    from workbench.core import json_files

    monkeypatch.setattr(json_files, "state_problems", [])
    return home


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    """An OpenAI-compatible server on 127.0.0.1 speaking real HTTP and SSE."""
    with LoopbackServer() as server:
        yield server


@pytest.fixture
def memory_keyring() -> Iterator[object]:
    """An in-memory keyring installed as keyring's backend (tests never touch a real one)."""
    from tests.memory_keyring import MemoryKeyring, installed

    with installed(MemoryKeyring()) as backend:
        yield backend
