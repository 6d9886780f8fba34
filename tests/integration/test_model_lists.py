"""The provider's own model list: fetched, cached with its date, and every way it can fail."""

from __future__ import annotations

import asyncio

import pytest

from workbench.core.model_lists import (
    ModelListCache,
    ModelListError,
    fetch_model_list,
    parse_model_list,
)
from workbench.loopback_server import LoopbackServer, Reply


def test_a_list_is_fetched_for_both_wire_formats(loopback: LoopbackServer) -> None:
    loopback.models = ["moonshot-v1-8k", "kimi-k3", "kimi-k3"]
    assert asyncio.run(fetch_model_list(loopback.url, "sk-test")) == ["kimi-k3", "moonshot-v1-8k"]
    ids = asyncio.run(fetch_model_list(loopback.anthropic_url, "sk-test", kind="anthropic"))
    assert ids == ["kimi-k3", "moonshot-v1-8k"]
    assert loopback.requests[-1].path == "/anthropic/v1/models"


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (
            Reply(status=404, error_type="not_found", error_message="no route"),
            r"no model list \(404\)",
        ),
        (
            Reply(raw_body=b"<html><body>Welcome</body></html>", content_type="text/html"),
            "an HTML page, not JSON",
        ),
        (Reply(status=401, error_type="invalid_authentication_error"), "key was refused"),
    ],
    ids=["404-gateway", "html", "401"],
)
@pytest.mark.parametrize("kind", ["openai", "anthropic"])
def test_failures_are_one_plain_sentence(
    loopback: LoopbackServer, reply: Reply, words: str, kind: str
) -> None:
    loopback.models_reply = reply
    base = loopback.anthropic_url if kind == "anthropic" else loopback.url
    with pytest.raises(ModelListError, match=words):
        asyncio.run(fetch_model_list(base, "sk-test", kind=kind))


def test_offline_is_one_plain_sentence() -> None:
    with pytest.raises(ModelListError, match="Cannot connect"):
        asyncio.run(fetch_model_list("http://127.0.0.1:9/v1", None, timeout=2))


def test_other_json_is_named() -> None:
    with pytest.raises(ModelListError, match="another shape"):
        parse_model_list({"objects": []}, "http://x")


def test_a_models_list_of_another_dialect_is_read() -> None:
    # Ollama's native list and some gateways: {"models": [...]} of objects or plain ids.
    assert parse_model_list({"models": [{"name": "llama3"}, {"model": "qwen"}]}, "x") == [
        "llama3",
        "qwen",
    ]
    assert parse_model_list({"models": ["b", "a"]}, "x") == ["a", "b"]
    assert parse_model_list([{"id": "m"}], "x") == ["m"]


def test_the_cache_keeps_each_list_with_its_date_and_survives_a_bad_file(tmp_path) -> None:
    path = tmp_path / "model_lists.json"
    cache = ModelListCache(path)
    assert cache.get("moonshot") is None
    entry = cache.put("moonshot", ["kimi-k3", "kimi-k2.6"], fetched="2026-12-02")
    assert entry.describe() == "2 models listed on 2026-12-02"
    again = ModelListCache(path).get("moonshot")
    assert again is not None and again.ids == ("kimi-k3", "kimi-k2.6")
    assert again.fetched == "2026-12-02"
    path.write_text("{not json", encoding="utf-8")
    assert ModelListCache(path).get("moonshot") is None  # refetched, never raised
