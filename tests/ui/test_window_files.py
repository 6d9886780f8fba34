"""The window and its files: opening is all or nothing, autosaves are per window, nothing lost."""

from __future__ import annotations

import json
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.ui.conftest import Dialogs
from workbench.core.conversation import Message
from workbench.core.workspace import Workspace, load_workspace, save_workspace


def write(path: Path, text: str, **params: object) -> Path:
    workspace = Workspace(messages=[Message(role="user", content=text)])
    for name, value in params.items():
        setattr(workspace.params, name, value)
    save_workspace(workspace, path)
    return path


def test_a_file_with_max_tokens_beyond_32_bits_is_refused_and_the_window_stays_as_it_was(
    open_window, user_dialogs: Dialogs, tmp_path: Path
) -> None:
    good = write(tmp_path / "good.prompt.json", "the good one")
    bad = tmp_path / "bad.prompt.json"
    data = json.loads(good.read_text())
    data["messages"][0]["content"] = "the bad one"
    data["params"]["max_tokens"] = 3_000_000_000
    bad.write_text(json.dumps(data))

    window = open_window(good)
    assert not window.open_path(bad)
    assert len(user_dialogs.errors) == 1
    assert "bad.prompt.json" in user_dialogs.errors[0]
    assert "2,147,483,647" in user_dialogs.errors[0]
    assert window.document.path == good.resolve()
    assert window.windowTitle().startswith("good.prompt.json")
    assert [m.content for m in window.workspace.conversation] == ["the good one"]


def test_a_file_a_view_cannot_show_leaves_the_old_one_under_its_own_name(
    open_window, user_dialogs: Dialogs, tmp_path: Path
) -> None:
    first = write(tmp_path / "first.prompt.json", "first")
    second = write(tmp_path / "second.prompt.json", "second")
    window = open_window(first)
    window.editor.append("user", "unsaved edit")

    def refuse() -> None:
        if window.workspace.conversation[0].content == "second":
            raise OverflowError("a view refused the value")

    window.workspace.reset.connect(refuse)
    assert not window.open_path(second)
    assert "second.prompt.json" in user_dialogs.errors[0]
    assert window.document.path == first.resolve()
    assert [m.content for m in window.workspace.conversation] == ["first", "unsaved edit"]
    # The undo stack still applies to the cards that came back.
    window.undo_stack.undo()
    assert [m.content for m in window.workspace.conversation] == ["first"]


def test_typing_into_a_message_of_content_parts_is_what_gets_saved(
    open_window, user_dialogs: Dialogs, tmp_path: Path, qtbot: QtBot
) -> None:
    path = tmp_path / "parts.prompt.json"
    path.write_text(
        json.dumps(
            {
                "format": "prompt-workbench/1",
                "messages": [{"role": "user", "content": [{"type": "text", "text": "old words"}]}],
            }
        )
    )
    window = open_window(path)
    edit = window.message_list.cards()[0].content_edit
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "new words")
    assert window.save()
    saved = json.loads(path.read_text())["messages"][0]["content"]
    assert saved == [{"type": "text", "text": "new words"}]
    assert load_workspace(path).conversation[0].content == "new words"
