"""A sweep of runs of about a second (the built-in scenario, 1.2 M invocations and 3.8 M records a
run): 8 runs in this process, then on a Dask LocalCluster of 2 single-threaded workers (warmed
first), the two tables compared cell by cell. Prints runs per second and the speed-up: what
the chunking leaves of two cores for runs of a second (docs/performance.md, "Sweeps").

    python benches/sweep_scaling.py        # needs the dask extra
"""

from __future__ import annotations

import time

import pandas as pd
from distributed import Client, LocalCluster

import lambda_core as lc

if __name__ == "__main__":
    sc = lc.scenarios.builtin_scenario()
    grid = {"functions.orders.reserved_concurrency": [150, 200, 250, 300], "seed": range(2)}
    t = time.perf_counter()
    serial_table = lc.sweep(sc, grid)
    serial = time.perf_counter() - t
    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster, \
            Client(cluster) as client:
        lc.sweep(sc, {"seed": [0]}, client)  # the workers import lambda_core once
        t = time.perf_counter()
        dask_table = lc.sweep(sc, grid, client)
        dask = time.perf_counter() - t
    pd.testing.assert_frame_equal(serial_table, dask_table)
    print(f"8 runs of about 1 s: serial {serial:.2f} s ({8 / serial:.2f} runs/s), Dask on 2 workers "
          f"{dask:.2f} s ({8 / dask:.2f} runs/s), speed-up {serial / dask:.2f}x; tables identical")
