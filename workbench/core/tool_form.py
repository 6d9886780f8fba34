"""The form view of a simple tool: name, description and a flat table of parameters.

A tool is "simple" when its parameters are an object whose properties each have a plain type and
at most a description and an enum. Such a tool round-trips through :class:`ToolForm` without
losing anything; any other tool is edited as JSON only.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

#: Types the form offers for a parameter.
FORM_TYPES = ("string", "number", "integer", "boolean")
_PROPERTY_KEYS = {"type", "description", "enum"}
_PARAMETERS_KEYS = {"type", "properties", "required"}


@dataclass
class FormParameter:
    """One row of the parameter table."""

    name: str
    type: str = "string"
    required: bool = False
    enum: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class ToolForm:
    """What the form shows of a tool."""

    name: str
    description: str = ""
    parameters: list[FormParameter] = field(default_factory=list)


def form_refusal(tool: dict[str, Any] | None) -> str | None:
    """Why ``tool`` cannot be edited in the form (None when it can)."""
    if tool is None:
        return "The JSON is not valid yet: fix it, or edit it here once it parses."
    function = tool.get("function")
    if tool.get("type") != "function" or not isinstance(function, dict):
        return "Only function tools have a form."
    if not isinstance(function.get("name", ""), str) or not isinstance(
        function.get("description", ""), str
    ):
        return "The name and description must be strings."
    parameters = function.get("parameters", {"type": "object", "properties": {}})
    if not isinstance(parameters, dict) or set(parameters) - _PARAMETERS_KEYS:
        return "The parameters use JSON Schema features the form does not show: edit the JSON."
    if parameters.get("type", "object") != "object":
        return 'The parameters root must be {"type": "object"}.'
    properties = parameters.get("properties", {})
    required = parameters.get("required", [])
    if not isinstance(properties, dict) or not isinstance(required, list):
        return "properties must be an object and required a list."
    if any(not isinstance(r, str) or r not in properties for r in required):
        return "required names a parameter that is not among the properties."
    for name, schema in properties.items():
        if not isinstance(schema, dict) or set(schema) - _PROPERTY_KEYS:
            return f"Parameter {name!r} uses more than a type, description and enum."
        if schema.get("type") not in FORM_TYPES:
            return f"Parameter {name!r} is not one of {', '.join(FORM_TYPES)}."
        if not isinstance(schema.get("description", ""), str):
            return f"The description of {name!r} must be a string."
        enum = schema.get("enum", [])
        if not isinstance(enum, list) or not all(isinstance(v, str) for v in enum):
            return f"The enum of {name!r} must be a list of strings."
    return None


def form_from_tool(tool: dict[str, Any] | None) -> ToolForm | None:
    """The form of ``tool``, or None when it is not simple (see :func:`form_refusal`)."""
    if form_refusal(tool) is not None:
        return None
    assert tool is not None
    function = tool["function"]
    parameters = function.get("parameters", {})
    required = set(parameters.get("required", []))
    rows = [
        FormParameter(
            name=name,
            type=schema["type"],
            required=name in required,
            enum=list(schema.get("enum", [])),
            description=schema.get("description", ""),
        )
        for name, schema in parameters.get("properties", {}).items()
    ]
    return ToolForm(function.get("name", ""), function.get("description", ""), rows)


def tool_with_form(tool: dict[str, Any] | None, form: ToolForm) -> str:
    """The text of ``tool`` (kept where the form does not reach) updated from ``form``."""
    result = copy.deepcopy(tool) if tool is not None else {}
    result["type"] = "function"
    function = result.get("function")
    if not isinstance(function, dict):
        function = {}
    function["name"] = form.name
    function["description"] = form.description
    properties: dict[str, Any] = {}
    for row in form.parameters:
        schema: dict[str, Any] = {"type": row.type}
        if row.description:
            schema["description"] = row.description
        if row.enum:
            schema["enum"] = list(row.enum)
        properties[row.name] = schema
    function["parameters"] = {
        "type": "object",
        "properties": properties,
        "required": [r.name for r in form.parameters if r.required],
    }
    result["function"] = function
    return json.dumps(result, indent=2, ensure_ascii=False)
