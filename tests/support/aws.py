"""AWS's validation texts as the tests build them, and a `pytest.raises` that compares them whole.

The builders spell out AWS's wording here rather than importing the package's table, so that a
change in the package's messages shows up as a failing test.
"""

from __future__ import annotations

import pytest


def item(value: object, field: str, constraint: str) -> str:
    return f"Value '{value}' at '{field}' failed to satisfy constraint: Member must {constraint}"


def one(value: object, field: str, constraint: str) -> str:
    return "1 validation error detected: " + item(value, field, constraint)


def ge(bound: int) -> str:
    return f"have value greater than or equal to {bound}"


def le(bound: int) -> str:
    return f"have value less than or equal to {bound}"


def raises_exact(exc: type[BaseException], message: str):
    """pytest.raises that compares the whole message, not a regex search."""

    class _Ctx:
        def __enter__(self):
            self._cm = pytest.raises(exc)
            self.info = self._cm.__enter__()
            return self.info

        def __exit__(self, *args):
            suppressed = self._cm.__exit__(*args)
            assert type(self.info.value) is exc
            assert str(self.info.value) == message
            return suppressed

    return _Ctx()
