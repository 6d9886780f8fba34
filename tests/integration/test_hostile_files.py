"""Hostile workspace and state files: a clear one-line message, exit 2, defaults, never a crash.

Each case here was found by hand or by the generated-input suite (tests/hostile) and failed
before its fix.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.core import json_files
from workbench.core.workspace import WorkspaceError, save_workspace
from workbench.core.workspace_files import load_workspace

GOOD = {
    "format": "prompt-workbench/1",
    "messages": [{"role": "user", "content": "Hello"}],
    "params": {"provider": "moonshot", "model": "moonshot-v1-8k", "max_tokens": 16},
}


def exit_and_stderr(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    err = capsys.readouterr().err
    return status, err


def one_line_naming(err: str, name: str) -> bool:
    lines = err.strip().splitlines()
    return len(lines) == 1 and name in lines[0] and "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        (
            '{"format": "prompt-workbench/1", "messages": [], "params": {"max_tokens": '
            + "9" * 5000
            + "}}",
            "too many digits",
        ),
        (json.dumps(GOOD).replace('"max_tokens": 16', '"temperature": 1e400'), "too large"),
        (json.dumps(GOOD).replace('"max_tokens": 16', '"temperature": NaN'), "NaN"),
        (json.dumps(GOOD).replace('"max_tokens": 16', '"top_p": -Infinity'), "Infinity"),
        ('{"format": "prompt-workbench/1", "params": ' + '{"x": ' * 300 + "1" + "}" * 301, "deep"),
    ],
    ids=["deep", "huge-int", "1e400", "nan", "infinity", "deep-in-params"],
)
def test_odd_json_exits_2_naming_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, words: str
) -> None:
    path = tmp_path / "odd.prompt.json"
    path.write_text(text, encoding="utf-8")
    for command in (["count"], ["export"], ["run"]):
        status, err = exit_and_stderr(capsys, *command, str(path))
        assert status == 2, err
        assert one_line_naming(err, "odd.prompt.json"), err
        assert words.split()[0] in err or "deep" in words, err
    assert path.read_text(encoding="utf-8") == text  # never changed


def test_non_regular_files_are_refused_without_blocking(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe.prompt.json"
    os.mkfifo(fifo)  # opening it for reading would block until a writer comes
    folder = tmp_path / "folder.prompt.json"
    folder.mkdir()
    loop = tmp_path / "loop.prompt.json"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(loop)
    for path, words in (
        (fifo, "not a regular file"),
        (folder, "a folder"),
        (loop, "symbolic links"),
    ):
        status, err = exit_and_stderr(capsys, "count", str(path))
        assert status == 2 and one_line_naming(err, path.name) and words in err, err
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.prompt.json"
    with path.open("wb") as handle:
        handle.truncate(json_files.MAX_FILE_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(WorkspaceError, match="too large"):
        load_workspace(path)


def test_a_lone_surrogate_opens_saves_and_reopens_exactly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "surrogate.prompt.json"
    path.write_text(json.dumps(GOOD).replace("Hello", "a\\ud800b \\udfff"), encoding="utf-8")
    workspace = load_workspace(path)
    assert workspace.conversation[0].content == "a\ud800b \udfff"
    copy = tmp_path / "copy.prompt.json"
    save_workspace(workspace, copy)  # UTF-8 cannot encode a lone surrogate: escaped instead
    copy.read_bytes().decode("utf-8")
    assert load_workspace(copy).conversation[0].content == "a\ud800b \udfff"
    assert main(["export", str(path), "--as", "json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["messages"][0]["content"] == "a\ud800b \udfff"


def write_state(home: Path, name: str, text: str) -> Path:
    folder = home / ("data" if name == "token_calibration.json" else "config")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        (
            "models.json",
            '{"models": [{"id": "moonshot-v1-8k", "capabilities": [1]}]}',
            "models.json",
        ),
        ("models.json", '{"models": [{"id": "x", "context_window": 1e400}]}', "too large"),
        (
            "token_calibration.json",
            '{"moonshot-v1": {"ratio": 1.1, "samples": 1e400}}',
            "too large",
        ),
        ("token_calibration.json", '{"moonshot-v1": {"ratio": 1.1, "samples": [1]}}', "odd"),
        ("settings.json", '{"autosave_seconds": NaN}', "settings.json"),
        ("settings.json", "[" * 50_000, "settings.json"),
        ("providers.json", '{"providers": ' + "[" * 5000 + "]" * 5000 + "}", "providers.json"),
    ],
)
def test_odd_state_files_fall_back_and_say_which_file(
    capsys: pytest.CaptureFixture[str],
    workbench_home: Path,
    name: str,
    text: str,
    words: str,
) -> None:
    path = write_state(workbench_home, name, text)
    workspace = workbench_home / "w.prompt.json"
    workspace.write_text(json.dumps(GOOD), encoding="utf-8")
    err = ""
    for command in ("count", "export"):
        status, more = exit_and_stderr(capsys, command, str(workspace))
        assert status == 0, more
        err += more
    assert "Traceback" not in err
    if name != "settings.json":  # count does not read the settings
        # Printed by the command, or noted as a warning (a CLI warning line outside pytest).
        said = [err, *json_files.state_problems]
        assert any(words in text and name in text for text in said), said
    assert path.read_text(encoding="utf-8") == text  # kept as it is, nothing lost


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"autosave_seconds": 1e308}, "autosave_seconds"),
        ({"autosave_seconds": 10**400}, "autosave_seconds"),
        ({"recent_files": [1, 2]}, "recent_files"),
        ({"recent_files": "not a list"}, "recent_files"),
        ({"compare_sync_scroll": "yes"}, "compare_sync_scroll"),
        ({"max_answer_mb": -1}, "max_answer_mb"),
    ],
)
def test_odd_settings_fall_back_to_defaults_naming_the_field(
    workbench_home: Path, data: dict, field: str
) -> None:
    from workbench.core.settings import Settings

    write_state(workbench_home, "settings.json", json.dumps(data))
    settings = Settings.load()
    assert getattr(settings, field) == getattr(Settings(), field)
    assert any("settings.json" in p and field in p for p in json_files.state_problems)


def test_odd_autosave_metadata_is_not_offered(workbench_home: Path) -> None:
    from workbench.core import autosave

    folder = workbench_home / "data" / "autosave"
    folder.mkdir(parents=True)
    (folder / "untitled-x.autosave.json").write_text(
        '{"autosave_of": null, "saved_at": NaN, "workspace": {}}', encoding="utf-8"
    )
    (folder / "untitled-y.autosave.json").write_text(
        '{"autosave_of": 5, "saved_at": 1e300, "workspace": {}}', encoding="utf-8"
    )
    assert autosave.recoverable(None) == []
    assert len(json_files.state_problems) == 2


@pytest.mark.parametrize("command", [["count"], ["export", "--as", "curl"]])
def test_an_unusable_workbench_home_does_not_stop_count_or_export(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    command: list[str],
) -> None:
    workspace = tmp_path / "w.prompt.json"
    workspace.write_text(json.dumps(GOOD), encoding="utf-8")
    # A file where the folder should be: mkdir fails, as on a read-only or full disk.
    monkeypatch.setenv("WORKBENCH_HOME", str(workspace / "home"))
    status = main([command[0], str(workspace), *command[1:]])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert any("cannot create the folder" in p for p in json_files.state_problems)
    assert captured.out


def test_providers_json_base_urls_are_checked_at_load(workbench_home: Path) -> None:
    from workbench.core.providers import ProviderRegistry

    entry = {"id": "mine", "name": "Mine", "kind": "custom", "base_url": "ftp://example.com/v1"}
    write_state(workbench_home, "providers.json", json.dumps({"providers": [entry]}))
    registry = ProviderRegistry()
    assert registry.get("mine") is None
    assert registry.load_error and "providers[0].base_url" in registry.load_error
    assert any("providers.json" in p for p in json_files.state_problems)


def test_the_history_is_private_and_takes_lone_surrogates(
    capsys: pytest.CaptureFixture[str],
    workbench_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from workbench.core.history import HistoryStore
    from workbench.loopback_server import LoopbackServer, Reply

    history = workbench_home / "data" / "history.sqlite3"
    history.parent.mkdir(parents=True)
    history.touch(mode=0o644)  # left readable by an older version
    os.chmod(history, 0o644)
    path = tmp_path / "s.prompt.json"
    path.write_text(json.dumps(GOOD).replace("Hello", "half \\ud83d"), encoding="utf-8")
    monkeypatch.setenv("LOOP_KEY", "loop-key-0123456789")
    with LoopbackServer() as server:
        server.queue(Reply(text="Fine"))
        status = main(["run", str(path), "--base-url", server.url, "--api-key-env", "LOOP_KEY"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert captured.out.strip() == "Fine" and "not recorded" not in captured.err
    runs = HistoryStore().search("")
    assert len(runs) == 1 and runs[0].request()["body"]["messages"][0]["content"] == "half \ud83d"
    for part in workbench_home.joinpath("data").glob("history.sqlite3*"):
        assert stat.S_IMODE(part.stat().st_mode) == 0o600, part
