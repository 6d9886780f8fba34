"""A key given to the app never reaches history, exports, errors, stdout/stderr or logs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from tests.memory_keyring import MemoryKeyring
from workbench import cli
from workbench.core import paths
from workbench.loopback_server import LoopbackServer, Reply

KEY = "sk-leak-canary-9f8e7d6c5b4a"


def test_no_key_in_history_exports_output_or_logs(
    tmp_path: Path,
    loopback: LoopbackServer,
    memory_keyring: MemoryKeyring,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    memory_keyring.set_password("prompt-workbench", "moonshot", KEY)
    workspace = tmp_path / "w.prompt.json"
    workspace.write_text(
        json.dumps(
            {
                "format": "prompt-workbench/1",
                "messages": [{"role": "user", "content": "Hello"}],
                "params": {"provider": "moonshot", "model": "moonshot-v1-128k"},
                "variants": [{"label": "A"}, {"label": "B"}],
            }
        ),
        encoding="utf-8",
    )
    # The server echoes the key in its error, as some APIs do; a cut stream and a good run too.
    loopback.queue(
        Reply(
            status=401,
            error_type="invalid_authentication_error",
            error_message=f"Incorrect API key provided: {KEY}",
        ),
        Reply(text="fine"),
        Reply(text="cut short here", cut_after=2),
    )
    base = ["--base-url", loopback.url]

    assert cli.main(["run", str(workspace), *base]) == 1
    assert cli.main(["run", str(workspace), *base, "--variant", "A", "--variant", "B"]) == 1
    for kind in ("python", "curl", "json"):
        assert cli.main(["export", str(workspace), *base, "--as", kind]) == 0

    out, err = capsys.readouterr()
    assert "sk-***" in err  # the echoed key was there, masked
    assert KEY not in out + err
    assert KEY not in caplog.text
    stored = b"".join(p.read_bytes() for p in paths.data_dir().rglob("*") if p.is_file())
    stored += b"".join(p.read_bytes() for p in paths.config_dir().rglob("*") if p.is_file())
    assert stored  # the history was written...
    assert KEY.encode() not in stored  # ...without the key
    assert any(v == f"Bearer {KEY}" for r in loopback.requests for v in r.headers.values()), (
        "the key did reach the server, and only the server"
    )


@pytest.mark.asyncio
async def test_a_connection_test_masks_a_key_the_server_echoes(loopback: LoopbackServer) -> None:
    from workbench.core.connection import check_connection

    token = "local-token-without-prefix-31337"  # not sk-like: only knowing it can mask it
    loopback.models_reply = Reply(
        status=401, error_type="invalid_authentication_error", error_message=f"bad key {token}"
    )

    report = await check_connection(loopback.url, token)

    assert report.error is not None and "401" in report.error
    assert token not in report.error
