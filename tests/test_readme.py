"""The README's examples run and say what they claim."""

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_readme_api_example_runs():
    scope: dict = {}
    exec(compile(_blocks()[0], str(README), "exec"), scope)
    sim, result = scope["sim"], scope["result"]
    assert sim.account_settings() == {"ConcurrentExecutions": 1000, "UnreservedConcurrentExecutions": 700}
    assert len(result.requests["outcome"]) == 1_000_000
    assert result.account["max_unreserved_concurrency"] <= 700
    assert result.function("orders")["max_concurrency"] <= 200


def test_readme_async_example_shows_its_numbers():
    scope: dict = {}
    for block in _blocks()[:2]:
        exec(compile(block, str(README), "exec"), scope)
    lc, result, dlq = scope["lc"], scope["result"], scope["dlq"]
    # the figures quoted in the README's comments
    assert len(dlq["request"]) == 18603
    assert result.function("thumbnails")["throttles"] == 194859
    assert lc.Outcome(dlq["condition"][0]).condition == "EventAgeExceeded"
    assert np.nanmax(result.requests["event_age"]) == 511.0
