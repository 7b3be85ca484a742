"""``lambda-core check SCENARIO.toml``: a scenario run against its ``[[expect]]`` tables, for CI
(docs/scenarios.md, "Expectations"). Exit 0 when every expectation holds, 1 when one fails (or
the scenario cannot run), with a report of each; ``--junit FILE.xml`` writes one JUnit test case
per expectation. Its parser is added to ``lambda-core``'s by :func:`add_parser`."""

from __future__ import annotations

import argparse
import dataclasses
import xml.etree.ElementTree as ET
from typing import Any

from ._cli import _check_output_file, _load, _output, simulate
from ._figures import DEFAULT_PERIOD_S, mapped_sources
from .errors import ScenarioError
from .scenarios._expect import Verdict, verdicts

__all__ = ["add_parser", "check", "junit"]


def add_parser(commands: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = commands.add_parser(
        "check",
        help="run a scenario and check its [[expect]] tables (exit 1 when one fails)",
        description="Run a scenario and check each of its [[expect]] tables: a bound (max, min) on "
        "a function's or the account's whole-run figure, rate (throttle_rate, cold_start_rate, "
        "error_rate) or per-period metric. Prints one line per expectation and exits 1 when any "
        "fails, so that CI can gate a configuration change.",
    )
    p.add_argument("scenario", metavar="SCENARIO.toml", help="scenario file with [[expect]] tables")
    p.add_argument("--seed", type=int, default=None, metavar="N", help="the run's seed (default: the scenario's)")
    p.add_argument("--junit", metavar="FILE.xml", help="also write the verdicts as a JUnit XML report")
    p.set_defaults(command="check", handler=_check)
    return p


def check(path: str, seed: int | None = None) -> tuple[str, list[Verdict]]:
    """Runs the scenario at `path` and judges its expectations: (its name, the verdicts)."""
    scenario = _load(path)
    if not scenario.expectations:
        raise ScenarioError(f"{path}: no [[expect]] tables to check")
    if any(e.series for e in scenario.expectations) and scenario.metrics_period_s is None:
        scenario = dataclasses.replace(scenario, metrics_period_s=DEFAULT_PERIOD_S)
    seed = scenario.seed if seed is None else seed
    sim = scenario.simulator(seed)
    result = simulate(sim, scenario.generate(seed), scenario.until, records=scenario.generate_records(seed))
    return scenario.name, verdicts(scenario.expectations, result, mapped_sources(scenario))


def junit(name: str, results: list[Verdict]) -> str:
    """The verdicts as a JUnit XML document: one ``testcase`` per expectation."""
    failures = sum(not v.passed for v in results)
    suite = ET.Element("testsuite", name=f"lambda-core check {name}", tests=str(len(results)),
                       failures=str(failures), errors="0")
    for i, v in enumerate(results):
        case = ET.SubElement(suite, "testcase", classname=f"lambda_core.check.{name}",
                             name=f"{i + 1}: {v.expectation.describe()}")
        if not v.passed:
            ET.SubElement(case, "failure", message=v.describe()).text = v.describe()
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)


def _check(args: argparse.Namespace) -> int:
    if args.junit:
        _check_output_file(args.junit)
    name, results = check(args.scenario, args.seed)
    failed = [v for v in results if not v.passed]
    lines = [v.describe() for v in results]
    lines.append(f"{len(results) - len(failed)} of {len(results)} expectations hold"
                 + (f"; {len(failed)} failed" if failed else ""))
    _output("\n".join(lines))
    if args.junit:
        with open(args.junit, "w", encoding="utf-8") as fh:
            fh.write(junit(name, results) + "\n")
    return 1 if failed else 0
