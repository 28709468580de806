"""The LPSE-admin area and the agency boundary (Pasal 3, 4(2)b): agency-side users see only their own
agency's private data, and "not yours" looks exactly like "does not exist"."""

from datetime import date

import pytest
from django.urls import reverse

from conftest import give_totp, pdf_upload
from eproc.audit.models import AuditEvent
from eproc.organizations import services
from eproc.organizations.models import Agency, Appointment, DayOff, WorkUnit
from eproc.organizations.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, personas):
    give_totp(personas.lpse_admin)  # LPSE staff need a second factor before anything else
    client.force_login(personas.lpse_admin)
    return client


def _appointment_in(personas, agency, role=Role.POKJA):
    user = personas.make(role, agency)
    return user.appointments.get()


def test_an_admin_agency_cannot_see_another_agencys_appointment_or_decree(client, personas):
    admin_a = personas.make(Role.ADMIN_AGENCY, personas.agency_a)
    own = _appointment_in(personas, personas.agency_a)
    other = _appointment_in(personas, personas.agency_b)
    client.force_login(admin_a)

    assert client.get(reverse("organizations:appointment_detail", args=[own.public_id])).status_code == 200
    assert client.get(reverse("organizations:appointment_decree", args=[own.public_id])).status_code == 200
    missing = client.get(reverse("organizations:appointment_detail", args=["0000000000000000"]))
    foreign = client.get(reverse("organizations:appointment_detail", args=[other.public_id]))
    assert foreign.status_code == missing.status_code == 404
    assert client.get(reverse("organizations:appointment_decree", args=[other.public_id])).status_code == 404
    listing = client.get(reverse("organizations:appointment_list")).content.decode()
    assert own.user.email in listing and other.user.email not in listing
    agency_b_page = client.get(reverse("organizations:agency_detail", args=[personas.agency_b.public_id]))
    assert agency_b_page.status_code == 404


def test_an_admin_agency_cannot_appoint_in_another_agency(client, personas):
    admin_a = personas.make(Role.ADMIN_AGENCY, personas.agency_a)
    client.force_login(admin_a)
    url_b = reverse("organizations:appointment_create", args=[personas.agency_b.public_id])
    assert client.get(url_b).status_code == 404
    response = client.post(url_b, {"email": "x@y.id", "full_name": "X", "role": "ppk"})
    assert response.status_code == 404
    assert (
        client.get(reverse("organizations:appointment_create", args=[personas.agency_a.public_id])).status_code == 200
    )


def test_a_scoped_auditor_reads_only_its_agencys_trail_and_appointments(client, personas):
    auditor_a = personas.make(Role.AUDITOR, personas.agency_a)
    other = _appointment_in(personas, personas.agency_b)
    client.force_login(auditor_a)
    trail = client.get(reverse("audit:trail")).content.decode()
    visible_ids = {event.object_id for event in AuditEvent.objects.filter(agency=personas.agency_a)}
    hidden_ids = {event.object_id for event in AuditEvent.objects.filter(agency=personas.agency_b)}
    assert any(object_id in trail for object_id in visible_ids)
    assert not any(object_id in trail for object_id in hidden_ids - visible_ids)
    assert client.get(reverse("organizations:appointment_detail", args=[other.public_id])).status_code == 404


def test_a_person_without_a_role_sees_neither_the_admin_area_nor_the_trail(client, personas):
    pokja_b = personas.make(Role.PPK, personas.agency_b)
    client.force_login(pokja_b)
    for url in [
        reverse("organizations:agency_list"),
        reverse("organizations:agency_create"),
        reverse("organizations:day_off_list"),
        reverse("audit:trail"),
        reverse("organizations:appointment_create_lpse"),
    ]:
        assert client.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_the_login_page(client, personas):
    response = client.get(reverse("organizations:agency_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_lpse_administrator_creates_an_agency_and_a_work_unit_through_the_pages(admin_client):
    response = admin_client.post(
        reverse("organizations:agency_create"),
        {
            "code": "d301",
            "name": "Pemerintah Kabupaten Sambas",
            "kind": "kabupaten",
            "time_zone": "Asia/Jakarta",
            "address": "Sambas",
            "website": "",
            "is_active": "on",
        },
    )
    agency = Agency.objects.get(code="D301")
    assert response.status_code == 302
    response = admin_client.post(
        reverse("organizations:work_unit_create", args=[agency.public_id]),
        {
            "name": "Dinas Kesehatan",
            "code": "1.02.01",
            "address": "Jl. Pembangunan, Sambas",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert WorkUnit.objects.filter(agency=agency, name="Dinas Kesehatan").exists()
    page = admin_client.get(reverse("organizations:agency_detail", args=[agency.public_id])).content.decode()
    assert "Dinas Kesehatan" in page


def test_a_form_error_is_shown_and_nothing_is_saved(admin_client, personas):
    response = admin_client.post(
        reverse("organizations:agency_create"),
        {
            "code": "D201",
            "name": "Duplikat",
            "kind": "kabupaten",
            "time_zone": "Asia/Jakarta",
        },
    )
    assert response.status_code == 200
    assert "D201" in response.content.decode()
    assert Agency.objects.filter(code="D201").count() == 1


def test_the_lpse_administrator_appoints_a_person_from_a_decree(admin_client, personas, mailoutbox):
    url = reverse("organizations:appointment_create", args=[personas.agency_a.public_id])
    response = admin_client.post(
        url,
        {
            "email": "pokja.baru@ketapang.go.id",
            "full_name": "Pokja Baru",
            "nip": "198001012005011001",
            "role": "pokja",
            "decree_number": "027/99/PBJ/2026",
            "decree_date": "2026-02-01",
            "decree_file": pdf_upload("SK Pokja.pdf"),
            "valid_from": "2026-02-02",
            "valid_until": "2026-12-31",
        },
    )
    appointment = Appointment.objects.get(user__email="pokja.baru@ketapang.go.id")
    assert response.status_code == 302
    assert appointment.valid_until == date(2026, 12, 31)
    # The person sets their own password from the e-mail; no one else ever knows it (Pasal 4(2)a, 9(7)e).
    assert len(mailoutbox) == 1
    assert "pokja.baru@ketapang.go.id" in mailoutbox[0].to
    download = admin_client.get(reverse("organizations:appointment_decree", args=[appointment.public_id]))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_an_appointment_form_with_a_bad_nip_explains_itself(admin_client, personas):
    url = reverse("organizations:appointment_create", args=[personas.agency_a.public_id])
    response = admin_client.post(
        url,
        {
            "email": "x@ketapang.go.id",
            "full_name": "X",
            "nip": "123",
            "role": "pokja",
            "decree_number": "1",
            "decree_date": "2026-02-01",
            "decree_file": pdf_upload(),
            "valid_from": "2026-02-02",
        },
    )
    assert response.status_code == 200
    assert "18" in response.content.decode()
    assert not Appointment.objects.filter(user__email="x@ketapang.go.id").exists()


def test_the_lpse_administrator_revokes_an_appointment(admin_client, personas):
    appointment = _appointment_in(personas, personas.agency_a)
    admin_client.post(
        reverse("organizations:appointment_revoke", args=[appointment.public_id]), {"reason": "SK dicabut"}
    )
    appointment.refresh_from_db()
    assert appointment.revoked_at is not None and appointment.revoked_reason == "SK dicabut"


def test_the_lpse_administrator_manages_days_off(admin_client, personas):
    admin_client.post(reverse("organizations:day_off_list"), {"date": "2026-12-31", "name": "Libur daerah"})
    day_off = DayOff.objects.get()
    page = admin_client.get(reverse("organizations:day_off_list")).content.decode()
    assert "Libur daerah" in page
    admin_client.post(reverse("organizations:day_off_remove", args=[day_off.public_id]))
    assert not DayOff.objects.exists()


def test_work_units_of_an_agency_are_listed_in_its_own_time_zone_display(admin_client, personas):
    services.update_agency(actor=personas.lpse_admin, agency=personas.agency_b, time_zone="Asia/Makassar")
    page = admin_client.get(reverse("organizations:agency_list")).content.decode()
    assert "WITA" in page
