"""lc.sweep through a real Dask cluster (lambda_core._executors): two worker processes on this
machine; the tables equal the serial sweep's cell by cell, and the scenario is scattered once
per sweep, whatever the number of chunks."""

from __future__ import annotations

import pytest

pd = pytest.importorskip("pandas")
distributed = pytest.importorskip("distributed")

import lambda_core._sweep as sweep_module  # noqa: E402
from lambda_core import sweep  # noqa: E402
from lambda_core.scenarios import parse_scenario  # noqa: E402

# "api" overflows its reservation; "jobs" gets a burst; reservations of 150 are refused (the
# unreserved minimum of 100 in 200), so the tables hold error rows too.
SCENARIO = """
seed = 2
[account]
concurrency_limit = 200
unreserved_min = 100

[[functions]]
name = "api"
reserved_concurrency = 10
[functions.workload]
arrivals = "poisson"
rate_per_s = 120
end_s = 60
duration = { dist = "exponential", mean_s = 0.1 }

[[functions]]
name = "jobs"
[functions.workload]
arrivals = "bursty"
rate_per_s = 20
end_s = 60
bursts = [{ at_s = 15, count = 400, over_s = 3 }]
duration = { dist = "lognormal", median_s = 0.2, sigma = 0.5 }
"""

RC = "functions.api.reserved_concurrency"
GRID = {RC: [5, 150, 20, 60], "traffic": [1, 1.5], "seed": [1, 2, 3]}


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def sc():
    return parse_scenario(SCENARIO)


@pytest.fixture(scope="module")
def serial(sc):
    return sweep(sc, GRID), sweep(sc, GRID, per_seed=True)


def test_the_cluster_gives_the_serial_tables(sc, serial, client):
    table, per = serial
    assert table["error"].notna().sum() == 2 and table["runs"].tolist() == [3, 3, 0, 0, 3, 3, 3, 3]
    pd.testing.assert_frame_equal(sweep(sc, GRID, client), table, check_exact=True)
    pd.testing.assert_frame_equal(sweep(sc, GRID, client, per_seed=True), per, check_exact=True)


def test_the_cluster_writes_the_same_file(sc, serial, client, tmp_path):
    out = tmp_path / "runs.csv"
    pd.testing.assert_frame_equal(sweep(sc, GRID, client, out=out), serial[0], check_exact=True)
    f = pd.read_csv(out)
    assert sorted(f["run"]) == list(range(24))  # the rows come in the order the chunks finished
    f = f.sort_values("run").reset_index(drop=True)
    per = serial[1]
    for column in per.columns:
        if column != "error":
            pd.testing.assert_series_equal(f[column], per[column], check_dtype=False, check_exact=True)


def test_many_chunks_scatter_the_scenario_once(sc, serial, client, monkeypatch):
    monkeypatch.setattr(sweep_module, "_CHUNK_SECONDS", 1e-9)  # one run per chunk: 24 tasks
    scattered = []
    real = client.scatter

    def scatter(data, *args, **kwargs):
        scattered.append((data, kwargs.get("broadcast")))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(client, "scatter", scatter)
    pd.testing.assert_frame_equal(sweep(sc, GRID, client), serial[0], check_exact=True)
    (data, broadcast), = scattered  # once for the 24 chunks, to every worker
    assert broadcast is True
    assert any(x is sc or (isinstance(x, tuple) and x[0] is sc) for x in data)  # (scenario, prices)


def test_the_cluster_resumes_a_partial_file(sc, serial, client, tmp_path, monkeypatch):
    monkeypatch.setattr(sweep_module, "_CHUNK_SECONDS", 1e-9)
    out = tmp_path / "runs.csv"
    sweep(sc, {RC: [5], "traffic": [1], "seed": [1, 2, 3]}, client, out=out)  # GRID's runs 0, 1, 2
    assert sorted(pd.read_csv(out)["run"]) == [0, 1, 2]
    calls = []
    resumed = sweep(sc, GRID, client, out=out, resume=True, progress=lambda d, t: calls.append(d))
    pd.testing.assert_frame_equal(resumed, serial[0], check_exact=True)
    assert calls[0] == 3 and calls[-1] == 24
    assert sorted(pd.read_csv(out)["run"]) == list(range(24))
