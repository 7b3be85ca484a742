"""Hypothesis profiles: CI must not turn red on a lucky draw; local runs may search wider.

- ``ci`` (the default when the ``CI`` environment variable is set): ``derandomize=True``, the
  same examples on every run, so that a red CI is a change in behaviour, never in the draw;
- ``dev`` (the default elsewhere): random draws, each test's own number of examples;
- ``long``: random draws, ten times each test's number of examples, for a wider hunt.

``HYPOTHESIS_PROFILE`` picks one explicitly. Tests give their example counts through
`examples(n)` so that the profile can scale them (an explicit ``max_examples`` in `@settings`
would override any profile).
"""

from __future__ import annotations

import os

from hypothesis import settings

SCALE = {"ci": 1, "dev": 1, "long": 10}

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev")
settings.register_profile("long")

PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
if PROFILE not in SCALE:
    raise ValueError(f"HYPOTHESIS_PROFILE={PROFILE!r}: expected one of {sorted(SCALE)}")


def load() -> None:
    settings.load_profile(PROFILE)


def examples(n: int) -> int:
    """`n` examples scaled for the active profile."""
    return n * SCALE[PROFILE]
