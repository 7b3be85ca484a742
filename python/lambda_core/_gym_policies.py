"""Policies for :class:`lambda_core.gym.ConcurrencyEnv` and their evaluation (docs/control.md):
the baseline (Application Auto Scaling's target tracking), a random and a static policy.
Public as :mod:`lambda_core.gym`'s names; this module is private."""

from __future__ import annotations

import dataclasses
import math
import time as _time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import gymnasium
import numpy as np
import numpy.typing as npt

from ._model.autoscaling import TargetTracking
from .errors import UsageError

if TYPE_CHECKING:
    from .gym import ConcurrencyEnv

__all__ = ["Evaluation", "Policy", "RandomPolicy", "StaticPolicy", "TargetTrackingPolicy", "evaluate",
           "per_function"]


def per_function(what: str, value: int | Mapping[str, int] | None, names: Sequence[str],
                 default: Mapping[str, int]) -> dict[str, int]:
    """A setting per controlled function: one int for all, a mapping by name (the others keep
    `default`), or ``None`` (`default`); each checked >= 0."""
    if value is None:
        return dict(default)
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise UsageError(f"{what}: {unknown[0]!r} is not a controlled function (control: {', '.join(names)})")
        out = {n: int(value.get(n, default[n])) for n in names}
    else:
        out = {n: int(value) for n in names}
    for n, x in out.items():
        if x < 0:
            raise UsageError(f"{what}[{n!r}] must be >= 0, got {x}")
    return out


class Policy(Protocol):
    """What :func:`evaluate` runs: ``reset()`` at each episode's start, then the action for each
    observation and info."""

    def reset(self) -> None: ...

    def __call__(self, observation: npt.NDArray[np.float32], info: dict[str, Any]) -> npt.NDArray[np.int64]: ...


class TargetTrackingPolicy:
    """The baseline: Application Auto Scaling's target tracking of each controlled function's
    provisioned concurrency (:class:`~lambda_core._model.autoscaling.TargetTracking`, the rule
    :meth:`Simulator.autoscale` runs), fed the utilisation of each period
    (``info["utilization"]``: provisioned environments busy over usable) as its data point.
    Reservations are kept as they are. At an episode's start the capacity is brought within
    ``[min, max]`` as registering a scalable target does. With ``period_s=60`` its decisions are
    those of ``sim.autoscale(name, min=, max=, target=)``.

    ``min`` (default 1: target tracking cannot scale out from 0) and ``max`` (default the
    environment's ``max_provisioned``) are one int for every function or a mapping by name."""

    def __init__(self, env: ConcurrencyEnv, *, target: float = 0.7, min: int | Mapping[str, int] = 1,
                 max: int | Mapping[str, int] | None = None, scale_out_cooldown_s: float = 0.0,
                 scale_in_cooldown_s: float = 300.0) -> None:
        self.env = env
        self.target = target
        self.min = per_function("min", min if isinstance(min, Mapping) else int(min), env.control,
                                 {n: 1 for n in env.control})
        self.max = per_function("max", max, env.control, env.max_provisioned)
        self.scale_out_cooldown_s = scale_out_cooldown_s
        self.scale_in_cooldown_s = scale_in_cooldown_s
        self.reset()

    def reset(self) -> None:
        self.trackers = {n: TargetTracking(n, min=self.min[n], max=self.max[n], target=self.target,
                                           scale_out_cooldown_s=self.scale_out_cooldown_s,
                                           scale_in_cooldown_s=self.scale_in_cooldown_s)
                         for n in self.env.control}
        self._started = False

    def __call__(self, observation: npt.NDArray[np.float32], info: dict[str, Any]) -> npt.NDArray[np.int64]:
        wanted: dict[str, int] = {}
        for n, tracking in self.trackers.items():
            current = int(info["provisioned"][n])
            if not self._started:
                wanted[n] = tracking.bounded(current)
                continue
            point = info["utilization"][n]
            decision = tracking.observe(float(info["time"]), math.nan if point is None else float(point), current,
                                        in_progress=int(info["provisioned_ready"][n]) < current)
            wanted[n] = current if decision is None else decision
        self._started = True
        return self.env.action(provisioned=wanted)


class RandomPolicy:
    """Uniformly random actions (each of the action's entries drawn independently), from a
    generator seeded with `seed`; ``keep_reserved=True`` draws the provisioned concurrency only
    (within the reservation in force) and keeps the reservations."""

    def __init__(self, env: ConcurrencyEnv, seed: int = 0, *, keep_reserved: bool = False) -> None:
        self.env = env
        self.keep_reserved = keep_reserved
        self.rng = np.random.default_rng(seed)

    def reset(self) -> None:
        pass

    def __call__(self, observation: npt.NDArray[np.float32], info: dict[str, Any]) -> npt.NDArray[np.int64]:
        nvec = self.env._nvec
        if not self.keep_reserved:
            return self.rng.integers(0, nvec).astype(np.int64)
        reserved = info["reserved"]
        top = [min(self.env.max_provisioned[n], reserved[n] if reserved[n] is not None else self.env.max_provisioned[n])
               for n in self.env.control]
        drawn = self.rng.integers(0, np.asarray(top) + 1)
        return self.env.action(provisioned={n: int(x) for n, x in zip(self.env.control, drawn)})


class StaticPolicy:
    """Keeps the configuration as it is (the scenario's, unless its own changes move it)."""

    def __init__(self, env: ConcurrencyEnv) -> None:
        self.env = env

    def reset(self) -> None:
        pass

    def __call__(self, observation: npt.NDArray[np.float32], info: dict[str, Any]) -> npt.NDArray[np.int64]:
        return self.env.action()


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """:func:`evaluate`'s figures: per episode, the mean return (``reward``), bill (``cost``,
    USD), ``throttles``, ``cold_starts`` and refused changes (``refused``); and the episodes,
    the steps in all and the wall time they took (``steps_per_s``: steps, resets included, per
    second)."""

    reward: float
    cost: float
    throttles: float
    cold_starts: float
    refused: float
    episodes: int
    steps: int
    wall_s: float

    @property
    def steps_per_s(self) -> float:
        return self.steps / self.wall_s if self.wall_s > 0 else math.inf


def evaluate(env: gymnasium.Env[Any, Any], policy: Policy, episodes: int = 10, seed: int = 0) -> Evaluation:
    """Runs `policy` for `episodes` episodes of `env` (episode ``i`` reset with ``seed + i``) and
    returns the means per episode (:class:`Evaluation`)."""
    if episodes < 1:
        raise UsageError(f"episodes must be >= 1, got {episodes}")
    totals = np.zeros(5)
    steps = 0
    began = _time.perf_counter()
    for episode in range(episodes):
        observation, info = env.reset(seed=seed + episode)
        policy.reset()
        done = False
        while not done:
            observation, reward, terminated, truncated, info = env.step(policy(observation, info))
            totals += np.array([float(reward), info["cost"], info["throttles"], info["cold_starts"], len(info["refused"])])
            steps += 1
            done = terminated or truncated
    wall = _time.perf_counter() - began
    r, c, t, cs, rf = (float(x) / episodes for x in totals)
    return Evaluation(r, c, t, cs, rf, episodes, steps, wall)
