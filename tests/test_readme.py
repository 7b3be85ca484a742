"""The README's API example runs and says what it claims."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_api_example_runs():
    code = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)[0]
    scope: dict = {}
    exec(compile(code, str(README), "exec"), scope)
    sim, result = scope["sim"], scope["result"]
    assert sim.account_settings() == {"ConcurrentExecutions": 1000, "UnreservedConcurrentExecutions": 700}
    assert len(result.requests["outcome"]) == 1_000_000
    assert result.account["max_unreserved_concurrency"] <= 700
    assert result.function("orders")["max_concurrency"] <= 200
