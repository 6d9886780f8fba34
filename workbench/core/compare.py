"""Comparing one conversation across variants: what each sends, how answers differ, what to keep.

A :class:`~workbench.core.workspace.Variant` changes the workspace's provider, model, parameters
or system message; :func:`apply_variant` turns it into the workspace that variant sends. Answers
are read side by side with :func:`word_diff` (word-level, spans for both sides) and
:func:`check_json` (the partial ``{`` case); a :class:`Comparison` is exported as Markdown or JSON
and rebuilt from the run history. :class:`CompareSession` runs the variants through the app's run
engine (:mod:`workbench.core.sessions`), streaming each one's events to a callback.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import difflib
import json
import re
import uuid
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from workbench.core.catalog import Catalog, ModelInfo
from workbench.core.figures import money, result_metrics
from workbench.core.history import decode_json, result_from_json, result_to_json
from workbench.core.payloads import effective_params, variant_messages, variant_view
from workbench.core.run_types import Finished, RunResult, Usage
from workbench.core.sessions import EngineEvent, PreparedRun, RunEngine, RunSetupError, RunTicket
from workbench.core.workspace import (
    Params,
    Variant,
    Workspace,
    WorkspaceError,
    message_to_json,
)

# Variants -----------------------------------------------------------------------------------


def apply_variant(workspace: Workspace, variant: Variant | None) -> Workspace:
    """The workspace ``variant`` sends: a copy with its provider, model, params and system message.

    Parameters resolve as the request's do (:func:`workbench.core.payloads.effective_params`:
    a ``null`` value removes the parameter, leaving it to the provider's default). A replacement
    system message takes the place of the first system message, or goes first when there is none, as
    :func:`workbench.core.payloads.build_request` sends it. The original workspace is not
    touched. Requests are built by the payload builder; this copy is what the columns measure
    (tokens, window, cost) before running.

    Raises:
        WorkspaceError: the overrides hold a value the parameters cannot take.
    """
    params = effective_params(workspace, variant)
    return Workspace(
        title=workspace.title,
        messages=variant_messages(workspace, variant),
        tools=copy.deepcopy(workspace.tools),
        tool_choice=copy.deepcopy(workspace.tool_choice),
        params=params,
    )


def next_label(existing: Sequence[str], base: str = "Variant") -> str:
    """A label not in ``existing``: ``base``, else ``base 2``, ``base 3``..."""
    taken = set(existing)
    if base not in taken:
        return base
    stem = re.sub(r" \d+$", "", base)
    number = 2
    while f"{stem} {number}" in taken:
        number += 1
    return f"{stem} {number}"


@dataclass(frozen=True)
class Preflight:
    """What a column knows before running: whether it can be sent, fits, and what it costs.

    Attributes:
        problems: Why the variant would not be sent (cannot prefill, bad parameters...).
        model: The catalog entry of its model, None for a model the catalog does not know.
        prompt_tokens: The conversation's tokens as this variant sends it (an estimate), None
            when no counter is available.
        max_tokens: The output it reserves.
        warnings: What the provider may refuse or ignore (the request linter's warnings).
        fix: The column's one-click fix (variant field or ``params.NAME`` -> value), with its
            label, when the linter has one that the variant can take.
    """

    problems: tuple[str, ...] = ()
    model: ModelInfo | None = None
    prompt_tokens: int | None = None
    max_tokens: int | None = None
    warnings: tuple[str, ...] = ()
    fix: tuple[str, dict[str, Any]] | None = None

    @property
    def fits(self) -> bool | None:
        """Whether prompt and reserved output fit the context window; None when unknown."""
        if self.model is None or self.model.context_window is None or self.prompt_tokens is None:
            return None
        return self.prompt_tokens + (self.max_tokens or 0) <= self.model.context_window

    @property
    def cost_usd(self) -> float | None:
        """The most the run can cost: the prompt plus all of ``max_tokens``; None when unknown."""
        if self.model is None or self.prompt_tokens is None:
            return None
        usage = Usage(prompt_tokens=self.prompt_tokens, completion_tokens=self.max_tokens or 0)
        return self.model.cost_usd(usage)

    def summary(self) -> str:
        """One line for the column: fit and cost, or the catalog's window and prices."""
        model = self.model
        if model is None:
            return "Model not in the catalog: context window and prices unknown."
        window = f"{model.context_window:,}" if model.context_window else "unknown"
        if self.prompt_tokens is None:
            prices = (
                f"${model.price_in:g} in / ${model.price_out:g} out per 1M tokens"
                if model.price_in is not None and model.price_out is not None
                else "prices unknown"
            )
            return f"Window {window} tokens · {prices}"
        fits = {True: "Fits", False: "Too long", None: "Unknown fit"}[self.fits]
        line = f"{fits}: ~{self.prompt_tokens:,} + {self.max_tokens or 0:,} of {window} tokens"
        cost = self.cost_usd
        return line + (f" · at most {money(cost)}" if cost is not None else " · price unknown")


def preflight(
    workspace: Workspace,
    variant: Variant,
    catalog: Catalog,
    *,
    problems: Callable[[Workspace], list[str]] | None = None,
    count_tokens: Callable[[Workspace], int | None] | None = None,
) -> Preflight:
    """Checks ``variant`` over ``workspace`` before it runs.

    Args:
        workspace: The workspace the variants apply to.
        variant: The column's variant.
        catalog: Context windows and prices.
        problems: What stops the resolved workspace (:func:`variant_view`) from being sent (the
            payload rules of its provider); the workspace's own checks when None.
        count_tokens: The prompt's token count (estimate) of the resolved workspace, None while
            it cannot count yet; without a count only the catalog's window and prices are shown.
    """
    try:
        sent = variant_view(workspace, variant)
    except WorkspaceError as error:
        return Preflight(problems=(str(error),))
    found = problems(sent) if problems is not None else sent.problems()
    return Preflight(
        problems=tuple(found),
        model=catalog.get(sent.params.model),
        prompt_tokens=count_tokens(sent) if count_tokens is not None else None,
        max_tokens=sent.params.max_tokens,
    )


# Word diff ----------------------------------------------------------------------------------

#: Words, runs of whitespace, and single punctuation marks: a change to a comma shows as one.
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")

DiffKind = Literal["delete", "insert", "replace"]


def tokenize_words(text: str) -> list[str]:
    """``text`` as words, whitespace runs and punctuation marks; joined they give ``text`` back."""
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class DiffSpan:
    """A changed stretch of one side of a diff, as character offsets into that side's text."""

    start: int
    end: int
    kind: DiffKind


@dataclass(frozen=True)
class WordDiff:
    """How two answers differ.

    Attributes:
        left: Changed spans of the first text (words deleted or replaced).
        right: Changed spans of the second text (words inserted or replaced).
        ratio: Similarity from 0 (nothing in common) to 1 (the same words).
    """

    left: tuple[DiffSpan, ...]
    right: tuple[DiffSpan, ...]
    ratio: float

    @property
    def identical(self) -> bool:
        """Whether the texts have no changed span."""
        return not self.left and not self.right


def word_diff(a: str, b: str) -> WordDiff:
    """The word-level differences between ``a`` and ``b``.

    Whitespace-only differences between two equal words are ignored (a re-wrapped line is not a
    change worth highlighting); changed words are reported as spans on each side.
    """
    left_tokens, right_tokens = tokenize_words(a), tokenize_words(b)
    # Compare whitespace runs as one token so that indentation changes do not split matches.
    left_keys = [" " if t.isspace() else t for t in left_tokens]
    right_keys = [" " if t.isspace() else t for t in right_tokens]
    # autojunk off: in long answers common words ("the", spaces) would otherwise be discarded and
    # the diff would mark whole paragraphs as changed.
    matcher = difflib.SequenceMatcher(None, left_keys, right_keys, autojunk=False)
    left_offsets = _offsets(left_tokens)
    right_offsets = _offsets(right_tokens)
    left: list[DiffSpan] = []
    right: list[DiffSpan] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        changed: DiffKind | None = "replace" if tag == "replace" else None
        if i2 > i1 and not _blank(left_tokens[i1:i2]):
            left.append(DiffSpan(left_offsets[i1], left_offsets[i2], changed or "delete"))
        if j2 > j1 and not _blank(right_tokens[j1:j2]):
            right.append(DiffSpan(right_offsets[j1], right_offsets[j2], changed or "insert"))
    return WordDiff(tuple(left), tuple(right), matcher.ratio())


def _offsets(tokens: list[str]) -> list[int]:
    offsets = [0]
    for token in tokens:
        offsets.append(offsets[-1] + len(token))
    return offsets


def _blank(tokens: list[str]) -> bool:
    return all(t.isspace() for t in tokens)


# JSON answers -------------------------------------------------------------------------------

_FENCE = re.compile(r"^```[a-zA-Z0-9_-]*\s*\n(.*?)\n?```\s*$", re.DOTALL)


@dataclass(frozen=True)
class JsonCheck:
    """Whether an answer is JSON.

    Attributes:
        looks_like_json: A JSON verdict is worth showing: the run asked for JSON, the answer is
            fenced as ``json``, or it parses. Prose that merely starts with ``[`` or ``{``
            ("[Note] the answer is...") is not judged.
        valid: It parses.
        formatted: Indented JSON when valid, else the text as it is.
        error: Why it does not parse, with line and column.
        line: 1-based line of the error in the answer.
        column: 1-based column of the error.
    """

    looks_like_json: bool
    valid: bool
    formatted: str
    error: str | None = None
    line: int | None = None
    column: int | None = None


def asks_for_json(params: Params, prefix: str = "") -> bool:
    """Whether a run asked for a JSON answer.

    It did when its ``response_format`` is ``json_object`` (or a kept ``json_schema`` /
    ``json_object`` object among the extra parameters), or when its partial prefix opens JSON
    (``{`` or ``[``): the user prefilled the start of a JSON value.
    """
    if params.response_format == "json_object":
        return True
    kept = params.extra.get("response_format")
    if isinstance(kept, dict) and str(kept.get("type", "")).startswith("json"):
        return True
    return prefix.lstrip().startswith(("{", "["))


def check_json(text: str, *, expected: bool = False) -> JsonCheck:
    """Checks an answer as JSON; pass the full answer (partial prefix + continuation).

    Args:
        text: The full answer.
        expected: The run asked for JSON (:func:`asks_for_json`): an answer that does not parse
            is then invalid JSON. Without it only an answer fenced as ``json`` is judged when it
            does not parse; any other answer that does not parse is simply not JSON.
    """
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        expected = expected or body[3:].lower().startswith("json")
        body = fenced.group(1).strip()
    if not expected and not body.startswith(("{", "[")):
        return JsonCheck(False, False, text)
    try:
        value = json.loads(body)
    except json.JSONDecodeError as error:
        if not expected:
            return JsonCheck(False, False, text)
        return JsonCheck(
            True,
            False,
            text,
            f"line {error.lineno}, column {error.colno}: {error.msg}",
            error.lineno,
            error.colno,
        )
    except RecursionError:
        return JsonCheck(expected, False, text, "nested too deeply to check" if expected else None)
    return JsonCheck(True, True, json.dumps(value, indent=2, ensure_ascii=False))


# Comparisons --------------------------------------------------------------------------------


@dataclass
class ComparisonEntry:
    """One column of a finished comparison: the variant and how its run ended."""

    variant: Variant
    result: RunResult | None = None
    history_id: int | None = None


@dataclass
class Comparison:
    """A comparison as it is exported and stored.

    Attributes:
        group: The id that ties its runs together in the history.
        title: The workspace title.
        created_at: When it ran (ISO 8601, UTC).
        messages: The conversation as sent (before each variant's changes).
        entries: One per variant, in column order.
    """

    group: str = field(default_factory=lambda: uuid.uuid4().hex)
    title: str = ""
    created_at: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )
    messages: list[dict[str, Any]] = field(default_factory=list)
    entries: list[ComparisonEntry] = field(default_factory=list)

    @classmethod
    def of(cls, workspace: Workspace, variants: Sequence[Variant]) -> Comparison:
        """A new comparison of ``variants`` over ``workspace``, results still to come."""
        return cls(
            title=workspace.title,
            messages=[message_to_json(m) for m in workspace.conversation],
            entries=[ComparisonEntry(copy.deepcopy(v)) for v in variants],
        )


def comparison_to_json(comparison: Comparison) -> dict[str, Any]:
    """The comparison as a JSON object (``prompt-workbench/comparison-1``)."""
    return {
        "format": "prompt-workbench/comparison-1",
        "group": comparison.group,
        "title": comparison.title,
        "created_at": comparison.created_at,
        "messages": copy.deepcopy(comparison.messages),
        "variants": [
            {
                **entry.variant.to_json(),
                "result": result_to_json(entry.result) if entry.result else None,
            }
            for entry in comparison.entries
        ],
    }


def comparison_from_json(data: Any) -> Comparison:
    """A comparison from :func:`comparison_to_json`; WorkspaceError when it is not one."""
    if not isinstance(data, dict) or data.get("format") != "prompt-workbench/comparison-1":
        raise WorkspaceError("not a comparison export (format prompt-workbench/comparison-1)")
    entries = []
    for item in data.get("variants") or []:
        if not isinstance(item, dict):
            continue
        variant = Variant(
            label=str(item.get("label") or "Variant"),
            provider=item.get("provider"),
            model=item.get("model"),
            params=dict(item.get("params") or {}),
            system=item.get("system"),
        )
        result = item.get("result")
        entries.append(
            ComparisonEntry(variant, result_from_json(result) if isinstance(result, dict) else None)
        )
    return Comparison(
        group=str(data.get("group") or uuid.uuid4().hex),
        title=str(data.get("title") or ""),
        created_at=str(data.get("created_at") or ""),
        messages=list(data.get("messages") or []),
        entries=entries,
    )


def comparison_to_markdown(comparison: Comparison) -> str:
    """The comparison as Markdown: a metrics table, then each answer under its label."""
    lines = [f"# Comparison: {comparison.title or 'Untitled'}", ""]
    if comparison.created_at:
        lines += [f"Run {comparison.created_at}.", ""]
    last_user = next((m for m in reversed(comparison.messages) if m.get("role") == "user"), None)
    if last_user is not None and isinstance(last_user.get("content"), str):
        lines += ["## Prompt", "", _quote(last_user["content"]), ""]
    headers = ["Variant", "Provider", "Model", *result_metrics(RunResult("", "")).keys(), "Error"]
    lines += ["## Results", "", _row(headers), _row(["---"] * len(headers))]
    for entry in comparison.entries:
        result = entry.result
        metrics = result_metrics(result) if result else dict.fromkeys(headers[3:-1], "–")
        lines.append(
            _row(
                [
                    entry.variant.label,
                    (result.provider if result else entry.variant.provider) or "–",
                    (result.model if result else entry.variant.model) or "–",
                    *metrics.values(),
                    (result.error if result and result.error else "") or "",
                ]
            )
        )
    lines.append("")
    for entry in comparison.entries:
        lines += [f"## {entry.variant.label}", ""]
        result = entry.result
        if result is None:
            lines += ["_Not run._", ""]
            continue
        if result.error:
            lines += [f"**Error:** {result.error}", ""]
        answer = result.full_text
        check = check_json(answer)
        fence = "json" if check.looks_like_json else ""
        if answer:
            lines += [_fenced(answer, fence), ""]
        if result.tool_calls:
            calls = [c.to_json() for c in result.tool_calls]
            lines += ["Tool calls:", "", _fenced(json.dumps(calls, indent=2), "json"), ""]
    return "\n".join(lines).rstrip() + "\n"


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.splitlines() or [""])


def _fenced(text: str, language: str) -> str:
    # A fence longer than any backtick run inside, so an answer holding ``` stays one block.
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def comparison_from_history(entries: Sequence[Any]) -> Comparison:
    """Rebuilds a comparison from the history entries of one group.

    The columns are the variants of the workspace as it was when the comparison ran, in their
    order then (runs finish in any order); each shows its latest recorded run (a rerun replaces
    the first one), and a variant that was never sent (it could not prefill, say) comes back
    without a result. Runs of labels the workspace did not list follow, in the order they ran.

    Args:
        entries: ``HistoryEntry`` values (id, started_at, variant, group, request_json,
            result_json, workspace_json...) of one group, in the order they were recorded.
    """
    if not entries:
        raise ValueError("no runs in this comparison")
    first = entries[0]
    workspace_data = decode_json(getattr(first, "workspace_json", None))
    if not isinstance(workspace_data, dict):
        workspace_data = {}
    comparison = Comparison(
        group=str(getattr(first, "group", None) or uuid.uuid4().hex),
        title=str(workspace_data.get("title") or ""),
        created_at=_iso(getattr(first, "started_at", None)),
        messages=list(workspace_data.get("messages") or []),
    )
    columns: dict[str, ComparisonEntry] = {}
    for item in workspace_data.get("variants") or []:
        if isinstance(item, dict) and isinstance(item.get("label"), str):
            columns[item["label"]] = ComparisonEntry(
                Variant(
                    label=item["label"],
                    provider=item.get("provider"),
                    model=item.get("model"),
                    params=dict(item.get("params") or {}),
                    system=item.get("system"),
                )
            )
    for entry in entries:
        result_data = decode_json(getattr(entry, "result_json", None))
        result = result_from_json(result_data) if isinstance(result_data, dict) else None
        label = getattr(entry, "variant", None) or (result.variant if result else None) or "Run"
        if result is not None and getattr(entry, "error", None) and not result.error:
            result.error = entry.error
        column = columns.setdefault(
            label,
            ComparisonEntry(
                Variant(
                    label=label,
                    provider=getattr(entry, "provider", None),
                    model=getattr(entry, "model", None),
                )
            ),
        )
        column.result = result
        column.history_id = getattr(entry, "id", None)
    comparison.entries = list(columns.values())
    return comparison


@dataclass(frozen=True)
class PastComparison:
    """A comparison found in the history: its group, when it ran, its title and its variants."""

    group: str
    started_at: str
    title: str
    labels: tuple[str, ...]


def group_history(entries: Sequence[Any]) -> list[PastComparison]:
    """The comparisons among history ``entries`` (newest first, as ``HistoryStore.search``
    returns them), newest first; runs without a group are single runs, not comparisons."""
    groups: dict[str, list[Any]] = {}
    for entry in entries:
        group = getattr(entry, "group", None)
        if group:
            groups.setdefault(group, []).append(entry)
    found = []
    for group, runs in groups.items():
        runs = sorted(runs, key=lambda e: getattr(e, "id", 0))
        data = decode_json(getattr(runs[0], "workspace_json", None))
        title = data.get("title") if isinstance(data, dict) else None
        labels = dict.fromkeys(str(e.variant or e.model) for e in runs)
        found.append(
            PastComparison(
                group, str(getattr(runs[0], "started_at", "")), str(title or ""), tuple(labels)
            )
        )
    return found


def _iso(value: Any) -> str:
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, dt.UTC).isoformat(timespec="seconds")
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return "" if value is None else str(value)


# Running ------------------------------------------------------------------------------------


def failed_result(request: Any, variant: Variant, error: str | None) -> RunResult:
    """The result of a variant that never streamed (no key, cannot prefill, unknown provider)."""
    provider = getattr(request, "provider", None) or variant.provider or ""
    model = getattr(request, "model", None) or variant.model or ""
    return RunResult(provider=provider, model=model, variant=variant.label, error=error)


EventCallback = Callable[[Hashable, EngineEvent], None]


class CompareSession:
    """The runs of one comparison, made by the app's :class:`~workbench.core.sessions.RunEngine`.

    Each column (a caller's key) runs its variant through the engine, so columns share the app's
    per-provider limit with every other run, and record in the history under :attr:`group`. Every
    column's run ends with one :class:`Finished` on the callback, whether it succeeded, failed,
    could not be sent or was stopped; the engine's own events (:class:`Queued`, a failed history
    write as :class:`NotRecorded`...) reach the callback too. A variant that fails or waits never
    holds up the others.

    Args:
        engine: The app's run engine.
        workspace: The workspace the variants apply to; each run is prepared from it when it
            starts.
    """

    def __init__(self, engine: RunEngine, workspace: Workspace) -> None:
        self.engine = engine
        self.workspace = workspace
        self._tasks: dict[Hashable, asyncio.Task[RunResult]] = {}
        self._tickets: dict[Hashable, RunTicket] = {}
        self._stopping: set[Hashable] = set()
        #: The comparison the next runs belong to (their history group).
        self.group: str | None = None

    def is_running(self, key: Hashable) -> bool:
        """Whether the variant under ``key`` is waiting or streaming."""
        task = self._tasks.get(key)
        return task is not None and not task.done()

    def running_keys(self) -> list[Hashable]:
        """Keys of the variants waiting or streaming."""
        return [key for key in self._tasks if self.is_running(key)]

    def start(
        self, key: Hashable, variant: Variant, on_event: EventCallback
    ) -> asyncio.Task[RunResult]:
        """Starts (or restarts) one variant; must be called with the event loop running.

        The run is prepared now, from the workspace as it is. A variant already running under
        ``key`` is stopped first and sends its ``Finished`` before the new run starts.
        """
        self.stop(key)
        previous = self._tasks.get(key)
        try:
            prepared: PreparedRun | str = self.engine.prepare(self.workspace, variant)
        except RunSetupError as error:
            message = " ".join(error.problems)
            prepared = message[:1].upper() + message[1:]
        task = asyncio.ensure_future(self._run_one(key, variant, prepared, on_event, previous))
        self._tasks[key] = task
        return task

    async def run_all(
        self, items: Sequence[tuple[Hashable, Variant]], on_event: EventCallback
    ) -> list[RunResult]:
        """Runs every ``(key, variant)`` and returns their results in the same order."""
        tasks = [self.start(key, variant, on_event) for key, variant in items]
        return list(await asyncio.gather(*tasks))

    def stop(self, key: Hashable) -> None:
        """Stops one variant: a streaming run keeps its text, a waiting one never starts."""
        task = self._tasks.get(key)
        if task is None or task.done():
            return
        self._stopping.add(key)
        ticket = self._tickets.get(key)
        if ticket is not None:
            ticket.stop()
        else:
            task.cancel()

    def stop_all(self) -> None:
        """Stops every variant."""
        for key in list(self._tasks):
            self.stop(key)

    async def wait_idle(self) -> None:
        """Waits for every run and its history write to end."""
        while pending := [t for t in self._tasks.values() if not t.done()]:
            await asyncio.gather(*pending, return_exceptions=True)

    async def _run_one(
        self,
        key: Hashable,
        variant: Variant,
        prepared: PreparedRun | str,
        on_event: EventCallback,
        previous: asyncio.Task[RunResult] | None,
    ) -> RunResult:
        request = prepared.request if isinstance(prepared, PreparedRun) else None
        try:
            if previous is not None and not previous.done():
                # The old run of this key must have sent its Finished before the new one streams.
                await asyncio.gather(previous, return_exceptions=True)
            self._stopping.discard(key)
            if not isinstance(prepared, PreparedRun):
                result = failed_result(None, variant, prepared)
                result.provider = result.provider or self.workspace.params.provider
                on_event(key, Finished(result))
                return result
            ticket = self.engine.start(
                prepared, lambda _ticket, event: on_event(key, event), key=key, group=self.group
            )
            self._tickets[key] = ticket
            result = await ticket.wait()
        except asyncio.CancelledError:
            if key not in self._stopping:
                raise  # cancelled from outside (the loop is closing): not ours to swallow
            result = failed_result(request, variant, None)
            result.interrupted = True
            on_event(key, Finished(result))
        finally:
            self._tickets.pop(key, None)
        result.variant = variant.label
        return result
