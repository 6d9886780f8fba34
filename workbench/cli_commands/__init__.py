"""The headless subcommands; each module registers itself with ``workbench.cli.command``."""

<<<<<<< HEAD
from workbench.cli_commands import export, run

__all__ = ["export", "run"]
=======
from workbench.cli_commands import count  # noqa: F401
>>>>>>> main
