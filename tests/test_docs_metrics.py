"""docs/metrics.md's table is the metric catalog's (its one home)."""

from __future__ import annotations

import re
from pathlib import Path

from lambda_core._model.metric_catalog import METRICS

DOC = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"


def test_the_table_lists_every_metric_with_its_unit_and_statistics() -> None:
    rows = {}
    for line in DOC.read_text().splitlines():
        m = re.match(r"\| `(\w+)` \| (\w+) \| ([^|]+) \|", line)
        if m:
            rows[m.group(1)] = (m.group(2), tuple(s.strip() for s in m.group(3).split(",")))
    assert rows == {m.name: (m.unit, m.statistics) for m in METRICS}
