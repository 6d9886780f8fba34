"""How money and run metrics read, the same everywhere: the meter, the run panel, Compare, the
evaluation grid and the CLI.

Costs are US dollars: four decimals, or six for less than a hundredth of a cent (a short prompt
on a cheap model costs that little, and "$0.0000" would read as free). ``None`` is unknown, never
free.
"""

from __future__ import annotations

from workbench.core.run_types import RunResult

#: How each prefill mechanism is named on a run.
PREFILL_WORDS = {
    "moonshot_partial": "partial message",
    "deepseek_prefix": "prefix message",
    "continue_final": "continue_final_message",
    "trailing_assistant": "trailing assistant message",
    "instruction": "closing instruction (the model refuses a prefill)",
}

#: What an unknown figure shows.
UNKNOWN = "–"


def money(usd: float | None) -> str:
    """A cost in US dollars (``UNKNOWN`` for None)."""
    if usd is None:
        return UNKNOWN
    if usd == 0 or abs(usd) >= 0.0001:
        return f"${usd:,.4f}"
    return f"${usd:.6f}"


def number(value: float | None, unit: str = "", digits: int = 0) -> str:
    """A figure with thousands separators and its unit (``UNKNOWN`` for None)."""
    return UNKNOWN if value is None else f"{value:,.{digits}f}{unit}"


def run_metrics_line(result: RunResult) -> str:
    """The run's figures in one line: TTFT, duration, tokens/s, usage, cost, finish reason."""
    parts: list[str] = []
    if result.ttft_ms is not None:
        parts.append(f"TTFT {result.ttft_ms:,.0f} ms")
    if result.duration_ms is not None:
        parts.append(f"{result.duration_ms / 1000:,.2f} s")
    speed = result.tokens_per_second
    if speed is not None:
        parts.append(f"{speed:,.1f} tok/s")
    if result.usage is not None:
        usage = result.usage
        cached = f" ({usage.cached_tokens:,} cached)" if usage.cached_tokens else ""
        parts.append(f"{usage.prompt_tokens:,} in{cached} + {usage.completion_tokens:,} out tokens")
    if result.cost_usd is not None:
        parts.append(money(result.cost_usd))
    elif result.usage is not None:
        parts.append("cost unknown for this model")
    parts.append(f"finish: {result.finish_reason or 'none'}")
    if result.prefill_mechanism:
        way = PREFILL_WORDS.get(result.prefill_mechanism, result.prefill_mechanism)
        parts.append(f"prefill: {way}")
    if result.interrupted:
        parts.append("interrupted: the text so far is kept")
    return " · ".join(parts)


def result_metrics(result: RunResult) -> dict[str, str]:
    """A run's figures by name, formatted, in display order (a Compare column, a table row)."""
    usage = result.usage
    return {
        "TTFT": number(result.ttft_ms, " ms"),
        "Duration": number(result.duration_ms, " ms"),
        "Tokens in": number(usage.prompt_tokens if usage else None),
        "Tokens out": number(usage.completion_tokens if usage else None),
        "Tokens/s": number(result.tokens_per_second, "", 1),
        "Cost": money(result.cost_usd),
        "Finish": result.finish_reason or ("interrupted" if result.interrupted else UNKNOWN),
    }
