"""Provider registry: presets, user providers in providers.json, base URL validation."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from workbench.core import paths
from workbench.core.providers import (
    PRESETS,
    Prefill,
    ProviderConfig,
    ProviderError,
    ProviderRegistry,
    default_key_env,
    validate_base_url,
)

MINE = ProviderConfig(
    "my-vllm", "My vLLM", "vllm", "http://gpu-box:8000/v1/", Prefill.CONTINUE_FINAL, "MY_VLLM_KEY"
)


def test_presets_cover_the_documented_providers() -> None:
    ids = {p.id for p in PRESETS}
    assert {"moonshot", "moonshot-cn", "openai", "deepseek", "ollama", "lmstudio", "vllm"} <= ids
    by_id = {p.id: p for p in PRESETS}
    assert by_id["moonshot-cn"].base_url == "https://api.moonshot.cn/v1"
    assert by_id["openai"].prefill is Prefill.NONE
    assert not by_id["ollama"].needs_key


@pytest.mark.parametrize(
    "url",
    ["https://api.moonshot.ai/v1", "http://localhost:11434/v1", "http://127.0.0.1:8000/v1/"],
)
def test_valid_base_urls(url: str) -> None:
    assert validate_base_url(url) is None


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "Enter"),
        ("api.moonshot.ai/v1", "https://"),
        ("ftp://example.com/v1", "https://"),
        ("https://", "host"),
        ("https://user:sk-secret@example.com/v1", "keyring"),
        ("https://example.com/v1?x=1", "query"),
        ("https://exa mple.com", "spaces"),
        ("http://localhost:99999/v1", "valid"),
    ],
)
def test_invalid_base_urls_say_why(url: str, words: str) -> None:
    problem = validate_base_url(url)
    assert problem is not None and words in problem


def test_added_provider_is_saved_and_reloaded_without_trailing_slash() -> None:
    registry = ProviderRegistry()
    registry.add(MINE)

    reloaded = ProviderRegistry()

    saved = reloaded.get("my-vllm")
    assert saved == replace(MINE, base_url="http://gpu-box:8000/v1")
    assert reloaded.all()[-1].id == "my-vllm"
    assert (paths.config_dir() / "providers.json").exists()


def test_a_duplicate_or_invalid_provider_is_refused() -> None:
    registry = ProviderRegistry()
    with pytest.raises(ProviderError, match="already exists"):
        registry.add(replace(MINE, id="moonshot"))
    with pytest.raises(ProviderError, match="https://"):
        registry.add(replace(MINE, base_url="gpu-box:8000"))
    with pytest.raises(ProviderError, match="id"):
        registry.add(replace(MINE, id="Has Spaces"))


def test_editing_a_preset_overrides_it_and_removing_restores_it() -> None:
    registry = ProviderRegistry()
    vllm = registry.get("vllm")
    assert vllm is not None
    registry.update(replace(vllm, base_url="http://gpu-box:8000/v1"))

    assert ProviderRegistry().get("vllm").base_url == "http://gpu-box:8000/v1"  # type: ignore[union-attr]
    assert registry.is_edited("vllm")

    registry.remove("vllm")
    assert ProviderRegistry().get("vllm") == vllm


def test_a_preset_cannot_be_removed() -> None:
    with pytest.raises(ProviderError, match="built-in"):
        ProviderRegistry().remove("moonshot")


def test_user_provider_is_removed() -> None:
    registry = ProviderRegistry()
    registry.add(MINE)
    registry.remove("my-vllm")

    assert ProviderRegistry().get("my-vllm") is None


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe{not UTF-8"])
def test_a_corrupt_provider_file_is_reported_and_never_overwritten(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "providers.json"
    path.write_bytes(content)

    registry = ProviderRegistry(path)

    assert registry.load_error is not None
    assert registry.get("moonshot") is not None  # presets still usable
    with pytest.raises(ProviderError, match="Not saved"):
        registry.add(MINE)
    assert path.read_bytes() == content


def test_provider_file_never_holds_a_key() -> None:
    ProviderRegistry().add(MINE)

    data = json.loads((paths.config_dir() / "providers.json").read_text(encoding="utf-8"))

    assert set(data["providers"][0]) == {
        "id",
        "name",
        "kind",
        "base_url",
        "prefill",
        "key_env",
        "needs_key",
    }


def test_default_key_env_is_derived_from_the_id() -> None:
    assert default_key_env("my-vllm.2") == "MY_VLLM_2_API_KEY"
