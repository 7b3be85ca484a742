"""``lc.plan``: the smallest or cheapest reserved and provisioned concurrency that meets
per-function targets (docs/capacity.md, "Planning").

Each knob (a function's ``reserved_concurrency`` or ``provisioned_concurrency``) is searched
by bisection over the values the account allows, for the targets it governs
(:data:`GOVERNS`): figures that do not grow when the knob grows, so that the smallest value
that meets them is found in about log2(range) evaluations. A candidate meets a target when
every seed's run does. The knobs are searched one after the other, again until none moves
(a reservation taken from the unreserved pool can change another function's figures), and
every candidate evaluated is kept, with its spread across seeds, in :attr:`Plan.table`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

from ._executors import runner
from ._model import Prices, Result, plan_pools
from ._sweep import Run, _run_chunk, check_seed
from .errors import UsageError
from .scenarios import Scenario

__all__ = ["plan", "Plan", "Target", "KNOBS", "GOVERNS", "OBJECTIVES"]

#: The knobs a plan may set.
KNOBS = ("reserved_concurrency", "provisioned_concurrency")
#: The figures each knob's bisection is run for: those that do not grow when the knob does
#: (more capacity: fewer throttles and drops, younger events and iterators; more provisioned
#: environments: fewer cold starts). Other targets are checked, not searched for.
GOVERNS: Mapping[str, frozenset[str]] = {
    "reserved_concurrency": frozenset({
        "throttles", "throttles_reserved", "throttle_rate", "max_throttles_per_period",
        "async_events_dropped", "max_event_age", "max_iterator_age", "records_expired"}),
    "provisioned_concurrency": frozenset({"cold_starts", "cold_start_rate", "spillover_invocations"}),
}
#: ``"size"``: the smallest settings; ``"cost"``: the cheapest bill (provisioned concurrency
#: is raised past its smallest feasible value while that lowers the bill).
OBJECTIVES = ("size", "cost")
# a safeguard: passes over every knob until none moves
_MAX_PASSES = 4


@dataclasses.dataclass(frozen=True)
class Target:
    """Function `function`'s `figure` must be at most `high` in every seed's run."""

    function: str
    figure: str
    high: float

    def describe(self) -> str:
        return f"{self.function}.{self.figure} <= {self.high:g}"


@dataclasses.dataclass(frozen=True)
class Plan:
    """What :func:`plan` found.

    - ``settings``: per function, per knob, the value chosen (``0`` provisioned: none);
    - ``feasible``: whether every target holds there, in every seed;
    - ``scenario``: the scenario with the settings; ``result``: its run at the first seed
      (``None`` when the account refuses the settings, which ``notes`` then says);
    - ``table``: one row per candidate evaluated (``pandas.DataFrame``): the knobs' values,
      ``feasible``, ``seeds_passing``, each target figure's ``mean``/``min``/``max`` across
      seeds (its band), and ``cost`` (mean bill, USD);
    - ``targets``; ``notes``: what the search found on the way (a target no knob governs, a
      monotonicity the evaluations contradict, a knob at the account's limit).
    """

    settings: dict[str, dict[str, int]]
    feasible: bool
    scenario: Scenario
    result: Result | None
    table: Any
    targets: tuple[Target, ...]
    notes: tuple[str, ...]
    objective: str

    def plot(self) -> Any:
        """A matplotlib figure: for each knob searched, every target figure it governs
        against the knob's value (mean, and the seeds' band), the target, the value chosen, and
        the mean bill (needs the ``plot`` extra)."""
        from ._plan_plot import plot_plan

        return plot_plan(self)


def plan(
    scenario: Scenario,
    targets: Mapping[str, Mapping[str, float]],
    knobs: Mapping[str, Sequence[str] | str],
    *,
    objective: str = "size",
    seeds: int | Sequence[int] = 5,
    traffic: float = 1.0,
    prices: Prices | None = None,
    executor: Any = None,
) -> Plan:
    """The smallest (``objective="size"``) or cheapest (``"cost"``) settings of `knobs` that
    meet `targets` in every one of `seeds` (a count: seeds ``0 … n − 1``; or the seeds),
    at `traffic` times the scenario's traffic (docs/capacity.md, "Planning").

    `targets` maps a function's name, or ``"*"`` for every function, to ``{figure: maximum}``
    (a figure of docs/capacity.md: ``throttle_rate``, ``async_events_dropped``,
    ``max_event_age``, ``max_throttles_per_period``, ``max_iterator_age``,
    ``cold_start_rate``, …); a function's own entry overrides ``"*"`` for a figure.
    `knobs` maps a function to the knobs to search for it (:data:`KNOBS`), in order.
    The account's rules bound every knob: at most ``concurrency_limit − unreserved minimum``
    reserved in all, provisioned within the function's reservation. `executor` runs the
    seeds of a candidate at once (as :func:`~lambda_core.sweep`'s); the plan is the same
    whichever runs it.
    """
    if objective not in OBJECTIVES:
        raise UsageError(f"objective must be one of {', '.join(map(repr, OBJECTIVES))}, got {objective!r}")
    seed_list = _seeds(seeds)
    goals = _targets(scenario, targets)
    order = _knobs(scenario, knobs)
    search = _Search(scenario, goals, seed_list, traffic, prices)
    with runner(_run_chunk, (scenario, prices), executor) as pool:
        search.pool = pool
        settings = {(f, k): 0 if k == "provisioned_concurrency" else _current(scenario, f, k) for f, k in order}
        for f, k in order:  # a reservation the scenario does not set starts at the smallest
            if k == "reserved_concurrency" and settings[f, k] == 0:
                settings[f, k] = 1
        for _ in range(_MAX_PASSES):
            before = dict(settings)
            for f, k in order:
                settings[f, k] = search.knob(settings, f, k, objective)
            if settings == before:
                break
        else:
            search.note(f"the knobs still moved after {_MAX_PASSES} passes: the settings are the last pass's")
        final = search.evaluate(settings)
        chosen = scenario.with_values(_paths(settings))
    for t in goals:  # a failing target no knob was searched for
        if not any(t.figure in GOVERNS[k] for f, k in order if f == t.function) and not all(
                not isinstance(a, str) and _holds(t, a) for a in final.figures):
            search.note(f"{t.describe()} fails, and no knob searched governs it (knobs of "
                        f"{t.function!r}: {', '.join(k for f, k in order if f == t.function) or 'none'})")
    from ._figures import run_scenario
    from ._sweep import POINT_ERRORS

    try:
        result: Result | None = run_scenario(chosen.with_traffic(traffic), seed_list[0])
    except POINT_ERRORS as exc:  # settings the account refuses: the scenario's own, left as they were
        result = None
        search.note(f"the settings cannot run: {type(exc).__name__}: {exc}")
    out: dict[str, dict[str, int]] = {}
    for (f, k), value in settings.items():
        out.setdefault(f, {})[k] = value
    return Plan(out, final.feasible, chosen, result, search.table(), goals, tuple(search.notes), objective)


@dataclasses.dataclass
class _Candidate:
    settings: dict[tuple[str, str], int]
    feasible: bool
    passing: int  # seeds that met every target
    governed: dict[str, bool]  # per knob "f/k": whether the targets it governs held in every seed
    figures: list[dict[str, float] | str]  # per seed
    step: int


class _Search:
    def __init__(self, scenario: Scenario, goals: tuple[Target, ...], seeds: list[int], traffic: float,
                 prices: Prices | None) -> None:
        self.scenario, self.goals, self.seeds, self.traffic, self.prices = scenario, goals, seeds, traffic, prices
        self.pool: Any = None
        self.seen: dict[tuple[tuple[tuple[str, str], int], ...], _Candidate] = {}
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def evaluate(self, settings: Mapping[tuple[str, str], int]) -> _Candidate:
        key = tuple(sorted(settings.items()))
        if key in self.seen:
            return self.seen[key]
        values = tuple(_paths(settings).items())
        chunks = [[(i, Run(values, self.traffic, seed))] for i, seed in enumerate(self.seeds)]
        answers: list[dict[str, float] | str] = [""] * len(self.seeds)
        for _, chunk in self.pool.map(chunks):
            for i, answer in chunk:
                answers[i] = answer
        for t in self.goals:
            good = next((a for a in answers if not isinstance(a, str)), None)
            if good is not None and f"{t.function}.{t.figure}" not in good:
                known = sorted({c.split(".", 1)[1] for c in good if c.startswith(f"{t.function}.")})
                raise UsageError(f"targets: {t.function!r} has no figure {t.figure!r} (its figures: {', '.join(known)})")
        ok_seed = [not isinstance(a, str) and all(_holds(t, a) for t in self.goals) for a in answers]
        governed = {}
        for f, k in settings:
            mine = [t for t in self.goals if t.function == f and t.figure in GOVERNS[k]]
            governed[f"{f}/{k}"] = all(not isinstance(a, str) and all(_holds(t, a) for t in mine) for a in answers)
        candidate = _Candidate(dict(settings), all(ok_seed), sum(ok_seed), governed, answers, len(self.seen))
        self.seen[key] = candidate
        return candidate

    def knob(self, settings: dict[tuple[str, str], int], f: str, k: str, objective: str) -> int:
        """The smallest value of knob (f, k) in the account's range at which the targets it
        governs hold, the others as they are; for provisioned concurrency and ``"cost"``, the
        value from there up with the lowest mean bill."""
        lo, hi = self.bounds(settings, f, k)
        if hi < lo:
            self.note(f"{f}.{k}: the account leaves no room for it (the other functions' reservations and "
                      "the unreserved minimum take the whole limit); left as it was")
            return settings[f, k]
        if not any(t.function == f and t.figure in GOVERNS[k] for t in self.goals):
            if objective == "cost" and k == "provisioned_concurrency":
                return self._cheapest(settings, f, k, lo, hi)  # is it worth its price?
            return max(lo, min(settings[f, k], hi))

        def holds(x: int) -> bool:
            return self.evaluate({**settings, (f, k): x}).governed[f"{f}/{k}"]

        if not holds(hi):
            self.note(f"{f}.{k}: the targets it governs fail even at {hi}, the most the account allows")
            return hi
        low, high = lo - 1, hi  # low fails (or is below the range), high holds
        if holds(lo):
            high = lo
        while high - low > 1:
            mid = (low + high) // 2
            if holds(mid):
                high = mid
            else:
                low = mid
        self._check_monotone(settings, f, k)
        if objective == "cost" and k == "provisioned_concurrency":
            return self._cheapest(settings, f, k, high, hi)
        return high

    def bounds(self, settings: Mapping[tuple[str, str], int], f: str, k: str) -> tuple[int, int]:
        """The knob's range under the account's rules, the other functions as set."""
        sc = self.scenario.with_values(_paths(settings))
        function = next(g for g in sc.functions if g.name == f)
        # what the pools leave above the unreserved minimum with f taking nothing (§2, plan_pools)
        others = [g for g in sc.functions if g.name != f]
        pools = plan_pools(sc.account, others)
        free = pools.unreserved_capacity - pools.min_unreserved
        if k == "reserved_concurrency":
            return max(1, function.provisioned_concurrency or 0), free
        cap = function.reserved_concurrency if function.reserved_concurrency is not None else free
        return 0, max(0, cap)

    def _cheapest(self, settings: dict[tuple[str, str], int], f: str, k: str, lo: int, hi: int) -> int:
        """The value in [lo, hi] of the lowest mean bill among those that keep every target,
        by a ternary search (the bill is taken to fall, then rise, as provisioned grows)."""
        # every target when the smallest value meets them all (provisioned environments of an
        # unreserved function come out of the shared pool), else the knob's own
        everything = self.evaluate({**settings, (f, k): lo}).feasible

        def cost(x: int) -> float:
            c = self.evaluate({**settings, (f, k): x})
            if not (c.feasible if everything else c.governed[f"{f}/{k}"]):
                return math.inf
            return _mean([a["cost"] for a in c.figures if not isinstance(a, str)])

        a, b = lo, hi
        while b - a > 2:
            m1, m2 = a + (b - a) // 3, b - (b - a) // 3
            if cost(m1) <= cost(m2):
                b = m2
            else:
                a = m1
        return min(range(a, b + 1), key=lambda x: (cost(x), x))

    def _check_monotone(self, settings: Mapping[tuple[str, str], int], f: str, k: str) -> None:
        """Notes a pair of evaluated values where the larger one fails the knob's targets and
        the smaller meets them, the other knobs as they are."""
        rest = {key: v for key, v in settings.items() if key != (f, k)}
        points = sorted((c.settings[f, k], c.governed[f"{f}/{k}"]) for c in self.seen.values()
                        if {key: v for key, v in c.settings.items() if key != (f, k)} == rest)
        for (x1, ok1), (x2, ok2) in zip(points, points[1:]):
            if ok1 and not ok2:
                self.note(f"{f}.{k}: the targets it governs hold at {x1} and fail at {x2}: not monotone "
                          "here, the bisection's answer may not be the smallest")

    def table(self) -> Any:
        import pandas as pd  # optional dependency: pip install lambda-core[sweep]

        rows = []
        for c in self.seen.values():
            row: dict[str, Any] = {"step": c.step}
            row.update({f"{f}.{k}": v for (f, k), v in c.settings.items()})
            row["feasible"] = c.feasible
            row["seeds_passing"] = c.passing
            good = [a for a in c.figures if not isinstance(a, str)]
            row["error"] = next((a for a in c.figures if isinstance(a, str)), None)
            for t in self.goals:
                column = f"{t.function}.{t.figure}"
                xs = [a[column] for a in good]
                row[f"{column}.mean"] = _mean(xs)
                row[f"{column}.min"] = min(xs, default=math.nan)
                row[f"{column}.max"] = max(xs, default=math.nan)
            row["cost"] = _mean([a["cost"] for a in good])
            rows.append(row)
        return pd.DataFrame.from_records(rows)


def _holds(t: Target, figures: Mapping[str, float]) -> bool:
    value = figures[f"{t.function}.{t.figure}"]
    return not math.isnan(value) and value <= t.high


def _mean(xs: Sequence[float]) -> float:
    return math.fsum(xs) / len(xs) if xs else math.nan


def _paths(settings: Mapping[tuple[str, str], int]) -> dict[str, int | None]:
    return {f"functions.{f}.{k}": (None if k == "provisioned_concurrency" and v == 0 else v)
            for (f, k), v in settings.items()}


def _current(scenario: Scenario, f: str, k: str) -> int:
    value = getattr(next(g for g in scenario.functions if g.name == f), k)
    return int(value or 0)


def _seeds(seeds: int | Sequence[int]) -> list[int]:
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        if seeds < 1:
            raise UsageError(f"seeds must be at least 1, got {seeds}")
        return list(range(seeds))
    if isinstance(seeds, (bool, str, bytes)) or not isinstance(seeds, Sequence) or not seeds:
        raise UsageError(f"seeds must be a count or a sequence of seeds, got {seeds!r}")
    return [check_seed(s) for s in seeds]


def _targets(scenario: Scenario, targets: Mapping[str, Mapping[str, float]]) -> tuple[Target, ...]:
    names = [f.name for f in scenario.functions]
    everyone = dict(targets.get("*", {}))
    out = []
    for name in targets:
        if name != "*" and name not in names:
            raise UsageError(f"targets: no function named {name!r} (functions: {', '.join(names)})")
    for name in names:
        mine = {**everyone, **dict(targets.get(name, {}))}
        for figure, high in mine.items():
            if isinstance(high, bool) or not isinstance(high, (int, float)) or math.isnan(high):
                raise UsageError(f"targets: {name}.{figure} must be a number, got {high!r}")
            out.append(Target(name, figure, float(high)))
    if not out:
        raise UsageError("targets: no target to meet")
    return tuple(out)


def _knobs(scenario: Scenario, knobs: Mapping[str, Sequence[str] | str]) -> list[tuple[str, str]]:
    names = [f.name for f in scenario.functions]
    out = []
    for name, ks in knobs.items():
        if name not in names:
            raise UsageError(f"knobs: no function named {name!r} (functions: {', '.join(names)})")
        for k in [ks] if isinstance(ks, str) else list(ks):
            if k not in KNOBS:
                raise UsageError(f"knobs: {k!r} is not a knob (knobs: {', '.join(KNOBS)})")
            out.append((name, k))
    if not out:
        raise UsageError("knobs: no knob to search")
    return out
