"""Instruction counts of the pure-Rust benchmark drivers under callgrind, against a baseline.

Wall-clock figures on a shared 2-vCPU VM move by 5-20 % between runs; callgrind's instruction
count of the same binary on the same input moves by a few parts per million. So CI guards the
engine's speed with this count: each driver (``steady``: 1000 functions in a steady state;
``storm``: an asynchronous storm with retries) runs ``rows`` rows under
``valgrind --tool=callgrind``, and the run fails when a count exceeds its baseline by more than
``--tolerance`` (5 % by default).

    cargo build --release -p lambda_core_engine --bins
    python benches/callgrind.py target/release            # check against benches/callgrind_baseline.json
    python benches/callgrind.py target/release --record   # rewrite the baseline (say why in the commit)

The count includes the driver building its input (about 190 M instructions of the steady
driver's 725 M per million rows), which is the same for every engine change.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

BASELINE = Path(__file__).resolve().parent / "callgrind_baseline.json"
DRIVERS = ("steady", "storm")


def instructions(binary: Path, rows: int) -> int:
    """Instructions callgrind counts for one run of `binary rows`."""
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", str(binary), str(rows)],
        capture_output=True, text=True, check=True,
    )
    m = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    if m is None:
        raise RuntimeError(f"no instruction count in callgrind's output:\n{out.stderr}")
    return int(m.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("bin_dir", type=Path, help="the folder holding the built drivers (target/release)")
    p.add_argument("--record", action="store_true", help="write the counts as the new baseline")
    p.add_argument("--tolerance", type=float, default=0.05, help="allowed relative increase (0.05)")
    args = p.parse_args(argv)
    baseline = json.loads(BASELINE.read_text())
    rows = int(baseline["rows"])
    counts = {d: instructions(args.bin_dir / d, rows) for d in DRIVERS}
    if args.record:
        BASELINE.write_text(json.dumps({"rows": rows, **counts}, indent=2) + "\n")
        print(f"recorded {counts} in {BASELINE}")
        return 0
    failed = False
    for d in DRIVERS:
        base, now = int(baseline[d]), counts[d]
        change = now / base - 1
        verdict = "ok" if change <= args.tolerance else f"FAIL (more than +{args.tolerance:.0%})"
        failed |= change > args.tolerance
        print(f"callgrind {d}: {now:,} instructions for {rows:,} rows "
              f"(baseline {base:,}, {change:+.2%}) {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
