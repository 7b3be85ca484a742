"""Episode steps per second of lambda_core.gym.ConcurrencyEnv (docs/control.md, "Speed").

    python benches/bench_gym.py [--episodes 20] [--traffic 1] [--traffic 0.25 ...]

Runs the example scenario (lambda_core.gym.EXAMPLE_SCENARIO_TOML: two functions, one hour in
60-s steps, ~1300 requests a step) under each policy and prints, per policy, the mean return
and bill of an episode and the speed: steps per second of the steps alone, and of whole
episodes (resets included: a reset generates the workload of its seed). The last row is the
engine alone (``Simulator.advance`` in the same 60-s steps, no environment), the floor under
a step's time. ``--traffic F`` scales every generator's rate (``Scenario.with_traffic``).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import lambda_core as lc
import lambda_core.gym as lcg


def _policies(env: lcg.ConcurrencyEnv) -> dict[str, lcg.Policy]:
    return {
        "static (the scenario's configuration)": lcg.StaticPolicy(env),
        "target tracking at 70 % (baseline)": lcg.TargetTrackingPolicy(env, target=0.7),
        "random": lcg.RandomPolicy(env, seed=0),
        "random provisioned, reservations kept": lcg.RandomPolicy(env, seed=0, keep_reserved=True),
    }


def run(policy: lcg.Policy, env: lcg.ConcurrencyEnv, episodes: int, seed: int) -> dict[str, Any]:
    """Per episode, the mean return and bill; the time in steps and in resets."""
    stepping = resetting = 0.0
    steps = 0
    ret = cost = throttles = cold_starts = refused = 0.0
    for episode in range(episodes):
        t0 = time.perf_counter()
        observation, info = env.reset(seed=seed + episode)
        policy.reset()
        resetting += time.perf_counter() - t0
        done = False
        while not done:
            t0 = time.perf_counter()
            observation, reward, terminated, truncated, info = env.step(policy(observation, info))
            stepping += time.perf_counter() - t0
            steps += 1
            ret += reward
            cost += info["cost"]
            throttles += info["throttles"]
            cold_starts += info["cold_starts"]
            refused += len(info["refused"])
            done = terminated or truncated
    return {"return": ret / episodes, "cost": cost / episodes, "throttles": throttles / episodes,
            "cold starts": cold_starts / episodes, "refused": refused / episodes,
            "steps/s": steps / stepping, "episode steps/s": steps / (stepping + resetting), "steps": steps}


def engine_alone(scenario: lc.Scenario, episodes: int, seed: int, period_s: float, horizon_s: float) -> float:
    """Steps per second of ``Simulator.advance`` in the environment's steps, the workload generated
    beforehand."""
    workloads = [scenario.generate(seed + e) for e in range(episodes)]
    began = time.perf_counter()
    steps = 0
    for e, workload in enumerate(workloads):
        sim = lc.Simulator(scenario.account, scenario.functions, seed=seed + e, metrics_period_s=period_s)
        sim.submit(workload)
        t = 0.0
        while t < horizon_s:
            t = min(horizon_s, t + period_s)
            sim.advance(t, requests=False)
            steps += 1
    return steps / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--traffic", type=float, action="append", help="traffic factor (repeatable; default 1)")
    args = parser.parse_args()
    for factor in args.traffic or [1.0]:
        scenario = lcg.example_scenario().with_traffic(factor)
        env = lcg.ConcurrencyEnv(scenario, control=["orders", "payments"], period_s=60, reward="cost+throttles")
        requests = scenario.expected_requests() / env.n_steps
        print(f"\ntraffic x{factor:g}: {env.n_steps} steps an episode, ~{requests:.0f} requests a step, "
              f"{args.episodes} episodes (seeds {args.seed}..{args.seed + args.episodes - 1})")
        print("| policy | return | cost (USD) | throttles | cold starts | refused changes | steps/s | steps/s with resets |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, policy in _policies(env).items():
            run(policy, env, 1, args.seed)  # warm up
            r = run(policy, env, args.episodes, args.seed)
            print(f"| {name} | {r['return']:.1f} | {r['cost']:.4f} | {r['throttles']:.0f} | "
                  f"{r['cold starts']:.0f} | {r['refused']:.0f} | "
                  f"{r['steps/s']:,.0f} | {r['episode steps/s']:,.0f} |")
        rate = engine_alone(scenario, args.episodes, args.seed, env.period_s, env.horizon_s)
        print(f"| (the engine alone: Simulator.advance, 60-s steps) | | | | | | {rate:,.0f} | |")


if __name__ == "__main__":
    main()
