"""``lambda-core limits [SCENARIO.toml] [--format text|json|markdown] [--section NAME]``: Lambda's
quotas and limits as lambda_core applies them, each with its source (docs/limits.md; the rows
are :func:`lambda_core._model.quotas.quotas`). Its parser is added to ``lambda-core``'s by
:func:`add_parser`."""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Sequence
from typing import Any

from ._cli import _load, _output
from ._model.quotas import SECTIONS, Quota, Value, quotas

__all__ = ["add_parser", "render", "format_value", "FORMATS"]

FORMATS = ("text", "json", "markdown")
_COLUMNS = ("quota", "value", "unit", "adjustable", "applied", "source")


def add_parser(commands: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = commands.add_parser(
        "limits",
        help="print Lambda's quotas and limits as lambda_core applies them, with their sources",
        description="Print Lambda's quotas and limits (account, function, invocation, deployment, VPC, "
        "event sources) as lambda_core applies them: each with its value, its unit, whether AWS "
        "raises it on request, what in lambda_core applies it (or \"not modelled\") and where the "
        "number comes from. With a scenario file, its account's values and its functions' "
        "reservations; a value that differs from AWS's default is followed by that default.",
    )
    p.add_argument("scenario", nargs="?", metavar="SCENARIO.toml",
                   help="scenario file whose account and functions to show (default: AWS's defaults)")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (a table per section, the default), json (a list of objects) or "
                   "markdown (one table, for docs)")
    p.add_argument("--section", type=str.lower, choices=tuple(SECTIONS), metavar="NAME",
                   help=f"print one section: {', '.join(SECTIONS)}")
    p.set_defaults(command="limits", handler=_limits)
    return p


def render(rows: Sequence[Quota], fmt: str) -> str:
    """``rows`` as ``lambda-core limits --format fmt`` prints them."""
    if fmt == "json":
        return json.dumps([dataclasses.asdict(q) for q in rows], indent=2, ensure_ascii=False)
    cells = [(SECTIONS[q.section], _cells(q)) for q in rows]
    return _markdown(cells) if fmt == "markdown" else _text(cells)


def format_value(value: Value) -> str:
    """A value as the text and markdown tables show it: ``128–10240`` for a range."""
    if value is None:
        return "no limit"
    if isinstance(value, tuple):
        low, high = value
        # an en dash after a minus sign would read as a second minus
        return f"{_number(low)}{' to ' if low < 0 else '–'}{_number(high)}"
    return value if isinstance(value, str) else _number(value)


def _number(x: int | float) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return f"{x:.6g}" if isinstance(x, float) else str(x)


def _cells(q: Quota) -> tuple[str, ...]:
    value = format_value(q.value)
    if q.differs:
        value += f" (default {format_value(q.default)})"
    return q.name, value, q.unit, "yes" if q.adjustable else "no", q.applied, q.source


def _text(cells: list[tuple[str, tuple[str, ...]]]) -> str:
    widths = [max(len(c[i]) for c in [_COLUMNS, *(row for _, row in cells)]) for i in range(len(_COLUMNS))]

    def line(row: Sequence[str]) -> str:
        return "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()

    out: list[str] = []
    previous = None
    for heading, row in cells:
        if heading != previous:
            out += [""] if out else []
            out += [heading, line(_COLUMNS)]
            previous = heading
        out.append(line(row))
    return "\n".join(out)


def _markdown(cells: list[tuple[str, tuple[str, ...]]]) -> str:
    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in row) + " |"

    head = ("section", *_COLUMNS)
    return "\n".join([line(head), "|" + "---|" * len(head),
                      *(line((heading, *row)) for heading, row in cells)])


def _limits(args: argparse.Namespace) -> int:
    if args.scenario is None:
        rows = quotas()
    else:
        scenario = _load(args.scenario)
        rows = quotas(scenario.account, scenario.functions)
    if args.section is not None:
        rows = [q for q in rows if q.section == args.section]
    _output(render(rows, args.format))
    return 0
