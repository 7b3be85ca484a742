"""The HTML report's text (docs/report.md): self-contained, escaped, the summary's tables, the
same page for the same run. The browser's view of it is tests/report/test_browser.py."""

from __future__ import annotations

import base64
import html.parser
from xml.etree import ElementTree
from pathlib import Path

import numpy as np
import pytest

import lambda_core as lc
from lambda_core._html_report import render_report, write_report
from lambda_core._plot import Limits
from lambda_core._report import summarize
from lambda_core.errors import UsageError

from . import synthetic as sy
from .test_plot import LIMITS, Bill, busy_run

pytest.importorskip("matplotlib", reason="the plot extra (matplotlib) is not installed")


class Page(html.parser.HTMLParser):
    """Every start tag with its attributes, and the text of each table's cells by row."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "table":
            self._table = a["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def test_nothing_is_fetched_when_the_page_is_viewed() -> None:
    page = parse(render_report(busy_run(), config=LIMITS))
    tags = [t for t, _ in page.tags]
    assert "script" not in tags and "iframe" not in tags and "object" not in tags
    # every reference is to the page itself
    references = [a[k] for _, a in page.tags for k in ("src", "href") if k in a]
    assert references and all(r.startswith("data:") for r in references)
    policy = [a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert policy == ["default-src 'none'; img-src data:; style-src 'unsafe-inline'"]
    # the figures are SVG documents whose glyphs are paths: no font or link inside either
    images = [a["src"] for t, a in page.tags if t == "img"]
    assert len(images) == 5
    for src in images:
        svg = base64.b64decode(src.split(",", 1)[1]).decode()
        assert svg.startswith("<?xml") and "<svg" in svg and "<text" not in svg
        links = [v for e in ElementTree.fromstring(svg).iter() for k, v in e.attrib.items() if k.endswith("href")]
        assert links and all(v.startswith("#") for v in links)  # glyphs and clips: within the SVG


def test_user_text_is_escaped() -> None:
    names = ["<script>alert(1)</script>", "a&b"]
    m = sy.metrics(2, names, queues=[('q"><img src=x>', names[0])])
    summary = summarize(sy.result(m, names), scenario="<b>bold</b>", seed=1, until=None, rows=0,
                        wall_time_s=0.0, account_settings={"ConcurrentExecutions": 10,
                                                           "UnreservedConcurrentExecutions": 10})
    text = render_report(sy.result(m, names), summary=summary, bill=None)
    page = parse(text)
    assert [t for t, _ in page.tags].count("script") == 0
    assert [t for t, _ in page.tags if t == "b"] == []
    assert [row[0] for row in page.tables["functions-table"][2:]] == [*names, "total"]
    assert "<b>bold</b>" in "".join(page.text)  # shown as written
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_the_tables_are_the_summarys() -> None:
    result = busy_run()
    summary = summarize(result, scenario="busy", seed=3, until=290.0, rows=0, wall_time_s=0.5,
                        account_settings={"ConcurrentExecutions": 100, "UnreservedConcurrentExecutions": 80})
    for f, (name, invocations) in zip(summary["functions"], [("orders", 1234567), ("thumbnails", 8)]):
        f["invocations"] = invocations
        f["throttles_reserved"] = len(name)
    summary["total"]["invocations"] = 1234575
    summary["total"]["async_events_received"] = 6
    summary["total"]["async_events_dropped"] = 2
    page = parse(render_report(result, summary=summary, config=LIMITS))
    functions = page.tables["functions-table"]
    assert functions[0] == ["", "", "throttles", "", "", "", ""]
    assert functions[1] == ["function", "invocations", "reserved", "unreserved", "scaling", "errors",
                            "cold starts", "max concurrency", "async dropped"]
    assert functions[2][:3] == ["orders", "1,234,567", "6"] and functions[3][:3] == ["thumbnails", "8", "10"]
    assert functions[4][:2] == ["total", "1,234,575"] and functions[4][7] == ""  # a maximum does not add up
    assert page.tables["account-table"][1:] == [
        ["account concurrency limit (ConcurrentExecutions)", "100"],
        ["unreserved pool (UnreservedConcurrentExecutions)", "80"],
        ["max concurrency", "0"], ["max unreserved concurrency", "0"]]
    assert "mappings-table" not in page.tables  # the summary has no mappings


def test_the_bill_table_reads_the_bill() -> None:
    bill = Bill({"duration": np.array([1.0, 2, 3, 4, 5])})
    page = parse(render_report(busy_run(), config=LIMITS, bill=bill))
    table = page.tables["bill-table"]
    assert table[0] == ["function", "requests", "duration", "init", "provisioned", "ephemeral", "total"]
    assert table[1] == ["orders", "", "", "", "", "", "0.000000"]
    assert table[-1] == ["total", "", "", "", "", "", "15.000000"]
    assert any(a.get("id") == "figure-cost" for _, a in page.tags)
    # no bill: no table, no figure
    page = parse(render_report(busy_run(), config=LIMITS, bill=None))
    assert "bill-table" not in page.tables and not any(a.get("id") == "figure-cost" for _, a in page.tags)


def test_the_same_run_gives_the_same_page(tmp_path: Path) -> None:
    first = write_report(busy_run(), tmp_path / "a.html", config=LIMITS, title="same")
    second = write_report(busy_run(), tmp_path / "b.html", config=LIMITS, title="same")
    assert first.read_bytes() == second.read_bytes()
    assert first.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_absent_figures_are_named() -> None:
    m = sy.metrics(2, ["a"])
    page = parse(render_report(sy.result(m, ["a"]), config=Limits(10, 10)))
    ids = [a["id"] for _, a in page.tags if "id" in a]
    assert [i for i in ids if i.startswith("figure-")] == ["figure-concurrency", "figure-throttles",
                                                          "figure-environments"]
    assert "no-async_event_age" in ids and "no-iterator_age" in ids


def test_a_run_without_series_has_no_report(tmp_path: Path) -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("a")])
    result = sim.run(lc.Workload(time=np.array([0.0]), function=np.array([0]), duration=np.array([0.1])))
    with pytest.raises(UsageError, match="metrics_period_s"):
        write_report(result, tmp_path / "r.html", config=sim)
    assert not (tmp_path / "r.html").exists()
