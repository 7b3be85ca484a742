"""The ``lambda-core`` command line.

::

    lambda-core run [SCENARIO.toml] [--seed N] [--until S] [--quiet] [--json]
                    [--metrics FILE.csv|FILE.json] [--metrics-period S]
                    [--report FILE.html] [--cost] [--traces FILE.jsonl]
    lambda-core validate SCENARIO.toml
    lambda-core replay TRACE [--format F] [--report FILE.html] ...   (lambda_core._replay_cli)
    lambda-core check SCENARIO.toml [--seed N] [--junit FILE.xml]    (lambda_core._check_cli)
    lambda-core sweep SCENARIO.toml --set PATH=START:STOP:STEP ...   (lambda_core._capacity_cli)
    lambda-core plan SCENARIO.toml --target "F.FIGURE<=X" ...        (lambda_core._capacity_cli)
    lambda-core limits [SCENARIO.toml] [--format F] [--section S]   (lambda_core._limits_cli)
    lambda-core --version

Exit codes (:data:`EXIT_CODES`): 0 success, 1 a user error (unreadable or invalid scenario, a
configuration AWS or lambda_core would refuse), 2 a usage error (argparse's), 130 interrupted,
141 a closed pipe. User errors are one message on stderr, never a traceback (:func:`_failure`
is the one place that writes them); AWS's refusals are printed as ``<AWS error code>: <AWS
message>``. ``validate`` makes every check ``run`` makes before it simulates.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import json
import math
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ._core import __version__
from ._metrics_export import write_csv
from ._model import Records, Result, Workload
from ._report import ProgressBar, cost_summary, format_cost, format_run, format_validation, printable, summarize
from ._simulator import Simulator
from .errors import LambdaCoreError, ScenarioError
from .scenarios import Scenario, builtin_scenario, load_scenario
from .scenarios._schema import MAX_SECONDS, MAX_SEED, MIN_METRICS_PERIOD_S

__all__ = ["main", "simulate", "STEPS", "EXIT_CODES", "OUTPUTS", "Output", "Finished",
           "DEFAULT_METRICS_PERIOD_S"]

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
    ``on_step(t)`` is called after each step (the progress bar). The result's ``traces`` are
    every step's (docs/traces.md)."""
    sim.submit(workload)
    for r in records:
        sim.submit_records(r)
    first, last = _arrivals(workload, records)
    end = until if until is not None else last
    start = min(first, end)
    traces: list[Mapping[str, Any]] = []
    for k in range(1, steps + 1):
        t = end if k == steps else start + (end - start) * k / steps
        traces.append(sim.advance(until=t, requests=False).traces)
        if on_step is not None:
            on_step(t)
    if until is None:
        # the requests and records still running after the last arrival
        traces.append(sim.advance(None, requests=False).traces)
    result = sim.stats(until)
    traces.append(result.traces)
    return dataclasses.replace(result, traces={
        k: np.concatenate([w[k] for w in traces]) for k in result.traces})


def _arrivals(workload: Workload, records: Sequence[Records]) -> tuple[float, float]:
    """The first and the last arrival among the workload's rows and the records (0 and 0 when
    there are none)."""
    columns = [c for c in (workload.time, *(r.time for r in records)) if len(c)]
    if not columns:
        return 0.0, 0.0
    return min(float(c[0]) for c in columns), max(float(c[-1]) for c in columns)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit code
    (:data:`EXIT_CODES`)."""
    parser = _parser()
    args: argparse.Namespace | None = None
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help, --version, usage errors
            code = exc.code if isinstance(exc.code, int) else USAGE_ERROR
        else:
            code = _command(parser, args)
        # flushed here, not at interpreter exit, so that a closed pipe is seen below
        if sys.stdout is not None:
            sys.stdout.flush()
        return code
    except BaseException as exc:
        failure = _failure(exc, None if args is None else args.scenario)
        if failure is None:  # a bug, or SystemExit: its own traceback and code
            raise
        return failure


def _command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command is None:
        parser.print_usage(sys.stderr)
        print("lambda-core: error: a command is required (run, validate, replay, check, sweep, plan or limits)", file=sys.stderr)
        return USAGE_ERROR
    code: int = args.handler(args)
    return code


#: The exit codes of ``lambda-core``: 0 success; 1 a bad scenario or input (its file, its
#: values, a configuration AWS or lambda_core refuses, an unreadable file, out of memory);
#: 2 a usage error (argparse's: a bad option such as ``--seed -1``); 130 interrupted (Ctrl-C,
#: 128 + SIGINT); 141 the reader of the output went away (``lambda-core run | head``; 128 +
#: SIGPIPE, what a shell reports for a tool that SIGPIPE ended). A bug in lambda_core shows a
#: traceback and exits 1, as Python does.
EXIT_CODES = {"ok": 0, "input error": 1, "usage error": 2, "interrupted": 130, "closed pipe": 141}
INPUT_ERROR = 1
USAGE_ERROR = 2
INTERRUPTED = 130
CLOSED_PIPE = 141


def _failure(exc: BaseException, scenario: str | None) -> int | None:
    """The one place that turns an exception of a command into its message and exit code: one
    line on stderr, ``error: ...`` (AWS's refusals: ``<AWS error code>: <AWS message>``,
    followed by the table of the file they come from). ``None`` for an exception a user cannot
    cause (a bug), which :func:`main` re-raises with its traceback. ``scenario``: the file the
    command read (``None``: the built-in scenario)."""
    if isinstance(exc, BrokenPipeError):
        # The reader went away: stop quietly, as Unix tools do.
        _discard_stdout()
        return CLOSED_PIPE
    if isinstance(exc, KeyboardInterrupt):
        _error("interrupted")
        return INTERRUPTED
    if isinstance(exc, ScenarioError):
        _error(f"error: {exc}")
    elif isinstance(exc, LambdaCoreError):
        _error(f"{exc.code}: {exc}" if exc.code else f"error: {exc}")
        context = getattr(exc, "scenario_context", None)
        if context:
            _error(f"  (in {context} of {scenario or 'the built-in scenario'})")
    elif isinstance(exc, MemoryError):
        # the engine's MemoryError says what it could not allocate; numpy's and Python's say little
        said = str(exc).removeprefix("lambda_core: ")
        _error(f"error: {said}" if said.startswith("out of memory") else
               "error: out of memory: the scenario's requests, records or simulation need more "
               "memory than there is (fewer generated rows need less)")
    elif isinstance(exc, UnicodeError):  # text the file or the terminal cannot hold
        _error(f"error: {exc}")
    elif isinstance(exc, OSError):  # e.g. writing the report to a full disk (/dev/full)
        where = f" ('{exc.filename}')" if exc.filename else ""
        _error(f"error: {exc.strerror or exc}{where}")
        _discard_stdout()
    else:
        return None
    return INPUT_ERROR


def _error(line: str) -> None:
    """Writes ``line`` to stderr, with escapes for what its encoding cannot show (nothing
    when stderr is closed: ``print`` would write to stdout instead)."""
    if sys.stderr is not None:
        try:
            print(printable(line, sys.stderr), file=sys.stderr)
        except OSError:  # stderr is a closed pipe too: the exit code is all that is left
            pass


def _output(text: str) -> None:
    """Writes ``text`` (a report) to stdout, with escapes for what its encoding cannot show."""
    if sys.stdout is None:  # started with stdout closed (``>&-``): say so, as coreutils do
        raise OSError(errno.EBADF, "cannot write the report: standard output is closed")
    print(printable(text, sys.stdout))


def _discard_stdout() -> None:
    """Points stdout at /dev/null when what it holds cannot be written: Python flushes it
    again at exit and would fail a second time, with a traceback and exit code 120."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except OSError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):  # not a real file (a test's capture): nothing to flush
            pass
        finally:
            os.close(devnull)


@dataclasses.dataclass(frozen=True)
class Finished:
    """A run ``lambda-core run`` has simulated and reported: what each output after the run
    (:data:`OUTPUTS`) reads."""

    args: argparse.Namespace
    scenario: Scenario
    seed: int
    until: float | None
    simulator: Simulator
    result: Result
    #: The figures printed (:func:`~lambda_core._report.summarize`).
    summary: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Output:
    """One of ``run``'s outputs after its figures: ``wanted(args)`` says whether the command
    line asks for it; ``check(args)``, called before the simulation, refuses what would fail
    only once the run is over (a file in a folder that does not exist); ``write(run)`` writes
    it. ``series``: it needs the per-period series (:data:`DEFAULT_METRICS_PERIOD_S` unless
    ``--metrics-period`` or the scenario sets the period)."""

    wanted: Callable[[argparse.Namespace], bool]
    write: Callable[[Finished], None]
    check: Callable[[argparse.Namespace], None] | None = None
    series: bool = False


#: The period of the series when an output needs them and neither ``--metrics-period`` nor
#: the scenario's ``metrics_period_s`` sets one: CloudWatch's standard resolution.
DEFAULT_METRICS_PERIOD_S = 60.0


def _run(args: argparse.Namespace) -> int:
    scenario = _load(args.scenario)
    seed = scenario.seed if args.seed is None else args.seed
    until = scenario.until if args.until is None else args.until
    outputs = [output for output in OUTPUTS if output.wanted(args)]
    for output in outputs:
        if output.check is not None:
            output.check(args)
    period = _metrics_period(args, scenario, any(output.series for output in outputs))
    if period != scenario.metrics_period_s:
        scenario = dataclasses.replace(scenario, metrics_period_s=period)
    sim = scenario.simulator(seed)
    if until is None:
        _check_finishes(scenario, sim)
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
    if args.cost:
        summary["cost"] = cost_summary(result.cost(), sim.function_names)
    _output(json.dumps(summary, indent=2) if args.json else format_run(summary))
    if args.cost and not args.json:
        _output(format_cost(summary["cost"]))
    finished = Finished(args, scenario, seed, until, sim, result, summary)
    for output in outputs:
        output.write(finished)
    return 0


def _metrics_period(args: argparse.Namespace, scenario: Scenario, needed: bool) -> float | None:
    """The period of the run's series: ``--metrics-period``, else the scenario's
    ``metrics_period_s``, else :data:`DEFAULT_METRICS_PERIOD_S` when an output needs series,
    else none."""
    if args.metrics_period is not None:
        period: float | None = args.metrics_period
    elif scenario.metrics_period_s is not None:
        period = scenario.metrics_period_s
    else:
        period = DEFAULT_METRICS_PERIOD_S if needed else None
    return period


def _check_output_file(path: str) -> None:
    """Refuses, before a run, an output file whose folder does not exist or that is a folder."""
    folder = os.path.dirname(path) or "."
    if os.path.isdir(path):
        raise OSError(errno.EISDIR, "cannot write an output file over a directory", path)
    if not os.path.isdir(folder):
        raise OSError(errno.ENOENT, "no such directory for the output file", path)


def _write_metrics(run: Finished) -> None:
    """``--metrics FILE``: the series as CSV (the long form) or JSON (CloudWatch's
    ``GetMetricData`` response)."""
    path: str = run.args.metrics
    metrics = run.result.metrics
    if metrics is None:
        raise AssertionError("the simulator was built with a metrics period but gave no series")
    with open(path, "w", encoding="utf-8", newline="") as file:
        if _suffix(path) == ".csv":
            write_csv(metrics, file)
        else:
            json.dump(metrics.to_cloudwatch(), file, indent=1, allow_nan=False)
            file.write("\n")


def _write_report(run: Finished) -> None:
    """``--report FILE.html``: the self-contained HTML report (docs/report.md)."""
    from ._html_report import write_report

    write_report(run.result, run.args.report, summary=run.summary, title=run.scenario.name)


#: ``--traces`` suffixes that write OTLP/JSON (the OpenTelemetry Collector's file format: one
#: ``ExportTraceServiceRequest`` per line, one per function); any other file gets X-Ray segment
#: documents, one per line.
OTLP_SUFFIXES = (".otlp.jsonl", ".otlp.json")


def _write_traces(run: Finished) -> None:
    """``--traces FILE``: the traced requests' X-Ray segment documents (or OTLP/JSON for a
    :data:`OTLP_SUFFIXES` file), one JSON document per line (docs/traces.md)."""
    path: str = run.args.traces
    with open(path, "w", encoding="utf-8", newline="\n") as file:
        if path.lower().endswith(OTLP_SUFFIXES):
            for resource in run.result.otlp()["resourceSpans"]:
                file.write(json.dumps({"resourceSpans": [resource]}, separators=(",", ":")) + "\n")
        else:
            for doc in run.result.xray():
                file.write(json.dumps(doc, separators=(",", ":")) + "\n")


#: What ``lambda-core run`` writes after its figures, in order.
OUTPUTS: tuple[Output, ...] = (
    Output(wanted=lambda args: args.metrics is not None, write=_write_metrics,
           check=lambda args: _check_output_file(args.metrics), series=True),
    Output(wanted=lambda args: args.report is not None, write=_write_report,
           check=lambda args: _check_output_file(args.report), series=True),
    Output(wanted=lambda args: args.traces is not None, write=_write_traces,
           check=lambda args: _check_output_file(args.traces)),
)


def _validate(args: argparse.Namespace) -> int:
    scenario = _load(args.scenario)
    sim = scenario.simulator()  # applies every reservation as AWS would (plan_pools)
    if scenario.until is None:
        _check_finishes(scenario, sim)
    _output(format_validation(scenario, sim.account_settings(), args.scenario))
    return 0


def _check_finishes(scenario: Scenario, sim: Simulator) -> None:
    """What `run` and `validate` both refuse without an ``until``: a mapping whose function
    reserves 0 and whose source has a records generator would never end. Decided from the
    file, not from one draw of its generators, so that both commands agree for every seed."""
    sim._check_finishes([source.name for source, spec in zip(scenario.sources, scenario.record_generators)
                         if spec is not None and spec.expected_records() > 0])


def _load(path: str | None) -> Scenario:
    return builtin_scenario() if path is None else load_scenario(path)


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(
            f"must be an integer from 0 to {MAX_SEED} (2**64 - 1), got {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    if value > MAX_SECONDS:
        raise argparse.ArgumentTypeError(
            f"must be at most {MAX_SECONDS:g} seconds (lambda_core's limit), got {text}")
    return value


def _period(text: str) -> float:
    value = _seconds(text)
    if value < MIN_METRICS_PERIOD_S:
        raise argparse.ArgumentTypeError(
            f"must be at least {MIN_METRICS_PERIOD_S:g} seconds (the engine's shortest period), "
            f"got {text}")
    return value


#: The suffixes ``--metrics`` writes: the long form as CSV, or GetMetricData's JSON.
METRICS_SUFFIXES = (".csv", ".json")


def _suffix(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def _metrics_file(text: str) -> str:
    if _suffix(text) not in METRICS_SUFFIXES:
        raise argparse.ArgumentTypeError(
            f"must name a .csv file (one row per period and series) or a .json file "
            f"(CloudWatch's GetMetricData response), got {text!r}")
    return text


def _report_file(text: str) -> str:
    if _suffix(text) not in (".html", ".htm"):
        raise argparse.ArgumentTypeError(f"must name an .html file, got {text!r}")
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lambda-core",
        description="Simulate AWS Lambda's concurrency machinery from a TOML scenario.",
        epilog="Scenario format: docs/scenarios.md. Exit codes: 0 ok, 1 user error, 2 usage "
        "error, 130 interrupted, 141 output pipe closed.",
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
        "Kinesis stream; over a million requests and 3.8 million stream records). With "
        "--metrics, also writes CloudWatch's per-period metrics of every function, of the "
        "account and of every mapping to a file.",
    )
    run.add_argument("scenario", nargs="?", metavar="SCENARIO.toml",
                     help="scenario file (default: the built-in scenario)")
    run.add_argument("--seed", type=_seed, metavar="N", help="override the scenario's seed")
    run.add_argument("--until", type=_seconds, metavar="S",
                     help="stop at S seconds of simulated time (default: the scenario's until, "
                     "else when the last request or record is resolved)")
    run.add_argument("--quiet", "-q", action="store_true", help="no progress bar on stderr")
    run.add_argument("--json", action="store_true", help="print the figures as JSON")
    run.add_argument("--metrics", type=_metrics_file, metavar="FILE",
                     help="write every per-period metric (CloudWatch's names, units and "
                     "statistics) to FILE: .csv, one row per period and series (timestamp, "
                     "metric, statistic, unit, value, FunctionName, EventSource); .json, "
                     "shaped as CloudWatch's GetMetricData response")
    run.add_argument("--metrics-period", type=_period, metavar="S",
                     help="the period of the series in seconds (default: the scenario's "
                     f"metrics_period_s, else {DEFAULT_METRICS_PERIOD_S:g})")
    run.add_argument("--report", type=_report_file, metavar="FILE.html",
                     help="write the HTML report (tables, concurrency against the limits, throttles, "
                     "ages, environments, the bill) to FILE.html: one file, nothing fetched when viewed; "
                     "needs the plot extra (pip install 'lambda-core[plot]')")
    run.add_argument("--cost", action="store_true",
                     help="print the bill at us-east-1 list prices after the figures (with --json: "
                     "a \"cost\" member)")
    run.add_argument("--traces", metavar="FILE.jsonl",
                     help="write the traces of the requests sampled on functions with tracing = "
                     "\"Active\" (1 per second per function and 5 %% of the rest) to FILE: X-Ray "
                     "segment documents, one per line; a FILE.otlp.jsonl gets OTLP/JSON, one "
                     "ExportTraceServiceRequest per function and line")
    run.set_defaults(command="run", handler=_run)

    validate = commands.add_parser(
        "validate",
        help="check a scenario file without running it",
        description="Load a scenario, check every key and value, and apply the functions' "
        "reservations to the account as AWS would; print a summary with the account "
        "settings, the functions, the event sources and the mappings, or the error "
        "(exit code 1). Every check that run makes before it simulates is made here, "
        "including lambda_core's limits (times up to 9e9 s, at most 10^9 generated rows), "
        "so a scenario that validates also runs.",
    )
    validate.add_argument("scenario", metavar="SCENARIO.toml", help="scenario file")
    validate.set_defaults(command="validate", handler=_validate)

    from ._check_cli import add_parser as add_check
    from ._replay_cli import add_parser as add_replay

    from ._capacity_cli import add_parsers as add_capacity
    from ._limits_cli import add_parser as add_limits

    add_replay(commands)
    add_check(commands)
    add_capacity(commands)
    add_limits(commands)
    return parser
