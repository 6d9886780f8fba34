"""Long texts worked on in slices, with the other threads let in between two slices.

A regular expression, ``json.dumps`` or ``str.encode`` over one string holds the GIL until it
returns: over a 10 MB answer that is 20-250 ms per call, during which the UI thread cannot run
even when the work is on a worker (recording a long answer in the history froze the window for
800 ms). The functions here cut such a text where the work gives the same result on the pieces
as on the whole, work on one slice at a time and release the GIL between slices.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

#: Texts longer than this are worked on in slices of about this many characters.
SLICE_CHARS = 100_000

#: ``cut(text, at)``: where a slice that should end near ``at`` may end (>= ``at``; the text's
#: length when no place after ``at`` will do).
Cut = Callable[[str, int], int]


def let_others_run() -> None:
    """Releases the GIL for a moment: a thread waiting for it (the UI thread) gets it now."""
    time.sleep(0)


def anywhere(text: str, at: int) -> int:
    """Any place will do (work on single characters)."""
    return min(at, len(text))


def between_code_points(text: str, at: int) -> int:
    """Not between the two halves of a surrogate pair."""
    if at >= len(text):
        return len(text)
    return at + 1 if "\ud800" <= text[at - 1] <= "\udbff" else at


def in_slices(text: str, work: Callable[[str], str], cut: Cut = anywhere) -> str:
    """``work(text)``, done slice by slice for a long text (``cut`` says where slices may end).

    Args:
        text: The text.
        work: A function whose result on the whole is the join of its results on slices cut
            where ``cut`` says.
        cut: Where a slice may end.
    """
    if len(text) <= SLICE_CHARS:
        return work(text)
    done: list[str] = []
    start = 0
    while start < len(text):
        end = max(start + 1, cut(text, start + SLICE_CHARS))
        done.append(work(text[start:end]))
        start = end
        if start < len(text):
            let_others_run()
    return "".join(done)


def any_in_slices(text: str, test: Callable[[str], bool], overlap: int = 0) -> bool:
    """Whether ``test`` holds for some slice of ``text`` (slices overlap by ``overlap``
    characters, so that a match up to ``overlap + 1`` long is not cut in two)."""
    if len(text) <= SLICE_CHARS:
        return test(text)
    start = 0
    while start < len(text):
        if test(text[max(0, start - overlap) : start + SLICE_CHARS]):
            return True
        start += SLICE_CHARS
        let_others_run()
    return False


def dumps(value: Any, **options: Any) -> str:
    """``json.dumps(value, **options)``, with each long string in ``value`` encoded in slices.

    The JSON of a string is the join of the JSON of its pieces (without their quotes), so the
    text is the one ``json.dumps`` gives; the GIL is released between slices.
    """
    long: dict[str, str] = {}
    # A mark no text holds by chance (``secrets`` would load hmac and OpenSSL's bindings, ~8 ms
    # before the first paint: the settings written at start go through here).
    token = os.urandom(8).hex()

    def swap(item: Any) -> Any:
        if isinstance(item, str) and len(item) > SLICE_CHARS:
            mark = f"{token}:{len(long)}"
            long[mark] = item
            return mark
        if isinstance(item, dict):
            return {k: swap(v) for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [swap(v) for v in item]
        return item

    swapped = swap(value)
    if not long:
        return json.dumps(value, **options)
    text = json.dumps(swapped, **options)
    places = sorted((text.index(f'"{mark}"'), mark) for mark in long)  # keys may be sorted
    pieces: list[str] = []
    start = 0
    for at, mark in places:
        pieces.append(text[start:at])
        pieces.append('"')
        pieces.append(
            in_slices(long[mark], lambda s: json.dumps(s, **options)[1:-1], between_code_points)
        )
        pieces.append('"')
        start = at + len(mark) + 2
    pieces.append(text[start:])
    return "".join(pieces)
