"""Shared configuration of the test suite: the hypothesis profile (see tests/support/profiles.py)."""

from tests.support import profiles

profiles.load()
