"""Reading and writing the JSON the world hands the app, without surprises.

Workspace files, pasted request bodies and the app's own state files (settings, providers,
model overrides, calibration, autosaves) all come through here. Whatever their content, reading
them ends in a value or in :class:`JsonInputError` with a sentence a user can act on: never a
``RecursionError`` from deep nesting, a ``ValueError`` from an integer of 5,000 digits, ``NaN``
sneaking into a parameter, a window frozen on a FIFO, or a gigabyte read into memory.

Writing escapes lone surrogates (``"\\ud800"`` in a file, half an emoji from a server), which
UTF-8 cannot encode: the text written is valid UTF-8 and reads back to the same string.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.core import slices
from workbench.core.texts import QT_TRANSLATE_NOOP

#: Containers nested deeper than this are refused (no real workspace comes near it; Python's
#: own recursion, in ``json`` and ``copy.deepcopy``, fails not far above).
MAX_DEPTH = 200
#: Files larger than this are refused before they are read (50,000 cards fit many times over).
MAX_FILE_BYTES = 256 * 1024 * 1024
#: The state files the app writes itself are small; anything larger is not one of them.
MAX_STATE_BYTES = 16 * 1024 * 1024

_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


log = logging.getLogger(__name__)

#: What was wrong with the app's own files in this process, each naming the file (the window
#: shows them at start; the CLI prints them as warnings when they are noted).
state_problems: list[str] = []


def located(
    reason: str,
    *,
    file: str | None = None,
    line: int | None = None,
    column: int | None = None,
    path: str | None = None,
) -> str:
    """``reason`` after where it is: ``file, line L, column C: reason`` or ``file, path: reason``
    (a line wins over a path), as a :class:`~workbench.core.texts.Text` the window translates."""
    if line is not None and file:
        template = QT_TRANSLATE_NOOP("FileErrors", "{file}, line {line}, column {column}: {reason}")
    elif line is not None:
        template = QT_TRANSLATE_NOOP("FileErrors", "line {line}, column {column}: {reason}")
    elif path and file:
        template = QT_TRANSLATE_NOOP("FileErrors", "{file}, {path}: {reason}")
    elif path:
        template = QT_TRANSLATE_NOOP("FileErrors", "{path}: {reason}")
    elif file:
        template = QT_TRANSLATE_NOOP("FileErrors", "{file}: {reason}")
    else:
        return reason
    return template.format(file=file, line=line, column=column, path=path, reason=reason)


class JsonInputError(ValueError):
    """JSON that cannot be used, with where the problem is (line and column when known)."""

    def __init__(
        self,
        reason: str,
        *,
        line: int | None = None,
        column: int | None = None,
        path: str | None = None,
    ) -> None:
        self.reason = reason
        self.line = line
        self.column = column
        self.path = path
        where = {"path": path} if path else {"line": line, "column": column}
        super().__init__(located(reason, **where))


def read_file_bytes(path: str | os.PathLike[str], max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``.

    Raises:
        OSError: the file cannot be opened or read (its ``strerror`` says why).
        JsonInputError: it is not a regular file (a folder, a FIFO, a device) or is too large.
    """
    # O_NONBLOCK: opening a FIFO without a writer must not block; a regular file ignores it.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(os.fspath(path), flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise JsonInputError(QT_TRANSLATE_NOOP("FileErrors", "it is a folder, not a file"))
        if not stat.S_ISREG(info.st_mode):
            raise JsonInputError(
                QT_TRANSLATE_NOOP(
                    "FileErrors",
                    "it is not a regular file (a pipe, socket or device), so it is not read",
                )
            )
        if info.st_size > max_bytes:
            raise JsonInputError(
                QT_TRANSLATE_NOOP(
                    "FileErrors", "it is too large ({size} MB; at most {most} MB are read)"
                ).format(size=f"{info.st_size / 1e6:,.0f}", most=f"{max_bytes / 1e6:,.0f}")
            )
        chunks = []
        total = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:  # it grew while being read
                raise JsonInputError(
                    QT_TRANSLATE_NOOP("FileErrors", "it is too large (more than {most} MB)").format(
                        most=f"{max_bytes / 1e6:,.0f}"
                    )
                )
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def decode_text(raw: bytes) -> str:
    """UTF-8 text (a BOM allowed); JsonInputError naming the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise JsonInputError(
            QT_TRANSLATE_NOOP("FileErrors", "not UTF-8 text (byte {byte})").format(byte=error.start)
        ) from None


class _Odd:
    """Notes the non-finite numbers a parse met (found again, with their place, afterwards)."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def number(self, text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            self.texts.append(text)
        return value

    def constant(self, name: str) -> float:
        self.texts.append(name)
        return float(name)


def loads(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parses JSON text strictly.

    Refused with :class:`JsonInputError`: syntax errors (with line and column), ``NaN`` and
    ``Infinity`` and numbers too large for a float (with their place, ``params.temperature``),
    integers longer than Python converts (4,300 digits), and containers nested deeper than
    ``max_depth``.
    """
    odd = _Odd()
    try:
        value = json.loads(text, parse_float=odd.number, parse_constant=odd.constant)
    except json.JSONDecodeError as error:
        raise JsonInputError(
            QT_TRANSLATE_NOOP("FileErrors", "not valid JSON ({error})").format(error=error.msg),
            line=error.lineno,
            column=error.colno,
        ) from None
    except RecursionError:
        raise JsonInputError(
            QT_TRANSLATE_NOOP("FileErrors", "nested too deeply (more than {levels} levels)").format(
                levels=max_depth
            )
        ) from None
    except ValueError as error:  # integers beyond sys.get_int_max_str_digits()
        if "digits" in str(error):
            raise JsonInputError("a number has too many digits (more than 4,300)") from None
        raise JsonInputError(f"not valid JSON ({error})") from None
    check_depth(value, max_depth)
    if odd.texts:
        shown = odd.texts[0] if len(odd.texts[0]) <= 24 else odd.texts[0][:20] + "..."
        reason = (
            f"{shown} is not a JSON number"
            if shown in ("NaN", "Infinity", "-Infinity")
            else f"the number {shown} is too large"
        )
        raise JsonInputError(reason, path=_non_finite_path(value))
    return value


def _non_finite_path(value: Any) -> str | None:
    """Where the first non-finite float of ``value`` is (``params.temperature``)."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, at = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return at or None
        if isinstance(item, dict):
            stack.extend((v, _step(at, k)) for k, v in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((v, f"{at}[{i}]") for i, v in reversed(list(enumerate(item))))
    return None


def _step(at: str, key: str) -> str:
    """``at.key``, or ``at["odd key"]`` for a key that is not a plain name (one line always)."""
    if key.isidentifier():
        return f"{at}.{key}" if at else key
    return f"{at}[{escape_surrogates(json.dumps(key, ensure_ascii=False))}]"


def check_depth(value: Any, max_depth: int = MAX_DEPTH) -> None:
    """JsonInputError when ``value`` nests lists and objects deeper than ``max_depth``."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            raise JsonInputError(f"nested too deeply (more than {max_depth} levels)")
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def read_json_file(path: str | os.PathLike[str], *, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """The JSON value of a file (OSError or JsonInputError when it cannot be read or used)."""
    return loads(decode_text(read_file_bytes(path, max_bytes)))


def read_state_file(path: Path) -> tuple[Any, str | None]:
    """The JSON value of one of the app's own files, or (None, why it is not used).

    A missing file is no problem: (None, None). The reason names the file.
    """
    try:
        return read_json_file(path, max_bytes=MAX_STATE_BYTES), None
    except FileNotFoundError:
        return None, None
    except OSError as error:
        return None, f"{path}: cannot read it ({error.strerror or error})"
    except JsonInputError as error:
        return None, f"{path}: {error}"


def note_state_problem(problem: str) -> None:
    """Records (and logs as a warning) a problem with one of the app's files, once."""
    if problem not in state_problems:
        state_problems.append(problem)
        log.warning("%s", problem)


def escape_surrogates(text: str) -> str:
    """JSON text with each lone surrogate written as a ``\\uXXXX`` escape.

    ``json.dumps(..., ensure_ascii=False)`` leaves them raw, and UTF-8 cannot encode them. Outside
    strings JSON text is ASCII, so every surrogate is inside a string, where the escape is exact.
    """
    if not slices.any_in_slices(text, _has_surrogate):
        return text
    return slices.in_slices(
        text, lambda piece: _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", piece)
    )


def dumps(value: Any, **options: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, **options)`` that UTF-8 can always encode.

    Long strings are encoded in slices (see :mod:`workbench.core.slices`): an autosave or a
    history record of a 10 MB answer, written on a worker, must not hold the UI thread.
    """
    return escape_surrogates(slices.dumps(value, ensure_ascii=False, **options))


def clean_text(text: str) -> str:
    """``text`` with surrogate pairs joined and lone surrogates replaced by U+FFFD."""
    if text.isascii() or not slices.any_in_slices(text, _has_surrogate):  # isascii(): O(1)
        return text
    return slices.in_slices(
        text,
        lambda piece: piece.encode("utf-16", "surrogatepass").decode("utf-16", "replace"),
        slices.between_code_points,
    )


def clean_value(value: Any) -> Any:
    """``value`` with :func:`clean_text` applied to every string in it (keys included).

    What goes out on the wire must be valid Unicode: a prompt holding half an emoji is sent with
    U+FFFD in its place rather than failing the run.
    """
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    return value


def write_atomic(path: str | os.PathLike[str], text: str, *, private: bool = False) -> None:
    """Writes ``text`` to ``path`` through a temporary file and a rename.

    A crash or a full disk leaves either the old file or the new one, never half of one. An
    existing file keeps its permissions; a new one gets the usual ones (0666 less the umask), or
    owner-only with ``private`` (settings, autosaves).
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        elif not private:
            os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    remove_stray_temp_files(path)


#: A temporary file of a save older than this was left by a save that died (a kill, a crash).
STRAY_TEMP_AGE_S = 60.0


def remove_stray_temp_files(path: str | os.PathLike[str]) -> int:
    """Removes the ``.NAME.xxxx.tmp`` files a killed save left beside ``path``.

    Only those older than :data:`STRAY_TEMP_AGE_S`: a younger one may be another window's save
    in progress. Returns how many were removed; a file that cannot be removed is left.
    """
    import glob  # on use: not on the start path

    path = Path(path)
    removed = 0
    cutoff = time.time() - STRAY_TEMP_AGE_S
    try:
        candidates = list(path.parent.glob(f".{glob.escape(path.name)}.*.tmp"))
    except OSError:
        return 0
    for candidate in candidates:
        try:
            if candidate.is_file() and candidate.stat().st_mtime < cutoff:
                candidate.unlink()
                removed += 1
        except OSError:
            continue
    return removed


@dataclass(frozen=True)
class FileState:
    """What a file looked like when read or written, to notice changes made by others."""

    mtime_ns: int
    size: int
    sha256: str


def file_state(path: str | os.PathLike[str]) -> FileState | None:
    """The state of the file at ``path`` now, or None when it is no regular, readable file."""
    try:
        before = os.stat(path)
        if not stat.S_ISREG(before.st_mode):
            return None  # a FIFO or a device would block the read, or never end
        with open(path, "rb") as handle:
            digest = _sha256()
            while chunk := handle.read(1 << 18):
                digest.update(chunk)
    except OSError:
        return None
    return FileState(before.st_mtime_ns, before.st_size, digest.hexdigest())


def _sha256() -> Any:
    """A sha256 hash object from CPython's own implementation when it has one (the same digest):
    ``hashlib`` loads OpenSSL's bindings first, 3.5-5 ms of the start for the file it opens."""
    import importlib

    for module in ("_sha256", "_sha2"):  # Python 3.11, 3.12 and later
        try:
            return importlib.import_module(module).sha256()
        except (ImportError, AttributeError):
            continue
    import hashlib

    return hashlib.sha256()


def _read_umask() -> int:
    mask = os.umask(0)  # the only portable way to read it is to set it and put it back
    os.umask(mask)
    return mask


#: Read once, at import (on the main thread): setting it later would race with other threads.
_UMASK = _read_umask()
