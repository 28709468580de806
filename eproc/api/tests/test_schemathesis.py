"""Fuzzing of the JSON API (issue 9.3, issue 8 acceptance): schemathesis generates requests for every operation of
/api/v1/openapi.json, anonymous and as a signed-in verified vendor, against the demo data, and checks that no answer
is a server error and that every answer conforms to the schema (status code, content type, body).

The generated path ids are random, so each operation on a tender also runs on every demo tender (draft, open,
in the upload, opened, in the objection period, contracted)."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import signed_in

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Examples per operation and per caller: enough to cross every filter with odd values, quick enough for CI.
EXAMPLES = 10
PER_TENDER = 2


@pytest.fixture
def wsgi_app():
    """The site as a WSGI application, in this test's transaction. Django's test client does the same: the request
    signals would otherwise close the connection that holds the test's (uncommitted) demo data."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _vendor_session(api_demo) -> tuple[dict, dict]:
    """Cookies and headers of a signed-in verified vendor, with a CSRF token for the one write."""
    client = signed_in(api_demo.vendor_user)
    secret = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": secret}
    return cookies, {"X-CSRFToken": _mask_cipher_secret(secret)}


def _run(operation, *, examples: int, cookies: dict, headers: dict, path_parameters=None) -> None:
    strategy = operation.as_strategy(path_parameters=path_parameters)

    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(checks=CHECKS, cookies=cookies, headers=headers)

    check()


def test_no_operation_of_the_api_answers_a_server_error_or_breaks_its_schema(api_demo, wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    tenders = [
        api_demo.tender_draft,
        api_demo.tender_open,
        api_demo.tender_upload,
        api_demo.tender_evaluation,
        api_demo.tender_sanggah,
        api_demo.tender_finished,
    ]
    callers = {"anonymous": ({}, {}), "vendor": _vendor_session(api_demo)}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    for cookies, headers in callers.values():
        for operation in operations:
            _run(operation, examples=EXAMPLES, cookies=cookies, headers=headers)
            if "{public_id}" in operation.path and "/tenders/" in operation.path:
                for tender in tenders:
                    _run(
                        operation,
                        examples=PER_TENDER,
                        cookies=cookies,
                        headers=headers,
                        path_parameters={"public_id": tender.public_id},
                    )
    # The signed-in runs did get through the session and CSRF checks: the vendor joined the open tender.
    assert api_demo.tender_open.participants.filter(vendor__members__user=api_demo.vendor_user).exists()
