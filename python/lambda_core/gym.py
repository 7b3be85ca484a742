"""A Gymnasium environment for concurrency-control research (docs/control.md).

:class:`ConcurrencyEnv` runs a scenario period by period: at the start of each period the agent
sets the provisioned (and, optionally, the reserved) concurrency of the functions it controls,
with AWS's checks at that instant (docs/model.md §16); the period is simulated; the agent
observes the period's metrics and is rewarded with minus its bill and its throttles.

>>> import lambda_core as lc
>>> import lambda_core.gym
>>> env = lc.gym.ConcurrencyEnv(lc.gym.example_scenario(), control=["orders", "payments"])
>>> observation, info = env.reset(seed=0)

The environment is registered as ``"lambda_core/Concurrency-v0"`` when this module is imported
(``gymnasium.make("lambda_core/Concurrency-v0", scenario=..., control=[...])``). Gymnasium is an
optional dependency: ``import lambda_core`` does not import it, this module does.

Also here: :class:`TargetTrackingPolicy`, the baseline (Application Auto Scaling's target
tracking, :class:`~lambda_core._model.autoscaling.TargetTracking`, fed each period's
utilisation), :class:`RandomPolicy`, :class:`StaticPolicy` and :func:`evaluate`.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time as _time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import gymnasium
import numpy as np
import numpy.typing as npt
from gymnasium import spaces

from ._controls import PROVISIONED_READY_S
from ._model import Function, InvocationType, Prices, Records, Workload, plan_pools
from ._model.autoscaling import TargetTracking
from ._model.bill import usage_cost
from ._simulator import Simulator
from .errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    UsageError,
    ValidationException,
)
from ._gym_policies import (
    Evaluation,
    Policy,
    RandomPolicy,
    StaticPolicy,
    TargetTrackingPolicy,
    evaluate,
    per_function,
)
from .scenarios import Scenario, load_scenario, parse_scenario

__all__ = [
    "ENV_ID",
    "EXAMPLE_SCENARIO_TOML",
    "FEATURES",
    "REWARD_TERMS",
    "ConcurrencyEnv",
    "Evaluation",
    "Policy",
    "RandomPolicy",
    "StaticPolicy",
    "TargetTrackingPolicy",
    "evaluate",
    "example_scenario",
]

#: The id the environment is registered under.
ENV_ID = "lambda_core/Concurrency-v0"

#: The observation's features of each controlled function, in order (docs/control.md).
FEATURES = ("concurrency", "throttle_rate", "utilization", "cold_start_rate", "age",
            "provisioned", "provisioned_ready", "reserved", "unreserved")
#: The terms a ``reward`` may add up (``"cost+throttles"``, ``"cost"``, ...).
REWARD_TERMS = ("cost", "throttles", "cold_starts")

# the AWS refusals of a change: the change is not made, the step goes on
_REFUSALS = (InvalidParameterValueException, ValidationException, ResourceConflictException)

#: A small scenario for examples, tests and the benchmark (docs/control.md): an hour of
#: ``orders`` (reserved 100, 5 provisioned, a 20-minute rush that triples its traffic) and
#: ``payments`` (unreserved, steady), with ~900 requests a minute outside the rush.
EXAMPLE_SCENARIO_TOML = """\
name = "control"
description = "orders (RC 100, PC 5) with a rush from minute 20 to 40; payments steady"
until = 3600
metrics_period_s = 60

[account]
concurrency_limit = 1000

[[functions]]
name = "orders"
memory_mb = 1024
timeout_s = 10
init_s = 0.8
reserved_concurrency = 100
provisioned_concurrency = 5

[[functions.workload]]
arrivals = "bursty"
rate_per_s = 10
end_s = 3600
bursts = [{ at_s = 1200, count = 24000, over_s = 1200 }]
duration = { dist = "lognormal", median_s = 0.5, sigma = 0.4 }

[[functions]]
name = "payments"
memory_mb = 512
timeout_s = 15
init_s = 0.5

[[functions.workload]]
arrivals = "poisson"
rate_per_s = 5
end_s = 3600
duration = { dist = "lognormal", median_s = 0.4, sigma = 0.5 }
"""


def example_scenario() -> Scenario:
    """The scenario of :data:`EXAMPLE_SCENARIO_TOML`."""
    return parse_scenario(EXAMPLE_SCENARIO_TOML)


# -- the environment -----------------------------------------------------------------------------

_COUNTERS = ("invocations", "throttles", "cold_starts", "billed_duration_ms", "provisioned_billed_duration_ms")


class ConcurrencyEnv(gymnasium.Env[npt.NDArray[np.float32], npt.NDArray[np.int64]]):
    """Concurrency control of a scenario's functions, one period at a time (docs/control.md).

    Args:
        scenario: a :class:`~lambda_core.Scenario`, or the path of a scenario file.
        control: the names of the functions the agent controls (in action order).
        period_s: the length of a step, in simulated seconds (60: CloudWatch's period and
            Application Auto Scaling's data point).
        reward: ``"+"``-joined terms of :data:`REWARD_TERMS`: the reward of a step is
            ``−(cost_weight × USD + throttle_weight × throttles + cold_start_weight × cold starts)``
            over the terms named, minus ``refusal_penalty`` per refused change; the bill and the
            counts are the account's (every function, controlled or not).
        actions: ``"provisioned+reserved"`` (default) or ``"provisioned"``: what the action sets.
        max_provisioned: per controlled function (one int for all, or a mapping by name), the
            largest provisioned concurrency the action can ask for; default the function's
            reservation in the scenario, or, without one, the account's unreserved capacity
            minus its minimum (100 by default; at least 1).
        max_reserved: likewise, the largest reservation; default the account's limit minus its
            unreserved minimum.
        horizon_s: the episode's simulated length; default the scenario's ``until``, else its
            last arrival (with the scenario's seed) rounded up to a period.
        ready_s: the time new provisioned environments take to become usable (§16).
        cost_weight, throttle_weight, cold_start_weight, refusal_penalty: the reward's weights
            (defaults: the reward is in US cents, a throttle costs 0.01 cent, a cold start 0).
        prices: the price list (:class:`~lambda_core.Prices`; default us-east-1's list prices;
            the free tier is not supported).
        render_mode: ``None`` or ``"ansi"`` (:meth:`render` returns the last step as text).

    The action is a ``MultiDiscrete`` vector: ``a[i]`` is the provisioned concurrency of
    ``control[i]`` (0 deletes it), then, with reservations, ``a[k + i]`` its reservation, where
    the largest value, ``max_reserved + 1``, means "no reservation" (the unreserved pool). The
    observation is a ``float32`` ``Box`` of :data:`FEATURES` per controlled function, then the
    episode's progress (now / horizon). An episode is ``ceil(horizon_s / period_s)`` steps and
    ends with ``truncated=True``; it never terminates. ``reset(seed=s)`` generates the
    workload and seeds the simulator with ``s`` (without one, the seed is drawn from
    :attr:`np_random`): the same seed and actions give the same trajectory.
    """

    metadata: dict[str, Any] = {"render_modes": ["ansi"], "render_fps": 1}

    def __init__(
        self,
        scenario: Scenario | str | os.PathLike[str],
        control: Sequence[str],
        period_s: float = 60.0,
        reward: str = "cost+throttles",
        *,
        actions: str = "provisioned+reserved",
        max_provisioned: int | Mapping[str, int] | None = None,
        max_reserved: int | Mapping[str, int] | None = None,
        horizon_s: float | None = None,
        ready_s: float = PROVISIONED_READY_S,
        cost_weight: float = 100.0,
        throttle_weight: float = 0.01,
        cold_start_weight: float = 0.0,
        refusal_penalty: float = 0.0,
        prices: Prices | None = None,
        render_mode: str | None = None,
    ) -> None:
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(os.fspath(scenario))
        self.scenario = scenario
        names = [f.name for f in scenario.functions]
        if isinstance(control, str):
            control = [control]
        self.control: tuple[str, ...] = tuple(control)
        if not self.control:
            raise UsageError("control: name at least one function")
        for name in self.control:
            if name not in names:
                raise UsageError(f"control: no function named {name!r} (functions: {', '.join(names)})")
        if len(set(self.control)) != len(self.control):
            raise UsageError(f"control: a function is named twice: {list(self.control)}")
        for scaling in scenario.autoscaling:
            if scaling.function in self.control:
                raise UsageError(f"the scenario autoscales {scaling.function!r}, a controlled function: "
                                 "remove its [[autoscaling]] table (the agent sets its provisioned concurrency)")
        if isinstance(period_s, bool) or not isinstance(period_s, (int, float)) or not 0 < period_s < math.inf:
            raise UsageError(f"period_s must be a positive number of seconds, got {period_s!r}")
        self.period_s = float(period_s)
        terms = tuple(t.strip() for t in reward.split("+"))
        for t in terms:
            if t not in REWARD_TERMS:
                raise UsageError(f"reward: unknown term {t!r} in {reward!r} (terms: {', '.join(REWARD_TERMS)})")
        self.reward_name = reward
        self._terms = frozenset(terms)
        if actions not in ("provisioned+reserved", "provisioned"):
            raise UsageError(f"actions must be 'provisioned+reserved' or 'provisioned', got {actions!r}")
        self.reserves = actions == "provisioned+reserved"
        self.prices = Prices() if prices is None else prices
        if self.prices.free_tier:
            raise UsageError("ConcurrencyEnv prices each period on its own: a price list with the free tier "
                             "is not supported")
        self.ready_s = ready_s
        self.cost_weight = float(cost_weight)
        self.throttle_weight = float(throttle_weight)
        self.cold_start_weight = float(cold_start_weight)
        self.refusal_penalty = float(refusal_penalty)
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise UsageError(f"render_mode must be None or 'ansi', got {render_mode!r}")
        self.render_mode = render_mode

        self._index = {n: i for i, n in enumerate(names)}
        self._controlled = np.array([self._index[n] for n in self.control], dtype=np.int64)
        account = scenario.account
        plan = plan_pools(account, scenario.functions)
        limit = account.concurrency_limit
        spare = max(1, plan.unreserved_capacity - plan.min_unreserved)
        self.max_provisioned = per_function("max_provisioned", max_provisioned, self.control, {
            n: max(1, scenario.functions[self._index[n]].reserved_concurrency or spare) for n in self.control})
        self.max_reserved = per_function("max_reserved", max_reserved, self.control,
                                          {n: max(1, limit - plan.min_unreserved) for n in self.control})
        k = len(self.control)
        nvec = [self.max_provisioned[n] + 1 for n in self.control]
        if self.reserves:
            nvec += [self.max_reserved[n] + 2 for n in self.control]
        self._nvec = np.array(nvec, dtype=np.int64)
        self.action_space = spaces.MultiDiscrete(self._nvec, dtype=np.int64)
        self._n_observation = k * len(FEATURES) + 1
        self._scale = np.array([max(1, self.max_provisioned[n]) for n in self.control], dtype=np.float64)
        self._reserved_scale = np.array([max(1, self.max_reserved[n]) for n in self.control], dtype=np.float64)
        high = np.ones((k, len(FEATURES)), dtype=np.float32)
        high[:, 0] = np.float32(limit) / self._scale.astype(np.float32)  # mean executions ≤ the account's limit
        high[:, 7] = np.maximum(1.0, np.float32(limit) / self._reserved_scale.astype(np.float32))
        self.observation_space = spaces.Box(
            low=np.zeros(k * len(FEATURES) + 1, dtype=np.float32),
            high=np.concatenate([high.reshape(-1), np.ones(1, dtype=np.float32)]),
            dtype=np.float32)
        self._high = self.observation_space.high

        # the age feature reads the per-period series: only for functions invoked asynchronously
        self._async = [any(spec.invocation_type == InvocationType.EVENT for spec in scenario.workloads[self._index[n]])
                       for n in self.control]
        if horizon_s is None:
            horizon_s = scenario.until
        if horizon_s is None:
            last = scenario.generate().time
            horizon_s = math.ceil(float(last[-1]) / self.period_s) * self.period_s if len(last) else self.period_s
        if isinstance(horizon_s, bool) or not 0 < float(horizon_s) < math.inf:
            raise UsageError(f"horizon_s must be a positive number of seconds, got {horizon_s!r}")
        self.horizon_s = float(horizon_s)
        #: The episode's number of steps.
        self.n_steps = math.ceil(round(self.horizon_s / self.period_s, 9))
        self._inputs: OrderedDict[int, tuple[Workload, list[Records]]] = OrderedDict()
        self.sim: Simulator | None = None
        self.episode_seed: int | None = None
        self._last_text = ""

    # -- gymnasium's API ---------------------------------------------------------------------------

    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[npt.NDArray[np.float32], dict[str, Any]]:
        """A new episode: the scenario's workload for the episode's seed (``seed``, or one drawn
        from :attr:`np_random`), in a fresh simulator seeded alike."""
        super().reset(seed=seed)
        episode_seed = int(seed) if seed is not None else int(self.np_random.integers(0, 2**63 - 1))
        if episode_seed < 0:
            raise UsageError(f"seed must be >= 0, got {seed}")
        self.episode_seed = episode_seed
        workload, records = self._episode_inputs(episode_seed)
        s = self.scenario
        sim = Simulator(s.account, s.functions, seed=episode_seed, routing=s.routing,
                        client_retries=s.client_retries, mappings=s.mappings, metrics_period_s=self.period_s)
        for scaling in s.autoscaling:
            scaling.apply(sim)
        sim.submit(workload)
        for r in records:
            sim.submit_records(r)
        self.sim = sim
        self._changes = list(s.changes)  # made at their instants, step by step
        self._step = 0
        self._prev: dict[str, list[Any]] = {k: [0] * len(s.functions) for k in _COUNTERS}
        self._prev_prov: list[tuple[float, float]] = [(0.0, 0.0)] * len(s.functions)
        self._prev_cost = np.zeros(len(s.functions))
        self.episode_cost = 0.0
        self.episode_throttles = 0
        observation = np.zeros(self._n_observation, dtype=np.float32)
        self._fill_configuration(observation)
        info = self._info(utilization={n: None for n in self.control}, refused=[], cost=0.0,
                          costs={}, throttles=0, cold_starts=0, invocations=0)
        self._last_text = f"t=0 seed={episode_seed}"
        return observation, info

    def step(self, action: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.float32], float, bool, bool, dict[str, Any]]:
        """Makes the changes `action` asks for at the period's start (a refused one is not made
        and is listed in ``info["refused"]``), simulates the period, and observes it."""
        sim = self.sim
        if sim is None:
            raise UsageError("call reset() before step()")
        if self._step >= self.n_steps:
            raise UsageError("the episode is over (truncated): call reset()")
        a = np.asarray(action).reshape(-1)
        if a.shape != (len(self._nvec),):
            raise ValueError(f"action must have shape {(len(self._nvec),)}, got {np.asarray(action).shape}")
        start = sim.now
        end = min(self.horizon_s, (self._step + 1) * self.period_s)
        refused = self._act(sim, a)
        while self._changes and self._changes[0].at < end:  # the scenario's own changes
            change = self._changes.pop(0)
            try:
                change.apply(sim)
            except _REFUSALS as e:
                refused.append(_refusal(change.function, change.action, change.arguments.get("value"), e, "scenario"))
        while True:
            try:
                sim.advance(end, requests=False)
                break
            except _REFUSALS as e:  # a change refused at its instant (an autoscaler acted first)
                refused.append(_refusal("", "change", None, e, "at its instant"))
        self._step += 1
        observation, info = self._observe(sim, end - start, refused)
        terms = self._terms
        reward = -(self.cost_weight * info["cost"] * ("cost" in terms)
                   + self.throttle_weight * info["throttles"] * ("throttles" in terms)
                   + self.cold_start_weight * info["cold_starts"] * ("cold_starts" in terms)
                   + self.refusal_penalty * len(refused))
        truncated = self._step >= self.n_steps
        self._last_text = (f"t={end:g} reward={reward:.4f} cost=${info['cost']:.5f} throttles={info['throttles']} "
                           f"provisioned={info['provisioned']} reserved={info['reserved']}"
                           + (f" refused={len(refused)}" if refused else ""))
        return observation, float(reward), False, truncated, info

    def render(self) -> str | None:
        return self._last_text if self.render_mode == "ansi" else None

    def close(self) -> None:
        self.sim = None

    # -- actions -----------------------------------------------------------------------------------

    def action(self, provisioned: Mapping[str, int] | None = None,
               reserved: Mapping[str, int | None] | None = None) -> npt.NDArray[np.int64]:
        """The action that sets `provisioned` and `reserved` (``None``: no reservation) for the
        functions they name and keeps the others' configuration as it is."""
        provisioned = provisioned or {}
        reserved = reserved or {}
        config = self._configuration()
        k = len(self.control)
        a = np.zeros(len(self._nvec), dtype=np.int64)
        for i, n in enumerate(self.control):
            pc, rc = config[n]
            a[i] = min(self.max_provisioned[n], max(0, int(provisioned.get(n, pc))))
            if self.reserves:
                r = reserved.get(n, rc)
                a[k + i] = self.max_reserved[n] + 1 if r is None else min(self.max_reserved[n], max(0, int(r)))
        return a

    def decode(self, action: npt.ArrayLike) -> dict[str, tuple[int, int | None]]:
        """What `action` asks for: per controlled function, (provisioned, reserved or ``None``);
        without reservations in the action, the reservation in force."""
        a = np.asarray(action).reshape(-1)
        config = self._configuration()
        k = len(self.control)
        out: dict[str, tuple[int, int | None]] = {}
        for i, n in enumerate(self.control):
            pc = int(a[i])
            if self.reserves:
                r = int(a[k + i])
                out[n] = (pc, None if r > self.max_reserved[n] else r)
            else:
                out[n] = (pc, config[n][1])
        return out

    def _configuration(self) -> dict[str, tuple[int, int | None]]:
        functions = self.sim.configuration if self.sim is not None else self.scenario.functions
        return {n: (functions[self._index[n]].provisioned_concurrency or 0, functions[self._index[n]].reserved_concurrency)
                for n in self.control}

    def _act(self, sim: Simulator, action: npt.NDArray[Any]) -> list[dict[str, Any]]:
        """The changes `action` asks for, made now in an order that AWS's checks can accept:
        provisioned decreases, reservations that shrink or go, reservations that grow or come,
        provisioned increases. Each refused one is skipped and reported."""
        wanted = self.decode(action)
        current = self._configuration()
        refused: list[dict[str, Any]] = []

        def shrinks(old: int | None, new: int | None) -> bool:
            return new is None or (old is not None and new < old)

        plan: list[tuple[int, str, str, int | None]] = []
        for n in self.control:
            (pc, rc), (pc0, rc0) = wanted[n], current[n]
            if pc < pc0:
                plan.append((0, n, "provisioned", pc))
            if rc != rc0:
                plan.append((1 if shrinks(rc0, rc) else 2, n, "reserved", rc))
            if pc > pc0:
                plan.append((3, n, "provisioned", pc))
        plan.sort(key=lambda p: p[0])
        for _, n, what, value in plan:
            try:
                if what == "provisioned":
                    assert value is not None
                    sim.put_provisioned_concurrency(n, value, ready_s=self.ready_s)
                elif value is None:
                    sim.delete_function_concurrency(n)
                else:
                    sim.put_function_concurrency(n, value)
            except _REFUSALS as e:
                refused.append(_refusal(n, what, value, e, "agent"))
        return refused

    # -- observations ------------------------------------------------------------------------------

    def _observe(self, sim: Simulator, length: float,
                 refused: list[dict[str, Any]]) -> tuple[npt.NDArray[np.float32], dict[str, Any]]:
        # the whole-run counters, diffed (Simulator.stats() would build the metrics and the
        # rest of a Result too: several times slower)
        report = sim._engine.report(sim.now)["functions"]
        counts = {k: report[k].tolist() for k in _COUNTERS}
        prov = sim._engine.provisioned_seconds()  # (busy, usable) env-seconds, as provisioned_utilization
        functions = self.scenario.functions
        # the period's cost: the bill's formula (usage_cost) so far, less what it was before
        so_far = usage_cost(functions, report, [u for _, u in prov], self.prices)
        costs = {f.name: float(c) for f, c in zip(functions, so_far - self._prev_cost)}
        self._prev_cost = so_far
        delta = {k: [x - y for x, y in zip(counts[k], self._prev[k])] for k in _COUNTERS}
        self._prev = counts
        dprov = [(b - b0, u - u0) for (b, u), (b0, u0) in zip(prov, self._prev_prov)]
        self._prev_prov = prov
        observation = np.zeros(self._n_observation, dtype=np.float32)
        width = len(FEATURES)
        values = [0.0] * (len(self.control) * width)
        utilization: dict[str, float | None] = {}
        metrics = sim.metrics() if any(self._async) else None
        for i, (n, f) in enumerate(zip(self.control, self._controlled.tolist())):
            invocations, throttles = delta["invocations"][f], delta["throttles"][f]
            busy, usable = dprov[f]
            u = busy / usable if usable > 0 else math.nan
            utilization[n] = None if math.isnan(u) else u  # None: no data (nothing was usable)
            row = i * width
            values[row] = delta["billed_duration_ms"][f] / 1000 / max(length, 1e-9) / self._scale[i]
            values[row + 1] = throttles / (invocations + throttles) if invocations + throttles else 0.0
            values[row + 2] = 0.0 if math.isnan(u) else u
            values[row + 3] = delta["cold_starts"][f] / invocations if invocations else 0.0
            if metrics is not None and self._async[i]:
                age = metrics.function(n)["AsyncEventAge", "Maximum"]
                last = float(age[-1]) if len(age) else math.nan
                values[row + 4] = 0.0 if math.isnan(last) else last / 1000 / functions[f].max_event_age_s
        observation[:-1] = values
        self._fill_configuration(observation)
        np.clip(observation, 0.0, self._high, out=observation)
        cost = math.fsum(costs.values())
        n_throttles = int(sum(delta["throttles"]))
        self.episode_cost += cost
        self.episode_throttles += n_throttles
        info = self._info(utilization=utilization, refused=refused, cost=cost, costs=costs, throttles=n_throttles,
                          cold_starts=int(sum(delta["cold_starts"])), invocations=int(sum(delta["invocations"])))
        return observation, info

    def _ready(self) -> dict[str, int]:
        """Per controlled function, its provisioned environments usable now (the engine's)."""
        usable = self.sim._engine.provisioned_usable() if self.sim is not None else None
        return {n: (usable[self._index[n]] if usable is not None else
                    self.scenario.functions[self._index[n]].provisioned_concurrency or 0) for n in self.control}

    def _fill_configuration(self, observation: npt.NDArray[np.float32]) -> None:
        k = len(self.control)
        features = observation[:-1].reshape(k, len(FEATURES))
        config = self._configuration()
        ready = self._ready()
        for i, n in enumerate(self.control):
            pc, rc = config[n]
            features[i, 5] = pc / self._scale[i]
            features[i, 6] = ready[n] / self._scale[i]
            features[i, 7] = 0.0 if rc is None else rc / self._reserved_scale[i]
            features[i, 8] = 1.0 if rc is None else 0.0
        observation[-1] = min(1.0, (self.sim.now if self.sim is not None else 0.0) / self.horizon_s)

    def _info(self, *, utilization: dict[str, float | None], refused: list[dict[str, Any]], cost: float,
              costs: dict[str, float], throttles: int, cold_starts: int, invocations: int) -> dict[str, Any]:
        config = self._configuration()
        return {
            "time": self.sim.now if self.sim is not None else 0.0,
            "step": self._step,
            "seed": self.episode_seed,
            "utilization": utilization,
            "provisioned": {n: config[n][0] for n in self.control},
            "provisioned_ready": self._ready(),
            "reserved": {n: config[n][1] for n in self.control},
            "cost": cost,
            "cost_by_function": costs,
            "throttles": throttles,
            "cold_starts": cold_starts,
            "invocations": invocations,
            "refused": refused,
        }

    def _episode_inputs(self, seed: int) -> tuple[Workload, list[Records]]:
        """The scenario's workload and records for `seed`, the last few kept (generating them is
        a good part of an episode's time)."""
        inputs = self._inputs.get(seed)
        if inputs is None:
            inputs = (self.scenario.generate(seed), self.scenario.generate_records(seed))
            self._inputs[seed] = inputs
            while len(self._inputs) > 4:
                self._inputs.popitem(last=False)
        else:
            self._inputs.move_to_end(seed)
        return inputs


def _refusal(function: str, what: str, value: Any, error: Exception, by: str) -> dict[str, Any]:
    return {"function": function, "action": what, "value": value, "by": by,
            "error": type(error).__name__, "message": str(error)}


if ENV_ID not in gymnasium.registry:
    gymnasium.register(id=ENV_ID, entry_point="lambda_core.gym:ConcurrencyEnv")
