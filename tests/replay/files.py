"""Small hand-made trace files with known answers, one writer per format (docs/replay.md).

Each writer puts its file under a pytest ``tmp_path`` and returns its path; the module's
constants are the answers the tests check against."""

from __future__ import annotations

import json
from pathlib import Path

#: The CloudWatch events: (log stream, timestamp as ISO 8601, epoch ms, REPORT message). In file
#: order, which is not arrival order (the third ends before the second but arrived after
#: the first): arrivals are timestamp − duration − init.
EPOCH_S = 1_700_000_000
REPORTS = [
    ("2023/11/14/[$LATEST]aaaa", "2023-11-14T22:13:20.300Z", 1_700_000_000_300,
     "REPORT RequestId: r1\tDuration: 100.00 ms\tBilled Duration: 100 ms\tMemory Size: 256 MB\t"
     "Max Memory Used: 70 MB\tInit Duration: 200.00 ms\t"),
    ("2023/11/14/[$LATEST]aaaa", "2023-11-14T22:13:21.050Z", 1_700_000_001_050,
     "REPORT RequestId: r2\tDuration: 50.00 ms\tBilled Duration: 50 ms\tMemory Size: 256 MB\t"
     "Max Memory Used: 71 MB\t"),
    ("2023/11/14/[$LATEST]bbbb", "2023-11-14T22:13:20.800Z", 1_700_000_000_800,
     "REPORT RequestId: r3\tDuration: 300.00 ms\tBilled Duration: 300 ms\tMemory Size: 256 MB\t"
     "Max Memory Used: 72 MB\tInit Duration: 300.00 ms\t"),
]
#: Their replay: arrivals (rebased: the first at EPOCH_S), handler durations, cold flags, streams.
REPORT_TIMES = [0.0, 0.2, 1.0]
REPORT_DURATIONS = [0.1, 0.3, 0.05]
REPORT_COLD = [True, True, False]
REPORT_INSTANCES = [0, 1, 0]
REPORT_INITS_S = (0.2, 0.3)  # the two cold starts' Init Duration, drawn from as an empirical distribution


def cloudwatch_tail(tmp: Path, name: str = "orders.log") -> Path:
    """``aws logs tail`` lines (timestamp, stream, message), with START/END lines between."""
    lines = []
    for stream, iso, _, message in REPORTS:
        lines.append(f"{iso} {stream} START RequestId: x Version: $LATEST")
        lines.append(f"{iso} {stream} {message}")
        lines.append(f"{iso} {stream} END RequestId: x")
    return _write(tmp / name, "\n".join(lines) + "\n")


def cloudwatch_events_text(tmp: Path, name: str = "orders.txt") -> Path:
    """``aws logs filter-log-events --output text``: the message ends with a newline, so each
    event's timestamp is on the next line."""
    lines = []
    for k, (stream, _, ms, message) in enumerate(REPORTS):
        lines.append(f"EVENTS\tid{k}\t{ms + 5}\t{stream}\tSTART RequestId: r{k} Version: $LATEST")
        lines.append(f"\t{ms - 500}")
        lines.append(f"EVENTS\tid{k}\t{ms + 5}\t{stream}\t{message}")
        lines.append(f"\t{ms}")
    return _write(tmp / name, "\n".join(lines) + "\n")


def cloudwatch_json(tmp: Path, name: str = "orders.json") -> Path:
    events = [{"logStreamName": s, "timestamp": ms, "message": m + "\n", "ingestionTime": ms + 5,
               "eventId": f"id{k}"} for k, (s, _, ms, m) in enumerate(REPORTS)]
    events.insert(1, {"logStreamName": REPORTS[0][0], "timestamp": 1, "message": "START RequestId: r9\n"})
    return _write(tmp / name, json.dumps({"events": events, "searchedLogStreams": []}, indent=4))


#: Azure 2021 rows (app, func, end, duration) and their replay.
AZURE2021_ROWS = [("a1", "f1", 10.5, 0.5), ("a1", "f2", 12.0, 1.0), ("a2", "f1", 11.0, 0.25), ("a1", "f1", 13.0, 2.0)]
AZURE2021_NAMES = ("a1/f1", "a1/f2", "a2/f1")
AZURE2021_LAMBDA_NAMES = ("a1-f1", "a1-f2", "a2-f1")
AZURE2021_TIMES = [0.0, 0.75, 1.0, 1.0]
AZURE2021_FUNCTION = [0, 2, 1, 0]
AZURE2021_TIMEOUTS = (2.0, 1.0, 1.0)


def azure2021(tmp: Path, rows: list[tuple[str, str, float, float]] | None = None, name: str = "azure.csv") -> Path:
    body = "".join(f"{a},{f},{e},{d}\n" for a, f, e, d in (AZURE2021_ROWS if rows is None else rows))
    return _write(tmp / name, "app,func,end_timestamp,duration\n" + body)


#: Azure 2019: two functions over three minutes; f2 (a timer) has no durations row.
AZURE2019_COUNTS = {"f1": (2, 0, 1), "f2": (0, 3, 0)}
#: f1's percentiles (ms) at 0, 1, 25, 50, 75, 99 and 100 %.
AZURE2019_PERCENTILES_MS = (10, 20, 30, 40, 50, 60, 70)
#: The arrivals with arrivals="even", rebased (the first at 15 s).
AZURE2019_EVEN_TIMES = [0.0, 30.0, 55.0, 75.0, 95.0, 135.0]
AZURE2019_EVEN_FUNCTION = [0, 0, 1, 1, 1, 0]


def azure2019(tmp: Path, counts: dict[str, tuple[int, ...]] | None = None) -> tuple[Path, Path]:
    counts = AZURE2019_COUNTS if counts is None else counts
    minutes = len(next(iter(counts.values())))
    triggers = {"f1": "http", "f2": "timer"}
    inv = "HashOwner,HashApp,HashFunction,Trigger," + ",".join(str(m + 1) for m in range(minutes)) + "\n"
    inv += "".join(f"o1,app1,{f},{triggers.get(f, 'http')}," + ",".join(map(str, c)) + "\n" for f, c in counts.items())
    dur = ("HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,"
           "percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,"
           "percentile_Average_100\n")
    dur += "o1,app1,f1,40,3,10,70," + ",".join(map(str, AZURE2019_PERCENTILES_MS)) + "\n"
    return _write(tmp / "invocations.csv", inv), _write(tmp / "durations.csv", dur)


#: A per-request log, rows out of order: (index, is_cold, inst_id, aws_duration ms, client start, client elapsed).
REQUEST_ROWS = [(0, "True", "a", 1000, 100.0, 1.5), (1, "False", "a", 1000, 200.0, 1.0),
                (2, "False", "a", 1100, 150.0, 1.1), (3, "True", "b", 1200, 160.0, 1.9)]
REQUEST_TIMES = [0.0, 50.0, 60.0, 100.0]
REQUEST_DURATIONS = [1.0, 1.1, 1.2, 1.0]
REQUEST_COLD = [True, False, True, False]
#: (median elapsed cold − warm) − (median duration cold − warm) = (1.7 − 1.05) − (1.1 − 1.05)
REQUEST_INIT_S = 0.6


def request_log(tmp: Path, rows: list[tuple[int, str, str, float, float, float]] | None = None,
                name: str = "requests.csv") -> Path:
    head = ",is_cold,cpu_info,inst_id,aws_duration,client_start_time,client_elapsed_time\n"
    body = "".join(f'{i},{c},"2,Intel(R) Xeon(R)",{inst},{d},{s},{e}\n'
                   for i, c, inst, d, s, e in (REQUEST_ROWS if rows is None else rows))
    return _write(tmp / name, head + body)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
