"""``lambda-core limits``: Lambda's quotas and limits as lambda_core applies them (docs/limits.md),
each number checked against the module that applies it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import lambda_core as lc
from lambda_core import _core
from lambda_core._cli import main
from lambda_core._limits_cli import format_value
from lambda_core._model import deployment, payloads, vpc
from lambda_core._model.account import REQUESTS_PER_SECOND_PER_CONCURRENCY, SCALING_DEFAULTS
from lambda_core._model.function import _AWS_RANGES, ENVIRONMENT_LIMIT_BYTES, INIT_LIMIT_S
from lambda_core._model.quotas import NOT_MODELLED, SCENARIO_SOURCE, SECTIONS, quotas

DOC = Path(__file__).resolve().parents[2] / "docs" / "limits.md"
#: docs/limits.md's generated table sits between these two lines.
BEGIN = "<!-- begin: lambda-core limits --format markdown -->"
END = "<!-- end: lambda-core limits --format markdown -->"

SCENARIO = """
[account]
concurrency_limit = 2000
[[functions]]
name = "orders"
reserved_concurrency = 300
[[functions]]
name = "cart"
"""


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["limits", *argv]) == 0
    return capsys.readouterr().out


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, dict[str, Any]]:
    rows = json.loads(_run(capsys, "--format", "json", *argv))
    return {row["name"]: row for row in rows}


def test_the_defaults_are_read_from_where_each_number_lives(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys)
    ranges = {field: [low, high] for field, _, low, high in _AWS_RANGES}
    account = lc.Account()
    burst, refill = SCALING_DEFAULTS["current"]
    expected = {
        "Concurrent executions": account.concurrency_limit,
        "Unreserved concurrency minimum": account.min_unreserved,
        "Scaling burst (new environments at once)": burst,
        "Scaling refill": refill,
        "Function memory allocation": ranges["memory_mb"],
        "Function timeout": ranges["timeout_s"],
        "/tmp directory storage": ranges["ephemeral_storage_mb"],
        "Asynchronous retry attempts": ranges["max_retry_attempts"],
        "Maximum event age": ranges["max_event_age_s"],
        "Function environment variables": ENVIRONMENT_LIMIT_BYTES,
        "Init phase of an on-demand environment": INIT_LIMIT_S,
        "Invocation requests per Region": REQUESTS_PER_SECOND_PER_CONCURRENCY * account.concurrency_limit,
        "Deployment package (.zip), uploaded directly": deployment.ZIP_DIRECT_UPLOAD_LIMIT_MB,
        "Deployment package, unzipped, layers included": deployment.UNZIPPED_LIMIT_MB,
        "Layers per function": deployment.LAYERS_LIMIT,
        "Container image, uncompressed": deployment.IMAGE_LIMIT_MB,
        "Subnets per function": vpc.MAX_SUBNETS,
        "Security groups per function": vpc.MAX_SECURITY_GROUPS,
        "Poll interval, Kinesis": _core.POLL_INTERVAL_S["kinesis"],
        "Poll interval, DynamoDB Streams": _core.POLL_INTERVAL_S["dynamodb"],
    }
    assert {name: rows[name]["value"] for name in expected} == expected
    assert rows["Invocation payload, synchronous request"]["value"] * 2**20 == payloads.SYNC_PAYLOAD_LIMIT_BYTES
    assert rows["Invocation payload, asynchronous event"]["value"] * 2**20 == payloads.ASYNC_PAYLOAD_LIMIT_BYTES
    # the account's VPC defaults and vpc.py's agree: one number, whichever home it is read from
    vpc_defaults = {
        "VPC networking": vpc.VPC_NETWORKING[0],
        "Elastic network interfaces per VPC": vpc.ENI_QUOTA_DEFAULT,
        "Hyperplane ENI creation": vpc.ENI_READY_S_DEFAULT,
        "Legacy ENI creation per environment": vpc.ENI_INIT_S_DEFAULT,
        "Idle time before a VPC function is Inactive": vpc.INACTIVE_AFTER_S_DEFAULT,
    }
    assert {name: rows[name]["value"] for name in vpc_defaults} == vpc_defaults
    assert all(row["value"] == row["default"] for row in rows.values())


def test_every_row_says_what_applies_it_and_where_its_number_comes_from() -> None:
    rows = quotas()
    assert [q.section for q in rows] == sorted((q.section for q in rows), key=list(SECTIONS).index)
    assert set(SECTIONS) == {q.section for q in rows}
    assert len({(q.section, q.name) for q in rows}) == len(rows)
    for q in rows:
        assert q.applied and q.source and "://" not in q.source + q.applied, q
    assert {q.name for q in rows if q.applied == NOT_MODELLED} >= {"Function and layer storage"}


def test_text_is_a_table_per_section_with_aligned_columns(capsys: pytest.CaptureFixture[str]) -> None:
    lines = _run(capsys).splitlines()
    headings = [line for line in lines if line and not line.startswith(" ")]
    assert headings == list(SECTIONS.values())
    header = lines[1]
    assert header.split() == ["quota", "value", "unit", "adjustable", "applied", "source"]
    adjustable, applied = header.index("adjustable"), header.index("applied")
    rows = [line for line in lines if line.startswith("  ")]
    assert {line for line in rows if line.lstrip().startswith("quota")} == {header}
    for line in rows:
        if line != header:
            assert line[adjustable:adjustable + 3] in ("yes", "no "), line
            assert line[applied - 2:applied] == "  " and line[applied] != " ", line
    assert "  Function memory allocation " in _run(capsys, "--section", "function")


def test_a_scenario_shows_its_account_and_reservations(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "shop.toml"
    path.write_text(SCENARIO)
    rows = _json(capsys, str(path))
    limit = rows["Concurrent executions"]
    assert (limit["value"], limit["default"], limit["source"]) == (2000, lc.Account().concurrency_limit,
                                                                   SCENARIO_SOURCE)
    scenario = lc.Scenario.load(path)
    assert rows["Unreserved concurrency"]["value"] == lc.plan_pools(
        scenario.account, scenario.functions).unreserved_capacity == 1700
    assert rows["Invocation requests per Region"]["value"] == REQUESTS_PER_SECOND_PER_CONCURRENCY * 2000
    assert rows["Invocation requests of orders (reserved 300)"]["value"] == REQUESTS_PER_SECOND_PER_CONCURRENCY * 300
    assert not any("cart" in name for name in rows)  # no reservation, no window of its own
    # what the scenario leaves alone keeps AWS's value and source
    memory = rows["Function memory allocation"]
    assert memory["value"] == memory["default"] and memory["source"] != SCENARIO_SOURCE
    text = _run(capsys, str(path), "--section", "account")
    assert "2000 (default 1000)" in text and "1700" in text


def test_an_account_changes_the_rows_it_sets() -> None:
    rows = {q.name: q for q in quotas(lc.Account(scaling=None, invocation_rate_limit=False, eni_quota=500))}
    assert rows["Scaling burst (new environments at once)"].value is None
    assert format_value(rows["Scaling burst (new environments at once)"].value) == "no limit"
    assert rows["Invocation requests per Region"].value is None
    assert rows["Invocation requests per Region"].applied.startswith("off")
    eni = rows["Elastic network interfaces per VPC"]
    assert (eni.value, eni.default, eni.differs, eni.source) == (500, vpc.ENI_QUOTA_DEFAULT, True, SCENARIO_SOURCE)
    legacy = {q.name: q for q in quotas(lc.Account(scaling="legacy"))}["Scaling burst (new environments at once)"]
    # AWS's legacy number, from AWS's legacy source: not the scenario's own
    assert legacy.value == SCALING_DEFAULTS["legacy"][0] and legacy.differs and legacy.source != SCENARIO_SOURCE


def test_json_is_a_list_of_objects_and_a_section_is_one_section(capsys: pytest.CaptureFixture[str]) -> None:
    rows = json.loads(_run(capsys, "--format", "json", "--section", "VPC"))
    assert rows and {row["section"] for row in rows} == {"vpc"}
    assert set(rows[0]) == {"section", "name", "value", "unit", "adjustable", "applied", "source", "default"}
    assert format_value((-1, 10000)) == "-1 to 10000" and format_value((128, 10240)) == "128–10240"


@pytest.mark.parametrize("argv, code, message", [
    (["--section", "nope"], 2, "lambda-core limits: error: argument --section: invalid choice: 'nope'"),
    (["--format", "yaml"], 2, "lambda-core limits: error: argument --format: invalid choice: 'yaml'"),
    (["no-such-scenario.toml"], 1, "error: cannot read scenario file"),
])
def test_refusals_are_one_message_and_the_usual_exit_code(argv: list[str], code: int, message: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["limits", *argv]) == code
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err and captured.out == ""


def test_the_doc_table_is_the_command_output(capsys: pytest.CaptureFixture[str]) -> None:
    doc = DOC.read_text(encoding="utf-8")
    found = re.search(re.escape(BEGIN) + r"\n(.*?)\n" + re.escape(END), doc, re.S)
    assert found, f"docs/limits.md has no table between {BEGIN!r} and {END!r}"
    assert found.group(1) == _run(capsys, "--format", "markdown").rstrip("\n"), (
        "docs/limits.md is out of date: paste `lambda-core limits --format markdown` between its markers")
    assert "://" not in doc
