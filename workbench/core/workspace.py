"""Workspace files (``*.prompt.json``): reading, validating, writing atomically.

The format is documented in ``docs/workspace-format.md``. Opening also accepts a bare JSON array of
messages and an OpenAI request body, so a request pasted from code becomes a workspace.
"""

from __future__ import annotations

import copy
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core import json_files
from workbench.core.conversation import ROLES, Conversation, Message, PartialRuleError, Problem
from workbench.core.events import Event

# Re-exported: atomic writes lived here first, and much of the app imports them from here.
from workbench.core.json_files import FileState as FileState
from workbench.core.json_files import file_state as file_state
from workbench.core.json_files import located
from workbench.core.json_files import remove_stray_temp_files as remove_stray_temp_files
from workbench.core.json_files import write_atomic as write_atomic
from workbench.core.providers import PRESETS
from workbench.core.texts import QT_TRANSLATE_NOOP

# workbench.core.variables is imported where it is used: opening a file and painting its cards
# needs none of it.

FORMAT = "prompt-workbench/1"
SUFFIX = ".prompt.json"
#: Keys of ``params`` the parameters panel edits; others are kept and sent as they are.
KNOWN_PARAMS = (
    "provider",
    "model",
    "temperature",
    "top_p",
    "max_tokens",
    "stop",
    "response_format",
)
TOOL_CHOICES = ("auto", "none", "required")
#: The largest max_tokens any API takes (a signed 32-bit integer); the field cannot show more.
MAX_TOKENS_LIMIT = 2**31 - 1
#: Workbench-only data kept inside a tool object; stripped before sending.
TOOL_META_KEY = "x-workbench"


class WorkspaceError(ValueError):
    """A workspace that cannot be read, with where the problem is.

    Attributes:
        line: 1-based line of a JSON syntax error, when there is one.
        column: 1-based column of a JSON syntax error.
        path: JSON-path-like location of a wrong value (``messages[2].role``).
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        path: str | None = None,
        file: str | None = None,
    ) -> None:
        self.reason = message
        self.line = line
        self.column = column
        self.path = path
        self.file = file
        super().__init__(located(message, file=file, line=line, column=column, path=path))

    def in_file(self, file: str) -> WorkspaceError:
        """The same error, naming the file it is in."""
        return WorkspaceError(
            self.reason, line=self.line, column=self.column, path=self.path, file=file
        )


@dataclass
class Params:
    """Request parameters. ``None`` means "not sent: the provider's default"."""

    provider: str = "moonshot"
    model: str = "kimi-k2.6"
    #: Unset by default: current Kimi models fix their sampling parameters.
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = 1024
    stop: list[str] = field(default_factory=list)
    response_format: str = "text"
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ``params`` object of the file (unset values left out)."""
        data: dict[str, Any] = {"provider": self.provider, "model": self.model}
        for name in ("temperature", "top_p", "max_tokens"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.stop:
            data["stop"] = list(self.stop)
        if self.response_format != "text":
            data["response_format"] = {"type": self.response_format}
        data.update(copy.deepcopy(self.extra))
        return data

    def value(self, name: str) -> Any:
        """A parameter's value: a field, or a key of ``extra`` (None when unset)."""
        if name in KNOWN_PARAMS:
            return getattr(self, name)
        return self.extra.get(name)

    def problems(self) -> list[tuple[str, str]]:
        """(parameter, reason) for every value the provider would refuse."""
        found: list[tuple[str, str]] = []
        if not self.model.strip():
            found.append(("model", QT_TRANSLATE_NOOP("SendProblems", "Choose a model.")))
        if self.temperature is not None and not 0 <= self.temperature <= 2:
            found.append(
                (
                    "temperature",
                    QT_TRANSLATE_NOOP("SendProblems", "Temperature must be between 0 and 2."),
                )
            )
        if self.top_p is not None and not 0 < self.top_p <= 1:
            found.append(
                ("top_p", QT_TRANSLATE_NOOP("SendProblems", "top_p must be above 0 and at most 1."))
            )
        if self.max_tokens is not None and self.max_tokens < 1:
            found.append(
                (
                    "max_tokens",
                    QT_TRANSLATE_NOOP(
                        "SendProblems", "max_tokens must be a positive number of tokens."
                    ),
                )
            )
        if self.max_tokens is not None and self.max_tokens > MAX_TOKENS_LIMIT:
            found.append(
                (
                    "max_tokens",
                    QT_TRANSLATE_NOOP("SendProblems", "max_tokens must be at most {limit}.").format(
                        limit=f"{MAX_TOKENS_LIMIT:,}"
                    ),
                )
            )
        if len(self.stop) > 4:
            found.append(("stop", QT_TRANSLATE_NOOP("SendProblems", "At most 4 stop sequences.")))
        if any(not s for s in self.stop):
            found.append(
                ("stop", QT_TRANSLATE_NOOP("SendProblems", "A stop sequence cannot be empty."))
            )
        if self.response_format not in ("text", "json_object"):
            found.append(
                (
                    "response_format",
                    QT_TRANSLATE_NOOP("SendProblems", "response_format is text or json_object."),
                )
            )
        return found


@dataclass
class Variant:
    """One column of a comparison: a label, where to send, and what to change."""

    label: str
    provider: str | None = None
    model: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    system: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The variant's object in the file."""
        data: dict[str, Any] = {"label": self.label}
        if self.provider:
            data["provider"] = self.provider
        if self.model:
            data["model"] = self.model
        if self.params:
            data["params"] = copy.deepcopy(self.params)
        if self.system is not None:
            data["system"] = self.system
        return data


def variant_variables(variant: Variant) -> list[str]:
    """The variables ``variant``'s own system message uses, in order of first use."""
    from workbench.core.variables import variables_in

    if variant.system is None or "{{" not in variant.system:
        return []
    return variables_in(variant.system)


@dataclass
class TestCase:
    """One test case: a description, values for the prompt's variables, its own assertions.

    ``asserts`` are assertion objects exactly as written (``workbench.core.assertions`` checks
    them), so that a mistake is shown where it is and nothing typed is lost. ``extra`` keeps keys
    this app does not use (promptfoo's ``options``, say).
    """

    __test__ = False  # not a pytest test class, despite the name

    description: str = ""
    vars: dict[str, Any] = field(default_factory=dict)
    asserts: list[Any] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def copy(self) -> TestCase:
        """A deep copy."""
        return copy.deepcopy(self)

    def to_json(self) -> dict[str, Any]:
        """The case's object in the file's ``tests`` array."""
        data: dict[str, Any] = {}
        if self.description:
            data["description"] = self.description
        data["vars"] = copy.deepcopy(self.vars)
        if self.asserts:
            data["assert"] = copy.deepcopy(self.asserts)
        for key, value in self.extra.items():
            data.setdefault(key, copy.deepcopy(value))
        return data


@dataclass(frozen=True)
class ListEdit:
    """What happens to one of the workspace's lists (test cases, tools, variants).

    Attributes:
        kind: ``insert``, ``remove``, ``move``, ``update`` or ``reset``.
        index: The item inserted, removed, moved or updated (0 for ``reset``).
        destination: Where a moved item goes (its index after the move).
        field: The field an ``update`` changed (``source`` of a tool, ``label`` of a variant,
            ``params.temperature``...), "" when the whole item was replaced.
    """

    __test__ = False  # not a test class, though imported as TestsEdit

    kind: str
    index: int = 0
    destination: int = 0
    field: str = ""


#: The edit of the test cases (``tests_changing``/``tests_changed``).
TestsEdit = ListEdit
#: The most variants (Compare columns) a workspace holds; fewer than 2 cannot be compared.
MAX_VARIANTS = 8
MIN_VARIANTS = 2
VARIANT_FIELDS = ("label", "provider", "model", "system")
TOOL_FIELDS = ("source", "enabled", "mock_result")


@dataclass
class ToolEntry:
    """A tool as the user typed it.

    ``source`` is the exact text of the tool's JSON, kept even when it is invalid so that nothing
    typed is lost; ``enabled`` says whether the next run sends it; ``mock_result`` pre-fills the
    tool-result card when the model calls it.
    """

    source: str
    enabled: bool = True
    mock_result: str | None = None

    @classmethod
    def from_object(cls, tool: dict[str, Any]) -> ToolEntry:
        """A tool entry for a parsed tool object (its ``x-workbench`` data taken out)."""
        tool = copy.deepcopy(tool)
        meta = tool.pop(TOOL_META_KEY, {})
        if not isinstance(meta, dict):
            meta = {}
        source = meta.get("source")
        if not isinstance(source, str):
            source = json.dumps(tool, indent=2, ensure_ascii=False)
        mock = meta.get("mock_result")
        return cls(
            source=source,
            enabled=meta.get("enabled", True) is not False,
            mock_result=mock if isinstance(mock, str) else None,
        )

    def parsed(self) -> dict[str, Any] | None:
        """The tool object, or None when ``source`` is not a JSON object."""
        try:
            value = json.loads(self.source)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def to_json(self) -> dict[str, Any]:
        """The tool's object in the file: the parsed tool, plus what only the workbench needs."""
        parsed = self.parsed()
        data: dict[str, Any] = dict(parsed) if parsed is not None else {}
        data.pop(TOOL_META_KEY, None)
        meta: dict[str, Any] = {}
        if parsed is None or json.dumps(parsed, indent=2, ensure_ascii=False) != self.source:
            meta["source"] = self.source
        if not self.enabled:
            meta["enabled"] = False
        if self.mock_result is not None:
            meta["mock_result"] = self.mock_result
        if meta:
            data[TOOL_META_KEY] = meta
        return data


class Workspace:
    """Everything one file holds: title, conversation, tools, parameters, variants, test cases.

    The workspace owns its changes: every edit goes through one of its methods (the conversation
    through :class:`~workbench.core.conversation.Conversation`'s), which checks the invariants
    (at most :data:`MAX_VARIANTS` variants with unique labels, known parameters...) and announces
    the change with the event of what changed. Undo commands are thin wrappers over these
    methods; views listen to the events of what they show. Lists follow one pattern: an
    ``insert_x``/``remove_x``/``move_x``/``set_x_field``/``set_xs`` family emitting
    ``xs_changed(ListEdit)``.

    Events:
        title_changed(): the title changed.
        params_changed(name): the parameter ``name`` changed.
        tools_changed(edit): the tools changed as ``edit`` says (an ``update`` names the field).
        tool_choice_changed(): ``tool_choice`` changed.
        variants_changed(edit): the variants changed as ``edit`` says.
        reset(): everything was replaced (a file opened into the window).
        tests_changing(edit): the test cases are about to change as ``edit`` says.
        tests_changed(edit): they changed (insert, remove, move, update or reset).
        asserts_changed(): the assertions every case shares changed.
        current_test_changed(): another case now fills the variables.
    """

    def __init__(
        self,
        *,
        title: str = "Untitled",
        messages: list[Message] | None = None,
        tools: list[ToolEntry] | None = None,
        tool_choice: str | dict[str, Any] = "auto",
        params: Params | None = None,
        variants: list[Variant] | None = None,
        tests: list[TestCase] | None = None,
        asserts: list[Any] | None = None,
    ) -> None:
        self.title = title
        self.conversation = Conversation(messages or [])
        self.tools: list[ToolEntry] = tools or []
        self.tool_choice: str | dict[str, Any] = tool_choice
        self.params = params or Params()
        self.variants: list[Variant] = variants or []
        self.tests: list[TestCase] = tests or []
        self.asserts: list[Any] = asserts or []
        #: The case whose values fill the variables of Send, the meter and Compare (not saved).
        self.current_test = 0
        #: What importing a request body changed or kept aside, as sentences (not saved).
        self.import_notes: list[str] = []
        #: For a copy made by :meth:`filled`: the values its cards were filled with (a variant's
        #: own system message, not one of its cards, is filled with them where it becomes a
        #: message: :func:`workbench.core.payloads.variant_conversation`). None otherwise.
        self.filled_values: dict[str, Any] | None = None
        self.title_changed: Event[[]] = Event()
        self.params_changed: Event[[str]] = Event()
        self.tools_changed: Event[[ListEdit]] = Event()
        self.tool_choice_changed: Event[[]] = Event()
        self.variants_changed: Event[[ListEdit]] = Event()
        self.reset: Event[[]] = Event()
        self.tests_changing: Event[[TestsEdit]] = Event()
        self.tests_changed: Event[[TestsEdit]] = Event()
        self.asserts_changed: Event[[]] = Event()
        self.current_test_changed: Event[[]] = Event()

    # Test cases ---------------------------------------------------------------------------------

    def _edit_tests(self, edit: TestsEdit, change: Any) -> None:
        self.tests_changing.emit(edit)
        change()
        if self.current_test >= max(1, len(self.tests)):
            self.current_test = max(0, len(self.tests) - 1)
        self.tests_changed.emit(edit)

    def insert_test(self, index: int, case: TestCase) -> None:
        """Puts ``case`` at ``index`` (clamped to the list)."""
        index = max(0, min(index, len(self.tests)))
        self._edit_tests(TestsEdit("insert", index), lambda: self.tests.insert(index, case))

    def remove_test(self, index: int) -> TestCase:
        """Takes the case at ``index`` out and returns it."""
        case = self.tests[index]
        self._edit_tests(TestsEdit("remove", index), lambda: self.tests.pop(index))
        return case

    def move_test(self, index: int, destination: int) -> None:
        """Moves the case at ``index`` so that it stands at ``destination``."""
        destination = max(0, min(destination, len(self.tests) - 1))
        if destination == index:
            return

        def move() -> None:
            self.tests.insert(destination, self.tests.pop(index))

        self._edit_tests(TestsEdit("move", index, destination), move)

    def update_test(self, index: int, case: TestCase) -> TestCase:
        """Replaces the case at ``index`` with ``case``; returns the old one."""
        old = self.tests[index]

        def update() -> None:
            self.tests[index] = case

        self._edit_tests(TestsEdit("update", index), update)
        return old

    def set_tests(self, cases: list[TestCase]) -> list[TestCase]:
        """Replaces every case (an import); returns the old ones."""
        old = self.tests

        def reset() -> None:
            self.tests = list(cases)

        self._edit_tests(TestsEdit("reset"), reset)
        return old

    def set_asserts(self, asserts: list[Any]) -> list[Any]:
        """Replaces the assertions every case shares; returns the old ones."""
        old, self.asserts = self.asserts, copy.deepcopy(asserts)
        self.asserts_changed.emit()
        return old

    def set_current_test(self, index: int) -> None:
        """Makes case ``index`` the one whose values fill the variables."""
        index = max(0, min(index, len(self.tests) - 1)) if self.tests else 0
        if index != self.current_test:
            self.current_test = index
            self.current_test_changed.emit()

    def variables(self) -> list[str]:
        """The variables the conversation uses, in order of first use, then those only the
        variants' own system messages use (a case needs a value for each)."""
        from workbench.core.variables import variable_cards

        names: dict[str, None] = {}
        for _index, used in variable_cards(self.conversation).items():
            names.update(dict.fromkeys(used))
        for variant in self.variants:
            names.update(dict.fromkeys(variant_variables(variant)))
        return list(names)

    def variable_values(self) -> dict[str, Any]:
        """The values of the current case (empty without cases)."""
        if not self.tests:
            return {}
        return self.tests[min(self.current_test, len(self.tests) - 1)].vars

    def sent_messages(self) -> list[Message]:
        """The messages as a send fills them: copies with the current case's values when the
        conversation uses variables, the messages themselves otherwise."""
        from workbench.core.variables import fill_message, variable_cards

        values = self.variable_values()
        messages = list(self.conversation)
        if not values or not len(variable_cards(self.conversation)):
            return messages
        return [fill_message(m, values) for m in messages]

    def filled(self, values: dict[str, Any] | None = None) -> Workspace:
        """A copy whose messages have their variables filled (by the current case by default).

        The copy has no test cases: it is what one request sends. Its parameters are its own;
        the tools and variants are shared (requests copy what they send).
        """
        from workbench.core.variables import fill_message

        values = self.variable_values() if values is None else values
        filled = Workspace(
            title=self.title,
            messages=[fill_message(m, values) for m in self.conversation],
            tools=list(self.tools),
            tool_choice=copy.deepcopy(self.tool_choice),
            params=copy.deepcopy(self.params),
            variants=list(self.variants),
        )
        filled.filled_values = values
        return filled

    def variable_problems(self, values: dict[str, Any] | None = None) -> list[Problem]:
        """A problem at each card that uses a variable without a value."""
        from workbench.core.variables import variable_cards

        values = self.variable_values() if values is None else values
        found = []
        for index, used in variable_cards(self.conversation).items():
            lacking = [n for n in used if n not in values]
            if lacking:
                names = ", ".join("{{" + n + "}}" for n in lacking)
                if self.filled_values is not None:  # a copy filled from one case
                    text = QT_TRANSLATE_NOOP(
                        "SendProblems", "No value for {names}: the test case has no value for it."
                    ).format(names=names)
                elif self.tests:
                    text = QT_TRANSLATE_NOOP(
                        "SendProblems",
                        "No value for {names}: test case {number} has no value for it.",
                    ).format(names=names, number=self.current_test + 1)
                else:
                    text = QT_TRANSLATE_NOOP(
                        "SendProblems",
                        "No value for {names}: add a test case in the Tests tab to give it a "
                        "value.",
                    ).format(names=names)
                found.append(Problem(index, text))
        return found

    # Parameters -------------------------------------------------------------------------------

    def set_param(self, name: str, value: Any) -> bool:
        """Sets one parameter; returns whether it changed.

        A name the panel does not edit (``thinking``, ``reasoning_effort``, ``prefill_mode``...)
        is a key of ``params.extra``; None removes it.
        """
        if name not in KNOWN_PARAMS:
            if not name or name in ("format", "messages", "tools"):
                raise ValueError(f"unknown parameter {name!r}")
            if self.params.extra.get(name) == value:
                return False
            if value is None:
                self.params.extra.pop(name, None)
            else:
                self.params.extra[name] = copy.deepcopy(value)
            self.params_changed.emit(name)
            return True
        if getattr(self.params, name) == value:
            return False
        setattr(self.params, name, value)
        self.params_changed.emit(name)
        return True

    def set_title(self, title: str) -> bool:
        """Renames the workspace; returns whether the title changed."""
        if title == self.title:
            return False
        self.title = title
        self.title_changed.emit()
        return True

    # Tools --------------------------------------------------------------------------------------

    def _tools_edit(self, edit: ListEdit) -> None:
        self.tools_changed.emit(edit)

    def tool_index(self, entry: ToolEntry) -> int:
        """The position of ``entry`` (by identity: two tools may hold the same text)."""
        for index, candidate in enumerate(self.tools):
            if candidate is entry:
                return index
        raise ValueError("tool not in the workspace")

    def insert_tools(self, index: int, entries: list[ToolEntry]) -> int:
        """Puts ``entries`` at ``index`` (clamped); returns where the first one went."""
        index = max(0, min(index, len(self.tools)))
        self.tools[index:index] = entries
        self._tools_edit(ListEdit("insert", index))
        return index

    def remove_tool(self, entry: ToolEntry) -> int:
        """Takes ``entry`` out; returns where it was."""
        index = self.tool_index(entry)
        del self.tools[index]
        self._tools_edit(ListEdit("remove", index))
        return index

    def move_tool(self, entry: ToolEntry, destination: int) -> None:
        """Moves ``entry`` so that it stands at ``destination`` (the order tools are sent in)."""
        index = self.tool_index(entry)
        destination = max(0, min(destination, len(self.tools) - 1))
        self.tools.insert(destination, self.tools.pop(index))
        self._tools_edit(ListEdit("move", index, destination))

    def set_tool_field(self, entry: ToolEntry, name: str, value: Any) -> bool:
        """Sets ``source``, ``enabled`` or ``mock_result`` of ``entry``; returns whether it
        changed."""
        if name not in TOOL_FIELDS:
            raise ValueError(f"not a tool field: {name}")
        index = self.tool_index(entry)
        if getattr(entry, name) == value:
            return False
        setattr(entry, name, value)
        self._tools_edit(ListEdit("update", index, field=name))
        return True

    def set_tools(self, entries: list[ToolEntry]) -> list[ToolEntry]:
        """Replaces every tool; returns the old ones."""
        old, self.tools = self.tools, list(entries)
        self._tools_edit(ListEdit("reset"))
        return old

    def set_tool_choice(self, value: str | dict[str, Any]) -> bool:
        """Sets ``tool_choice`` (auto, none, required or a named function); returns whether it
        changed."""
        if value == self.tool_choice:
            return False
        self.tool_choice = copy.deepcopy(value)
        self.tool_choice_changed.emit()
        return True

    # Variants -----------------------------------------------------------------------------------

    def _variants_edit(self, edit: ListEdit) -> None:
        self.variants_changed.emit(edit)

    def variant_index(self, variant: Variant) -> int:
        """The position of ``variant`` (by identity)."""
        for index, candidate in enumerate(self.variants):
            if candidate is variant:
                return index
        raise ValueError("variant not in the workspace")

    def variant_label_problem(self, label: str, variant: Variant | None = None) -> str | None:
        """Why ``variant`` (a new one when None) cannot be labelled ``label``, or None."""
        if not label.strip():
            return "A variant needs a label."
        if any(v.label == label and v is not variant for v in self.variants):
            return f"Another variant is labelled {label!r} already: labels name the columns."
        return None

    def _check_label(self, label: str, variant: Variant | None = None) -> None:
        problem = self.variant_label_problem(label, variant)
        if problem is not None:
            raise WorkspaceError(problem)

    def insert_variant(self, index: int, variant: Variant) -> int:
        """Puts ``variant`` at ``index`` (clamped); returns where it went.

        Raises:
            WorkspaceError: :data:`MAX_VARIANTS` variants already, or its label is taken.
        """
        if len(self.variants) >= MAX_VARIANTS:
            raise WorkspaceError(f"At most {MAX_VARIANTS} variants can be compared.")
        self._check_label(variant.label)
        index = max(0, min(index, len(self.variants)))
        self.variants.insert(index, variant)
        self._variants_edit(ListEdit("insert", index))
        return index

    def remove_variant(self, variant: Variant) -> int:
        """Takes ``variant`` out; returns where it was."""
        index = self.variant_index(variant)
        del self.variants[index]
        self._variants_edit(ListEdit("remove", index))
        return index

    def move_variant(self, variant: Variant, destination: int) -> None:
        """Moves ``variant`` so that it stands at ``destination`` (its column)."""
        index = self.variant_index(variant)
        destination = max(0, min(destination, len(self.variants) - 1))
        self.variants.insert(destination, self.variants.pop(index))
        self._variants_edit(ListEdit("move", index, destination))

    def set_variant_field(self, variant: Variant, name: str, value: Any) -> bool:
        """Sets ``label``, ``provider``, ``model``, ``system`` or a parameter override
        (``params.temperature``; None removes it) of ``variant``; returns whether it changed.

        Raises:
            WorkspaceError: an empty label or one another variant has.
        """
        if name not in VARIANT_FIELDS and not name.startswith("params."):
            raise ValueError(f"unknown variant field {name!r}")
        index = self.variant_index(variant)
        if name.startswith("params."):
            key = name.removeprefix("params.")
            unchanged = (
                key not in variant.params
                if value is None
                else key in variant.params and variant.params[key] == value
            )
            if unchanged:
                return False
            if value is None:
                variant.params.pop(key, None)
            else:
                variant.params[key] = copy.deepcopy(value)
        else:
            if getattr(variant, name) == value:
                return False
            if name == "label":
                self._check_label(value, variant)
            setattr(variant, name, value)
        self._variants_edit(ListEdit("update", index, field=name))
        return True

    def set_variants(self, variants: list[Variant], *, checked: bool = True) -> list[Variant]:
        """Replaces every variant (reopening a comparison); returns the old ones.

        ``checked=False`` puts back variants as they were (undo), even from a file that broke
        the invariants.

        Raises:
            WorkspaceError: more than :data:`MAX_VARIANTS`, or two with one label.
        """
        labels = [v.label for v in variants]
        if checked and len(variants) > MAX_VARIANTS:
            raise WorkspaceError(f"At most {MAX_VARIANTS} variants can be compared.")
        if checked and len(set(labels)) != len(labels):
            raise WorkspaceError("Two variants have the same label.")
        old, self.variants = self.variants, list(variants)
        self._variants_edit(ListEdit("reset"))
        return old

    # The whole ----------------------------------------------------------------------------------

    def replace_with(self, other: Workspace) -> None:
        """Takes over everything ``other`` holds (opening a file into this window).

        A file is taken as it is (more variants than Compare shows included): nothing in it is
        dropped. Emits ``reset`` once everything is in place.
        """
        self.title = other.title
        self.tools = other.tools
        self.tool_choice = other.tool_choice
        self.params = other.params
        self.variants = other.variants
        self.conversation.replace_all(other.conversation.messages)
        self.set_tests(other.tests)
        self.set_asserts(other.asserts)
        self.current_test = 0
        self.import_notes = list(other.import_notes)
        self.reset.emit()

    def problems(self) -> list[str]:
        """Everything that stops a send, as sentences: messages, parameters, their combination."""
        found = [str(p) for p in self.conversation.problems()]
        found += [str(p) for p in self.variable_problems()]
        found += [
            QT_TRANSLATE_NOOP("SendProblems", "Parameter {name}: {reason}").format(
                name=name, reason=reason
            )
            for name, reason in self.params.problems()
        ]
        last = self.conversation[-1] if len(self.conversation) else None
        if last is not None and last.partial and self.params.response_format == "json_object":
            found.append(
                QT_TRANSLATE_NOOP(
                    "SendProblems",
                    "Partial mode cannot be combined with response_format json_object: turn one "
                    "off (a partial '{' already asks for JSON).",
                )
            )
        return found

    def to_json(self) -> dict[str, Any]:
        """The file's JSON object."""
        data: dict[str, Any] = {
            "format": FORMAT,
            "title": self.title,
            "messages": [message_to_json(m, for_file=True) for m in self.conversation],
        }
        if self.tools:
            data["tools"] = [t.to_json() for t in self.tools]
        if self.tool_choice != "auto":
            data["tool_choice"] = copy.deepcopy(self.tool_choice)
        data["params"] = self.params.to_json()
        if self.variants:
            data["variants"] = [v.to_json() for v in self.variants]
        if self.tests:
            data["tests"] = [t.to_json() for t in self.tests]
        if self.asserts:
            data["assert"] = copy.deepcopy(self.asserts)
        return data

    def dumps(self) -> str:
        """The file's text: indented UTF-8 JSON ending in a newline."""
        return json_files.dumps(self.to_json(), indent=2) + "\n"


# Messages -----------------------------------------------------------------------------------


def message_to_json(message: Message, *, for_file: bool = False) -> dict[str, Any]:
    """A message as an OpenAI-style object (plus ``partial`` and ``name`` when set).

    With ``for_file`` it also carries what only the workspace file keeps (``prefill``, the
    answer's ``alternates``); requests and counts never see those.
    """
    data: dict[str, Any] = {"role": message.role}
    parts = message.extra.get("content_parts")
    data["content"] = (
        parts_with_text(parts, message.content) if isinstance(parts, list) else message.content
    )
    if message.extra.get(CONTENT_NULL) and not message.content and message.tool_calls:
        data["content"] = None
    if message.name:
        data["name"] = message.name
    if message.partial:
        data["partial"] = True
    if message.tool_calls:
        data["tool_calls"] = copy.deepcopy(message.tool_calls)
    if message.tool_call_id:
        data["tool_call_id"] = message.tool_call_id
    if for_file and message.prefill:
        data["prefill"] = message.prefill
    if for_file and message.alternates:
        # The file has no place for the shown answer's position: it reads back as the last.
        data["alternates"] = list(message.alternates)
    for key, value in message.extra.items():
        if key not in ("content_parts", CONTENT_NULL):
            data.setdefault(key, copy.deepcopy(value))
    return data


#: Marks (in ``Message.extra``) a tool-call message whose content was null, kept null.
CONTENT_NULL = "x-content-null"


def parts_text(parts: list[Any]) -> str:
    """The text of a list of content parts, as a card shows it (text parts joined by lines)."""
    texts = [p.get("text", "") for p in parts if isinstance(p, dict) and p.get("type") == "text"]
    return "\n".join(t for t in texts if isinstance(t, str))


def parts_with_text(parts: list[Any], text: str) -> list[Any]:
    """``parts`` carrying ``text``, the card's (possibly edited) text.

    Unchanged text keeps the parts as they were. Edited text replaces the text parts with one
    text part where the first one stood; images and other parts stay in place.
    """
    parts = copy.deepcopy(parts)
    if parts_text(parts) == text:
        return parts
    is_text = [isinstance(p, dict) and p.get("type") == "text" for p in parts]
    first = is_text.index(True) if True in is_text else len(parts)
    kept = [p for p, textual in zip(parts, is_text, strict=True) if not textual]
    new_part = [{"type": "text", "text": text}] if text or not kept else []
    before = sum(1 for textual in is_text[:first] if not textual)
    return [*kept[:before], *new_part, *kept[before:]]


def message_from_json(data: Any, where: str) -> Message:
    """A :class:`Message` from an OpenAI-style object; WorkspaceError naming ``where`` if wrong."""
    if not isinstance(data, dict):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "a message must be an object"), path=where
        )
    role = data.get("role")
    if role not in ROLES:
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "role must be one of {roles}, not {role}").format(
                roles=", ".join(ROLES), role=repr(role)
            ),
            path=f"{where}.role",
        )
    content = data.get("content")
    extra: dict[str, Any] = {}
    if content is None:
        text = ""
        if "content" in data and data.get("tool_calls"):
            extra[CONTENT_NULL] = True  # a tool-call message without text: null stays null
    elif isinstance(content, str):
        text = content
    elif isinstance(content, list):
        # Multimodal content parts: the text is edited, the parts are kept for sending.
        text = parts_text(content)
        extra["content_parts"] = content
    else:
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "content must be a string"), path=f"{where}.content"
        )
    name = data.get("name", "")
    if not isinstance(name, str):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "name must be a string"), path=f"{where}.name"
        )
    partial = data.get("partial", False)
    if not isinstance(partial, bool):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "partial must be true or false"),
            path=f"{where}.partial",
        )
    tool_calls = data.get("tool_calls") or []
    if not isinstance(tool_calls, list) or not all(isinstance(c, dict) for c in tool_calls):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "tool_calls must be a list of objects"),
            path=f"{where}.tool_calls",
        )
    tool_call_id = data.get("tool_call_id") or ""
    if not isinstance(tool_call_id, str):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "tool_call_id must be a string"),
            path=f"{where}.tool_call_id",
        )
    prefill = data.get("prefill", "")
    if not isinstance(prefill, str):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "prefill must be a string"), path=f"{where}.prefill"
        )
    alternates = data.get("alternates", [])
    if not isinstance(alternates, list) or not all(isinstance(a, str) for a in alternates):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "alternates must be a list of strings"),
            path=f"{where}.alternates",
        )
    if alternates and role != "assistant":
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "only an assistant message has alternates"),
            path=f"{where}.alternates",
        )
    known = {
        "role",
        "content",
        "name",
        "partial",
        "tool_calls",
        "tool_call_id",
        "prefill",
        "alternates",
    }
    extra.update({k: copy.deepcopy(v) for k, v in data.items() if k not in known})
    return Message(
        role=role,
        content=text,
        name=name,
        partial=partial,
        tool_calls=copy.deepcopy(tool_calls),
        tool_call_id=tool_call_id,
        extra=extra,
        prefill=prefill,
        alternates=list(alternates),
    )


# Reading ------------------------------------------------------------------------------------


def parse_json_text(text: str) -> Any:
    """JSON from text, with WorkspaceError giving line and column on a syntax error.

    Also refused, with a sentence: NaN and Infinity, numbers too large, nesting deeper than
    :data:`~workbench.core.json_files.MAX_DEPTH` (see :func:`workbench.core.json_files.loads`).
    """
    try:
        return json_files.loads(text)
    except json_files.JsonInputError as error:
        raise WorkspaceError(
            error.reason, line=error.line, column=error.column, path=error.path
        ) from None


def workspace_from_json(data: Any) -> Workspace:
    """A workspace from parsed JSON: the workspace format, a messages array or a request body."""
    if isinstance(data, list):
        notes: list[str] = []
        messages = _messages(_imported_messages(data, {}, notes), "messages")
        workspace = Workspace(title="Imported messages", messages=messages)
        workspace.import_notes = notes
        return workspace
    if not isinstance(data, dict):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP(
                "FileErrors", "expected a workspace object, a request body or an array of messages"
            )
        )
    if "format" in data:
        if data["format"] != FORMAT:
            raise WorkspaceError(
                QT_TRANSLATE_NOOP(
                    "FileErrors", "unknown format {found}: this version reads {known}"
                ).format(found=repr(data["format"]), known=repr(FORMAT)),
                path="format",
            )
        return _workspace_object(data)
    if "messages" in data:
        return _request_body(data)
    raise WorkspaceError(
        QT_TRANSLATE_NOOP(
            "FileErrors",
            'not a workspace: no "format" or "messages" key (expected a *.prompt.json file, '
            "an OpenAI request body or an array of messages)",
        )
    )


def workspace_from_text(text: str) -> Workspace:
    """A workspace from the text of a file or the clipboard."""
    return workspace_from_json(parse_json_text(text))


def read_workspace_text(path: str | os.PathLike[str]) -> str:
    """The text of a workspace file; WorkspaceError (naming the file) when it cannot be read.

    Only regular files are read (a FIFO would block, a device never end), up to
    :data:`~workbench.core.json_files.MAX_FILE_BYTES`, and they must be UTF-8.
    """
    path = Path(path)
    try:
        return json_files.decode_text(json_files.read_file_bytes(path))
    except OSError as error:
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "cannot read it ({reason})").format(
                reason=error.strerror or str(error)
            ),
            file=str(path),
        ) from None
    except json_files.JsonInputError as error:
        raise WorkspaceError(error.reason, file=path.name) from None


def _messages(data: Any, where: str) -> list[Message]:
    if not isinstance(data, list):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "must be an array of messages"), path=where
        )
    messages = [message_from_json(item, f"{where}[{i}]") for i, item in enumerate(data)]
    try:
        Conversation._check_partial_invariant(messages)
    except PartialRuleError as error:
        raise WorkspaceError(error.args[0], path=where) from None
    return messages


def _tools(data: Any, where: str) -> list[ToolEntry]:
    if data is None:
        return []
    if not isinstance(data, list):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "must be an array of tool objects"), path=where
        )
    entries = []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise WorkspaceError(
                QT_TRANSLATE_NOOP("FileErrors", "a tool must be an object"), path=f"{where}[{i}]"
            )
        entries.append(ToolEntry.from_object(item))
    return entries


def tool_choice_from_json(data: Any, where: str = "tool_choice") -> str | dict[str, Any]:
    """The ``tool_choice`` value ``data`` (``auto`` when absent); WorkspaceError at ``where``."""
    if data is None:
        return "auto"
    if isinstance(data, str) and data in TOOL_CHOICES:
        return data
    function = data.get("function") if isinstance(data, dict) else None
    if isinstance(function, dict) and isinstance(function.get("name"), str):
        return copy.deepcopy(dict(data))
    raise WorkspaceError(
        QT_TRANSLATE_NOOP("FileErrors", "must be auto, none, required or {function}").format(
            function='{"type": "function", "function": {"name": ...}}'
        ),
        path=where,
    )


def _number(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "must be a number")
            if kind is float
            else QT_TRANSLATE_NOOP("FileErrors", "must be a whole number"),
            path=f"{where}.{key}",
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "must be a finite number"), path=f"{where}.{key}"
        )
    if kind is int and not -MAX_TOKENS_LIMIT <= value <= MAX_TOKENS_LIMIT:
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "must be at most {limit}").format(
                limit=f"{MAX_TOKENS_LIMIT:,}"
            ),
            path=f"{where}.{key}",
        )
    try:
        return kind(value)
    except OverflowError:  # an integer too large for a float
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "is too large"), path=f"{where}.{key}"
        ) from None


def params_from_json(data: Any, where: str = "params") -> Params:
    """Parameters from a ``params`` object (or a request body's top level)."""
    if data is None:
        return Params()
    if not isinstance(data, dict):
        raise WorkspaceError(QT_TRANSLATE_NOOP("FileErrors", "must be an object"), path=where)
    params = Params()
    for key in ("provider", "model"):
        if key in data:
            if not isinstance(data[key], str):
                raise WorkspaceError(
                    QT_TRANSLATE_NOOP("FileErrors", "must be a string"), path=f"{where}.{key}"
                )
            setattr(params, key, data[key])
    params.temperature = _number(data, "temperature", float, where)
    params.top_p = _number(data, "top_p", float, where)
    params.max_tokens = _number(data, "max_tokens", int, where)
    stop = data.get("stop")
    if isinstance(stop, str):
        stop = [stop]
    if stop is not None and not (isinstance(stop, list) and all(isinstance(s, str) for s in stop)):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "must be a string or a list of strings"),
            path=f"{where}.stop",
        )
    params.stop = list(stop or [])
    response_format = data.get("response_format")
    kept_format = None
    if response_format is not None:
        kind = response_format.get("type") if isinstance(response_format, dict) else response_format
        if kind in ("text", "json_object"):
            params.response_format = kind
        elif isinstance(response_format, dict) and isinstance(kind, str) and kind:
            kept_format = response_format  # json_schema and others: sent as they are
        else:
            raise WorkspaceError(
                QT_TRANSLATE_NOOP(
                    "FileErrors",
                    'must be an object with a "type" (text, json_object, json_schema...)',
                ),
                path=f"{where}.response_format",
            )
    known = {*KNOWN_PARAMS, "messages", "tools", "tool_choice", "stream", "stream_options"}
    if params.max_tokens is None and "max_completion_tokens" in data:
        # The newer name of the same limit: shown and counted as max_tokens.
        params.max_tokens = _number(data, "max_completion_tokens", int, where)
        known.add("max_completion_tokens")
    params.extra = {k: copy.deepcopy(v) for k, v in data.items() if k not in known}
    if kept_format is not None:
        params.extra["response_format"] = copy.deepcopy(kept_format)
    return params


def _variants(data: Any, where: str) -> list[Variant]:
    if data is None:
        return []
    if not isinstance(data, list):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "must be an array of variants"), path=where
        )
    variants = []
    for i, item in enumerate(data):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise WorkspaceError(
                QT_TRANSLATE_NOOP("FileErrors", "a variant must be an object"), path=at
            )
        label = item.get("label")
        if not isinstance(label, str) or not label.strip():
            raise WorkspaceError(
                QT_TRANSLATE_NOOP("FileErrors", "needs a label"), path=f"{at}.label"
            )
        for key in ("provider", "model", "system"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise WorkspaceError(
                    QT_TRANSLATE_NOOP("FileErrors", "must be a string"), path=f"{at}.{key}"
                )
        params = item.get("params", {})
        if not isinstance(params, dict):
            raise WorkspaceError(
                QT_TRANSLATE_NOOP("FileErrors", "must be an object"), path=f"{at}.params"
            )
        variants.append(
            Variant(
                label=label,
                provider=item.get("provider"),
                model=item.get("model"),
                params=copy.deepcopy(params),
                system=item.get("system"),
            )
        )
    return variants


def tests_from_json(data: Any, where: str = "tests") -> list[TestCase]:
    """Test cases from a ``tests`` array; the assertions are kept as written (checked later)."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "must be an array of test cases"), path=where
        )
    cases = []
    for i, item in enumerate(data):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise WorkspaceError(
                QT_TRANSLATE_NOOP("FileErrors", "a test case must be an object"), path=at
            )
        description = item.get("description", "")
        if not isinstance(description, str):
            raise WorkspaceError(
                QT_TRANSLATE_NOOP("FileErrors", "must be a string"), path=f"{at}.description"
            )
        values = item.get("vars", {})
        if values is None:
            values = {}
        if not isinstance(values, dict):
            raise WorkspaceError(
                QT_TRANSLATE_NOOP("FileErrors", "must be an object of variable values"),
                path=f"{at}.vars",
            )
        cases.append(
            TestCase(
                description=description,
                vars=copy.deepcopy(values),
                asserts=asserts_from_json(item.get("assert"), f"{at}.assert"),
                extra={
                    k: copy.deepcopy(v)
                    for k, v in item.items()
                    if k not in ("description", "vars", "assert")
                },
            )
        )
    return cases


def asserts_from_json(data: Any, where: str = "assert") -> list[Any]:
    """An ``assert`` array as written (each assertion is checked by the assertions module)."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "must be an array of assertions"), path=where
        )
    return copy.deepcopy(data)


def _workspace_object(data: dict[str, Any]) -> Workspace:
    title = data.get("title", "Untitled")
    if not isinstance(title, str):
        raise WorkspaceError(QT_TRANSLATE_NOOP("FileErrors", "must be a string"), path="title")
    return Workspace(
        title=title,
        messages=_messages(data.get("messages", []), "messages"),
        tools=_tools(data.get("tools"), "tools"),
        tool_choice=tool_choice_from_json(data.get("tool_choice")),
        params=params_from_json(data.get("params"), "params"),
        variants=_variants(data.get("variants"), "variants"),
        tests=tests_from_json(data.get("tests"), "tests"),
        asserts=asserts_from_json(data.get("assert"), "assert"),
    )


def _request_body(data: dict[str, Any]) -> Workspace:
    """A workspace from a request body (OpenAI's, or another server's dialect of it)."""
    notes: list[str] = []
    data = dict(data)
    routing = data.pop("provider", None)
    if routing is not None and not isinstance(routing, str):
        # OpenRouter's routing preferences: sent as they are, under the body's own "provider".
        notes.append("OpenRouter's provider preferences are kept and sent as they are.")
    messages = _imported_messages(data.get("messages"), data, notes)
    params = params_from_json(data, "request")
    if "model" not in data:
        params.model = Params().model
    if isinstance(routing, str):
        params.provider = routing
    else:
        params.provider = provider_for_model(params.model)
        if routing is not None:
            params.extra.setdefault(EXTRA_BODY_KEY, {})["provider"] = copy.deepcopy(routing)
    for key in PREFILL_FLAGS:
        params.extra.pop(key, None)
    kept = sorted(k for k in params.extra if k != EXTRA_BODY_KEY)
    if kept:
        notes.append(f"Extra parameters kept and sent as they are: {', '.join(kept)}.")
    workspace = Workspace(
        title=f"Imported request ({params.model})",
        messages=_messages(messages, "messages"),
        tools=_tools(data.get("tools"), "tools"),
        tool_choice=tool_choice_from_json(data.get("tool_choice")),
        params=params,
    )
    workspace.import_notes = notes
    return workspace


#: Keys that ask a server to continue the last message (vLLM's): the partial flag on import.
PREFILL_FLAGS = ("continue_final_message", "add_generation_prompt")
#: A params key whose object is merged into the body as it is: keys that would clash with the
#: workspace's own (OpenRouter's ``provider`` object).
EXTRA_BODY_KEY = "extra_body"


def _imported_messages(messages: Any, body: dict[str, Any], notes: list[str]) -> Any:
    """The messages of a pasted request, in the workspace's terms.

    ``developer`` (OpenAI's newer name for system) becomes ``system``; another server's prefill
    marker (DeepSeek's ``prefix`` on the last message, vLLM's ``continue_final_message``) becomes
    the partial flag. Anything else is left for :func:`_messages` to check.
    """
    if not isinstance(messages, list):
        return messages
    messages = [dict(m) if isinstance(m, dict) else m for m in messages]
    developers = 0
    for message in messages:
        if isinstance(message, dict) and message.get("role") == "developer":
            message["role"] = "system"
            developers += 1
    if developers:
        notes.append(
            f"{developers} developer message{'s' if developers > 1 else ''} became system "
            "message" + ("s" if developers > 1 else "") + " (the same role under its older name)."
        )
    last = messages[-1] if messages else None
    if isinstance(last, dict) and last.get("role") == "assistant":
        marker = ""
        if last.get("prefix") is True:
            del last["prefix"]
            marker = "DeepSeek's prefix"
        elif body.get("continue_final_message") is True:
            marker = "vLLM's continue_final_message"
        if marker and not last.get("partial"):
            last["partial"] = True
            notes.append(f"{marker} became the partial flag on the last message.")
    return messages


def provider_for_model(model: str) -> str:
    """The built-in provider of ``model``'s kind in the catalog (``gpt-4o`` -> openai).

    An unknown model gets the default provider, as a new workspace does.
    """
    from workbench.core.catalog import load_catalog  # on use: the window paints without it

    info = load_catalog().get(model)
    if info is not None:
        match = next((p for p in PRESETS if p.kind == info.provider), None)
        if match is not None:
            return match.id
    return Params().provider


# Writing ------------------------------------------------------------------------------------


def save_workspace(workspace: Workspace, path: str | os.PathLike[str]) -> None:
    """Writes ``workspace`` to ``path`` atomically."""
    write_atomic(path, workspace.dumps())
