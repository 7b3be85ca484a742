"""Validation of docs/model.md §13–14's settings: VpcConfig, the account's rate and VPC
settings, deployment packages with AWS's messages, the payload column, and what plan_vpcs
makes of a set of VPC functions before the run."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lambda_core as lc
from lambda_core._model.vpc import plan_vpcs

A, B = ["subnet-a"], ["sg-1"]


def test_a_vpc_config_names_subnets_and_security_groups_within_aws_limits() -> None:
    v = lc.VpcConfig(["subnet-b", "subnet-a"], ["sg-1"])
    assert (v.subnet_ids, v.nat_gateway, v.vpc_id) == (("subnet-b", "subnet-a"), False, "vpc-default")
    assert v.combination == lc.VpcConfig(["subnet-a", "subnet-b"], ["sg-1"], nat_gateway=True).combination
    lc.VpcConfig([f"s{i}" for i in range(16)], [f"g{i}" for i in range(5)])
    for subnets, groups, text in (
        ([], B, "subnet_ids must name 1 to 16 ids, got 0"),
        ([f"s{i}" for i in range(17)], B, "got 17"),
        (A, [f"g{i}" for i in range(6)], "security_group_ids must name 1 to 5 ids, got 6"),
        (["s", "s"], B, "ids must be unique"),
        ([""], B, "must not be empty"),
    ):
        with pytest.raises(lc.InvalidParameterValueException, match=text):
            lc.VpcConfig(subnets, groups)
    with pytest.raises(TypeError, match="list or tuple of str"):
        lc.VpcConfig("subnet-a", B)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="nat_gateway must be a bool"):
        lc.VpcConfig(A, B, nat_gateway=1)  # type: ignore[arg-type]


def test_the_account_checks_its_rate_and_vpc_settings() -> None:
    a = lc.Account()
    assert (a.invocation_rate_limit, a.vpc_networking, a.eni_quota, a.eni_ready_s, a.eni_init_s) == (
        True, "hyperplane", 250, 90.0, 10.0)
    assert a.inactive_after_s == 14 * 86400
    for kwargs, error, text in (
        ({"vpc_networking": "classic"}, lc.InvalidParameterValueException, "'hyperplane' or 'legacy'"),
        ({"eni_quota": -1}, lc.InvalidParameterValueException, "eni_quota must be at least 0"),
        ({"eni_ready_s": -1.0}, lc.InvalidParameterValueException, "eni_ready_s must be a finite"),
        ({"eni_init_s": math.nan}, lc.InvalidParameterValueException, "eni_init_s"),
        ({"inactive_after_s": 0}, lc.InvalidParameterValueException, "greater than 0"),
        ({"eni_ready_s": 1e10}, lc.EngineLimitError, "above lambda_core's limit"),
        ({"invocation_rate_limit": 1}, TypeError, "must be a bool"),
        ({"eni_quota": 2.0}, TypeError, "eni_quota"),
    ):
        with pytest.raises(error, match=text):
            lc.Account(**kwargs)


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"code_size_mb": 50.001}, lc.RequestEntityTooLargeException,
     "Request must be smaller than 69905067 bytes for the CreateFunction operation"),
    ({"unzipped_size_mb": 200, "layer_sizes_mb": (30, 20.5)}, lc.InvalidParameterValueException,
     "Unzipped size must be smaller than 262144000 bytes"),
    ({"layer_sizes_mb": (1,) * 6}, lc.InvalidParameterValueException, "Cannot reference more than 5 layers."),
    ({"package_type": "Image", "code_size_mb": 10240.5}, lc.InvalidParameterValueException,
     "Image size must be smaller than 10737418240 bytes"),
    ({"package_type": "Image", "layer_sizes_mb": (1,)}, lc.InvalidParameterValueException,
     "Layers are not supported for functions with package type Image."),
])
def test_packages_beyond_aws_limits_get_aws_answers(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error) as info:
        lc.Function("f", **kwargs)
    assert str(info.value) == message
    assert info.value.code == error.code


def test_packages_at_the_limits_are_accepted_and_stored() -> None:
    f = lc.Function("f", code_size_mb=50, unzipped_size_mb=230, layer_sizes_mb=[5, 5, 5, 3, 2])
    assert (f.package_type, f.code_size_mb, f.layer_sizes_mb) == ("Zip", 50.0, (5.0, 5.0, 5.0, 3.0, 2.0))
    assert lc.Function("g", package_type="Image", code_size_mb=10240).code_size_mb == 10240.0
    with pytest.raises(lc.InvalidParameterValueException, match="'Zip' or 'Image'"):
        lc.Function("f", package_type="zip")
    with pytest.raises(lc.InvalidParameterValueException, match="at least 0"):
        lc.Function("f", code_size_mb=-1)


def test_a_function_s_vpc_fields_are_typed() -> None:
    f = lc.Function("f", vpc=lc.VpcConfig(A, B), needs_internet=True, created_at_s=-5)
    assert f.hangs and f.created_at_s == -5.0
    assert not lc.Function("g", vpc=lc.VpcConfig(A, B, nat_gateway=True), needs_internet=True).hangs
    assert not lc.Function("h", needs_internet=True).hangs  # outside a VPC Lambda has the internet
    with pytest.raises(TypeError, match="VpcConfig or None"):
        lc.Function("f", vpc={"subnet_ids": A})  # type: ignore[arg-type]
    with pytest.raises(lc.InvalidParameterValueException, match="created_at_s"):
        lc.Function("f", created_at_s=math.inf)


def test_the_payload_column_is_checked_and_says_which_rows_are_too_large() -> None:
    sync, event = 6 * 2**20, 2**20
    w = lc.Workload([0, 0, 0, 0], 0, 0.1, invocation_type=[0, 0, 1, 1],
                    payload_bytes=[sync, sync + 1, event, event + 1])
    assert w.too_large().tolist() == [False, True, False, True]
    assert lc.Workload([0], 0, 0.1).too_large() is None
    with pytest.raises(lc.WorkloadError, match="row 1: -1 is negative") as info:
        lc.Workload([0, 1], 0, 0.1, payload_bytes=[0, -1])
    assert (info.value.column, info.value.row) == ("payload_bytes", 1)
    with pytest.raises(TypeError, match="payload_bytes"):
        lc.Workload([0], 0, 0.1, payload_bytes=[1.5])
    merged = lc.Workload.concat([w, lc.Workload([0.5], 0, 0.1)])
    assert merged.payload_bytes is not None and merged.payload_bytes.tolist() == [sync, sync + 1, event, event + 1, 0]


def test_refused_outcomes_carry_aws_errors_and_messages() -> None:
    O = lc.Outcome
    assert O.FUNCTION_PENDING.aws_error == O.FUNCTION_INACTIVE.aws_error == "ResourceConflictException"
    assert O.FUNCTION_INACTIVE.message() == (
        "The operation cannot be performed at this time. The function is currently in the following state: Inactive")
    assert O.ENI_LIMIT_REACHED.aws_error == "ENILimitReachedException"
    assert O.REQUEST_TOO_LARGE.message() == "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
    assert O.REQUEST_TOO_LARGE.message(lc.InvocationType.EVENT).startswith("Request must be smaller than 1048576 bytes")
    assert O.SUCCESS.aws_error == O.SUCCESS.message() == ""
    # AWS's TooManyRequestsException reasons, every one (and lambda_core's scaling reason)
    assert {r.aws_name for r in lc.ThrottleReason} - {""} == {
        "ConcurrentInvocationLimitExceeded", "FunctionInvocationRateLimitExceeded",
        "ReservedFunctionConcurrentInvocationLimitExceeded", "ReservedFunctionInvocationRateLimitExceeded",
        "CallerRateLimitExceeded", "ConcurrentSnapshotCreateLimitExceeded", "FunctionScalingRateExceeded"}


def _f(name: str, vpc: lc.VpcConfig | None, created: float | None = None) -> lc.Function:
    return lc.Function(name, vpc=vpc, created_at_s=created)


def test_hyperplane_enis_are_shared_per_combination_and_made_in_creation_order() -> None:
    x, y, z = lc.VpcConfig(A, B), lc.VpcConfig(["subnet-b"], B), lc.VpcConfig(["subnet-c"], B)
    functions = [
        _f("late", x, 100.0),         # the combination's first function was made at 10 s
        _f("first", x, 10.0),         # Pending until 10 + 90 s
        _f("old", y),                 # made before the run: its ENI exists
        _f("old-too", y, 5.0),        # the same combination: Active once it exists
        _f("third", z, 50.0),         # the third combination of a VPC with a quota of 2
        _f("plain", None),
    ]
    plans, quotas = plan_vpcs("hyperplane", 2, 90.0, functions)
    assert quotas == []
    assert [(p.active_from_s, p.no_eni) if p else None for p in plans] == [
        (100.0, False), (100.0, False), (0.0, False), (5.0, False), (140.0, True), None]
    # a VPC of its own has its own quota
    other = lc.VpcConfig(["subnet-c"], B, vpc_id="vpc-2")
    plans, _ = plan_vpcs("hyperplane", 2, 90.0, functions[:4] + [_f("third", other, 50.0)])
    assert plans[4] is not None and not plans[4].no_eni


def test_legacy_networking_has_one_eni_pool_per_vpc_and_no_states() -> None:
    functions = [_f("a", lc.VpcConfig(A, B), 10.0), _f("b", lc.VpcConfig(["subnet-v2"], B, vpc_id="v2")),
                 _f("c", None), _f("d", lc.VpcConfig(["s"], ["g"]))]
    plans, quotas = plan_vpcs("legacy", 7, 90.0, functions)
    assert quotas == [7, 7]
    assert [(p.active_from_s, p.eni_pool) if p else None for p in plans] == [(0.0, 0), (0.0, 1), None, (0.0, 0)]


def test_a_scenario_takes_a_vpc_table_and_the_account_keys() -> None:
    text = """
[account]
vpc_networking = "legacy"
eni_quota = 3
invocation_rate_limit = false
[[functions]]
name = "orders"
needs_internet = true
created_at_s = 10.0
layer_sizes_mb = [1.0, 2.0]
[functions.vpc]
subnet_ids = ["subnet-a"]
security_group_ids = ["sg-1"]
"""
    sc = lc.parse_scenario(text)
    f = sc.functions[0]
    assert f.vpc == lc.VpcConfig(["subnet-a"], ["sg-1"]) and f.hangs and f.layer_sizes_mb == (1.0, 2.0)
    assert (sc.account.vpc_networking, sc.account.eni_quota, sc.account.invocation_rate_limit) == ("legacy", 3, False)
    for table, message in (
        ('subnet_ids = ["a"]\nsecurity_group_ids = ["b"]\nnat = true', "unknown key 'nat' in [functions.vpc] of"),
        ('security_group_ids = ["b"]', "missing key 'subnet_ids' in [functions.vpc]"),
        ('subnet_ids = []\nsecurity_group_ids = ["b"]', "subnet_ids must name 1 to 16 ids"),
    ):
        with pytest.raises(lc.ScenarioError, match=message.replace("[", r"\[").replace("]", r"\]")):
            lc.parse_scenario(f'[[functions]]\nname = "f"\n[functions.vpc]\n{table}\n')
    with pytest.raises(lc.ScenarioError, match="'vpc' in .* must be a table"):
        lc.parse_scenario('[[functions]]\nname = "f"\nvpc = "vpc-1"\n')


def test_a_function_created_during_the_run_and_its_invocations_before() -> None:
    # attempts before the function exists are refused as Pending too (docs/model.md §13)
    f = lc.Function("f", vpc=lc.VpcConfig(A, B), created_at_s=100.0, init_s=0)
    r = lc.Simulator(lc.Account(eni_ready_s=30), [f]).run(lc.Workload([50.0, 129.9, 130.0], 0, 0.1))
    assert r.requests["outcome"].tolist() == [lc.Outcome.FUNCTION_PENDING] * 2 + [lc.Outcome.SUCCESS]
    np.testing.assert_array_equal(r.requests["attempts"], [0, 0, 1])


def test_a_subnet_is_in_one_vpc() -> None:
    a = _f("a", lc.VpcConfig(["s1"], B, vpc_id="v1"), 0.0)
    b = _f("b", lc.VpcConfig(["s2", "s1"], B, vpc_id="v2"), 60.0)
    with pytest.raises(lc.InvalidParameterValueException, match="subnet 's1' is named in VPC 'v1' and in VPC 'v2'"):
        lc.Simulator(lc.Account(), [a, b])


def test_times_beyond_the_engine_s_are_refused_with_the_user_s_names() -> None:
    with pytest.raises(lc.EngineLimitError, match="created_at_s=-9100000000.0 is beyond"):
        lc.Function("a", created_at_s=-9.1e9)
    late = lc.Function("a", vpc=lc.VpcConfig(A, B), created_at_s=8.99999999e9)
    with pytest.raises(lc.EngineLimitError, match="function 'a': created_at_s \\+ eni_ready_s"):
        lc.Simulator(lc.Account(), [late])


def test_event_source_batches_count_in_the_request_rate() -> None:
    # docs/model.md §14: every admitted attempt counts, a mapping's batches too. 100 messages at
    # 0 s, batches of one that take no time, a reservation of 1: 10 run in the first second,
    # the other 90 are throttled for the reservation's rate (and come back after 30 s)
    q = lc.SqsQueue("jobs", visibility_timeout_s=30)
    m = lc.EventSourceMapping(q, "worker", batch_size=1, duration=lc.BatchDuration(0.0, 0.0))
    worker = lc.Function("worker", reserved_concurrency=1, init_s=0, timeout_s=30)
    r = lc.Simulator(lc.Account(), [worker], mappings=[m]).run(records=[lc.Records("jobs", np.zeros(100))], until=1.0)
    assert (r.functions["invocations"][0], r.functions["throttles_reserved_rate"][0]) == (10, 90)
    assert r.mappings["jobs"]["throttles"] == 90
