"""Where the runs of a sweep or a plan go (docs/capacity.md, "Executors"): in this process, a
pool of local processes, any :class:`concurrent.futures.Executor`, or a Dask cluster.

A :class:`Runner` takes chunks of runs and yields each chunk's answer as it arrives; the
callers put the answers back in run order, so that which runner ran them, and in what order
they finished, changes nothing in a table. The scenario goes to each worker once: to a process
pool as its initializer's argument, to a Dask cluster scattered with ``broadcast=True``.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from .errors import UsageError

__all__ = ["Runner", "runner", "is_dask_client"]

T = TypeVar("T")
C = TypeVar("C")
#: A chunk's work: (the shared object, the chunk) → its answer.
Work = Callable[[Any, C], T]

# the object a process pool's workers were given at their start (one per worker process)
_SHARED: Any = None


def _install(shared: Any) -> None:
    global _SHARED
    _SHARED = shared


def _call_installed(work: Work[C, T], chunk: C) -> T:
    return work(_SHARED, chunk)


def is_dask_client(executor: object) -> bool:
    """Whether `executor` is a ``dask.distributed.Client`` (without importing Dask)."""
    return type(executor).__module__.startswith("distributed") and hasattr(executor, "scatter")


class Runner(Generic[C, T]):
    """Runs chunks of `work` with `shared` on the executor given; :attr:`workers` is how many
    chunks it runs at once. Use as a context manager: a pool it made is shut down on exit."""

    def __init__(self, work: Work[C, T], shared: Any, executor: Any = None) -> None:
        self.work, self.shared = work, shared
        self._own: cf.Executor | None = None
        self._pool: cf.Executor | None = None
        self._client: Any = None
        self._shared_future: Any = None
        if executor is None:
            self.workers = 1
        elif is_dask_client(executor):
            self._client = executor
            info = executor.scheduler_info()["workers"]
            if not info:
                raise UsageError("the Dask client's cluster has no workers")
            self.workers = sum(int(w.get("nthreads", 1)) for w in info.values())
        elif isinstance(executor, bool) or not isinstance(executor, (int, cf.Executor)):
            raise UsageError(f"executor must be None, a number of processes, a concurrent.futures.Executor "
                             f"or a dask.distributed.Client, got {executor!r}")
        elif isinstance(executor, int):
            if executor < 1:
                raise UsageError(f"executor must be at least 1 process, got {executor}")
            # spawn: a fork of a process that runs threads (Dask's, the engine's callers') is unsafe
            self._own = cf.ProcessPoolExecutor(executor, mp_context=multiprocessing.get_context("spawn"),
                                               initializer=_install, initargs=(shared,))
            self.workers = executor
        else:
            self._pool = executor
            self.workers = int(getattr(executor, "_max_workers", None) or os.cpu_count() or 1)

    def __enter__(self) -> Runner[C, T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._own is not None:
            self._own.shutdown(wait=True, cancel_futures=True)
            self._own = None

    def map(self, chunks: Sequence[C]) -> Iterator[tuple[int, T]]:
        """Each chunk's index and answer, as they finish. An exception of a chunk propagates (the
        chunks not started are cancelled); so does a ``KeyboardInterrupt`` while waiting."""
        if self._own is None and self._pool is None and self._client is None:
            for i, chunk in enumerate(chunks):
                yield i, self.work(self.shared, chunk)
            return
        if self._client is not None:
            yield from self._map_dask(chunks)
            return
        futures: dict[cf.Future[T], int] = {}
        try:
            for i, chunk in enumerate(chunks):
                if self._own is not None:
                    futures[self._own.submit(_call_installed, self.work, chunk)] = i
                else:
                    assert self._pool is not None
                    futures[self._pool.submit(self.work, self.shared, chunk)] = i
            for future in cf.as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()

    def _map_dask(self, chunks: Sequence[C]) -> Iterator[tuple[int, T]]:
        from distributed import as_completed  # optional dependency: pip install lambda-core[dask]

        client = self._client
        if self._shared_future is None:
            # in a list: scatter sends a tuple's items one by one, and the shared object is one
            self._shared_future = client.scatter([self.shared], broadcast=True, hash=False)[0]
        futures = {client.submit(self.work, self._shared_future, chunk, pure=False): i
                   for i, chunk in enumerate(chunks)}
        try:
            for future in as_completed(list(futures)):  # type: ignore[no-untyped-call,unused-ignore]
                yield futures[future], future.result()
        finally:
            client.cancel(list(futures))


def runner(work: Work[C, T], shared: Any, executor: Any = None) -> Runner[C, T]:
    """A :class:`Runner` of `work` with `shared` on `executor`."""
    return Runner(work, shared, executor)
