"""Helpers shared by the tests: the engine behind the oracle's interface, AWS's message texts."""
