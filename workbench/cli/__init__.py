"""Headless commands over the same core as the window: ``run``, ``count``, ``export``, ``eval``.

Each command is a module of this package with ``add_arguments(parser)`` and ``run(args) -> int``;
:data:`COMMANDS` names them, and a module is imported only when its command is used.

Exit status: 0 success, 1 a run failed (API or network error), 2 bad input (unreadable file,
invalid workspace, unknown variant), with a one-line error on stderr naming the problem.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn, Protocol, cast

from workbench import __version__

if TYPE_CHECKING:
    from workbench.core.catalog import Catalog

EXIT_OK = 0
EXIT_RUN_FAILED = 1
EXIT_BAD_INPUT = 2
#: Ctrl+C, as shells report a process ended by SIGINT.
EXIT_INTERRUPTED = 130

#: Command name -> (the module that holds it, its one-line help). A literal table: adding a command
#: is one line here and one module; deciding "command or file?" at start-up imports none of them.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("workbench.cli.run", "Run a workspace (or its variants) and print the answer."),
    "count": (
        "workbench.cli.count",
        "Count a workspace's prompt tokens and recommend a model",
    ),
    "export": (
        "workbench.cli.export",
        "Print the exact request as Python, curl or JSON (the key stays in a variable).",
    ),
    "eval": (
        "workbench.cli.eval",
        "Run every test case through each variant, check the assertions, compare with a baseline.",
    ),
}


class Command(Protocol):
    """What a command module holds."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def command_module(name: str) -> Command:
    """Imports the module of the command ``name``."""
    return cast(Command, importlib.import_module(COMMANDS[name][0]))


def user_catalog(command: str) -> Catalog:
    """The model catalog the window uses too: built-in, with the user's ``models.json`` over it.

    An override that cannot be used is named on stderr (the built-in figures are used).
    """
    from workbench.core.catalog import load_catalog

    catalog = load_catalog()
    if catalog.override_error:
        print(f"prompt-workbench {command}: {one_line(catalog.override_error)}", file=sys.stderr)
    return catalog


def add_target_arguments(parser: argparse.ArgumentParser, *, variant_help: str) -> None:
    """The options ``run`` and ``eval`` share: which variants, and where to send them."""
    parser.add_argument(
        "--variant", action="append", default=[], metavar="LABEL", help=variant_help
    )
    parser.add_argument("--provider", metavar="ID", help="send to this provider instead")
    parser.add_argument("--model", metavar="ID", help="use this model instead")
    parser.add_argument("--base-url", metavar="URL", help="send to this base URL instead")
    parser.add_argument(
        "--api-key-env",
        metavar="VAR",
        help="read the API key from this environment variable (instead of the keyring)",
    )


class CliError(Exception):
    """A problem to report on one line of stderr with an exit status."""

    def __init__(self, message: str, status: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse with the CLI's error style: one line on stderr naming the problem, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every headless command."""
    parser = _Parser(
        prog="prompt-workbench",
        description="Prompt Workbench headless commands. Without a command, the window opens.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_, help_text) in COMMANDS.items():
        command_module(name).add_arguments(
            sub.add_parser(name, help=help_text, description=help_text)
        )
    return parser




def main(argv: Sequence[str] | None = None) -> int:
    """Runs a headless command and returns its exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_BAD_INPUT if exit_.code not in (0, None) else EXIT_OK
    run = command_module(args.command).run
    _never_fail_to_encode()
    handler = _warnings_to_stderr(args.command)
    try:
        return run(args)
    except CliError as error:
        print(f"prompt-workbench {args.command}: {one_line(str(error))}", file=sys.stderr)
        return error.status
    except KeyboardInterrupt:
        print(f"prompt-workbench {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`run FILE | head`): stop quietly, as other command-line tools do.
        # Point stdout at /dev/null so that the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_RUN_FAILED
    except Exception as error:  # a bug must still end in one line, not a traceback
        from workbench.core.secrets import redact

        text = one_line(redact(str(error))) or type(error).__name__
        print(
            f"prompt-workbench {args.command}: unexpected error ({type(error).__name__}: {text})",
            file=sys.stderr,
        )
        return EXIT_RUN_FAILED
    finally:
        if handler is not None:
            logging.getLogger().removeHandler(handler)


def one_line(text: str, limit: int = 2000) -> str:
    """``text`` on one line (servers send multi-line messages), at most ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _never_fail_to_encode() -> None:
    """Text the terminal cannot encode (a lone surrogate) is escaped, never a crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            # A closed or detached stream has nothing to print on anyway.
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def _warnings_to_stderr(command: str) -> logging.Handler | None:
    """Shows the core's warnings (an unreadable provider file, say) as the CLI's own lines.

    Without it they reach stderr through logging's last resort, unprefixed. Nothing is added when
    logging is already configured (an embedding program, pytest).
    """
    root = logging.getLogger()
    if root.handlers:
        return None
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(_OneLineFormatter(f"prompt-workbench {command}: %(message)s"))
    root.addHandler(handler)
    return handler


class _OneLineFormatter(logging.Formatter):
    """Each warning on one line of stderr."""

    def format(self, record: logging.LogRecord) -> str:
        return one_line(super().format(record))
