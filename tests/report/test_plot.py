"""Result.plot (docs/report.md): which panels, what each draws, the limits' lines, the bill's
interface, and the errors when there is nothing to draw or no matplotlib."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import lambda_core as lc
from lambda_core import _plot
from lambda_core._plot import Limits
from lambda_core.errors import UsageError

from . import synthetic as sy

matplotlib = pytest.importorskip("matplotlib", reason="the plot extra (matplotlib) is not installed")
matplotlib.use("Agg")

FUNCTIONS = ["orders", "thumbnails"]
LIMITS = Limits(concurrency_limit=100, unreserved=80, reserved={"orders": 20}, provisioned={"orders": 5})


def busy_run(horizon: float = 290.0) -> lc.Result:
    """Five periods: `orders` throttles for its reservation, `thumbnails` receives events, one
    stream mapping reads for `orders`, one queue for `thumbnails`."""
    m = sy.metrics(
        5, FUNCTIONS, horizon=horizon, streams=[("clicks", "orders")], queues=[("jobs", "thumbnails")],
        function={
            "orders": {("ConcurrentExecutions", "Maximum"): [1, 5, 20, 20, 3],
                       ("ThrottlesReserved", "Sum"): [0, 0, 4, 2, 0],
                       ("EnvironmentsAlive", "Average"): [1, 3, 12.5, 20, 4],
                       ("EnvironmentsAlive", "Maximum"): [2, 5, 20, 20, 20]},
            "thumbnails": {("ConcurrentExecutions", "Maximum"): [2, 2, 3, 1, 0],
                           ("ThrottlesUnreserved", "Sum"): [0, 1, 0, 0, 0],
                           ("ThrottlesScaling", "Sum"): [0, 0, 7, 0, 0],
                           ("AsyncEventsReceived", "Sum"): [4, 1, 1, 0, 0],
                           ("AsyncEventAge", "Maximum"): [10, 2000, 30000, 0, 0],
                           ("AsyncEventAge", "Average"): [5, 1000, 10000, 0, 0]},
        },
        account={("ConcurrentExecutions", "Maximum"): [3, 7, 23, 21, 3],
                 ("EnvironmentsAlive", "Average"): [2, 4, 15, 21, 4]},
        mapping={"clicks": {("IteratorAge", "Maximum"): [0, 100, 5000, 250, 0]}},
    )
    return sy.result(m, FUNCTIONS)


def quiet_run() -> lc.Result:
    """No events, no mappings, no throttles."""
    m = sy.metrics(3, ["a"], function={"a": {("ConcurrentExecutions", "Maximum"): [1, 0, 1]}},
                   account={("ConcurrentExecutions", "Maximum"): [1, 0, 1]})
    return sy.result(m, ["a"])


def axes_by_title(figure):
    return {ax.get_title(loc="left").split(" (")[0].split(",")[0].split(" —")[0]: ax for ax in figure.axes}


def legend_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def stair_values(ax) -> list[list[float]]:
    from matplotlib.patches import StepPatch

    return [list(p.get_data().values) for p in ax.patches if isinstance(p, StepPatch)]


def hlines(ax) -> list[float]:
    return [line.get_ydata()[0] for line in ax.get_lines()]


def test_every_panel_of_a_busy_run_and_only_the_relevant_ones_of_a_quiet_one() -> None:
    assert _plot.panels_of(busy_run().metrics) == ("concurrency", "throttles", "async_event_age",
                                                   "iterator_age", "environments")
    assert _plot.panels_of(quiet_run().metrics) == ("concurrency", "throttles", "environments")
    figure = busy_run().plot(LIMITS)
    assert [ax.get_title(loc="left") for ax in figure.axes] == [
        "ConcurrentExecutions (Maximum per period)", "Throttles by reason (account, Sum per period)",
        "AsyncEventAge", "IteratorAge (Maximum per period)", "EnvironmentsAlive (idle, initialising or busy)"]


def test_concurrency_draws_the_series_and_the_limits_lines() -> None:
    result = busy_run()
    ax = axes_by_title(result.plot(LIMITS))["ConcurrentExecutions"]
    assert stair_values(ax) == [[3, 7, 23, 21, 3], [1, 5, 20, 20, 3], [2, 2, 3, 1, 0]]
    assert hlines(ax) == [100, 80, 20, 5]
    assert legend_texts(ax) == ["account", "orders", "thumbnails", "account limit (100)",
                                "unreserved pool (80)", "orders: reserved 20", "orders: provisioned 5"]
    # without limits the series alone
    ax = axes_by_title(result.plot())["ConcurrentExecutions"]
    assert hlines(ax) == [] and len(stair_values(ax)) == 3


def test_limits_of_a_simulator() -> None:
    sim = lc.Simulator(lc.Account(concurrency_limit=500),
                       [lc.Function("a", reserved_concurrency=50, provisioned_concurrency=10),
                        lc.Function("b", provisioned_concurrency=7), lc.Function("c")])
    assert Limits.of(sim) == Limits(500, 443, {"a": 50}, {"a": 10, "b": 7})


def test_throttles_are_stacked_by_reason_per_period() -> None:
    ax = axes_by_title(busy_run().plot())["Throttles by reason"]
    assert legend_texts(ax) == [label for _, label in _plot.THROTTLE_REASONS]
    bars = ax.containers
    assert [[r.get_height() for r in bar] for bar in bars] == [[0, 0, 4, 2, 0], [0, 1, 0, 0, 0], [0, 0, 7, 0, 0]]
    # stacked: each reason starts where the one below ends
    assert [r.get_y() for r in bars[2]] == [0, 1, 4, 2, 0]
    # one bar per period, from its start for its length (the last one partial: horizon 290)
    assert [r.get_x() for r in bars[0]] == [0, 60, 120, 180, 240]
    assert [r.get_width() for r in bars[0]] == [60, 60, 60, 60, 50]


def test_ages_in_seconds_for_the_functions_with_events_and_the_stream_mappings() -> None:
    axes = axes_by_title(busy_run().plot())
    age = axes["AsyncEventAge"]
    assert legend_texts(age) == ["thumbnails (Maximum)", "thumbnails (Average)"]
    assert stair_values(age) == [[0.01, 2.0, 30.0, 0, 0], [0.005, 1.0, 10.0, 0, 0]]
    iterator = axes["IteratorAge"]
    assert legend_texts(iterator) == ["clicks → orders"]  # the queue `jobs` has no IteratorAge
    assert stair_values(iterator) == [[0, 0.1, 5.0, 0.25, 0]]


def test_environments_alive_average_and_maximum() -> None:
    ax = axes_by_title(busy_run().plot())["EnvironmentsAlive"]
    assert legend_texts(ax)[:3] == ["account (Average)", "orders (Average)", "orders (Maximum)"]
    assert stair_values(ax)[:3] == [[2, 4, 15, 21, 4], [1, 3, 12.5, 20, 4], [2, 5, 20, 20, 20]]


def test_names_are_shown_as_written() -> None:
    # `_x` would be dropped by matplotlib's automatic legend, `a$b$` read as mathtext
    names = ["_x", "a$b$"]
    m = sy.metrics(2, names, function={n: {("ConcurrentExecutions", "Maximum"): [1, 2]} for n in names})
    figure = sy.result(m, names).plot(Limits(10, 10, {"_x": 1}))
    figure.canvas.draw()  # mathtext parses at draw time
    texts = legend_texts(axes_by_title(figure)["ConcurrentExecutions"])
    assert texts[1:3] == ["_x", r"a\$b\$"] and "_x: reserved 1" in texts
    from matplotlib import cbook

    assert not cbook.is_math_text(texts[2])  # drawn as the characters a$b$


@pytest.mark.parametrize(("horizon", "unit", "last_edge"), [
    (290.0, "seconds", 290.0), (3 * 3600.0, "minutes", 180.0), (3 * 86400.0, "hours", 72.0)])
def test_the_time_axis_unit_follows_the_run_length(horizon: float, unit: str, last_edge: float) -> None:
    n = int(np.ceil(horizon / 60))
    m = sy.metrics(n, ["a"], horizon=horizon)
    ax = sy.result(m, ["a"]).plot().axes[-1]
    assert ax.get_xlabel().startswith(f"time since the start of the run ({unit}")
    assert ax.get_xlim() == (0.0, last_edge)


class Bill:
    """A bill as result.cost() hands it over (docs/report.md's interface)."""

    def __init__(self, series):
        self.series = series
        self.total = float(sum(np.sum(v) for v in series.values()))

    def function(self, name):
        return {"total": 0.0}


def test_the_cost_panel_stacks_the_bills_series_when_there_is_one() -> None:
    result = busy_run()
    bill = Bill({"duration": np.array([1.0, 2, 3, 4, 5]), "requests": np.array([0.5, 0, 0, 0, 0.5])})
    figure = result.plot(bill=bill)
    ax = figure.axes[-1]
    assert ax.get_title(loc="left") == "Cost per period (USD), total $16.0000"
    # in COST_ITEMS order: requests below duration
    assert legend_texts(ax) == ["requests", "duration"]
    assert [[r.get_height() for r in bar] for bar in ax.containers] == [[0.5, 0, 0, 0, 0.5], [1, 2, 3, 4, 5]]
    # a bill without series draws no cost panel; no bill at all neither
    assert "cost" not in _plot.panels_of(result.metrics, object())
    assert "cost" not in _plot.panels_of(result.metrics, None)
    with pytest.raises(ValueError, match="has shape"):
        result.plot(bill=Bill({"duration": np.zeros(4)}))


def test_the_bill_is_the_results_cost_when_it_has_one() -> None:
    sim = lc.Simulator(lc.Account(), [lc.Function("f", memory_mb=1024)], metrics_period_s=60)
    result = sim.run(lc.Workload(np.arange(0, 300, 0.5), np.zeros(600, np.int64), np.full(600, 0.2)))
    bill = _plot.bill_of(result)
    assert bill is not None and bill.total == result.cost().total > 0
    assert _plot.panels_of(result.metrics, bill)[-1] == "cost"
    assert result.plot().axes[-1].get_title(loc="left").startswith("Cost per period")
    assert result.plot(bill=None).axes[-1].get_title(loc="left").startswith("EnvironmentsAlive")
    assert _plot.bill_of(busy_run()) is None  # a Result built by hand carries nothing to price


def test_chosen_panels_and_unknown_ones() -> None:
    figure = busy_run().plot(panels=["iterator_age", "concurrency"])
    assert [ax.get_title(loc="left").split(" ")[0] for ax in figure.axes] == ["IteratorAge", "ConcurrentExecutions"]
    with pytest.raises(UsageError, match="unknown panel 'latency'"):
        busy_run().plot(panels=["latency"])


def test_a_run_without_series_says_how_to_get_them() -> None:
    with pytest.raises(UsageError, match="metrics_period_s=60"):
        sy.result(None, ["a"]).plot()
    sim = lc.Simulator(lc.Account(), [lc.Function("a")], seed=0)
    result = sim.run(lc.Workload(time=np.array([0.0]), function=np.array([0]), duration=np.array([0.1])))
    assert result.metrics is None
    with pytest.raises(UsageError, match="no per-period series"):
        result.plot()


def test_without_matplotlib_the_error_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import fails as if not installed
    with pytest.raises(ImportError, match=r"pip install 'lambda-core\[plot\]'"):
        busy_run().plot()


def test_many_functions_draw_the_highest_peaks_only() -> None:
    names = [f"f{i:02d}" for i in range(15)]
    # f00 .. f14 peak at 0, 1, ..., 14 except f03, the highest of all
    peaks = {n: (99 if n == "f03" else i) for i, n in enumerate(names)}
    m = sy.metrics(2, names, function={n: {("ConcurrentExecutions", "Maximum"): [0, p]} for n, p in peaks.items()})
    ax = axes_by_title(sy.result(m, names).plot())["ConcurrentExecutions"]
    assert ax.get_title(loc="left").endswith("— 10 of 15 functions, the highest peaks")
    drawn = legend_texts(ax)[1:]
    # f03 (99) and f06 .. f14, in function order
    assert drawn == ["f03", "f06", "f07", "f08", "f09", "f10", "f11", "f12", "f13", "f14"]
    from matplotlib.patches import StepPatch

    colors = [p.get_edgecolor() for p in ax.patches if isinstance(p, StepPatch)][1:]
    assert len(set(colors)) == 10


def test_periods_without_an_age_do_not_count_in_the_peak() -> None:
    # an age is NaN in a period without an attempt (as the engine writes it)
    names = [f"f{i:02d}" for i in range(12)]
    ages = {n: [np.nan, float(i)] for i, n in enumerate(names)}
    ages["f11"] = [np.nan, np.nan]  # received events, none ran yet: ranks last
    m = sy.metrics(2, names, function={n: {("AsyncEventsReceived", "Sum"): [1, 0],
                                           ("AsyncEventAge", "Maximum"): a,
                                           ("AsyncEventAge", "Average"): a} for n, a in ages.items()})
    ax = axes_by_title(sy.result(m, names).plot())["AsyncEventAge"]
    assert [t.split(" ")[0] for t in legend_texts(ax)[::2]] == [f"f{i:02d}" for i in range(1, 11)]
