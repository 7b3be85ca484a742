"""``lambda-core run --cost`` (the bill after the figures, or ``cost`` in ``--json``) and
``--report FILE.html`` (the HTML report): what they write for a real scenario, and the usage
and input errors."""

from __future__ import annotations

import html.parser
from pathlib import Path

import pytest

from lambda_core._cli import main
from lambda_core.scenarios import parse_scenario
from tests.scenarios.cases import SMALL, run_json, write


def bill_of_the_scenario() -> tuple[list[str], object]:
    """The bill of SMALL computed through the API, independently of the command line."""
    scenario = parse_scenario(SMALL)
    sim = scenario.simulator(scenario.seed)
    result = sim.run(scenario.generate(scenario.seed), until=scenario.until,
                     records=scenario.generate_records(scenario.seed))
    return list(sim.function_names), result.cost()


def test_cost_in_json_is_the_runs_bill(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names, bill = bill_of_the_scenario()
    cost = run_json(capsys, str(write(tmp_path, SMALL)), "--cost")["cost"]
    assert list(cost["functions"]) == names
    for name in names:
        assert cost["functions"][name] == pytest.approx(bill.function(name), rel=1e-12)  # type: ignore[attr-defined]
    assert cost["total"]["total"] == pytest.approx(bill.total, rel=1e-12)  # type: ignore[attr-defined]
    assert cost["total"]["total"] > 0


def test_cost_as_text_is_a_table_after_the_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names, bill = bill_of_the_scenario()
    assert main(["run", str(write(tmp_path, SMALL)), "--quiet", "--cost"]) == 0
    out = capsys.readouterr().out
    head, table = out.split("cost (USD, list prices)\n")
    assert "invocations" in head
    lines = table.strip().splitlines()
    assert lines[0].split() == ["function", "requests", "duration", "init", "provisioned", "ephemeral", "total"]
    assert [line.split()[0] for line in lines[1:]] == [*names, "total"]
    assert lines[-1].split()[-1] == f"{bill.total:,.2f}"  # type: ignore[attr-defined]


class _Tables(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        ids = [v for k, v in attrs if k == "id" and v]
        self.ids += ids


def test_report_writes_one_self_contained_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "report.html"
    assert main(["run", str(write(tmp_path, SMALL)), "--quiet", "--report", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    parser = _Tables()
    parser.feed(text)
    assert {"functions-table", "account-table", "figure-concurrency", "figure-throttles"} <= set(parser.ids)
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "") and "https://" not in text
    assert "invocations" in capsys.readouterr().out  # the figures are printed as without --report


def test_report_needs_an_html_name_and_an_existing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = str(write(tmp_path, SMALL))
    assert main(["run", scenario, "--report", str(tmp_path / "r.txt")]) == 2
    assert main(["run", scenario, "--quiet", "--report", str(tmp_path / "missing" / "r.html")]) == 1
    assert "no such directory" in capsys.readouterr().err
    assert not (tmp_path / "missing").exists()
