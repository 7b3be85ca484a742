"""The fuzzing harness for a wall-clock budget: ``python -m tests.fuzz --minutes 10``.

Runs the harness's hypothesis tests (tests/fuzz/test_*.py, and tests/api/test_fuzz.py's) in
turns, each turn a batch of fresh random examples (``--scale`` times each test's CI count, no
deadline, no example database), until the budget is spent; then prints, per test, the examples
run and every distinct failure found, with the blob that replays it
(``@reproduce_failure``). Exit status 1 when anything failed.

``-k WORD`` keeps the tests whose name contains WORD. Run it alone on a shared machine: it keeps
one core busy.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, settings

from tests.support import profiles

MODULES = ["tests.fuzz.test_api", "tests.fuzz.test_bad_calls", "tests.fuzz.test_scenarios", "tests.api.test_fuzz"]


def _tests(scale: int, word: str | None) -> list[tuple[str, Callable[[], None]]]:
    # the batch size is fixed when the tests are decorated: before their modules are imported
    profiles.SCALE[profiles.PROFILE] = scale
    settings.register_profile("fuzz", deadline=None, derandomize=False, database=None, print_blob=True,
                              suppress_health_check=list(HealthCheck))
    settings.load_profile("fuzz")
    out = []
    for name in MODULES:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if attr.startswith("test_") and hasattr(value, "hypothesis") and (word is None or word in attr):
                out.append((f"{name.rsplit('.', 1)[1]}::{attr}", value))
    return out


def _signature(exc: BaseException) -> str:
    """What distinguishes one failure from another: its type and where it was raised."""
    parts = exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]
    sigs = []
    for e in parts:
        frames = traceback.extract_tb(e.__traceback__)
        where = f"{frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else "?"
        sigs.append(f"{type(e).__name__} at {where}: {str(e).splitlines()[0][:160] if str(e) else ''}")
    return " | ".join(sorted(sigs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="wall-clock budget (default 10)")
    parser.add_argument("--scale", type=int, default=5, help="examples per turn, times the CI count (default 5)")
    parser.add_argument("-k", dest="word", default=None, help="only the tests whose name contains WORD")
    args = parser.parse_args(argv)
    tests = _tests(args.scale, args.word)
    if not tests:
        print("no test matches", file=sys.stderr)
        return 2
    deadline = time.monotonic() + 60 * args.minutes
    turns: dict[str, int] = {name: 0 for name, _ in tests}
    spent: dict[str, float] = {name: 0.0 for name, _ in tests}
    found: dict[str, tuple[str, BaseException]] = {}
    while time.monotonic() < deadline:
        for name, test in tests:
            if time.monotonic() >= deadline:
                break
            started = time.monotonic()
            try:
                test()
            except Exception as exc:  # a falsified invariant, or an untyped error
                signature = f"{name}: {_signature(exc)}"
                if signature not in found:
                    found[signature] = (name, exc)
                    print(f"\n*** FOUND in {name}: {_signature(exc)}", flush=True)
            finally:
                turns[name] += 1
                spent[name] += time.monotonic() - started
    print(f"\nfuzzed for {args.minutes:g} min (scale {args.scale}):")
    for name, _ in tests:
        print(f"  {name}: {turns[name]} turns, {spent[name]:.0f} s")
    if not found:
        print("nothing found")
        return 0
    print(f"{len(found)} distinct failures:")
    for signature, (name, exc) in found.items():
        print(f"\n--- {signature}")
        traceback.print_exception(exc, limit=-3, file=sys.stdout)
    return 1


if __name__ == "__main__":
    sys.exit(main())
