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
