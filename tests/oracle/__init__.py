"""The oracle: pure-Python reference models of the behavioural model, written from the rules
alone and independent of the engine, so that the engine can be tested against them.

- `invocations`: §1–6 and §10, synchronous and asynchronous invocation, client retries;
- `lifetimes`: §3.1, drawn keep-alives and inits, maximum lifetime (used by `invocations`);
- `streams`: §7, Kinesis and DynamoDB Streams (builds on `invocations`' `Simulator`);
- `queues`: §8, SQS standard and FIFO (builds on `invocations` and `streams`' outcome codes).
- `changes`: §16, changes while running (reservations, provisioned concurrency allocated over
  time, code updates), with synchronous requests only; self-contained.

They import the standard library and each other only, never `lambda_core` (whose behaviour
they judge) nor the rest of the tests; tests/test_layout.py holds them to that.
"""
