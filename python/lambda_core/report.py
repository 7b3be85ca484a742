"""Plain-text output of the command line: the run summary, its table, the progress bar.

:func:`summarize` turns a :class:`~lambda_core.Result` into a summary of plain Python values
(what ``lambda-core run --json`` prints); :func:`format_run` renders the same summary as text;
:func:`format_validation` describes a scenario for ``lambda-core validate``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from .enums import InvocationType
from .scenario import Scenario
from .simulator import Result

__all__ = [
    "COUNTS",
    "ASYNC_COUNTS",
    "summarize",
    "format_table",
    "format_run",
    "format_validation",
    "ProgressBar",
]

#: The per-function figures of the table, as (``Result.functions`` key, column heading).
COUNTS = (
    ("invocations", "invocations"),
    ("throttles_reserved", "reserved"),
    ("throttles_unreserved", "unreserved"),
    ("throttles_scaling", "scaling"),
    ("errors", "errors"),
    ("cold_starts", "cold starts"),
    ("max_concurrency", "max concurrency"),
)
#: The table's asynchronous columns (MODEL.md §6), shown only when a function received
#: events: ``AsyncEventsDropped`` (retries exhausted, too old, or a reservation of zero).
ASYNC_COUNTS = (("async_events_dropped", "async dropped"),)
# The per-function figures of the JSON summary: the table's, and AsyncEventsReceived.
_FIGURES = tuple(key for key, _ in COUNTS) + ("async_events_received", "async_events_dropped")
# Figures that are summed in the total row (a maximum does not add up).
_SUMMED = tuple(key for key in _FIGURES if key != "max_concurrency")


def summarize(
    result: Result,
    *,
    scenario: str,
    seed: int,
    until: float | None,
    rows: int,
    wall_time_s: float,
    account_settings: Mapping[str, int],
    destinations: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The run's figures as plain Python values (JSON-ready).

    Keys: ``scenario``, ``seed``, ``until``; ``functions`` (one dict per function with
    ``function``, each key of :data:`COUNTS`, ``async_events_received`` and
    ``async_events_dropped``); ``total`` (the summed figures); ``account``
    (``account_settings`` plus ``max_concurrency`` and ``max_unreserved_concurrency``);
    ``destinations`` (records sent to each destination, by name: `destinations`, e.g.
    :meth:`Simulator.destination_counts`, or else the records in ``result.destinations``);
    ``run`` (``invocations_simulated`` — the workload's rows —, ``wall_time_s`` of the
    simulation alone, ``invocations_per_s``, ``horizon_s``, ``seed``).
    """
    functions = [
        {"function": name, **{key: int(result.functions[key][i]) for key in _FIGURES}}
        for i, name in enumerate(result.function_names)
    ]
    if destinations is None:
        destinations = {name: len(log["request"]) for name, log in result.destinations.items()}
    total = {key: sum(f[key] for f in functions) for key in _SUMMED}
    account = {
        **{k: int(v) for k, v in account_settings.items()},
        "max_concurrency": int(result.account["max_concurrency"]),
        "max_unreserved_concurrency": int(result.account["max_unreserved_concurrency"]),
    }
    run = {
        "invocations_simulated": rows,
        "wall_time_s": wall_time_s,
        "invocations_per_s": rows / wall_time_s if wall_time_s > 0 else None,
        "horizon_s": float(result.horizon),
        "seed": seed,
    }
    return {
        "scenario": scenario,
        "seed": seed,
        "until": until,
        "functions": functions,
        "total": total,
        "account": account,
        "destinations": {name: int(count) for name, count in destinations.items()},
        "run": run,
    }


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A table with a heading line: the first column left-aligned, the others right-aligned;
    integers are written with thousands separators and ``None`` as an empty cell."""

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    cells = [list(headers)] + [[cell(v) for v in row] for row in rows]
    widths = [max(len(row[j]) for row in cells) for j in range(len(headers))]
    lines = []
    for row in cells:
        parts = [row[0].ljust(widths[0])] + [v.rjust(w) for v, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def format_run(summary: Mapping[str, Any]) -> str:
    """The text report of ``lambda-core run``: the per-function table (throttles by reason:
    reserved, unreserved, scaling; ``async dropped`` when a function received asynchronous
    events), a total row, the account line, the destinations line (when there are
    destinations) and the run's own figures."""
    columns = list(COUNTS)
    if summary["total"].get("async_events_received"):
        columns += ASYNC_COUNTS
    headers = ["function"] + [heading for _, heading in columns]
    rows = [[f["function"]] + [f[key] for key, _ in columns] for f in summary["functions"]]
    rows.append(["total"] + [summary["total"].get(key) for key, _ in columns])
    table = format_table(headers, rows)

    # A banner over the three throttle columns, placed from the heading line.
    heading = table.splitlines()[0]
    start = heading.index("invocations") + len("invocations") + 2
    end = heading.index("scaling") + len("scaling")
    banner = " throttles ".center(end - start, "-")
    lines = [" " * start + banner, table]

    account, run = summary["account"], summary["run"]
    rate = run["invocations_per_s"]
    until = "" if summary["until"] is None else f", until {summary['until']:g} s"
    lines += [
        "",
        f"account: max concurrency {account['max_concurrency']:,}, "
        f"max unreserved concurrency {account['max_unreserved_concurrency']:,} "
        f"(ConcurrentExecutions {account['ConcurrentExecutions']:,}, "
        f"UnreservedConcurrentExecutions {account['UnreservedConcurrentExecutions']:,})",
    ]
    destinations = summary.get("destinations") or {}
    if destinations:
        lines.append(
            "destinations: "
            + ", ".join(
                f"{name} {count:,} record{'' if count == 1 else 's'}"
                for name, count in destinations.items()
            )
        )
    lines += [
        f"run: {run['invocations_simulated']:,} invocations simulated in "
        f"{run['wall_time_s']:.3f} s wall time "
        f"({'-' if rate is None else f'{rate:,.0f}'} invocations/s)",
        f"     scenario {summary['scenario']}, seed {run['seed']}, "
        f"simulated horizon {run['horizon_s']:,.1f} s{until}",
    ]
    return "\n".join(lines)


def format_validation(scenario: Scenario, account_settings: Mapping[str, int], source: str) -> str:
    """The text ``lambda-core validate`` prints for a valid scenario: the account's settings
    (AWS ``GetAccountSettings``), the client retry policy (when set), each function's
    concurrency, asynchronous settings and destinations (when it receives events or has
    destinations) and workload generators, and the expected number of requests."""
    account = scenario.account
    scaling = account.scaling or "off"
    lines = [
        f"{source}: OK (scenario {scenario.name})",
        f"account settings: ConcurrentExecutions {account_settings['ConcurrentExecutions']}, "
        f"UnreservedConcurrentExecutions {account_settings['UnreservedConcurrentExecutions']} "
        f"(minimum {account.min_unreserved}, scaling {scaling})",
        f"seed {scenario.seed}, routing {scenario.routing}, until "
        + ("the last request" if scenario.until is None else f"{scenario.until:g} s"),
    ]
    retries = scenario.client_retries
    if retries is not None:
        lines.append(
            f"client retries: synchronous callers retry throttles, at most "
            f"{retries.max_attempts} attempt{'' if retries.max_attempts == 1 else 's'} in all, "
            f"waiting up to min({retries.base_s:g} s × 2^(i−1), {retries.cap_s:g} s) "
            "before retry i (full jitter)"
        )
    lines.append(f"functions ({len(scenario.functions)}):")
    width = max(len(f.name) for f in scenario.functions)
    for function, specs in zip(scenario.functions, scenario.workloads):
        if function.reserved_concurrency is None:
            pool = "unreserved"
        else:
            pool = f"reserved {function.reserved_concurrency}"
        if function.provisioned_concurrency is not None:
            pool += f", provisioned {function.provisioned_concurrency}"
        lines.append(
            f"  {function.name.ljust(width)}  {pool}; memory {function.memory_mb} MB, "
            f"timeout {function.timeout_s:g} s"
        )
        targets = [
            (label, target)
            for label, target in (
                ("on_success", function.on_success),
                ("on_failure", function.on_failure),
                ("dead_letter_queue", function.dead_letter_queue),
            )
            if target is not None
        ]
        if targets or any(spec.invocation_type == InvocationType.EVENT for spec in specs):
            lines.append(
                f"  {' ' * width}  asynchronous: max retry attempts "
                f"{function.max_retry_attempts}, max event age {function.max_event_age_s} s"
            )
        if targets:
            lines.append(
                f"  {' ' * width}  destinations: "
                + ", ".join(f"{label} {target}" for label, target in targets)
            )
        if not specs:
            lines.append(f"  {' ' * width}  workload: none")
        for spec in specs:
            lines.append(f"  {' ' * width}  workload: {spec.describe()}")
    lines.append(f"expected requests: about {scenario.expected_requests():,.0f}")
    return "\n".join(lines)


class ProgressBar:
    """A one-line progress bar of simulated time, redrawn in place on ``stream`` (a TTY).

    ``update(t)`` draws the bar for simulated time ``t`` of ``total`` seconds; ``close()``
    erases it, so that nothing is left between the command line and the report.
    """

    def __init__(self, stream: TextIO, total: float, width: int = 30) -> None:
        self.stream = stream
        self.total = total
        self.width = width
        self._shown = 0

    def update(self, t: float) -> None:
        """Redraws the bar at simulated time ``t`` (seconds)."""
        fraction = 1.0 if self.total <= 0 else min(max(t / self.total, 0.0), 1.0)
        filled = round(fraction * self.width)
        text = (
            f"simulating [{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%} "
            f"t = {t:,.0f} / {self.total:,.0f} s"
        )
        self.stream.write("\r" + text.ljust(self._shown))
        self.stream.flush()
        self._shown = len(text)

    def close(self) -> None:
        """Erases the bar."""
        if self._shown:
            self.stream.write("\r" + " " * self._shown + "\r")
            self.stream.flush()
            self._shown = 0
