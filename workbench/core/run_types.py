"""What a run streams and what it ends with: the contract between the runner and its views.

The runner (``workbench.core.runner``) yields :data:`RunEvent` values while a response streams and
ends with a :class:`Finished` carrying the :class:`RunResult`. Views (the assistant card, compare
panes, the CLI) consume these and never see provider wire formats.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Usage:
    """Token usage as the provider reported it."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int = 0
    #: Prompt tokens written to the provider's cache (Anthropic's cache_creation_input_tokens).
    cache_write_tokens: int = 0


@dataclass
class ToolCall:
    """One tool call of the answer, assembled from its streamed deltas."""

    id: str
    name: str
    arguments: str = ""
    type: str = "function"

    def to_json(self) -> dict[str, Any]:
        """The call as an OpenAI ``tool_calls`` item."""
        return {
            "id": self.id,
            "type": self.type,
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclass
class RunResult:
    """How a run ended.

    ``prefix`` is the partial prefix that was sent; ``text`` the continuation the model produced;
    ``full_text`` both joined, which is the answer the user sees. ``interrupted`` marks a run that
    ended early (stopped, cut stream, error) with the text received so far kept.
    """

    provider: str
    model: str
    variant: str | None = None
    prefix: str = ""
    text: str = ""
    reasoning: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage | None = None
    ttft_ms: float | None = None
    duration_ms: float | None = None
    cost_usd: float | None = None
    error: str | None = None
    interrupted: bool = False
    #: How the prefix was sent (``moonshot_partial``, ``instruction``...), "" without one.
    prefill_mechanism: str = ""

    @property
    def full_text(self) -> str:
        """The answer as the user reads it: prefix and continuation."""
        return self.prefix + self.text

    @property
    def tokens_per_second(self) -> float | None:
        """Output tokens per second of streaming, after the first token."""
        if not self.usage or self.duration_ms is None or self.ttft_ms is None:
            return None
        seconds = (self.duration_ms - self.ttft_ms) / 1000
        if seconds <= 0 or not self.usage.completion_tokens:
            return None
        return self.usage.completion_tokens / seconds

    def to_json(self) -> dict[str, Any]:
        """The CLI's ``--json`` object (DESIGN section 3)."""
        return {
            "variant": self.variant,
            "provider": self.provider,
            "model": self.model,
            "text": self.full_text,
            "reasoning": self.reasoning,
            "tool_calls": [c.to_json() for c in self.tool_calls],
            "finish_reason": self.finish_reason,
            "usage": asdict(self.usage) if self.usage else None,
            "ttft_ms": self.ttft_ms,
            "duration_ms": self.duration_ms,
            "cost_usd": self.cost_usd,
            "error": self.error,
        }


@dataclass(frozen=True)
class TextDelta:
    """A piece of the answer's text."""

    text: str


@dataclass(frozen=True)
class ReasoningDelta:
    """A piece of a thinking model's ``reasoning_content``."""

    text: str


@dataclass(frozen=True)
class ToolCallDelta:
    """A tool call grew: ``call`` is the call assembled so far at position ``index``."""

    index: int
    call: ToolCall


@dataclass(frozen=True)
class Status:
    """Something to show while waiting (a retry after a 429, say)."""

    text: str


@dataclass(frozen=True)
class Finished:
    """The last event of every run, successful or not."""

    result: RunResult


RunEvent = TextDelta | ReasoningDelta | ToolCallDelta | Status | Finished
