"""Checks of X-Ray segment documents and OTLP/JSON traces, written from AWS's documentation
(PutTraceSegments' required fields; "AWS X-Ray segment documents" in the X-Ray developer guide)
and the OTLP/JSON encoding of opentelemetry-proto (trace.proto): no network at test time."""

from __future__ import annotations

import json
import re
from typing import Any

HEX16 = re.compile(r"^[0-9a-f]{16}$")
#: version 1, 8 hex digits of epoch seconds, 24 hex digits (96 bits)
TRACE_ID = re.compile(r"^1-([0-9a-f]{8})-[0-9a-f]{24}$")
#: a segment's name: up to 200 characters of letters, digits, whitespace and _ . : / % & # = + \ - @
NAME = re.compile(r"^[\w\s.:/%&#=+\\\-@]{1,200}$")
HEADER = re.compile(r"^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=1$")
MAX_BYTES = 64 * 1024


def check_times(doc: dict[str, Any]) -> None:
    start, end = doc["start_time"], doc["end_time"]
    assert isinstance(start, float) and isinstance(end, float), doc
    assert 0 < start <= end, doc
    assert "in_progress" not in doc


def check_subsegment(sub: dict[str, Any], parent: dict[str, Any]) -> None:
    for key in ("id", "name", "start_time", "end_time"):
        assert key in sub, (key, sub)
    assert HEX16.match(sub["id"]), sub
    assert NAME.match(sub["name"]), sub
    check_times(sub)
    assert parent["start_time"] <= sub["start_time"] and sub["end_time"] <= parent["end_time"] + 1e-9
    for flag in ("error", "fault", "throttle"):
        assert isinstance(sub.get(flag, False), bool)
    for e in sub.get("cause", {}).get("exceptions", []):
        assert HEX16.match(e["id"]) and isinstance(e["message"], str)


def check_segment(doc: dict[str, Any]) -> None:
    """One segment document as PutTraceSegments accepts it."""
    for key in ("name", "id", "trace_id", "start_time", "end_time"):
        assert key in doc, (key, doc)
    assert NAME.match(doc["name"]), doc
    assert HEX16.match(doc["id"]), doc
    m = TRACE_ID.match(doc["trace_id"])
    assert m, doc
    # the trace id's time is the request's start, at or before the segment's
    assert int(m.group(1), 16) <= doc["start_time"]
    check_times(doc)
    if "parent_id" in doc:
        assert HEX16.match(doc["parent_id"])
    for flag in ("error", "fault", "throttle"):
        assert isinstance(doc.get(flag, False), bool)
    status = doc.get("http", {}).get("response", {}).get("status")
    if status is not None:
        assert isinstance(status, int) and 100 <= status < 600
    if doc.get("throttle"):
        assert status == 429
    for sub in doc.get("subsegments", []):
        check_subsegment(sub, doc)
    assert len(json.dumps(doc).encode()) <= MAX_BYTES


HEX32 = re.compile(r"^[0-9a-f]{32}$")
VALUE_KEYS = {"stringValue", "boolValue", "intValue", "doubleValue", "arrayValue", "kvlistValue", "bytesValue"}


def check_attributes(attributes: list[dict[str, Any]]) -> dict[str, Any]:
    """OTLP/JSON key-values, each with one typed value; returned as a dict of plain values."""
    out: dict[str, Any] = {}
    for kv in attributes:
        assert set(kv) == {"key", "value"}, kv
        (kind, value), = kv["value"].items()
        assert kind in VALUE_KEYS
        if kind == "intValue":
            assert isinstance(value, str) and re.match(r"^-?\d+$", value)
            value = int(value)
        elif kind == "boolValue":
            assert isinstance(value, bool)
        elif kind == "stringValue":
            assert isinstance(value, str)
        assert kv["key"] not in out
        out[kv["key"]] = value
    return out


def check_otlp(doc: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    """An ``ExportTraceServiceRequest`` in OTLP/JSON; returns (resource attributes, span, span
    attributes) per span."""
    assert set(doc) == {"resourceSpans"}
    out = []
    json.dumps(doc, allow_nan=False)
    for rs in doc["resourceSpans"]:
        resource = check_attributes(rs["resource"]["attributes"])
        for ss in rs["scopeSpans"]:
            assert isinstance(ss["scope"]["name"], str)
            for span in ss["spans"]:
                assert HEX32.match(span["traceId"]) and span["traceId"] != "0" * 32
                assert HEX16.match(span["spanId"]) and span["spanId"] != "0" * 16
                if "parentSpanId" in span:
                    assert HEX16.match(span["parentSpanId"])
                assert span["kind"] in (1, 2, 3, 4, 5)
                start, end = span["startTimeUnixNano"], span["endTimeUnixNano"]
                assert isinstance(start, str) and isinstance(end, str) and int(start) <= int(end)
                assert span["status"].get("code", 0) in (0, 1, 2)
                out.append((resource, span, check_attributes(span["attributes"])))
    return out
