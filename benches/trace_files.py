"""Large synthetic trace files for the readers' benchmarks (benches/test_bench_traces.py) and
the peak-memory measurement (benches/memory_traces.py), written chunk by chunk.

    python benches/trace_files.py FORMAT ROWS FILE [--seed N]

FORMAT: ``azure2021`` (rows like the real trace's: two 64-hex-digit ids, an end time with 17
significant digits, a duration in ms precision; 200 apps, 1000 functions), ``request-log``
(the pacslab logs' 21 columns, quoted fields included) or ``cloudwatch`` (``aws logs tail``
REPORT lines over 100 log streams, one in five cold).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

CHUNK = 200_000


def _ids(rng: np.random.Generator, n: int) -> list[str]:
    return ["".join(f"{x:016x}" for x in rng.integers(0, 2**63, 4)) for _ in range(n)]


def azure2021_lines(n: int, seed: int = 0) -> Iterator[str]:
    rng = np.random.default_rng(seed)
    apps, funcs = _ids(rng, 200), _ids(rng, 1000)
    pair = [f"{apps[i % 200]},{f}," for i, f in enumerate(funcs)]
    yield "app,func,end_timestamp,duration\n"
    t = 0.0
    for start in range(0, n, CHUNK):
        k = min(CHUNK, n - start)
        end = t + np.cumsum(rng.exponential(0.001, k))
        t = float(end[-1])
        which = rng.integers(0, 1000, k).tolist()
        dur = rng.exponential(1.0, k)
        yield "".join(f"{pair[f]}{e!r},{d:.3f}\n" for f, e, d in zip(which, (end + 1.0).tolist(), dur.tolist()))


REQUEST_HEADER = (",is_cold,cpu_info,inst_id,inst_priv_ip,new_id,exist_id,uptime,vm_id,vm_priv_ip,vm_pub_ip,"
                  "start_time,end_time,elapsed_time,aws_duration,aws_billed_duration,aws_max_mem,io_speed,"
                  "client_start_time,client_end_time,client_elapsed_time\n")


def request_log_lines(n: int, seed: int = 0) -> Iterator[str]:
    rng = np.random.default_rng(seed)
    yield REQUEST_HEADER
    t = 1_589_587_970.6094453
    for start in range(0, n, CHUNK):
        k = min(CHUNK, n - start)
        begin = t + np.cumsum(rng.exponential(0.01, k))
        t = float(begin[-1])
        dur = 1800 + rng.exponential(60, k)
        cold = rng.random(k) < 0.01
        inst = rng.integers(0, 50, k)
        yield "".join(
            f'{start + i},{c},"2,Intel(R) Xeon(R) Processor @ 2.50GHz",sandbox-{s:06x},169.254.76.1,'
            f'9fe0a66a-b6b4-4dc5-abc1-6f7045bd93a7,ffb49385-3b74-4404-91ba-50a9f86c111e,"1849.88,3693.99",'
            f"sandbox-root-Kx4vPr,169.254.222.245,169.254.222.245,{b * 1000!r},{(b * 1000 + d)!r},{d!r},"
            f"{d:.2f},{np.ceil(d / 100) * 100:.1f},54.0, 10.5 MB/s,{b!r},{b + d / 1000 + 0.05!r},{d / 1000 + 0.05!r}\n"
            for i, (c, s, b, d) in enumerate(zip(cold.tolist(), inst.tolist(), begin.tolist(), dur.tolist())))


def cloudwatch_lines(n: int, seed: int = 0) -> Iterator[str]:
    rng = np.random.default_rng(seed)
    streams = [f"2024/01/01/[$LATEST]{x:032x}" for x in rng.integers(0, 2**63, 100)]
    t = 1_704_067_200_000.0
    for start in range(0, n, CHUNK):
        k = min(CHUNK, n - start)
        stamp = t + np.cumsum(rng.exponential(1.0, k))
        t = float(stamp[-1])
        dur = rng.exponential(100, k)
        cold = rng.random(k) < 0.2
        lines = []
        for s, ms, d, c in zip(rng.integers(0, 100, k).tolist(), stamp.tolist(), dur.tolist(), cold.tolist()):
            init = "\tInit Duration: 180.25 ms" if c else ""
            lines.append(f"{int(ms)} {streams[s]} REPORT RequestId: 8f5e0e52-7b4f-4a1e-9c1e-1f2d3c4b5a69\t"
                         f"Duration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\tMemory Size: 256 MB\t"
                         f"Max Memory Used: 70 MB{init}\t\n")
        yield "".join(lines)


WRITERS: dict[str, Callable[[int, int], Iterator[str]]] = {
    "azure2021": azure2021_lines, "request-log": request_log_lines, "cloudwatch": cloudwatch_lines,
}


def write(format: str, n: int, path: Path, seed: int = 0) -> Path:
    with open(path, "w", encoding="ascii", newline="\n") as file:
        for text in WRITERS[format](n, seed):
            file.write(text)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("format", choices=list(WRITERS))
    parser.add_argument("rows", type=float)
    parser.add_argument("file", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write(args.format, int(args.rows), args.file, args.seed)
    print(f"{int(args.rows):,} rows, {args.file.stat().st_size / 1e9:.2f} GB: {args.file}")


if __name__ == "__main__":
    main()
