"""Exact token counts from a provider's count endpoint, debounced and cancellable.

Two endpoints, one per provider kind that has one:

- Moonshot: ``POST {base}/tokenizers/estimate-token-count`` with ``{"model", "messages"}``
  answers ``{"data": {"total_tokens": N}}``. It counts the messages only, not the tools. Requests
  go through the OpenAI SDK's low-level ``post`` (:class:`ExactCountClient`).
- The Anthropic Messages API (kind ``anthropic``): ``POST {base}/v1/messages/count_tokens`` with
  the request less ``max_tokens`` answers ``{"input_tokens": N}``, tools and system included.
  Requests go through the ``anthropic`` SDK (:class:`AnthropicCountClient`).

Both clients turn a workspace into a request at once (:meth:`ExactCountClient.prepare`), so a
later keystroke cannot change what a pending count counts. Every failure becomes a
:class:`ExactCountError` whose text is fit for a tooltip (keys redacted); callers fall back to the
local estimate.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from workbench.core.anthropic_format import count_body
from workbench.core.anthropic_transport import load_sdk_off_loop, make_client
from workbench.core.catalog import Catalog
from workbench.core.conversation import Message
from workbench.core.payloads import RequestError, exact_count_body
from workbench.core.providers import Prefill, ProviderConfig
from workbench.core.sdk import load_openai_off_loop
from workbench.core.secrets import redact
from workbench.core.workspace import Workspace, WorkspaceError, message_to_json

if TYPE_CHECKING:
    from openai import AsyncOpenAI

COUNT_PATH = "/tokenizers/estimate-token-count"
#: The Messages API's count endpoint, under the provider's base URL.
MESSAGES_COUNT_PATH = "/v1/messages/count_tokens"
#: Provider kinds whose API has a count endpoint.
EXACT_COUNT_KINDS = frozenset({"moonshot", "anthropic"})
#: Provider kinds whose count includes the tool definitions (Moonshot's counts messages only).
TOOLS_COUNTED_KINDS = frozenset({"anthropic"})
#: Seconds of quiet typing before an exact count is requested.
DEBOUNCE_SECONDS = 0.4


class ExactCountError(Exception):
    """Why no exact figure could be had (one sentence, no key in it)."""


class CountTarget(NamedTuple):
    """Where exact counts of one provider's requests are asked.

    Attributes:
        base_url: The provider's base URL.
        api_key: Its key; kept in memory only.
        kind: The provider kind, which decides the endpoint (``moonshot`` or ``anthropic``).
    """

    base_url: str
    api_key: str
    kind: str = "moonshot"


def _status_reason(status: int, body: Any, fallback: str) -> str:
    """``HTTP 400: <the server's message>`` from an error body of either format.

    Moonshot sends ``{"error": {"type", "message"}}``, the Messages API
    ``{"type": "error", "error": {"type", "message"}}``: both hold the words under ``error``.
    """
    answer = body
    if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
        answer = answer["error"]
    detail = answer.get("message") if isinstance(answer, dict) else None
    return f"HTTP {status}: {detail if isinstance(detail, str) and detail else fallback}"


def _failure(sdk: Any, error: Exception, base_url: str, timeout: float, api_key: str) -> Exception:
    """What a count request that raised ``error`` (an ``openai`` or ``anthropic`` SDK error) says.

    Both SDKs name their errors alike; the key in use is masked whatever it looks like (servers
    echo keys in their errors). Anything that is not an SDK error is given back as it is.
    """
    if isinstance(error, sdk.APIStatusError):
        reason = _status_reason(error.status_code, error.body, error.message)
        return ExactCountError(redact(reason, api_key))
    if isinstance(error, sdk.APITimeoutError):
        return ExactCountError(f"no answer within {timeout:g} s")
    if isinstance(error, sdk.APIConnectionError):
        from workbench.core.http_guard import RedirectRefused, find_cause

        redirect = find_cause(error, RedirectRefused)
        if isinstance(redirect, RedirectRefused):
            return ExactCountError(
                f"{base_url} redirected the count to {redirect.target}, another address: not "
                "followed"
            )
        return ExactCountError(redact(f"cannot reach {base_url} ({error})", api_key))
    return error


class ExactCountClient:
    """Asks one provider for exact counts.

    Args:
        base_url: The provider's OpenAI-compatible base URL (``https://api.moonshot.ai/v1``).
        api_key: The key; kept in memory only.
        timeout: Seconds before a request is given up.
    """

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._timeout = timeout
        self._client: AsyncOpenAI | None = None

    #: The count covers the messages only: the meter adds its estimate of the tools.
    tools_counted = False

    def prepare(self, workspace: Workspace, catalog: Catalog) -> Callable[[], Awaitable[int]]:
        """The count of the workspace's messages as they are now, to be asked later."""
        model = workspace.params.model
        messages = workspace.sent_messages()
        return lambda: self.count(model, messages)

    def _sdk(self) -> AsyncOpenAI:
        if self._client is None:
            from openai import AsyncOpenAI  # imported late: the SDK is slow to import

            from workbench.core.http_guard import STATE_LINE_BYTES, guarded_http_client

            self._client = AsyncOpenAI(
                base_url=self.base_url,
                api_key=self._api_key,
                max_retries=0,  # a count is advisory: a later keystroke asks again
                timeout=self._timeout,
                # The prompt is posted: never re-posted to another origin by a redirect.
                http_client=guarded_http_client(self.base_url, max_line_bytes=STATE_LINE_BYTES),
            )
        return self._client

    async def count(self, model: str, messages: Sequence[Message]) -> int:
        """The provider's count of ``messages`` for ``model`` (tools not included).

        Raises:
            ExactCountError: any failure (network, HTTP status, unexpected body), explained.
        """
        openai = await load_openai_off_loop()  # in the window, this loop paints it
        from workbench.core.http_guard import load_tls_off_loop

        await load_tls_off_loop()

        body = {"model": model, "messages": [message_to_json(m) for m in messages]}
        try:
            reply: Any = await self._sdk().post(COUNT_PATH, cast_to=object, body=body)
        except openai.APIError as error:
            raise _failure(openai, error, self.base_url, self._timeout, self._api_key) from None
        try:
            total = reply["data"]["total_tokens"]
        except (KeyError, TypeError):
            raise ExactCountError("the count endpoint answered without data.total_tokens") from None
        if not isinstance(total, int) or isinstance(total, bool) or total < 0:
            raise ExactCountError(f"the count endpoint answered {total!r}, not a token count")
        return total

    async def aclose(self) -> None:
        """Closes the HTTP connections."""
        if self._client is not None:
            await self._client.close()
            self._client = None


class AnthropicCountClient:
    """Asks a Messages API provider (kind ``anthropic``) for exact counts, tools included.

    Args:
        base_url: The provider's base URL (``https://api.moonshot.ai/anthropic``); the endpoint
            is ``{base_url}/v1/messages/count_tokens``.
        api_key: The key; kept in memory only.
        timeout: Seconds before a request is given up.
    """

    #: The count covers system, messages and tools: nothing is left to estimate.
    tools_counted = True

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._timeout = timeout
        self._client: Any = None

    def prepare(self, workspace: Workspace, catalog: Catalog) -> Callable[[], Awaitable[int]]:
        """The count of the request the workspace would send now, to be asked later.

        Raises:
            ExactCountError: the request cannot be built (said in words).
        """
        provider = ProviderConfig(
            "count", "count", "anthropic", self.base_url, Prefill.TRAILING_ASSISTANT, ""
        )
        try:
            body = exact_count_body(workspace, provider, catalog=catalog)
        except (RequestError, WorkspaceError) as error:
            raise ExactCountError(f"the request cannot be built: {error}") from None
        return lambda: self.count_body(body)

    async def count_body(self, body: dict[str, Any]) -> int:
        """The provider's count of a Messages API request body (``max_tokens`` is left out).

        Raises:
            ExactCountError: any failure (network, HTTP status, unexpected body), explained.
        """
        await load_sdk_off_loop()  # seconds the first time: not on the window's UI thread
        import anthropic

        if self._client is None:
            from workbench.core.http_guard import STATE_LINE_BYTES

            self._client = make_client(
                self.base_url, self._api_key, self._timeout, max_line_bytes=STATE_LINE_BYTES
            )
        try:
            reply: Any = await self._client.post(
                MESSAGES_COUNT_PATH, body=count_body(body), cast_to=object
            )
        except anthropic.APIError as error:
            raise _failure(anthropic, error, self.base_url, self._timeout, self._api_key) from None
        total = reply.get("input_tokens") if isinstance(reply, dict) else None
        if not isinstance(total, int) or isinstance(total, bool) or total < 0:
            raise ExactCountError("the count endpoint answered without input_tokens")
        return total

    async def aclose(self) -> None:
        """Closes the HTTP connections."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()


def count_client(target: CountTarget) -> ExactCountClient | AnthropicCountClient:
    """The client that asks ``target``'s count endpoint (by its provider kind)."""
    if target.kind == "anthropic":
        return AnthropicCountClient(target.base_url, target.api_key)
    return ExactCountClient(target.base_url, target.api_key)


class ExactCountScheduler:
    """Runs the latest count request after a quiet spell, cancelling the ones it replaces.

    Each :meth:`schedule` call supersedes the previous one: a pending wait is cancelled, and an
    answer already on its way is dropped (its request cancelled), so a stale figure never shows.

    Args:
        delay: Seconds of quiet before the request starts.
    """

    def __init__(self, delay: float = DEBOUNCE_SECONDS) -> None:
        self.delay = delay
        self._task: asyncio.Task[None] | None = None
        self._generation = 0

    @property
    def pending(self) -> bool:
        """Whether a request is waiting or in flight."""
        return self._task is not None and not self._task.done()

    def schedule(
        self,
        fetch: Callable[[], Awaitable[int]],
        on_result: Callable[[int | None, str | None], object],
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        """Runs ``fetch`` after the delay; ``on_result(total, None)`` or ``(None, reason)``.

        Args:
            fetch: Makes the request (called after the delay, only if not superseded).
            on_result: Gets the answer of the latest request only.
            loop: The loop to run on; the running event loop by default.
        """
        self.cancel()
        self._generation += 1
        generation = self._generation
        loop = loop or asyncio.get_running_loop()
        self._task = loop.create_task(self._run(generation, fetch, on_result))

    async def _run(
        self,
        generation: int,
        fetch: Callable[[], Awaitable[int]],
        on_result: Callable[[int | None, str | None], object],
    ) -> None:
        await asyncio.sleep(self.delay)
        try:
            total: int | None = await fetch()
            reason: str | None = None
        except ExactCountError as error:
            total, reason = None, str(error)
        if generation == self._generation:
            on_result(total, reason)

    def cancel(self) -> None:
        """Drops the pending request, if any."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None

    async def wait(self) -> None:
        """Waits for the pending request to finish (tests, the CLI)."""
        task = self._task
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task
