"""The engine's rules for requests (§1–6, §10): hand-worked cases, the oracle against the engine, asynchronous events."""
