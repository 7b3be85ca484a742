"""The Gymnasium environment (lambda_core.gym, docs/control.md): it passes Gymnasium's checker,
episodes are a pure function of (seed, actions), actions change the configuration with AWS's
checks at their instant (a refused one is skipped and reported), the per-period cost adds up to
the bill, and the target-tracking baseline decides as the simulator's autoscaler does and
beats random actions."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

gymnasium = pytest.importorskip("gymnasium")

import lambda_core as lc  # noqa: E402
import lambda_core.gym as lcg  # noqa: E402
from gymnasium.utils.env_checker import check_env  # noqa: E402


def _env(**kw: Any) -> lcg.ConcurrencyEnv:
    kw.setdefault("control", ["orders", "payments"])
    kw.setdefault("period_s", 60)
    return lcg.ConcurrencyEnv(lcg.example_scenario(), **kw)


def _episode(env: lcg.ConcurrencyEnv, policy: lcg.Policy, seed: int) -> list[tuple[Any, ...]]:
    """Every step of one episode: (observation, reward, terminated, truncated, info)."""
    observation, info = env.reset(seed=seed)
    policy.reset()
    steps: list[tuple[Any, ...]] = [(observation, info)]
    done = False
    while not done:
        observation, reward, terminated, truncated, info = env.step(policy(observation, info))
        steps.append((observation, reward, terminated, truncated, info))
        done = terminated or truncated
    return steps


def test_gymnasiums_checker_passes_without_a_warning() -> None:
    env = gymnasium.make(lcg.ENV_ID, scenario=lcg.example_scenario(), control=["orders", "payments"],
                         render_mode="ansi")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(env.unwrapped)
    assert [str(w.message) for w in caught] == []


def test_registered_under_its_id_and_made_with_keyword_arguments() -> None:
    assert lcg.ENV_ID == "lambda_core/Concurrency-v0" and lcg.ENV_ID in gymnasium.registry
    env = gymnasium.make("lambda_core/Concurrency-v0", scenario=lcg.example_scenario(), control=["orders"],
                         actions="provisioned", reward="cost")
    assert isinstance(env.unwrapped, lcg.ConcurrencyEnv)
    observation, _ = env.reset(seed=1)
    assert observation.shape == (len(lcg.FEATURES) + 1,) and observation.dtype == np.float32
    assert env.action_space.shape == (1,)
    _, reward, terminated, truncated, info = env.step(env.unwrapped.action())
    assert reward == pytest.approx(-100 * info["cost"]) and not terminated and not truncated


def test_import_lambda_core_does_not_import_gymnasium() -> None:
    code = "import sys, lambda_core; assert 'gymnasium' not in sys.modules, 'gymnasium imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_scenario_file_works_as_a_scenario(tmp_path: Path) -> None:
    path = tmp_path / "control.toml"
    path.write_text(lcg.EXAMPLE_SCENARIO_TOML)
    by_path, by_object = lcg.ConcurrencyEnv(path, control=["orders"]), _env(control=["orders"])
    a, b = by_path.reset(seed=4)[0], by_object.reset(seed=4)[0]
    action = by_path.action(provisioned={"orders": 12})
    assert np.array_equal(a, b)
    assert np.array_equal(by_path.step(action)[0], by_object.step(action)[0])


def test_the_same_seed_and_actions_give_the_same_trajectory() -> None:
    first = _episode(_env(), lcg.RandomPolicy(_env(), seed=7), seed=11)
    second = _episode(_env(), lcg.RandomPolicy(_env(), seed=7), seed=11)
    assert len(first) == len(second) == 61
    for x, y in zip(first, second):
        assert np.array_equal(x[0], y[0])
        assert x[1:] == y[1:]  # rewards, flags and infos: exactly equal
    other = _episode(_env(), lcg.RandomPolicy(_env(), seed=7), seed=12)
    assert [s[1] for s in other[1:]] != [s[1] for s in first[1:]]


def test_resets_without_a_seed_follow_the_first_seed() -> None:
    a, b = _env(), _env()
    a.reset(seed=3)
    b.reset(seed=3)
    assert a.reset()[1]["seed"] == b.reset()[1]["seed"] != 3


def test_an_episode_is_horizon_over_period_steps_and_ends_truncated() -> None:
    env = _env(horizon_s=600)
    steps = _episode(env, lcg.StaticPolicy(env), seed=0)
    assert env.n_steps == 10 and len(steps) == 11
    assert [s[3] for s in steps[1:]] == [False] * 9 + [True]
    assert not any(s[2] for s in steps[1:])
    assert steps[-1][4]["time"] == 600.0
    with pytest.raises(lc.UsageError, match="call reset"):
        env.step(env.action())
    assert _env(period_s=70, horizon_s=600).n_steps == 9  # a partial last period


def test_observations_stay_in_the_space_under_random_actions() -> None:
    env = _env()
    for observation, *_ in _episode(env, lcg.RandomPolicy(env, seed=1), seed=5):
        assert env.observation_space.contains(observation)


def test_provisioned_concurrency_set_by_an_action_is_usable_after_ready_s() -> None:
    env = _env(control=["orders"], actions="provisioned")
    observation, info = env.reset(seed=2)
    assert (info["provisioned"], info["provisioned_ready"], info["reserved"]) == ({"orders": 5}, {"orders": 5}, {"orders": 100})
    cold = []
    for step in range(30):
        provisioned = {"orders": 30} if step >= 18 else None  # from minute 18, before the rush at 20
        observation, _, _, _, info = env.step(env.action(provisioned=provisioned))
        cold.append(info["cold_starts"])
        if step == 18:
            assert info["provisioned"] == {"orders": 30} and info["provisioned_ready"] == {"orders": 5}
        if step == 20:  # 120 s later: all 30 usable
            assert info["provisioned_ready"] == {"orders": 30}
    i = lcg.FEATURES.index
    assert observation[i("provisioned")] == observation[i("provisioned_ready")] == pytest.approx(0.3)
    # the rush (about 15 executions) runs on the 30 provisioned environments: below 100 % busy,
    # and without the cold starts the same rush pays on demand
    assert 0.3 < info["utilization"]["orders"] < 0.8
    static = _episode(env, lcg.StaticPolicy(env), seed=2)
    assert sum(cold[20:30]) == 0 and sum(s[4]["cold_starts"] for s in static[21:31]) >= 10
    assert [(c.time, c.action, c.provisioned, c.provisioned_ready) for c in env.sim.changes] == []  # static
    env.reset(seed=2)
    env.step(env.action(provisioned={"orders": 30}))
    assert [(c.time, c.action, c.provisioned, c.provisioned_ready) for c in env.sim.changes] == [
        (0.0, "provisioned", 30, 5)]


def test_a_refused_action_is_skipped_reported_and_penalised() -> None:
    env = _env(refusal_penalty=1.0)
    env.reset(seed=0)
    # payments reserving 850 would leave 1000 - 100 - 850 = 50 unreserved, below AWS's minimum
    action = env.action(reserved={"payments": 850})
    _, reward, _, _, info = env.step(action)
    [refusal] = info["refused"]
    assert (refusal["function"], refusal["action"], refusal["value"], refusal["error"], refusal["by"]) == (
        "payments", "reserved", 850, "InvalidParameterValueException", "agent")
    assert "UnreservedConcurrentExecution below its minimum value of [100]" in refusal["message"]
    assert info["reserved"] == {"orders": 100, "payments": None}
    assert reward == pytest.approx(-(100 * info["cost"] + 0.01 * info["throttles"] + 1.0))
    # provisioned above the reservation the same action lowers: the reservation is made first
    # (it shrinks), then the increase is refused with AWS's text; the episode goes on
    _, _, _, _, info = env.step(env.action(provisioned={"orders": 50}, reserved={"orders": 20}))
    [refusal] = info["refused"]
    assert (refusal["function"], refusal["action"], refusal["value"]) == ("orders", "provisioned", 50)
    assert "should not be greater than the reservedConcurrentExecution" in refusal["message"]
    assert info["reserved"]["orders"] == 20 and info["provisioned"]["orders"] == 5
    _, _, _, _, info = env.step(env.action())
    assert info["refused"] == [] and info["time"] == 180.0


def test_the_largest_reservation_index_means_no_reservation() -> None:
    env = _env(control=["orders"], max_reserved=200)
    assert list(env.action_space.nvec) == [101, 202]
    env.reset(seed=0)
    _, _, _, _, info = env.step(np.array([0, 201]))
    assert info["reserved"] == {"orders": None} and info["provisioned"] == {"orders": 0}
    observation = env.step(np.array([0, 40]))[0]
    i = lcg.FEATURES.index
    assert (observation[i("reserved")], observation[i("unreserved")]) == (pytest.approx(0.2), 0.0)
    assert env.decode(np.array([3, 201])) == {"orders": (3, None)}


def test_the_cost_of_the_periods_adds_up_to_the_bill() -> None:
    prices = lc.Prices(provisioned_step_s=0)  # the bill's allocation not rounded up, as the env's
    for policy in (lcg.StaticPolicy, lcg.TargetTrackingPolicy):
        env = _env()
        steps = _episode(env, policy(env), seed=6)
        bill = env.sim.stats(env.sim.now).cost(prices)
        assert math.fsum(s[4]["cost"] for s in steps[1:]) == pytest.approx(bill.total, rel=1e-9)
        assert env.episode_cost == pytest.approx(bill.total, rel=1e-9)


def test_the_baseline_decides_as_the_simulators_autoscaler() -> None:
    env = _env()
    _episode(env, lcg.TargetTrackingPolicy(env, target=0.7, min=1), seed=3)
    scenario = lcg.example_scenario()
    sim = scenario.simulator(seed=3)
    for name in env.control:
        sim.autoscale(name, min=1, max=env.max_provisioned[name], target=0.7)
    sim.submit(scenario.generate(3))
    sim.advance(3600)
    made = [(c.time, c.function, c.action, c.provisioned, c.provisioned_ready) for c in env.sim.changes]
    assert made == [(c.time, c.function, c.action, c.provisioned, c.provisioned_ready) for c in sim.changes]
    assert len(made) > 10
    assert np.array_equal(env.sim.stats(3600).functions["billed_duration_ms"],
                          sim.stats(3600).functions["billed_duration_ms"])


def test_the_baseline_beats_random_actions() -> None:
    env = _env()
    baseline = lcg.evaluate(env, lcg.TargetTrackingPolicy(env), episodes=3, seed=0)
    random = lcg.evaluate(env, lcg.RandomPolicy(env, seed=0), episodes=3, seed=0)
    random_provisioned = lcg.evaluate(env, lcg.RandomPolicy(env, seed=0, keep_reserved=True), episodes=3, seed=0)
    # measured (docs/control.md): baseline −65 a episode ($0.65, no throttle), random −170 ($1.6,
    # ~50 throttles, ~90 refused changes), random provisioned −250 ($2.3, ~1000 throttles)
    assert baseline.throttles == 0 and baseline.refused == 0 and baseline.steps == 180
    assert -75 < baseline.reward < -55
    assert random.reward < 2 * baseline.reward and random_provisioned.reward < 2 * baseline.reward
    assert random.cost > 1.5 * baseline.cost and random.refused > 20


def test_bad_arguments_are_refused_with_their_names() -> None:
    with pytest.raises(lc.UsageError, match="no function named 'nobody'"):
        _env(control=["nobody"])
    with pytest.raises(lc.UsageError, match="unknown term 'latency'"):
        _env(reward="cost+latency")
    with pytest.raises(lc.UsageError, match="period_s"):
        _env(period_s=0)
    with pytest.raises(lc.UsageError, match="free tier"):
        _env(prices=lc.Prices(free_tier=True))
    autoscaled = lc.parse_scenario(lcg.EXAMPLE_SCENARIO_TOML + "\n[[autoscaling]]\nfunction = \"orders\"\n"
                                   "min = 1\nmax = 50\ntarget = 0.7\n")
    with pytest.raises(lc.UsageError, match="autoscales 'orders'"):
        lcg.ConcurrencyEnv(autoscaled, control=["orders"])
    env = _env()
    with pytest.raises(lc.UsageError, match="reset"):
        env.step(env.action())
