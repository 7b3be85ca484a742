"""Peak RSS of the stream benchmark's run: 50 M records (or COUNT) on 100 Kinesis shards in
batches of 100, statistics only. Prints the memory the inputs take and what the engine adds.
The engine copies what is submitted (docs/reliability.md, "Atomic calls"), so submitting all
records at once adds their size; with CHUNK, they are submitted CHUNK at a time, each chunk
advanced through before the next, and the engine holds one chunk's copy at a time.

    python benches/memory_streams.py [COUNT [CHUNK]]
"""

from __future__ import annotations

import resource
import sys

# run as a script, this file's folder is already first on sys.path
import lambda_core as lc
from test_bench_streams import simulator, stream_records


def main() -> None:
    n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 50_000_000
    chunk = int(float(sys.argv[2])) if len(sys.argv) > 2 else n
    records = stream_records(n, 400_000.0, seed=4)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sim = simulator(100, 0.0001)
    for lo in range(0, n, chunk):
        part = lc.Records(records.source, time=records.time[lo:lo + chunk], key=records.key[lo:lo + chunk])
        sim.submit_records(part)
        last = lo + chunk >= n
        sim.advance(None if last else float(records.time[min(lo + chunk, n) - 1]), requests=False)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    m = sim.stats().mappings["clicks"]
    print(f"{n:,} records, {m['invocations']:,} invocations: peak RSS {peak:.0f} MB "
          f"(inputs and Python {before:.0f} MB, the engine adds {peak - before:.0f} MB)")


if __name__ == "__main__":
    main()
