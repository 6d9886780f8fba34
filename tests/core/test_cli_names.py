"""The window's start-up decides "command or file?" without importing the commands."""

from __future__ import annotations

import subprocess
import sys

from workbench import cli


def test_the_static_command_names_match_the_registered_commands() -> None:
    cli.build_parser()
    assert set(cli.COMMANDS) == cli.COMMAND_NAMES


def test_deciding_command_or_file_imports_no_command() -> None:
    code = (
        "import sys; from workbench import cli; "
        "assert cli.is_command(['run']) and not cli.is_command(['my.prompt.json']); "
        "print(sorted(m for m in sys.modules if m.startswith('workbench.cli_commands.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
