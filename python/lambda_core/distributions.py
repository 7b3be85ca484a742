"""Durations given as distributions (docs/model.md §3.1): a function's ``init_s`` and
``idle_timeout_s`` take a number of seconds or one of these. Also exported by
:mod:`lambda_core`."""

from ._model.distributions import Distribution, Empirical, Fixed, LogNormal, Uniform

__all__ = ["Distribution", "Fixed", "Uniform", "LogNormal", "Empirical"]
