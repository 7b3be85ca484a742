"""Throughput of ``lc.sweep`` (lambda_core._sweep): scenarios (runs) per second of a sweep of
short runs, in this process, on 2 local processes (``executor=2``, whose pool is started by
each sweep, and a ``ProcessPoolExecutor(2)`` started beforehand) and on a Dask
``LocalCluster`` of 2 single-threaded workers (skipped without ``distributed``).

The sweep: 3 reservations of "api" × 12 seeds = 36 runs (``LAMBDA_CORE_BENCH_SCALE`` scales
the seeds) of a two-function scenario of about 560,000 requests, 0.06-0.12 s each. The
scenario, the grid, the pools and the cluster are made outside the timed region; figure: runs
per second and the speed-up over the serial sweep. Then the chunks' overhead: the same sweep
in chunks of one run (``_sweep._CHUNK_SECONDS`` near 0) against the default chunks
(``_sweep._chunks``), per extra chunk. No timing is asserted; the tables are.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import time

import pytest
from conftest import scaled

pd = pytest.importorskip("pandas")

import lambda_core._sweep as sweep_module  # noqa: E402
from lambda_core._figures import run_scenario  # noqa: E402
from lambda_core._sweep import Run, _chunks, sweep  # noqa: E402
from lambda_core.scenarios import parse_scenario  # noqa: E402

ROUNDS = 3
RC = "functions.api.reserved_concurrency"
SCENARIO = """
seed = 1
[account]
concurrency_limit = 1000

[[functions]]
name = "api"
reserved_concurrency = 200
[functions.workload]
arrivals = "poisson"
rate_per_s = 800
end_s = 600
duration = { dist = "exponential", mean_s = 0.2 }

[[functions]]
name = "jobs"
[functions.workload]
arrivals = "bursty"
rate_per_s = 100
end_s = 600
bursts = [{ at_s = 300, count = 20000, over_s = 10 }]
duration = { dist = "lognormal", median_s = 0.5, sigma = 0.6 }
"""

_RATES: dict[str, float] = {}  # runs per second, by executor: the speed-ups' basis


@pytest.fixture(scope="module")
def sc():
    return parse_scenario(SCENARIO)


@pytest.fixture(scope="module")
def grid():
    return {RC: [100, 200, 400], "seed": list(range(1, 1 + max(2, scaled(12))))}


def n_runs(grid) -> int:
    return len(grid[RC]) * len(grid["seed"])


@pytest.fixture(scope="module")
def reference(sc, grid):
    """The serial table, made once outside any timed region."""
    return sweep(sc, grid)


@pytest.fixture(scope="module")
def cluster_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def process_pool():
    with cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(abs, [1, 2]))  # the workers are up
        yield pool


def check(table, reference):
    pd.testing.assert_frame_equal(table, reference, check_exact=True)
    assert (table["api.throttle_rate"].diff().dropna() < 0).all()  # more reserved, fewer throttles


def record(name, grid, summary):
    rate = _RATES[name]
    line = f"sweep/{name}: {n_runs(grid)} runs, {rate:.3g} runs/s, {n_runs(grid) / rate:.3g} s"
    if name != "serial" and "serial" in _RATES:
        line += f", speed-up {rate / _RATES['serial']:.2f}x over serial"
    summary(line)


@pytest.fixture
def timed(measure, benchmark, summary):
    """timed(name, sc, grid, executor, reference): the sweep measured, its runs/s recorded."""

    def run(name, sc, grid, executor, reference):
        n = n_runs(grid)
        table = measure(f"sweep/{name}", n, lambda: sweep(sc, grid, executor, progress=False),
                        rounds=ROUNDS, unit="runs")
        check(table, reference)
        _RATES[name] = benchmark.extra_info["runs_per_s"]
        record(name, grid, summary)

    return run


def test_sweep_serial(sc, grid, reference, timed, summary):
    for rc in grid[RC]:  # the runs' own length, outside the sweep
        point = sc.with_values({RC: rc})
        start = time.perf_counter()
        run_scenario(point, 1)
        summary(f"sweep/one run, reserved {rc}: {time.perf_counter() - start:.3g} s "
                f"({sc.expected_requests():,.0f} requests expected)")
    timed("serial", sc, grid, None, reference)


def test_sweep_processes(sc, grid, reference, timed):
    timed("executor=2", sc, grid, 2, reference)  # the spawn pool's start is in the timed region


def test_sweep_process_pool(sc, grid, reference, timed, process_pool):
    timed("ProcessPoolExecutor(2)", sc, grid, process_pool, reference)


def test_sweep_dask(sc, grid, reference, timed, cluster_client):
    timed("dask-2-workers", sc, grid, cluster_client, reference)


TINY = """
[[functions]]
name = "f"
[functions.workload]
arrivals = "poisson"
rate_per_s = 10
end_s = 1
duration = { dist = "fixed", s = 0.01 }
"""


def test_chunk_layout(sc, grid, summary):
    """How `_sweep._chunks` cuts this sweep, against the runs' measured length."""
    todo = [(i, Run((), 1.0, 0)) for i in range(n_runs(grid))]
    sizes = [len(c) for c in _chunks(todo, 2, sc)]
    estimated = 0.005 + (sc.expected_requests() + sc.expected_records()) / sweep_module._ESTIMATED_RATE
    measured = 1 / _RATES["serial"] if "serial" in _RATES else float("nan")
    summary(f"sweep/chunks: {len(sizes)} chunks of {max(sizes)} runs on 2 workers; a run estimated at "
            f"{estimated:.3g} s, measured {measured:.3g} s: {max(sizes) * measured:.3g} s of work a chunk "
            f"(_CHUNK_SECONDS = {sweep_module._CHUNK_SECONDS:g})")
    assert sum(sizes) == n_runs(grid) and len(sizes) >= 2


@pytest.mark.parametrize("where", ["serial", "ProcessPoolExecutor(2)", "dask-2-workers"])
def test_per_chunk_overhead(where, request, summary, monkeypatch):
    """A sweep of 200 runs of ~10 requests in chunks of one run: the time per run is the cost of
    a run plus (on a pool or a cluster) one task's, divided by the 2 workers."""
    executor = {"serial": lambda: None, "ProcessPoolExecutor(2)": lambda: request.getfixturevalue("process_pool"),
                "dask-2-workers": lambda: request.getfixturevalue("cluster_client")}[where]()
    tiny = parse_scenario(TINY)
    grid = {"seed": list(range(max(20, scaled(200))))}
    expected = sweep(tiny, grid)
    monkeypatch.setattr(sweep_module, "_CHUNK_SECONDS", 1e-9)
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        table = sweep(tiny, grid, executor, progress=False)
        best = min(best, time.perf_counter() - start)
    pd.testing.assert_frame_equal(table, expected, check_exact=True)
    n = len(grid["seed"])
    workers = 1 if executor is None else 2
    summary(f"sweep/overhead {where}: {n} chunks of 1 tiny run, {best:.3g} s, {1e3 * best / n:.3g} ms a chunk "
            f"({1e3 * best * workers / n:.3g} ms of a worker's time)")
