"""``prompt-workbench export FILE --as python|curl|json|promptfoo``: the request as code.

The key is read from an environment variable in the generated code, never written into it.
``promptfoo`` prints a ``promptfooconfig.yaml`` (prompt, providers, vars, asserts) that promptfoo
runs as is.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from workbench.cli import EXIT_OK, CliError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``export``."""
    parser.add_argument("file", help="a workspace file (*.prompt.json)")
    parser.add_argument(
        "--as",
        dest="as_",
        choices=("python", "curl", "json", "promptfoo"),
        default="python",
        help="python (OpenAI SDK), curl, the JSON body, or a promptfooconfig.yaml with the "
        "variants and test cases (default: python)",
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
    if args.as_ == "promptfoo":
        return _promptfoo(args, workspace, registry)
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


def _promptfoo(args: argparse.Namespace, workspace: Any, registry: Any) -> int:
    from workbench.core.promptfoo import dump_yaml, to_promptfoo
    from workbench.core.providers import normalize_base_url, validate_base_url
    from workbench.core.secrets import redact
    from workbench.core.workspace import WorkspaceError

    if args.provider:
        raise CliError("--provider is not used with --as promptfoo: set the workspace's provider")
    if args.model:
        workspace.params.model = args.model
        for variant in workspace.variants:
            variant.model = None
            variant.params.pop("model", None)
    try:
        data = to_promptfoo(workspace, registry, [args.variant] if args.variant else None)
    except WorkspaceError as error:
        raise CliError(str(error)) from None
    if args.base_url:
        problem = validate_base_url(args.base_url)
        if problem:
            raise CliError(f"--base-url: {problem}")
        for provider in data["providers"]:
            provider["config"]["apiBaseUrl"] = normalize_base_url(args.base_url)
    sys.stdout.write(redact(dump_yaml(data)))
    return EXIT_OK
