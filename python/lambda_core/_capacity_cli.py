"""``lambda-core sweep`` and ``lambda-core plan``: :func:`lambda_core.sweep` and
:func:`lambda_core.plan` from the command line (docs/capacity.md). Their parsers are added to
``lambda-core``'s by :func:`add_parsers`.

::

    lambda-core sweep SCENARIO.toml --set PATH=START:STOP:STEP ... [--traffic 1,1.5] [--seeds N]
                      [--workers N | --scheduler ADDRESS] [--out FILE.csv|FILE.parquet] [--resume]
                      [--show FIGURE,...]
    lambda-core plan SCENARIO.toml --target "orders.throttle_rate<=0.001" ... [--knob F.KNOB ...]
                     [--objective size|cost] [--seeds N] [--traffic X] [--workers N | --scheduler A]
                     [--plot FILE.png]
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ._cli import _check_output_file, _load, _output
from .errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

__all__ = ["add_parsers", "parse_values", "parse_target"]

_TARGET = re.compile(r"^\s*([^.<=\s]+|\*)\.([A-Za-z_]+)\s*<=\s*(\S+)\s*$")
#: The figures ``sweep`` prints for each function a ``--set`` path names (all: ``--out``).
_SHOWN = ("throttle_rate", "cold_start_rate", "async_events_dropped", "cost")


def add_parsers(commands: Any) -> None:
    s = commands.add_parser(
        "sweep", help="run a scenario over a grid of settings, traffic multipliers and seeds",
        description="Run a scenario at every point of a grid (each --set PATH, --traffic, --seeds) and "
        "print one row per point: the mean across seeds of the figures shown (all of them, per run, "
        "in --out).")
    s.add_argument("scenario", metavar="SCENARIO.toml")
    s.add_argument("--set", action="append", default=[], metavar="PATH=VALUES",
                   help="a dotted path and its values: START:STOP:STEP (STOP included) or V1,V2,...")
    s.add_argument("--traffic", default="1", metavar="X,...", help="traffic multipliers (default 1)")
    s.add_argument("--seeds", type=_positive, default=1, metavar="N", help="seeds 0 … N−1 per point (default 1)")
    _executor_arguments(s)
    s.add_argument("--out", metavar="FILE", help="write every run's row to FILE.csv or FILE.parquet as it arrives")
    s.add_argument("--resume", action="store_true", help="keep the runs already in --out and run the others")
    s.add_argument("--show", metavar="FIGURE,...", help="the columns to print (default: the rates and costs "
                   "of the functions the paths name, and the bill)")
    s.set_defaults(command="sweep", handler=_sweep)

    p = commands.add_parser(
        "plan", help="find the smallest or cheapest reservations that meet targets",
        description="Search reserved and provisioned concurrency for the smallest (or cheapest) settings "
        "under which every target holds in every seed's run; exit 1 when none does.")
    p.add_argument("scenario", metavar="SCENARIO.toml")
    p.add_argument("--target", action="append", default=[], required=True, metavar="F.FIGURE<=X",
                   help="a target: FUNCTION.FIGURE<=VALUE (FUNCTION * for every function)")
    p.add_argument("--knob", action="append", default=[], metavar="F.KNOB",
                   help="FUNCTION.reserved_concurrency or FUNCTION.provisioned_concurrency (default: "
                   "the reservation of each function a target names)")
    p.add_argument("--objective", choices=("size", "cost"), default="size")
    p.add_argument("--seeds", type=_positive, default=5, metavar="N", help="seeds 0 … N−1 (default 5)")
    p.add_argument("--traffic", type=float, default=1.0, metavar="X", help="traffic multiplier (default 1)")
    _executor_arguments(p)
    p.add_argument("--plot", metavar="FILE.png", help="draw the search (needs matplotlib)")
    p.set_defaults(command="plan", handler=_plan)


def parse_values(text: str) -> list[Any]:
    """``START:STOP:STEP`` (STOP included) or ``V1,V2,...``, each value as TOML reads it (a
    bare word is a string)."""
    if text.count(":") == 2:
        start, stop, step = (_value(x) for x in text.split(":"))
        if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (start, stop, step)) or step <= 0:
            raise UsageError(f"{text!r}: START:STOP:STEP takes numbers, with STEP > 0")
        n = math.floor((stop - start) / step + 1e-9) + 1
        if n < 1:
            raise UsageError(f"{text!r}: STOP is below START")
        whole = all(isinstance(x, int) for x in (start, stop, step))
        return [start + i * step if whole else round(start + i * step, 12) for i in range(n)]
    return [_value(x) for x in text.split(",")]


def parse_target(text: str) -> tuple[str, str, float]:
    """``FUNCTION.FIGURE<=VALUE`` → (function or ``*``, figure, value)."""
    m = _TARGET.match(text)
    if m is None:
        raise UsageError(f"--target {text!r}: write FUNCTION.FIGURE<=VALUE, e.g. orders.throttle_rate<=0.001")
    try:
        return m.group(1), m.group(2), float(m.group(3))
    except ValueError:
        raise UsageError(f"--target {text!r}: {m.group(3)!r} is not a number") from None


def _value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        return text.strip()


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return n


def _executor_arguments(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--workers", type=_positive, metavar="N", help="run on N local processes")
    group.add_argument("--scheduler", metavar="ADDRESS", help="run on the Dask cluster of this scheduler "
                       "(tcp://HOST:PORT; needs the dask extra)")


@contextmanager
def _executor(args: argparse.Namespace) -> Iterator[Any]:
    if args.scheduler is None:
        yield args.workers
        return
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--scheduler needs Dask: pip install 'lambda-core[dask]'") from None
    with Client(args.scheduler) as client:  # type: ignore[no-untyped-call,unused-ignore]
        yield client


def _sweep(args: argparse.Namespace) -> int:
    from ._sweep import sweep

    if args.out:
        _check_output_file(args.out)
    scenario = _load(args.scenario)
    grid: dict[str, Any] = {}
    for item in args.set:
        path, eq, values = item.partition("=")
        if not eq or not path.strip():
            raise UsageError(f"--set {item!r}: write PATH=START:STOP:STEP or PATH=V1,V2,...")
        if path.strip() in ("seed", "traffic"):
            raise UsageError(f"--set {item!r}: the seeds and the traffic are --seeds and --traffic")
        grid[path.strip()] = parse_values(values)
    grid["traffic"] = parse_values(args.traffic)
    grid["seed"] = range(args.seeds)
    with _executor(args) as executor:
        table = sweep(scenario, grid, executor, out=args.out, resume=args.resume, progress=None)
    keys = [k for k in grid if k != "seed"]
    if args.show:
        shown = [c.strip() for c in args.show.split(",")]
        unknown = [c for c in shown if c not in table.columns]
        if unknown:
            raise UsageError(f"--show: no column {unknown[0]!r} (columns such as "
                             f"{', '.join(c for c in table.columns[:12])}, …)")
    else:
        named = {p.split(".")[1] for p in keys if p.startswith("functions.")} or {f.name for f in scenario.functions}
        shown = [f"{f.name}.{x}" for f in scenario.functions if f.name in named for x in _SHOWN] + ["cost"]
    shown = [c for c in shown if c in table.columns]  # none when every point was refused
    extra = ["error"] if table["error"].notna().any() else []
    count = ["runs"] if "runs" in table.columns else []  # one seed: the rows are the runs
    _output(table[keys + count + [c for c in shown if c not in keys] + extra].to_string(index=False))
    return 0


def _plan(args: argparse.Namespace) -> int:
    from ._plan import plan

    if args.plot:
        _check_output_file(args.plot)
    scenario = _load(args.scenario)
    targets: dict[str, dict[str, float]] = {}
    for text in args.target:
        function, figure, value = parse_target(text)
        targets.setdefault(function, {})[figure] = value
    knobs: dict[str, list[str]] = {}
    for text in args.knob:
        function, dot, knob = text.rpartition(".")
        if not dot:
            raise UsageError(f"--knob {text!r}: write FUNCTION.reserved_concurrency or FUNCTION.provisioned_concurrency")
        knobs.setdefault(function, []).append(knob)
    if not knobs:
        knobs = {f: ["reserved_concurrency"] for f in targets if f != "*"}
    with _executor(args) as executor:
        found = plan(scenario, targets, knobs, objective=args.objective, seeds=args.seeds,
                     traffic=args.traffic, executor=executor)
    lines = [f"{'found' if found.feasible else 'NOT FOUND'}: every target in every one of {args.seeds} seeds"
             f" ({len(found.table)} candidates evaluated, objective {found.objective})"]
    for f, ks in found.settings.items():
        lines += [f"  {f}.{k} = {v}" for k, v in ks.items()]
    best = found.table[found.table.apply(lambda r: all(r[f"{f}.{k}"] == v for f, ks in found.settings.items()
                                                        for k, v in ks.items()), axis=1)].iloc[0]
    for t in found.targets:
        name = f"{t.function}.{t.figure}"
        if t.function not in knobs and best[name + ".max"] <= t.high:
            continue  # a "*" target of a function not searched, that holds: one line less
        lines.append(f"  {t.describe()}: mean {best[name + '.mean']:.6g}, seeds {best[name + '.min']:.6g} … "
                     f"{best[name + '.max']:.6g}")
    lines.append(f"  bill: {best['cost']:.2f} USD (mean of seeds)")
    lines += [f"note: {n}" for n in found.notes]
    _output("\n".join(lines))
    if args.plot:
        found.plot().savefig(args.plot, dpi=100)
    if not found.feasible:
        print("lambda-core plan: no setting searched meets every target", file=sys.stderr)
    return 0 if found.feasible else 1
