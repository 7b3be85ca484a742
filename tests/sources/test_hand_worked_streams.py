"""Hand-worked checks of the stream reference model (tests/oracle/streams.py), docs/model.md §7.

Every expected number below was worked out by hand from the rules in oracle.streams'
docstring and the brief; the comments show the work. Durations are fixed (duration_base_s,
duration_per_record_s = 0 unless stated), init is 0, scaling is off unless stated.
"""

import pytest

from tests.oracle.streams import (
    EXPIRED, PENDING, PROCESSED, RECORD_AGE_EXCEEDED, RETRY_ATTEMPTS_EXHAUSTED, simulate_streams,
)

M64 = (1 << 64) - 1


def splitmix(key):  # independent SplitMix64 finaliser
    z = (key + 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def key_for(shard, shards, lane=0, pf=1, skip=0):
    """The (skip+1)-th smallest key ≥ 0 landing on (shard, lane)."""
    k = 0
    while True:
        h = splitmix(k)
        product = h * shards
        if product >> 64 == shard and ((product & M64) * pf) >> 64 == lane:
            if skip == 0:
                return k
            skip -= 1
        k += 1


def acct(limit=1000, scaling=None):
    return {"concurrency_limit": limit, "unreserved_min": None, "scaling": scaling}


def fn(rc=None, timeout=900.0, init=0.0):
    return {"reserved_concurrency": rc, "timeout_s": timeout, "init_s": init}


def kin(shards=1, name="s", retention=None, kind="kinesis"):
    d = {"name": name, "kind": kind, "shards": shards}
    if retention is not None:
        d["retention_s"] = retention
    return d


def mp(**kw):
    return {"stream": "s", "function": 0, "duration_base_s": 0.1, **kw}


def recs(rows):
    """rows: (time, key[, failures])"""
    return {"s": {"time": [r[0] for r in rows], "key": [r[1] for r in rows],
                  "failures": [r[2] if len(r) > 2 else 0 for r in rows]}}


def run(rows, shards=1, functions=None, account=None, until=None, stream=None, **mkw):
    return simulate_streams(account or acct(), functions or [fn()], [stream or kin(shards)],
                            [mp(**mkw)], recs(rows), until=until)


# ---- hashing ----------------------------------------------------------------------------------

def test_shard_and_lane_hashing():
    keys = [0, 1, 2, 42, 12345, -1, -7, 2**63 - 1]
    r = simulate_streams(acct(), [fn()], [kin(7)], [mp(parallelization_factor=3)],
                         recs([(0.0, k) for k in keys]))["records"]["s"]
    for i, k in enumerate(keys):
        h = splitmix(k & M64)
        assert r["shard"][i] == h * 7 >> 64  # the shard whose hash-key range holds h
        assert r["lane"][i] == ((h * 7) % 2**64) * 3 >> 64  # the position within that range
    # two pinned values of the finaliser (SplitMix64 with seed 0: first output)
    assert splitmix(0) == 0xE220A8397B1DCDAF
    assert splitmix(-1 & M64) == splitmix(M64)


# ---- polling ---------------------------------------------------------------------------------

def test_polling_delay_kinesis_and_dynamodb():
    # Kinesis polls at 0, 1, 2 …: a record at 0.3 is seen at 1.0.
    r = run([(0.3, 1)])["records"]["s"]
    assert (r["outcome"], r["start"], r["end"], r["attempts"]) == ([PROCESSED], [1.0], [1.1], [1])
    # DynamoDB polls at 0, 0.25, 0.5 …: seen at 0.5.
    r = run([(0.3, 1)], stream=kin(kind="dynamodb"))["records"]["s"]
    assert r["start"] == [0.5] and r["end"] == [0.6]
    # A record at exactly 1.0 is not seen by the 1.0 poll (timers before arrivals): 2.0.
    r = run([(1.0, 1)])["records"]["s"]
    assert r["start"] == [2.0]
    # A record at 1.05 arrives during the 1.0–1.1 batch: backlog, so it goes at once at 1.1.
    # That batch ends at 1.2 with an empty FIFO: next poll 2.0 (first grid > 1.2) sees 1.5.
    r = run([(0.3, 1), (1.05, 1), (1.5, 1)])["records"]["s"]
    assert r["start"] == [1.0, 1.1, 2.0]


def test_idle_poll_after_batch_end_on_grid():
    # Batch [1.0, 2.0] ends exactly on the grid: next poll is strictly after 2.0, i.e. 3.0.
    # A record at 2.0 arrives after the end (phase 1 < 4) with the lane idle: seen at 3.0.
    r = run([(0.3, 1), (2.0, 1)], duration_base_s=1.0)["records"]["s"]
    assert r["start"] == [1.0, 3.0]


# ---- order and maximum concurrency ------------------------------------------------------------

def test_per_shard_order_under_load():
    # 2 shards, batch_size 1, 0.5 s each, 4 records per shard all at 0.2, interleaved in input.
    k0, k1 = key_for(0, 2), key_for(1, 2)
    rows = [(0.2, k0), (0.2, k1)] * 4
    r = run(rows, shards=2, batch_size=1, duration_base_s=0.5)["records"]["s"]
    # each shard: 1.0, 1.5, 2.0, 2.5 in arrival order
    assert r["start"] == [1.0, 1.0, 1.5, 1.5, 2.0, 2.0, 2.5, 2.5]
    assert r["shard"] == [0, 1] * 4


@pytest.mark.parametrize("pf,expected", [(1, 100), (2, 200)])
def test_max_concurrency_is_shards_times_pf(pf, expected):
    rows = []
    for s in range(100):
        for lane in range(pf):
            k = key_for(s, 100, lane, pf)
            rows += [(0.5, k)] * 3  # three records per lane
    out = run(rows, shards=100, batch_size=1, parallelization_factor=pf, duration_base_s=0.5)
    m = out["mappings"][0]
    assert m["max_concurrency"] == expected
    assert m["invocations"] == m["batches"] == 3 * expected
    assert out["functions"][0]["max_concurrency"] == expected
    assert out["functions"][0]["cold_starts"] == expected  # warm reuse after the first wave
    r = out["records"]["s"]
    # every lane: 1.0, 1.5, 2.0
    assert r["start"] == [1.0, 1.5, 2.0] * expected
    assert set(zip(r["shard"], r["lane"])) == {(s, p) for s in range(100) for p in range(pf)}


def test_reserved_10_runs_10_shards_and_the_rest_throttle_with_backoff():
    # 100 shards, one record each at 0.5; function reserved at 10; batch lasts 1.5 s.
    # At 1.0 the polls go in shard order: shards 0–9 admitted (run 1.0–2.5), 10–99 throttled,
    # retry after 1 s. 2.0: all 90 throttle again (k=2, wait 2 → 4.0). 2.5: the ten end.
    # 4.0: shards 10–19 admitted (the retries fire in the order they were scheduled), the rest
    # wait 4 → 8.0: 20–29; 8 → 16: 30–39; 16 → 32: 40–49; 32 → 64: 50–59; 64 → 128: 60–69;
    # 128 → 256: 70–79; 256 → 512: 80–89; min(512, 300) = 300 → 812: 90–99.
    rows = [(0.5, key_for(s, 100)) for s in range(100)]
    out = run(rows, shards=100, functions=[fn(rc=10)], batch_size=1, duration_base_s=1.5)
    r = out["records"]["s"]
    waves = [1.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 812.0]
    assert r["start"] == [waves[s // 10] for s in range(100)]
    assert r["outcome"] == [PROCESSED] * 100 and r["attempts"] == [1] * 100
    m = out["mappings"][0]
    # tries of a still-throttled shard: 1, 2, 4, 8, … 512, 812, so group g (shards 10g…10g+9,
    # g ≥ 1) throttles g + 1 times: 10 × (2 + 3 + … + 10)
    throttles = sum(10 * (g + 1) for g in range(1, 10))
    assert throttles == 540
    assert m["throttles"] == 540 and m["retries"] == 0
    assert m["max_concurrency"] == 10 and m["invocations"] == 100
    f = out["functions"][0]
    assert f["throttles"] == f["throttles_reserved"] == 540
    assert f["max_concurrency"] == 10 and f["environments_created"] == 10
    # IteratorAge: the last wave, 812.0 − 0.5
    assert m["max_iterator_age"] == 811.5


# ---- batching window ----------------------------------------------------------------------------

def test_batching_window_fills_or_times_out():
    # W = 2, batch_size 3. Poll 1.0 finds [0.3] → gathering from 1.0, deadline 3.0.
    # 1.5 arrives, 2.2 arrives → 3 records: dispatch at 2.2, ends 2.3; FIFO empty → idle,
    # poll 3.0 finds [2.5, 2.6] → gather from 3.0 → dispatch at 5.0 with 2 records, end 5.1.
    rows = [(0.3, 1), (1.5, 1), (2.2, 1), (2.5, 1), (2.6, 1)]
    out = run(rows, batch_size=3, batching_window_s=2.0)
    r = out["records"]["s"]
    assert r["start"] == [2.2, 2.2, 2.2, 5.0, 5.0]
    assert r["end"] == [2.3, 2.3, 2.3, 5.1, 5.1]
    assert out["mappings"][0]["batches"] == 2
    # IteratorAge: 2.2 − 2.2 = 0 and 5.0 − 2.6 = 2.4
    assert out["mappings"][0]["max_iterator_age"] == pytest.approx(2.4, abs=1e-12)


def test_batching_window_backlog_gathers_from_end_time():
    # 5 records at 0.5, batch_size 2, W = 1. Poll 1.0: 5 ≥ 2 → at once [0,1] 1.0–1.1;
    # at 1.1 backlog 3 ≥ 2 → [2,3] 1.1–1.2; at 1.2 backlog 1 → gather from 1.2 → 2.2.
    out = run([(0.5, 7)] * 5, batch_size=2, batching_window_s=1.0)
    assert out["records"]["s"]["start"] == [1.0, 1.0, 1.1, 1.1, 2.2]
    assert out["mappings"][0]["batches"] == 3


def test_batch_size_and_per_record_duration():
    # batch_size 2, duration 0.1 + 0.05 × n. Three records at 0.5: [0,1] 1.0–1.2, [2] 1.2–1.35.
    out = run([(0.5, 3)] * 3, batch_size=2, duration_per_record_s=0.05)
    r = out["records"]["s"]
    assert r["start"] == [1.0, 1.0, 1.2] and r["end"] == [1.2, 1.2, 1.35]


# ---- function errors ---------------------------------------------------------------------------

def test_poison_record_blocks_only_its_shard():
    # Shard 0: A (3 failures) at 0.5, B at 0.6; shard 1: records at 0.5, 1.5, 2.5. batch_size 1.
    # A: 1.0–1.1 fail (retry 1, wait 1) → 2.1–2.2 fail (wait 2) → 4.2–4.3 fail (wait 4) →
    # 8.3–8.4 success. B: 8.4–8.5. Shard 1: 1.0, 2.0, 3.0 (each polled after going idle).
    k0, k1 = key_for(0, 2), key_for(1, 2)
    rows = [(0.5, k0, 3), (0.5, k1), (0.6, k0), (1.5, k1), (2.5, k1)]
    out = run(rows, shards=2, batch_size=1)
    r = out["records"]["s"]
    assert r["outcome"] == [PROCESSED] * 5
    assert r["start"] == [8.3, 1.0, 8.4, 2.0, 3.0]
    assert r["end"] == [8.4, 1.1, 8.5, 2.1, 3.1]
    assert r["attempts"] == [4, 1, 1, 1, 1]
    m = out["mappings"][0]
    assert m["retries"] == 3 and m["invocations"] == 8 and m["batches"] == 5
    assert m["max_iterator_age"] == 7.8  # A's 4th attempt: 8.3 − 0.5
    assert out["functions"][0]["errors"] == 3

    # until = 5.0: A pending after 3 attempts (last 4.2–4.3), B never ran; shard 1 done.
    r = run(rows, shards=2, batch_size=1, until=5.0)["records"]["s"]
    assert r["outcome"] == [PENDING, PROCESSED, PENDING, PROCESSED, PROCESSED]
    assert r["attempts"] == [3, 1, 0, 1, 1]
    assert r["start"] == [4.2, 1.0, None, 2.0, 3.0]
    assert r["end"] == [4.3, 1.1, None, 2.1, 3.1]
    # until = 4.25: A's third attempt is still running: started 4.2, no end yet.
    out = run(rows, shards=2, batch_size=1, until=4.25)
    r = out["records"]["s"]
    assert r["attempts"][0] == 3 and r["start"][0] == 4.2 and r["end"][0] is None
    assert out["horizon"] == 4.25


def test_maximum_retry_attempts_exhausted():
    # max_retry 2: A fails 1.0–1.1 (r=1), 2.1–2.2 (r=2), 4.2–4.3 (r=3 > 2) → exhausted at 4.3.
    # B (0.6) then goes at once: 4.3–4.4.
    rows = [(0.5, 1, 100), (0.6, 1)]
    out = run(rows, batch_size=1, maximum_retry_attempts=2, on_failure="dlq")
    r = out["records"]["s"]
    assert r["outcome"] == [RETRY_ATTEMPTS_EXHAUSTED, PROCESSED]
    assert r["attempts"] == [3, 1] and r["start"] == [4.2, 4.3] and r["end"] == [4.3, 4.4]
    assert out["destinations"] == {"dlq": {"stream": ["s"], "record": [0], "condition": [2],
                                           "time": [4.3]}}
    m = out["mappings"][0]
    assert m["retries"] == 3 and m["on_failure_records"] == 1 and m["invocations"] == 4

    # max_retry 0: one attempt, then give up at 1.1 (whole batch of 2, both to on-failure).
    out = run(rows, batch_size=10, maximum_retry_attempts=0, on_failure="dlq")
    r = out["records"]["s"]
    assert r["outcome"] == [RETRY_ATTEMPTS_EXHAUSTED] * 2 and r["attempts"] == [1, 1]
    assert out["destinations"]["dlq"] == {"stream": ["s", "s"], "record": [0, 1],
                                          "condition": [2, 2], "time": [1.1, 1.1]}


def test_maximum_record_age_exceeded():
    # max age 60, A at 0.5 always failing. Ends 1.1 (wait 1), 2.2 (2), 4.3 (4), 8.4 (8),
    # 16.5 (16), 32.6: wait 32 → 64.6 − 0.5 = 64.1 > 60 → RECORD_AGE_EXCEEDED at 32.6.
    # (At 16.5: 32.5 − 0.5 = 32 ≤ 60 → retry.) Attempts 6, last 32.5–32.6.
    out = run([(0.5, 1, 1000)], batch_size=1, maximum_record_age_s=60, on_failure="q")
    r = out["records"]["s"]
    assert r["outcome"] == [RECORD_AGE_EXCEEDED] and r["attempts"] == [6]
    assert r["start"] == [32.5] and r["end"] == [32.6]
    assert out["destinations"]["q"]["condition"] == [3]
    assert out["destinations"]["q"]["time"] == [32.6]
    assert out["mappings"][0]["retries"] == 6


def test_bisection_isolates_the_poison_record():
    # batch_size 4: r0..r3 at 0.5, r2 poison; r4 at 0.7 (left in the FIFO). max_retry 0.
    # 1.0–1.1 [0,1,2,3] fails → halves [0,1], [2,3]; [0,1] 1.1–1.2 ok; [2,3] 1.2–1.3 fails →
    # [2], [3]; [2] 1.3–1.4 fails, single → r=1 > 0 → exhausted at 1.4; [3] 1.4–1.5 ok;
    # then the FIFO: [4] 1.5–1.6.
    rows = [(0.5, 9), (0.5, 9), (0.5, 9, 100), (0.5, 9), (0.7, 9)]
    out = run(rows, batch_size=4, bisect_batch_on_function_error=True,
              maximum_retry_attempts=0, on_failure="dlq")
    r = out["records"]["s"]
    assert r["outcome"] == [PROCESSED, PROCESSED, RETRY_ATTEMPTS_EXHAUSTED, PROCESSED,
                            PROCESSED]
    assert r["attempts"] == [2, 2, 3, 3, 1]
    assert r["start"] == [1.1, 1.1, 1.3, 1.4, 1.5]
    assert r["end"] == [1.2, 1.2, 1.4, 1.5, 1.6]
    m = out["mappings"][0]
    assert (m["batches"], m["invocations"], m["retries"], m["on_failure_records"]) == (6, 6, 1, 1)
    assert out["destinations"]["dlq"]["record"] == [2]
    assert out["destinations"]["dlq"]["time"] == [1.4]


def test_bisection_odd_split_and_transient_failure():
    # 3 records, r0 fails once. [0,1,2] 1.0–1.1 fails (r0 now 0 failures left) → [0,1], [2];
    # [0,1] 1.1–1.2 ok; [2] 1.2–1.3 ok. No retries used.
    out = run([(0.5, 9, 1), (0.5, 9), (0.5, 9)], bisect_batch_on_function_error=True)
    r = out["records"]["s"]
    assert r["start"] == [1.1, 1.1, 1.2] and r["attempts"] == [2, 2, 2]
    assert out["mappings"][0]["retries"] == 0 and out["mappings"][0]["batches"] == 3


def test_timeout_fails_the_batch_and_reinitialises():
    # timeout 0.5, init 0.2, batch_size 1, duration 0.3 + 0.1 × n... use per-record so that a
    # batch of 3 (0.6 s) times out and singles do not; bisect on.
    # 1.0: cold, 0.2 init + cut at 0.5 → 1.0–1.7 TIMEOUT → [0,1] + [2]; [0,1] 0.5 s ≤ 0.5:
    # re-init (cold) 1.7–2.4 ok; [2] 0.4 s warm 2.4–2.8 ok.
    rows = [(0.5, 9)] * 3
    out = run(rows, functions=[fn(timeout=0.5, init=0.2)], duration_base_s=0.3,
              duration_per_record_s=0.1, bisect_batch_on_function_error=True)
    r = out["records"]["s"]
    assert r["outcome"] == [PROCESSED] * 3
    assert r["start"] == [1.7, 1.7, 2.4] and r["end"] == [2.4, 2.4, 2.8]
    f = out["functions"][0]
    assert (f["invocations"], f["errors"], f["cold_starts"], f["environments_created"]) == \
        (3, 1, 2, 1)


# ---- retention --------------------------------------------------------------------------------

def test_retention_expiry():
    # retention 10. A (0.5, 4 failures) fails at 1.0, 2.1, 4.2, 8.3 (each 0.1 s, then waits of
    # 1, 2, 4, 8 s); at its retry at 16.4 it is older than the retention (0.5 + 10 ≤ 16.4): lost,
    # after 4 attempts (docs/model.md §7: retried "until the record expires"). The lane moves on at
    # 16.4: B (0.6) and C (0.7) expired too; E (6.5, expires at 16.5) runs 16.4–16.5; D (7.0)
    # 16.5–16.6.
    rows = [(0.5, 1, 4), (0.6, 1), (0.7, 1), (6.5, 1), (7.0, 1)]
    out = run(rows, batch_size=1, stream=kin(retention=10))
    r = out["records"]["s"]
    assert r["outcome"] == [EXPIRED, EXPIRED, EXPIRED, PROCESSED, PROCESSED]
    assert r["attempts"] == [4, 0, 0, 1, 1]
    assert r["start"] == [8.3, None, None, 16.4, 16.5]
    assert r["end"] == [8.4, None, None, 16.5, 16.6]
    assert out["mappings"][0]["batches"] == 3
    assert out["horizon"] == 16.6


def test_retention_empties_the_fifo_lane_goes_idle():
    # retention 10; same A, only B (0.6) behind it: at 16.4 both are lost, nothing to dispatch.
    # A later record at 16.7 is then picked up by the poll at 17.0.
    rows = [(0.5, 1, 4), (0.6, 1), (16.7, 1)]
    r = run(rows, batch_size=1, stream=kin(retention=10))["records"]["s"]
    assert r["outcome"] == [EXPIRED, EXPIRED, PROCESSED]
    assert r["start"] == [8.3, None, 17.0]


# ---- IteratorAge, unmapped streams -----------------------------------------------------------

def test_iterator_age_uses_last_record_of_batch():
    out = run([(0.3, 1), (0.6, 1)], batch_size=10)
    assert out["records"]["s"]["start"] == [1.0, 1.0]
    assert out["mappings"][0]["max_iterator_age"] == 0.4  # 1.0 − 0.6


def test_until_pending_and_unconsumed_stream():
    # A record arriving after `until` is PENDING with no attempt; a stream without a mapping
    # keeps its records PENDING.
    out = simulate_streams(acct(), [fn()], [kin(), kin(name="other")], [mp()],
                           {"s": {"time": [0.3, 3.5], "key": [1, 1]},
                            "other": {"time": [0.1], "key": [5]}}, until=3.0)
    r = out["records"]["s"]
    assert r["outcome"] == [PROCESSED, PENDING] and r["attempts"] == [1, 0]
    assert r["start"] == [1.0, None]
    assert out["records"]["other"]["outcome"] == [PENDING]
    assert out["records"]["other"]["lane"] == [0]
    assert out["horizon"] == 3.0


def test_reserved_zero_needs_until():
    # the refusal for this cause, in the oracle's words or the engine's
    with pytest.raises(ValueError, match=r"reserved concurrency (is )?0.*pass until"):
        run([(0.5, 1)], functions=[fn(rc=0)])
    out = run([(0.5, 1)], functions=[fn(rc=0)], until=10.0)
    # throttles at 1.0, 2.0 (+1), 4.0 (+2), 8.0 (+4); next would be 16.0
    assert out["mappings"][0]["throttles"] == 4
    assert out["records"]["s"]["outcome"] == [PENDING]


def test_a_poll_comes_before_a_workload_arrival_at_the_same_instant():
    # RC 1. A record at 0.5 s wakes the lane for a poll at 1 s (a timer, §1 class 3), which
    # takes the one slot before the synchronous request arriving at 1 s (class 4): throttled.
    wl = {"time": [1.0, 1.2], "function": [0, 0], "duration": [0.5, 0.5]}
    r = simulate_streams(acct(), [fn(rc=1)], [kin(1)], [mp()], recs([(0.5, 0)]), workload=wl)
    assert r["records"]["s"]["start"] == [1.0] and r["records"]["s"]["end"] == [1.1]
    assert r["requests"]["outcome"] == [4, 1]  # THROTTLED, then SUCCESS at 1.2 s
    assert r["functions"][0]["invocations"] == 2 and r["functions"][0]["throttles"] == 1
    assert r["horizon"] == 1.7


def test_a_batch_throttled_by_a_request_retries_when_it_ends():
    # RC 1. The record of 0.5 s is taken by the poll at 1 s and the lane sleeps again; the
    # record of 2 s wakes it for a poll at 3 s, when the request of 2 s (running to 4 s) holds
    # the one slot: throttled, retried 1 s later at 4 s, after the request's end (ends come
    # before timers at an instant).
    wl = {"time": [2.0], "function": [0], "duration": [2.0]}
    r = simulate_streams(acct(), [fn(rc=1)], [kin(1)], [mp()], recs([(0.5, 0), (2.0, 0)]),
                         workload=wl)
    assert r["records"]["s"]["start"] == [1.0, 4.0]
    assert r["mappings"][0]["throttles"] == 1
    assert r["requests"]["end"] == [4.0]


def test_an_idle_environment_expiring_at_a_batch_end_is_not_reused_then():
    # §3 at one instant: an idle environment is gone at exactly idle_since + idle timeout, also
    # for a batch admitted while that instant's ends are processed (found by the differential
    # test). Limit 2, scaling burst 1 (a token per ms), timeout 0.5, init 1, idle timeout 0.5;
    # batches of 1 running 2 s (cut at 0.5: TIMEOUT, given up at once with 0 retries).
    # Keys 0, 0, 0 share a lane; key 1 has its own (3 shards).
    # 1.0: lane A takes E1 (cold: 1 + 0.5 → 2.5); lane B is refused a token: throttled, retry 2.0.
    # 2.0: B creates E2 (2.0–3.5). 2.5: A's batch ends; its next record re-initialises E1
    # (2.5–4.0). 3.5: E2 idle, gone at 4.0. 4.0: A's batch ends and its next record is admitted
    # at that end: E2 (newest) is gone at 4.0, so E1 again (re-init, 4.0–5.5).
    # Lifetimes: E1 1.0–5.5 (4.5 s), E2 2.0–4.0 (2 s): 6.5 environment-seconds over 5.5 s.
    account = {"concurrency_limit": 2, "unreserved_min": 0, "scaling": "current",
               "scaling_burst": 1, "token_cost_us": 1000}
    functions = [{"reserved_concurrency": None, "timeout_s": 0.5, "init_s": 1.0, "idle_timeout_s": 0.5}]
    out = simulate_streams(account, functions, [kin(3)],
                           [mp(batch_size=1, maximum_retry_attempts=0, duration_base_s=2.0)],
                           recs([(0.0, 0), (0.0, 0), (0.0, 0), (0.0, 1)]))
    r = out["records"]["s"]
    assert r["shard"][0] == r["shard"][1] == r["shard"][2] != r["shard"][3]
    assert r["start"] == [1.0, 2.5, 4.0, 2.0] and r["end"] == [2.5, 4.0, 5.5, 3.5]
    f = out["functions"][0]
    assert (f["environments_created"], f["cold_starts"], f["throttles_scaling"]) == (2, 4, 1)
    assert out["horizon"] == 5.5
    assert f["avg_environments"] == pytest.approx(6.5 / 5.5)
