"""lc.sweep (lambda_core._sweep) and the dotted paths it varies (scenarios/_paths.py): the
table's shape, its figures against a direct run, determinism across executors, the per-run
file (CSV, Parquet), interruption and resume, and the errors."""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

import lambda_core as lc  # noqa: E402
import lambda_core._sweep as sweep_module  # noqa: E402
from lambda_core._figures import run_scenario  # noqa: E402
from lambda_core import sweep  # noqa: E402
from lambda_core.errors import ScenarioError, UsageError, ValidationException  # noqa: E402
from lambda_core.scenarios import parse_scenario  # noqa: E402
from tests.scenarios.cases import MEMORY_64, RC_MIN_100  # noqa: E402

# "api" overflows its reservation of 10 (~12 busy on average); "jobs" (two generators, one
# bursty) fits in the shared pool of 200 - 10, even at twice its traffic.
BASE = """
seed = 3
account = { concurrency_limit = 200, unreserved_min = 100 }

[[functions]]
name = "api"
memory_mb = 256
reserved_concurrency = 10
workload = { arrivals = "poisson", rate_per_s = 100, end_s = 60, duration = { dist = "lognormal", median_s = 0.12, sigma = 0.4 } }

[[functions]]
name = "jobs"
[[functions.workload]]
arrivals = "bursty"
rate_per_s = 20
end_s = 60
bursts = [{ at_s = 10, count = 300, over_s = 2 }, { at_s = 40, count = 51 }]
duration = { dist = "fixed", s = 0.3 }
[[functions.workload]]
arrivals = "poisson"
rate_per_s = 5
start_s = 20
end_s = 50
duration = { dist = "exponential", mean_s = 0.2 }
"""

# One function reading a Kinesis stream through a mapping.
STREAM = """
seed = 5
account = { concurrency_limit = 100, unreserved_min = 10 }

[[functions]]
name = "consumer"
reserved_concurrency = 4
timeout_s = 10

[[streams]]
name = "clicks"
kind = "kinesis"
shards = 4
records = { arrivals = "bursty", rate_per_s = 100, end_s = 60, bursts = [{ at_s = 20, count = 1000, over_s = 5 }], keys = 40 }

[[mappings]]
source = "clicks"
function = "consumer"
batch_size = 20
duration = { base_s = 0.05, per_record_s = 0.005 }
"""

RC = "functions.api.reserved_concurrency"
# 150 leaves 50 < 100 unreserved: AWS refuses it; it comes first, so that the per-run file
# begins with error rows
GRID = {RC: [150, 5, 20], "traffic": [1, 2], "seed": [1, 2]}
N_RUNS = 12


@pytest.fixture(scope="module")
def sc():
    return parse_scenario(BASE)


@pytest.fixture(scope="module")
def stream():
    return parse_scenario(STREAM)


@pytest.fixture(scope="module")
def full(sc):
    """The uninterrupted serial sweep of GRID."""
    return sweep(sc, GRID)


R = dataclasses.replace


def put(items, i, item):
    return items[:i] + (item,) + items[i + 1:]


def _spec(sc, i, k, **changes):
    """`sc` with generator `k` of function `i` changed."""
    return R(sc, workloads=put(sc.workloads, i, put(sc.workloads[i], k, R(sc.workloads[i][k], **changes))))


def _with_shards(sc, v):  # the mapping holds the changed stream too
    s = R(sc.streams[0], shards=v)
    return R(sc, streams=(s,), mappings=(R(sc.mappings[0], source=s),))


# -- paths ---------------------------------------------------------------------------------------

# each path, and `sc` with its field set to `v` built by hand
EXPECTED = {
    "until": lambda sc, v: R(sc, until=v),
    "account.concurrency_limit": lambda sc, v: R(sc, account=R(sc.account, concurrency_limit=v)),
    "functions.api.memory_mb": lambda sc, v: R(sc, functions=put(sc.functions, 0, R(sc.functions[0], memory_mb=v))),
    "functions.jobs.workload.1.rate_per_s": lambda sc, v: _spec(sc, 1, 1, rate_per_s=v),
    "functions.api.workload.0.duration.value": lambda sc, v: _spec(
        sc, 0, 0, duration=R(sc.workloads[0][0].duration, value=v)),
    "functions.jobs.workload.0.bursts.1.count": lambda sc, v: _spec(
        sc, 1, 0, bursts=put(sc.workloads[1][0].bursts, 1, R(sc.workloads[1][0].bursts[1], count=v))),
    "streams.clicks.shards": _with_shards,
    "streams.clicks.records.keys": lambda sc, v: R(sc, record_generators=(R(sc.record_generators[0], keys=v),)),
    "mappings.clicks.batch_size": lambda sc, v: R(sc, mappings=(R(sc.mappings[0], batch_size=v),)),
}


def scenario_of(path):
    return parse_scenario(STREAM if path.startswith(("streams", "mappings", "queues")) else BASE)


@pytest.mark.parametrize("path, value", list(zip(EXPECTED, [30.0, 300, 512, 7.5, 0.2, 7, 2, 10, 5])))
def test_with_values_changes_exactly_that_field(path, value):
    sc = scenario_of(path)
    text = STREAM if sc.streams else BASE
    new = sc.with_values({path: value})
    assert new != sc
    assert new == EXPECTED[path](sc, value)
    assert sc == parse_scenario(text)  # the original is untouched


@pytest.mark.parametrize("path", [
    "bogus", "account.nofield", "functions.nope.memory_mb", "functions.api.nofield", "functions.api.name",
    "functions.api.", "functions.api.workload.1.rate_per_s", "functions.api.workload.0",
    "functions.api.workload.0.duration.nope", "functions.jobs.workload.0.bursts.5.count",
    "streams.clicks.name", "mappings.clicks.function", "mappings.clicks.source", "queues.q.visibility_timeout_s",
])
def test_a_path_that_names_nothing_is_a_scenario_error(path):
    with pytest.raises(ScenarioError, match="^'" + path.replace(".", r"\.")):
        scenario_of(path).with_values({path: 1})


def test_aws_invalid_value_raises_aws_exception(sc):
    with pytest.raises(ValidationException) as err:
        sc.with_values({"functions.api.memory_mb": 64})
    assert str(err.value) == MEMORY_64


@pytest.mark.parametrize("path, value", [
    ("functions.api.workload.0.rate_per_s", -1.0),
    ("functions.api.workload.0.rate_per_s", math.nan),
    ("functions.jobs.workload.0.bursts.0.count", 2.5),
    ("functions.jobs.workload.0.bursts.0.count", -3),
])
def test_a_bad_generator_number_is_a_scenario_error(sc, path, value):
    with pytest.raises(ScenarioError, match="must be a"):
        sc.with_values({path: value})


def test_with_traffic_multiplies_rates_and_burst_counts(sc, stream):
    double = sc.with_traffic(2)
    assert [[s.rate_per_s for s in specs] for specs in double.workloads] == [[200.0], [40.0, 10.0]]
    assert [b.count for b in double.workloads[1][0].bursts] == [600, 102]
    assert double.functions == sc.functions and double.account == sc.account
    assert double.expected_requests() == pytest.approx(2 * sc.expected_requests())
    s2 = stream.with_traffic(2).record_generators[0]
    assert (s2.rate_per_s, s2.bursts[0].count) == (200.0, 2000)
    assert sc.with_traffic(1) == sc


@pytest.mark.parametrize("factor", [0, -1, math.inf, math.nan, True, "2"])
def test_with_traffic_refuses_a_bad_factor(sc, factor):
    with pytest.raises(ScenarioError, match="traffic must be a positive number"):
        sc.with_traffic(factor)


def test_traffic_two_roughly_doubles_invocations(sc):
    t = sweep(sc, {"traffic": [1, 2], "seed": [1, 2, 3]})
    assert t["traffic"].tolist() == [1.0, 2.0]
    assert t["jobs.throttles"][0] == 0 and t["jobs.invocations"][0] > 1500
    for name in ("api", "jobs"):  # the requests offered: invoked or throttled
        offered = t[f"{name}.invocations"] + t[f"{name}.throttles"]
        assert offered[1] / offered[0] == pytest.approx(2, rel=0.05), name
    assert t["api.throttle_rate"][1] > t["api.throttle_rate"][0]


# -- the table -----------------------------------------------------------------------------------


def test_one_row_per_point_in_grid_order(sc):
    grid = {"seed": [1, 2], RC: [5, 20], "functions.api.memory_mb": [128, 512], "traffic": [1, 2]}
    t = sweep(sc, grid)
    assert len(t) == 8
    points = list(zip(t[RC], t["functions.api.memory_mb"], t["traffic"]))
    assert points == [(r, m, f) for r in (5, 20) for m in (128, 512) for f in (1.0, 2.0)]
    assert list(t.columns[:5]) == [RC, "functions.api.memory_mb", "traffic", "runs", "error"]
    assert "seed" not in t.columns and "run" not in t.columns and "point" not in t.columns
    assert (t["runs"] == 2).all() and t["error"].isna().all()
    for figure in ["api.throttle_rate", "api.cost", "jobs.cost", "jobs.max_iterator_age", "cost",
                   "account.max_concurrency"]:
        assert [figure, *(f"{figure}.p{p}" for p in (5, 50, 95))] == \
            list(t.columns[t.columns.get_loc(figure):t.columns.get_loc(figure) + 4])
        assert t[figure].notna().all()
    # the bill grows with memory at the same reservation and traffic
    assert (t["api.cost"][2] > t["api.cost"][0]) and (t["api.cost"][6] > t["api.cost"][4])


def test_mean_and_percentiles_are_those_of_the_seeds(sc):
    grid = {RC: [5, 20], "traffic": [1, 2], "seed": [1, 2, 3, 4]}
    t = sweep(sc, grid, percentiles=(10, 50))
    per = sweep(sc, grid, per_seed=True)
    assert len(per) == 16 and per["seed"].tolist() == [1, 2, 3, 4] * 4
    assert "runs" not in per.columns and "point" not in per.columns
    assert "api.throttles.p10" in t.columns and "api.throttles.p95" not in t.columns
    groups = per.groupby([RC, "traffic"], sort=False)
    for figure in ["api.throttles", "api.throttle_rate", "jobs.cost", "cost", "account.max_concurrency"]:
        np.testing.assert_allclose(t[figure], groups[figure].mean().to_numpy(), rtol=1e-12)
        np.testing.assert_allclose(t[f"{figure}.p50"], groups[figure].median().to_numpy(), rtol=1e-12)
        np.testing.assert_allclose(t[f"{figure}.p10"], groups[figure].quantile(0.1).to_numpy(), rtol=1e-12)
    assert (t["api.throttles.p10"] <= t["api.throttles"]).all()
    assert t["api.throttles"].nunique() == 4  # the points differ
    one = sweep(sc, {RC: [5, 20]})  # one seed, the scenario's: the runs' rows
    assert one["seed"].tolist() == [sc.seed, sc.seed] and "runs" not in one.columns


def test_figures_agree_with_a_direct_run(sc):
    prices = lc.Prices(requests_per_million=2.0)
    values = {RC: 20, "functions.api.memory_mb": 512}
    grid = {k: [v] for k, v in values.items()} | {"traffic": 2, "seed": 4}
    row = sweep(sc, grid).iloc[0]
    row_priced = sweep(sc, grid, prices=prices).iloc[0]
    point = sc.with_values(values).with_traffic(2)
    result = run_scenario(point, 4)
    for name in ("api", "jobs"):
        counters = result.function(name)
        for key, value in counters.items():
            assert row[f"{name}.{key}"] == float(value), key
        assert row[f"{name}.throttle_rate"] == counters["throttles"] / (counters["invocations"] + counters["throttles"])
        assert row[f"{name}.cost"] == result.cost().function(name)["total"]
        assert row_priced[f"{name}.cost"] == result.cost(prices).function(name)["total"]
    assert row["api.throttles"] > 0
    assert row["cost"] == result.cost().total and row_priced["cost"] == result.cost(prices).total
    assert row_priced["cost"] > row["cost"]
    for key, value in result.account.items():
        assert row[f"account.{key}"] == float(value)


def test_mapping_figures_agree_with_a_direct_run(stream):
    row = sweep(stream, {"streams.clicks.shards": [2], "seed": 9}).iloc[0]
    result = run_scenario(stream.with_values({"streams.clicks.shards": 2}), 9)
    assert row["consumer.max_iterator_age"] == result.mappings["clicks"]["max_iterator_age"] > 0
    assert row["consumer.invocations"] == result.function("consumer")["invocations"] > 0


def test_throttle_rate_does_not_increase_with_reserved_concurrency():
    one = parse_scenario(BASE.split("[[functions]]\nname = \"jobs\"")[0].replace("rate_per_s = 100,", "rate_per_s = 200,"))
    levels = [1, 2, 5, 10, 20, 40, 80]
    t = sweep(one, {RC: levels, "seed": [1, 2, 3]})
    rate = t["api.throttle_rate"].to_numpy()
    assert (np.diff(rate) <= 0).all(), rate
    assert rate[0] > 0.9 and rate[-1] < 0.01
    assert (np.diff(t["api.invocations"]) >= 0).all()
    assert (t["api.max_concurrency"] <= t[RC]).all()


def test_a_point_aws_refuses_is_an_error_row(sc):
    grid = {RC: [50, 150, 100], "functions.jobs.memory_mb": [128, 64], "seed": [1, 2]}
    t = sweep(sc, grid)
    assert t["error"][2] == f"InvalidParameterValueException: {RC_MIN_100}"  # 150, 128
    assert t["error"][1] == t["error"][3] == f"ValidationException: {MEMORY_64}"
    bad = t["error"].notna()
    assert bad.tolist() == [False, True, True, True, False, True]
    figures = [c for c in t.columns if c.startswith(("api.", "jobs.", "account.", "cost"))]
    assert t.loc[bad, figures].isna().all().all()
    assert t.loc[~bad, figures].notna().all().all()
    assert t["runs"].tolist() == [2, 0, 0, 0, 2, 0]
    per = sweep(sc, grid, per_seed=True)
    assert per["error"].notna().tolist() == [x for x in bad for _ in range(2)]
    every = sweep(sc, {RC: [150, 190], "seed": [1, 2]})  # no point runs: a table of errors
    assert every["runs"].tolist() == [0, 0] and every["error"].str.startswith("InvalidParameterValue").all()


# -- determinism ---------------------------------------------------------------------------------


def test_the_table_does_not_depend_on_the_executor(sc, full, monkeypatch):
    per = sweep(sc, GRID, per_seed=True)
    pd.testing.assert_frame_equal(sweep(sc, GRID, 2), full, check_exact=True)
    with cf.ThreadPoolExecutor(2) as pool:
        pd.testing.assert_frame_equal(sweep(sc, GRID, pool), full, check_exact=True)
        pd.testing.assert_frame_equal(sweep(sc, GRID, pool, per_seed=True), per, check_exact=True)
        monkeypatch.setattr(sweep_module, "_CHUNK_SECONDS", 1e-9)  # one run per chunk: any order
        pd.testing.assert_frame_equal(sweep(sc, GRID, pool), full, check_exact=True)


# -- the per-run file, interruption, resume -------------------------------------------------------


def read(path):
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


@pytest.fixture(params=["csv", "parquet"])
def out(request, tmp_path):
    if request.param == "parquet":
        pytest.importorskip("pyarrow")
    return tmp_path / f"runs.{request.param}"


def test_the_file_holds_one_row_per_run(sc, full, out):
    pd.testing.assert_frame_equal(sweep(sc, GRID, out=out), full, check_exact=True)
    f = read(out)
    assert f["run"].tolist() == list(range(N_RUNS))
    assert f["point"].tolist() == [i // 2 for i in range(N_RUNS)]
    assert f["seed"].tolist() == [1, 2] * 6
    assert f["traffic"].tolist() == [1.0, 1.0, 2.0, 2.0] * 3
    per = sweep(sc, GRID, per_seed=True)
    for column in per.columns:
        if column != "error":
            np.testing.assert_array_equal(f[column].to_numpy(), per[column].to_numpy(), err_msg=column)
    assert f["error"].notna().tolist() == [True] * 4 + [False] * 8


def interrupt_after(k):
    def progress(done, total):
        assert total == N_RUNS
        if done >= k:
            raise KeyboardInterrupt
    return progress


@pytest.mark.parametrize("k", [5, 9])
def test_an_interrupted_sweep_keeps_its_runs_and_resumes(sc, full, out, k, monkeypatch):
    monkeypatch.setattr(sweep_module, "_CHUNK_SECONDS", 1e-9)  # one run per chunk
    with pytest.raises(KeyboardInterrupt):
        sweep(sc, GRID, out=out, progress=interrupt_after(k))
    assert read(out)["run"].tolist() == list(range(k))
    calls = []
    resumed = sweep(sc, GRID, out=out, resume=True, progress=lambda d, t: calls.append(d))
    assert calls == list(range(k, N_RUNS + 1))  # only the other runs ran
    pd.testing.assert_frame_equal(resumed, full, check_exact=True)
    f = read(out)
    assert f["run"].tolist() == list(range(N_RUNS)) and "api.cost" in f.columns
    # the completed file resumes to the same table without running anything
    pd.testing.assert_frame_equal(sweep(sc, GRID, out=out, resume=True), full, check_exact=True)


def test_resume_after_only_error_rows_keeps_the_figures(sc, full, out, monkeypatch):
    monkeypatch.setattr(sweep_module, "_CHUNK_SECONDS", 1e-9)
    with pytest.raises(KeyboardInterrupt):
        sweep(sc, GRID, out=out, progress=interrupt_after(1))  # run 0 is an error (reserved 150)
    # the file held no figure column: the resumed runs' figures must still reach it
    pd.testing.assert_frame_equal(sweep(sc, GRID, out=out, resume=True), full, check_exact=True)
    assert "api.cost" in read(out).columns and read(out)["run"].tolist() == list(range(N_RUNS))
    pd.testing.assert_frame_equal(sweep(sc, GRID, out=out, resume=True), full, check_exact=True)


def test_resume_against_another_sweeps_file_is_a_usage_error(sc, out):
    sweep(sc, GRID, out=out)
    for other in ({**GRID, RC: [150, 5, 21]}, {**GRID, "seed": [1, 3]}, {"functions.api.memory_mb": [128], "seed": [1]}):
        with pytest.raises(UsageError, match="holds runs of another sweep"):
            sweep(sc, other, out=out, resume=True)


def test_resume_against_a_file_of_other_traffic_is_a_usage_error(sc, out):
    sweep(sc, GRID, out=out)
    with pytest.raises(UsageError, match="holds runs of another sweep"):
        t = sweep(sc, {**GRID, "traffic": [1, 3]}, out=out, resume=True)
        assert t["traffic"].tolist() == [1.0, 3.0] * 3, "the table reports traffic 2, the old file's"


def test_the_files_suffix_and_resume_need_a_file(sc, tmp_path):
    with pytest.raises(UsageError, match="csv or a .parquet"):
        sweep(sc, GRID, out=tmp_path / "runs.json")
    with pytest.raises(UsageError, match="resume=True needs out=FILE"):
        sweep(sc, GRID, resume=True)
    t = sweep(sc, {RC: [5]}, out=tmp_path / "new.csv", resume=True)  # nothing to resume: runs it all
    assert len(read(tmp_path / "new.csv")) == 1 and t["api.invocations"][0] > 0


# -- errors --------------------------------------------------------------------------------------


PCT = (5, 50, 95)
BAD = [
    ({RC: []}, None, PCT, UsageError, "has no values"),
    ([(RC, 5)], None, PCT, UsageError, "grid must be a mapping"),
    *(({"seed": seed}, None, PCT, UsageError, "a seed must be") for seed in (-1, 2**64, 1.5, True, "1")),
    *(({"traffic": t}, None, PCT, ScenarioError, "traffic must be a positive number") for t in (0, [1, -1], "x")),
    ({"functions.api.memory_mb": "big"}, None, PCT, UsageError, "must be an int"),
    ({"bogus": 1}, None, PCT, ScenarioError, "names nothing"),
    ({"functions.api.nofield": 1}, None, PCT, ScenarioError, "no field"),
    *(({RC: 5}, executor, PCT, UsageError, "executor must be") for executor in ("x", 0, -2, True, 1.5)),
    *(({RC: 5, "seed": [1, 2]}, None, (p,), UsageError, "a percentile is a number") for p in (101, -1, True, "50")),
]


@pytest.mark.parametrize("grid, executor, percentiles, error, match", BAD)
def test_bad_arguments_fail_the_sweep(sc, grid, executor, percentiles, error, match):
    with pytest.raises(error, match=match):
        sweep(sc, grid, executor, percentiles=percentiles)


@pytest.mark.parametrize("path", ["functions.nope.memory_mb", "functions.api.workload.3.rate_per_s",
                                  "functions.jobs.workload.0.bursts.5.count", "streams.x.shards", "functions.api."])
def test_a_path_that_names_nothing_fails_the_sweep(sc, path):
    # not an error row per point: no value of such a path can run
    with pytest.raises(ScenarioError, match="^'" + path.replace(".", r"\.")):
        sweep(sc, {path: [1, 2]})


def test_a_scenario_with_a_trace_workload_sweeps_on_processes(tmp_path: Path) -> None:
    # the trace travels with the scenario (pickled once per worker) and scales with the traffic
    from tests.replay import files as F

    F.azure2021(tmp_path)
    (tmp_path / "t.toml").write_text(
        '[[functions]]\nname = "api"\ntimeout_s = 30\n[[functions.workload]]\ntrace = "azure.csv"\n')
    sc = lc.Scenario.load(tmp_path / "t.toml")
    grid = {"functions.api.memory_mb": [128, 256], "traffic": [1.0, 2.0]}
    serial = sweep(sc, grid)
    pooled = sweep(sc, grid, executor=2)
    pd.testing.assert_frame_equal(serial, pooled)
    assert list(serial["api.invocations"]) == [4.0, 4.0, 4.0, 4.0]
