"""The Anthropic Messages transport of a :class:`~workbench.core.runner.Run`.

A run whose provider kind is ``anthropic`` streams ``POST {base}/v1/messages`` through the
``anthropic`` SDK (imported on the first such run) and turns its server-sent events into the same
:data:`~workbench.core.run_types.RunEvent` values as a Chat Completions stream: ``text_delta`` to
:class:`TextDelta`, ``thinking_delta`` to :class:`ReasoningDelta`, ``tool_use`` blocks and their
``input_json_delta`` fragments to :class:`ToolCallDelta`, ``message_delta`` to the finish reason
and usage (cache reads and writes included). Errors get the runner's plain messages; 429 and 529
``overloaded_error`` are retried like a rate limit, honouring ``retry-after``, a bounded number of
times. Exact prompt sizes come from ``POST /v1/messages/count_tokens``
(:class:`workbench.core.exact_count.AnthropicCountClient`). Every request goes through the same
guards as the OpenAI runner's (:mod:`workbench.core.httpx_guard`: no cross-origin redirect, a
bounded answer size); the runner holds the run to its overall deadline.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace
from functools import lru_cache
from typing import Any

from workbench.core.run_errors import YIELD_EVERY_S, _AnswerTooLong, _failure_from, decide_retry
from workbench.core.run_queue import RunQueue
from workbench.core.run_types import (
    Status,
    ToolCall,
    ToolCallDelta,
    Usage,
)
from workbench.core.sdk import load_anthropic, loaded
from workbench.core.texts import QT_TRANSLATE_NOOP

#: The Messages API's stop reasons in the Chat Completions words the views know.
STOP_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "pause_turn": "stop",
    "refusal": "content_filter",
}
#: Sent as the key to servers that need none (the SDK refuses to start without one).
NO_KEY = "no-key-needed"


@lru_cache(maxsize=1)
def _ssl_context() -> Any:
    """The default TLS context, built once: loading the CA bundle costs ~100 ms per client."""
    import httpx

    return httpx.create_ssl_context()


def load_sdk() -> None:
    """Imports the SDK and builds the TLS context: seconds of work the first time, meant for a
    worker thread (:meth:`AnthropicTransport.prepare`), never the UI thread."""
    load_anthropic()

    _ssl_context()


async def load_sdk_off_loop() -> None:
    """:func:`load_sdk` on a worker thread, when there is anything left to load."""
    if loaded("anthropic") is None or _ssl_context.cache_info().currsize == 0:
        await asyncio.to_thread(load_sdk)


def make_client(base_url: str, api_key: str | None, timeout: float, *, max_line_bytes: int) -> Any:
    """An ``AsyncAnthropic`` client without the SDK's own retries (the run's are visible).

    Its HTTP client carries the guards every request to a provider has
    (:mod:`workbench.core.http_guard`): no redirect to another origin, compressed bodies inflated
    in bounded pieces, no line longer than ``max_line_bytes``.
    """
    import anthropic

    from workbench.core.httpx_guard import guarded_anthropic_client

    http_client = guarded_anthropic_client(
        base_url, max_line_bytes=max_line_bytes, verify=_ssl_context()
    )
    return anthropic.AsyncAnthropic(
        base_url=base_url,
        api_key=api_key or NO_KEY,
        max_retries=0,
        timeout=timeout,
        http_client=http_client,
    )


def usage_from(usage: Any, previous: Usage | None = None) -> Usage | None:
    """A :class:`Usage` from a Messages API usage object (message_start or message_delta).

    ``input_tokens`` excludes the cache: the prompt is input + cache reads + cache writes.
    A ``message_delta`` usage may carry only ``output_tokens``: the rest is kept from before.
    """
    if not isinstance(usage, dict):
        return previous
    base = previous or Usage()

    def number(name: str, default: int) -> int:
        value = usage.get(name)
        return value if isinstance(value, int) else default

    fresh = number("input_tokens", -1)
    read = number("cache_read_input_tokens", base.cached_tokens)
    written = number("cache_creation_input_tokens", base.cache_write_tokens)
    prompt = base.prompt_tokens if fresh < 0 else fresh + read + written
    output = number("output_tokens", base.completion_tokens)
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=output,
        total_tokens=prompt + output,
        cached_tokens=read,
        cache_write_tokens=written,
    )


class AnthropicTransport:
    """Streams one run's request over the Messages API into the run's queue."""

    def __init__(self, run: Any) -> None:
        # ``run`` is the workbench.core.runner.Run that owns this transport; not imported here,
        # not even for its type, so that the runner can import this module without a cycle.
        self.run = run
        self.client: Any = None
        self._blocks: dict[int, tuple[str, int]] = {}  # block index -> (type, call position)

    async def prepare(self) -> None:
        """Loads the SDK off the event loop (the first time it takes seconds), then the client."""
        await load_sdk_off_loop()
        run = self.run
        self.client = make_client(
            run.request.base_url,
            run._api_key,
            run.timeout,
            max_line_bytes=4 * run.max_answer_chars + 65536,
        )

    async def attempts(self, queue: RunQueue) -> None:
        """Sends the request, retrying rate limits and overloads; then reads the stream."""
        import anthropic

        run = self.run
        wire = run.request.wire_body()
        retries = 0
        while True:
            try:
                # The SDK's plain POST with raw events (dicts), as the Chat Completions path does:
                # the same request, headers and errors, without a pydantic object per event.
                stream = await self.client.post(
                    "/v1/messages",
                    body=wire,
                    cast_to=object,
                    stream=True,
                    stream_cls=anthropic.AsyncStream[object],
                )
                break
            except anthropic.APIStatusError as error:
                decision = decide_retry(
                    _failure_from(error),
                    run.request,
                    retries=retries,
                    max_retries=run.max_retries,
                    backoff=run.backoff,
                )
                if decision.wait is None:
                    run._fail(decision.message or "")
                    return
                retries += 1
                queue.put_nowait(Status(decision.status or ""))
                await asyncio.sleep(decision.wait)
                continue
            except anthropic.APITimeoutError:
                run._fail(run._timeout_message())
                return
            except anthropic.APIConnectionError as error:
                run._fail(run._connection_message(error, before_answer=True))
                return
        async with stream:
            await self._consume(stream, queue)

    async def _consume(self, stream: Any, queue: RunQueue) -> None:
        import anthropic

        from workbench.core.http_guard import AnswerTooLarge

        run = self.run
        put = queue.put_nowait
        result = run.result
        clock = time.perf_counter
        next_yield = clock() + YIELD_EVERY_S
        ended = False
        try:
            async for event in stream:
                if clock() >= next_yield:
                    # A buffered burst is parsed without suspending: let the UI breathe.
                    await asyncio.sleep(0)
                    next_yield = clock() + YIELD_EVERY_S
                if not isinstance(event, dict):
                    continue
                kind = event.get("type")
                if kind == "content_block_delta":
                    delta = event.get("delta") or {}
                    delta_kind = delta.get("type")
                    if delta_kind == "text_delta":
                        text = delta.get("text") or ""
                        if text:
                            run._first_token()
                            run._add_text(text, queue)
                    elif delta_kind == "thinking_delta":
                        thinking = delta.get("thinking") or ""
                        if thinking:
                            run._first_token()
                            run._add_reasoning(thinking, queue)
                    elif delta_kind == "input_json_delta":
                        self._grow_call(event.get("index"), delta.get("partial_json") or "", put)
                elif kind == "content_block_start":
                    self._start_block(event, queue)
                elif kind == "message_start":
                    message = event.get("message") or {}
                    result.usage = usage_from(message.get("usage"), result.usage)
                elif kind == "message_delta":
                    delta = event.get("delta") or {}
                    reason = delta.get("stop_reason")
                    if isinstance(reason, str):
                        result.finish_reason = STOP_REASONS.get(reason, reason)
                    result.usage = usage_from(event.get("usage"), result.usage)
                elif kind == "message_stop":
                    ended = True
        except (AnswerTooLarge, _AnswerTooLong) as error:
            run._fail(
                QT_TRANSLATE_NOOP(
                    "RunErrors",
                    "The answer was ended: {error} (Settings: max_answer_mb). The text received "
                    "so far is kept.",
                ).format(error=str(error)),
                interrupted=True,
            )
            return
        except json.JSONDecodeError:
            run._fail(
                QT_TRANSLATE_NOOP(
                    "RunErrors",
                    "The server sent a malformed stream line (not JSON); the text received so "
                    "far is kept.",
                ),
                interrupted=True,
            )
            return
        except anthropic.APITimeoutError:
            run._fail(run._timeout_message(), interrupted=True)
            return
        except anthropic.APIConnectionError as error:
            run._fail(run._connection_message(error, before_answer=False), interrupted=True)
            return
        except anthropic.APIError as error:  # an "error" event inside the stream
            failure = _failure_from(error)
            kind_text = f"{failure.type}: " if failure.type else ""
            run._fail(
                QT_TRANSLATE_NOOP(
                    "RunErrors",
                    "The server reported an error mid-answer ({error}); the text received so far "
                    "is kept.",
                ).format(error=f"{kind_text}{failure.message}"),
                interrupted=True,
            )
            return
        if (not ended or result.finish_reason is None) and not run.stopped:
            run._fail(
                QT_TRANSLATE_NOOP(
                    "RunErrors",
                    "The stream ended before the answer was complete (no message_stop); the text "
                    "received so far is kept.",
                ),
                interrupted=True,
            )
            return
        self._check_calls()

    def _start_block(self, event: dict[str, Any], queue: RunQueue) -> None:
        block = event.get("content_block") or {}
        index = event.get("index")
        if not isinstance(index, int) or not isinstance(block, dict):
            return
        if block.get("type") == "tool_use":
            run = self.run
            run._first_token()
            calls = run._tools.calls
            call = ToolCall(id=str(block.get("id") or ""), name=str(block.get("name") or ""))
            start = block.get("input")
            if isinstance(start, dict) and start:
                call.arguments = json.dumps(start, ensure_ascii=False)
            calls.append(call)
            self._blocks[index] = ("tool_use", len(calls) - 1)
            queue.put_nowait(ToolCallDelta(len(calls) - 1, replace(call)))
        else:
            self._blocks[index] = (str(block.get("type") or ""), -1)
            text = block.get("text")
            if block.get("type") == "text" and isinstance(text, str) and text:
                self.run._first_token()
                self.run._add_text(text, queue)

    def _grow_call(self, index: Any, fragment: str, put: Any) -> None:
        kind, position = self._blocks.get(index, ("", -1)) if isinstance(index, int) else ("", -1)
        if kind != "tool_use" or not fragment:
            return
        call = self.run._tools.calls[position]
        call.arguments += fragment
        put(ToolCallDelta(position, replace(call)))

    def _check_calls(self) -> None:
        """A tool without parameters streams no input: its arguments are ``{}``.

        Input that is not valid JSON is kept as it came; the call's card says what is wrong
        with it (:func:`workbench.core.tools.call_problems`), as for any provider.
        """
        for call in self.run._tools.calls:
            if not call.arguments:
                call.arguments = "{}"
