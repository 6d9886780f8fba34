"""Cold start: the runner's modules import no SDK (OpenAI, Anthropic) or keyring until used."""

from __future__ import annotations

import subprocess
import sys


def test_core_run_modules_and_cli_commands_import_no_sdk_or_keyring() -> None:
    code = (
        "import sys\n"
        "import workbench.core.runner, workbench.core.payloads, workbench.core.history\n"
        "import workbench.core.secrets, workbench.core.export, workbench.core.providers\n"
        "import workbench.core.anthropic_transport, workbench.core.anthropic_format\n"
        "import workbench.core.lint, workbench.core.model_lists\n"
        "from workbench import cli\n"
        "cli.build_parser()\n"  # loads every command module, as `prompt-workbench run ...` does
        "names = ('openai', 'anthropic', 'httpx', 'httpx2', 'keyring')\n"
        "heavy = sorted(m for m in names if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )

    assert done.stdout.strip() == ""
