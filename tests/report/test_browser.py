"""The HTML report in a real headless browser (Debian's chromium, docs/report.md): it loads from
a file:// URL with no console error, shows its tables with the run's figures and every figure
drawn; a screenshot of the whole page is kept in .ci/artifacts/ (CI keeps that folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lambda_core as lc
from lambda_core._html_report import write_report

from . import browser
from .test_plot import LIMITS, busy_run

pytest.importorskip("matplotlib", reason="the plot extra (matplotlib) is not installed")

ARTIFACTS = Path(__file__).resolve().parents[2] / ".ci" / "artifacts"

TABLE_JS = """
return Object.fromEntries([...document.querySelectorAll('table')].map(t => [t.id,
  [...t.tBodies[0].rows].map(r => [...r.cells].map(c => c.innerText.trim()))]));
"""
FIGURES_JS = """
return [...document.querySelectorAll('figure.panel')].map(f => {
  const img = f.querySelector('img'), box = img.getBoundingClientRect();
  return {id: f.id, complete: img.complete, natural: [img.naturalWidth, img.naturalHeight],
          box: [box.width, box.height]};
});
"""


@pytest.fixture(scope="module")
def driver() -> Any:
    browser.require()
    with browser.chromium() as d:
        yield d


def view(driver: Any, path: Path, screenshot: str | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Loads `path`; its tables (id → body rows of cell texts) and its figures. Fails on any
    console error; saves a screenshot of the whole page to .ci/artifacts/`screenshot`."""
    browser.errors(driver)  # forget an earlier page's messages
    driver.get(path.resolve().as_uri())
    assert driver.execute_script("return document.readyState") == "complete"
    browser.settle(driver)
    errors = browser.errors(driver)
    assert errors == [], errors
    figures = driver.execute_script(FIGURES_JS)
    for figure in figures:
        assert figure["complete"], figure
        assert min(figure["natural"]) > 0 and min(figure["box"]) > 0, figure
    if screenshot is not None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        png = browser.full_page_png(driver)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        (ARTIFACTS / screenshot).write_bytes(png)
    return driver.execute_script(TABLE_JS), figures


def test_the_checks_can_fail(driver: Any, tmp_path: Path) -> None:
    """A page that reaches for the network, runs a broken script or holds a broken figure is
    caught: what the report's test asserts is observable."""
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
                    'img-src data:">'
                    '<figure class="panel" id="f"><img src="data:image/png;base64,AAAA"></figure>'
                    '<img src="https://example.invalid/x.png">')
    browser.errors(driver)
    driver.get(page.as_uri())
    browser.settle(driver)
    found = browser.errors_until(driver, lambda es: any("Content Security Policy" in e["message"] for e in es))
    assert any("Content Security Policy" in e["message"] for e in found), found
    (figure,) = driver.execute_script(FIGURES_JS)
    assert figure["natural"] == [0, 0]  # a figure that did not decode has no size
    page.write_text("<!DOCTYPE html><script>undefined_function()</script>")
    driver.get(page.as_uri())
    found = browser.errors_until(driver, lambda es: any("undefined_function" in e["message"] for e in es))
    assert any("undefined_function" in e["message"] for e in found), found


def test_a_hand_built_run(driver: Any, tmp_path: Path) -> None:
    path = write_report(busy_run(), tmp_path / "busy.html", config=LIMITS, title="busy <run>")
    tables, figures = view(driver, path, "report-synthetic.png")
    assert [f["id"] for f in figures] == ["figure-concurrency", "figure-throttles", "figure-async_event_age",
                                          "figure-iterator_age", "figure-environments"]
    assert [row[0] for row in tables["functions-table"]] == ["orders", "thumbnails", "total"]
    assert tables["account-table"][0] == ["account concurrency limit (ConcurrentExecutions)", "100"]
    assert driver.title == "busy <run>"


def throttling_run() -> tuple[lc.Simulator, lc.Result]:
    """Two functions over 10 minutes: `orders` reserved 20 and offered about 30 at once
    (reservation throttles); `reports`, unreserved, gets a burst above the unreserved pool of
    180 (pool and scaling throttles), part of it as asynchronous events, and reads a stream."""
    clicks = lc.KinesisStream("clicks", shards=4)
    sim = lc.Simulator(lc.Account(concurrency_limit=200),
                       [lc.Function("orders", reserved_concurrency=20), lc.Function("reports")],
                       mappings=[lc.EventSourceMapping(clicks, "reports", batch_size=50, duration=0.2)],
                       seed=7, metrics_period_s=60)
    rng = np.random.default_rng(7)
    orders = np.sort(rng.uniform(0, 600, 60_000))            # 100/s of 0.3 s: about 30 at once
    burst = np.sort(rng.uniform(200, 260, 30_000))           # 500/s of 0.5 s: about 250 at once
    time = np.concatenate([orders, burst])
    function = np.concatenate([np.zeros(len(orders), np.int64), np.ones(len(burst), np.int64)])
    duration = np.concatenate([np.full(len(orders), 0.3), np.full(len(burst), 0.5)])
    kind = np.where((function == 1) & (rng.random(len(time)) < 0.3), lc.InvocationType.EVENT,
                    lc.InvocationType.REQUEST_RESPONSE)
    order = np.argsort(time, kind="stable")
    workload = lc.Workload(time=time[order], function=function[order], duration=duration[order],
                           invocation_type=kind[order])
    records = lc.Records("clicks", time=np.sort(rng.uniform(0, 600, 20_000)), key=rng.integers(0, 2**62, 20_000))
    return sim, sim.run(workload, records=[records])


def test_a_real_run_with_throttles(driver: Any, tmp_path: Path) -> None:
    sim, result = throttling_run()
    f = result.functions
    # the run is what the test says it is: both functions throttled, each for its own reason
    assert f["throttles_reserved"][0] > 0 and f["throttles_unreserved"][1] > 0
    path = write_report(result, tmp_path / "run.html", config=sim, title="two functions")
    tables, figures = view(driver, path, "report.png")
    assert [fig["id"] for fig in figures] == ["figure-concurrency", "figure-throttles", "figure-async_event_age",
                                              "figure-iterator_age", "figure-environments", "figure-cost"]
    rows = tables["functions-table"]
    assert [row[0] for row in rows] == ["orders", "reports", "total"]
    for i, row in enumerate(rows[:2]):
        # the whole-run counters, as the text table writes them
        assert row[1:8] == [f"{int(f[k][i]):,}" for k in ("invocations", "throttles_reserved", "throttles_unreserved",
                                                          "throttles_scaling", "errors", "cold_starts",
                                                          "max_concurrency")]
    assert rows[2][1] == f"{int(f['invocations'].sum()):,}"
    (mapping,) = tables["mappings-table"]
    assert mapping[:4] == ["clicks", "reports", "20,000", f"{result.mappings['clicks']['invocations']:,}"]
    assert tables["account-table"][:2] == [["account concurrency limit (ConcurrentExecutions)", "200"],
                                           ["unreserved pool (UnreservedConcurrentExecutions)", "180"]]
    # the series the figures drew add up to the table's counters
    m = result.metrics
    assert m.function("orders")["ThrottlesReserved"].sum() == f["throttles_reserved"][0]
    assert m.function("orders")["ConcurrentExecutions"].max() == f["max_concurrency"][0] <= 20
    # the bill's table is the run's bill at list prices, a row per function and the total
    bill = result.cost()
    assert [row[0] for row in tables["bill-table"]] == ["orders", "reports", "total"]
    assert bill.total > 0 and tables["bill-table"][-1][-1] == f"{bill.total:,.6f}"
    assert tables["bill-table"][0][-1] == f"{bill.function('orders')['total']:,.6f}"
