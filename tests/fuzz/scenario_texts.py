"""Scenario texts for the fuzzing harness: a small valid scenario drawn from the whole schema of
docs/scenarios.md (account, client retries, functions with every generator and trigger,
streams, queues, mappings), written as TOML, and then mutated or not: a value replaced by a
wrong type or a huge, tiny, NaN or infinite number, a key removed or added, a table dropped, or
the text itself cut or edited."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

from hypothesis import strategies as st

#: Values a mutation puts in place of a valid one.
WILD_VALUES: list[Any] = [
    math.nan, math.inf, -math.inf, -1, 0, -0.0, 1e300, 1e-300, 5e-324, 2**63 - 1, -(2**63), 2**64, 10**12,
    1.5, "x", "", True, False, [], [1, 2], {}, {"a": 1}, 9e9, 9.000001e9, 1e-7,
]


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def to_toml(model: dict[str, Any]) -> str:
    """`model` as TOML: top-level values (tables inline), then each array of tables, whose
    tables have their nested tables inline (one line each, as TOML 1.0 wants)."""
    lines = []
    arrays = {k: v for k, v in model.items() if isinstance(v, list) and v and all(isinstance(t, dict) for t in v)}
    for key, value in model.items():
        if key not in arrays:
            lines.append(f"{json.dumps(key)} = {toml_value(value)}")
    for key, tables in arrays.items():
        for table in tables:
            lines.append(f"\n[[{key}]]")
            lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


@st.composite
def durations(draw: Any) -> dict[str, Any]:
    dist = draw(st.sampled_from(["fixed", "exponential", "lognormal"]))
    if dist == "fixed":
        return {"dist": dist, "s": draw(st.sampled_from([0, 0.1, 2.5, 200]))}
    if dist == "exponential":
        return {"dist": dist, "mean_s": draw(st.sampled_from([0.01, 0.5, 4.0]))}
    return {"dist": dist, "median_s": draw(st.sampled_from([0.05, 0.8])), "sigma": draw(st.sampled_from([0.1, 1.0, 3.0]))}


@st.composite
def arrivals(draw: Any, keyed: bool | None = None) -> dict[str, Any]:
    """A generator's arrivals (a workload's when `keyed` is None, else a source's records)."""
    table: dict[str, Any] = {"arrivals": draw(st.sampled_from(["poisson", "bursty"]))}
    if table["arrivals"] == "poisson" or draw(st.booleans()):
        table["rate_per_s"] = draw(st.sampled_from([0.5, 2, 20]))
        table["end_s"] = draw(st.sampled_from([5, 30, 60.5]))
        if draw(st.booleans()):
            table["start_s"] = draw(st.sampled_from([0, 1.5]))
    if table["arrivals"] == "bursty":
        table["bursts"] = draw(st.lists(st.fixed_dictionaries(
            {"at_s": st.sampled_from([0, 3, 10.5]), "count": st.integers(0, 30)},
            optional={"over_s": st.sampled_from([0, 2.0])}), max_size=2))
    if keyed is None:
        table["duration"] = draw(durations())
        choice = draw(st.sampled_from(["none", "trigger", "type"]))
        if choice == "trigger":
            table["trigger"] = draw(st.sampled_from(["s3", "SNS", "api_gateway", "eventbridge", "alb"]))
        elif choice == "type":
            table["invocation_type"] = draw(st.sampled_from(["event", "request_response", "Event"]))
    elif keyed and draw(st.booleans()):
        table["keys"] = draw(st.integers(1, 5))
    if draw(st.booleans()):
        table["failure_rate"] = draw(st.sampled_from([0.0, 0.1, 0.5]))
        if keyed is not None and draw(st.booleans()):
            table["failures"] = draw(st.integers(1, 4))
    return table


@st.composite
def scenario_models(draw: Any) -> dict[str, Any]:
    """A valid scenario, as the dictionary TOML reads."""
    model: dict[str, Any] = {"name": "fuzz"}
    if draw(st.booleans()):
        model["seed"] = draw(st.integers(0, 2**64 - 1))
    if draw(st.booleans()):
        model["until"] = draw(st.sampled_from([1, 30.5, 120, 600]))
    if draw(st.booleans()):
        model["routing"] = draw(st.sampled_from(["newest", "mru", "oldest"]))
    retry = draw(st.sampled_from([None, "standard", {"max_attempts": 4, "base_s": 0.1, "cap_s": 2}]))
    if retry is not None:
        model["client_retries"] = retry
    limit = draw(st.integers(5, 50))
    model["account"] = {"concurrency_limit": limit, "unreserved_min": 1,
                        "scaling": draw(st.sampled_from(["current", "legacy", "off"]))}
    functions = []
    for i in range(draw(st.integers(1, 3))):
        f: dict[str, Any] = {"name": f"fn{i}"}
        if draw(st.booleans()):
            f["reserved_concurrency"] = draw(st.integers(0, 2))
            if f["reserved_concurrency"] and draw(st.booleans()):
                f["provisioned_concurrency"] = 1
        if draw(st.booleans()):
            f.update(timeout_s=draw(st.sampled_from([1, 3, 30.5])), max_event_age_s=draw(st.sampled_from([60, 600])),
                     max_retry_attempts=draw(st.integers(0, 2)))
        if draw(st.booleans()):
            f.update(on_failure="dlq", on_success="done")
        gens = draw(st.lists(arrivals(), max_size=2))
        if gens:
            f["workload"] = gens[0] if len(gens) == 1 else gens
        functions.append(f)
    model["functions"] = functions
    sources = []
    for j in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["kinesis", "dynamodb", "sqs", "fifo"]))
        if kind in ("kinesis", "dynamodb"):
            table: dict[str, Any] = {"name": f"src{j}", "kind": kind, "shards": draw(st.integers(1, 3))}
            table["records"] = draw(arrivals(keyed=True))
            model.setdefault("streams", []).append(table)
        else:
            fifo = kind == "fifo"
            table = {"name": f"src{j}.fifo" if fifo else f"src{j}", "fifo": fifo,
                     "visibility_timeout_s": draw(st.sampled_from([1, 30])),
                     "messages": draw(arrivals(keyed=fifo))}
            if draw(st.booleans()):
                table["max_receive_count"] = draw(st.integers(1, 3))
            model.setdefault("queues", []).append(table)
        mapping: dict[str, Any] = {"source": table["name"], "function": f"fn{draw(st.integers(0, len(functions) - 1))}",
                                   "batch_size": draw(st.integers(1, 5))}
        if draw(st.booleans()):
            mapping["duration"] = draw(st.sampled_from([0.2, {"base_s": 0.05, "per_record_s": 0.01}]))
        if kind in ("kinesis", "dynamodb") and draw(st.booleans()):
            mapping.update(parallelization_factor=2, bisect_batch_on_function_error=True, maximum_retry_attempts=3,
                           on_failure="failed-records")
        sources.append(mapping)
    if sources:
        model["mappings"] = sources
    return model


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in `node` (dicts and lists), the containers included."""
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for k, v in items:
        out.append(prefix + (k,))
        out += _paths(v, prefix + (k,))
    return out


def _parent(model: Any, path: tuple[Any, ...]) -> Any:
    for k in path[:-1]:
        model = model[k]
    return model


@st.composite
def mutated(draw: Any, model: dict[str, Any]) -> tuple[str, list[str]]:
    """`model` with 0–3 mutations, as TOML text, and what was done."""
    model = copy.deepcopy(model)
    done: list[str] = []
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
        paths = _paths(model)
        op = draw(st.sampled_from(["value", "value", "value", "delete", "unknown"]))
        path = draw(st.sampled_from(paths))
        parent = _parent(model, path)
        if op == "value":
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(WILD_VALUES)))  # lists, dicts: fresh
        elif op == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif op == "unknown":
            target = parent if isinstance(parent, dict) else model
            target[draw(st.sampled_from(["memry_mb", "foo", "rate", "Shards"]))] = 1
        done.append(f"{op} {path}")
    text = to_toml(model)
    if draw(st.integers(0, 5)) == 0:  # the text itself: cut, a line twice, a character
        edit = draw(st.sampled_from(["cut", "twice", "char"]))
        at = draw(st.integers(0, len(text)))
        if edit == "cut":
            text = text[:at]
        elif edit == "twice":
            lines = text.splitlines(keepends=True)
            k = draw(st.integers(0, len(lines) - 1))
            text = "".join(lines[:k + 1] + lines[k:])
        else:
            text = text[:at] + draw(st.sampled_from(["\x00", "=", "[", "\ufeff", "é", "\n[[functions]]\n"])) + text[at:]
        done.append(f"text {edit} at {at}")
    return text, done
