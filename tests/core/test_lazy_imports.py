"""Cold start: the runner's modules do not import the OpenAI SDK or keyring until they are used."""

from __future__ import annotations

import subprocess
import sys


def test_core_run_modules_and_cli_commands_import_no_sdk_or_keyring() -> None:
    code = (
        "import sys\n"
        "import workbench.core.runner, workbench.core.payloads, workbench.core.history\n"
        "import workbench.core.secrets, workbench.core.export, workbench.core.providers\n"
        "from workbench import cli\n"
        "cli.is_command(['run'])\n"  # what the GUI start does: loads every command module
        "heavy = sorted(m for m in ('openai', 'httpx2', 'keyring') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )

    assert done.stdout.strip() == ""
