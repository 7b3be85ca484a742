"""Behaviour is unchanged: the runs of the behaviour corpus (corpus.py beside this file) give the
digests recorded before the last refactor, bit for bit."""

from __future__ import annotations

import json

import pytest

from tests.golden import corpus

RECORDED = json.loads(corpus.CORPUS.read_text())


def test_the_builtin_scenario_prints_the_recorded_figures() -> None:
    assert corpus.cli_json() == RECORDED["builtin"]


def test_the_example_scenario_prints_the_recorded_figures() -> None:
    assert corpus.cli_json(str(corpus.EXAMPLE)) == RECORDED["example"]


@pytest.mark.parametrize("i", range(corpus.N_RANDOM))
def test_a_random_api_scenario_gives_the_recorded_digest(i: int) -> None:
    assert corpus.outcome(i) == RECORDED["random"][i]
