"""Checking a provider from the settings: list its models and, for Moonshot, read the balance.

"Test connection" in the provider dialog calls :func:`check_connection`. It uses the OpenAI SDK's
async client (the same HTTP stack as runs), never retries, and turns every failure into one
sentence for the user with anything that looks like a key masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.core.model_lists import ModelListError, describe_error, fetch_model_list
from workbench.core.secrets import redact

#: Seconds before a connection test gives up.
CHECK_TIMEOUT_S = 15.0


@dataclass
class ConnectionReport:
    """What a connection test found.

    Attributes:
        models: Model ids listed by ``GET {base}/models``, sorted.
        balance: Moonshot's ``available_balance`` (None when not asked or not reported).
        error: Why the test failed, in plain words; None when it succeeded.
        balance_error: Why the balance could not be read (the models still listed), or None.
    """

    models: list[str] = field(default_factory=list)
    balance: float | None = None
    error: str | None = None
    balance_error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the provider answered the model list."""
        return self.error is None


async def check_connection(
    base_url: str,
    api_key: str | None,
    *,
    balance: bool = False,
    timeout: float = CHECK_TIMEOUT_S,
    kind: str = "openai",
) -> ConnectionReport:
    """Lists the models of ``base_url`` (and reads the Moonshot balance when ``balance``).

    Args:
        base_url: The OpenAI-compatible base URL (``.../v1``).
        api_key: The key to send; local servers take any placeholder.
        balance: Also ask ``GET {base}/users/me/balance`` (Moonshot only).
        timeout: Seconds per request.
        kind: The provider's kind; ``anthropic`` lists ``GET {base}/v1/models``.

    Returns:
        The report; failures are in ``error``, never raised.
    """
    report = ConnectionReport()
    try:
        report.models = await fetch_model_list(base_url, api_key, kind=kind, timeout=timeout)
    except ModelListError as error:
        report.error = redact(error.args[0] if error.args else str(error), api_key)
        return report
    if balance and kind != "anthropic":
        # The balance is Moonshot's own: a gateway in front of it has none (a 404), and that
        # must not throw away the models it did list.
        try:
            report.balance = await _balance(base_url, api_key, timeout)
        except Exception as error:  # any failure: the listed models stand
            report.balance_error = redact(_describe_balance_error(error, base_url), api_key)
    return report


async def _balance(base_url: str, api_key: str | None, timeout: float) -> float | None:
    from openai import AsyncOpenAI

    from workbench.core.http_guard import STATE_LINE_BYTES, guarded_http_client

    client = AsyncOpenAI(
        base_url=base_url,
        api_key=api_key or "not-needed",
        max_retries=0,  # a test should say at once what is wrong
        timeout=timeout,
        http_client=guarded_http_client(base_url, max_line_bytes=STATE_LINE_BYTES),
    )
    try:
        data: Any = await client.get("/users/me/balance", cast_to=object)
    finally:
        await client.close()
    inner = data.get("data") if isinstance(data, dict) else None
    if isinstance(inner, dict) and isinstance(inner.get("available_balance"), int | float):
        return float(inner["available_balance"])
    raise ValueError("the answer holds no data.available_balance")


def _describe_balance_error(error: BaseException, base_url: str) -> str:
    from openai import APIStatusError, OpenAIError

    if isinstance(error, APIStatusError) and error.status_code == 404:
        return "No balance: this address has none (a gateway, not Moonshot's own API)."
    if isinstance(error, OpenAIError):
        return f"No balance: {describe_error(error, base_url)}"
    return f"No balance: {base_url} gave an answer this app cannot read ({error})."
