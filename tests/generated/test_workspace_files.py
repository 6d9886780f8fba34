"""Door 1, workspace files: whatever a file holds, the CLI answers in one line and changes nothing.

Generated: damaged valid workspaces and request bodies, JSON of any shape, odd numbers (1e999,
5,000 digits, NaN), lone surrogates, nesting thousands deep, bytes that are not UTF-8, and files
that are not regular files. Property: exit 0, 1 or 2 with one line on stderr naming the file
when it cannot be used; never a traceback, a hang or a changed file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.generated.guards import check_cli_outcome, no_hang, run_cli
from tests.generated.strategies import REQUEST_BODY, WORKSPACE, file_texts
from workbench.core.json_files import clean_text
from workbench.core.workspace import WorkspaceError, save_workspace
from workbench.core.workspace_files import load_workspace
from workbench.loopback_server import LoopbackServer, Reply

KEY_ENV = "GENERATED_TEST_KEY"


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        running.default_reply = Reply(text="fine")
        yield running


def check_file(
    capsys: pytest.CaptureFixture[str], path: Path, data: bytes, server: LoopbackServer
) -> None:
    try:
        with no_hang():
            workspace = load_workspace(path)
    except WorkspaceError as error:
        workspace = None
        assert path.name in str(error), error
        assert "\n" not in str(error).strip()
    runs = [
        ["count", str(path)],
        ["export", str(path), "--as", "python"],
        ["export", str(path), "--as", "curl"],
        ["run", str(path), "--base-url", server.url, "--api-key-env", KEY_ENV, "--json"],
    ]
    for argv in runs:
        status, out, err = run_cli(capsys, *argv)
        check_cli_outcome(argv[0], status, err)
        if workspace is None:
            assert status == 2 and path.name in err, (argv, status, err)
        out.encode("utf-8")  # printable as UTF-8 whatever the file held
    assert path.read_bytes() == data  # never changed
    if workspace is not None:
        # What opens also saves and opens again to the same thing.
        copy = path.with_name("copy.prompt.json")
        save_workspace(workspace, copy)
        again = load_workspace(copy)
        assert again.to_json() == workspace.to_json()
        assert [clean_text(m.content) for m in again.conversation] == [
            clean_text(m.content) for m in workspace.conversation
        ]


@given(data=file_texts(WORKSPACE))
def test_any_workspace_file(
    data: bytes,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    server: LoopbackServer,
) -> None:
    monkeypatch.setenv(KEY_ENV, "generated-key-0123456789")
    path = tmp_path / "generated.prompt.json"
    path.write_bytes(data)
    check_file(capsys, path, data, server)


@given(data=file_texts(REQUEST_BODY))
def test_any_request_body_file(
    data: bytes,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    server: LoopbackServer,
) -> None:
    monkeypatch.setenv(KEY_ENV, "generated-key-0123456789")
    path = tmp_path / "request.json"
    path.write_bytes(data)
    check_file(capsys, path, data, server)


@given(kind=st.sampled_from(["fifo", "folder", "loop", "dangling", "device", "socket"]))
def test_files_that_are_not_regular_files(
    kind: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / f"{kind}.prompt.json"
    if not os.path.lexists(path):
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "folder":
            path.mkdir()
        elif kind == "loop":
            path.symlink_to(tmp_path / "other")
            (tmp_path / "other").symlink_to(path)
        elif kind == "dangling":
            path.symlink_to(tmp_path / "nowhere")
        elif kind == "device":
            path.symlink_to("/dev/zero")  # endless: read whole, it would fill the memory
        else:
            import socket

            listener = socket.socket(socket.AF_UNIX)
            listener.bind(str(path))
            listener.close()
    for command in ("count", "export", "run"):
        status, _, err = run_cli(capsys, command, str(path))
        check_cli_outcome(command, status, err)
        assert status == 2 and path.name in err, err
    assert os.path.lexists(path)
