"""The LPSE's public "about" page (Pasal 9-10), the health check and the error page with an incident code
(Pasal 11(3)c)."""

import logging

import pytest
from django.test import Client, override_settings
from django.urls import include, path

from eproc.organizations.roles import Role

pytestmark = pytest.mark.django_db


def test_the_about_page_names_who_holds_each_lpse_function(client, personas):
    kepala = personas.make(Role.KEPALA_LPSE)
    page = client.get("/tentang/").content.decode()
    assert kepala.full_name in page and "Bupati Ketapang" in page
    assert 'data-function="verifikator"' in page


def test_the_health_check_reports_database_storage_and_cache(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "storage": "ok", "cache": "ok"}}


def test_the_health_check_fails_loudly_when_storage_cannot_be_written(client, db, settings, tmp_path):
    blocked = tmp_path / "read-only"
    blocked.write_text("a file where the media directory should be")
    settings.MEDIA_ROOT = blocked
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["storage"] == "failing"


def _boom(request):
    raise RuntimeError("rahasia internal yang tidak boleh tampil")


# The site's own URLs plus one view that fails, with the site's error handler.
urlpatterns = [path("boom/", _boom), path("", include("eproc.config.urls"))]
handler500 = "eproc.web.views.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_an_error_page_shows_an_incident_code_that_is_in_the_log(db, caplog):
    caplog.set_level(logging.ERROR, logger="eproc.incidents")
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    code = page.split("data-incident>")[1].split("<")[0]
    assert code.startswith("INC-")
    assert "rahasia internal" not in page
    assert code in caplog.text and "rahasia internal" in caplog.text


@override_settings(ROOT_URLCONF=__name__)
def test_the_incident_is_one_json_line_with_its_code_as_a_field(db, caplog):
    """Structured logs (issue 7.8): the log collector finds an incident by its code, without parsing prose."""
    import json

    from eproc.core.logs import JsonFormatter

    caplog.set_level(logging.ERROR, logger="eproc.incidents")
    response = Client(raise_request_exception=False).get("/boom/")
    code = response.content.decode().split("data-incident>")[1].split("<")[0]
    [record] = [record for record in caplog.records if record.name == "eproc.incidents"]
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "eproc.incidents"
    assert entry["incident"] == code and entry["method"] == "GET" and entry["path"] == "/boom/"
    assert "rahasia internal" in entry["exception"]
