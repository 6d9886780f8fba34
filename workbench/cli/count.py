"""``prompt-workbench count FILE``: prompt tokens, window, fit, recommended model, cost.

Local figures are estimates (tiktoken, corrected by what earlier exact counts taught). ``--exact``
asks the provider's count endpoint: Moonshot's for the messages (tools stay an estimate, since
that endpoint does not count them), or, for a Messages API provider (kind ``anthropic``),
``/v1/messages/count_tokens`` for the whole request, tools included. An exact count that fails
prints the estimate, the reason on stderr, and exits 1. The request linter's warnings go to stderr
as ``run`` prints them, the window rule measured with the count just made.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from workbench.cli import EXIT_OK, EXIT_RUN_FAILED, CliError, one_line, user_catalog
from workbench.core import json_files
from workbench.core.catalog import Catalog
from workbench.core.exact_count import (
    EXACT_COUNT_KINDS,
    CountTarget,
    ExactCountError,
    count_client,
)
from workbench.core.figures import money
from workbench.core.meter import MeterReading, measure, provider_kind
from workbench.core.payloads import workspace_with_model
from workbench.core.tokens import Calibration, TokenCounter
from workbench.core.workspace import Workspace, WorkspaceError
from workbench.core.workspace_files import load_workspace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``count``."""
    parser.add_argument("file", help="a workspace (*.prompt.json), request body or messages array")
    parser.add_argument("--model", help="count against this model instead of the workspace's")
    parser.add_argument(
        "--max-tokens",
        type=int,
        help="output tokens to reserve (default: the workspace's max_tokens, else the provider's)",
    )
    parser.add_argument(
        "--exact",
        action="store_true",
        help="ask the provider's count endpoint (Moonshot; the Messages API's count_tokens)",
    )
    parser.add_argument("--provider", help="provider id for --exact (default: the workspace's)")
    parser.add_argument("--base-url", help="the provider's base URL for --exact")
    parser.add_argument(
        "--api-key-env",
        metavar="VAR",
        help="environment variable holding the key for --exact (default: the provider's)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _exact_target(args: argparse.Namespace, workspace: Workspace) -> CountTarget:
    """The base URL, key and provider kind for ``--exact``; CliError (bad input) when the URL or
    the key is missing.

    The provider and its key are found as a run finds them: the user's providers too, and the key
    from the keyring, then the provider's environment variable (``--api-key-env`` overrides both).
    """
    from workbench.core.providers import ProviderRegistry
    from workbench.core.secrets import KeyStore

    provider_id = args.provider or workspace.params.provider
    found = ProviderRegistry().get(provider_id)
    base_url = args.base_url or (found.base_url if found else None)
    if not base_url:
        raise CliError(f"--exact: unknown provider {provider_id!r}; pass --base-url")
    kind = found.kind if found else provider_kind(provider_id)
    if not args.base_url and kind not in EXACT_COUNT_KINDS:
        raise CliError(
            f"--exact: {found.name if found else provider_id} has no token count endpoint "
            "(Moonshot and the Messages API providers have one); pass --base-url of a server "
            "that does"
        )
    if args.api_key_env:
        variable: str | None = args.api_key_env
        key = os.environ.get(args.api_key_env, "").strip() or None
    else:
        variable = found.key_env if found else None
        key = KeyStore().resolve_key(found) if found else None
    if not key:
        where = f"set {variable}" if variable else "pass --api-key-env VAR"
        raise CliError(f"--exact: no API key ({where})")
    return CountTarget(base_url, key, kind if kind in EXACT_COUNT_KINDS else "moonshot")


async def _exact_count(
    target: CountTarget, workspace: Workspace, catalog: Catalog
) -> tuple[int, bool]:
    """The provider's count and whether it includes the tools."""
    client = count_client(target)
    try:
        return await client.prepare(workspace, catalog)(), client.tools_counted
    finally:
        await client.aclose()


def _lint_lines(
    args: argparse.Namespace, workspace: Workspace, model_id: str, prompt_tokens: int
) -> list[str]:
    """The request linter's warnings for the model and output counted, as ``run`` prints them;
    the window rule gets the count just made (exact where the provider counted)."""
    from workbench.core.payloads import lint
    from workbench.core.providers import ProviderRegistry

    provider = ProviderRegistry().get(args.provider or workspace.params.provider)
    if provider is None:
        return []
    linted = workspace_with_model(workspace, model_id)
    if args.max_tokens is not None:
        linted.params.max_tokens = args.max_tokens
    found = lint(linted, provider, prompt_tokens=prompt_tokens)
    return [f.line() for f in found if not f.blocking]


def _text(reading: MeterReading) -> str:
    rec = reading.recommendation
    window = "unknown" if rec.current_window is None else f"{rec.current_window:,}"
    source = reading.source + ("" if reading.exact else f", {reading.encoding}")
    fits = {True: "yes", False: "NO", None: "unknown (window unknown)"}[rec.current_fits]
    lines = [
        f"Prompt tokens:   {reading.prompt_tokens:,} ({source}; system {reading.system:,}, "
        f"messages {reading.messages:,}, tools {reading.tools:,})",
        f"Model:           {reading.model_id}, context window {window}",
        f"Reserved output: {rec.reserved_output:,}"
        + (f", margin {rec.margin:,} for the estimate" if rec.margin else ""),
        f"Fits:            {fits} ({rec.needed:,} needed)",
        f"Recommended:     {rec.model or 'none'} — {rec.message}",
    ]
    cost = reading.cost
    if cost is None:
        lines.append("Estimated cost:  unknown (no prices for this model in the catalog)")
    else:
        cached = (
            ""
            if cost.cached_input_usd is None
            else f"; input at the cache-hit price {money(cost.cached_input_usd)}"
        )
        lines.append(
            f"Estimated cost:  up to {money(cost.total_usd)} (input {money(cost.input_usd)} "
            f"+ max output {money(cost.output_usd)}{cached})"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Counts the workspace and prints the figures; returns the exit status."""
    if args.max_tokens is not None and args.max_tokens < 1:
        raise CliError("--max-tokens must be a positive number of tokens")
    try:
        workspace = load_workspace(args.file)
    except WorkspaceError as error:
        raise CliError(str(error)) from None
    catalog = user_catalog("count")
    model_id = args.model or workspace.params.model
    counter = TokenCounter()
    calibration = Calibration()
    exact_total: int | None = None
    tools_counted = False
    failure: str | None = None
    if args.exact:
        target = _exact_target(args, workspace)
        counted = workspace_with_model(workspace, model_id) if args.model else workspace
        try:
            exact_total, tools_counted = asyncio.run(_exact_count(target, counted, catalog))
        except ExactCountError as error:
            failure = f"exact count failed, showing the estimate: {error}"
    reading = measure(
        workspace,
        counter,
        catalog,
        calibration=calibration,
        exact_messages=exact_total,
        exact_includes_tools=tools_counted,
        model_id=model_id,
        max_tokens=args.max_tokens,
    )
    if exact_total is not None and reading.model is not None:
        estimate = reading.breakdown.conversation + (
            reading.breakdown.tools if tools_counted else 0
        )
        calibration.learn(reading.model.family, estimate, exact_total)
    if args.json:
        data = {"file": str(args.file), **reading.to_json()}
        if failure:
            data["exact_error"] = failure
        print(json_files.dumps(data))
    else:
        print(_text(reading))
    for line in _lint_lines(args, workspace, model_id, reading.prompt_tokens):
        print(f"prompt-workbench count: {line}", file=sys.stderr)
    if failure:
        print(f"prompt-workbench count: {one_line(str(failure))}", file=sys.stderr)
        return EXIT_RUN_FAILED
    return EXIT_OK
