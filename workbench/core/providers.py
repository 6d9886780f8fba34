"""Provider presets: where each OpenAI-compatible API lives and how it prefills an answer.

DESIGN section 4 is the source of these facts. One entry per preset; logic elsewhere asks a
preset's ``kind`` and ``prefill`` style instead of testing provider names.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Prefill(StrEnum):
    """How a provider continues a prefilled (partial) assistant message."""

    MOONSHOT_PARTIAL = "moonshot_partial"  # {"role":"assistant","content":P,"partial":true}
    DEEPSEEK_PREFIX = "deepseek_prefix"  # {"role":"assistant","content":P,"prefix":true}, beta URL
    CONTINUE_FINAL = "continue_final"  # vLLM/SGLang/TGI extra_body continue_final_message
    TRAILING_ASSISTANT = "trailing_assistant"  # local servers continue a last assistant message
    NONE = "none"  # cannot prefill (OpenAI)


@dataclass(frozen=True)
class ProviderPreset:
    """A built-in provider.

    Attributes:
        id: Stable id used in workspace files (``params.provider``) and as the keyring user name.
        name: What the user reads.
        kind: The wire-format family (moonshot, openai, deepseek, vllm, local, custom).
        base_url: The OpenAI-compatible base URL.
        prefill: How the partial toggle is sent.
        key_env: The environment variable that may hold the key.
        needs_key: Local servers need none.
    """

    id: str
    name: str
    kind: str
    base_url: str
    prefill: Prefill
    key_env: str
    needs_key: bool = True


PRESETS: tuple[ProviderPreset, ...] = (
    ProviderPreset(
        "moonshot",
        "Moonshot (global)",
        "moonshot",
        "https://api.moonshot.ai/v1",
        Prefill.MOONSHOT_PARTIAL,
        "MOONSHOT_API_KEY",
    ),
    ProviderPreset(
        "moonshot-cn",
        "Moonshot (China)",
        "moonshot",
        "https://api.moonshot.cn/v1",
        Prefill.MOONSHOT_PARTIAL,
        "MOONSHOT_CN_API_KEY",
    ),
    ProviderPreset(
        "openai", "OpenAI", "openai", "https://api.openai.com/v1", Prefill.NONE, "OPENAI_API_KEY"
    ),
    ProviderPreset(
        "deepseek",
        "DeepSeek",
        "deepseek",
        "https://api.deepseek.com/beta",
        Prefill.DEEPSEEK_PREFIX,
        "DEEPSEEK_API_KEY",
    ),
    ProviderPreset(
        "ollama",
        "Ollama",
        "local",
        "http://localhost:11434/v1",
        Prefill.TRAILING_ASSISTANT,
        "OLLAMA_API_KEY",
        needs_key=False,
    ),
    ProviderPreset(
        "lmstudio",
        "LM Studio",
        "local",
        "http://localhost:1234/v1",
        Prefill.TRAILING_ASSISTANT,
        "LMSTUDIO_API_KEY",
        needs_key=False,
    ),
    ProviderPreset(
        "vllm",
        "vLLM",
        "vllm",
        "http://localhost:8000/v1",
        Prefill.CONTINUE_FINAL,
        "VLLM_API_KEY",
        needs_key=False,
    ),
)


def preset(provider_id: str) -> ProviderPreset | None:
    """The built-in preset with ``provider_id``, or None."""
    return next((p for p in PRESETS if p.id == provider_id), None)


def prefill_refusal(prefill: Prefill, provider_name: str) -> str | None:
    """Why a provider with ``prefill`` style cannot send a partial message, or None if it can."""
    if prefill is Prefill.NONE:
        return (
            f"{provider_name} cannot prefill an answer: its API has no partial or prefix mode. "
            "Choose Moonshot, DeepSeek, vLLM or a local server to use partial."
        )
    return None
