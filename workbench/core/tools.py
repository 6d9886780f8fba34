"""Tools (function schemas): checking them as typed, checking the model's calls, answering calls.

A tool is kept as the text the user typed (:class:`~workbench.core.workspace.ToolEntry`), valid or
not. This module says what is wrong with that text and where (line and column in the text), which
tools may be sent, whether a model's tool-call arguments fit the tool's schema, and what a
tool-result card starts with (the tool's saved mock result; ``$web_search`` echoes its arguments,
as Moonshot expects).
"""

from __future__ import annotations

import copy
import difflib
import functools
import json
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbench.core.conversation import Message
from workbench.core.json_positions import (
    JsonPath,
    JsonPositions,
    format_path,
    line_column,
    offset_of,
    scan_positions,
)
from workbench.core.providers import preset
from workbench.core.run_types import ToolCall
from workbench.core.texts import QT_TRANSLATE_NOOP, Text
from workbench.core.workspace import (
    TOOL_META_KEY,
    ToolEntry,
    Workspace,
    WorkspaceError,
    parse_json_text,
)

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

WEB_SEARCH = "$web_search"
#: Moonshot's rule for function names (DESIGN section 4).
MOONSHOT_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_-]{2,63}$")
#: OpenAI's rule, used for every other OpenAI-compatible provider.
OPENAI_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MAX_TOOLS = 128
_TOOL_KEYS = ("type", "function")
_FUNCTION_KEYS = ("name", "description", "parameters", "strict")
_JSON_TYPES = ("string", "number", "integer", "boolean", "object", "array", "null")


@dataclass(frozen=True)
class ToolRules:
    """What a provider accepts in ``tools``.

    Attributes:
        provider: The provider's name, for messages.
        name_pattern: What a function name must match.
        name_rule: The pattern in words.
        builtin: Whether Moonshot's ``builtin_function`` ``$web_search`` is understood.
        max_tools: How many tools one request may carry.
    """

    provider: str
    name_pattern: re.Pattern[str]
    name_rule: str
    builtin: bool
    max_tools: int = MAX_TOOLS


MOONSHOT_RULES = ToolRules(
    "Moonshot",
    MOONSHOT_NAME,
    QT_TRANSLATE_NOOP("Tools", "3 to 64 letters, digits, _ or -, starting with a letter or _"),
    builtin=True,
)
OPENAI_RULES = ToolRules(
    "this provider",
    OPENAI_NAME,
    QT_TRANSLATE_NOOP("Tools", "1 to 64 letters, digits, _ or -"),
    builtin=False,
)


def rules_for(provider_id: str, kind: str | None = None, name: str | None = None) -> ToolRules:
    """The tool rules of a provider: Moonshot's for the moonshot kind, OpenAI's otherwise.

    Args:
        provider_id: The provider's id; its kind and name come from the presets unless given.
        kind: The provider's wire-format kind (a user-added provider has one of its own).
        name: The provider's name, for messages.
    """
    found = preset(provider_id)
    kind = kind or (found.kind if found is not None else None)
    if kind == "moonshot":
        return MOONSHOT_RULES
    name = name or (found.name if found is not None else (provider_id or "this provider"))
    return ToolRules(name, OPENAI_RULES.name_pattern, OPENAI_RULES.name_rule, builtin=False)


@dataclass(frozen=True)
class ToolProblem:
    """One thing wrong with a tool, and where it is in the tool's text.

    Attributes:
        message: A sentence for the user.
        severity: ``error`` blocks sending; ``warning`` does not.
        line: 1-based line in the tool's text, when the problem has a place.
        column: 1-based column.
        start: Character offset where the place starts (for underlining).
        end: Character offset where it ends.
        path: Where in the tool object (``function.parameters.properties.city.type``).
    """

    message: str
    severity: str = "error"
    line: int | None = None
    column: int | None = None
    start: int | None = None
    end: int | None = None
    path: str = ""

    @property
    def blocking(self) -> bool:
        """Whether the problem stops the tool from being sent."""
        return self.severity == "error"

    def __str__(self) -> str:
        return self.text()

    def text(self) -> Text:
        """The problem with its place: ``line L, column C: PATH: message`` (translatable)."""
        at = self.path if self.path and self.path != "(root)" else ""
        if self.line is not None and at:
            template = QT_TRANSLATE_NOOP("Tools", "line {line}, column {column}: {path}: {message}")
        elif self.line is not None:
            template = QT_TRANSLATE_NOOP("Tools", "line {line}, column {column}: {message}")
        elif at:
            template = QT_TRANSLATE_NOOP("Tools", "{path}: {message}")
        else:
            template = QT_TRANSLATE_NOOP("Tools", "{message}")
        return template.format(line=self.line, column=self.column, path=at, message=self.message)


@dataclass
class ToolCheck:
    """What checking one tool's text found.

    Attributes:
        tool: The parsed tool object, or None when the text is not a JSON object.
        name: The function name, when the tool has a string one.
        problems: Everything wrong, in text order.
    """

    tool: dict[str, Any] | None
    name: str | None
    problems: list[ToolProblem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Whether nothing stops the tool from being sent."""
        return not any(p.blocking for p in self.problems)


@dataclass
class ToolsCheck:
    """What checking all of a workspace's tools found.

    Attributes:
        tools: One check per tool entry, in order.
        general: Problems of the set as a whole (too many tools, ``tool_choice``).
    """

    tools: list[ToolCheck]
    general: list[str] = field(default_factory=list)


class _Located:
    """Collects problems found in a parsed tool and places them in its text."""

    def __init__(self, source: str, positions: JsonPositions | None) -> None:
        self.source = source
        self.positions = positions
        self.problems: list[ToolProblem] = []

    def add(
        self, path: JsonPath, message: str, severity: str = "error", *, key: bool = False
    ) -> None:
        span = self.positions.span_for(path, key=key) if self.positions else None
        if span is None:
            self.problems.append(ToolProblem(message, severity, path=format_path(path)))
            return
        # Underline at most the first line of a long value (an object spans many lines).
        newline = self.source.find("\n", span.start, span.end)
        end = newline if newline > span.start else span.end
        line, column = line_column(self.source, span.start)
        self.problems.append(
            ToolProblem(message, severity, line, column, span.start, end, format_path(path))
        )


def check_tool_source(source: str, rules: ToolRules = MOONSHOT_RULES) -> ToolCheck:
    """Checks one tool's text: JSON syntax, the tool's shape, its schema, the provider's rules.

    Results are cached by text and rules: the Tools tab re-checks every tool after each pause in
    typing, and only the tool being typed in has changed.

    Args:
        source: The tool's JSON text as typed.
        rules: The provider's rules for names and built-in tools.
    """
    tool, name, problems = _check_cached(source, rules)
    return ToolCheck(copy.deepcopy(tool), name, list(problems))


@functools.lru_cache(maxsize=512)
def _check_cached(
    source: str, rules: ToolRules
) -> tuple[dict[str, Any] | None, str | None, tuple[ToolProblem, ...]]:
    check = _check_uncached(source, rules)
    return check.tool, check.name, tuple(check.problems)


def _check_uncached(source: str, rules: ToolRules) -> ToolCheck:
    try:
        tool = json.loads(source)
    except json.JSONDecodeError as error:
        start = offset_of(source, error.lineno, error.colno)
        problem = ToolProblem(
            QT_TRANSLATE_NOOP("Tools", "Not valid JSON: {error}.").format(error=error.msg),
            line=error.lineno,
            column=error.colno,
            start=start,
            end=min(len(source), start + 1) if start < len(source) else start,
        )
        return ToolCheck(None, None, [problem])
    located = _Located(source, scan_positions(source))
    if not isinstance(tool, dict):
        located.add(
            (),
            QT_TRANSLATE_NOOP(
                "Tools", 'A tool must be a JSON object: {"type": "function", "function": {...}}.'
            ),
        )
        return ToolCheck(None, None, located.problems)
    name = _check_shape(tool, rules, located)
    located.problems.sort(key=lambda p: (p.start is None, p.start or 0))
    return ToolCheck(tool, name, located.problems)


def _unknown_keys(obj: dict[str, Any], known: Sequence[str], path: JsonPath, at: _Located) -> None:
    for key in obj:
        if key in known or key == TOOL_META_KEY:
            continue
        guess = difflib.get_close_matches(key, known, n=1)
        message = (
            QT_TRANSLATE_NOOP(
                "Tools", "Unknown key {key} (did you mean {guess}?); the API ignores or refuses it."
            )
            if guess
            else QT_TRANSLATE_NOOP("Tools", "Unknown key {key}; the API ignores or refuses it.")
        )
        at.add(
            (*path, key),
            message.format(key=repr(key), guess=repr(guess[0]) if guess else ""),
            "warning",
            key=True,
        )


def _check_shape(tool: dict[str, Any], rules: ToolRules, at: _Located) -> str | None:
    """Checks the tool object's shape; returns its function name when it has a string one."""
    kind = tool.get("type")
    function = tool.get("function")
    _unknown_keys(tool, _TOOL_KEYS, (), at)
    if kind is None:
        at.add((), QT_TRANSLATE_NOOP("Tools", 'Missing "type": use "function".'))
    elif kind == "builtin_function":
        return _check_builtin(function, rules, at)
    elif kind != "function":
        at.add(
            ("type",),
            QT_TRANSLATE_NOOP("Tools", '"type" must be "function", not {kind}.').format(
                kind=json.dumps(kind)
            ),
        )
    if function is None:
        at.add(
            (),
            QT_TRANSLATE_NOOP(
                "Tools", 'Missing "function": an object with name, description and parameters.'
            ),
        )
        return None
    if not isinstance(function, dict):
        at.add(
            ("function",),
            QT_TRANSLATE_NOOP(
                "Tools", '"function" must be an object with name, description, parameters.'
            ),
        )
        return None
    _unknown_keys(function, _FUNCTION_KEYS, ("function",), at)
    name = function.get("name")
    if name is None:
        at.add(("function",), QT_TRANSLATE_NOOP("Tools", 'Missing "function.name".'))
    elif not isinstance(name, str):
        at.add(
            ("function", "name"), QT_TRANSLATE_NOOP("Tools", "The function name must be a string.")
        )
        name = None
    elif not rules.name_pattern.match(name):
        at.add(
            ("function", "name"),
            QT_TRANSLATE_NOOP(
                "Tools", "Name {name} is not allowed by {provider}: use {rule}."
            ).format(name=repr(name), provider=rules.provider, rule=rules.name_rule),
        )
    description = function.get("description")
    if description is None:
        at.add(
            ("function",),
            QT_TRANSLATE_NOOP(
                "Tools",
                'No "description": the model decides when to call a tool from its description.',
            ),
            "warning",
        )
    elif not isinstance(description, str):
        at.add(
            ("function", "description"),
            QT_TRANSLATE_NOOP("Tools", "The description must be a string."),
        )
    elif not description.strip():
        at.add(
            ("function", "description"),
            QT_TRANSLATE_NOOP("Tools", "The description is empty."),
            "warning",
        )
    if "parameters" not in function:
        at.add(
            ("function",),
            QT_TRANSLATE_NOOP(
                "Tools",
                'No "parameters": add {"type": "object", "properties": {}} for a tool without '
                "arguments.",
            ),
            "warning",
        )
    else:
        _check_parameters(function["parameters"], at)
    return name


def _check_builtin(function: Any, rules: ToolRules, at: _Located) -> str | None:
    if not rules.builtin:
        at.add(
            ("type",),
            f'"builtin_function" is a Moonshot built-in tool; {rules.provider} does not run it.',
        )
    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
        at.add(
            ("function",) if function is not None else (),
            'A builtin function needs {"name": "$web_search"}.',
        )
        return None
    name: str = function["name"]
    if name != WEB_SEARCH:
        at.add(
            ("function", "name"),
            f"Unknown builtin {name!r}: Moonshot's builtin tool is {WEB_SEARCH!r}.",
        )
    return name


def _check_parameters(parameters: Any, at: _Located) -> None:
    path: JsonPath = ("function", "parameters")
    if not isinstance(parameters, dict):
        at.add(
            path,
            QT_TRANSLATE_NOOP(
                "Tools", '"parameters" must be a JSON Schema object: {"type": "object", ...}.'
            ),
        )
        return
    root_type = parameters.get("type")
    if root_type != "object":
        where = (*path, "type") if "type" in parameters else path
        at.add(
            where,
            QT_TRANSLATE_NOOP("Tools", 'The root of "parameters" must be {"type": "object"}.'),
        )
    for problem in schema_problems(parameters):
        at.add((*path, *problem[0]), problem[1])
    properties = parameters.get("properties")
    required = parameters.get("required")
    if isinstance(properties, dict) and isinstance(required, list):
        for i, item in enumerate(required):
            if isinstance(item, str) and item not in properties:
                at.add(
                    (*path, "required", i),
                    QT_TRANSLATE_NOOP(
                        "Tools", "{item} is required but not among the properties."
                    ).format(item=repr(item)),
                    "warning",
                )


def _validator_class(schema: dict[str, Any]) -> Any:
    """The validator of the draft ``schema`` names (2020-12 when it names none).

    jsonschema is imported here, on the first check, not with the module: it costs more than
    the rest of the tools code, and the window's start needs none of it.
    """
    from jsonschema import Draft202012Validator
    from jsonschema.validators import validator_for

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an unknown $schema falls back to the default draft
        return validator_for(schema, default=Draft202012Validator)


def schema_problems(schema: dict[str, Any]) -> list[tuple[JsonPath, str]]:
    """Where ``schema`` breaks the JSON Schema meta-schema: (path inside the schema, message).

    The draft is the one the schema's ``$schema`` names, 2020-12 when it names none.
    """
    cls = _validator_class(schema)
    checker = cls(cls.META_SCHEMA)
    found = []
    for error in sorted(checker.iter_errors(schema), key=lambda e: list(map(str, e.path))):
        found.append((tuple(error.absolute_path), _schema_message(error)))
    return found


def _schema_message(error: ValidationError) -> str:
    path = list(error.absolute_path)
    if path and path[-1] == "type" and error.validator in ("anyOf", "enum"):
        return QT_TRANSLATE_NOOP("Tools", "{value} is not a JSON Schema type: use {types}.").format(
            value=json.dumps(error.instance), types=", ".join(_JSON_TYPES)
        )
    return QT_TRANSLATE_NOOP("Tools", "Invalid schema: {error}.").format(error=error.message)


# The set of tools -----------------------------------------------------------------------------


def check_tools(entries: Sequence[ToolEntry], rules: ToolRules = MOONSHOT_RULES) -> ToolsCheck:
    """Checks every tool, then the set: duplicate names among enabled tools, how many are sent."""
    checks = [check_tool_source(entry.source, rules) for entry in entries]
    owners: dict[str, list[int]] = {}
    for i, (entry, check) in enumerate(zip(entries, checks, strict=True)):
        if entry.enabled and check.name:
            owners.setdefault(check.name, []).append(i)
    for name, indexes in owners.items():
        if len(indexes) < 2:
            continue
        for i in indexes:
            others = ", ".join(str(j + 1) for j in indexes if j != i)
            located = _Located(entries[i].source, _positions_or_none(entries[i].source))
            located.add(
                ("function", "name"),
                QT_TRANSLATE_NOOP(
                    "Tools",
                    "Duplicate name {name}: tool {others} has it too; names must be unique.",
                ).format(name=repr(name), others=others),
                key=False,
            )
            checks[i].problems.extend(located.problems)
    general: list[str] = []
    enabled = sum(1 for e in entries if e.enabled)
    if enabled > rules.max_tools:
        general.append(
            QT_TRANSLATE_NOOP(
                "Tools",
                "{enabled} tools are enabled; {provider} accepts at most {most}: disable some.",
            ).format(enabled=enabled, provider=rules.provider, most=rules.max_tools)
        )
    return ToolsCheck(checks, general)


def _positions_or_none(source: str) -> JsonPositions | None:
    try:
        return scan_positions(source)
    except ValueError:
        return None


def tool_label(index: int, check: ToolCheck) -> str:
    """How messages name a tool: ``Tool 2 (get_weather)``."""
    return f"Tool {index + 1}" + (f" ({check.name})" if check.name else "")


def tool_problems(workspace: Workspace, rules: ToolRules | None = None) -> list[str]:
    """Why the workspace's enabled tools cannot be sent, one sentence per problem (none: fine).

    Disabled tools are not sent, so they never block; warnings do not block either.

    Args:
        workspace: The tools, ``tool_choice`` and provider to check.
        rules: The provider's rules; by default those of ``workspace.params.provider``.
    """
    rules = rules or rules_for(workspace.params.provider)
    checked = check_tools(workspace.tools, rules)
    found = []
    for i, (entry, check) in enumerate(zip(workspace.tools, checked.tools, strict=True)):
        if not entry.enabled:
            continue
        found += [f"{tool_label(i, check)}: {p}" for p in check.problems if p.blocking]
    found += checked.general
    choice = tool_choice_problem(workspace.tool_choice, workspace.tools, checked)
    if choice:
        found.append(choice)
    return found


def tool_choice_problem(
    choice: str | dict[str, Any], entries: Sequence[ToolEntry], checked: ToolsCheck | None = None
) -> str | None:
    """Why ``tool_choice`` does not fit the enabled tools, or None."""
    checked = checked or check_tools(entries)
    names = [c.name for e, c in zip(entries, checked.tools, strict=True) if e.enabled and c.name]
    if choice == "required" and not names:
        return QT_TRANSLATE_NOOP("Tools", "tool_choice is required but no tool is enabled.")
    if isinstance(choice, dict):
        wanted = choice.get("function", {}).get("name")
        if wanted not in names:
            return QT_TRANSLATE_NOOP(
                "Tools", "tool_choice names the function {name}, which is not an enabled tool."
            ).format(name=repr(wanted))
    return None


def enabled_function_names(entries: Sequence[ToolEntry]) -> list[str]:
    """Names of the enabled tools of type ``function`` (what a named ``tool_choice`` may pick)."""
    names = []
    for entry in entries:
        if entry.enabled:
            name = _function_name(entry.source)
            if name is not None:
                names.append(name)
    return names


@functools.lru_cache(maxsize=4096)
def _function_name(source: str) -> str | None:
    # Asked for every tool on every keystroke in one of them: parse each text once.
    try:
        tool = json.loads(source)
    except ValueError:
        return None
    if not isinstance(tool, dict) or tool.get("type") != "function":
        return None
    function = tool.get("function")
    if isinstance(function, dict) and isinstance(function.get("name"), str):
        return str(function["name"])
    return None


def sendable_tools(entries: Iterable[ToolEntry]) -> list[dict[str, Any]]:
    """The tool objects a request carries: enabled tools that parse, workbench data removed."""
    tools = []
    for entry in entries:
        tool = entry.parsed()
        if entry.enabled and tool is not None:
            tool.pop(TOOL_META_KEY, None)
            tools.append(tool)
    return tools


# Templates, import and export ----------------------------------------------------------------


def _pretty(tool: dict[str, Any]) -> str:
    return json.dumps(tool, indent=2, ensure_ascii=False)


def blank_tool(name: str = "new_tool") -> str:
    """The text of a new, empty function tool."""
    return _pretty(
        {
            "type": "function",
            "function": {
                "name": name,
                "description": "What the tool does and when to call it.",
                "parameters": {"type": "object", "properties": {}, "required": []},
            },
        }
    )


CODE_RUNNER = _pretty(
    {
        "type": "function",
        "function": {
            "name": "CodeRunner",
            "description": "Runs Python or JavaScript code and returns what it prints.",
            "parameters": {
                "type": "object",
                "properties": {
                    "language": {"type": "string", "enum": ["python", "javascript"]},
                    "code": {"type": "string", "description": "The code to run."},
                },
                "required": ["language", "code"],
            },
        },
    }
)
WEB_SEARCH_TOOL = _pretty({"type": "builtin_function", "function": {"name": WEB_SEARCH}})
#: Templates offered by "Add": (label, text).
TEMPLATES: tuple[tuple[str, str], ...] = (
    ("CodeRunner (run code)", CODE_RUNNER),
    ("$web_search (Moonshot built-in)", WEB_SEARCH_TOOL),
)


def unused_name(entries: Sequence[ToolEntry], base: str) -> str:
    """``base``, or ``base_2``, ``base_3``... whichever no tool has yet."""
    taken = {c.name for c in (check_tool_source(e.source) for e in entries) if c.name}
    if base not in taken:
        return base
    number = 2
    while f"{base}_{number}" in taken:
        number += 1
    return f"{base}_{number}"


def tool_entries_from_text(text: str) -> list[ToolEntry]:
    """Tools from pasted or imported JSON: an array of tools, one tool, or a request body.

    Raises:
        WorkspaceError: the text is not JSON (with line and column) or holds no tools.
    """
    data = parse_json_text(text)
    if isinstance(data, dict) and isinstance(data.get("tools"), list):
        data = data["tools"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise WorkspaceError("expected a JSON array of tools, a tool object or a request body")
    entries = []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise WorkspaceError("a tool must be an object", path=f"[{i}]")
        entries.append(ToolEntry.from_object(item))
    if not entries:
        raise WorkspaceError("the array holds no tools")
    return entries


def tools_to_text(entries: Sequence[ToolEntry]) -> tuple[str, int]:
    """The tools as an OpenAI ``tools`` array, and how many were left out for not being JSON."""
    tools = []
    for entry in entries:
        tool = entry.parsed()
        if tool is not None:
            tool.pop(TOOL_META_KEY, None)
            tools.append(tool)
    return json.dumps(tools, indent=2, ensure_ascii=False) + "\n", len(entries) - len(tools)


# Tool calls ------------------------------------------------------------------------------------


def find_tool(entries: Sequence[ToolEntry], name: str) -> ToolEntry | None:
    """The tool named ``name`` (enabled ones first), or None."""
    ordered = sorted(entries, key=lambda e: not e.enabled)
    for entry in ordered:
        tool = entry.parsed()
        function = tool.get("function") if tool else None
        if isinstance(function, dict) and function.get("name") == name:
            return entry
    return None


def argument_problems(name: str, arguments: str, entries: Sequence[ToolEntry]) -> list[str]:
    """Where a model's tool-call ``arguments`` break the schema of tool ``name``.

    Args:
        name: The called function's name.
        arguments: The call's arguments, a JSON text.
        entries: The workspace's tools.
    """
    try:
        value = json.loads(arguments) if arguments.strip() else {}
    except json.JSONDecodeError as error:
        return [
            f"Arguments are not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg})."
        ]
    entry = find_tool(entries, name)
    if entry is None:
        return [f"The model called {name!r}, which is not one of the tools."]
    tool = entry.parsed() or {}
    if tool.get("type") == "builtin_function":
        return []
    if not isinstance(value, dict):
        return ["Arguments must be a JSON object."]
    schema = tool.get("function", {}).get("parameters")
    if schema is None:
        return []
    if not isinstance(schema, dict) or schema_problems(schema):
        return [f"Not checked: the parameters schema of {name!r} is invalid (see the Tools tab)."]
    cls = _validator_class(schema)
    errors = sorted(cls(schema).iter_errors(value), key=lambda e: list(map(str, e.path)))
    return [f"{format_path(('arguments', *e.absolute_path))}: {e.message}." for e in errors]


def call_problems(call: ToolCall, entries: Sequence[ToolEntry]) -> list[str]:
    """:func:`argument_problems` of one :class:`ToolCall`."""
    return argument_problems(call.name, call.arguments, entries)


def pretty_arguments(arguments: str) -> str:
    """The arguments indented for reading (as they are, when they are not JSON)."""
    try:
        return json.dumps(json.loads(arguments), indent=2, ensure_ascii=False)
    except ValueError:
        return arguments


def result_for_call(name: str, arguments: str, entries: Sequence[ToolEntry]) -> str:
    """What a tool-result card starts with.

    ``$web_search`` is answered with its arguments unchanged (Moonshot runs the search itself);
    other tools start from their saved mock result, or empty for the user to fill in.
    """
    if name == WEB_SEARCH:
        return arguments
    entry = find_tool(entries, name)
    return entry.mock_result or "" if entry is not None else ""


def tool_result_messages(
    calls: Sequence[ToolCall | dict[str, Any]], entries: Sequence[ToolEntry]
) -> list[Message]:
    """One tool message per call, linked by ``tool_call_id`` and ``name``, pre-filled."""
    messages = []
    for call in calls:
        item = call.to_json() if isinstance(call, ToolCall) else copy.deepcopy(call)
        function = item.get("function") or {}
        name = str(function.get("name") or "")
        arguments = str(function.get("arguments") or "")
        messages.append(
            Message(
                role="tool",
                content=result_for_call(name, arguments, entries),
                name=name,
                tool_call_id=str(item.get("id") or ""),
            )
        )
    return messages
