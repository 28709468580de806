"""Agencies, work units, appointments from decrees (SK) and days off, written through services."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from conftest import pdf_upload
from eproc.accounts.models import User
from eproc.audit.models import AuditEvent
from eproc.audit.verification import verify_chain
from eproc.organizations import selectors, services
from eproc.organizations.models import Agency, Appointment, DayOff, WorkUnit
from eproc.organizations.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """Assertions below read the English messages; the Indonesian default is checked on its own."""
    with translation.override("en"):
        yield


def test_a_refusal_speaks_indonesian_by_default(personas):
    with translation.override("id"), pytest.raises(ValidationError, match="Berkas kosong"):
        services.appoint(
            actor=personas.lpse_admin,
            user=personas.lpse_admin,
            role=Role.HELPDESK,
            decree_number="1",
            decree_date=date(2026, 2, 1),
            decree_file=pdf_upload(body=b""),
            valid_from=date(2026, 2, 2),
        )


def test_it_records_an_audit_event_for_each_write(personas):
    before = AuditEvent.objects.count()
    agency = services.create_agency(actor=personas.lpse_admin, code="d301", name="Kabupaten Sambas")
    services.update_agency(actor=personas.lpse_admin, agency=agency, name="Pemerintah Kabupaten Sambas")
    events = list(AuditEvent.objects.order_by("sequence")[before:])
    assert [event.action for event in events] == ["agency.created", "agency.updated"]
    assert events[0].data["code"] == "D301"
    assert events[1].data["changes"]["name"] == {"from": "Kabupaten Sambas", "to": "Pemerintah Kabupaten Sambas"}
    assert events[1].actor == personas.lpse_admin
    assert verify_chain().ok


def test_it_serves_several_agencies_from_one_installation(personas):
    # Pasal 3: Ketapang and other regencies of West Kalimantan use the same LPSE.
    assert set(Agency.objects.values_list("code", flat=True)) == {"D201", "D213"}


def test_it_refuses_a_duplicate_agency_code_with_a_clear_message(personas):
    with pytest.raises(ValidationError) as error:
        services.create_agency(actor=personas.lpse_admin, code="d201", name="Lagi")
    assert "D201" in str(error.value.message_dict["code"])


def test_only_the_lpse_administrator_manages_agencies(personas):
    kepala = personas.make(Role.KEPALA_LPSE)
    with pytest.raises(PermissionDenied):
        services.create_agency(actor=kepala, code="D999", name="X")
    assert not Agency.objects.filter(code="D999").exists()


def test_it_refuses_two_work_units_with_the_same_name_in_one_agency(personas):
    with pytest.raises(ValidationError):
        services.create_work_unit(
            actor=personas.lpse_admin, agency=personas.agency_a, name="dinas pupr", address="Ketapang"
        )
    # The same name in another agency is fine: each government has its own Dinas PUPR.
    assert WorkUnit.objects.filter(name="Dinas PUPR").count() == 2


def test_an_appointment_keeps_its_decree_file_under_its_sha256(personas, settings):
    body = b"%PDF-1.4\n% SK Pokja 2026\n%%EOF\n"
    appointment = services.appoint_by_email(
        actor=personas.lpse_admin,
        email="Pokja@Ketapang.go.id",
        full_name="Dewi Lestari",
        role=Role.POKJA,
        agency=personas.agency_a,
        decree_number="027/15/PBJ/2026",
        decree_date=date(2026, 2, 1),
        decree_file=pdf_upload("../../etc/SK Pokja.pdf", body),
        valid_from=date(2026, 2, 2),
    )
    import hashlib

    digest = hashlib.sha256(body).hexdigest()
    assert appointment.decree_sha256 == digest
    assert appointment.decree_file.name == f"decrees/{digest[:2]}/{digest}.pdf"
    assert (settings.MEDIA_ROOT / appointment.decree_file.name).read_bytes() == body
    assert appointment.decree_file_name == "SK Pokja.pdf"  # the path part of the uploaded name is dropped
    assert appointment.user.email == "pokja@ketapang.go.id"
    assert not appointment.user.has_usable_password()  # they set their own (Pasal 4(2)a)


def test_it_refuses_a_decree_that_is_not_a_pdf_or_image_and_creates_no_account(personas):
    html = SimpleUploadedFile("sk.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    with pytest.raises(ValidationError, match="not accepted"):
        services.appoint_by_email(
            actor=personas.lpse_admin,
            email="new@ketapang.go.id",
            full_name="Baru",
            role=Role.POKJA,
            agency=personas.agency_a,
            decree_number="1",
            decree_date=date(2026, 2, 1),
            decree_file=html,
            valid_from=date(2026, 2, 2),
        )
    assert not User.objects.filter(email="new@ketapang.go.id").exists()


def test_it_refuses_an_empty_or_oversized_decree(personas, settings):
    settings.EPROC_MAX_DECREE_BYTES = 100
    for upload, message in [(pdf_upload(body=b""), "empty"), (pdf_upload(body=b"%PDF-" + b"x" * 200), "too large")]:
        with pytest.raises(ValidationError, match=message):
            services.appoint(
                actor=personas.lpse_admin,
                user=personas.lpse_admin,
                role=Role.HELPDESK,
                decree_number="1",
                decree_date=date(2026, 2, 1),
                decree_file=upload,
                valid_from=date(2026, 2, 2),
            )


@pytest.mark.parametrize(
    ("role", "with_agency", "with_unit", "message"),
    [
        (Role.HELPDESK, True, False, "LPSE role"),
        (Role.POKJA, False, False, "within an agency"),
        (Role.PPK, True, False, "within a work unit"),
    ],
)
def test_it_enforces_the_scope_of_each_role(personas, role, with_agency, with_unit, message):
    with pytest.raises(ValidationError, match=message):
        services.appoint(
            actor=personas.lpse_admin,
            user=personas.lpse_admin,
            role=role,
            agency=personas.agency_a if with_agency else None,
            work_unit=personas.unit_a if with_unit else None,
            decree_number="1",
            decree_date=date(2026, 2, 1),
            decree_file=pdf_upload(),
            valid_from=date(2026, 2, 2),
        )


def test_it_refuses_a_work_unit_of_another_agency(personas):
    with pytest.raises(ValidationError, match="does not belong"):
        services.appoint(
            actor=personas.lpse_admin,
            user=personas.lpse_admin,
            role=Role.PPK,
            agency=personas.agency_a,
            work_unit=personas.unit_b,
            decree_number="1",
            decree_date=date(2026, 2, 1),
            decree_file=pdf_upload(),
            valid_from=date(2026, 2, 2),
        )


def test_an_admin_agency_appoints_ppk_and_committee_only_in_its_own_agency(personas):
    # Pasal 7(1)e, 7(3)c: PPK and the committee register with their Admin Agency on the evidence of their SK.
    admin_a = personas.make(Role.ADMIN_AGENCY, personas.agency_a)
    appointment = services.appoint_by_email(
        actor=admin_a,
        email="ppk@ketapang.go.id",
        full_name="Yusuf",
        role=Role.PPK,
        agency=personas.agency_a,
        work_unit=personas.unit_a,
        decree_number="2",
        decree_date=date(2026, 2, 1),
        decree_file=pdf_upload(),
        valid_from=date(2026, 2, 2),
    )
    assert appointment.role == Role.PPK
    with pytest.raises(PermissionDenied):
        services.appoint_by_email(
            actor=admin_a,
            email="ppk@kayong.go.id",
            full_name="Slamet",
            role=Role.PPK,
            agency=personas.agency_b,
            work_unit=personas.unit_b,
            decree_number="3",
            decree_date=date(2026, 2, 1),
            decree_file=pdf_upload(),
            valid_from=date(2026, 2, 2),
        )
    with pytest.raises(PermissionDenied):
        services.appoint_by_email(
            actor=admin_a,
            email="x@ketapang.go.id",
            full_name="X",
            role=Role.ADMIN_AGENCY,
            agency=personas.agency_a,
            decree_number="4",
            decree_date=date(2026, 2, 1),
            decree_file=pdf_upload(),
            valid_from=date(2026, 2, 2),
        )
    assert not User.objects.filter(email__in=["ppk@kayong.go.id", "x@ketapang.go.id"]).exists()


def test_a_role_lasts_only_within_the_validity_of_its_decree(personas, pinned_time):
    helpdesk = personas.make(Role.HELPDESK)
    appointment = helpdesk.appointments.get()
    Appointment.objects.filter(pk=appointment.pk).update(valid_until=date(2026, 3, 31))
    assert Role.HELPDESK in selectors.roles_of(User.objects.get(pk=helpdesk.pk))
    pinned_time.move_to("2026-04-01T03:00Z")
    assert Role.HELPDESK not in selectors.roles_of(User.objects.get(pk=helpdesk.pk))


def test_a_revoked_appointment_ends_the_role_but_stays_on_record(personas):
    pokja = personas.make(Role.POKJA)
    appointment = pokja.appointments.get()
    with pytest.raises(ValidationError):
        services.revoke_appointment(actor=personas.lpse_admin, appointment=appointment, reason="  ")
    services.revoke_appointment(actor=personas.lpse_admin, appointment=appointment, reason="Diganti SK baru")
    assert Role.POKJA not in selectors.roles_of(User.objects.get(pk=pokja.pk))
    assert Appointment.objects.filter(pk=appointment.pk, revoked_reason="Diganti SK baru").exists()
    assert AuditEvent.objects.filter(action="appointment.revoked", object_id=appointment.public_id).exists()


def test_bootstrapping_a_second_lpse_administrator_is_refused(personas):
    with pytest.raises(PermissionDenied):
        services.bootstrap_lpse_admin(
            email="intruder@x.id",
            full_name="X",
            decree_number="1",
            decree_date=date(2026, 1, 1),
            decree_file=pdf_upload(),
            valid_from=date(2026, 1, 1),
        )


def test_days_off_set_by_the_lpse_shape_the_working_calendar(personas):
    # A regional holiday of Kayong Utara stops its schedules, not Ketapang's.
    calendar_b_before = selectors.working_calendar_for(personas.agency_b)
    assert calendar_b_before.is_working_day(date(2026, 7, 8))
    services.add_day_off(
        actor=personas.lpse_admin, day=date(2026, 7, 8), name="Hari Jadi Kabupaten", agency=personas.agency_b
    )
    services.add_day_off(actor=personas.lpse_admin, day=date(2026, 7, 10), name="Libur Pilkada")
    calendar_a = selectors.working_calendar_for(personas.agency_a)
    calendar_b = selectors.working_calendar_for(personas.agency_b)
    assert calendar_a.is_working_day(date(2026, 7, 8))
    assert not calendar_b.is_working_day(date(2026, 7, 8))
    assert calendar_b.day_off_reason(date(2026, 7, 8)) == "Hari Jadi Kabupaten"
    assert not calendar_a.is_working_day(date(2026, 7, 10))
    # Tuesday 7 July + 3 working days skips 8 July (Kayong Utara only) and 10 July (everyone).
    assert calendar_a.add_working_days(date(2026, 7, 7), 3) == date(2026, 7, 13)
    assert calendar_b.add_working_days(date(2026, 7, 7), 3) == date(2026, 7, 14)


def test_it_refuses_the_same_day_off_twice_and_removes_one_with_a_trace(personas):
    day_off = services.add_day_off(actor=personas.lpse_admin, day=date(2026, 7, 10), name="Libur Pilkada")
    with pytest.raises(ValidationError):
        services.add_day_off(actor=personas.lpse_admin, day=date(2026, 7, 10), name="Lagi")
    services.remove_day_off(actor=personas.lpse_admin, day_off=day_off)
    assert not DayOff.objects.exists()
    assert AuditEvent.objects.filter(action="day_off.removed", data__name="Libur Pilkada").exists()
