"""Checking tools as typed: every kind of problem, with where it is in the text."""

from __future__ import annotations

import json

import pytest

from workbench.core.json_positions import line_column, scan_positions
from workbench.core.payloads import request_problems
from workbench.core.providers import Prefill, ProviderConfig, preset
from workbench.core.run_types import ToolCall
from workbench.core.tools import (
    CODE_RUNNER,
    WEB_SEARCH_TOOL,
    argument_problems,
    blank_tool,
    check_tool_source,
    check_tools,
    pretty_arguments,
    rules_for,
    sendable_tools,
    tool_entries_from_text,
    tool_problems,
    tool_result_messages,
    tools_to_text,
    unused_name,
)
from workbench.core.workspace import Params, ToolEntry, Workspace, WorkspaceError, write_atomic
from workbench.core.workspace_files import load_workspace


def tool(name: str = "get_weather", parameters: object = None, **function: object) -> str:
    body: dict[str, object] = {"name": name, "description": "Weather for a city."}
    body["parameters"] = (
        {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
        if parameters is None
        else parameters
    )
    body.update(function)
    return json.dumps({"type": "function", "function": body}, indent=2)


def errors(source: str, provider: str = "moonshot") -> list[str]:
    return [str(p) for p in check_tool_source(source, rules_for(provider)).problems if p.blocking]


def test_templates_are_valid() -> None:
    for source in (blank_tool(), CODE_RUNNER, WEB_SEARCH_TOOL, tool()):
        assert check_tool_source(source).problems == []


def test_json_syntax_error_has_line_and_column() -> None:
    source = '{\n  "type": "function",\n  "function": {"name": "x",}\n}'
    (problem,) = check_tool_source(source).problems
    assert (problem.line, problem.column) == (3, 28)
    assert "Not valid JSON" in problem.message
    assert source[problem.start] == "}"  # the underline sits on the offending character


def test_shape_problems_point_at_their_place() -> None:
    source = '{\n  "type": "fn",\n  "function": {"name": "ok_name", "description": "d"}\n}'
    problems = check_tool_source(source).problems
    wrong_type = next(p for p in problems if p.path == "type")
    assert (wrong_type.line, wrong_type.column) == (2, 11)
    assert wrong_type.blocking and '"function"' in wrong_type.message

    assert any('Missing "function"' in e for e in errors('{"type": "function"}'))
    assert any('Missing "type"' in e for e in errors('{"function": {"name": "abc"}}'))
    assert errors("[1, 2]") == [
        'line 1, column 1: A tool must be a JSON object: {"type": "function", "function": {...}}.'
    ]
    assert any("name must be a string" in e for e in errors(tool(name=7)))  # type: ignore[arg-type]
    assert any("description must be a string" in e for e in errors(tool(description=3)))


def test_missing_description_and_typos_are_warnings_not_blocking() -> None:
    source = '{"type": "function", "function": {"name": "abc", "paramters": {}}}'
    check = check_tool_source(source)
    assert check.valid
    messages = [p.message for p in check.problems]
    assert any("did you mean 'parameters'" in m for m in messages)
    assert any("description" in m for m in messages)


def test_schema_checked_against_meta_schema_with_paths() -> None:
    source = tool(
        parameters={
            "type": "object",
            "properties": {"city": {"type": "strin"}, "days": {"type": "integer", "minimum": "1"}},
            "required": "city",
        }
    )
    problems = [p for p in check_tool_source(source).problems if p.blocking]
    paths = {p.path for p in problems}
    assert paths == {
        "function.parameters.properties.city.type",
        "function.parameters.properties.days.minimum",
        "function.parameters.required",
    }
    city = next(p for p in problems if p.path.endswith("city.type"))
    assert source.splitlines()[city.line - 1][city.column - 1 :].startswith('"strin"')
    assert "not a JSON Schema type" in city.message


def test_parameters_root_must_be_an_object() -> None:
    assert any(
        'root of "parameters"' in e for e in errors(tool(parameters={"type": "array", "items": {}}))
    )
    assert any("must be a JSON Schema object" in e for e in errors(tool(parameters=[])))


def test_moonshot_name_rule_and_openai_rule() -> None:
    for bad in ("ab", "1tool", "get weather", "x" * 65, "名字"):
        assert any("is not allowed by Moonshot" in e for e in errors(tool(name=bad))), bad
    for good in ("abc", "_private", "get-weather_2", "a" * 64):
        assert errors(tool(name=good)) == [], good
    # OpenAI allows a leading digit and short names; Moonshot does not.
    assert errors(tool(name="1x"), "openai") == []


def test_builtin_web_search_accepted_on_moonshot_only() -> None:
    assert errors(WEB_SEARCH_TOOL) == []
    assert any("Moonshot built-in" in e for e in errors(WEB_SEARCH_TOOL, "openai"))
    unknown = '{"type": "builtin_function", "function": {"name": "$browse"}}'
    assert any("Unknown builtin" in e for e in errors(unknown))


def test_duplicate_names_among_enabled_tools() -> None:
    entries = [ToolEntry(tool()), ToolEntry(CODE_RUNNER), ToolEntry(tool())]
    checked = check_tools(entries)
    dup = [p for p in checked.tools[0].problems if "Duplicate" in p.message]
    assert dup and "tool 3" in dup[0].message and dup[0].line == 4
    assert not checked.tools[1].problems
    entries[2].enabled = False
    assert check_tools(entries).tools[0].valid


def test_at_most_128_enabled_tools() -> None:
    entries = [ToolEntry(tool(name=f"tool_{i}")) for i in range(129)]
    assert any("at most 128" in g for g in check_tools(entries).general)
    entries[0].enabled = False
    assert check_tools(entries).general == []


def test_tool_problems_name_the_tool_and_only_enabled_ones_block() -> None:
    workspace = Workspace(tools=[ToolEntry(CODE_RUNNER), ToolEntry('{"type": "function",')])
    (problem,) = tool_problems(workspace)
    assert problem.startswith("Tool 2: line 1, column 21: Not valid JSON")
    # The request check runs them with the provider's own rules.
    moonshot, openai = preset("moonshot"), preset("openai")
    assert moonshot is not None and openai is not None
    assert request_problems(workspace, moonshot).count(problem) == 1
    workspace.tools[1].enabled = False
    assert tool_problems(workspace) == []
    workspace.tool_choice = {"type": "function", "function": {"name": "missing_fn"}}
    assert tool_problems(workspace) == [
        "tool_choice names the function 'missing_fn', which is not an enabled tool."
    ]
    workspace.tool_choice = {"type": "function", "function": {"name": "CodeRunner"}}
    assert tool_problems(workspace) == []


def test_tool_problems_follow_the_provider() -> None:
    workspace = Workspace(tools=[ToolEntry(WEB_SEARCH_TOOL)], params=Params(provider="openai"))
    assert tool_problems(workspace) and "Tool 1 ($web_search)" in tool_problems(workspace)[0]
    workspace.params.provider = "moonshot"
    assert tool_problems(workspace) == []
    # A provider the user added says its kind itself.
    own = ProviderConfig("kimi-proxy", "Kimi proxy", "moonshot", "http://x/v1", Prefill.NONE, "K")
    workspace.params.provider = own.id
    assert not any("Tool" in p for p in request_problems(workspace, own))
    assert tool_problems(workspace)  # without its kind: OpenAI's rules


def test_invalid_tool_survives_save_and_reopen_unchanged(tmp_path) -> None:
    broken = '{\n  "type": "function",\n  "function": {"name": "half typed",\n'
    odd = '{"type":"function","function":{"name":"compact","parameters":{"type":"object"}}}'
    workspace = Workspace(
        tools=[ToolEntry(broken, enabled=False, mock_result="42"), ToolEntry(odd)]
    )
    path = tmp_path / "w.prompt.json"
    write_atomic(path, workspace.dumps())
    reopened = load_workspace(path)
    assert [(t.source, t.enabled, t.mock_result) for t in reopened.tools] == [
        (broken, False, "42"),
        (odd, True, None),
    ]
    assert sendable_tools(reopened.tools) == [json.loads(odd)]


def test_arguments_checked_against_the_schema() -> None:
    entries = [ToolEntry(CODE_RUNNER), ToolEntry(WEB_SEARCH_TOOL)]
    assert argument_problems("CodeRunner", '{"language": "python", "code": "1"}', entries) == []
    found = argument_problems("CodeRunner", '{"language": "ruby"}', entries)
    assert "arguments: 'code' is a required property." in found
    assert any(f.startswith("arguments.language: 'ruby' is not one of") for f in found)
    assert argument_problems("CodeRunner", '{"language": ', entries)[0].startswith(
        "Arguments are not valid JSON (line 1, column 14"
    )
    assert "not one of the tools" in argument_problems("Nope", "{}", entries)[0]
    assert argument_problems("$web_search", '{"query": "x"}', entries) == []
    broken = [ToolEntry(CODE_RUNNER.replace('"type": "object"', '"type": "objekt"'))]
    assert "Not checked" in argument_problems("CodeRunner", "{}", broken)[0]


def test_tool_result_messages_link_calls_and_prefill() -> None:
    entries = [ToolEntry(CODE_RUNNER, mock_result="True"), ToolEntry(WEB_SEARCH_TOOL)]
    calls = [
        ToolCall("functions.CodeRunner:0", "CodeRunner", '{"language":"python","code":"1"}'),
        ToolCall("$web_search:1", "$web_search", '{"search_result": {"search_id": "abc"}}'),
        ToolCall("functions.unknown:2", "unknown_tool", "{}"),
    ]
    results = tool_result_messages(calls, entries)
    assert [(m.role, m.tool_call_id, m.name, m.content) for m in results] == [
        ("tool", "functions.CodeRunner:0", "CodeRunner", "True"),
        ("tool", "$web_search:1", "$web_search", '{"search_result": {"search_id": "abc"}}'),
        ("tool", "functions.unknown:2", "unknown_tool", ""),
    ]


def test_import_and_export_tools_array() -> None:
    text, skipped = tools_to_text([ToolEntry(CODE_RUNNER), ToolEntry("{ broken")])
    assert skipped == 1
    assert json.loads(text) == [json.loads(CODE_RUNNER)]
    entries = tool_entries_from_text(text)
    assert [e.source for e in entries] == [CODE_RUNNER]
    body = json.dumps({"model": "m", "messages": [], "tools": [json.loads(WEB_SEARCH_TOOL)]})
    assert tool_entries_from_text(body)[0].parsed() == json.loads(WEB_SEARCH_TOOL)
    with pytest.raises(WorkspaceError) as caught:
        tool_entries_from_text("[\n  {,\n]")
    assert (caught.value.line, caught.value.column) == (2, 4)
    with pytest.raises(WorkspaceError):
        tool_entries_from_text("[]")


def test_unused_name_and_pretty_arguments() -> None:
    entries = [ToolEntry(blank_tool()), ToolEntry(blank_tool("new_tool_2"))]
    assert unused_name(entries, "new_tool") == "new_tool_3"
    assert pretty_arguments('{"a":1}') == '{\n  "a": 1\n}'
    assert pretty_arguments("{not json") == "{not json"


def test_positions_of_values_and_keys() -> None:
    text = '{"a": [1, {"b": "x"}],\n "c": null}'
    positions = scan_positions(text)
    span = positions.values[("a", 1, "b")]
    assert text[span.start : span.end] == '"x"'
    assert line_column(text, positions.keys[("c",)].start) == (2, 2)
