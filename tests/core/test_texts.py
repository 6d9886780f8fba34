"""Core sentences that the window translates: English as a str, the template kept beside it."""

from __future__ import annotations

import json
import pickle

import pytest

from workbench.core.texts import QT_TRANSLATE_NOOP, Text, shown

CHINESE = {
    ("RunErrors", "No API key for {provider}."): "{provider} 没有 API 密钥。",
    ("ProviderNames", "Moonshot (global)"): "Moonshot（全球）",
    ("FileErrors", "{file}: {reason}"): "{file}：{reason}",
}


def chinese(context: str, template: str) -> str:
    return CHINESE.get((context, template), template)


def test_a_text_is_its_english_sentence_and_translates_with_its_values() -> None:
    name = Text("ProviderNames", "Moonshot (global)")
    text = QT_TRANSLATE_NOOP("RunErrors", "No API key for {provider}.").format(provider=name)

    assert text == "No API key for Moonshot (global)."
    assert json.dumps(text) == '"No API key for Moonshot (global)."'  # the CLI's --json
    assert text.translated(chinese) == "Moonshot（全球） 没有 API 密钥。"
    assert shown(ValueError(text), chinese) == "Moonshot（全球） 没有 API 密钥。"
    assert shown("a server's own words", chinese) == "a server's own words"


def test_a_text_without_a_translation_or_values_stays_as_written() -> None:
    brace = QT_TRANSLATE_NOOP("SendProblems", "a partial '{' asks for JSON")
    assert brace == "a partial '{' asks for JSON"
    assert brace.translated(chinese) == "a partial '{' asks for JSON"


def test_redaction_reaches_the_values_and_keeps_the_template() -> None:
    text = QT_TRANSLATE_NOOP("FileErrors", "{file}: {reason}").format(
        file="a.json", reason="bad key sk-SECRET"
    )
    redacted = text.mapped(lambda value: value.replace("sk-SECRET", "sk-…"))
    assert redacted == "a.json: bad key sk-…"
    assert redacted.translated(chinese) == "a.json：bad key sk-…"


def test_a_text_survives_pickling_and_takes_named_values_only() -> None:
    text = QT_TRANSLATE_NOOP("FileErrors", "{file}: {reason}").format(file="a", reason="b")
    again = pickle.loads(pickle.dumps(text))
    assert isinstance(again, Text) and again == "a: b"
    assert again.translated(chinese) == "a：b"
    with pytest.raises(TypeError):
        text.format("positional")
