"""How money and run metrics read, the same everywhere: the meter, the run panel, Compare, the
evaluation grid and the CLI.

Costs are US dollars: four decimals, or six for less than a hundredth of a cent (a short prompt
on a cheap model costs that little, and "$0.0000" would read as free). ``None`` is unknown, never
free.
"""

from __future__ import annotations

from collections.abc import Callable

from workbench.core.run_types import RunResult

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


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks ``text`` for Qt's translation tools (the window shows it translated); returns it."""
    return text


#: How each prefill mechanism is named on a run.
PREFILL_WORDS = {
    "moonshot_partial": QT_TRANSLATE_NOOP("RunMetrics", "partial message"),
    "deepseek_prefix": QT_TRANSLATE_NOOP("RunMetrics", "prefix message"),
    "continue_final": QT_TRANSLATE_NOOP("RunMetrics", "continue_final_message"),
    "trailing_assistant": QT_TRANSLATE_NOOP("RunMetrics", "trailing assistant message"),
    "instruction": QT_TRANSLATE_NOOP(
        "RunMetrics", "closing instruction (the model refuses a prefill)"
    ),
}


def _as_is(text: str) -> str:
    return text


def run_metrics_line(result: RunResult, translate: Callable[[str], str] = _as_is) -> str:
    """The run's figures in one line: TTFT, duration, tokens/s, usage, cost, finish reason.

    ``translate`` turns each English template into the user's language (the window passes Qt's
    translator for the context ``RunMetrics``; the CLI keeps English)."""
    t = translate
    parts: list[str] = []
    if result.ttft_ms is not None:
        ms = f"{result.ttft_ms:,.0f}"
        parts.append(t(QT_TRANSLATE_NOOP("RunMetrics", "TTFT {ms} ms")).format(ms=ms))
    if result.duration_ms is not None:
        seconds = f"{result.duration_ms / 1000:,.2f}"
        parts.append(t(QT_TRANSLATE_NOOP("RunMetrics", "{seconds} s")).format(seconds=seconds))
    speed = result.tokens_per_second
    if speed is not None:
        rate = f"{speed:,.1f}"
        parts.append(t(QT_TRANSLATE_NOOP("RunMetrics", "{speed} tok/s")).format(speed=rate))
    if result.usage is not None:
        usage = result.usage
        cached = (
            t(QT_TRANSLATE_NOOP("RunMetrics", " ({cached} cached)")).format(
                cached=f"{usage.cached_tokens:,}"
            )
            if usage.cached_tokens
            else ""
        )
        parts.append(
            t(
                QT_TRANSLATE_NOOP("RunMetrics", "{prompt} in{cached} + {completion} out tokens")
            ).format(
                prompt=f"{usage.prompt_tokens:,}",
                cached=cached,
                completion=f"{usage.completion_tokens:,}",
            )
        )
    if result.cost_usd is not None:
        parts.append(money(result.cost_usd))
    elif result.usage is not None:
        parts.append(t(QT_TRANSLATE_NOOP("RunMetrics", "cost unknown for this model")))
    parts.append(
        t(QT_TRANSLATE_NOOP("RunMetrics", "finish: {reason}")).format(
            reason=result.finish_reason or "none"
        )
    )
    if result.prefill_mechanism:
        way = t(PREFILL_WORDS.get(result.prefill_mechanism, result.prefill_mechanism))
        parts.append(t(QT_TRANSLATE_NOOP("RunMetrics", "prefill: {way}")).format(way=way))
    if result.interrupted:
        parts.append(t(QT_TRANSLATE_NOOP("RunMetrics", "interrupted: the text so far is kept")))
    return " · ".join(parts)


def result_metrics(result: RunResult) -> dict[str, str]:
    """A run's figures by name, formatted, in display order (a Compare column, a table row)."""
    usage = result.usage
    # The names are marked for Qt's tools: a Compare column shows them translated.
    return {
        QT_TRANSLATE_NOOP("Figures", "TTFT"): number(result.ttft_ms, " ms"),
        QT_TRANSLATE_NOOP("Figures", "Duration"): number(result.duration_ms, " ms"),
        QT_TRANSLATE_NOOP("Figures", "Tokens in"): number(usage.prompt_tokens if usage else None),
        QT_TRANSLATE_NOOP("Figures", "Tokens out"): number(
            usage.completion_tokens if usage else None
        ),
        QT_TRANSLATE_NOOP("Figures", "Tokens/s"): number(result.tokens_per_second, "", 1),
        QT_TRANSLATE_NOOP("Figures", "Cost"): money(result.cost_usd),
        QT_TRANSLATE_NOOP("Figures", "Finish"): result.finish_reason
        or ("interrupted" if result.interrupted else UNKNOWN),
    }
