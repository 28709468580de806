"""The tender stories of the tender and evaluation tests, for the publication tests."""

from eproc.evaluation.tests.conftest import three_vendors  # noqa: F401 (fixture)
from eproc.tenders.tests.conftest import world  # noqa: F401 (fixture)
