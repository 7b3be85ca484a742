"""The ``lambda-core`` command line.

::

    lambda-core run [SCENARIO.toml] [--seed N] [--until S] [--quiet] [--json]
    lambda-core validate SCENARIO.toml
    lambda-core --version

Exit codes: 0 success, 1 a user error (unreadable or invalid scenario, a configuration AWS
would refuse), 2 a usage error (argparse's). User errors are one message on stderr, never a
traceback; AWS's refusals are printed as ``<AWS error code>: <AWS message>``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence

from ._core import __version__
from ._model import Records, Result, Workload
from ._report import ProgressBar, format_run, format_validation, summarize
from ._simulator import Simulator
from .errors import LambdaCoreError, ScenarioError
from .scenarios import Scenario, builtin_scenario, load_scenario

__all__ = ["main", "simulate", "STEPS"]

#: How many steps of simulated time ``lambda-core run`` advances the simulator in.
STEPS = 40


def simulate(
    sim: Simulator,
    workload: Workload,
    until: float | None = None,
    steps: int = STEPS,
    on_step: Callable[[float], None] | None = None,
    records: Sequence[Records] = (),
) -> Result:
    """Runs ``workload`` and ``records`` (one :class:`~lambda_core.Records` per event source
    that ``sim`` maps) on ``sim`` in ``steps`` equal steps of simulated time and returns
    ``sim.stats(until)``: the same figures as ``sim.run(workload, until, records)``, without
    per-request or per-record rows and without destination records
    (``sim.destination_counts()`` still counts them). The steps span the first arrival to
    ``until``, or else to the last arrival among the workload's rows and the records.
    ``on_step(t)`` is called after each step (the progress bar)."""
    sim.submit(workload)
    for r in records:
        sim.submit_records(r)
    first, last = _arrivals(workload, records)
    end = until if until is not None else last
    start = min(first, end)
    for k in range(1, steps + 1):
        t = end if k == steps else start + (end - start) * k / steps
        sim.advance(until=t, requests=False)
        if on_step is not None:
            on_step(t)
    if until is None:
        # the requests and records still running after the last arrival
        sim.advance(None, requests=False)
    return sim.stats(until)


def _arrivals(workload: Workload, records: Sequence[Records]) -> tuple[float, float]:
    """The first and the last arrival among the workload's rows and the records (0 and 0 when
    there are none)."""
    columns = [c for c in (workload.time, *(r.time for r in records)) if len(c)]
    if not columns:
        return 0.0, 0.0
    return min(float(c[0]) for c in columns), max(float(c[-1]) for c in columns)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else 2
    if args.command is None:
        parser.print_usage(sys.stderr)
        print("lambda-core: error: a command is required (run or validate)", file=sys.stderr)
        return 2
    try:
        code: int = args.handler(args)
        return code
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except LambdaCoreError as exc:
        print(f"{exc.code}: {exc}" if exc.code else f"error: {exc}", file=sys.stderr)
        context = getattr(exc, "scenario_context", None)
        if context:
            print(f"  (in {context} of {args.scenario or 'the built-in scenario'})",
                  file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``lambda-core run | head``): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _run(args: argparse.Namespace) -> int:
    scenario = _load(args.scenario)
    seed = scenario.seed if args.seed is None else args.seed
    until = scenario.until if args.until is None else args.until
    sim = scenario.simulator(seed)
    workload = scenario.generate(seed)
    records = scenario.generate_records(seed)

    bar = None
    if not args.quiet and sys.stderr.isatty():
        end = until if until is not None else _arrivals(workload, records)[1]
        bar = ProgressBar(sys.stderr, end)
    started = time.perf_counter()
    try:
        result = simulate(sim, workload, until, on_step=bar.update if bar else None,
                          records=records)
    finally:
        wall = time.perf_counter() - started
        if bar is not None:
            bar.close()

    summary = summarize(
        result,
        scenario=scenario.name,
        seed=seed,
        until=until,
        rows=len(workload),
        wall_time_s=wall,
        account_settings=sim.account_settings(),
        destinations=sim.destination_counts(),
        mappings=sim.mappings,
        records={r.source: len(r) for r in records},
    )
    print(json.dumps(summary, indent=2) if args.json else format_run(summary))
    return 0


def _validate(args: argparse.Namespace) -> int:
    scenario = _load(args.scenario)
    sim = scenario.simulator()  # applies every reservation as AWS would (plan_pools)
    print(format_validation(scenario, sim.account_settings(), args.scenario))
    return 0


def _load(path: str | None) -> Scenario:
    return builtin_scenario() if path is None else load_scenario(path)


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lambda-core",
        description="Simulate AWS Lambda's concurrency machinery from a TOML scenario.",
        epilog="Scenario format: docs/scenarios.md. Exit codes: 0 ok, 1 user error, 2 usage error.",
    )
    parser.add_argument("--version", action="version", version=f"lambda-core {__version__}")
    parser.set_defaults(command=None)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run a scenario and print per-function and per-mapping figures",
        description="Generate the scenario's workload and its event sources' records, simulate "
        "them and print, per function, invocations, throttles by reason, errors, cold starts, "
        "maximum concurrency and, when a function receives asynchronous events, the events "
        "dropped; per event-source mapping, the records, invocations, batches, maximum "
        "concurrency, maximum iterator age, throttles, retries and failed and expired records; "
        "then the records sent to each destination. Without a file, runs the built-in "
        "scenario (limit 1000; orders reserves 200, payments 100, eight functions share 700, "
        "thumbnails receives S3 events with a dead-letter queue, inventory reads a 100-shard "
        "Kinesis stream; over a million requests and 3.8 million stream records).",
    )
    run.add_argument("scenario", nargs="?", metavar="SCENARIO.toml",
                     help="scenario file (default: the built-in scenario)")
    run.add_argument("--seed", type=_seed, metavar="N", help="override the scenario's seed")
    run.add_argument("--until", type=_seconds, metavar="S",
                     help="stop at S seconds of simulated time (default: the scenario's until, "
                     "else when the last request or record is resolved)")
    run.add_argument("--quiet", "-q", action="store_true", help="no progress bar on stderr")
    run.add_argument("--json", action="store_true", help="print the figures as JSON")
    run.set_defaults(command="run", handler=_run)

    validate = commands.add_parser(
        "validate",
        help="check a scenario file without running it",
        description="Load a scenario, check every key and value, and apply the functions' "
        "reservations to the account as AWS would; print a summary with the account "
        "settings, the functions, the event sources and the mappings, or the error "
        "(exit code 1).",
    )
    validate.add_argument("scenario", metavar="SCENARIO.toml", help="scenario file")
    validate.set_defaults(command="validate", handler=_validate)
    return parser
