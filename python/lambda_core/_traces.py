"""Traces of a run (docs/traces.md): X-Ray segment documents and OTLP/JSON spans, built from the
engine's rows of traced attempts (:attr:`Result.traces`).

Every id is derived from (seed, request id, attempt) by SplitMix64's mixing function, so the
same run gives the same documents. Simulated time 0 is ``epoch`` (default
2026-01-01T00:00:00Z); times are kept as integer microseconds until they are written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import numpy as np
import numpy.typing as npt

from ._model.enums import Outcome, ThrottleReason

__all__ = ["DEFAULT_EPOCH", "MAX_DOCUMENT_BYTES", "epoch_seconds", "xray_documents",
           "otlp_document", "trace_header", "Attempt", "attempts"]

#: Simulated time 0, as unix seconds: 2026-01-01T00:00:00Z.
DEFAULT_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)

#: X-Ray's limit on one segment document (PutTraceSegments).
MAX_DOCUMENT_BYTES = 64 * 1024

_MASK = (1 << 64) - 1

# what each derived id is for (mixed in with the seed, the request and the attempt)
_TRACE_HI, _TRACE_LO, _REQUEST_HI, _REQUEST_LO = 1, 2, 3, 4
_SERVICE, _FUNCTION, _INIT, _INVOCATION, _OVERHEAD, _EXCEPTION = 5, 6, 7, 8, 9, 10

# OTLP's enumerations (opentelemetry-proto, trace.proto)
_SPAN_KIND_INTERNAL, _SPAN_KIND_SERVER = 1, 2
_STATUS_OK, _STATUS_ERROR = 1, 2


def _mix(x: int) -> int:
    """SplitMix64's output function: a bijection of 64-bit words that spreads every bit."""
    z = (x + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _hash(*parts: int) -> int:
    h = 0
    for p in parts:
        h = _mix(h ^ (p & _MASK))
    return h


def _span_id(seed: int, request: int, attempt: int, what: int) -> str:
    # an all-zero id is invalid in both X-Ray and OTLP
    return f"{_hash(seed, request, attempt, what) or 1:016x}"


def epoch_seconds(epoch: datetime | float) -> float:
    """``epoch`` as unix seconds (a naive datetime is taken as UTC)."""
    if isinstance(epoch, datetime):
        if epoch.tzinfo is None:
            epoch = epoch.replace(tzinfo=timezone.utc)
        return epoch.timestamp()
    if isinstance(epoch, bool) or not isinstance(epoch, (int, float)) or not np.isfinite(epoch) or epoch < 0:
        raise TypeError(f"epoch must be a datetime or non-negative unix seconds, got {epoch!r}")
    return float(epoch)


def _micros(seconds: float) -> int:
    return int(round(seconds * 1e6))


class Attempt:
    """One traced attempt, its times in integer microseconds since the unix epoch."""

    __slots__ = ("request", "function", "attempt", "event", "arrival", "start", "end", "cold",
                 "init", "outcome", "reason")

    def __init__(self, request: int, function: int, attempt: int, event: bool, arrival: int,
                 start: int, end: int, cold: bool, init: int, outcome: Outcome,
                 reason: ThrottleReason) -> None:
        self.request, self.function, self.attempt, self.event = request, function, attempt, event
        self.arrival, self.start, self.end, self.cold, self.init = arrival, start, end, cold, init
        self.outcome, self.reason = outcome, reason


def attempts(rows: Mapping[str, npt.NDArray[Any]], epoch: datetime | float) -> Iterator[Attempt]:
    """The rows of :attr:`Result.traces` as :class:`Attempt` objects, in row order."""
    base = _micros(epoch_seconds(epoch))
    n = len(rows["request"]) if "request" in rows else 0
    cols = {k: rows[k].tolist() for k in ("request", "function", "attempt", "event", "cold",
                                          "outcome", "reason")} if n else {}
    times = {k: np.rint(np.asarray(rows[k], np.float64) * 1e6).astype(np.int64).tolist()
             for k in ("arrival", "start", "end", "init")} if n else {}
    for i in range(n):
        yield Attempt(
            request=cols["request"][i], function=cols["function"][i], attempt=cols["attempt"][i],
            event=bool(cols["event"][i]), arrival=base + times["arrival"][i],
            start=base + times["start"][i], end=base + times["end"][i],
            cold=bool(cols["cold"][i]), init=times["init"][i],
            outcome=Outcome(cols["outcome"][i]), reason=ThrottleReason(cols["reason"][i]),
        )


def _trace_id(seed: int, a: Attempt) -> tuple[int, int]:
    """(epoch seconds of the request's arrival, 96 random bits): one trace per request."""
    hi = _hash(seed, a.request, _TRACE_HI)
    lo = _hash(seed, a.request, _TRACE_LO)
    return a.arrival // 1_000_000, ((hi << 32) | (lo >> 32)) & ((1 << 96) - 1)


def xray_trace_id(seed: int, a: Attempt) -> str:
    """X-Ray's trace id: ``1-{8 hex epoch seconds}-{24 hex}``."""
    seconds, bits = _trace_id(seed, a)
    return f"1-{seconds:08x}-{bits:024x}"


def trace_header(trace_id: str, parent: str) -> str:
    """The ``X-Amzn-Trace-Id`` header (``_X_AMZN_TRACE_ID``) of a sampled request."""
    return f"Root={trace_id};Parent={parent};Sampled=1"


def request_id(seed: int, request: int) -> str:
    """The invocation's AWS request id (a version-4 UUID, the same for every attempt)."""
    hi, lo = _hash(seed, request, _REQUEST_HI), _hash(seed, request, _REQUEST_LO)
    hi = (hi & ~(0xF << 12)) | (0x4 << 12)  # version 4
    lo = (lo & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    h = f"{hi:016x}{lo:016x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _s(us: int) -> float:
    return us / 1e6


def _failed(a: Attempt) -> bool:
    return a.outcome in (Outcome.ERROR, Outcome.TIMEOUT)


#: Invoke's HTTP status for an attempt refused without running (docs/model.md §13): a function
#: not Active is a conflict, a missing ENI a bad gateway; a throttle is 429.
_REFUSED_STATUS = {Outcome.THROTTLED: 429, Outcome.FUNCTION_PENDING: 409, Outcome.FUNCTION_INACTIVE: 409,
                   Outcome.ENI_LIMIT_REACHED: 502}


def _error_message(a: Attempt, timeout_s: float) -> str:
    if a.outcome == Outcome.TIMEOUT:
        return f"Task timed out after {timeout_s:.2f} seconds"
    return "Unhandled"


def xray_documents(rows: Mapping[str, npt.NDArray[Any]], function_names: Sequence[str],
                   timeouts_s: Sequence[float], seed: int,
                   epoch: datetime | float = DEFAULT_EPOCH) -> list[dict[str, Any]]:
    """X-Ray segment documents of the traced attempts (docs/traces.md): per attempt an
    ``AWS::Lambda`` segment (the service, from the attempt's arrival to its response; a throttle
    is marked ``throttle`` with HTTP 429, an attempt refused for the function's state or ENI
    (docs/model.md §13) is an error with 409 or 502 and AWS's exception and message) and, for an
    attempt that ran, an
    ``AWS::Lambda::Function`` segment with ``Initialization`` (cold starts only),
    ``Invocation`` and ``Overhead`` subsegments."""
    docs: list[dict[str, Any]] = []
    for a in attempts(rows, epoch):
        name = function_names[a.function]
        trace_id = xray_trace_id(seed, a)
        service_id = _span_id(seed, a.request, a.attempt, _SERVICE)
        function_id = _span_id(seed, a.request, a.attempt, _FUNCTION)
        throttled = a.outcome == Outcome.THROTTLED
        refused = a.outcome in _REFUSED_STATUS
        status = _REFUSED_STATUS.get(a.outcome, 202 if a.event else 200)
        service: dict[str, Any] = {
            "name": name, "id": service_id, "trace_id": trace_id,
            "start_time": _s(a.start), "end_time": _s(a.end), "origin": "AWS::Lambda",
            "http": {"response": {"status": status}},
            "aws": {"request_id": request_id(seed, a.request)},
            "metadata": {"lambda_core": {
                "request": a.request, "attempt": a.attempt,
                "invocation_type": "Event" if a.event else "RequestResponse",
                "enqueued_time": _s(a.arrival), "outcome": a.outcome.name,
                "trace_header": trace_header(trace_id, service_id if refused else function_id),
            }},
        }
        if refused:
            service["error"] = True
            if throttled:
                service["throttle"] = True
                service["metadata"]["lambda_core"]["throttle_reason"] = a.reason.aws_name
            else:
                service["metadata"]["lambda_core"]["aws_error"] = a.outcome.aws_error
                service["metadata"]["lambda_core"]["message"] = a.outcome.message()
            docs.append(service)
            continue
        if _failed(a):
            # the invoke returned a function error to its caller
            service["error"] = True
        docs.append(service)
        begin = a.start + (a.init if a.cold else 0)
        subsegments: list[dict[str, Any]] = []
        if a.cold:
            subsegments.append({"id": _span_id(seed, a.request, a.attempt, _INIT),
                                "name": "Initialization", "start_time": _s(a.start),
                                "end_time": _s(begin)})
        invocation: dict[str, Any] = {"id": _span_id(seed, a.request, a.attempt, _INVOCATION),
                                      "name": "Invocation", "start_time": _s(begin),
                                      "end_time": _s(a.end)}
        subsegments.append(invocation)
        subsegments.append({"id": _span_id(seed, a.request, a.attempt, _OVERHEAD),
                            "name": "Overhead", "start_time": _s(a.end), "end_time": _s(a.end)})
        function: dict[str, Any] = {
            "name": name, "id": function_id, "trace_id": trace_id, "parent_id": service_id,
            "start_time": _s(a.start), "end_time": _s(a.end), "origin": "AWS::Lambda::Function",
            "aws": {"request_id": request_id(seed, a.request)},
            "subsegments": subsegments,
        }
        if _failed(a):
            cause = {"exceptions": [{
                "id": _span_id(seed, a.request, a.attempt, _EXCEPTION),
                "message": _error_message(a, timeouts_s[a.function]),
                "type": "Sandbox.Timedout" if a.outcome == Outcome.TIMEOUT else "Error",
            }]}
            function["fault"] = True
            invocation["fault"] = True
            invocation["cause"] = cause
        docs.append(function)
    return docs


def _value(v: object) -> dict[str, Any]:
    """An OTLP/JSON ``AnyValue`` (64-bit integers as decimal strings, as proto3 JSON has them)."""
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    return {"stringValue": str(v)}


def _attributes(pairs: Mapping[str, object]) -> list[dict[str, Any]]:
    return [{"key": k, "value": _value(v)} for k, v in pairs.items()]


def _span(trace_id: str, span_id: str, parent: str | None, name: str, kind: int, start: int,
          end: int, attributes: Mapping[str, object], status: dict[str, Any]) -> dict[str, Any]:
    span: dict[str, Any] = {"traceId": trace_id, "spanId": span_id}
    if parent is not None:
        span["parentSpanId"] = parent
    span.update({
        "name": name, "kind": kind,
        "startTimeUnixNano": str(start * 1000), "endTimeUnixNano": str(end * 1000),
        "attributes": _attributes(attributes), "status": status,
    })
    return span


def otlp_document(rows: Mapping[str, npt.NDArray[Any]], function_names: Sequence[str],
                  timeouts_s: Sequence[float], seed: int,
                  epoch: datetime | float = DEFAULT_EPOCH, version: str = "") -> dict[str, Any]:
    """The traced attempts as one OTLP/JSON ``ExportTraceServiceRequest``
    (``{"resourceSpans": [...]}``, one resource per function with spans) under the FaaS
    semantic conventions: per attempt a SERVER span named after the function, with children
    ``init`` (cold starts) and ``handler``; the same trace and span ids as :func:`xray_documents`
    (the trace id is X-Ray's without its version and dashes)."""
    spans: dict[int, list[dict[str, Any]]] = {}
    for a in attempts(rows, epoch):
        name = function_names[a.function]
        seconds, bits = _trace_id(seed, a)
        trace_id = f"{seconds:08x}{bits:024x}"
        server_id = _span_id(seed, a.request, a.attempt, _FUNCTION)
        throttled = a.outcome == Outcome.THROTTLED
        refused = a.outcome in _REFUSED_STATUS
        attributes: dict[str, object] = {
            "faas.invocation_id": request_id(seed, a.request),
            "faas.coldstart": a.cold,
            "faas.trigger": "pubsub" if a.event else "http",
            "faas.name": name,
            "lambda_core.request": a.request,
            "lambda_core.attempt": a.attempt,
        }
        if throttled:
            attributes["lambda_core.throttle_reason"] = a.reason.aws_name
            status = {"code": _STATUS_ERROR, "message": a.reason.aws_name}
        elif refused:
            attributes["lambda_core.aws_error"] = a.outcome.aws_error
            status = {"code": _STATUS_ERROR, "message": a.outcome.message()}
        elif _failed(a):
            status = {"code": _STATUS_ERROR, "message": _error_message(a, timeouts_s[a.function])}
        else:
            status = {"code": _STATUS_OK}
        mine = spans.setdefault(a.function, [])
        mine.append(_span(trace_id, server_id, None, name, _SPAN_KIND_SERVER, a.start, a.end,
                          attributes, status))
        if refused:
            continue
        begin = a.start + (a.init if a.cold else 0)
        if a.cold:
            mine.append(_span(trace_id, _span_id(seed, a.request, a.attempt, _INIT), server_id,
                              "init", _SPAN_KIND_INTERNAL, a.start, begin, {}, {"code": _STATUS_OK}))
        mine.append(_span(trace_id, _span_id(seed, a.request, a.attempt, _INVOCATION), server_id,
                          "handler", _SPAN_KIND_INTERNAL, begin, a.end, {}, dict(status)))
    scope = {"name": "lambda_core", "version": version}
    return {"resourceSpans": [
        {
            "resource": {"attributes": _attributes({
                "service.name": function_names[f], "faas.name": function_names[f],
                "cloud.provider": "aws", "cloud.platform": "aws_lambda",
            })},
            "scopeSpans": [{"scope": scope, "spans": spans[f]}],
        }
        for f in sorted(spans)
    ]}
