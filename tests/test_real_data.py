"""The simulator against real measurements (``data/`` at the repository root, see its README).

* SimFaaS experiments (``simfaas/exp.csv``): AWS Lambda under Poisson load; measured cold-start
  probability and average instance count, compared with the simulator's;
* AWS per-request logs (``aws-lambda-requests/*.csv``): real arrivals and durations replayed;
  cold starts and distinct environments compared with the logs;
* Azure Functions 2021 excerpt: a real multi-function trace replayed for completeness and
  determinism.

The data ships with the repository: a missing file fails its tests, it does not skip them.
``python tests/test_real_data.py`` prints the tables of ``docs/validation-against-data.md``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import lambda_core as lc


def _root() -> Path:
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    raise AssertionError(f"no pyproject.toml above {__file__}")


DATA = _root() / "data"

# ---------------------------------------------------------------------------------------------
# SimFaaS experiments
# ---------------------------------------------------------------------------------------------

#: Requests simulated per experiment: at the lowest rate (0.0019/s) that is ~3.4 years of
#: simulated time and ~66 000 cold starts; at the highest (1/s) ~260 cold starts.
SIMFAAS_REQUESTS = 200_000
SIMFAAS_SEED = 2021

#: Bounds on the mean absolute percentage error over the 20 experiments. Measured (seeds
#: 1-4 and 2021, 200 000 requests): 12.2-13.9 % on cold-start probability, 2.6-3.3 % on the
#: average instance count; SimFaaS itself reports 12.23 % and 3.05 %.
SIMFAAS_MAPE_COLD_MAX = 20.0
SIMFAAS_MAPE_INSTANCES_MAX = 6.0


@dataclass(frozen=True)
class SimFaaSRow:
    name: str
    rate: float
    warm_s: float
    cold_s: float
    idle_s: float
    p_measured: float
    p_se: float
    n_measured: float
    p_sim: float
    n_sim: float
    requests: int
    throttles: int

    @property
    def p_err(self) -> float:
        return abs(self.p_sim - self.p_measured) / self.p_measured * 100

    @property
    def n_err(self) -> float:
        return abs(self.n_sim - self.n_measured) / self.n_measured * 100


def simfaas_experiment(e: dict[str, str], n: int = SIMFAAS_REQUESTS, seed: int = SIMFAAS_SEED) -> SimFaaSRow:
    """Simulates one experiment: Poisson arrivals at its rate, exponential handler durations with
    the measured warm mean (as SimFaaS does), init = cold - warm mean, idle expiry after
    ``IdleMinutesBeforeKill`` minutes, one function with nothing limiting it."""
    rate = float(e["ArrivalRate"])
    warm = float(e["ServiceTimeWarm"]) / 1000
    cold = float(e["ServiceTimeCold"]) / 1000
    idle = float(e["IdleMinutesBeforeKill"]) * 60
    rng = np.random.default_rng(seed)
    time = np.cumsum(rng.exponential(1 / rate, n))
    duration = rng.exponential(warm, n)
    function = lc.Function("f", timeout_s=900, init_s=cold - warm, idle_timeout_s=idle)
    sim = lc.Simulator(lc.Account(), [function], seed=seed)
    result = sim.run(lc.Workload(time, 0, duration))
    s = result.function("f")
    return SimFaaSRow(
        name=e[""], rate=rate, warm_s=warm, cold_s=cold, idle_s=idle,
        p_measured=float(e["ColdStartProbability"]), p_se=float(e["ColdStartProbabilitySE"]),
        n_measured=float(e["AverageInstanceCount"]),
        p_sim=s["cold_starts"] / s["invocations"], n_sim=s["avg_environments"],
        requests=s["invocations"] + s["throttles"], throttles=s["throttles"],
    )


def simfaas_rows() -> list[SimFaaSRow]:
    with open(DATA / "simfaas" / "exp.csv", newline="") as fh:
        experiments = sorted(csv.DictReader(fh), key=lambda e: float(e["ArrivalRate"]))
    return [simfaas_experiment(e) for e in experiments]


@pytest.fixture(scope="module")
def simfaas() -> list[SimFaaSRow]:
    return simfaas_rows()


def test_simfaas_every_request_runs(simfaas: list[SimFaaSRow]) -> None:
    assert len(simfaas) == 20
    for r in simfaas:
        assert r.requests == SIMFAAS_REQUESTS, r.name
        assert r.throttles == 0, r.name  # nothing (limits, scaling rate) may get in the way


def test_simfaas_cold_start_probability_mape(simfaas: list[SimFaaSRow]) -> None:
    mape = float(np.mean([r.p_err for r in simfaas]))
    assert mape <= SIMFAAS_MAPE_COLD_MAX, f"cold-start probability MAPE {mape:.2f} %"
    # and no single experiment is far off (measured worst: ~30 %, experiment_18)
    worst = max(simfaas, key=lambda r: r.p_err)
    assert worst.p_err <= 45, f"{worst.name}: {worst.p_sim:.5f} vs measured {worst.p_measured:.5f}"


def test_simfaas_average_instance_count_mape(simfaas: list[SimFaaSRow]) -> None:
    mape = float(np.mean([r.n_err for r in simfaas]))
    assert mape <= SIMFAAS_MAPE_INSTANCES_MAX, f"average instance count MAPE {mape:.2f} %"
    worst = max(simfaas, key=lambda r: r.n_err)
    assert worst.n_err <= 15, f"{worst.name}: {worst.n_sim:.3f} vs measured {worst.n_measured:.3f}"


def test_simfaas_trends_follow_the_measurements(simfaas: list[SimFaaSRow]) -> None:
    """More load, fewer cold starts in proportion and more instances, as measured."""
    rates = [r.rate for r in simfaas]
    assert rates == sorted(rates)
    p = np.array([r.p_sim for r in simfaas])
    n = np.array([r.n_sim for r in simfaas])
    assert p[0] > 0.25 and p[-1] < 0.003
    assert n[0] < 1 and n[-1] > 7
    assert np.corrcoef(np.log(p), np.log([r.p_measured for r in simfaas]))[0, 1] > 0.99
    assert np.corrcoef(n, [r.n_measured for r in simfaas])[0, 1] > 0.99


# ---------------------------------------------------------------------------------------------
# AWS per-request logs
# ---------------------------------------------------------------------------------------------

AWS_FILES = [
    DATA / "aws-lambda-requests" / name
    for name in (
        "res-01-2020-05-17_04-13-06.csv",
        "res-01-2020-05-26_01-31-35.csv",
        "res-01-2020-05-28_01-57-40.csv",
    )
]

#: The replay is deterministic (no random stream is used), so these bounds carry no sampling
#: noise: they only say how far the 600 s idle-expiry model may be from what AWS did.
#: Measured with 600 s: cold starts 54/37, 33/29, 66/59; environments 54/39, 33/30, 66/60
#: (simulated/logged). AWS kept idle instances for up to ~1450 s in the two busier logs (so the
#: simulator, expiring at 600 s, makes more), and recycled instances after ~2 h of life
#: whatever their activity (which the simulator does not model: it misses those).
AWS_PER_FILE_LOW, AWS_PER_FILE_HIGH = 0.9, 1.6
AWS_TOTAL_REL_ERR_MAX = 0.30
AWS_ROW_AGREEMENT_MIN = 0.95


@dataclass(frozen=True)
class AwsRow:
    file: str
    requests: int
    span_h: float
    init_s: float
    cold_logged: int
    instances_logged: int
    cold_sim: int
    environments_sim: int
    max_concurrency_sim: int
    agreement: float  # fraction of requests that are cold in both or warm in both


def load_aws(path: Path) -> lc.traces.Trace:
    """One log as a trace (``lc.traces.read_request_log``: rows sorted by client start time,
    rebased to 0, ``aws_duration`` in seconds, the init estimated from the client's latency;
    docs/replay.md)."""
    return lc.traces.read_request_log(path)


def aws_replay(path: Path, idle_timeout_s: float = 600.0) -> AwsRow:
    trace = load_aws(path)
    # one function, nothing limiting, a timeout no duration reaches
    result = trace.replay(idle_timeout_s=idle_timeout_s, timeout_s=900)
    assert not np.any(result.requests["outcome"] == lc.Outcome.PENDING)
    s = result.function(trace.function_names[0])
    compared = trace.compare(result).total
    return AwsRow(
        file=path.name, requests=len(trace), span_h=trace.span_s / 3600, init_s=trace.functions[0].init_s,
        cold_logged=compared["cold_starts"], instances_logged=compared["environments"],
        cold_sim=s["cold_starts"], environments_sim=s["environments_created"],
        max_concurrency_sim=s["max_concurrency"], agreement=compared["agreement"],
    )


@pytest.fixture(scope="module")
def aws() -> list[AwsRow]:
    return [aws_replay(p) for p in AWS_FILES]


def test_aws_logs_columns_are_what_the_replay_assumes() -> None:
    for path in AWS_FILES:
        trace = load_aws(path)
        start, duration, cold = trace.workload.time, trace.workload.duration, trace.observed.cold
        assert cold is not None
        assert np.all(np.diff(start) >= 0) and start[0] == 0
        assert np.all(duration > 0) and np.all(duration < 900)
        assert 0 < cold.sum() < len(cold)
        assert 0 < trace.functions[0].init_s <= 10 and trace.init_known == (True,)


def test_aws_cold_starts_and_environments_close_to_the_logs(aws: list[AwsRow]) -> None:
    for r in aws:
        for sim, logged, what in [(r.cold_sim, r.cold_logged, "cold starts"),
                                  (r.environments_sim, r.instances_logged, "environments")]:
            assert AWS_PER_FILE_LOW * logged <= sim <= AWS_PER_FILE_HIGH * logged, (
                f"{r.file}: {sim} simulated {what} vs {logged} in the log")
        assert r.agreement >= AWS_ROW_AGREEMENT_MIN, f"{r.file}: per-request agreement {r.agreement:.3f}"
        # one function, one request per environment at a time: every environment starts cold
        assert r.cold_sim == r.environments_sim
    for what, sim, logged in [
        ("cold starts", sum(r.cold_sim for r in aws), sum(r.cold_logged for r in aws)),
        ("environments", sum(r.environments_sim for r in aws), sum(r.instances_logged for r in aws)),
    ]:
        assert abs(sim / logged - 1) <= AWS_TOTAL_REL_ERR_MAX, f"total {what}: {sim} simulated vs {logged} logged"


def test_aws_longer_idle_timeout_means_fewer_cold_starts() -> None:
    """The direction of the gap: a longer idle expiry keeps more environments (monotone)."""
    for path in AWS_FILES:
        cold = [aws_replay(path, idle).cold_sim for idle in (300, 600, 900, 1500)]
        assert cold == sorted(cold, reverse=True), (path.name, cold)
        # strictly: equal counts would also pass the line above if the idle timeout were
        # ignored (measured: 143/54/25/18, 52/33/24/21, 115/66/36/10)
        assert all(a > b for a, b in zip(cold, cold[1:])), (path.name, cold)


# ---------------------------------------------------------------------------------------------
# Azure Functions 2021 excerpt
# ---------------------------------------------------------------------------------------------

AZURE = DATA / "azure-functions-2021" / "Azure2021_200.csv"


def load_azure() -> lc.traces.Trace:
    """The excerpt as a trace (``lc.traces.read_azure2021``: one function per (app, func) in
    first-seen order, start = end_timestamp − duration, rows sorted by start, timeouts that
    fit the durations)."""
    return lc.traces.read_azure2021(AZURE)


def azure_replay() -> lc.Result:
    trace = load_azure()
    return trace.replay(init_s=0.5)  # the default init: the trace gives none


@pytest.fixture(scope="module")
def azure() -> lc.Result:
    return azure_replay()


def test_azure_every_request_resolves(azure: lc.Result) -> None:
    trace = load_azure()
    start, function, duration, names = trace.workload.time, trace.workload.function, trace.workload.duration, trace.names
    n = len(start)
    assert n == 199
    outcome = azure.requests["outcome"]
    assert len(outcome) == n
    assert not np.any(outcome == lc.Outcome.PENDING)
    assert np.all(outcome == lc.Outcome.SUCCESS)  # no limit in the way, no timeout
    assert int(azure.functions["invocations"].sum()) == n
    assert np.array_equal(azure.functions["invocations"], np.bincount(function, minlength=len(names)))
    assert int(azure.functions["throttles"].sum()) == 0
    # every request ends exactly init (when cold) + duration after it starts, to the microsecond
    init = 0.5 * azure.requests["cold_starts"]
    expected = np.array([lc._core.to_micros(x) for x in start]) + np.array(
        [lc._core.to_micros(x) for x in duration]) + (init * 1e6).astype(np.int64)
    assert np.array_equal(np.round(azure.requests["end"] * 1e6).astype(np.int64), expected)
    # each function's first request is cold
    first = [int(np.flatnonzero(function == f)[0]) for f in range(len(names))]
    assert np.all(azure.requests["cold_starts"][first] == 1)
    assert int(azure.functions["cold_starts"].sum()) == int(azure.functions["environments_created"].sum())


def test_azure_replay_is_deterministic(azure: lc.Result) -> None:
    again = azure_replay()
    for name, col in azure.requests.items():
        assert col.dtype == again.requests[name].dtype
        assert col.tobytes() == again.requests[name].tobytes(), name
    for name, col in azure.functions.items():
        assert col.tobytes() == again.functions[name].tobytes(), name
    assert azure.account == again.account
    assert azure.horizon == again.horizon


# ---------------------------------------------------------------------------------------------
# the tables of docs/validation-against-data.md
# ---------------------------------------------------------------------------------------------


def _markdown() -> str:
    out = []
    rows = simfaas_rows()
    out.append("### SimFaaS experiments\n")
    out.append("| experiment | rate (1/s) | warm (s) | init (s) | P(cold) measured ± SE | P(cold) simulated | error | "
               "instances measured | instances simulated | error |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        out.append(
            f"| {r.name} | {r.rate:.4f} | {r.warm_s:.3f} | {r.cold_s - r.warm_s:.3f} | "
            f"{r.p_measured:.5f} ± {r.p_se:.5f} | {r.p_sim:.5f} | {r.p_err:.1f} % | "
            f"{r.n_measured:.3f} | {r.n_sim:.3f} | {r.n_err:.1f} % |")
    out.append("")
    out.append(f"MAPE: cold-start probability **{np.mean([r.p_err for r in rows]):.2f} %**, "
               f"average instance count **{np.mean([r.n_err for r in rows]):.2f} %** "
               f"({SIMFAAS_REQUESTS} requests per experiment, seed {SIMFAAS_SEED}).\n")
    out.append("### AWS per-request logs (idle timeout 600 s)\n")
    out.append("| log | requests | span (h) | init (s) | cold starts logged | simulated | "
               "instances logged | environments simulated | max concurrency simulated | per-request agreement |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    aws = [aws_replay(p) for p in AWS_FILES]
    for a in aws:
        out.append(f"| {a.file} | {a.requests} | {a.span_h:.1f} | {a.init_s:.3f} | {a.cold_logged} | {a.cold_sim} | "
                   f"{a.instances_logged} | {a.environments_sim} | {a.max_concurrency_sim} | {a.agreement:.4f} |")
    out.append(f"| **total** | {sum(a.requests for a in aws)} | | | {sum(a.cold_logged for a in aws)} | "
               f"{sum(a.cold_sim for a in aws)} | {sum(a.instances_logged for a in aws)} | "
               f"{sum(a.environments_sim for a in aws)} | | |")
    out.append("")
    out.append("Cold starts simulated with other idle timeouts (same replay):\n")
    idles = (300, 600, 650, 900, 1200, 1500)
    out.append("| log | logged | " + " | ".join(f"{i} s" for i in idles) + " |")
    out.append("|---|---:|" + "---:|" * len(idles))
    for p in AWS_FILES:
        cells = " | ".join(str(aws_replay(p, i).cold_sim) for i in idles)
        out.append(f"| {p.name} | {load_aws(p).observed.cold_starts} | {cells} |")
    out.append("")
    res = azure_replay()
    trace = load_azure()
    out.append("### Azure Functions 2021 excerpt\n")
    out.append(f"{len(trace)} requests of {len(trace.functions)} functions, starting over {trace.span_s:.0f} s: "
               f"{int(res.functions['invocations'].sum())} invocations, "
               f"{int((res.requests['outcome'] == lc.Outcome.PENDING).sum())} pending, "
               f"{int(res.functions['cold_starts'].sum())} cold starts, "
               f"account max concurrency {res.account['max_concurrency']}, "
               f"average environments {res.account['avg_environments']:.2f} over {res.horizon:.0f} s.")
    return "\n".join(out)


if __name__ == "__main__":
    print(_markdown())
