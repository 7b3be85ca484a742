"""Fixtures of the scenario tests: the small scenario files, written to a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scenarios.cases import SMALL, SMALL_ASYNC, write
from tests.scenarios.source_cases import STREAMS


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write(tmp_path, SMALL, "small.toml")


@pytest.fixture
def small_async(tmp_path: Path) -> Path:
    return write(tmp_path, SMALL_ASYNC, "small_async.toml")


@pytest.fixture
def streams(tmp_path: Path) -> Path:
    return write(tmp_path, STREAMS, "streams.toml")
