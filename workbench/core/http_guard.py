"""The HTTP client every request to a provider goes through, guarded against hostile servers.

Two things a server must not be able to do to the app (whichever SDK talks to it: the OpenAI SDK
over ``httpx2``, the Anthropic SDK over ``httpx``: :func:`guarded_http_client` here, and
:func:`workbench.core.httpx_guard.guarded_anthropic_client`, give each the same guards):

- **Send the prompt elsewhere.** A redirect to another origin (scheme, host or port) is not
  followed: the SDK would re-post the whole prompt there (the key is stripped, the prompt is not).
  :class:`RedirectRefused` says where it pointed.
- **Fill the memory.** A gzip bomb (1 MB that inflates to gigabytes) or a stream line that never
  ends would be held whole before the first chunk is parsed. Compressed bodies are inflated here in
  bounded pieces, and a line longer than the limit ends the response with :class:`AnswerTooLarge`.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import httpx2

#: Inflated output is produced in pieces of at most this many bytes.
INFLATE_PIECE = 64 * 1024
#: The longest line a small JSON answer (a count, a model list, a balance) may have.
STATE_LINE_BYTES = 16 * 1024 * 1024


class RedirectRefused(httpx2.TransportError):
    """The server redirected to another origin; the request was not sent there.

    A transport error, so the SDK reports it as a connection error (this one its cause).
    """

    def __init__(self, target: str) -> None:
        super().__init__(f"redirected to {target}")
        self.target = target


class AnswerTooLarge(Exception):
    """The server sent more than the app takes (one line, or the whole answer)."""


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of ``url``, the port made explicit for http and https."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port or default
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def find_cause(error: BaseException | None, kind: type[BaseException]) -> BaseException | None:
    """``error`` or the first exception of type ``kind`` in its chain of causes."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


@lru_cache(maxsize=1)
def _ssl_context() -> Any:
    """The default TLS context, built once: loading the CA bundle costs ~50 ms per client."""
    return httpx2.create_ssl_context()


async def load_tls_off_loop() -> None:
    """Builds the TLS context on a worker thread the first time (loading the CA bundle takes a
    few hundred ms under load), so that a first request does not stall the event loop."""
    if _ssl_context.cache_info().currsize == 0:
        await asyncio.to_thread(_ssl_context)


def guarded_http_client(base_url: str, *, max_line_bytes: int) -> Any:
    """An async HTTP client for the OpenAI SDK, with the SDK's defaults and the guards above.

    Args:
        base_url: The provider's base URL; requests to another origin are refused.
        max_line_bytes: The longest line (bytes without a newline) a response may hold.
    """
    import openai

    try:
        from openai._constants import DEFAULT_CONNECTION_LIMITS

        limits = DEFAULT_CONNECTION_LIMITS
    except ImportError:  # another SDK layout: httpx's own default
        limits = httpx2.Limits()
    inner = httpx2.AsyncHTTPTransport(verify=_ssl_context(), limits=limits)
    transport = _GuardedTransport(inner, origin(base_url), max_line_bytes)
    return openai.DefaultAsyncHttpxClient(transport=transport)


class _Guard:
    """What both guarded transports do; the subclasses say which HTTP library's types to use."""

    _response: Any = httpx2.Response

    def __init__(self, inner: Any, allowed: tuple[str, str, int | None], max_line: int) -> None:
        self._inner = inner
        self._allowed = allowed
        self._max_line = max_line

    def _body(self, inner: Any, encoding: str) -> Any:
        return _BoundedStream(inner, encoding, self._max_line)

    async def handle_async_request(self, request: Any) -> Any:
        url = str(request.url)
        if origin(url) != self._allowed:
            raise RedirectRefused(url.split("?", 1)[0])
        response = await self._inner.handle_async_request(request)
        encoding = response.headers.get("content-encoding", "").strip().lower()
        inflate = encoding in ("gzip", "x-gzip", "deflate")
        stream = self._body(response.stream, encoding if inflate else "")
        headers = [
            (name, value)
            for name, value in response.headers.raw
            if not (inflate and name.lower() in (b"content-encoding", b"content-length"))
        ]
        return self._response(
            status_code=response.status_code,
            headers=headers,
            stream=stream,
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._inner.aclose()


class _GuardedTransport(_Guard, httpx2.AsyncBaseTransport):
    """The guards for the OpenAI SDK's ``httpx2``."""


class _Bounded:
    """A response body inflated in bounded pieces, with no line longer than the limit."""

    def __init__(self, inner: Any, encoding: str, max_line: int) -> None:
        self._inner = inner
        self._max_line = max_line
        self._line = 0  # bytes since the last newline
        self._inflater: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            self._inflater = zlib.decompressobj()

    def _count(self, piece: bytes) -> bytes:
        newline = piece.rfind(b"\n")
        self._line = len(piece) - newline - 1 if newline >= 0 else self._line + len(piece)
        if self._line > self._max_line:
            raise AnswerTooLarge(
                f"a line of the answer passed {self._max_line:,} bytes without ending"
            )
        return piece

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for raw in self._inner:
            if self._inflater is None:
                yield self._count(raw)
                continue
            data = raw
            while data:
                try:
                    piece = self._inflater.decompress(data, INFLATE_PIECE)
                except zlib.error as error:
                    raise AnswerTooLarge(f"the compressed answer is damaged ({error})") from None
                data = self._inflater.unconsumed_tail
                if piece:
                    yield self._count(piece)
        if self._inflater is not None:
            rest = self._inflater.flush()
            if rest:
                yield self._count(rest)

    async def aclose(self) -> None:
        await self._inner.aclose()


class _BoundedStream(_Bounded, httpx2.AsyncByteStream):
    """A bounded body for ``httpx2`` (the OpenAI SDK)."""
