"""The guards of :mod:`workbench.core.http_guard` for the Anthropic SDK, which speaks ``httpx``.

The OpenAI SDK speaks ``httpx2``; the two libraries have the same shape but separate types, so
the same guard (:class:`~workbench.core.http_guard._Guard`, :class:`~workbench.core.http_guard.
_Bounded`) is bound to ``httpx``'s types here. Imported with the Anthropic SDK, on its first run.
"""

from __future__ import annotations

from typing import Any

import httpx

from workbench.core.http_guard import _Bounded, _Guard, origin


class _BoundedHttpxStream(_Bounded, httpx.AsyncByteStream):
    """A bounded body for ``httpx``."""


class _GuardedHttpxTransport(_Guard, httpx.AsyncBaseTransport):
    """The guards for ``httpx``."""

    _response = httpx.Response

    def _body(self, inner: Any, encoding: str) -> Any:
        return _BoundedHttpxStream(inner, encoding, self._max_line)


def guarded_anthropic_client(base_url: str, *, max_line_bytes: int, verify: Any) -> Any:
    """An async HTTP client for the Anthropic SDK with the guards of every request.

    Cross-origin redirects are refused (:class:`~workbench.core.http_guard.RedirectRefused`),
    compressed bodies are inflated in bounded pieces and a line longer than ``max_line_bytes``
    ends the answer (:class:`~workbench.core.http_guard.AnswerTooLarge`).

    Args:
        base_url: The provider's base URL; requests to another origin are refused.
        max_line_bytes: The longest line (bytes without a newline) a response may hold.
        verify: The TLS context (built once by the caller).
    """
    import anthropic

    try:
        from anthropic._constants import DEFAULT_CONNECTION_LIMITS

        limits = DEFAULT_CONNECTION_LIMITS
    except ImportError:  # another SDK layout: httpx's own default
        limits = httpx.Limits()
    inner = httpx.AsyncHTTPTransport(verify=verify, limits=limits)
    transport = _GuardedHttpxTransport(inner, origin(base_url), max_line_bytes)
    return anthropic.DefaultAsyncHttpxClient(transport=transport)
