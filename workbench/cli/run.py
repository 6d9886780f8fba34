"""``prompt-workbench run FILE``: runs a workspace (or some of its variants) headless.

Text mode prints the answer as it streams (prefix + continuation when partial); ``--json`` prints
one JSON object per variant. Every run is recorded in the history.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
from typing import TYPE_CHECKING

from workbench.cli import (
    EXIT_OK,
    EXIT_RUN_FAILED,
    CliError,
    add_target_arguments,
    one_line,
    user_catalog,
)
from workbench.core import json_files
from workbench.core.run_types import Status, TextDelta

if TYPE_CHECKING:
    from workbench.core.providers import ProviderRegistry
    from workbench.core.sessions import RunOverrides
    from workbench.core.tokens import TokenCounter
    from workbench.core.workspace import Variant, Workspace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``run``."""
    parser.add_argument("file", help="a workspace file (*.prompt.json)")
    add_target_arguments(
        parser,
        variant_help=(
            "run this variant (repeat to run several at once); the workspace itself by default"
        ),
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object per variant")
    parser.add_argument(
        "--timeout", type=float, default=60.0, metavar="SECONDS", help="network timeout"
    )


def common_setup(args: argparse.Namespace) -> tuple[Workspace, ProviderRegistry]:
    """The workspace and the provider registry, or CliError (exit 2) naming the problem."""
    from workbench.core.providers import ProviderRegistry, validate_base_url
    from workbench.core.workspace import WorkspaceError
    from workbench.core.workspace_files import load_workspace

    try:
        workspace = load_workspace(args.file)
    except WorkspaceError as error:
        raise CliError(str(error)) from None
    if getattr(args, "base_url", None):
        problem = validate_base_url(args.base_url)
        if problem:
            raise CliError(f"--base-url: {problem}")
    return workspace, ProviderRegistry()


def lint_lines(
    workspace: Workspace, registry: ProviderRegistry, labels: list[str], overrides: RunOverrides
) -> list[str]:
    """The request linter's warnings, one line each, as the window shows them at their places.

    Errors (what the provider certainly refuses) stop the run with exit status 2 instead. The
    window rule gets the prompt's size from the local counter, as the window's meter counts it.
    """
    from workbench.core.payloads import find_variant, lint, provider_id_for, workspace_with_model

    lines: list[str] = []
    chosen: list[str | None] = list(labels) or [None]
    counter: list[TokenCounter] = []  # made on first use: loading the tokenizer takes a while
    for label in chosen:
        variant = find_variant(workspace, label) if label is not None else None
        if label is not None and variant is None:
            continue  # the run names the unknown variant
        provider = registry.get(overrides.provider or provider_id_for(workspace, variant))
        if provider is None:
            continue
        if overrides.model:
            workspace = workspace_with_model(workspace, overrides.model)
            variant = find_variant(workspace, label) if label is not None else None
        prompt = prompt_tokens_for_lint(workspace, variant, counter)
        lines += [
            f.line()
            for f in lint(workspace, provider, variant, prompt_tokens=prompt)
            if not f.blocking
        ]
    return lines


def prompt_tokens_for_lint(
    workspace: Workspace, variant: Variant | None, counter: list[TokenCounter]
) -> int | None:
    """The prompt's size for the linter's window rule, or None when the rule cannot apply (no
    ``max_tokens``, or a model without a known window): then the tokenizer is not loaded."""
    from workbench.core.payloads import (
        builtin_catalog,
        effective_params,
        sent_tools,
        variant_messages,
    )
    from workbench.core.tokens import TokenCounter
    from workbench.core.workspace import WorkspaceError

    try:
        params = effective_params(workspace, variant)
    except WorkspaceError:
        return None  # the run names it
    model = builtin_catalog().get(params.model)
    if params.max_tokens is None or model is None or model.context_window is None:
        return None
    if not counter:
        counter.append(TokenCounter())
    return counter[0].count(variant_messages(workspace, variant), sent_tools(workspace)).total


def run(args: argparse.Namespace) -> int:
    """Runs the workspace; 0 when every run succeeded, 1 when one failed, 2 for bad input."""
    from workbench.core.history import HistoryStore, new_group_id
    from workbench.core.secrets import KeyStore, redact
    from workbench.core.sessions import (
        EngineEvent,
        NotRecorded,
        RunOptions,
        RunOverrides,
        RunSetupError,
        run_variants,
    )
    from workbench.core.settings import Settings

    if not args.timeout > 0:  # also refuses nan, which no comparison accepts
        raise CliError("--timeout must be a positive number of seconds")
    workspace, registry = common_setup(args)
    api_key = None
    if args.api_key_env:
        api_key = os.environ.get(args.api_key_env, "").strip()
        if not api_key:
            raise CliError(f"--api-key-env: the environment variable {args.api_key_env} is empty")
    overrides = RunOverrides(
        provider=args.provider,
        model=args.model,
        base_url=args.base_url,
        api_key=api_key,
        api_key_env=args.api_key_env if api_key else None,
    )
    labels = list(dict.fromkeys(args.variant))  # the same label twice runs once
    for line in lint_lines(workspace, registry, labels, overrides):
        print(f"prompt-workbench run: {line}", file=sys.stderr)
    # One run in text mode streams to the terminal as it arrives, its prefix first.
    streaming = not args.json and len(labels) <= 1
    conversation = workspace.conversation
    prefix = conversation[-1].content if len(conversation) and conversation[-1].partial else ""
    streamed = [False]

    def show(position: int, event: EngineEvent) -> None:
        where = f"{labels[position]}: " if labels else ""
        if isinstance(event, Status):  # retries are visible, on stderr so stdout stays the answer
            print(f"prompt-workbench run: {where}{one_line(event.text)}", file=sys.stderr)
        elif isinstance(event, NotRecorded):
            print(
                f"prompt-workbench run: {where}not recorded in the history "
                f"({one_line(event.message)})",
                file=sys.stderr,
            )
        elif streaming and isinstance(event, TextDelta):
            if not streamed[0]:
                streamed[0] = True
                sys.stdout.write(prefix)
            sys.stdout.write(event.text)
            sys.stdout.flush()

    try:
        history: HistoryStore | None = HistoryStore()
    except (sqlite3.Error, OSError) as error:  # the run still runs; only its record is lost
        print(
            f"prompt-workbench run: history unusable, not recorded ({one_line(str(error))})",
            file=sys.stderr,
        )
        history = None
    try:
        results = asyncio.run(
            run_variants(
                workspace,
                registry,
                None if api_key else KeyStore(),
                labels,
                overrides=overrides,
                history=history,
                group=new_group_id() if len(labels) > 1 else None,
                on_event=show,
                timeout=args.timeout,
                catalog=user_catalog("run"),
                options=RunOptions.from_settings(Settings.load()),
            )
        )
    except RunSetupError as error:
        raise CliError(redact(str(error), api_key)) from None
    failed = False
    for result in results:
        if args.json:
            print(json_files.dumps(result.to_json()))
        else:
            if len(results) > 1:
                print(f"== {result.variant} ({result.provider} / {result.model}) ==")
            if streamed[0]:
                print()  # end the streamed line
            elif result.text or not result.error:
                print(result.full_text)
            for call in result.tool_calls:
                print(f"[tool call {call.id}] {call.name}({call.arguments})")
        if result.error:
            failed = True
            where = f"{result.variant}: " if result.variant else ""
            print(f"prompt-workbench run: {where}{one_line(result.error)}", file=sys.stderr)
    return EXIT_RUN_FAILED if failed else EXIT_OK
