"""Workspace files (``*.prompt.json``): reading, validating, writing atomically.

The format is documented in ``docs/workspace-format.md``. Opening also accepts a bare JSON array of
messages and an OpenAI request body, so a request pasted from code becomes a workspace.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core import json_files
from workbench.core.conversation import ROLES, Conversation, Message, PartialRuleError
from workbench.core.events import Event

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
        where = [file] if file else []
        if line is not None:
            where.append(f"line {line}, column {column}")
        elif path:
            where.append(path)
        super().__init__(f"{', '.join(where)}: {message}" if where else message)

    def in_file(self, file: str) -> WorkspaceError:
        """The same error, naming the file it is in."""
        return WorkspaceError(
            self.reason, line=self.line, column=self.column, path=self.path, file=file
        )


@dataclass
class Params:
    """Request parameters. ``None`` means "not sent: the provider's default"."""

    provider: str = "moonshot"
    model: str = "kimi-k2-0905-preview"
    temperature: float | None = 0.6
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

    def problems(self) -> list[tuple[str, str]]:
        """(parameter, reason) for every value the provider would refuse."""
        found = []
        if not self.model.strip():
            found.append(("model", "Choose a model."))
        if self.temperature is not None and not 0 <= self.temperature <= 2:
            found.append(("temperature", "Temperature must be between 0 and 2."))
        if self.top_p is not None and not 0 < self.top_p <= 1:
            found.append(("top_p", "top_p must be above 0 and at most 1."))
        if self.max_tokens is not None and self.max_tokens < 1:
            found.append(("max_tokens", "max_tokens must be a positive number of tokens."))
        if len(self.stop) > 4:
            found.append(("stop", "At most 4 stop sequences."))
        if any(not s for s in self.stop):
            found.append(("stop", "A stop sequence cannot be empty."))
        if self.response_format not in ("text", "json_object"):
            found.append(("response_format", "response_format is text or json_object."))
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
    """Everything one file holds: title, conversation, tools, parameters, variants.

    Events:
        changed(): anything but the conversation changed (the conversation has its own events).
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
    ) -> None:
        self.title = title
        self.conversation = Conversation(messages or [])
        self.tools: list[ToolEntry] = tools or []
        self.tool_choice: str | dict[str, Any] = tool_choice
        self.params = params or Params()
        self.variants: list[Variant] = variants or []
        self.changed: Event[[]] = Event()

    def set_param(self, name: str, value: Any) -> bool:
        """Sets one parameter; returns whether it changed."""
        if name not in KNOWN_PARAMS:
            raise ValueError(f"unknown parameter {name!r}")
        if getattr(self.params, name) == value:
            return False
        setattr(self.params, name, value)
        self.changed.emit()
        return True

    def replace_with(self, other: Workspace) -> None:
        """Takes over everything ``other`` holds (opening a file into this window)."""
        self.title = other.title
        self.tools = other.tools
        self.tool_choice = other.tool_choice
        self.params = other.params
        self.variants = other.variants
        self.conversation.replace_all(other.conversation.messages)
        self.changed.emit()

    def problems(self) -> list[str]:
        """Everything that stops a send, as sentences: messages, parameters, their combination."""
        found = [str(p) for p in self.conversation.problems()]
        found += [f"Parameter {name}: {reason}" for name, reason in self.params.problems()]
        last = self.conversation[-1] if len(self.conversation) else None
        if last is not None and last.partial and self.params.response_format == "json_object":
            found.append(
                "Partial mode cannot be combined with response_format json_object: turn one off "
                "(a partial '{' already asks for JSON)."
            )
        return found

    def to_json(self) -> dict[str, Any]:
        """The file's JSON object."""
        data: dict[str, Any] = {
            "format": FORMAT,
            "title": self.title,
            "messages": [message_to_json(m) for m in self.conversation],
        }
        if self.tools:
            data["tools"] = [t.to_json() for t in self.tools]
        if self.tool_choice != "auto":
            data["tool_choice"] = copy.deepcopy(self.tool_choice)
        data["params"] = self.params.to_json()
        if self.variants:
            data["variants"] = [v.to_json() for v in self.variants]
        return data

    def dumps(self) -> str:
        """The file's text: indented UTF-8 JSON ending in a newline."""
        return json_files.dumps(self.to_json(), indent=2) + "\n"


# Messages -----------------------------------------------------------------------------------


def message_to_json(message: Message) -> dict[str, Any]:
    """A message as an OpenAI-style object (plus ``partial`` and ``name`` when set)."""
    data: dict[str, Any] = {"role": message.role}
    parts = message.extra.get("content_parts")
    data["content"] = copy.deepcopy(parts) if parts is not None else message.content
    if message.name:
        data["name"] = message.name
    if message.partial:
        data["partial"] = True
    if message.tool_calls:
        data["tool_calls"] = copy.deepcopy(message.tool_calls)
    if message.tool_call_id:
        data["tool_call_id"] = message.tool_call_id
    for key, value in message.extra.items():
        if key != "content_parts":
            data.setdefault(key, copy.deepcopy(value))
    return data


def message_from_json(data: Any, where: str) -> Message:
    """A :class:`Message` from an OpenAI-style object; WorkspaceError naming ``where`` if wrong."""
    if not isinstance(data, dict):
        raise WorkspaceError("a message must be an object", path=where)
    role = data.get("role")
    if role not in ROLES:
        raise WorkspaceError(
            f"role must be one of {', '.join(ROLES)}, not {role!r}", path=f"{where}.role"
        )
    content = data.get("content")
    extra: dict[str, Any] = {}
    if content is None:
        text = ""
    elif isinstance(content, str):
        text = content
    elif isinstance(content, list):
        # Multimodal content parts: the text is edited, the parts are kept for sending.
        texts = [
            p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"
        ]
        text = "\n".join(t for t in texts if isinstance(t, str))
        extra["content_parts"] = content
    else:
        raise WorkspaceError("content must be a string", path=f"{where}.content")
    name = data.get("name", "")
    if not isinstance(name, str):
        raise WorkspaceError("name must be a string", path=f"{where}.name")
    partial = data.get("partial", False)
    if not isinstance(partial, bool):
        raise WorkspaceError("partial must be true or false", path=f"{where}.partial")
    tool_calls = data.get("tool_calls") or []
    if not isinstance(tool_calls, list) or not all(isinstance(c, dict) for c in tool_calls):
        raise WorkspaceError("tool_calls must be a list of objects", path=f"{where}.tool_calls")
    tool_call_id = data.get("tool_call_id") or ""
    if not isinstance(tool_call_id, str):
        raise WorkspaceError("tool_call_id must be a string", path=f"{where}.tool_call_id")
    known = {"role", "content", "name", "partial", "tool_calls", "tool_call_id"}
    extra.update({k: copy.deepcopy(v) for k, v in data.items() if k not in known})
    return Message(
        role=role,
        content=text,
        name=name,
        partial=partial,
        tool_calls=copy.deepcopy(tool_calls),
        tool_call_id=tool_call_id,
        extra=extra,
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
        raise WorkspaceError(error.reason, line=error.line, column=error.column) from None


def workspace_from_json(data: Any) -> Workspace:
    """A workspace from parsed JSON: the workspace format, a messages array or a request body."""
    if isinstance(data, list):
        return Workspace(title="Imported messages", messages=_messages(data, "messages"))
    if not isinstance(data, dict):
        raise WorkspaceError("expected a workspace object, a request body or an array of messages")
    if "format" in data:
        if data["format"] != FORMAT:
            raise WorkspaceError(
                f"unknown format {data['format']!r}: this version reads {FORMAT!r}",
                path="format",
            )
        return _workspace_object(data)
    if "messages" in data:
        return _request_body(data)
    raise WorkspaceError(
        'not a workspace: no "format" or "messages" key (expected a *.prompt.json file, '
        "an OpenAI request body or an array of messages)"
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
            f"cannot read it ({error.strerror or error})", file=str(path)
        ) from None
    except json_files.JsonInputError as error:
        raise WorkspaceError(error.reason, file=path.name) from None


def load_workspace(path: str | os.PathLike[str]) -> Workspace:
    """Reads a workspace file; WorkspaceError (naming the file) when it cannot be used."""
    text = read_workspace_text(path)
    try:
        return workspace_from_text(text)
    except WorkspaceError as error:
        raise error.in_file(Path(path).name) from None


def _messages(data: Any, where: str) -> list[Message]:
    if not isinstance(data, list):
        raise WorkspaceError("must be an array of messages", path=where)
    messages = [message_from_json(item, f"{where}[{i}]") for i, item in enumerate(data)]
    try:
        Conversation._check_partial_invariant(messages)
    except PartialRuleError as error:
        raise WorkspaceError(str(error), path=where) from None
    return messages


def _tools(data: Any, where: str) -> list[ToolEntry]:
    if data is None:
        return []
    if not isinstance(data, list):
        raise WorkspaceError("must be an array of tool objects", path=where)
    entries = []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise WorkspaceError("a tool must be an object", path=f"{where}[{i}]")
        entries.append(ToolEntry.from_object(item))
    return entries


def _tool_choice(data: Any, where: str) -> str | dict[str, Any]:
    if data is None:
        return "auto"
    if isinstance(data, str) and data in TOOL_CHOICES:
        return data
    function = data.get("function") if isinstance(data, dict) else None
    if isinstance(function, dict) and isinstance(function.get("name"), str):
        return copy.deepcopy(data)
    raise WorkspaceError(
        'must be auto, none, required or {"type": "function", "function": {"name": ...}}',
        path=where,
    )


def _number(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
        raise WorkspaceError(
            f"must be a {'number' if kind is float else 'whole number'}", path=f"{where}.{key}"
        )
    return kind(value)


def params_from_json(data: Any, where: str = "params") -> Params:
    """Parameters from a ``params`` object (or a request body's top level)."""
    if data is None:
        return Params()
    if not isinstance(data, dict):
        raise WorkspaceError("must be an object", path=where)
    params = Params()
    for key in ("provider", "model"):
        if key in data:
            if not isinstance(data[key], str):
                raise WorkspaceError("must be a string", path=f"{where}.{key}")
            setattr(params, key, data[key])
    params.temperature = _number(data, "temperature", float, where)
    params.top_p = _number(data, "top_p", float, where)
    params.max_tokens = _number(data, "max_tokens", int, where)
    stop = data.get("stop")
    if isinstance(stop, str):
        stop = [stop]
    if stop is not None and not (isinstance(stop, list) and all(isinstance(s, str) for s in stop)):
        raise WorkspaceError("must be a string or a list of strings", path=f"{where}.stop")
    params.stop = list(stop or [])
    response_format = data.get("response_format")
    if response_format is not None:
        kind = response_format.get("type") if isinstance(response_format, dict) else response_format
        if kind not in ("text", "json_object"):
            raise WorkspaceError(
                'must be {"type": "text"} or {"type": "json_object"}',
                path=f"{where}.response_format",
            )
        params.response_format = kind
    known = {*KNOWN_PARAMS, "messages", "tools", "tool_choice", "stream", "stream_options"}
    params.extra = {k: copy.deepcopy(v) for k, v in data.items() if k not in known}
    return params


def _variants(data: Any, where: str) -> list[Variant]:
    if data is None:
        return []
    if not isinstance(data, list):
        raise WorkspaceError("must be an array of variants", path=where)
    variants = []
    for i, item in enumerate(data):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise WorkspaceError("a variant must be an object", path=at)
        label = item.get("label")
        if not isinstance(label, str) or not label.strip():
            raise WorkspaceError("needs a label", path=f"{at}.label")
        for key in ("provider", "model", "system"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise WorkspaceError("must be a string", path=f"{at}.{key}")
        params = item.get("params", {})
        if not isinstance(params, dict):
            raise WorkspaceError("must be an object", path=f"{at}.params")
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


def _workspace_object(data: dict[str, Any]) -> Workspace:
    title = data.get("title", "Untitled")
    if not isinstance(title, str):
        raise WorkspaceError("must be a string", path="title")
    return Workspace(
        title=title,
        messages=_messages(data.get("messages", []), "messages"),
        tools=_tools(data.get("tools"), "tools"),
        tool_choice=_tool_choice(data.get("tool_choice"), "tool_choice"),
        params=params_from_json(data.get("params"), "params"),
        variants=_variants(data.get("variants"), "variants"),
    )


def _request_body(data: dict[str, Any]) -> Workspace:
    params = params_from_json(data, "request")
    if "model" not in data:
        params.model = Params().model
    return Workspace(
        title=f"Imported request ({params.model})",
        messages=_messages(data["messages"], "messages"),
        tools=_tools(data.get("tools"), "tools"),
        tool_choice=_tool_choice(data.get("tool_choice"), "tool_choice"),
        params=params,
    )


# Writing ------------------------------------------------------------------------------------


def write_atomic(path: str | os.PathLike[str], text: str, *, private: bool = False) -> None:
    """Writes ``text`` to ``path`` through a temporary file and a rename.

    A crash or a full disk leaves either the old file or the new one, never half of one. An
    existing file keeps its permissions; a new one gets the usual ones (0666 less the umask), or
    owner-only with ``private`` (settings, autosaves).
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        elif not private:
            os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_umask() -> int:
    mask = os.umask(0)  # the only portable way to read it is to set it and put it back
    os.umask(mask)
    return mask


#: Read once, at import (on the main thread): setting it later would race with other threads.
_UMASK = _read_umask()


def save_workspace(workspace: Workspace, path: str | os.PathLike[str]) -> None:
    """Writes ``workspace`` to ``path`` atomically."""
    write_atomic(path, workspace.dumps())
