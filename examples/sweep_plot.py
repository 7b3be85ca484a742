"""The README's picture of a sweep (docs/images/sweep.png): the throttle rate of `orders` and the
bill against its reservation, at 1, 1.5 and 2 times today's traffic, five seeds a point.

    python examples/sweep_plot.py [OUT.png]      # needs the sweep and plot extras
"""

from __future__ import annotations

import sys
from pathlib import Path

from matplotlib.figure import Figure

import lambda_core as lc

HERE = Path(__file__).resolve().parent


def sweep_figure(table) -> Figure:  # type: ignore[no-untyped-def]
    figure = Figure(figsize=(9, 4.2), layout="constrained")
    rate, cost = figure.subplots(1, 2)
    x = "functions.orders.reserved_concurrency"
    for traffic, rows in table.groupby("traffic"):
        line = rate.plot(rows[x], rows["orders.throttle_rate"], marker="o", label=f"{traffic:g}× traffic")[0]
        rate.fill_between(rows[x], rows["orders.throttle_rate.p5"], rows["orders.throttle_rate.p95"],
                          color=line.get_color(), alpha=0.2)
        cost.plot(rows[x], rows["cost"], marker="o", color=line.get_color(), label=f"{traffic:g}× traffic")
    rate.axhline(0.001, color="black", linestyle="--", label="target 0.1 %")
    rate.set_yscale("symlog", linthresh=1e-4)
    rate.set_ylim(0, 1)
    rate.set(xlabel="orders reserved_concurrency", ylabel="throttle rate (mean, 5–95 % of seeds)",
             title="orders: throttle rate")
    cost.set(xlabel="orders reserved_concurrency", ylabel="bill of the 15 minutes (USD, mean)",
             title="the account's bill")
    rate.legend(fontsize="small")
    cost.legend(fontsize="small")
    return figure


if __name__ == "__main__":
    sc = lc.Scenario.load(HERE / "shop.toml")
    grid = {"functions.orders.reserved_concurrency": range(50, 301, 25), "traffic": [1.0, 1.5, 2.0],
            "seed": range(5)}
    out = sys.argv[1] if len(sys.argv) > 1 else str(HERE.parent / "docs" / "images" / "sweep.png")
    sweep_figure(lc.sweep(sc, grid, executor=2)).savefig(out, dpi=90)
    print(out)
