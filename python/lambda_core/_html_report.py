"""The HTML report of a run (docs/report.md): :func:`write_report` (what ``lambda-core run
--report FILE.html`` calls) and :func:`render_report`, one self-contained page.

Self-contained means nothing is fetched when it is viewed: the style is inline, there is no
script, and each figure is an SVG document embedded as a ``data:`` URL (an ``<img>`` each, so
that the ids matplotlib writes into one SVG cannot collide with another's). The page's own
Content-Security-Policy forbids every other source, so a browser refuses, and reports, anything
that would reach the network.

The tables are the plain-text summary's (:func:`lambda_core._report.summarize`, the same
columns as :func:`~lambda_core._report.format_run`); the figures are :mod:`lambda_core._plot`'s
panels. Every text that comes from the user (scenario, function, source and destination names)
is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _plot
from ._report import MAPPING_COUNTS, _significant, summarize, table_columns

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ._model.results import Result

__all__ = ["write_report", "render_report", "FIGURE_TITLES", "BILL_ITEMS"]

#: Each panel's heading in the report.
FIGURE_TITLES = {
    "concurrency": "Concurrency over time, against the account limit, the unreserved pool and each reservation",
    "throttles": "Throttles by reason",
    "async_event_age": "Asynchronous event age",
    "iterator_age": "Iterator age of the stream mappings",
    "environments": "Environments alive",
    "cost": "Cost per period",
}
#: The columns of the bill's table, read from ``bill.function(name)`` and ``bill.total``.
BILL_ITEMS = ("requests", "duration", "init", "provisioned", "ephemeral", "total")

# No source but the page itself: data: images and the inline style (docs/report.md).
_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em auto;
       max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
p.run { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #ddd; }
th { background: #f3f3f3; text-align: right; } th.name, td.name { text-align: left; }
td { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; border-top: 2px solid #999; }
th.group { text-align: center; border-bottom: 1px solid #999; }
figure { margin: 1em 0 2em; } figure img { max-width: 100%; height: auto; display: block; }
figcaption { font-weight: bold; margin-bottom: 0.4em; }
p.note { color: #666; font-style: italic; }
"""


def write_report(result: Result, path: str | os.PathLike[str], *, summary: Mapping[str, Any] | None = None,
                 config: Any = None, bill: Any = "auto", title: str | None = None) -> Path:
    """Writes the report of `result` to `path` (UTF-8 HTML, one file) and returns the path.

    Args:
        result: a run with per-period series (``Simulator(..., metrics_period_s=60)``), else
            :class:`~lambda_core.errors.UsageError`.
        summary: the run's :func:`lambda_core._report.summarize` (what ``lambda-core run``
            prints); ``None``: summarized here from `result` and `config` (no wall time).
        config: the :class:`~lambda_core.Simulator` of the run: the account's limits and each
            reservation for the concurrency figure, the mappings for the mapping table (when
            `summary` is not given); ``None``: what the metrics carry.
        bill: ``"auto"`` (``result.cost()`` when the result has it), a bill, or ``None`` (no
            bill); read as docs/report.md describes.
        title: the page's title (default: the summary's scenario name).
    """
    text = render_report(result, summary=summary, config=config, bill=bill, title=title)
    out = Path(path)
    out.write_text(text, encoding="utf-8")
    return out


def render_report(result: Result, *, summary: Mapping[str, Any] | None = None, config: Any = None,
                  bill: Any = "auto", title: str | None = None) -> str:
    """The report's HTML text (arguments as :func:`write_report`)."""
    metrics = _plot.metrics_of(result)
    the_bill = _plot.bill_of(result, bill)
    if summary is None:
        summary = _summary(result, config, title)
    figures = _plot.panel_figures(result, config, bill=the_bill)
    heading = title if title is not None else f"lambda_core run: {summary['scenario']}"
    run = summary["run"]
    until = "" if summary.get("until") is None else f", until {summary['until']:g} s"
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # without an icon of its own, a browser asks the page's origin for /favicon.ico
        '<link rel="icon" href="data:,">',
        f"<title>{_e(heading)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(heading)}</h1>",
        f'<p class="run">scenario {_e(summary["scenario"])}, seed {_e(run["seed"])}, '
        f"simulated horizon {run['horizon_s']:,.1f} s{_e(until)}; {_count(run['invocations_simulated'])} "
        f"invocations and {_count(run.get('records_simulated', 0))} records simulated; "
        f"series of {metrics.period_s:g} s periods ({metrics.n_periods:,} periods)</p>",
        '<section id="functions">',
        "<h2>Functions</h2>",
        _function_table(summary),
        "</section>",
    ]
    if summary.get("mappings"):
        lines += ['<section id="mappings">', "<h2>Event-source mappings</h2>", _mapping_table(summary),
                  "</section>"]
    lines += ['<section id="account">', "<h2>Account</h2>", _account_table(summary)]
    destinations = summary.get("destinations") or {}
    if destinations:
        lines.append('<p id="destinations">destinations: ' + ", ".join(
            f"{_e(name)} {_count(count)} record{'' if count == 1 else 's'}"
            for name, count in destinations.items()) + "</p>")
    lines.append("</section>")
    if the_bill is not None:
        lines += ['<section id="bill">', "<h2>Bill (USD)</h2>", _bill_table(the_bill, result.function_names),
                  "</section>"]
    lines += ['<section id="figures">', "<h2>Over time</h2>"]
    for panel, figure in figures.items():
        caption = FIGURE_TITLES[panel]
        lines += [
            f'<figure id="figure-{panel}" class="panel">',
            f"<figcaption>{_e(caption)}</figcaption>",
            f'<img alt="{_e(caption)}" src="data:image/svg+xml;base64,{_svg_base64(figure)}">',
            "</figure>",
        ]
    missing = [p for p in ("async_event_age", "iterator_age") if p not in figures]
    for panel in missing:
        reason = {"async_event_age": "no function received asynchronous events",
                  "iterator_age": "no mapping reads a stream"}[panel]
        lines.append(f'<p class="note" id="no-{panel}">{_e(FIGURE_TITLES[panel])}: not drawn, {reason}.</p>')
    lines += ["</section>", "</body>", "</html>", ""]
    return "\n".join(lines)


def _summary(result: Result, config: Any, title: str | None) -> dict[str, Any]:
    """The summary of a run the command line did not summarize: from the result and, when
    given, its simulator (limits, seed, mappings)."""
    limits = _plot.limits_of(result, config)
    settings = {} if limits is None else {"ConcurrentExecutions": limits.concurrency_limit,
                                          "UnreservedConcurrentExecutions": limits.unreserved}
    rows = len(next(iter(result.requests.values()))) if result.requests else 0
    return summarize(
        result,
        scenario=title if title is not None else "(no scenario)",
        seed=int(getattr(config, "seed", 0)),
        until=None,
        rows=rows,
        wall_time_s=0.0,
        account_settings=settings,
        mappings=tuple(getattr(config, "mappings", ())),
    )


def _function_table(summary: Mapping[str, Any]) -> str:
    columns = table_columns(summary)
    throttles = [i for i, (key, _) in enumerate(columns) if key.startswith("throttles_")]
    # the banner over the throttle columns, as the text table has it
    group = ['<th class="name"></th>']
    for i, _ in enumerate(columns):
        if i == throttles[0]:
            group.append(f'<th class="group" colspan="{len(throttles)}">throttles</th>')
        elif i not in throttles:
            group.append("<th></th>")
    head = ['<th class="name">function</th>'] + [f"<th>{_e(h)}</th>" for _, h in columns]
    body = []
    for f in summary["functions"]:
        body.append(_row([f["function"]] + [f[key] for key, _ in columns], names=1))
    body.append(_row(["total"] + [summary["total"].get(key) for key, _ in columns], names=1, css="total"))
    return _table("functions-table", [group, head], body)


def _mapping_table(summary: Mapping[str, Any]) -> str:
    head = ['<th class="name">source</th>', '<th class="name">function</th>'] + [
        f"<th>{_e(h)}</th>" for _, h in MAPPING_COUNTS]
    body = [_row([m["source"], m["function"]]
                 + [_significant(m.get(key)) if key == "max_iterator_age" else m.get(key)
                    for key, _ in MAPPING_COUNTS], names=2)
            for m in summary["mappings"]]
    return _table("mappings-table", [head], body)


def _account_table(summary: Mapping[str, Any]) -> str:
    account = summary["account"]
    labels = (("ConcurrentExecutions", "account concurrency limit (ConcurrentExecutions)"),
              ("UnreservedConcurrentExecutions", "unreserved pool (UnreservedConcurrentExecutions)"),
              ("max_concurrency", "max concurrency"),
              ("max_unreserved_concurrency", "max unreserved concurrency"))
    body = [_row([label, account[key]], names=1) for key, label in labels if key in account]
    return _table("account-table", [['<th class="name">figure</th>', "<th>value</th>"]], body)


def _bill_table(bill: Any, function_names: Sequence[str]) -> str:
    head = ['<th class="name">function</th>'] + [f"<th>{item}</th>" for item in BILL_ITEMS]
    body = []
    function = getattr(bill, "function", None)
    if callable(function):
        for name in function_names:
            line = function(name)
            body.append(_row([name] + [_usd(_field(line, item)) for item in BILL_ITEMS], names=1))
    total = getattr(bill, "total", None)
    if isinstance(total, (int, float)):  # a number (numpy's floats are floats), or a line of items
        cells: list[Any] = [None] * (len(BILL_ITEMS) - 1) + [_usd(total)]
    else:
        cells = [_usd(_field(total, item)) for item in BILL_ITEMS]
    body.append(_row(["total"] + cells, names=1, css="total"))
    return _table("bill-table", [head], body)


def _field(line: Any, item: str) -> Any:
    """Item `item` of a bill line: a mapping's key or an object's attribute (``None`` if absent)."""
    if line is None:
        return None
    if isinstance(line, Mapping):
        return line.get(item)
    return getattr(line, item, None)


def _usd(value: Any) -> str | None:
    return None if value is None else f"{float(value):,.6f}"


def _table(table_id: str, heads: Sequence[Sequence[str]], body: Sequence[str]) -> str:
    head = "".join(f"<tr>{''.join(cells)}</tr>" for cells in heads)
    return f'<table id="{table_id}">\n<thead>{head}</thead>\n<tbody>\n' + "\n".join(body) + "\n</tbody>\n</table>"


def _row(values: Sequence[Any], *, names: int, css: str | None = None) -> str:
    """A body row: the first `names` cells left-aligned text, the others figures."""
    cells = [f'<td class="name">{_e(v)}</td>' if j < names else f"<td>{_cell(v)}</td>"
             for j, v in enumerate(values)]
    attrs = f' class="{css}"' if css else ""
    return f"<tr{attrs}>{''.join(cells)}</tr>"


def _cell(value: Any) -> str:
    """A figure as the text table writes it: integers with thousands separators, ``None`` empty."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return _e(value)


def _count(value: int) -> str:
    return f"{int(value):,}"


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _svg_base64(figure: Figure) -> str:
    """`figure` as an SVG document, base64: glyphs drawn as paths (no font needed to view it),
    fixed ids and no date (the same run gives the same page)."""
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "lambda_core"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")
