"""The tender world of the tender tests (a committee, a PPK, a PA and a plan item), for the input fuzzing tests."""

from eproc.tenders.tests.conftest import world  # noqa: F401 (fixture)
