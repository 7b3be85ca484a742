"""examples/vpc.toml shows what docs/model.md §13–14 promise: the Pending window of a new
combination, a second function sharing its ENI, an existing combination Active at once, a
burst throttled at 10 × its reservation per second; and, with legacy networking, no Pending
window but 10 s more at every cold start."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import lambda_core as lc

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "vpc.toml"


def _run(sc: lc.Scenario) -> tuple[lc.Workload, lc.Result]:
    w = sc.generate()
    return w, sc.simulator().run(w, until=sc.until)


def test_the_pending_window_the_shared_eni_and_the_request_rate() -> None:
    sc = lc.Scenario.load(EXAMPLE)
    w, r = _run(sc)
    names = list(r.function_names)
    orders, refunds, reports, pixel = (names.index(n) for n in ("orders", "refunds", "reports", "pixel"))
    outcome = r.requests["outcome"]
    before_ready = w.time < 90.0
    for f in (orders, refunds):
        mine = w.function == f
        # every request before the shared ENI is ready (90 s) is refused, none after
        assert np.all(outcome[mine & before_ready] == lc.Outcome.FUNCTION_PENDING)
        assert not np.any(outcome[mine & ~before_ready] == lc.Outcome.FUNCTION_PENDING)
        assert r.functions["conflicts_pending"][f] == np.count_nonzero(mine & before_ready) > 0
    assert r.functions["conflicts_pending"][reports] == 0
    # the burst: at most 10 × 100 admitted in any second, the rest refused for the rate
    burst = w.function == pixel
    started = r.requests["first_start"][burst]
    started = np.sort(started[~np.isnan(started)])
    most_in_a_second = max(np.searchsorted(started, t + 1.0 - 1e-9, "right") - i for i, t in enumerate(started))
    assert most_in_a_second <= 1000
    assert r.functions["throttles_reserved_rate"][pixel] > 10 * r.functions["throttles_reserved"][pixel] > 0
    rate = r.requests["throttle_reason"][burst & (outcome == lc.Outcome.THROTTLED)]
    assert lc.ThrottleReason.RESERVED_FUNCTION_INVOCATION_RATE_LIMIT_EXCEEDED in set(rate.tolist())


def test_legacy_networking_has_no_pending_window_and_slower_cold_starts() -> None:
    sc = lc.Scenario.load(EXAMPLE).with_values({"account.vpc_networking": "legacy"})
    w, r = _run(sc)
    f = r.functions
    assert not f["conflicts_pending"].any()
    names = list(r.function_names)
    for name in ("orders", "refunds", "reports"):
        i = names.index(name)
        # every cold start's init has the ENI's 10 s on top of the default 0.5 s
        assert f["init_duration_us"][i] == f["cold_starts"][i] * 10_500_000
    pixel = names.index("pixel")
    assert f["init_duration_us"][pixel] == f["cold_starts"][pixel] * 100_000
