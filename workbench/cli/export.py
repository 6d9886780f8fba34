"""``prompt-workbench export FILE --as python|curl|json``: the exact request as code.

The key is read from an environment variable in the generated code, never written into it.
"""

from __future__ import annotations

import argparse
import sys

from workbench.cli import EXIT_OK, CliError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``export``."""
    parser.add_argument("file", help="a workspace file (*.prompt.json)")
    parser.add_argument(
        "--as",
        dest="as_",
        choices=("python", "curl", "json"),
        default="python",
        help="python (OpenAI SDK), curl, or the JSON body (default: python)",
    )
    parser.add_argument("--variant", metavar="LABEL", help="export this variant's request")
    parser.add_argument("--provider", metavar="ID", help="send to this provider instead")
    parser.add_argument("--model", metavar="ID", help="use this model instead")
    parser.add_argument("--base-url", metavar="URL", help="send to this base URL instead")


def run(args: argparse.Namespace) -> int:
    """Prints the request as code; 2 for bad input."""
    from workbench.cli.run import common_setup
    from workbench.core.export import export_request
    from workbench.core.sessions import RunOverrides, RunSetupError, prepare_runs

    workspace, registry = common_setup(args)
    overrides = RunOverrides(provider=args.provider, model=args.model, base_url=args.base_url)
    labels = [args.variant] if args.variant else []
    try:
        prepared = prepare_runs(
            workspace, registry, None, labels, overrides=overrides, require_keys=False
        )
    except RunSetupError as error:
        raise CliError(str(error)) from None
    sys.stdout.write(export_request(prepared[0].request, args.as_))
    return EXIT_OK
