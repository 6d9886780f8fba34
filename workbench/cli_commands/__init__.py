"""The headless subcommands; each module registers itself with ``workbench.cli.command``."""

from workbench.cli_commands import export, run

__all__ = ["export", "run"]
