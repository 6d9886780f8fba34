"""The headless subcommands; each module registers itself with ``workbench.cli.command``."""

from workbench.cli_commands import count, eval, export, run

__all__ = ["count", "eval", "export", "run"]
