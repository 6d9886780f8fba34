"""The form view's model: which tools it can show, and the round trip through it."""

from __future__ import annotations

import json

from workbench.core.tool_form import (
    FormParameter,
    ToolForm,
    form_from_tool,
    form_refusal,
    tool_with_form,
)
from workbench.core.tools import CODE_RUNNER, WEB_SEARCH_TOOL


def test_simple_tool_round_trips_through_the_form() -> None:
    tool = json.loads(CODE_RUNNER)
    form = form_from_tool(tool)
    assert form == ToolForm(
        "CodeRunner",
        "Runs Python or JavaScript code and returns what it prints.",
        [
            FormParameter("language", "string", True, ["python", "javascript"]),
            FormParameter("code", "string", True, [], "The code to run."),
        ],
    )
    assert json.loads(tool_with_form(tool, form)) == tool


def test_form_edits_change_only_what_the_form_shows() -> None:
    tool = json.loads(CODE_RUNNER)
    tool["function"]["strict"] = True
    form = form_from_tool(tool)
    assert form is not None
    form.parameters[1].required = False
    form.parameters.append(FormParameter("timeout", "integer", description="Seconds"))
    result = json.loads(tool_with_form(tool, form))
    assert result["function"]["strict"] is True
    assert result["function"]["parameters"]["required"] == ["language"]
    assert result["function"]["parameters"]["properties"]["timeout"] == {
        "type": "integer",
        "description": "Seconds",
    }


def test_complex_or_invalid_tools_are_refused_with_a_reason() -> None:
    assert form_refusal(None) is not None
    assert "function tools" in (form_refusal(json.loads(WEB_SEARCH_TOOL)) or "")
    nested = json.loads(CODE_RUNNER)
    nested["function"]["parameters"]["properties"]["code"]["type"] = "object"
    assert "'code'" in (form_refusal(nested) or "")
    extra = json.loads(CODE_RUNNER)
    extra["function"]["parameters"]["additionalProperties"] = False
    assert form_from_tool(extra) is None
