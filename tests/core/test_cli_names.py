"""The window's start-up decides "command or file?" without importing the commands."""

from __future__ import annotations

import subprocess
import sys

from workbench import cli


def test_every_command_in_the_table_has_a_module_with_arguments_and_a_run() -> None:
    parser = cli.build_parser()
    for name in cli.COMMANDS:
        module = cli.command_module(name)
        assert callable(module.add_arguments) and callable(module.run)
        assert parser.parse_args([name, "file.prompt.json"]).command == name


def test_deciding_command_or_file_imports_no_cli_module() -> None:
    code = (
        "import sys; from workbench.app import COMMAND_NAMES; "
        "assert 'run' in COMMAND_NAMES and 'my.prompt.json' not in COMMAND_NAMES; "
        "print(sorted(m for m in sys.modules if m.startswith('workbench.cli')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_window_start_knows_every_command_by_name() -> None:
    # ``prompt-workbench run ...`` must not open a window on a file named "run".
    from workbench.app import COMMAND_NAMES

    assert set(cli.COMMANDS) == COMMAND_NAMES
