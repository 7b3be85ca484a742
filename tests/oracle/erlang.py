"""Erlang's loss formula: the analytic answer the planner is checked against (docs/capacity.md,
"Planning").

A function with Poisson arrivals of rate λ, handler times of mean S and a reservation of c is
an M/G/c/c loss system: a request that finds all c environments busy is throttled (a
synchronous caller without retries loses it). The fraction throttled is Erlang's B(c, a) with
offered load a = λS, whatever the distribution of handler times (the formula's insensitivity).
"""

from __future__ import annotations


def erlang_b(c: int, a: float) -> float:
    """B(c, a) by the stable recursion B(0) = 1, B(k) = a B(k−1) / (k + a B(k−1))."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def smallest_servers(a: float, target: float) -> int:
    """The smallest c with B(c, a) ≤ target: the inverse of the loss formula."""
    c = 0
    while erlang_b(c, a) > target:
        c += 1
    return c
