"""Peak memory and speed of reading one large trace file: the streaming reader alone
(``_core.read_*``: its memory is the output columns) or the whole Trace (``--trace``).

    python benches/trace_files.py azure2021 1e8 /tmp/azure-1e8.csv     # the file (15 GB)
    python benches/memory_traces.py azure2021 /tmp/azure-1e8.csv [--trace]

Prints the rows, the seconds and rows per second, the output columns' bytes and the peak RSS
(``ru_maxrss``) above the interpreter's before the read.
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings

import lambda_core as lc
from lambda_core import _core

READERS = {"azure2021": (_core.read_azure2021, lc.traces.read_azure2021),
           "request-log": (_core.read_request_log, lc.traces.read_request_log),
           "cloudwatch": (_core.read_cloudwatch_text, lc.traces.read_cloudwatch_logs)}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("format", choices=list(READERS))
    parser.add_argument("file")
    parser.add_argument("--trace", action="store_true", help="build the whole Trace, not only the columns")
    args = parser.parse_args()
    reader, trace = READERS[args.format]
    baseline = peak_rss_mb()
    start = time.perf_counter()
    if args.trace:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", lc.traces.ReplayWarning)
            t = trace(args.file)
        rows = len(t)
        w = t.workload
        columns = sum(a.nbytes for a in (w.time, w.function, w.duration) if a is not None)
    else:
        out, _ = reader(args.file)
        rows = len(next(iter(out.values())))
        columns = sum(a.nbytes for a in out.values())
    seconds = time.perf_counter() - start
    print(f"{rows:,} rows in {seconds:.2f} s: {rows / seconds / 1e6:.2f} M rows/s ({'Trace' if args.trace else 'reader'})")
    print(f"output columns: {columns / 1e6:,.0f} MB; peak RSS above the interpreter's: "
          f"{peak_rss_mb() - baseline:,.0f} MB (interpreter: {baseline:.0f} MB)")


if __name__ == "__main__":
    main()
