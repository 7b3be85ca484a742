"""The module names users could import before the package got its private layout
(issues 2–4) still import, with every name they exported, and give the same objects as the
public surface."""

from __future__ import annotations

import importlib

import pytest

import lambda_core as lc

OLDER = {
    "config": ["Account", "Function", "PoolPlan", "RetryPolicy", "plan_pools", "put_function_concurrency",
               "put_provisioned_concurrency_config", "FUNCTION_NAME_PATTERN", "FUNCTION_NAME_MAX_LENGTH",
               "ENVIRONMENT_LIMIT_BYTES", "INIT_LIMIT_S"],
    "sources": ["KinesisStream", "DynamoDBStream", "SqsQueue", "EventSourceMapping", "BatchDuration", "EventSource",
                "KINESIS_STREAM_NAME_PATTERN", "DYNAMODB_TABLE_NAME_PATTERN", "STREAM_RETENTION_DEFAULT_S",
                "QUEUE_RETENTION_DEFAULT_S"],
    "enums": ["InvocationType", "Outcome", "RecordOutcome", "ThrottleReason", "Routing", "Trigger"],
    "records": ["Records", "key_to_int"],
    "workload": ["Workload"],
    "simulator": ["Simulator", "Result", "Window"],
    "report": ["COUNTS", "ASYNC_COUNTS", "MAPPING_COUNTS", "MAPPING_FIGURES", "summarize", "format_table",
               "format_run", "format_validation", "ProgressBar"],
    "cli": ["main", "simulate", "STEPS"],
    "scenario": ["load_scenario", "parse_scenario", "Scenario", "ScenarioError", "BUILTIN_SCENARIO_TOML"],
}


@pytest.mark.parametrize("module", sorted(OLDER))
def test_an_older_module_name_still_imports_its_names(module: str) -> None:
    m = importlib.import_module(f"lambda_core.{module}")
    for name in OLDER[module]:
        value = getattr(m, name)
        if hasattr(lc, name):
            assert value is getattr(lc, name), name
    assert set(OLDER[module]) <= set(m.__all__)
