"""Workspace files: round trips, imports, clear errors, atomic writes."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from workbench.core.conversation import Message
from workbench.core.resources import example_files
from workbench.core.workspace import (
    FORMAT,
    Params,
    ToolEntry,
    Variant,
    Workspace,
    WorkspaceError,
    save_workspace,
    workspace_from_text,
)
from workbench.core.workspace_files import load_workspace

DESIGN_EXAMPLE = {
    "format": "prompt-workbench/1",
    "title": "Product extraction",
    "messages": [
        {"role": "system", "content": "Extract fields as JSON."},
        {"role": "user", "content": "A red mug, 350 ml, 12 EUR."},
        {"role": "assistant", "content": "{", "partial": True},
    ],
    "tools": [
        {
            "type": "function",
            "function": {
                "name": "CodeRunner",
                "description": "Runs Python",
                "parameters": {"type": "object", "properties": {}},
            },
        }
    ],
    "tool_choice": "auto",
    "params": {
        "provider": "moonshot",
        "model": "kimi-k2-0905-preview",
        "temperature": 0.6,
        "max_tokens": 1024,
    },
    "variants": [
        {
            "label": "K2 cold",
            "provider": "moonshot",
            "model": "kimi-k2-0905-preview",
            "params": {"temperature": 0.2},
        }
    ],
}


def test_the_design_example_round_trips_unchanged(tmp_path: Path) -> None:
    workspace = workspace_from_text(json.dumps(DESIGN_EXAMPLE))
    assert workspace.conversation[2].partial
    assert workspace.variants == [
        Variant("K2 cold", "moonshot", "kimi-k2-0905-preview", {"temperature": 0.2})
    ]
    path = tmp_path / "x.prompt.json"
    save_workspace(workspace, path)
    expected = dict(DESIGN_EXAMPLE)
    del expected["tool_choice"]  # "auto" is the default and is not written
    assert json.loads(path.read_text(encoding="utf-8")) == expected


def test_a_bare_messages_array_opens_as_a_workspace() -> None:
    workspace = workspace_from_text('[{"role": "user", "content": "hi", "name": "ann"}]')
    assert [(m.role, m.content, m.name) for m in workspace.conversation] == [("user", "hi", "ann")]


def test_an_openai_request_body_opens_with_its_parameters_and_unknown_keys_kept() -> None:
    body = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hello"}]}],
        "temperature": 0.3,
        "stop": "END",
        "seed": 7,
        "stream": True,
        "response_format": {"type": "json_object"},
    }
    workspace = workspace_from_text(json.dumps(body))
    assert workspace.params.model == "gpt-4o-mini"
    assert workspace.params.stop == ["END"]
    assert workspace.params.response_format == "json_object"
    assert workspace.params.extra == {"seed": 7}
    assert workspace.conversation[0].content == "hello"
    assert workspace.to_json()["messages"][0]["content"] == body["messages"][0]["content"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": "prompt-workbench/1",\n "messages": [}', "line 2, column 15"),
        ('{"format": "prompt-workbench/9", "messages": []}', "unknown format"),
        ('{"format": "prompt-workbench/1", "messages": [{"role": "robot"}]}', "messages[0].role"),
        (
            '{"format": "prompt-workbench/1", "messages": [{"role": "user", "content": 3}]}',
            "messages[0].content",
        ),
        ('{"format": "prompt-workbench/1", "params": {"max_tokens": "many"}}', "params.max_tokens"),
        (
            '{"format": "prompt-workbench/1", "messages": [{"role": "assistant", "partial": true},'
            ' {"role": "user", "content": "x"}]}',
            "partial is only allowed",
        ),
        (
            '{"format": "prompt-workbench/1", "tool_choice": {"function": "add"}}',
            "tool_choice",
        ),
        ('{"hello": 1}', "not a workspace"),
        ("42", "expected a workspace object"),
    ],
)
def test_bad_input_is_refused_with_where_the_problem_is(text: str, message: str) -> None:
    with pytest.raises(WorkspaceError, match=message.replace("[", r"\[").replace("]", r"\]")):
        workspace_from_text(text)


def test_a_syntax_error_carries_line_and_column() -> None:
    with pytest.raises(WorkspaceError) as caught:
        workspace_from_text('{\n  "format": "prompt-workbench/1",\n  "messages": [,]\n}')
    assert (caught.value.line, caught.value.column) == (3, 16)


def test_load_names_the_file_and_never_touches_it(tmp_path: Path) -> None:
    path = tmp_path / "broken.prompt.json"
    path.write_bytes(b'{"format": "prompt-workbench/1", "messages": [')
    before = path.stat().st_mtime_ns
    with pytest.raises(WorkspaceError, match=r"broken\.prompt\.json"):
        load_workspace(path)
    assert path.stat().st_mtime_ns == before
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(WorkspaceError, match="not UTF-8"):
        load_workspace(path)


def test_an_invalid_tool_is_saved_and_reopened_exactly_as_typed(tmp_path: Path) -> None:
    typed = '{"type": "function", "function": {"name": "half typed",'
    workspace = Workspace(
        messages=[Message(role="user", content="hi")],
        tools=[ToolEntry(typed, enabled=False, mock_result="42")],
    )
    path = tmp_path / "t.prompt.json"
    save_workspace(workspace, path)
    reopened = load_workspace(path)
    assert reopened.tools == [ToolEntry(typed, enabled=False, mock_result="42")]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "keep.prompt.json"
    workspace = Workspace(messages=[Message(role="user", content="v1")])
    save_workspace(workspace, path)
    original = path.read_text(encoding="utf-8")
    workspace.conversation.update(0, content="v2")

    def disk_full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        save_workspace(workspace, path)
    assert path.read_text(encoding="utf-8") == original
    assert [p.name for p in tmp_path.iterdir()] == ["keep.prompt.json"]


def test_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "a.prompt.json"
    for text in ("one", "two"):
        save_workspace(Workspace(messages=[Message(role="user", content=text)]), path)
    assert [p.name for p in tmp_path.iterdir()] == ["a.prompt.json"]
    assert load_workspace(path).conversation[0].content == "two"


def test_partial_with_json_mode_is_refused_before_sending() -> None:
    workspace = Workspace(
        messages=[Message(role="user", content="x"), Message(role="assistant", content="{")],
        params=Params(response_format="json_object"),
    )
    workspace.conversation.update(1, partial=True)
    assert any("json_object" in p for p in workspace.problems())


def test_parameter_problems_name_the_parameter() -> None:
    params = Params(temperature=3, max_tokens=-5, top_p=0)
    names = [name for name, _ in params.problems()]
    assert names == ["temperature", "top_p", "max_tokens"]


def test_every_example_opens_and_is_ready_to_send() -> None:
    files = example_files()
    assert len(files) >= 4
    for path in files:
        workspace = load_workspace(path)
        assert workspace.to_json()["format"] == FORMAT
        assert workspace.problems() == [], path.name


def test_a_new_workspace_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    from workbench.core import json_files as module

    path = tmp_path / "new.prompt.json"
    save_workspace(Workspace(messages=[Message(content="hi")]), path)
    assert path.stat().st_mode & 0o777 == 0o666 & ~module._UMASK
    os.chmod(path, 0o640)
    save_workspace(Workspace(messages=[Message(content="again")]), path)
    assert path.stat().st_mode & 0o777 == 0o640  # an existing file keeps its own


# The workspace owns its changes --------------------------------------------------------------


def recorder(workspace: Workspace) -> list[tuple[str, object]]:
    """Every fine-grained event of ``workspace``, in order."""
    seen: list[tuple[str, object]] = []
    workspace.params_changed.connect(lambda name: seen.append(("params", name)))
    workspace.tools_changed.connect(lambda edit: seen.append(("tools", edit)))
    workspace.tool_choice_changed.connect(lambda: seen.append(("tool_choice", None)))
    workspace.variants_changed.connect(lambda edit: seen.append(("variants", edit)))
    workspace.reset.connect(lambda: seen.append(("reset", None)))
    return seen


def test_each_edit_announces_what_changed_and_nothing_else() -> None:
    from workbench.core.workspace import ListEdit

    workspace = Workspace()
    seen = recorder(workspace)
    first, second = ToolEntry('{"a": 1}'), ToolEntry('{"b": 2}')

    assert workspace.insert_tools(5, [first, second]) == 0  # clamped
    assert workspace.set_tool_field(second, "enabled", False)
    assert not workspace.set_tool_field(second, "enabled", False)  # unchanged: no event
    workspace.move_tool(second, 0)
    assert workspace.remove_tool(first) == 1
    assert workspace.set_tool_choice("none")
    assert workspace.set_param("temperature", 0.2)
    assert seen == [
        ("tools", ListEdit("insert", 0)),
        ("tools", ListEdit("update", 1, field="enabled")),
        ("tools", ListEdit("move", 1, 0)),
        ("tools", ListEdit("remove", 1)),
        ("tool_choice", None),
        ("params", "temperature"),
    ]
    assert workspace.tools == [second] and not second.enabled


def test_variants_keep_their_invariants_at_the_source() -> None:
    from workbench.core.workspace import MAX_VARIANTS, ListEdit

    workspace = Workspace()
    seen = recorder(workspace)
    for i in range(MAX_VARIANTS):
        workspace.insert_variant(i, Variant(f"V{i}"))
    with pytest.raises(WorkspaceError, match="At most 8"):
        workspace.insert_variant(0, Variant("Ninth"))
    workspace.remove_variant(workspace.variants[-1])
    with pytest.raises(WorkspaceError, match="labelled 'V0' already"):
        workspace.insert_variant(0, Variant("V0"))
    with pytest.raises(WorkspaceError, match="labelled 'V0' already"):
        workspace.set_variant_field(workspace.variants[1], "label", "V0")
    with pytest.raises(WorkspaceError, match="needs a label"):
        workspace.set_variant_field(workspace.variants[1], "label", "  ")
    assert workspace.variant_label_problem("V1", workspace.variants[1]) is None  # its own
    with pytest.raises(WorkspaceError, match="same label"):
        workspace.set_variants([Variant("A"), Variant("A")])
    assert len(workspace.variants) == MAX_VARIANTS - 1  # nothing refused went in
    assert [edit for kind, edit in seen if kind == "variants"][-1] == ListEdit("remove", 7)

    variant = workspace.variants[2]
    seen.clear()
    assert workspace.set_variant_field(variant, "params.temperature", 0.3)
    assert not workspace.set_variant_field(variant, "params.temperature", 0.3)
    assert workspace.set_variant_field(variant, "params.temperature", None)
    assert not workspace.set_variant_field(variant, "params.temperature", None)
    workspace.move_variant(variant, 0)
    assert seen == [
        ("variants", ListEdit("update", 2, field="params.temperature")),
        ("variants", ListEdit("update", 2, field="params.temperature")),
        ("variants", ListEdit("move", 2, 0)),
    ]
    assert variant.params == {} and workspace.variants[0] is variant


def test_a_file_is_taken_as_it_is_and_announced_once() -> None:
    workspace = Workspace()
    seen = recorder(workspace)
    many = [Variant(f"V{i}") for i in range(10)]  # more than Compare shows: nothing dropped
    workspace.replace_with(Workspace(title="Big", variants=many, tools=[ToolEntry("{}")]))
    assert seen == [("reset", None)]
    assert workspace.variants == many and workspace.title == "Big"
    old = workspace.set_variants([Variant("A")])
    workspace.set_variants(old, checked=False)  # undo puts back what was there
    assert workspace.variants == many
