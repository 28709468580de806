"""The tender story of the tender tests, for the public cache's tests."""

from eproc.tenders.tests.conftest import world  # noqa: F401 (fixture)
