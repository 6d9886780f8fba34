"""Checking a provider from the settings: list its models and, for Moonshot, read the balance.

"Test connection" in the provider dialog calls :func:`check_connection`. It uses the OpenAI SDK's
async client (the same HTTP stack as runs), never retries, and turns every failure into one
sentence for the user with anything that looks like a key masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.core.model_lists import describe_error
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
    """

    models: list[str] = field(default_factory=list)
    balance: float | None = None
    error: str | None = None

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
    from workbench.core.model_lists import ModelListError, fetch_model_list

    report = ConnectionReport()
    if kind == "anthropic" or not balance:
        try:
            report.models = await fetch_model_list(base_url, api_key, kind=kind, timeout=timeout)
        except ModelListError as error:
            report.error = redact(str(error), api_key)
        return report
    from openai import AsyncOpenAI, OpenAIError

    # The SDK's own retries are off: a test should say at once what is wrong.
    from workbench.core.http_guard import STATE_LINE_BYTES, guarded_http_client

    client = AsyncOpenAI(
        base_url=base_url,
        api_key=api_key or "not-needed",
        max_retries=0,
        timeout=timeout,
        http_client=guarded_http_client(base_url, max_line_bytes=STATE_LINE_BYTES),
    )
    try:
        page = await client.models.list()
        report.models = sorted({model.id for model in page.data})
        if balance:
            data: Any = await client.get("/users/me/balance", cast_to=object)
            inner = data.get("data") if isinstance(data, dict) else None
            if isinstance(inner, dict) and inner.get("available_balance") is not None:
                report.balance = float(inner["available_balance"])
    except OpenAIError as error:
        # The key in use is masked whatever it looks like; servers echo keys in their errors.
        report.error = redact(describe_error(error, base_url), api_key)
    except (ValueError, TypeError) as error:  # a reply of the wrong shape
        report.error = redact(f"{base_url} gave an answer this app cannot read: {error}", api_key)
    finally:
        await client.close()
    return report
