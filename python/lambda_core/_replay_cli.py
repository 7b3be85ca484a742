"""``lambda-core replay TRACE``: a trace of real traffic replayed, observed against simulated
figures (docs/replay.md). The command's parser is added to ``lambda-core``'s by
:func:`add_parser`; errors and exit codes are :mod:`lambda_core._cli`'s."""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from ._calibrate import PARAMS, TARGETS, calibrate, settings
from ._cli import _check_output_file, _error, _output, _report_file
from ._model import Function
from ._report import summarize
from .errors import UsageError
from .traces import FORMATS, Comparison, Trace, read_trace
from .traces._units import UNITS

__all__ = ["add_parser", "replay", "format_replay", "METRICS_PERIOD_S"]

#: The period of the report's series.
METRICS_PERIOD_S = 60.0


def _setting(text: str) -> tuple[str, Any]:
    """``FIELD=VALUE`` of ``--set``: a Function field and a number (or a TOML/JSON value)."""
    field, sep, value = text.partition("=")
    fields = {f.name for f in dataclasses.fields(Function)} - {"name"}
    if not sep or field not in fields:
        raise argparse.ArgumentTypeError(
            f"must be FIELD=VALUE with FIELD a Function field ({', '.join(sorted(fields))}), got {text!r}")
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = value
    return field, parsed


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Adds ``replay`` to ``lambda-core``'s subcommands."""
    p: argparse.ArgumentParser = commands.add_parser(
        "replay",
        help="replay a trace of real traffic and compare the simulation with what it observed",
        description="Read a trace (CloudWatch REPORT lines as text or JSON, the Azure Functions "
        "2019 or 2021 trace, a per-request log), replay its requests with the functions it "
        "describes (names, memory, timeouts that fit its durations, the init it reports) and "
        "print, per function and in total, the cold starts and environments the trace observed "
        "beside the simulated ones, and the per-request cold/warm agreement. Warnings say what a "
        "default or a limit distorts. The format is guessed from the file unless --format names it.",
    )
    p.add_argument("trace", metavar="TRACE", help="the trace file")
    p.add_argument("--format", choices=list(FORMATS), help="the trace's format (default: guessed from the file)")
    p.add_argument("--durations", metavar="FILE.csv", help="azure2019: the durations file")
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help="azure2019: the seed of the arrivals spread in each minute and of the durations")
    p.add_argument("--duration-unit", choices=list(UNITS),
                   help="the unit of the trace's duration column, when it is not the format's own")
    p.add_argument("--set", type=_setting, action="append", default=[], metavar="FIELD=VALUE",
                   help="set a Function field on every function, e.g. --set idle_timeout_s=700")
    p.add_argument("--calibrate", nargs="+", metavar="PARAM", choices=list(PARAMS),
                   help="fit these parameters to what the trace observed, then replay with them "
                   f"(docs/calibration.md; any of {', '.join(PARAMS)})")
    p.add_argument("--target", nargs="+", metavar="FIGURE", choices=list(TARGETS),
                   default=["cold_starts", "environments"],
                   help=f"what --calibrate matches (any of {', '.join(TARGETS)}; default: cold_starts environments)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--report", type=_report_file, metavar="FILE.html",
                   help="write the HTML report of the replay (needs the plot extra)")
    p.set_defaults(command="replay", handler=_replay, scenario=None)
    return p


def _options(args: argparse.Namespace, format: str | None) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if args.duration_unit is not None:
        options["duration_unit"] = args.duration_unit
    if format == "azure2019":
        options.update(durations_csv=args.durations, seed=args.seed)
    elif args.durations is not None:
        raise UsageError("--durations is for --format azure2019")
    return options


def replay(args: argparse.Namespace) -> tuple[Trace, Comparison, dict[str, Any]]:
    """Reads, replays and compares as ``lambda-core replay`` does; returns the trace, the
    comparison and the printed summary (warnings go to stderr as ``warning: ...``)."""
    from .traces import guess_format

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        format = args.format or guess_format(args.trace)
        trace = read_trace(args.trace, format, **_options(args, format))
        overrides = dict(args.set)
        routing, fitted = None, None
        if args.calibrate:
            fit = calibrate(trace, args.calibrate, args.target, **overrides)
            fields, routing = settings(fit.params)
            overrides.update(fields)
            fitted = {"params": fit.params, "error": fit.error, "errors": fit.errors[0], "replays": fit.replays}
        sim = trace.simulator(metrics_period_s=METRICS_PERIOD_S if args.report else None,
                              routing=routing or "newest", **overrides)
        started = time.perf_counter()
        result = sim.run(trace.workload)
        wall = time.perf_counter() - started
        comparison = trace.compare(result)
    for w in caught:
        _error(f"warning: {w.message}")
    summary = {
        "trace": {"file": trace.source, "format": trace.format, "requests": len(trace),
                  "functions": len(trace.functions), "span_s": trace.span_s, "origin_s": trace.origin_s},
        "overrides": {k: v if isinstance(v, (int, float, str)) else repr(v) for k, v in overrides.items()},
        "calibration": fitted,
        "comparison": comparison.to_dict(),
        "run": {"wall_time_s": wall, "horizon_s": float(result.horizon)},
    }
    if args.report:
        _check_output_file(args.report)
        from ._html_report import write_report

        run = summarize(result, scenario=f"replay of {trace.source}", seed=sim.seed, until=None, rows=len(trace),
                        wall_time_s=wall, account_settings=sim.account_settings())
        write_report(result, args.report, summary=run, title=f"lambda_core replay: {trace.source}")
    return trace, comparison, summary


def format_replay(trace: Trace, comparison: Comparison, summary: dict[str, Any]) -> str:
    """The text ``lambda-core replay`` prints: the trace's line, the comparison table, the
    errors of the totals and the run's line."""
    t = summary["trace"]
    lines = [f"trace {t['file']} ({t['format']}): {t['requests']:,} requests of {t['functions']:,} "
             f"function{'' if t['functions'] == 1 else 's'} over {t['span_s']:,.1f} s", ""]
    lines.append(comparison.table())
    errors = []
    for figure in ("cold_starts", "environments"):
        err = comparison.error(figure)
        if err is not None:
            errors.append(f"{figure.replace('_', ' ')} {err:+.1%}")
    agreement = comparison.total["agreement"]
    if agreement is not None:
        errors.append(f"per-request agreement {agreement:.2%}")
    lines.append("")
    lines.append("simulated against observed: " + (", ".join(errors) if errors else
                 "the trace observes no cold starts or environments to compare with"))
    fit = summary["calibration"]
    if fit is not None:
        params = ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}" for k, v in fit["params"].items())
        lines.append(f"calibrated in {fit['replays']:,} replays: {params} (error {fit['error']:.2%})")
    if summary["overrides"]:
        lines.append("settings: " + ", ".join(f"{k}={v}" for k, v in summary["overrides"].items()))
    run = summary["run"]
    lines.append(f"run: {t['requests']:,} invocations simulated in {run['wall_time_s']:.3f} s wall time, "
                 f"simulated horizon {run['horizon_s']:,.1f} s")
    return "\n".join(lines)


def _replay(args: argparse.Namespace) -> int:
    if args.report:
        _check_output_file(args.report)
    trace, comparison, summary = replay(args)
    _output(json.dumps(summary, indent=2) if args.json else format_replay(trace, comparison, summary))
    return 0
