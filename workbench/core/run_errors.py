"""What the transports share: API errors read and worded, the retry bounds, the stream pace.

The OpenAI-compatible run (:mod:`workbench.core.runner`) and the Anthropic Messages transport
(:mod:`workbench.core.anthropic_transport`) both import these; neither imports the other's module
for them, so the two stay free of an import cycle.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from typing import Any

from workbench.core.payloads import ChatRequest
from workbench.core.texts import QT_TRANSLATE_NOOP, Text

#: The longest wait a Retry-After header may impose before the run gives up waiting.
MAX_RETRY_WAIT = 60.0
#: The longest a stream is parsed without yielding to the event loop (seconds).
YIELD_EVERY_S = 0.004

QUOTA_TYPES = ("exceeded_current_quota_error", "insufficient_quota")
#: Words of a quota error's message: gateways rename its type (LiteLLM's ``throttling_error``)
#: but pass the provider's message on.
QUOTA_MARKERS = (
    "quota",
    "billing",
    "insufficient balance",
    "insufficient_balance",
    "suspended",
    "top up",
)
#: Hosts of Moonshot's own API (its key hint is wrong for a gateway in front of it).
MOONSHOT_HOSTS = ("api.moonshot.ai", "api.moonshot.cn")
CONTEXT_MARKERS = (
    "token limit",
    "context length",
    "context_length",
    "maximum context",
    "context window",
    "too many tokens",
    "too long",
)


class _AnswerTooLong(Exception):
    """The answer passed the size limit."""


# Errors ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiFailure:
    """An HTTP error of the API, read from its ``{"error": {"type", "message"}}`` body."""

    status: int
    type: str
    message: str
    retry_after: float | None = None
    code: str = ""

    @property
    def is_quota(self) -> bool:
        """The account has no quota left: retrying cannot help.

        Read from the type, the code and the message: a gateway may rename the type.
        """
        if self.status != 429:
            return False
        if self.type in QUOTA_TYPES or self.code in QUOTA_TYPES:
            return True
        text = self.message.lower()
        return any(marker in text for marker in QUOTA_MARKERS)

    @property
    def retryable(self) -> bool:
        """A rate limit, an overloaded engine or a server fault: worth another try."""
        return (self.status == 429 and not self.is_quota) or self.status >= 500


@dataclass(frozen=True)
class RetryDecision:
    """What a transport does after a failed POST: wait and retry, or end the run with a message.

    Attributes:
        wait: Seconds to wait before the next try, or None to give up.
        status: The line shown while waiting (None when giving up).
        message: The run's error when giving up (None when retrying).
    """

    wait: float | None
    status: Text | None = None
    message: Text | None = None


#: How the waiting line names a retryable status.
_RETRY_WHAT = {
    429: QT_TRANSLATE_NOOP("RunErrors", "Rate limited"),
    529: QT_TRANSLATE_NOOP("RunErrors", "Overloaded"),
}
_SERVER_ERROR = QT_TRANSLATE_NOOP("RunErrors", "Server error")


def decide_retry(
    failure: ApiFailure, request: ChatRequest, *, retries: int, max_retries: int, backoff: float
) -> RetryDecision:
    """The one retry rule of every transport: bounded tries, ``Retry-After`` honoured.

    Args:
        failure: The API error the POST got.
        request: The request, for the wording of a final error.
        retries: How many retries were already made.
        max_retries: The most retries a run makes.
        backoff: The first wait when the server names none (doubled per retry).
    """
    too_long = failure.retry_after is not None and failure.retry_after > MAX_RETRY_WAIT
    if failure.retryable and retries < max_retries and not too_long:
        attempt = retries + 1
        wait = failure.retry_after
        if wait is None:
            wait = min(backoff * 2 ** (attempt - 1), MAX_RETRY_WAIT)
        what = _RETRY_WHAT.get(failure.status, _SERVER_ERROR)
        kind = f" {failure.type}" if failure.type else ""
        return RetryDecision(
            wait=wait,
            status=QT_TRANSLATE_NOOP(
                "RunErrors", "{what} ({status}): retry {attempt} of {tries} in {wait} s"
            ).format(
                what=what,
                status=f"{failure.status}{kind}",
                attempt=attempt,
                tries=max_retries,
                wait=f"{wait:.1f}",
            ),
        )
    message = describe_failure(failure, request, retries=retries)
    if too_long and failure.retryable:
        # Retrying sooner than the server asked would only be refused again.
        message = QT_TRANSLATE_NOOP(
            "RunErrors", "{message} The server asks to wait {seconds} s first."
        ).format(message=message, seconds=f"{failure.retry_after:.0f}")
    return RetryDecision(wait=None, message=message)


def _failure_from(error: Any) -> ApiFailure:
    body = getattr(error, "body", None)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body = body["error"]
    kind = message = code = ""
    if isinstance(body, dict):
        kind = str(body.get("type") or body.get("code") or "")
        code = str(body.get("code") or "")
        message = str(body.get("message") or body.get("detail") or "")
    response = getattr(error, "response", None)
    status = int(getattr(error, "status_code", 0) or getattr(response, "status_code", 0) or 0)
    if not message:
        message = str(getattr(error, "message", "") or error)
    headers = getattr(response, "headers", None)
    return ApiFailure(status, kind, message, _retry_after(headers), code)


def _retry_after(headers: Any) -> float | None:
    """Seconds a ``Retry-After`` (or ``retry-after-ms``) header asks to wait, if any."""
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def describe_failure(failure: ApiFailure, request: ChatRequest, *, retries: int = 0) -> Text:
    """A plain sentence for an API error, naming what to do about it."""
    detail = f"({failure.status}{' ' + failure.type if failure.type else ''}: {failure.message})"
    status = failure.status
    if status == 401:
        return _refused_key(detail, request)
    if status == 403:
        return QT_TRANSLATE_NOOP(
            "RunErrors",
            "Access denied {detail}. The account may have run out of balance, or this key "
            "may not be allowed to use {model}.",
        ).format(detail=detail, model=request.model)
    if status == 404 and not _names_a_model(failure, request):
        # A wrong path ({"detail": "Not Found"}), not a missing model: the URL is what to fix.
        return QT_TRANSLATE_NOOP(
            "RunErrors",
            "{url} has no chat-completions endpoint {detail}: check the base URL "
            "(OpenAI-compatible servers usually end it in /v1).",
        ).format(url=request.base_url, detail=detail)
    if status == 404:
        return QT_TRANSLATE_NOOP(
            "RunErrors",
            "Model {model} was not found {detail}: it may be misspelt or retired. Pick another "
            "model (Test connection lists the available ones), or check the base URL.",
        ).format(model=repr(request.model), detail=detail)
    if status == 400 and any(m in failure.message.lower() for m in CONTEXT_MARKERS):
        return QT_TRANSLATE_NOOP(
            "RunErrors",
            "The conversation is too long for {model}'s context window {detail}. "
            "Shorten it, lower max_tokens, or pick a model with a larger window.",
        ).format(model=request.model, detail=detail)
    if status == 400:
        return QT_TRANSLATE_NOOP("RunErrors", "The request was refused {detail}.").format(
            detail=detail
        )
    if failure.is_quota:
        return QT_TRANSLATE_NOOP(
            "RunErrors",
            "Your quota is used up {detail}. Top up the account balance, then send again "
            "(not retried: waiting does not help).",
        ).format(detail=detail)
    after: str = ""
    if retries == 1:
        after = QT_TRANSLATE_NOOP("RunErrors", " after 1 retry")
    elif retries:
        after = QT_TRANSLATE_NOOP("RunErrors", " after {retries} retries").format(retries=retries)
    if status == 429:
        return QT_TRANSLATE_NOOP(
            "RunErrors", "Rate limited{after} {detail}. Wait a little and send again."
        ).format(after=after, detail=detail)
    if status == 529 or failure.type == "overloaded_error":
        return QT_TRANSLATE_NOOP(
            "RunErrors", "The provider is overloaded{after} {detail}. Try again in a little while."
        ).format(after=after, detail=detail)
    if status >= 500:
        return QT_TRANSLATE_NOOP(
            "RunErrors", "The server failed{after} {detail}. Try again later."
        ).format(after=after, detail=detail)
    return QT_TRANSLATE_NOOP("RunErrors", "The request failed {detail}.").format(detail=detail)


def _names_a_model(failure: ApiFailure, request: ChatRequest) -> bool:
    """Whether a 404 is about the model (rather than a path the server does not have)."""
    text = f"{failure.type} {failure.code} {failure.message}".lower()
    return (
        "model" in text
        or "resource_not_found" in text
        or "not_found_error" in text
        or (bool(request.model) and request.model.lower() in text)
    )


def _refused_key(detail: str, request: ChatRequest) -> Text:
    """What to check after a 401: where this run's key came from, for this provider."""
    from urllib.parse import urlsplit

    label = Text("ProviderNames", request.provider_label)
    if request.key_from_option:
        return QT_TRANSLATE_NOOP(
            "RunErrors",
            "The API key was refused {detail}. Check the key in the environment variable "
            "{env} (given with --api-key-env).",
        ).format(detail=detail, env=request.key_env)
    env = request.key_env or QT_TRANSLATE_NOOP("RunErrors", "its key variable")
    if not request.needs_key:
        message = QT_TRANSLATE_NOOP(
            "RunErrors",
            "The server refused the request as unauthorised {detail}. {provider} needs no key "
            "by itself: if it sits behind a gateway that asks for one, save that key for "
            "{provider} in Settings › Providers and keys or set {env}.",
        )
    elif (urlsplit(request.base_url).hostname or "").lower() in MOONSHOT_HOSTS:
        message = QT_TRANSLATE_NOOP(
            "RunErrors",
            "The API key was refused {detail}. Check the key saved for {provider} in Settings › "
            "Providers and keys (or the environment variable {env}) (keys of api.moonshot.ai "
            "and api.moonshot.cn are not interchangeable).",
        )
    else:
        message = QT_TRANSLATE_NOOP(
            "RunErrors",
            "The API key was refused {detail}. Check the key saved for {provider} in Settings › "
            "Providers and keys (or the environment variable {env}).",
        )
    return message.format(detail=detail, provider=label, env=env)
