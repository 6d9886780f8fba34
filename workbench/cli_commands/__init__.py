"""The headless subcommands; each module registers itself with ``workbench.cli.command``."""
