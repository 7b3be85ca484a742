"""``lc.sweep``: a scenario run over a grid of settings × traffic multipliers × seeds
(docs/capacity.md, "Sweeps"), one row per point in a pandas DataFrame.

Each run is a pure function of (scenario, the point's values, traffic, seed), so a table does
not depend on the executor, the chunking or the order in which runs finish: the runs are put
back in grid order before anything is summed.
"""

from __future__ import annotations

import itertools
import math
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from ._executors import runner
from ._figures import figures, run_scenario
from ._model import Prices
from ._report import ProgressBar
from .errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    ScenarioError,
    UsageError,
    ValidationException,
)
from .scenarios import Scenario
from .scenarios._paths import PathError

__all__ = ["sweep", "Run", "run_figures", "check_seed", "SPECIAL_KEYS", "PERCENTILES", "RUN_COLUMNS"]

#: Grid keys that are not paths into the scenario: the traffic multiplier and the seed.
SPECIAL_KEYS = ("traffic", "seed")
#: The percentiles across seeds a point reports by default.
PERCENTILES = (5, 50, 95)
#: The columns of a per-run row before the grid's: its index in the sweep and its point's.
RUN_COLUMNS = ("run", "point")
#: Errors that make one point's row an ``error`` instead of stopping the sweep: the values
#: AWS (or a generator) refuses, such as reservations that leave less than the unreserved minimum.
POINT_ERRORS = (InvalidParameterValueException, ValidationException, ResourceConflictException, ScenarioError)
# the work one chunk of runs should hold, in seconds of the engine's time (estimated), so that
# a process pool's or Dask's per-task cost (milliseconds) stays near 1 % of the sweep
_CHUNK_SECONDS = 0.5
# invocations (and records) per second a run is estimated at, to size the chunks (measured:
# 7-8 M/s for short runs with their series; benches/test_bench_sweep.py)
_ESTIMATED_RATE = 6e6
# chunks per worker at least (while there are runs): a worker that drew the heavier points
# does not hold the sweep up alone
_CHUNKS_PER_WORKER = 2


class Run(NamedTuple):
    """One run of a sweep: the point's path values, its traffic multiplier and the seed."""

    values: tuple[tuple[str, Any], ...]
    traffic: float
    seed: int


def run_figures(scenario: Scenario, run: Run, prices: Prices | None = None) -> dict[str, float] | str:
    """The figures (:func:`lambda_core._figures.figures`) of `run` of `scenario`, or the
    message of the exception AWS raises for its values."""
    try:
        sc = scenario.with_values(dict(run.values)).with_traffic(run.traffic)
        return figures(run_scenario(sc, run.seed), sc, prices)
    except POINT_ERRORS as exc:
        return f"{type(exc).__name__}: {exc}"


def _run_chunk(shared: tuple[Scenario, Prices | None], chunk: Sequence[tuple[int, Run]]
               ) -> list[tuple[int, dict[str, float] | str]]:
    scenario, prices = shared
    return [(i, run_figures(scenario, run, prices)) for i, run in chunk]


def sweep(
    scenario: Scenario,
    grid: Mapping[str, Iterable[Any] | Any],
    executor: Any = None,
    *,
    prices: Prices | None = None,
    per_seed: bool = False,
    percentiles: Sequence[float] = PERCENTILES,
    out: str | os.PathLike[str] | None = None,
    resume: bool = False,
    progress: bool | Callable[[int, int], None] | None = None,
) -> Any:
    """Runs `scenario` at every point of `grid` and returns a ``pandas.DataFrame`` of the
    figures, one row per point (docs/capacity.md, "Sweeps").

    `grid` maps each key to its values (an iterable; a single value is one value): a dotted
    path into the scenario (``"functions.orders.reserved_concurrency"``; docs/capacity.md,
    "Paths"), ``"traffic"`` (multipliers of every generator's traffic) or ``"seed"``. The
    points are the product of the non-seed keys, in the grid's order; each runs once per seed
    (the scenario's seed when the grid has none).

    The row of a point holds its values, ``runs`` (the seeds that ran), ``error`` (the message
    when AWS refuses the point's values, e.g. reservations that leave less than the unreserved
    minimum; the figures are then NaN) and every figure: ``"FUNCTION.FIGURE"``,
    ``"account.FIGURE"`` and ``"cost"`` (the bill at `prices`, USD). With several seeds each
    figure is their mean, and ``"FIGURE.pN"`` its N-th percentile across them for each of
    `percentiles`; with ``per_seed=True`` (or one seed) the rows are the runs, with ``seed``.

    `executor`: ``None`` (this process), an int (that many local processes), any
    :class:`concurrent.futures.Executor` or a ``dask.distributed.Client``; the table is the
    same whichever runs it. `out` (``.csv`` or ``.parquet``) receives each run's row as it
    arrives, so that an interrupted sweep keeps what it did; ``resume=True`` reads the runs
    already in `out` and runs only the others. `progress`: a bar on stderr (default: when
    stderr is a terminal), or a callable ``(runs done, runs in all)``.

    Raises :class:`~lambda_core.errors.ScenarioError` for a path that names nothing and
    :class:`~lambda_core.errors.UsageError` for an empty grid key or a bad executor.
    """
    import pandas as pd  # optional dependency: pip install lambda-core[sweep]

    keys, points, seeds = _points(scenario, grid)
    runs = [Run(values, traffic, seed) for values, traffic in points for seed in seeds]
    pct = _percentiles(percentiles)
    writer = _RunWriter(Path(out), _column_types(keys, points)) if out is not None else None
    done: dict[int, dict[str, Any]] = {}
    if writer is not None and resume:
        done = writer.read_done(runs)
    elif resume:
        raise UsageError("resume=True needs out=FILE: the file the earlier runs were written to")
    todo = [(i, run) for i, run in enumerate(runs) if i not in done]
    report = _progress(progress, len(runs))
    try:
        with runner(_run_chunk, (scenario, prices), executor) as pool:
            chunks = _chunks(todo, pool.workers, scenario)
            report(len(done))
            for _, answers in pool.map(chunks):
                rows = [_row(i, runs[i], len(seeds), keys, answer) for i, answer in answers]
                for row in rows:
                    done[int(row["run"])] = row
                if writer is not None:
                    writer.write(rows)
                report(len(done))
    finally:
        report(-1)
        if writer is not None:
            writer.close()
    table = pd.DataFrame.from_records([done[i] for i in range(len(runs))])
    if per_seed or len(seeds) == 1:
        return table.drop(columns=list(RUN_COLUMNS)).reset_index(drop=True)
    return _summarise(table, keys, pct)


def check_seed(s: Any) -> int:
    """`s` if it is a seed (an integer from 0 to 2**64 − 1), else :class:`UsageError`."""
    if isinstance(s, bool) or not isinstance(s, int) or not 0 <= s < 2**64:
        raise UsageError(f"a seed must be an integer from 0 to 2**64 - 1, got {s!r}")
    return s


def _points(scenario: Scenario, grid: Mapping[str, Any]) -> tuple[list[str], list[tuple[tuple[tuple[str, Any], ...], float]], list[int]]:
    """The path keys, the points (path values, traffic) in grid order, and the seeds."""
    if not isinstance(grid, Mapping):
        raise UsageError(f"grid must be a mapping of keys to values, got {type(grid).__name__}")
    values: dict[str, list[Any]] = {}
    for key, given in grid.items():
        items = [given] if isinstance(given, (str, bytes)) or not isinstance(given, Iterable) else list(given)
        if not items:
            raise UsageError(f"grid key {key!r} has no values")
        items = [v.item() if hasattr(v, "item") else v for v in items]  # numpy scalars
        numbers = [v for v in items if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if any(isinstance(v, float) for v in numbers) and len(numbers) == len(items) and key != "seed":
            items = [float(v) for v in items]  # one type per column (a file's schema)
        values[key] = items
    seeds = values.pop("seed", [scenario.seed])
    for s in seeds:
        check_seed(s)
    traffic = values.pop("traffic", [1.0])
    for t in traffic:
        scenario.with_traffic(t)  # a bad multiplier raises ScenarioError now, not in a worker
    keys = list(values)
    for key in keys:  # a path that names nothing, or a value of the wrong type, fails the sweep now
        for v in dict.fromkeys(map(_hashable, values[key])):
            try:
                scenario.with_values({key: v})
            except TypeError as exc:
                raise UsageError(f"{key!r} = {v!r}: {exc}") from None
            except PathError:
                raise
            except POINT_ERRORS:
                pass  # this value's points get its error in their rows
    combos = itertools.product(*(values[k] for k in keys), traffic)
    points = [(tuple(zip(keys, combo[:-1])), float(combo[-1])) for combo in combos]
    return keys, points, seeds


def _column_types(keys: list[str], points: list[tuple[tuple[tuple[str, Any], ...], float]]) -> dict[str, str]:
    """The pandas type of each grid column, from all of its values (``None`` among them: a
    missing value), so that every chunk of a file has one schema."""
    out = {}
    for j, key in enumerate(keys):
        given = {type(values[j][1]) for values, _ in points} - {type(None)}
        out[key] = ("boolean" if given == {bool} else "Int64" if given == {int}
                    else "float64" if given and given <= {int, float} else "string" if given == {str} else "object")
    return out


def _hashable(v: Any) -> Any:
    return v if not isinstance(v, (list, dict)) else repr(v)


def _percentiles(percentiles: Sequence[float]) -> list[float]:
    out = []
    for p in percentiles:
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 100:
            raise UsageError(f"a percentile is a number from 0 to 100, got {p!r}")
        out.append(float(p))
    return out


def _chunks(todo: list[tuple[int, Run]], workers: int, scenario: Scenario) -> list[list[tuple[int, Run]]]:
    """Consecutive runs in chunks of about :data:`_CHUNK_SECONDS` of work each, and at least
    :data:`_CHUNKS_PER_WORKER` chunks per worker (while there are runs)."""
    if not todo:
        return []
    rows = scenario.expected_requests() + scenario.expected_records()
    per_run = 0.005 + rows / _ESTIMATED_RATE
    size = max(1, min(math.ceil(_CHUNK_SECONDS / per_run), math.ceil(len(todo) / (workers * _CHUNKS_PER_WORKER))))
    return [todo[i:i + size] for i in range(0, len(todo), size)]


def _row(i: int, run: Run, n_seeds: int, keys: list[str], answer: dict[str, float] | str) -> dict[str, Any]:
    row: dict[str, Any] = {"run": i, "point": i // n_seeds}
    row.update(run.values)
    row["traffic"] = run.traffic
    row["seed"] = run.seed
    row["error"] = answer if isinstance(answer, str) else None
    if not isinstance(answer, str):
        row.update(answer)
    return row


def _summarise(table: Any, keys: list[str], percentiles: list[float]) -> Any:
    """One row per point: its values, ``runs``, ``error``, each figure's mean across seeds and
    its percentiles."""
    import pandas as pd

    fixed = set(RUN_COLUMNS) | set(keys) | {"traffic", "seed", "error"}
    figures_ = [c for c in table.columns if c not in fixed]
    groups = table.groupby("point", sort=True)
    head = groups[keys + ["traffic"]].first()
    head["runs"] = groups["error"].apply(lambda e: int(e.isna().sum()))
    head["error"] = groups["error"].first()
    parts = [head]
    if figures_:
        values = groups[figures_]
        parts.append(values.mean())
        for p in percentiles:
            q = values.quantile(p / 100)
            q.columns = [f"{c}.p{p:g}" for c in figures_]
            parts.append(q)
    out = pd.concat(parts, axis=1)
    if figures_:  # each figure's mean beside its percentiles
        order = [c for f in figures_ for c in (f, *(f"{f}.p{p:g}" for p in percentiles))]
        out = out[[*head.columns, *order]]
    return out.reset_index(drop=True)


def _progress(progress: bool | Callable[[int, int], None] | None, total: int) -> Callable[[int], None]:
    """``report(done)``; ``report(-1)`` closes the bar."""
    if callable(progress):
        callback = progress

        def call(done: int) -> None:
            if done >= 0:
                callback(done, total)
        return call
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return lambda done: None
    bar = ProgressBar(sys.stderr, float(total), label="sweeping", unit="runs")

    def draw(done: int) -> None:
        bar.close() if done < 0 else bar.update(float(done))
    return draw


class _RunWriter:
    """Each run's row, appended to a CSV or Parquet file as it arrives (the per-run rows of
    ``per_seed=True``, with ``run`` and ``point``)."""

    def __init__(self, path: Path, types: dict[str, str]) -> None:
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".parquet"):
            raise UsageError(f"out must name a .csv or a .parquet file, got {str(path)!r}")
        self.path, self.types, self.parquet = path, types, suffix == ".parquet"
        self._columns: list[str] | None = None
        self._pending: list[dict[str, Any]] = []  # error rows that came before any figures
        self._parquet: Any = None
        self._appending = False
        self._rewrite: list[dict[str, Any]] = []  # a resumed Parquet file's rows, written again

    def read_done(self, runs: Sequence[Run]) -> dict[int, dict[str, Any]]:
        """The rows already in the file, checked to be runs of this sweep."""
        import pandas as pd

        if not self.path.exists() or self.path.stat().st_size == 0:
            return {}
        try:
            if not self.parquet:
                _cut_partial_line(self.path)
            old = pd.read_parquet(self.path) if self.parquet else pd.read_csv(self.path)
        except (OSError, ValueError) as exc:  # pandas' and pyarrow's parse errors are ValueErrors
            raise UsageError(f"{str(self.path)!r} cannot be read back to resume ({type(exc).__name__}: {exc}); "
                             "remove it or name another file") from None
        figures = [c for c in old.columns if c not in {*RUN_COLUMNS, *self.types, "traffic", "seed", "error"}]
        done: dict[int, dict[str, Any]] = {}
        for row in old.to_dict("records"):
            if not isinstance(row.get("error"), str) and any(_missing(row[c]) for c in figures):
                continue  # a row cut short: its run runs again
            i = int(row.get("run", -1))
            expected = (*runs[i].values, ("traffic", runs[i].traffic)) if 0 <= i < len(runs) else ()
            if not 0 <= i < len(runs) or int(row["seed"]) != runs[i].seed or any(
                    not _same_value(row.get(k), v) for k, v in expected):
                raise UsageError(f"{str(self.path)!r} holds runs of another sweep (run {i} differs); "
                                 "remove it or name another file")
            row["error"] = None if not isinstance(row.get("error"), str) else row["error"]
            done[i] = row
        rows = [done[i] for i in sorted(done)]
        if all(r["error"] is not None for r in rows):
            # only errors so far: the file has no figure columns yet, and is written again
            # whole once a run has figures
            self._pending = rows
            return done
        self._columns = list(old.columns)
        if self.parquet:  # Parquet files are not appended to: the old rows are written again
            self._rewrite = rows
        self._appending = True
        return done

    def write(self, rows: list[dict[str, Any]]) -> None:
        if self._columns is None:
            good = [r for r in rows if r["error"] is None]
            if not good:
                self._pending.extend(rows)
                return
            self._columns = list(good[0])
            rows, self._pending = self._pending + rows, []
        self._append(rows)

    def close(self) -> None:
        if self._pending:  # no run had figures: the file holds the errors alone
            self._columns = list(self._pending[0])
            self._append(self._pending)
            self._pending = []
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None

    def _append(self, rows: list[dict[str, Any]]) -> None:
        import pandas as pd

        assert self._columns is not None
        frame = self._typed(pd.DataFrame.from_records(rows).reindex(columns=self._columns))
        if not self.parquet:
            header = not self._appending
            frame.to_csv(self.path, mode="a" if self._appending else "w", header=header, index=False)
            self._appending = True
            return
        import pyarrow as pa  # optional dependency: pip install lambda-core[parquet]
        import pyarrow.parquet as pq

        if self._parquet is None:
            if self._rewrite:
                old = self._typed(pd.DataFrame.from_records(self._rewrite).reindex(columns=self._columns))
                frame = pd.concat([old, frame])
            table = pa.Table.from_pandas(frame, preserve_index=False)
            self._parquet = pq.ParquetWriter(self.path, table.schema)
        else:
            table = pa.Table.from_pandas(frame, schema=self._parquet.schema, preserve_index=False)
        self._parquet.write_table(table)


    def _typed(self, frame: Any) -> Any:
        frame["error"] = frame["error"].astype("string")
        for key, dtype in self.types.items():
            if key in frame.columns and dtype != "object":
                frame[key] = frame[key].astype(dtype)
        return frame


def _cut_partial_line(path: Path) -> None:
    """Cuts a CSV file back to its last line end: a process killed while writing leaves half a
    row, which the next rows would be appended to."""
    with open(path, "rb+") as fh:
        data = fh.read()
        if data and not data.endswith(b"\n"):
            fh.truncate(data.rfind(b"\n") + 1)


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _same_value(a: Any, b: Any) -> bool:
    """A value read back from a file against the grid's (``None`` reads back as NaN, numbers
    as floats or strings)."""
    if b is None or _missing(a):
        return _missing(a) and b is None
    if str(a) == str(b):
        return True
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return False
