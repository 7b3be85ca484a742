"""String partition keys hashed into the engine's integer keys (docs/model.md §7): 1 M keys such
as a producer would use (``"user-123456"``, ASCII, 6–11 characters) and 1 M non-ASCII ones, as a
list of ``str`` and as a numpy ``U`` array, through ``lc.Records`` (which hashes them with
``_core.hash_keys``). The keys are built outside the timed region; the figure is keys per
second.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import scaled

import lambda_core as lc

ROUNDS = 5


def ascii_keys(n: int) -> list[str]:
    return [f"user-{i}" for i in range(n)]


def unicode_keys(n: int) -> list[str]:
    return [f"ключ-{i}-🙂" for i in range(n)]


@pytest.mark.parametrize("kind, form", [("ascii", "list"), ("ascii", "array"), ("unicode", "list")])
def test_string_keys(kind, form, measure):
    n = scaled(1_000_000)
    keys = (ascii_keys if kind == "ascii" else unicode_keys)(n)
    given = np.array(keys) if form == "array" else keys
    time = np.zeros(n)
    records = measure(f"keys/{kind}-{form}", n, lambda: lc.Records("clicks", time, key=given), rounds=ROUNDS,
                      unit="keys")
    assert len(records) == n and records.key.dtype == np.int64
    assert records.key[0] == lc.Records("clicks", [0.0], key=[keys[0]]).key[0]
