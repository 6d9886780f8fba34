"""promptfoo interop: a workspace as a ``promptfooconfig.yaml``, and such a file as a workspace.

The subset both sides share: chat prompts (a JSON or YAML array of messages, or plain text as
one user message) with ``{{variables}}``, OpenAI-compatible providers (``openai:chat:MODEL`` with
``apiBaseUrl``, ``apiKeyEnvar`` and the request parameters), ``tests`` with ``vars`` and
``assert``, ``defaultTest.assert``, and ``options.rubricPrompt`` (a test's or defaultTest's: it
becomes the ``rubricPrompt`` of the ``llm-rubric`` assertions it applies to, unless they have their
own). Whatever else a file holds is refused with its place
(``providers[1]: anthropic:messages:... is not an OpenAI-compatible provider``), never dropped
silently. No part of the file is ever run: promptfoo's ``javascript``/``python`` assertions,
``transform`` and ``file://`` scripts are refused.

PyYAML is imported only here, when a YAML file is read or written.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workbench.core.assertions import BASE_TYPES, rubric_prompt, split_type
from workbench.core.conversation import Message
from workbench.core.payloads import find_variant
from workbench.core.providers import ProviderRegistry, normalize_base_url
from workbench.core.sessions import RunSetupError, prepare_run
from workbench.core.texts import QT_TRANSLATE_NOOP
from workbench.core.workspace import (
    TestCase,
    ToolEntry,
    Variant,
    Workspace,
    WorkspaceError,
    message_from_json,
    params_from_json,
    tool_choice_from_json,
)

YAML_SUFFIXES = (".yaml", ".yml")
_FILE_VALUES = QT_TRANSLATE_NOOP("Promptfoo", "file:// values are not read")
_FILTER = re.compile(r"\{\{[^{}]*\|[^{}]*\}\}")
#: Provider config keys that are request parameters, sent as they are.
PARAM_KEYS = (
    "temperature",
    "max_tokens",
    "top_p",
    "stop",
    "response_format",
    "seed",
    "presence_penalty",
    "frequency_penalty",
)
#: Top-level keys that do not change what is evaluated (kept out without a word).
HARMLESS_KEYS = (
    "description",
    "$schema",
    "outputPath",
    "sharing",
    "writeLatestResults",
    "evaluateOptions",
    "tags",
)


def is_promptfoo_path(path: str | Path) -> bool:
    """Whether ``path`` names a YAML file (read as a promptfoo config)."""
    return str(path).lower().endswith(YAML_SUFFIXES)


# Export ---------------------------------------------------------------------------------------


def to_promptfoo(
    workspace: Workspace, registry: ProviderRegistry, labels: list[str] | None = None
) -> dict[str, Any]:
    """The promptfoo config that runs ``workspace``'s variants (the workspace itself without
    any) over its test cases.

    Raises:
        WorkspaceError: a variant or provider that promptfoo cannot be given (an unknown one, a
            provider that is not OpenAI-compatible, a request the app would refuse).
    """
    names = workspace.variables()
    # Each variable "filled" with itself: the request keeps {{name}} for promptfoo to fill.
    template = Workspace(
        title=workspace.title,
        messages=[m.copy() for m in workspace.conversation],
        tools=copy.deepcopy(workspace.tools),
        tool_choice=copy.deepcopy(workspace.tool_choice),
        params=copy.deepcopy(workspace.params),
        variants=copy.deepcopy(workspace.variants),
        tests=[TestCase(vars={n: "{{" + n + "}}" for n in names})],
    )
    chosen: list[Variant | None] = []
    for label in labels or []:
        variant = find_variant(template, label)
        if variant is None:
            raise WorkspaceError(f"unknown variant {label!r}", path="variants")
        chosen.append(variant)
    if not chosen:
        chosen = list(template.variants) or [None]
    prompts: list[dict[str, Any]] = []
    providers: list[dict[str, Any]] = []
    prefixes: set[str] = set()
    for variant in chosen:
        where = f"variant {variant.label!r}" if variant is not None else "the workspace"
        try:
            prepared = prepare_run(template, registry, variant)
        except RunSetupError as error:
            raise WorkspaceError(f"{where}: {error}") from None
        request = prepared.request
        if request.kind == "anthropic":
            raise WorkspaceError(
                f"{where}: {request.provider_label} speaks the Anthropic Messages API; promptfoo "
                "export covers OpenAI-compatible providers only"
            )
        body = request.wire_body()
        messages = body.pop("messages")
        label = variant.label if variant is not None else request.model
        raw = json.dumps(messages, ensure_ascii=False, indent=2)
        prompt = next((p for p in prompts if p["raw"] == raw), None)
        if prompt is None:
            prompt = {"label": f"prompt {len(prompts) + 1}", "raw": raw}
            prompts.append(prompt)
        for key in ("model", "stream", "stream_options"):
            body.pop(key, None)
        config: dict[str, Any] = {"apiBaseUrl": request.base_url}
        if request.needs_key:
            config["apiKeyEnvar"] = request.key_env or "OPENAI_API_KEY"
        config.update(body)
        provider: dict[str, Any] = {
            "id": f"openai:chat:{request.model}",
            "label": label,
            "config": config,
        }
        providers.append(provider)
        prefixes.add(request.prefix)
        provider["_prompt"] = prompt["label"]
    if len(prompts) > 1:
        for provider in providers:
            provider["prompts"] = [provider["_prompt"]]
    for provider in providers:
        del provider["_prompt"]
    data: dict[str, Any] = {
        "description": workspace.title,
        "prompts": prompts,
        "providers": providers,
    }
    default: dict[str, Any] = {}
    if workspace.asserts:
        default["assert"] = _promptfoo_asserts(workspace.asserts)
    prefix = next(iter(prefixes)) if len(prefixes) == 1 else ""
    if prefix:
        # The provider answers with the continuation only; the app checks prefix + continuation.
        default["options"] = {"transform": f"{json.dumps(prefix)} + output"}
    if default:
        data["defaultTest"] = default
    data["tests"] = [_test_to_promptfoo(case) for case in workspace.tests]
    return data


def _test_to_promptfoo(case: TestCase) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if case.description:
        data["description"] = case.description
    data["vars"] = copy.deepcopy(case.vars)
    if case.asserts:
        data["assert"] = _promptfoo_asserts(case.asserts)
    return data


def _promptfoo_asserts(asserts: list[Any]) -> list[Any]:
    """Assertions as promptfoo documents them: a rubricPrompt's messages as one JSON text."""
    out = copy.deepcopy(asserts)
    for item in out:
        if isinstance(item, dict) and isinstance(item.get("rubricPrompt"), list):
            item["rubricPrompt"] = json.dumps(item["rubricPrompt"], ensure_ascii=False, indent=2)
    return out


def dump_yaml(data: dict[str, Any]) -> str:
    """A promptfoo config as YAML (long texts as literal blocks, keys in the order given)."""
    import yaml

    # PyYAML ships no types: its dumper class is made at run time, a subclass of its own.
    dumper: Any = type("_Dumper", (yaml.SafeDumper,), {})

    def text(dumper: Any, value: str) -> Any:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    dumper.add_representer(str, text)
    header = "# promptfoo config exported from Prompt Workbench: run it with `promptfoo eval`.\n"
    body = str(yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100))
    return header + body


# Import ---------------------------------------------------------------------------------------


def load_promptfoo(path: str | Path, registry: ProviderRegistry | None = None) -> Workspace:
    """A workspace from a ``promptfooconfig.yaml`` of the shared subset.

    Raises:
        WorkspaceError: unreadable YAML (with its line), or a part the app cannot take, named
            by its place in the file.
    """
    import yaml

    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "cannot read it ({reason})").format(
                reason=error.strerror or str(error)
            ),
            file=path.name,
        ) from None
    except UnicodeDecodeError as error:
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("FileErrors", "not UTF-8 text (byte {byte})").format(
                byte=error.start
            ),
            file=path.name,
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        if mark is not None:
            raise WorkspaceError(
                QT_TRANSLATE_NOOP("Promptfoo", "not valid YAML ({problem})").format(
                    problem=problem
                ),
                line=mark.line + 1,
                column=mark.column + 1,
                file=path.name,
            ) from None
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("Promptfoo", "not valid YAML ({problem})").format(problem=problem),
            file=path.name,
        ) from None
    try:
        return promptfoo_workspace(data, registry or ProviderRegistry(), path.parent)
    except WorkspaceError as error:
        raise error.in_file(path.name) from None


def _unsupported(what: str, where: str) -> WorkspaceError:
    return WorkspaceError(
        QT_TRANSLATE_NOOP(
            "Promptfoo", "{problem} (the app takes a subset of promptfoo: see docs/evaluating.md)"
        ).format(problem=what),
        path=where,
    )


def promptfoo_workspace(data: Any, registry: ProviderRegistry, folder: Path) -> Workspace:
    """A workspace from a parsed promptfoo config (see :func:`load_promptfoo`)."""
    if not isinstance(data, dict):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP(
                "Promptfoo", "a promptfoo config is a YAML mapping (prompts, providers, tests)"
            )
        )
    for key in data:
        if key not in ("prompts", "providers", "tests", "defaultTest", *HARMLESS_KEYS):
            raise _unsupported(
                QT_TRANSLATE_NOOP("Promptfoo", "{key} is not supported").format(key=repr(key)),
                str(key),
            )
    description = data.get("description") or "promptfoo config"
    messages = _prompt(data.get("prompts"), folder)
    providers = data.get("providers")
    if isinstance(providers, (str, dict)):
        providers = [providers]
    if not isinstance(providers, list) or not providers:
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("Promptfoo", "needs at least one provider (openai:chat:MODEL)"),
            path="providers",
        )
    columns = [_provider(item, f"providers[{i}]", registry) for i, item in enumerate(providers)]
    first = columns[0]
    params = params_from_json({"provider": first[1], "model": first[2], **first[3]}, "providers[0]")
    variants = []
    if len(columns) > 1:
        labels: set[str] = set()
        for i, (label, provider_id, model, config) in enumerate(columns):
            if label in labels:
                label = f"{label} ({i + 1})"
            labels.add(label)
            changes = {k: v for k, v in config.items() if k not in ("tools", "tool_choice")}
            variants.append(Variant(label, provider=provider_id, model=model, params=changes))
    tools_source = first[3].get("tools") or []
    tool_choice = first[3].get("tool_choice", "auto")
    for key in ("tools", "tool_choice"):
        params.extra.pop(key, None)
    default = data.get("defaultTest") or {}
    if not isinstance(default, dict):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("Promptfoo", "must be a mapping"), path="defaultTest"
        )
    for key in default:
        if key not in ("assert", "vars", "options"):
            raise _unsupported(
                QT_TRANSLATE_NOOP("Promptfoo", "{key} is not supported").format(
                    key=f"defaultTest.{key}"
                ),
                f"defaultTest.{key}",
            )
    shared_vars = default.get("vars") or {}
    if not isinstance(shared_vars, dict):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("Promptfoo", "must be a mapping of values"), path="defaultTest.vars"
        )
    default_prompt = _rubric_option(default.get("options"), "defaultTest.options")
    asserts = _with_rubric_prompt(
        _asserts(default.get("assert"), "defaultTest.assert"), default_prompt
    )
    tests = _tests(data.get("tests"), shared_vars, default_prompt, asserts)
    return Workspace(
        title=str(description),
        messages=messages,
        tools=[ToolEntry.from_object(t) for t in tools_source if isinstance(t, dict)],
        tool_choice=tool_choice_from_json(tool_choice, "providers[0].config.tool_choice"),
        params=params,
        variants=variants,
        tests=tests,
        asserts=asserts,
    )


def _prompt(data: Any, folder: Path) -> list[Message]:
    if isinstance(data, (str, dict)):
        data = [data]
    if not isinstance(data, list) or not data:
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("Promptfoo", "needs one chat prompt"), path="prompts"
        )
    if len(data) > 1:
        raise _unsupported(
            QT_TRANSLATE_NOOP(
                "Promptfoo",
                "{count} prompts: the app evaluates one conversation (make the others variants "
                "of it, or separate workspaces)",
            ).format(count=len(data)),
            "prompts",
        )
    item = data[0]
    where = "prompts[0]"
    if isinstance(item, dict):
        for key in item:
            if key not in ("raw", "label", "id"):
                raise _unsupported(
                    QT_TRANSLATE_NOOP("Promptfoo", "prompt key {key} is not supported").format(
                        key=repr(key)
                    ),
                    f"{where}.{key}",
                )
        raw = item.get("raw")
        if raw is None and isinstance(item.get("id"), str) and item["id"].startswith("file://"):
            raw = item["id"]
        item = raw
    if not isinstance(item, (str, list)):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("Promptfoo", "a prompt is a text or an array of messages"), path=where
        )
    if isinstance(item, str) and item.startswith("file://"):
        item = _prompt_file(item[len("file://") :], folder, where)
    if isinstance(item, str):
        if "{%" in item or _FILTER.search(item):
            raise _unsupported(
                QT_TRANSLATE_NOOP(
                    "Promptfoo", "Nunjucks tags and filters ({tags}, | filter) are not supported"
                ).format(tags="{% %}"),
                where,
            )
        try:
            parsed = json.loads(item)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            item = parsed
        else:
            return [Message(role="user", content=item)]
    messages = []
    for i, message in enumerate(item):
        at = f"{where}[{i}]"
        if isinstance(message, dict) and _FILTER.search(str(message.get("content", ""))):
            raise _unsupported(
                QT_TRANSLATE_NOOP(
                    "Promptfoo", "Nunjucks filters ({filter}) are not supported"
                ).format(filter="{{ x | filter }}"),
                at,
            )
        messages.append(message_from_json(message, at))
    if not messages:
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("Promptfoo", "the prompt has no messages"), path=where
        )
    last = messages[-1]
    if last.role == "assistant" and last.extra.pop("prefix", None):
        last.partial = True
    return messages


def _prompt_file(name: str, folder: Path, where: str) -> Any:
    path = (folder / name).resolve()
    if path.suffix.lower() not in (".json", ".yaml", ".yml", ".txt", ".md"):
        raise _unsupported(
            QT_TRANSLATE_NOOP(
                "Promptfoo",
                "{name}: prompt files other than JSON, YAML or text are not read (a script's "
                "prompt would have to run)",
            ).format(name=name),
            where,
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("Promptfoo", "cannot read {name} ({error})").format(
                name=name, error=str(error)
            ),
            path=where,
        ) from None
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise WorkspaceError(
                QT_TRANSLATE_NOOP("Promptfoo", "{name}: not valid YAML ({problem})").format(
                    name=name, problem=str(error)
                ),
                path=where,
            ) from None
    return text


def _provider(
    item: Any, where: str, registry: ProviderRegistry
) -> tuple[str, str, str, dict[str, Any]]:
    """(label, provider id, model, parameters) of one promptfoo provider."""
    config: dict[str, Any] = {}
    label = None
    if isinstance(item, dict):
        for key in item:
            if key not in ("id", "label", "config"):
                raise _unsupported(
                    QT_TRANSLATE_NOOP("Promptfoo", "provider key {key} is not supported").format(
                        key=repr(key)
                    ),
                    f"{where}.{key}",
                )
        spec = item.get("id")
        label = item.get("label")
        config = item.get("config") or {}
        if not isinstance(config, dict):
            raise WorkspaceError(
                QT_TRANSLATE_NOOP("Promptfoo", "must be a mapping"), path=f"{where}.config"
            )
    else:
        spec = item
    if not isinstance(spec, str):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("Promptfoo", "a provider needs an id like openai:chat:MODEL"),
            path=where,
        )
    parts = spec.split(":")
    if (
        parts[0] != "openai"
        or len(parts) < 2
        or parts[1] in ("embedding", "embeddings", "assistant", "image", "realtime")
    ):
        raise _unsupported(
            QT_TRANSLATE_NOOP(
                "Promptfoo",
                "{provider} is not an OpenAI-compatible chat provider (use openai:chat:MODEL "
                "with apiBaseUrl)",
            ).format(provider=spec),
            f"{where}.id" if isinstance(item, dict) else where,
        )
    model = ":".join(parts[2:]) if parts[1] == "chat" else ":".join(parts[1:])
    if not model:
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("Promptfoo", "names no model (openai:chat:MODEL)"), path=where
        )
    params: dict[str, Any] = {}
    base_url = None
    key_env = None
    for key, value in config.items():
        at = f"{where}.config.{key}"
        if key == "apiBaseUrl":
            base_url = str(value)
        elif key == "apiKeyEnvar":
            key_env = str(value)
        elif key == "apiKey":
            raise WorkspaceError(
                QT_TRANSLATE_NOOP(
                    "Promptfoo",
                    "an API key written in the file is not taken: use apiKeyEnvar (the app "
                    "keeps keys in the keyring or the environment)",
                ),
                path=at,
            )
        elif key == "max_completion_tokens":
            params["max_tokens"] = value  # the same limit; the app names it per model when sent
        elif key in PARAM_KEYS or key in ("tools", "tool_choice"):
            params[key] = copy.deepcopy(value)
        else:
            raise _unsupported(
                QT_TRANSLATE_NOOP("Promptfoo", "provider setting {key} is not supported").format(
                    key=repr(key)
                ),
                at,
            )
    provider_id = _provider_for(base_url, key_env, registry, where)
    return (str(label or model), provider_id, model, params)


def _provider_for(
    base_url: str | None, key_env: str | None, registry: ProviderRegistry, where: str
) -> str:
    if base_url is None:
        return "openai"
    wanted = normalize_base_url(base_url)
    matches = [p for p in registry.all() if normalize_base_url(p.base_url) == wanted]
    if key_env:
        matches = sorted(matches, key=lambda p: p.key_env != key_env)
    if not matches:
        raise WorkspaceError(
            QT_TRANSLATE_NOOP(
                "Promptfoo",
                "no provider has the base URL {url}: add it in Settings › Providers and keys "
                "(or run with --base-url)",
            ).format(url=base_url),
            path=f"{where}.config.apiBaseUrl",
        )
    return matches[0].id


def _asserts(data: Any, where: str) -> list[Any]:
    if data is None:
        return []
    if not isinstance(data, list):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("Promptfoo", "must be a list of assertions"), path=where
        )
    out = []
    for i, item in enumerate(data):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise WorkspaceError(
                QT_TRANSLATE_NOOP("Promptfoo", "an assertion is a mapping with a type"), path=at
            )
        kind = item.get("type")
        base, _ = split_type(str(kind))
        if base in ("javascript", "python", "webhook") or str(kind).startswith("file://"):
            raise WorkspaceError(
                QT_TRANSLATE_NOOP(
                    "Promptfoo", "assertion type {type} runs code, which the app never does"
                ).format(type=repr(kind)),
                path=f"{at}.type",
            )
        if base not in BASE_TYPES:
            raise _unsupported(
                QT_TRANSLATE_NOOP("Promptfoo", "assertion type {type} is not supported").format(
                    type=repr(kind)
                ),
                f"{at}.type",
            )
        if "transform" in item:
            raise WorkspaceError(
                QT_TRANSLATE_NOOP("Promptfoo", "{key} runs code, which the app never does").format(
                    key="transform"
                ),
                path=f"{at}.transform",
            )
        for key in ("value", "rubricPrompt"):
            value = item.get(key)
            if isinstance(value, str) and value.startswith("file://"):
                raise _unsupported(_FILE_VALUES, f"{at}.{key}")
        out.append(copy.deepcopy(item))
    return out


def _rubric_option(options: Any, where: str) -> Any:
    """The ``rubricPrompt`` of a test's (or defaultTest's) ``options``, the one option taken."""
    if options is None:
        return None
    if not isinstance(options, dict):
        raise WorkspaceError(QT_TRANSLATE_NOOP("Promptfoo", "must be a mapping"), path=where)
    for key in options:
        if key in ("transform", "postprocess"):
            raise WorkspaceError(
                QT_TRANSLATE_NOOP("Promptfoo", "{key} runs code, which the app never does").format(
                    key=key
                ),
                path=f"{where}.{key}",
            )
        if key != "rubricPrompt":
            raise _unsupported(
                QT_TRANSLATE_NOOP(
                    "Promptfoo", "option {key} is not supported (only rubricPrompt is)"
                ).format(key=repr(key)),
                f"{where}.{key}",
            )
    prompt = options.get("rubricPrompt")
    if isinstance(prompt, str) and prompt.startswith("file://"):
        raise _unsupported(_FILE_VALUES, f"{where}.rubricPrompt")
    try:
        rubric_prompt(prompt)
    except ValueError as error:
        raise WorkspaceError(error.args[0], path=f"{where}.rubricPrompt") from None
    return copy.deepcopy(prompt)


def _with_rubric_prompt(asserts: list[Any], prompt: Any) -> list[Any]:
    """``asserts`` with ``prompt`` as the rubricPrompt of each llm-rubric lacking its own (an
    assertion's own rubricPrompt wins over its test's, which wins over defaultTest's)."""
    if prompt is None:
        return asserts
    for item in asserts:
        if split_type(str(item.get("type")))[0] == "llm-rubric" and "rubricPrompt" not in item:
            item["rubricPrompt"] = copy.deepcopy(prompt)
    return asserts


def _tests(
    data: Any,
    shared_vars: dict[str, Any],
    default_prompt: Any = None,
    shared: Sequence[Any] = (),
) -> list[TestCase]:
    if data is None:
        return []
    if isinstance(data, str):
        raise _unsupported(
            QT_TRANSLATE_NOOP(
                "Promptfoo", "tests from {source} are not read: list the cases in the file"
            ).format(source=data),
            "tests",
        )
    if not isinstance(data, list):
        raise WorkspaceError(
            QT_TRANSLATE_NOOP("Promptfoo", "must be a list of test cases"), path="tests"
        )
    cases = []
    for i, item in enumerate(data):
        at = f"tests[{i}]"
        if not isinstance(item, dict):
            raise WorkspaceError(
                QT_TRANSLATE_NOOP("Promptfoo", "a test case is a mapping (vars, assert)"), path=at
            )
        for key in item:
            if key not in ("description", "vars", "assert", "options"):
                raise _unsupported(
                    QT_TRANSLATE_NOOP("Promptfoo", "test key {key} is not supported").format(
                        key=repr(key)
                    ),
                    f"{at}.{key}",
                )
        prompt = _rubric_option(item.get("options"), f"{at}.options")
        if prompt is not None and prompt != default_prompt:
            inherited = [
                a
                for a in shared
                if split_type(str(a.get("type")))[0] == "llm-rubric"
                and a.get("rubricPrompt") == default_prompt
            ]
            if inherited:
                raise _unsupported(
                    QT_TRANSLATE_NOOP(
                        "Promptfoo",
                        "a test's own rubricPrompt for the llm-rubric of defaultTest.assert (the "
                        "app keeps shared assertions once for every case): put rubricPrompt on "
                        "that assertion, or the llm-rubric in the test's own assert",
                    ),
                    f"{at}.options.rubricPrompt",
                )
        values = item.get("vars") or {}
        if not isinstance(values, dict):
            raise WorkspaceError(
                QT_TRANSLATE_NOOP("Promptfoo", "must be a mapping of values"), path=f"{at}.vars"
            )
        for name, value in values.items():
            if isinstance(value, str) and value.startswith("file://"):
                raise _unsupported(_FILE_VALUES, f"{at}.vars.{name}")
        cases.append(
            TestCase(
                description=str(item.get("description") or ""),
                vars={**copy.deepcopy(shared_vars), **copy.deepcopy(values)},
                asserts=_with_rubric_prompt(
                    _asserts(item.get("assert"), f"{at}.assert"),
                    prompt if prompt is not None else default_prompt,
                ),
            )
        )
    return cases
