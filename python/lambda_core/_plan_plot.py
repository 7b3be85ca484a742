"""The picture of a plan (:meth:`lambda_core.Plan.plot`): for each knob searched, the target
figures it governs against its value, with the seeds' band, the target and the value chosen,
and the mean bill on a second axis. Drawn from :attr:`Plan.table` alone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._plot import require_matplotlib

if TYPE_CHECKING:
    from ._plan import Plan

__all__ = ["plot_plan"]


def plot_plan(plan: Plan) -> Any:
    """A matplotlib figure of `plan`'s search: one panel per knob searched."""
    from ._plan import GOVERNS, KNOBS

    figure_class = require_matplotlib()
    table = plan.table
    knobs = [(f, k) for f, ks in plan.settings.items() for k in ks
             if any(t.function == f and t.figure in GOVERNS[k] for t in plan.targets)]
    fig = figure_class(figsize=(9, 3.4 * max(1, len(knobs))), layout="constrained")
    axes = fig.subplots(max(1, len(knobs)), 1, squeeze=False)
    for ax, (f, k) in zip(axes[:, 0], knobs):
        column = f"{f}.{k}"
        others = [c for c in table.columns if c.rsplit(".", 1)[-1] in KNOBS and c != column]
        chosen = {c: plan.settings[c.rsplit(".", 1)[0]][c.rsplit(".", 1)[1]] for c in others}
        rows = table
        for c, v in chosen.items():  # the slice through the plan: the other knobs as chosen
            rows = rows[rows[c] == v]
        rows = rows.sort_values(column)
        for t in (t for t in plan.targets if t.function == f and t.figure in GOVERNS[k]):
            name = f"{f}.{t.figure}"
            line = ax.plot(rows[column], rows[f"{name}.mean"], marker="o", label=f"{t.figure} (mean of seeds)")[0]
            ax.fill_between(rows[column], rows[f"{name}.min"], rows[f"{name}.max"], color=line.get_color(),
                            alpha=0.2, label="seeds' range")
            ax.axhline(t.high, color=line.get_color(), linestyle="--", label=f"target ≤ {t.high:g}")
        ax.axvline(plan.settings[f][k], color="black", linestyle=":", label=f"chosen: {plan.settings[f][k]}")
        ax.set_xlabel(f"{f} {k}")
        ax.set_title(f"{f}: {k}")
        ax.legend(loc="upper right", fontsize="small")
        cost = ax.twinx()
        cost.plot(rows[column], rows["cost"], color="grey", alpha=0.6, marker=".")
        cost.set_ylabel("bill (USD, mean)", color="grey")
    return fig

