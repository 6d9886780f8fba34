"""``prompt-workbench eval FILE``: every test case through each variant, judged by assertions.

Prints a table (or, with ``--json``, one JSON object: ``summary``, ``results``, ``regressions``).
Exit 0 when every row passes, 1 when a row fails or errors (with ``--fail-on-regression``: only
when a row that passed in the ``--baseline`` now fails), 2 for bad input. Every run and the
evaluation itself are recorded in the history.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.cli import EXIT_OK, EXIT_RUN_FAILED, CliError, add_target_arguments, user_catalog
from workbench.core.figures import money

if TYPE_CHECKING:
    from workbench.core.evaluation import EvalReport


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``eval``."""
    parser.add_argument("file", help="a workspace file (*.prompt.json) or promptfooconfig.yaml")
    add_target_arguments(
        parser, variant_help="evaluate this variant (repeat for several); all variants by default"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, metavar="N", help="run every case N times (default 1)"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=4,
        metavar="N",
        help="at most N requests at once per provider (default 4)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--output", metavar="RESULTS.json", help="also write the JSON object to this file"
    )
    parser.add_argument("--junit", metavar="PATH", help="write a JUnit XML report (one per row)")
    parser.add_argument(
        "--baseline",
        metavar="RESULTS.json",
        help="compare with an earlier --output file and list the regressions",
    )
    parser.add_argument(
        "--fail-on-regression",
        action="store_true",
        help="exit 1 only when a row that passed in the baseline now fails",
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, metavar="SECONDS", help="network timeout"
    )


def _read_baseline(path: str) -> EvalReport:
    from workbench.core.evaluation import EvalReport

    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(f"--baseline {path}: cannot read it ({error})") from None
    try:
        return EvalReport.from_json(json.loads(text))
    except json.JSONDecodeError as error:
        raise CliError(
            f"--baseline {path}: not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg})"
        ) from None
    except ValueError as error:
        raise CliError(f"--baseline {path}: {error}") from None


def _check_options(args: argparse.Namespace) -> None:
    if args.repeat < 1:
        raise CliError("--repeat must be at least 1")
    if args.concurrency < 1:
        raise CliError("--concurrency must be at least 1")
    if not args.timeout > 0:
        raise CliError("--timeout must be a positive number of seconds")
    if args.fail_on_regression and not args.baseline:
        raise CliError("--fail-on-regression needs --baseline RESULTS.json")


def run(args: argparse.Namespace) -> int:
    """Runs the evaluation; see the module's docstring for the exit status."""
    from workbench.cli.run import common_setup
    from workbench.core.eval_history import EvalStore, group_of
    from workbench.core.evaluation import (
        EvalRow,
        Evaluation,
        Overrides,
        plan_cells,
        regressions,
        test_problems,
    )
    from workbench.core.history import HistoryStore
    from workbench.core.secrets import KeyStore, redact
    from workbench.core.sessions import (
        EngineEvent,
        NotRecorded,
        ProviderLimiter,
        RunEngine,
        RunOptions,
        missing_key_message,
        store_recorder,
    )
    from workbench.core.settings import Settings

    _check_options(args)
    workspace, registry = common_setup(args)
    baseline = _read_baseline(args.baseline) if args.baseline else None
    if not workspace.tests:
        raise CliError(f'{args.file}: no test cases (add a "tests" array)')
    problems = test_problems(workspace)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise CliError(f"{args.file}: {problems[0]}{more}")
    api_key = None
    if args.api_key_env:
        api_key = os.environ.get(args.api_key_env, "").strip()
        if not api_key:
            raise CliError(f"--api-key-env: the environment variable {args.api_key_env} is empty")
    overrides = Overrides(provider=args.provider, model=args.model, base_url=args.base_url)
    try:
        cells = plan_cells(
            workspace, registry, args.variant, repeat=args.repeat, overrides=overrides
        )
    except KeyError as error:
        raise CliError(str(error.args[0])) from None
    refused = next((c for c in cells if c.prepared.problem is not None), None)
    if refused is not None:
        test, label, _ = refused.key
        raise CliError(f"test {test}, variant {label!r}: {refused.prepared.problem}")
    keys = KeyStore() if api_key is None else None
    found: dict[str, str | None] = {}
    for cell in cells:
        provider = cell.prepared.provider
        if provider.id in found:
            continue
        key = api_key or (keys.resolve_key(provider) if keys is not None else None)
        if provider.needs_key and not key:
            raise CliError(missing_key_message(provider))
        found[provider.id] = key

    history: HistoryStore | None
    store: EvalStore | None
    try:
        history, store = HistoryStore(), EvalStore()
    except (sqlite3.Error, OSError) as error:  # the evaluation still runs; its record is lost
        print(f"prompt-workbench eval: history unusable, not recorded ({error})", file=sys.stderr)
        history, store = None, None
    labels = list(dict.fromkeys(c.key[1] for c in cells))
    source = str(Path(args.file).resolve())
    evaluation_id = store.begin(source, workspace.title, labels, len(cells)) if store else None
    positions = {c.key: i for i, c in enumerate(cells)}
    # Keys were looked up above, all or nothing; a grader of another provider gets --api-key-env.
    known = {p.id: key for p in registry.all() if (key := found.get(p.id) or api_key)}
    engine = RunEngine(
        registry,
        known,
        limiter=ProviderLimiter(args.concurrency),
        recorder=store_recorder(history) if history is not None else None,
        catalog=user_catalog("eval"),
        # The answer-size cap and the deadline of the user's settings, as `run` and the window.
        options=RunOptions.from_settings(Settings.load(), timeout=args.timeout),
    )
    evaluation = Evaluation(
        workspace,
        cells,
        engine=engine,
        group=group_of(evaluation_id) if evaluation_id is not None else None,
        registry=registry,
        labels=labels,
        overrides=overrides,
    )

    def on_event(_key: Any, event: EngineEvent) -> None:
        if isinstance(event, NotRecorded):
            print(f"prompt-workbench eval: run not recorded ({event.message})", file=sys.stderr)

    evaluation.on_event = on_event
    pending: set[asyncio.Future[Any]] = set()

    def on_row(row: EvalRow) -> None:
        if store is None or evaluation_id is None:
            return
        future = asyncio.ensure_future(
            asyncio.to_thread(store.add_row, evaluation_id, positions[row.key], row)
        )
        pending.add(future)
        future.add_done_callback(pending.discard)

    evaluation.on_row = on_row

    async def main() -> EvalReport:
        report = await evaluation.run()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        return report

    report = asyncio.run(main())
    if store is not None and evaluation_id is not None:
        store.finish(evaluation_id, report.duration_ms)
    if baseline is not None:
        report.regressions = regressions(report, baseline)
    data = report.to_json()
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if args.output:
        from workbench.core.workspace import write_atomic

        try:
            write_atomic(args.output, redact(text, api_key))
        except OSError as error:
            raise CliError(f"--output {args.output}: cannot write it ({error.strerror})") from None
    if args.junit:
        from workbench.core.evaluation import junit_xml
        from workbench.core.workspace import write_atomic

        try:
            write_atomic(args.junit, redact(junit_xml(report), api_key))
        except OSError as error:
            raise CliError(f"--junit {args.junit}: cannot write it ({error.strerror})") from None
    if args.json:
        sys.stdout.write(redact(json.dumps(data, ensure_ascii=False), api_key) + "\n")
    else:
        sys.stdout.write(redact(format_table(report), api_key))
    if args.fail_on_regression:
        return EXIT_RUN_FAILED if report.regressions else EXIT_OK
    return EXIT_OK if report.all_passed else EXIT_RUN_FAILED


def _cut(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def format_table(report: EvalReport) -> str:
    """The text-mode report: a line per row, a summary line per variant, the regressions."""
    lines = [
        f"{'test':>4}  {'variant':<16} {'result':<6} {'score':>5} {'latency':>9} "
        f"{'cost':>10}  detail"
    ]
    for row in report.rows:
        repeat = f"#{row.repeat}" if row.repeat else ""
        if row.error is not None:
            detail = row.error
        else:
            failing = [f"{a.type}: {a.reason}" for a in row.assertions if not a.passed]
            detail = "; ".join(failing) or row.description
        latency = f"{row.duration_ms:.0f} ms" if row.duration_ms is not None else "–"
        cost = money(row.cost_usd)
        lines.append(
            f"{row.test:>4}  {_cut(row.variant + repeat, 16):<16} {row.status.upper():<6} "
            f"{row.score:>5.2f} {latency:>9} {cost:>10}  {_cut(detail, 100)}"
        )
    lines.append("")
    for label in report.labels:
        summary = report.variant_summary(label)
        mean = f"{summary.mean_latency_ms:.0f} ms" if summary.mean_latency_ms is not None else "–"
        failures = ", ".join(f"{k} ×{v}" for k, v in sorted(summary.failures_by_assertion.items()))
        lines.append(
            f"{label}: {summary.passed}/{summary.rows} passed ({summary.pass_rate:.0%}), "
            f"mean latency {mean}, cost {money(summary.cost_usd)}"
            + (f", failing: {failures}" if failures else "")
        )
    total = report.total
    lines.append(
        f"Total: {total.passed} passed, {total.failed} failed, {total.errors} errors "
        f"of {total.rows} rows in {report.duration_ms / 1000:.1f} s, cost {money(total.cost_usd)}"
    )
    for item in report.regressions:
        lines.append(
            f"Regression: test {item['test']}, {item['variant']}: {item['was']} → {item['now']}"
        )
    return "\n".join(lines) + "\n"
