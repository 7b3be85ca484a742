"""The simulator: validated configuration in, the Rust engine underneath, result arrays out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _core
from .config import Account, Function, PoolPlan, RetryPolicy, plan_pools
from .enums import InvocationType, Routing
from .errors import LambdaCoreError
from .workload import Workload

__all__ = ["Simulator", "Result", "Window"]

_ROUTINGS = {"newest": "newest", "mru": "mru", "oldest": "oldest",
             Routing.NEWEST: "newest", Routing.MRU: "mru", Routing.OLDEST: "oldest"}


@dataclass(frozen=True)
class Window:
    """Requests resolved by one :meth:`Simulator.advance` call, in the order they were resolved.

    ``requests`` holds numpy columns: ``request`` (the request's id: its row number counted
    over every workload submitted to this simulator), ``outcome``, ``throttle_reason``,
    ``attempts``, ``throttles``, ``cold_starts``, ``end``, ``first_start``, ``last_start``,
    ``event_age`` (seconds). ``destinations`` holds the asynchronous results sent to each
    target in this window (see :class:`Result`).
    """

    until: float | None
    now: float
    requests: Mapping[str, np.ndarray]
    destinations: Mapping[str, Mapping[str, np.ndarray]] = field(default_factory=dict)

    def __len__(self) -> int:
        """Requests resolved in the window (0 when per-request output was off)."""
        return len(self.requests["request"]) if "request" in self.requests else 0


@dataclass(frozen=True)
class Result:
    """What :meth:`Simulator.run` returns.

    - ``requests``: one row per workload row, in input order: ``outcome`` (:class:`Outcome`),
      ``throttle_reason`` (:class:`ThrottleReason` of the last throttle), ``attempts`` (attempts
      that reached the function: AWS's approximate invoke count), ``throttles``,
      ``cold_starts``, ``end`` (when the request was resolved; NaN while ``PENDING``),
      ``enqueued`` (the arrival: the workload's own ``time`` column), ``first_start`` and
      ``last_start`` (when the first and the last attempt that reached the function started;
      NaN if none did) and ``event_age`` (``AsyncEventAge`` of the last attempt that ran, for
      ``EVENT`` rows; NaN otherwise). Times in seconds.
    - ``functions``: per function in list order, numpy arrays: ``invocations``, ``errors``
      (errors and timeouts), ``timeouts``, ``throttles`` and by reason (``throttles_reserved``,
      ``throttles_unreserved``, ``throttles_scaling``), ``cold_starts``, ``max_concurrency``,
      ``environments_created``, ``avg_environments``, ``provisioned_invocations``,
      ``spillover_invocations``.
    - ``account``: ``max_concurrency``, ``max_unreserved_concurrency``, ``avg_environments``.
    - ``horizon``: the run's horizon in seconds (``until``, or when the last request was resolved).
    - ``destinations``: per target named by a function's ``on_success``, ``on_failure`` or
      ``dead_letter_queue``, the invocation records it received in this run, as columns shaped
      after AWS's record: ``request`` (request id), ``condition`` (:class:`Outcome` code;
      ``Outcome(c).condition`` is AWS's ``requestContext.condition``),
      ``approximate_invoke_count``, ``time`` (seconds). ``len(result.destinations[t]["request"])``
      is the number of records.
    """

    requests: Mapping[str, np.ndarray]
    functions: Mapping[str, np.ndarray]
    account: Mapping[str, Any]
    horizon: float
    function_names: tuple[str, ...] = field(default=())
    destinations: Mapping[str, Mapping[str, np.ndarray]] = field(default_factory=dict)

    def function(self, name: str) -> dict[str, Any]:
        """The statistics of one function, by name, as plain Python numbers."""
        try:
            i = self.function_names.index(name)
        except ValueError:
            raise KeyError(f"no function named {name!r}") from None
        return {k: v[i].item() for k, v in self.functions.items()}

    def to_pandas(self) -> Any:
        """Per-function statistics as a ``pandas.DataFrame`` indexed by function name
        (needs the ``pandas`` extra)."""
        import pandas as pd  # optional dependency: pip install lambda-core[pandas]

        return pd.DataFrame(dict(self.functions), index=pd.Index(self.function_names, name="function"))


class Simulator:
    """Replays workloads through one account's Lambda concurrency machinery.

    Args:
        account: the account's limits and scaling mode.
        functions: the functions, in the order the workload's ``function`` column indexes them.
        seed: the seed of every random stream (workload generators, sampled models); a run is a
            pure function of (configuration, workload, seed).
        routing: which idle environment a warm request gets: ``"newest"`` (default), ``"mru"``
            or ``"oldest"`` (MODEL.md §3).
        client_retries: how synchronous callers retry throttled invocations
            (:class:`RetryPolicy`; ``None``, the default: they do not).

    Raises:
        InvalidParameterValueException, ValidationException, ResourceConflictException: with
            AWS's messages, when the configuration is one AWS would refuse.
    """

    def __init__(
        self,
        account: Account | None = None,
        functions: Sequence[Function] = (),
        seed: int = 0,
        routing: str | Routing = "newest",
        client_retries: RetryPolicy | None = None,
    ) -> None:
        account = account if account is not None else Account()
        if not isinstance(account, Account):
            raise TypeError(f"account must be a lambda_core.Account, got {type(account).__name__}")
        functions = tuple(functions)
        for f in functions:
            if not isinstance(f, Function):
                raise TypeError(f"functions must be lambda_core.Function objects, got {type(f).__name__}")
        if routing not in _ROUTINGS:
            raise LambdaCoreError(f"routing must be 'newest', 'mru' or 'oldest', got {routing!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**64:
            raise TypeError(f"seed must be an integer in [0, 2**64), got {seed!r}")
        if client_retries is not None and not isinstance(client_retries, RetryPolicy):
            raise TypeError(f"client_retries must be a lambda_core.RetryPolicy or None, got {type(client_retries).__name__}")
        self.account = account
        self.functions = functions
        self.seed = int(seed)
        self.routing = _ROUTINGS[routing]
        self.client_retries = client_retries
        self._plan: PoolPlan = plan_pools(account, functions)
        # destinations, in order of first mention
        self.destination_names: tuple[str, ...] = tuple(dict.fromkeys(
            t for f in functions for t in (f.on_success, f.on_failure, f.dead_letter_queue) if t is not None
        ))
        index = {name: i for i, name in enumerate(self.destination_names)}
        self._engine = _core.Engine(
            account.concurrency_limit,
            self._plan.unreserved_capacity,
            account.scaling if account.scaling != "off" else None,
            account.burst,
            account.token_cost_us,
            self.routing,
            [
                (f.reserved_concurrency, f.provisioned_concurrency or 0, float(f.timeout_s),
                 float(f.init_s), float(f.idle_timeout_s), float(f.provisioned_ready_s),
                 f.max_retry_attempts, float(f.max_event_age_s),
                 index.get(f.on_success), index.get(f.on_failure), index.get(f.dead_letter_queue))
                for f in functions
            ],
            len(self.destination_names),
            None if client_retries is None else
            (client_retries.max_attempts, float(client_retries.base_s), float(client_retries.cap_s)),
            self.seed,
        )

    # -- configuration -------------------------------------------------------------------------

    def account_settings(self) -> dict[str, int]:
        """AWS ``GetAccountSettings``' ``AccountLimit`` figures:
        ``{"ConcurrentExecutions": L, "UnreservedConcurrentExecutions": U}``."""
        return self._plan.account_settings()

    @property
    def function_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.functions)

    def index(self, name: str) -> int:
        """The index of the function called `name` (what the workload's ``function`` column holds)."""
        try:
            return self.function_names.index(name)
        except ValueError:
            raise KeyError(f"no function named {name!r}") from None

    # -- running -------------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """The simulated time reached, in seconds."""
        return self._engine.now

    def submit(self, workload: Workload) -> int:
        """Queues a workload's requests; returns the id of its first request (ids count rows over
        every workload submitted to this simulator). Times must not go back: a workload must
        start at or after the end of the previous one and at or after :attr:`now`."""
        if not isinstance(workload, Workload):
            raise TypeError(f"expected a lambda_core.Workload, got {type(workload).__name__}")
        return self._engine.submit(
            workload.time, workload.function, workload.duration, workload.invocation_type, workload.failures
        )

    def advance(self, until: float | None = None, *, requests: bool = True) -> Window:
        """Moves simulated time to `until` (seconds; ``None``: until every submitted request is
        resolved) and returns the requests resolved on the way. With ``requests=False`` nothing
        is recorded per request (for very long runs; statistics are still kept)."""
        resolved = self._engine.advance(_until(until), requests)
        return Window(until=until, now=self._engine.now, requests=resolved if resolved is not None else {},
                      destinations=self._destinations())

    def run(self, workload: Workload | None = None, until: float | None = None) -> Result:
        """Submits `workload` and advances to `until`: :meth:`submit` and :meth:`advance` together.
        Returns one row per workload row and the statistics over the run's horizon."""
        if workload is None:
            workload = Workload(np.empty(0), np.empty(0, np.int64), np.empty(0))
        first = self.submit(workload)
        kinds = workload.invocation_type
        events = kinds is not None and bool(np.any(kinds == InvocationType.EVENT))
        requests = self._engine.advance_rows(_until(until), first, len(workload), events)
        requests["enqueued"] = workload.time
        if not events:
            # no asynchronous rows: a read-only all-NaN view that takes no memory
            requests["event_age"] = np.broadcast_to(np.float64(np.nan), (len(workload),))
        return self._result(requests, until)

    def stats(self, until: float | None = None) -> Result:
        """The statistics so far (``requests`` is empty), over [0, until or last resolution]."""
        return self._result({}, until)

    def destination_counts(self) -> dict[str, int]:
        """Records sent to each destination so far, by target name (in order of first mention):
        every record, also those of :meth:`advance` calls with ``requests=False``, which keep
        no records."""
        return dict(zip(self.destination_names, self._engine.destination_totals()))

    def _destinations(self) -> dict[str, dict[str, np.ndarray]]:
        logs = self._engine.drain_destinations()
        return {name: {k: v for k, v in log.items() if k != "total"} for name, log in zip(self.destination_names, logs)}

    def _result(self, requests: Mapping[str, np.ndarray], until: float | None) -> Result:
        report = self._engine.report(_until(until))
        return Result(
            requests=requests,
            functions=report["functions"],
            account=report["account"],
            horizon=report["horizon"],
            function_names=self.function_names,
            destinations=self._destinations(),
        )

    def __repr__(self) -> str:
        return (f"Simulator({len(self.functions)} functions, limit={self.account.concurrency_limit}, "
                f"routing={self.routing!r}, seed={self.seed}, now={self.now:g} s)")


def _until(until: float | None) -> float | None:
    if until is None:
        return None
    try:
        return float(until)
    except (TypeError, ValueError):
        raise TypeError(f"until must be a number of seconds or None, got {until!r}") from None
