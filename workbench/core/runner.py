"""Streaming runs: one request to one provider, as a sequence of events that always ends.

A :class:`Run` sends a :class:`~workbench.core.payloads.ChatRequest` with the async OpenAI client
and yields :data:`~workbench.core.run_types.RunEvent` values: text and reasoning as they stream,
tool calls as they grow, a :class:`Status` per retry, and always, last, a :class:`Finished`
carrying the :class:`RunResult`. Faults never escape as exceptions: they end the run with a plain
message in ``result.error``, keeping the text received so far (``interrupted``).

Example:
    >>> run = Run(request, api_key)                                       # doctest: +SKIP
    >>> async for event in run.events():
    ...     if isinstance(event, TextDelta):
    ...         print(event.text, end="")
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from functools import lru_cache
from typing import Any

from workbench.core.anthropic_transport import AnthropicTransport
from workbench.core.catalog import Catalog, load_builtin_catalog
from workbench.core.json_files import JsonInputError, clean_text, clean_value, decode_text, loads
from workbench.core.payloads import ChatRequest
from workbench.core.providers import plain_http_warning
from workbench.core.run_errors import (
    YIELD_EVERY_S,
    _AnswerTooLong,
    _failure_from,
    decide_retry,
)
from workbench.core.run_queue import RunQueue
from workbench.core.run_types import (
    Finished,
    ReasoningDelta,
    RunEvent,
    RunResult,
    Status,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    Usage,
)
from workbench.core.sdk import load_openai_off_loop
from workbench.core.secrets import MASK, redact
from workbench.core.texts import QT_TRANSLATE_NOOP, Text

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 60.0
#: Provider kinds whose runs are not priced: a local server or a mock answering to "gpt-4o" is
#: not OpenAI's gpt-4o, and what a custom gateway charges is unknown (None: unknown, not free).
UNPRICED_KINDS = ("local", "vllm", "custom")
#: The most characters a run takes by default (Settings › max_answer_mb overrides it).
DEFAULT_MAX_ANSWER_CHARS = 64_000_000
#: The longest a run may take in all by default (Settings › run_deadline_seconds).
DEFAULT_DEADLINE = 1800.0
#: Sent as the key to servers that need none, so the SDK never reads OPENAI_API_KEY instead.
NO_KEY = "no-key-needed"


@lru_cache(maxsize=1)
def _builtin_catalog() -> Catalog:
    return load_builtin_catalog()


@lru_cache(maxsize=1)
def _ssl_context() -> Any:
    """The default TLS context, built once: loading the CA bundle costs ~50 ms per client."""
    import httpx2

    return httpx2.create_ssl_context()


def _http_client(openai: Any) -> Any:
    """An HTTP client with the SDK's defaults and the shared TLS context (None: SDK default)."""
    try:
        return openai.DefaultAsyncHttpxClient(verify=_ssl_context())
    except Exception:  # a different SDK layout: let the SDK build its own client
        return None


# Errors ---------------------------------------------------------------------------------------


def _is_refused(error: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError) or "refused" in str(current).lower():
            return True
        current = current.__cause__ or current.__context__
    return False


def _key_problem(key: str | None) -> Text | None:
    """Why ``key`` cannot go in an HTTP header (a paste with spaces or odd characters), or None."""
    if key is None or (key.isascii() and key.isprintable() and " " not in key):
        return None
    return QT_TRANSLATE_NOOP(
        "RunErrors",
        "The API key contains spaces, line breaks or non-ASCII characters, so it cannot be sent. "
        "Paste the key again, exactly as the provider shows it.",
    )


# The run --------------------------------------------------------------------------------------


class _ToolCallAssembler:
    """Joins streamed tool-call deltas into calls, keyed by ``index`` (or by order without it)."""

    def __init__(self) -> None:
        self.calls: list[ToolCall] = []
        self._positions: dict[int, int] = {}

    def add(self, delta: Any) -> int:
        """Applies one delta; returns the position of the call it grew."""
        index = _get(delta, "index")
        call_id = _get(delta, "id") or ""
        function = _get(delta, "function")
        name = _get(function, "name") or ""
        arguments = _get(function, "arguments") or ""
        if isinstance(index, int) and index in self._positions:
            position = self._positions[index]
        elif isinstance(index, int):
            position = self._new(call_id, name)
            self._positions[index] = position
        elif (call_id and all(c.id != call_id for c in self.calls)) or not self.calls:
            # No index: a delta with a new id starts a call, anything else continues the last.
            position = self._new(call_id, name)
        else:
            position = next(
                (i for i, c in enumerate(self.calls) if call_id and c.id == call_id),
                len(self.calls) - 1,
            )
        call = self.calls[position]
        if call_id and not call.id:
            call.id = call_id
        if name and not call.name:
            call.name = name
        call.arguments += arguments
        call_type = _get(delta, "type")
        if isinstance(call_type, str) and call_type:
            call.type = call_type
        return position

    def _new(self, call_id: str, name: str) -> int:
        self.calls.append(ToolCall(id=call_id, name=name))
        return len(self.calls) - 1


def _get(value: Any, name: str) -> Any:
    """A field of an SDK model or of a plain dict (extra fields arrive as dicts)."""
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)


#: The largest token count read as usage (2**53: exact in a float, far beyond any real run).
MAX_TOKEN_COUNT = 2**53


def _usage(value: Any) -> Usage | None:
    if value is None:
        return None
    prompt = _get(value, "prompt_tokens")
    completion = _get(value, "completion_tokens")
    if not isinstance(prompt, int) or not isinstance(completion, int):
        return None
    if not (0 <= prompt <= MAX_TOKEN_COUNT and 0 <= completion <= MAX_TOKEN_COUNT):
        return None  # not a count of tokens (and no float holds its cost): usage unknown
    total = _get(value, "total_tokens")
    cached = _get(_get(value, "prompt_tokens_details"), "cached_tokens")
    if not isinstance(cached, int):
        cached = _get(value, "cached_tokens")  # Moonshot reports it at the top of usage
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=total if isinstance(total, int) else prompt + completion,
        cached_tokens=cached if isinstance(cached, int) else 0,
    )


class PrefixEcho:
    """Removes the prefix a model repeats at the start of its answer (instruction prefill).

    Text is held back while it could still be the prefix (leading white space ignored); once it
    is, the prefix is dropped and the rest passes; once it cannot be, everything held passes.
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._held = ""
        self._settled = False

    def feed(self, text: str) -> str:
        """The part of ``text`` to show now."""
        if self._settled:
            return text
        self._held += text
        held = self._held.lstrip()
        if held.startswith(self.prefix):
            self._settled = True
            return held[len(self.prefix) :]
        if self.prefix.startswith(held):
            return ""  # still possibly the prefix
        self._settled = True
        return self._held

    def flush(self) -> str:
        """What is still held when the stream ends (a short answer that was not the prefix)."""
        if self._settled:
            return ""
        self._settled = True
        return self._held


class _UnreadableAnswer(Exception):
    """A chunk of the wrong shape; the message names the place (``choices[0].delta.content``)."""


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _text_field(data: dict[str, Any], name: str, at: str) -> str | None:
    value = data.get(name)
    if value is None or isinstance(value, str):
        return value
    raise _UnreadableAnswer(f"{at}.{name} is {_kind_of(value)}, not text")


def _check_call(delta: Any, at: str) -> None:
    if not isinstance(delta, dict):
        raise _UnreadableAnswer(f"{at} is {_kind_of(delta)}, not an object")
    index = delta.get("index")
    if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
        raise _UnreadableAnswer(f"{at}.index is {_kind_of(index)}, not a whole number")
    for name in ("id", "type"):
        _text_field(delta, name, at)
    function = delta.get("function")
    if function is None:
        return
    if not isinstance(function, dict):
        raise _UnreadableAnswer(f"{at}.function is {_kind_of(function)}, not an object")
    for name in ("name", "arguments"):
        _text_field(function, name, f"{at}.function")


def _plain_texts(chunk: Any, field: str) -> tuple[str | None, str | None] | None:
    """(reasoning, text) of a chunk that holds nothing else to check or keep; None otherwise.

    Nearly every chunk of a long answer is one choice whose delta holds a piece of text: it
    skips the general path's checks, which give the same result for it
    (tests/generated/test_run_fast_paths.py).
    """
    if type(chunk) is not dict or chunk.get("usage") is not None:
        return None
    choices = chunk.get("choices")
    if type(choices) is not list or len(choices) != 1:
        return None
    choice = choices[0]
    if (
        type(choice) is not dict
        or choice.get("finish_reason") is not None
        or choice.get("usage") is not None
    ):
        return None
    delta = choice.get(field)
    if type(delta) is not dict or delta.get("tool_calls") is not None:
        return None
    reasoning = delta.get("reasoning_content")
    content = delta.get("content")
    if (reasoning is None or type(reasoning) is str) and (content is None or type(content) is str):
        return reasoning, content
    return None


def _body_kind(response: Any) -> str:
    """``stream`` for an event stream (or when unknown), ``json`` or ``other`` for one body."""
    if response is None:
        return "stream"
    content_type = (response.headers.get("content-type") or "").lower()
    if "event-stream" in content_type or not content_type:
        return "stream"
    return "json" if "json" in content_type else "other"


class _OutputFilter:
    """Streamed text made safe to show and keep, piece by piece.

    The key in use is masked even when it arrives split across chunks (the tail that could be
    the start of the key waits for the next piece), and an emoji split into two surrogate
    halves is joined (a trailing high surrogate waits too); a lone surrogate becomes U+FFFD.
    """

    def __init__(self, key: str | None) -> None:
        self._key = key
        self._pending = ""
        # Each start of the key (its proper prefixes): text ending in none of them holds
        # nothing back for the key.
        self._starts = tuple(key[:size] for size in range(1, len(key))) if key else ()

    def take(self, piece: str) -> str:
        # The common piece: ASCII (no surrogate in it), nothing held before it, no key in it
        # and no start of the key at its end: it passes as it is, as :meth:`take_any` would
        # pass it (tests/generated/test_run_fast_paths.py).
        if not self._pending and piece.isascii():
            key = self._key
            if not key or (key not in piece and not piece.endswith(self._starts)):
                return piece
        return self.take_any(piece)

    def take_any(self, piece: str) -> str:
        """:meth:`take` for any piece."""
        text = self._pending + piece
        if self._key:
            text = text.replace(self._key, MASK)
        hold = 0
        if self._key:
            first = self._key[0]
            start = max(0, len(text) - len(self._key) + 1)
            position = text.find(first, start)
            while position != -1:
                if self._key.startswith(text[position:]):
                    hold = len(text) - position
                    break
                position = text.find(first, position + 1)
        if not hold and text and "\ud800" <= text[-1] <= "\udbff":
            hold = 1
        self._pending = text[len(text) - hold :] if hold else ""
        return clean_text(text[: len(text) - hold] if hold else text)

    def flush(self) -> str:
        text, self._pending = self._pending, ""
        return clean_text(text)


class Run:
    """One streaming request, observed through :meth:`events` and ended early by :meth:`stop`.

    Args:
        request: What to send.
        api_key: The key (None for servers that need none). It is never logged or stored.
        catalog: Prices for the cost; the built-in catalog when None.
        max_retries: Retries after a 429 rate limit or a 5xx, each announced by a Status event.
        timeout: Seconds to wait for the connection and between two pieces of the stream.
        backoff: First wait between retries without ``Retry-After``; doubled each time.
        max_answer_chars: The most characters (answer, reasoning and tool arguments together) the
            run takes; past it, the run ends with a message, keeping what arrived.
        deadline: The longest the whole run may take (seconds), retry waits included.

    What the server sends is checked before it is used: a chunk of the wrong shape (a number
    where text belongs) ends the run with a message naming the server; the key in use is masked
    in the answer (a server echoing it cannot get it into a file, the history or a terminal);
    an emoji split across two chunks is joined, a lone surrogate becomes U+FFFD.

    ``result.ttft_ms`` and ``result.duration_ms`` count from the start of :meth:`events`, retry
    waits included: they are what the user waited.
    """

    def __init__(
        self,
        request: ChatRequest,
        api_key: str | None,
        *,
        catalog: Catalog | None = None,
        max_retries: int = 3,
        timeout: float = DEFAULT_TIMEOUT,
        backoff: float = 1.0,
        max_answer_chars: int = DEFAULT_MAX_ANSWER_CHARS,
        deadline: float = DEFAULT_DEADLINE,
    ) -> None:
        self.request = request
        self._api_key = api_key
        self._catalog = catalog
        self.max_retries = max(0, max_retries)
        self.timeout = timeout
        self.backoff = backoff
        self.max_answer_chars = max(1, max_answer_chars)
        self.deadline = deadline
        self._size = 0
        mask_key = api_key if api_key and len(api_key) >= 6 else None
        self._text_filter = _OutputFilter(mask_key)
        self._reasoning_filter = _OutputFilter(mask_key)
        self.result = RunResult(
            provider=request.provider,
            model=request.model,
            variant=request.variant,
            prefix=request.prefix,
            prefill_mechanism=request.prefill_mechanism,
        )
        self._text: list[str] = []
        # Asked to begin with the prefix (a closing instruction), the model writes it again.
        self._echo = (
            PrefixEcho(request.prefix)
            if request.prefill_mechanism == "instruction" and request.prefix
            else None
        )
        self._reasoning: list[str] = []
        self._tools = _ToolCallAssembler()
        self._task: asyncio.Task[None] | None = None
        self._started = False
        self._stopped = False
        self._done = False
        self._start = 0.0

    @property
    def stopped(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stopped

    @property
    def done(self) -> bool:
        """Whether the run has finished (its Finished event is out)."""
        return self._done

    def stop(self) -> None:
        """Ends the run now: the HTTP stream is closed, the text so far kept (``interrupted``)."""
        if self._done:
            return
        self._stopped = True
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def events(self) -> AsyncIterator[RunEvent]:
        """The run's events; the last one is always :class:`Finished`. Iterate it once."""
        if self._started:
            raise RuntimeError("Run.events() can be iterated only once")
        self._started = True
        # Text taken while the text before it still waits in the queue joins it: a 10 MB
        # answer (some 20,000 chunks) goes out as a few hundred events, in order.
        queue = RunQueue()
        self._task = asyncio.get_running_loop().create_task(self._work(queue))
        try:
            while True:
                event = await queue.next_event()
                yield event
                if isinstance(event, Finished):
                    return
        finally:
            if not self._task.done():  # the consumer went away: do not leave a stream open
                self.stop()

    async def wait(self) -> RunResult:
        """Runs to the end, ignoring the events, and returns the result."""
        async for event in self.events():
            if isinstance(event, Finished):
                return event.result
        return self.result  # not reached: events() always ends with Finished

    # The work ----------------------------------------------------------------------------------

    async def _work(self, queue: RunQueue) -> None:
        client: Any = None
        self._start = time.perf_counter()
        try:
            # The SDK is imported on the first run, not at start-up (it is slow to import); the
            # clock restarts after it so that the first run's time to first token is the
            # provider's.
            transport = None
            if self.request.kind == "anthropic":
                transport = AnthropicTransport(self)
                await transport.prepare()  # the SDK loads on a worker thread, not the UI's
            else:
                # Off the loop's thread: the first import takes seconds, the TLS context a
                # few hundred ms, and in the window this thread paints it.
                openai = await load_openai_off_loop()
                from workbench.core.http_guard import load_tls_off_loop

                await load_tls_off_loop()

            self._start = time.perf_counter()
            key_problem = _key_problem(self._api_key)
            if key_problem:
                self._fail(key_problem)
            elif transport is not None and not self._stopped:
                # The Messages API: its own transport, the same events, the same guards.
                warning = plain_http_warning(self.request.base_url, self._api_key)
                if warning:
                    queue.put_nowait(Status(warning))
                client = transport.client
                async with asyncio.timeout(self.deadline):
                    await transport.attempts(queue)
            elif not self._stopped:
                from workbench.core.http_guard import guarded_http_client

                warning = plain_http_warning(self.request.base_url, self._api_key)
                if warning:
                    queue.put_nowait(Status(warning))
                client = openai.AsyncOpenAI(
                    base_url=self.request.base_url,
                    api_key=self._api_key or NO_KEY,
                    max_retries=0,  # retries are ours, with visible Status events
                    timeout=self.timeout,
                    http_client=guarded_http_client(
                        self.request.base_url, max_line_bytes=4 * self.max_answer_chars + 65536
                    ),
                )
                async with asyncio.timeout(self.deadline):
                    await self._attempts(client, queue)
        except asyncio.CancelledError:
            self.result.interrupted = True  # stop(): keep what arrived
        except TimeoutError:
            self._fail(
                QT_TRANSLATE_NOOP(
                    "RunErrors",
                    "The answer from {url} took longer than {seconds} s in all and was ended "
                    "(Settings: run_deadline_seconds); the text received so far is kept.",
                ).format(url=self.request.base_url, seconds=f"{self.deadline:g}"),
                interrupted=True,
            )
        except Exception as error:  # anything unforeseen still ends the run with a message
            log.error("Run failed unexpectedly: %s", self._redact(repr(error)))
            self._fail(
                QT_TRANSLATE_NOOP("RunErrors", "Unexpected error with {url}: {error}.").format(
                    url=self.request.base_url,
                    error=self._redact(str(error)) or type(error).__name__,
                )
            )
        finally:
            if client is not None:
                # Closing is best effort: the answer is complete whether or not it succeeds.
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await asyncio.wait_for(asyncio.shield(client.close()), 1.0)
            try:
                self._flush_filters(queue)
                self._finish()
            except Exception as error:  # Finished must go out whatever the result holds
                log.error("Run result incomplete: %s", self._redact(repr(error)))
                self.result.error = self.result.error or self._redact(
                    f"The answer could not be completed ({type(error).__name__})."
                )
                self._done = True
            queue.put_nowait(Finished(self.result))

    def _redact(self, text: str) -> str:
        return redact(text, self._api_key)

    def _clean(self, text: str) -> str:
        """Text from the server, safe to keep: the key masked, surrogates mended."""
        if self._api_key and len(self._api_key) >= 6:
            text = text.replace(self._api_key, MASK)
        return clean_text(text)

    def _fail(self, message: str, *, interrupted: bool | None = None) -> None:
        # A Text keeps its template (the window translates it), with its values redacted.
        self.result.error = (
            message.mapped(self._redact) if isinstance(message, Text) else self._redact(message)
        )
        has_output = bool(self._text or self._reasoning or self._tools.calls)
        self.result.interrupted = has_output if interrupted is None else interrupted

    def _flush_filters(self, queue: RunQueue | None) -> None:
        """Takes the text the output filters held back (a possible key start, half an emoji)."""
        reasoning = self._reasoning_filter.flush()
        if reasoning:
            self._reasoning.append(reasoning)
            if queue is not None:
                queue.put_text(ReasoningDelta, reasoning)
        text = self._text_filter.flush()
        if self._echo is not None:
            text = (self._echo.feed(text) if text else "") + self._echo.flush()
        if text:
            self._text.append(text)
            if queue is not None:
                queue.put_text(TextDelta, text)

    def snapshot(self) -> RunResult:
        """The result as it stands, finished now (interrupted): for a loop that is closing.

        Ctrl+C in the CLI and a window closed mid-run cancel the run from outside; its text so
        far is still there to record.
        """
        if not self._done:
            self._stopped = True
            with contextlib.suppress(Exception):
                self._finish()
            self.result.interrupted = True
        return self.result

    def _finish(self) -> None:
        result = self.result
        self._flush_filters(None)
        result.text = "".join(self._text)
        result.reasoning = "".join(self._reasoning)
        for call in self._tools.calls:
            call.arguments = self._clean(call.arguments)
            call.name = self._clean(call.name)
            call.id = self._clean(call.id)
        result.tool_calls = list(self._tools.calls)
        result.duration_ms = (time.perf_counter() - self._start) * 1000
        if self._stopped:
            result.interrupted = True
        if result.usage is not None:
            catalog = self._catalog or _builtin_catalog()
            if self.request.kind not in UNPRICED_KINDS:
                result.cost_usd = catalog.cost_usd(result.model, result.usage)
        self._done = True

    async def _attempts(self, client: Any, queue: RunQueue) -> None:
        import openai

        wire = clean_value(self.request.wire_body())
        retries = 0
        while True:
            try:
                # The SDK's plain POST with raw chunks (dicts): the same request, headers and
                # errors as chat.completions.create(), without building a pydantic object per
                # chunk, which costs more than everything else a stream does.
                stream = await client.post(
                    "/chat/completions",
                    body=wire,
                    cast_to=object,
                    stream=True,
                    stream_cls=openai.AsyncStream[object],
                )
                break
            except openai.APIStatusError as error:
                decision = decide_retry(
                    _failure_from(error),
                    self.request,
                    retries=retries,
                    max_retries=self.max_retries,
                    backoff=self.backoff,
                )
                if decision.wait is None:
                    self._fail(decision.message or "")
                    return
                retries += 1
                queue.put_nowait(Status(decision.status or ""))
                await asyncio.sleep(decision.wait)
                continue
            except openai.APITimeoutError:
                self._fail(self._timeout_message())
                return
            except openai.APIConnectionError as error:
                self._fail(self._connection_message(error, before_answer=True))
                return
        async with stream:
            await self._consume(stream, queue)

    def _timeout_message(self) -> Text:
        if self._text:
            template = QT_TRANSLATE_NOOP(
                "RunErrors",
                "No answer from {url} within {seconds} s (timeout). The text received so far is "
                "kept.",
            )
        else:
            template = QT_TRANSLATE_NOOP(
                "RunErrors", "No answer from {url} within {seconds} s (timeout)."
            )
        return template.format(url=self.request.base_url, seconds=f"{self.timeout:g}")

    def _connection_message(self, error: BaseException, *, before_answer: bool) -> Text:
        from workbench.core.http_guard import RedirectRefused, find_cause

        redirect = find_cause(error, RedirectRefused)
        if isinstance(redirect, RedirectRefused):
            return QT_TRANSLATE_NOOP(
                "RunErrors",
                "The server at {url} redirected the request to {target}, another address: not "
                "followed, so the prompt was not sent there. If you trust the new address, make "
                "it the provider's base URL.",
            ).format(url=self.request.base_url, target=redirect.target)
        if before_answer and _is_refused(error):
            return QT_TRANSLATE_NOOP(
                "RunErrors",
                "Could not connect to {url}: connection refused. Is the server running, and is "
                "the base URL right?",
            ).format(url=self.request.base_url)
        if before_answer:
            return QT_TRANSLATE_NOOP("RunErrors", "Could not reach {url}: {error}.").format(
                url=self.request.base_url, error=str(error)
            )
        return QT_TRANSLATE_NOOP(
            "RunErrors",
            "The connection to {url} broke before the answer was complete; the text received so "
            "far is kept.",
        ).format(url=self.request.base_url)

    async def _consume(self, stream: Any, queue: RunQueue) -> None:
        import openai

        from workbench.core.http_guard import AnswerTooLarge

        result = self.result
        loop_time = time.perf_counter
        next_yield = loop_time() + YIELD_EVERY_S
        chunks = 0
        try:
            response = getattr(stream, "response", None)
            body_kind = _body_kind(response)
            if body_kind != "stream":
                await self._whole_body(response, body_kind, queue)
                return
            async for chunk in stream:
                if loop_time() >= next_yield:
                    # The SDK parses a buffered burst of chunks without ever suspending, which
                    # would hold the event loop (the UI thread under qasync) for hundreds of
                    # milliseconds: hand it back for a moment every few milliseconds.
                    await asyncio.sleep(0)
                    next_yield = loop_time() + YIELD_EVERY_S
                self._take_chunk(chunk, queue, "delta")
                chunks += 1
        except _UnreadableAnswer as error:
            self._fail(
                QT_TRANSLATE_NOOP(
                    "RunErrors",
                    "The server at {url} sent an answer this app cannot read ({error}); the "
                    "text received so far is kept.",
                ).format(url=self.request.base_url, error=str(error)),
                interrupted=True,
            )
            return
        except (AnswerTooLarge, _AnswerTooLong) as error:
            self._fail(
                QT_TRANSLATE_NOOP(
                    "RunErrors",
                    "The answer from {url} was ended: {error} (Settings: max_answer_mb). The "
                    "text received so far is kept.",
                ).format(url=self.request.base_url, error=str(error)),
                interrupted=True,
            )
            return
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            self._fail(
                (
                    QT_TRANSLATE_NOOP(
                        "RunErrors",
                        "The server at {url} sent a malformed stream line (not UTF-8); "
                        "the text received so far is kept.",
                    )
                    if isinstance(error, UnicodeDecodeError)
                    else QT_TRANSLATE_NOOP(
                        "RunErrors",
                        "The server at {url} sent a malformed stream line (not JSON); "
                        "the text received so far is kept.",
                    )
                ).format(url=self.request.base_url),
                interrupted=True,
            )
            return
        except openai.APITimeoutError:
            self._fail(self._timeout_message(), interrupted=True)
            return
        except openai.APIConnectionError as error:
            self._fail(self._connection_message(error, before_answer=False), interrupted=True)
            return
        except openai.APIError as error:  # an error event inside the stream
            failure = _failure_from(error)
            kind = f"{failure.type}: " if failure.type else ""
            self._fail(
                QT_TRANSLATE_NOOP(
                    "RunErrors",
                    "The server at {url} reported an error mid-answer ({error}); the text "
                    "received so far is kept.",
                ).format(url=self.request.base_url, error=f"{kind}{failure.message}"),
                interrupted=True,
            )
            return
        if result.finish_reason is None and not self._stopped:
            self._fail(
                (
                    QT_TRANSLATE_NOOP(
                        "RunErrors",
                        "The stream from {url} ended before the answer was complete "
                        "(no finish reason); the text received so far is kept.",
                    )
                    if chunks
                    else QT_TRANSLATE_NOOP(
                        "RunErrors",
                        "The server at {url} sent an empty answer (no stream events); "
                        "check the base URL.",
                    )
                ).format(url=self.request.base_url),
                interrupted=bool(chunks),
            )

    async def _whole_body(self, response: Any, body_kind: str, queue: RunQueue) -> None:
        """An answer sent as one body: a non-streamed chat completion is kept, anything else
        (an HTML page, an unknown JSON shape) is named."""
        limit = 4 * self.max_answer_chars + 65536
        raw = bytearray()
        async for piece in response.aiter_bytes():
            raw += piece
            if len(raw) > limit:
                raise _AnswerTooLong(f"the body passed {limit:,} bytes")
        content_type = response.headers.get("content-type", "") or "no content type"
        if body_kind == "json":
            try:
                data = loads(decode_text(bytes(raw)))
            except JsonInputError as error:
                raise _UnreadableAnswer(f"its JSON body: {error}") from None
            if isinstance(data, dict) and isinstance(data.get("choices"), list):
                self._take_chunk(data, queue, "message")  # not streamed: kept all the same
                if self.result.finish_reason is None:
                    self.result.finish_reason = "stop"
                return
            if isinstance(data, dict) and isinstance(data.get("error"), dict | str):
                reported = data["error"]
                message = reported.get("message") if isinstance(reported, dict) else reported
                self._fail(
                    QT_TRANSLATE_NOOP(
                        "RunErrors", "The server at {url} reported an error: {error}"
                    ).format(url=self.request.base_url, error=clean_text(str(message))[:500])
                )
                return
            raise _UnreadableAnswer("a JSON body that is neither a chat completion nor a stream")
        if "html" in content_type.lower():
            template = QT_TRANSLATE_NOOP(
                "RunErrors",
                "The server at {url} answered with an HTML page, not a chat-completion stream: "
                "is the base URL right (it usually ends in /v1)?",
            )
        else:
            template = QT_TRANSLATE_NOOP(
                "RunErrors",
                "The server at {url} answered with a {type} body, not a chat-completion stream: "
                "is the base URL right (it usually ends in /v1)?",
            )
        self._fail(template.format(url=self.request.base_url, type=content_type))

    def _take_chunk(self, chunk: Any, queue: RunQueue, field: str) -> None:
        """Applies one chunk (``field`` ``delta``) or a whole completion (``message``).

        Raises:
            _UnreadableAnswer: a part of the chunk has the wrong type (named by its place).
        """
        texts = _plain_texts(chunk, field)
        if texts is None:
            self._take_any_chunk(chunk, queue, field)
            return
        reasoning, content = texts
        if reasoning:
            self._first_token()
            self._add_reasoning(reasoning, queue)
        if content:
            self._first_token()
            self._add_text(content, queue)

    def _take_any_chunk(self, chunk: Any, queue: RunQueue, field: str) -> None:
        """:meth:`_take_chunk` for a chunk of any shape: every part checked, then applied."""
        put = queue.put_nowait
        result = self.result
        if not isinstance(chunk, dict):
            raise _UnreadableAnswer(f"a chunk is {_kind_of(chunk)}, not an object")
        usage = _usage(chunk.get("usage"))
        if usage is not None:
            result.usage = usage  # the same figures as in the last choice: counted once
        choices = chunk.get("choices")
        if choices is None:
            return
        if not isinstance(choices, list):
            raise _UnreadableAnswer(f"choices is {_kind_of(choices)}, not a list")
        for number, choice in enumerate(choices):
            at = f"choices[{number}]"
            if not isinstance(choice, dict):
                raise _UnreadableAnswer(f"{at} is {_kind_of(choice)}, not an object")
            delta = choice.get(field)
            if delta is not None and not isinstance(delta, dict):
                raise _UnreadableAnswer(f"{at}.{field} is {_kind_of(delta)}, not an object")
            delta = delta or {}
            reasoning = _text_field(delta, "reasoning_content", f"{at}.{field}")
            if reasoning:
                self._first_token()
                self._add_reasoning(reasoning, queue)
            content = _text_field(delta, "content", f"{at}.{field}")
            if content:
                self._first_token()
                self._add_text(content, queue)
            calls = delta.get("tool_calls")
            if calls is not None and not isinstance(calls, list):
                raise _UnreadableAnswer(f"{at}.{field}.tool_calls is {_kind_of(calls)}, not a list")
            for index, call_delta in enumerate(calls or ()):
                _check_call(call_delta, f"{at}.{field}.tool_calls[{index}]")
                self._first_token()
                self._grow(len(_get(_get(call_delta, "function"), "arguments") or ""))
                position = self._tools.add(call_delta)
                shown = replace(self._tools.calls[position])
                shown.arguments = self._clean(shown.arguments)
                put(ToolCallDelta(position, shown))
            finish = choice.get("finish_reason")
            if finish is not None and not isinstance(finish, str):
                raise _UnreadableAnswer(f"{at}.finish_reason is {_kind_of(finish)}, not text")
            if finish:
                result.finish_reason = finish
            usage = _usage(choice.get("usage"))
            if usage is not None:
                result.usage = usage

    def _grow(self, size: int) -> None:
        self._size += size
        if self._size > self.max_answer_chars:
            raise _AnswerTooLong(f"it passed {self.max_answer_chars:,} characters")

    def _add_text(self, text: str, queue: RunQueue) -> None:
        """Adds a piece of the answer: counted against the size limit, filtered (key, halves of
        an emoji), without the prefix's echo in instruction mode."""
        self._grow(len(text))
        text = self._text_filter.take(text)
        if text and self._echo is not None:
            text = self._echo.feed(text)
        if text:
            self._text.append(text)
            queue.put_text(TextDelta, text)

    def _add_reasoning(self, text: str, queue: RunQueue) -> None:
        """Adds a piece of the reasoning, filtered like the answer."""
        self._grow(len(text))
        text = self._reasoning_filter.take(text)
        if text:
            self._reasoning.append(text)
            queue.put_text(ReasoningDelta, text)

    def _first_token(self) -> None:
        if self.result.ttft_ms is None:
            self.result.ttft_ms = (time.perf_counter() - self._start) * 1000
