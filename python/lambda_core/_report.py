"""Plain-text output of the command line: the run summary, its table, the progress bar.

:func:`summarize` turns a :class:`~lambda_core.Result` into a summary of plain Python values
(what ``lambda-core run --json`` prints); :func:`format_run` renders the same summary as text;
:func:`format_validation` describes a scenario for ``lambda-core validate``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from ._model import EventSourceMapping, Function, InvocationType, Result
from ._model.vpc import VpcPlan, plan_vpcs
from .scenarios import Scenario

__all__ = [
    "COUNTS",
    "ASYNC_COUNTS",
    "RATE_COUNTS",
    "REFUSAL_COUNTS",
    "table_columns",
    "MAPPING_COUNTS",
    "MAPPING_FIGURES",
    "summarize",
    "format_table",
    "format_run",
    "format_validation",
    "cost_summary",
    "format_cost",
    "printable",
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
#: The table's asynchronous columns (docs/model.md §6), shown only when a function received
#: events: ``AsyncEventsDropped`` (retries exhausted, too old, or a reservation of zero).
ASYNC_COUNTS = (("async_events_dropped", "async dropped"),)
#: The request-rate throttles (docs/model.md §14), shown among the throttles when a run has some.
RATE_COUNTS = (("throttles_rate", "rate"), ("throttles_reserved_rate", "reserved rate"))
#: The attempts refused without a throttle (docs/model.md §13–14), shown when a run has some.
REFUSAL_COUNTS = (
    ("conflicts_pending", "pending"),
    ("conflicts_inactive", "inactive"),
    ("eni_failures", "no ENI"),
    ("payloads_too_large", "too large"),
)
# The per-function figures of the JSON summary: the table's, and AsyncEventsReceived.
_FIGURES = (tuple(key for key, _ in COUNTS + RATE_COUNTS + REFUSAL_COUNTS)
            + ("async_events_received", "async_events_dropped"))
# Figures that are summed in the total row (a maximum does not add up).
_SUMMED = tuple(key for key in _FIGURES if key != "max_concurrency")
#: The per-mapping counters of a stream's ``Result.mappings[source]`` (``max_iterator_age``
#: in seconds, a float; the others integers). The JSON summary keeps every counter the result
#: has, so a queue's (no ``max_iterator_age``; its own ``max_slots``) too.
MAPPING_FIGURES = (
    "invocations", "batches", "max_concurrency", "max_iterator_age", "throttles", "retries",
    "on_failure_records", "records_processed", "records_failed", "records_expired",
)
#: The columns of the mapping table after ``source`` and ``function``, as (summary key,
#: column heading): ``records`` is the number of records generated for the source; a figure
#: a mapping does not have (a queue's iterator age) is an empty cell.
MAPPING_COUNTS = (
    ("records", "records"),
    ("invocations", "invocations"),
    ("batches", "batches"),
    ("max_concurrency", "max conc"),
    ("max_iterator_age", "max iterator age (s)"),
    ("throttles", "throttles"),
    ("retries", "retries"),
    ("records_failed", "failed"),
    ("records_expired", "expired"),
)


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
    mappings: Sequence[EventSourceMapping] = (),
    records: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The run's figures as plain Python values (JSON-ready).

    Keys: ``scenario``, ``seed``, ``until``; ``functions`` (one dict per function with
    ``function``, each key of :data:`COUNTS`, :data:`RATE_COUNTS` and :data:`REFUSAL_COUNTS`,
    ``async_events_received`` and ``async_events_dropped``); ``total`` (the summed figures); ``account``
    (``account_settings`` plus ``max_concurrency`` and ``max_unreserved_concurrency``);
    ``destinations`` (records sent to each destination, by name: `destinations`, e.g.
    :meth:`Simulator.destination_counts`, or else the records in ``result.destinations``);
    ``mappings`` (one dict per mapping of `mappings`, in order: ``source``, ``kind``
    — ``"kinesis"``, ``"dynamodb"`` or ``"sqs"`` —, ``function``, ``records`` — the records
    submitted for its source: `records`, by source name, or else the rows of
    ``result.records`` —, and every counter of ``result.mappings[source]``: a stream's are
    :data:`MAPPING_FIGURES`; ``[]`` without mappings); ``run`` (``invocations_simulated`` —
    the workload's rows —, ``records_simulated`` — the records of every source —,
    ``wall_time_s`` of the simulation alone, ``invocations_per_s``, ``horizon_s``, ``seed``).
    """
    functions: list[dict[str, Any]] = [
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
    if records is None:
        records = {name: len(table["outcome"]) for name, table in result.records.items()}
    summaries = []
    for mapping in mappings:
        source = mapping.source.name
        counters = result.mappings.get(source, {})
        summaries.append({
            "source": source,
            "kind": mapping.kind,
            "function": mapping.function,
            "records": int(records.get(source, 0)),
            **{key: _plain(value) for key, value in counters.items()},
        })
    run = {
        "invocations_simulated": rows,
        "records_simulated": int(sum(records.values())),
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
        "mappings": summaries,
        "run": run,
    }


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], align_left: int = 1
) -> str:
    """A table with a heading line: the first ``align_left`` columns left-aligned, the others
    right-aligned; integers are written with thousands separators and ``None`` as an empty
    cell."""

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
        parts = [v.ljust(w) if j < align_left else v.rjust(w)
                 for j, (v, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def cost_summary(bill: Any, function_names: Sequence[str]) -> dict[str, Any]:
    """A bill (:class:`~lambda_core.Bill`) as plain values: per function and in total, each
    category in USD (what ``lambda-core run --cost --json`` adds as ``cost``)."""
    return {
        "functions": {name: {k: float(v) for k, v in bill.function(name).items()} for name in function_names},
        "total": {k: float(v) for k, v in bill.totals().items()},
    }


def format_cost(cost: Mapping[str, Any]) -> str:
    """The cost table of ``lambda-core run --cost`` (:func:`cost_summary`'s figures): one row
    per function and a total row, in USD to the cent (the whole figures stay in ``--json``)."""
    items = list(cost["total"])
    rows = [[name, *(f"{line[k]:,.2f}" for k in items)] for name, line in cost["functions"].items()]
    rows.append(["total", *(f"{cost['total'][k]:,.2f}" for k in items)])
    return "cost (USD, list prices)\n" + format_table(["function", *items], rows)


def _plain(value: Any) -> Any:
    """A counter as a plain Python number (numpy scalars too): floats stay floats."""
    if isinstance(value, (bool, str)) or value is None:
        return value
    dtype = getattr(value, "dtype", None)
    if isinstance(value, float) or (dtype is not None and dtype.kind == "f"):
        return float(value)
    return int(value)


def _significant(seconds: float | None, digits: int = 3) -> str | None:
    """``seconds`` to ``digits`` significant digits, without an exponent (all the integer
    digits are kept: 1234.5 is ``1,235``); ``None`` stays ``None`` (an empty cell)."""
    if seconds is None:
        return None
    if seconds == 0 or not math.isfinite(seconds):
        return f"{seconds:g}"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(seconds))))
    return f"{seconds:,.{decimals}f}"


def table_columns(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The per-function table's columns for `summary`: :data:`COUNTS`, the rate throttles
    after the other throttles and the refusals and :data:`ASYNC_COUNTS` at the end, each of
    those only when the run has some."""
    total = summary["total"]
    columns = list(COUNTS)
    after_throttles = max(i for i, (key, _) in enumerate(columns) if key.startswith("throttles_")) + 1
    columns[after_throttles:after_throttles] = [c for c in RATE_COUNTS if total.get(c[0])]
    columns += [c for c in REFUSAL_COUNTS if total.get(c[0])]
    if total.get("async_events_received"):
        columns += ASYNC_COUNTS
    return columns


def _describe_vpc(function: Function, plan: VpcPlan, eni_init_s: float) -> str:
    """A VPC function's line of ``validate`` (docs/model.md §13)."""
    vpc = function.vpc
    assert vpc is not None
    n, g = len(vpc.subnet_ids), len(vpc.security_group_ids)
    text = (f"vpc {vpc.vpc_id}: {n} subnet{'' if n == 1 else 's'}, {g} security group"
            f"{'' if g == 1 else 's'}, {'a NAT gateway' if vpc.nat_gateway else 'no NAT gateway'}")
    if plan.no_eni:
        return text + "; its ENI is beyond the VPC's quota: every invocation fails (ENILimitReachedException)"
    if plan.eni_pool is not None:
        text += f"; legacy networking: an ENI per environment, +{eni_init_s:g} s init"
    elif plan.active_from_s > 0:
        text += f"; Pending until {plan.active_from_s:g} s"
    if function.hangs:
        text += "; needs the internet without NAT: every invocation times out"
    return text


def format_run(summary: Mapping[str, Any]) -> str:
    """The text report of ``lambda-core run``: the per-function table (:func:`table_columns`:
    throttles by reason — reserved, unreserved, scaling, and the request rates when a run has
    them —, the refusals a run had, ``async dropped`` when a function received asynchronous
    events), a total row, the per-mapping table (when there are mappings: source, function
    and :data:`MAPPING_COUNTS`, the maximum iterator age to 3 significant digits), the
    account line, the destinations line (when there are destinations) and the run's own
    figures."""
    columns = table_columns(summary)
    headers = ["function"] + [heading for _, heading in columns]
    rows = [[f["function"]] + [f[key] for key, _ in columns] for f in summary["functions"]]
    rows.append(["total"] + [summary["total"].get(key) for key, _ in columns])
    table = format_table(headers, rows)

    # A banner over the throttle columns, placed from the heading line.
    heading = table.splitlines()[0]
    start = heading.index("invocations") + len("invocations") + 2
    last = [h for key, h in columns if key.startswith("throttles_")][-1]
    end = heading.index(last, start) + len(last)
    banner = " throttles ".center(end - start, "-")
    lines = [" " * start + banner, table]

    mappings = summary.get("mappings") or []
    if mappings:
        headers = ["source", "function"] + [heading for _, heading in MAPPING_COUNTS]
        rows = [
            [m["source"], m["function"]]
            + [_significant(m.get(key)) if key == "max_iterator_age" else m.get(key)
               for key, _ in MAPPING_COUNTS]
            for m in mappings
        ]
        lines += ["", format_table(headers, rows, align_left=2)]

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
    simulated = f"{run['invocations_simulated']:,} invocations"
    if mappings:
        simulated += f" and {run.get('records_simulated', 0):,} records"
    speed = f"{'-' if rate is None else f'{rate:,.0f}'} invocations/s"
    if mappings and run["wall_time_s"] > 0:
        per_s = (run["invocations_simulated"] + run.get("records_simulated", 0)) / run["wall_time_s"]
        speed = f"{per_s:,.0f} invocations and records/s"
    lines += [
        f"run: {simulated} simulated in "
        f"{run['wall_time_s']:.3f} s wall time ({speed})",
        f"     scenario {summary['scenario']}, seed {run['seed']}, "
        f"simulated horizon {run['horizon_s']:,.1f} s{until}",
    ]
    return "\n".join(lines)


def format_validation(scenario: Scenario, account_settings: Mapping[str, int], source: str) -> str:
    """The text ``lambda-core validate`` prints for a valid scenario: the account's settings
    (AWS ``GetAccountSettings``), the seed, routing, ``until`` and the period of the
    per-period metrics (when set), the client retry policy (when set), each function's
    concurrency, asynchronous settings and destinations (when it receives events or has
    destinations) and workload generators, the event sources with their record generators
    and the mappings (when there are any), and the expected number of requests (and of
    records, when sources have generators)."""
    account = scenario.account
    scaling = account.scaling or "off"
    lines = [
        f"{source}: OK (scenario {scenario.name})",
        f"account settings: ConcurrentExecutions {account_settings['ConcurrentExecutions']}, "
        f"UnreservedConcurrentExecutions {account_settings['UnreservedConcurrentExecutions']} "
        f"(minimum {account.min_unreserved}, scaling {scaling})",
        f"seed {scenario.seed}, routing {scenario.routing}, until "
        + ("the last request" if scenario.until is None else f"{scenario.until:g} s")
        + ("" if scenario.metrics_period_s is None
           else f", metrics every {scenario.metrics_period_s:g} s"),
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
    account = scenario.account
    vpc_plans, _ = plan_vpcs(account.vpc_networking, account.eni_quota, account.eni_ready_s, scenario.functions)
    for function, specs, vpc_plan in zip(scenario.functions, scenario.workloads, vpc_plans):
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
        if function.vpc is not None and vpc_plan is not None:
            lines.append(f"  {' ' * width}  {_describe_vpc(function, vpc_plan, account.eni_init_s)}")
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
    lines += _describe_sources(scenario)
    lines.append(f"expected requests: about {scenario.expected_requests():,.0f}")
    if any(spec is not None for spec in scenario.record_generators):
        lines.append(f"expected records: about {scenario.expected_records():,.0f}")
    return "\n".join(lines)


def _describe_sources(scenario: Scenario) -> list[str]:
    """``validate``'s lines for the event sources (with their generators) and the mappings;
    none for a scenario without them."""
    lines = []
    sources = scenario.sources
    if sources:
        lines.append(f"event sources ({len(sources)}):")
        width = max(len(source.name) for source in sources)
        read = {m.source.name for m in scenario.mappings}
        for source, spec in zip(sources, scenario.record_generators):
            text = source.describe()
            generated, keyed = source.SCENARIO_RECORDS, source.records_keyed
            if source.name not in read:
                text += " (no mapping reads it)"
            lines.append(f"  {source.name.ljust(width)}  {text}")
            if spec is not None:
                lines.append(f"  {' ' * width}  {generated}: {spec.describe(keyed)}")
    if scenario.mappings:
        lines.append(f"mappings ({len(scenario.mappings)}):")
        for m in scenario.mappings:
            lines.append(f"  {m.source.name} -> {m.function}: {_describe_mapping(m)}")
    return lines


def _describe_mapping(m: EventSourceMapping) -> str:
    """A mapping's parameters, e.g. ``batch size 100, batching window 0 s, ...``."""
    parts = [f"batch size {m.batch_size}", f"batching window {m.batching_window_s:g} s"]
    parts += m.source.describe_mapping(m)
    d = m.duration
    duration = f"{d.base_s:g} s per batch"
    if d.per_record_s:
        duration = f"{d.base_s:g} s + {d.per_record_s:g} s per record"
    return ", ".join(parts) + f"; duration {duration}"


def printable(text: str, stream: TextIO | None = None) -> str:
    """``text`` with what ``stream``'s encoding (default: stdout's) cannot show replaced by
    escapes (``\\xe9``), as Python does for stderr: a report or a message then prints on an
    ASCII terminal (``PYTHONIOENCODING=ascii``, an old ``LANG=C``) instead of failing. Text the
    encoding can show is returned unchanged."""
    encoding = getattr(stream if stream is not None else sys.stdout, "encoding", None)
    if not encoding:
        return text
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:  # an encoding Python does not know: leave it to the stream
        pass
    return text


class ProgressBar:
    """A one-line progress bar of simulated time (or, with another `unit`, of a count such as
    a sweep's runs), redrawn in place on ``stream`` (a TTY).

    ``update(t)`` draws the bar for simulated time ``t`` of ``total`` seconds; ``close()``
    erases it, so that nothing is left between the command line and the report.
    """

    def __init__(self, stream: TextIO, total: float, width: int = 30, label: str = "simulating",
                 unit: str = "s") -> None:
        self.stream = stream
        self.total = total
        self.width = width
        self.label, self.unit = label, unit
        self._shown = 0

    def update(self, t: float) -> None:
        """Redraws the bar at simulated time ``t`` (seconds)."""
        fraction = 1.0 if self.total <= 0 else min(max(t / self.total, 0.0), 1.0)
        filled = round(fraction * self.width)
        text = (
            f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%} "
            + (f"t = {t:,.0f} / {self.total:,.0f} s" if self.unit == "s" else f"{t:,.0f} / {self.total:,.0f} {self.unit}")
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
