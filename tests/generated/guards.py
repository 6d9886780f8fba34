"""What every generated-input test checks: no hang, one clear line, the right exit status."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

import pytest

from workbench.cli import main


class Hung(AssertionError):
    """The code under test did not return in time (a blocking read, an endless loop)."""


@contextlib.contextmanager
def no_hang(seconds: int = 20) -> Iterator[None]:
    """Fails with :class:`Hung` when the block runs longer than ``seconds`` (main thread)."""

    def expired(_signum: int, _frame: object) -> None:
        raise Hung(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Runs a headless command in this process: (exit status, stdout, stderr)."""
    capsys.readouterr()
    with no_hang():
        status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def check_cli_outcome(command: str, status: int, err: str) -> None:
    """Exit 0, 1 or 2; on failure every stderr line is one of the command's own, no traceback."""
    assert status in (0, 1, 2), (status, err)
    assert "Traceback" not in err, err
    assert "unexpected error" not in err, err
    for line in err.splitlines():
        assert line.startswith(f"prompt-workbench {command}: "), line
    if status:
        assert err.strip(), "a failure says why"
