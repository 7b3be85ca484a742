"""The built-in scenario: ``builtin.toml``, shipped with the package as data."""

from __future__ import annotations

from importlib import resources

from ._parse import parse_scenario
from ._scenario import Scenario

__all__ = ["BUILTIN_SCENARIO_TOML", "builtin_scenario"]

#: The scenario ``lambda-core run`` runs without a file (the text of ``builtin.toml``): the
#: project's seed example (limit 1000; "orders" reserves 200 and "payments" 100, the other
#: eight share 700) under an hour of Poisson traffic with flash crowds, S3 events with a
#: dead-letter queue, and a 100-shard Kinesis stream read by "inventory"; the file's comments
#: say more.
BUILTIN_SCENARIO_TOML: str = (
    resources.files("lambda_core.scenarios").joinpath("builtin.toml").read_text(encoding="utf-8")
)


def builtin_scenario() -> Scenario:
    """The built-in scenario (:data:`BUILTIN_SCENARIO_TOML`), parsed."""
    return parse_scenario(BUILTIN_SCENARIO_TOML, source="<built-in scenario>", name="builtin")
