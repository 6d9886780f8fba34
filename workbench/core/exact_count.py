"""Exact token counts from a provider's count endpoint (Moonshot), debounced and cancellable.

``POST {base}/tokenizers/estimate-token-count`` with ``{"model", "messages"}`` answers
``{"data": {"total_tokens": N}}``. It counts the messages only, not the tools. Requests go through
the OpenAI SDK's low-level ``post`` so the app keeps one HTTP stack. Every failure becomes a
:class:`ExactCountError` whose text is fit for a tooltip (keys redacted); callers fall back to the
local estimate.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from workbench.core.conversation import Message
from workbench.core.sdk import load_openai_off_loop
from workbench.core.secrets import redact
from workbench.core.workspace import message_to_json

if TYPE_CHECKING:
    from openai import AsyncOpenAI

COUNT_PATH = "/tokenizers/estimate-token-count"
#: Provider kinds whose API has the count endpoint.
EXACT_COUNT_KINDS = frozenset({"moonshot"})
#: Seconds of quiet typing before an exact count is requested.
DEBOUNCE_SECONDS = 0.4


class ExactCountError(Exception):
    """Why no exact figure could be had (one sentence, no key in it)."""


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
        except openai.APIStatusError as error:
            answer: Any = error.body
            if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
                answer = answer["error"]
            detail = answer.get("message") if isinstance(answer, dict) else None
            if not isinstance(detail, str):
                detail = error.message
            raise ExactCountError(self._redact(f"HTTP {error.status_code}: {detail}")) from None
        except openai.APITimeoutError:
            raise ExactCountError(f"no answer within {self._timeout:g} s") from None
        except openai.APIConnectionError as error:
            from workbench.core.http_guard import RedirectRefused, find_cause

            redirect = find_cause(error, RedirectRefused)
            if isinstance(redirect, RedirectRefused):
                raise ExactCountError(
                    f"{self.base_url} redirected to {redirect.target}, another address: not "
                    "followed"
                ) from None
            raise ExactCountError(self._redact(f"cannot reach {self.base_url} ({error})")) from None
        try:
            total = reply["data"]["total_tokens"]
        except (KeyError, TypeError):
            raise ExactCountError("the count endpoint answered without data.total_tokens") from None
        if not isinstance(total, int) or isinstance(total, bool) or total < 0:
            raise ExactCountError(f"the count endpoint answered {total!r}, not a token count")
        return total

    def _redact(self, text: str) -> str:
        # The key in use is masked whatever it looks like; servers echo keys in their errors.
        return redact(text, self._api_key)

    async def aclose(self) -> None:
        """Closes the HTTP connections."""
        if self._client is not None:
            await self._client.close()
            self._client = None


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
