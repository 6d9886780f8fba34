"""Long texts masked, escaped and encoded in slices: the same result as in one piece, with the
GIL released between slices (a worker recording a 10 MB answer froze the window for 800 ms)."""

from __future__ import annotations

import json
import random

import pytest

from workbench.core import json_files, slices
from workbench.core.secrets import _KEY_PATTERNS, MASK, redact

# Pieces that put keys, "bearer" + white space + token and api_key assignments on every side of
# the places a slice may end.
WORDS = [
    "the",
    "answer",
    "\n",
    "  ",
    "Bearer",
    "bearer\n  tokentokentoken",
    "api_key=",
    '"api_key": "abcdefghijk"',
    "API-KEY :\n 'zzzzzzzzzz'",
    "sk-abcdefghij",
    "sk-live-0123456789",
    "monkey",
    "=",
    "中文",
    "😀",
]


def long_text(seed: int, words: int = 120_000) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(words))


def redacted_whole(text: str) -> str:
    text = text.replace("sk-live-0123456789", MASK)
    text = _KEY_PATTERNS[0].sub(MASK, text)
    text = _KEY_PATTERNS[1].sub(lambda m: m.group(1) + MASK, text)
    return _KEY_PATTERNS[2].sub(lambda m: m.group(1) + MASK, text)


@pytest.fixture
def releases(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the times the work let other threads run."""
    count: list[int] = []
    monkeypatch.setattr(slices, "let_others_run", lambda: count.append(1))
    return count


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_long_text_is_masked_in_slices_exactly_as_in_one_piece(
    seed: int, releases: list[int]
) -> None:
    text = long_text(seed)
    assert len(text) > 5 * slices.SLICE_CHARS

    assert redact(text, "sk-live-0123456789") == redacted_whole(text)
    assert len(releases) >= len(text) // slices.SLICE_CHARS - 1


def test_json_of_long_strings_is_encoded_in_slices_exactly(releases: list[int]) -> None:
    text = long_text(4, 60_000) + "\ud800" + "😀" * 60_000
    value = {"z": [1, {"text": text, "short": "ab"}], "a": text[:150_000] + "\ud83d", "n": None}

    for options in ({"ensure_ascii": False, "sort_keys": True}, {"indent": 1}, {}):
        assert slices.dumps(value, **options) == json.dumps(value, **options)
    assert json_files.dumps(value) == json_files.escape_surrogates(
        json.dumps(value, ensure_ascii=False)
    )
    assert releases


def test_surrogates_are_cleaned_in_slices_without_splitting_a_pair(releases: list[int]) -> None:
    # Pieces of 3 code units: the pairs straddle some of the places slices would end.
    text = ("a\ud83d\ude00" * 200_000) + "\ud800x"

    cleaned = json_files.clean_text(text)

    assert cleaned == text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    assert releases
