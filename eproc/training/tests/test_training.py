"""Training (Pasal 8(2)d, 9(10) of Perbup Ketapang 8/2011): the Trainer trains committees, PPK and vendors in
e-procurement and answers their questions. Sessions are public, people of the audience register, the trainer
marks attendance and shares materials with the participants."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from conftest import PINNED_NOW, give_totp, pdf_upload
from eproc.audit.models import AuditEvent
from eproc.organizations.roles import Role
from eproc.training import services
from eproc.training.models import Registration, TrainingSession

pytestmark = pytest.mark.django_db

STARTS = PINNED_NOW + timedelta(days=7)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def trainer(personas):
    return personas.make(Role.TRAINER)


def _session(actor, trainer, **overrides) -> TrainingSession:
    values = {
        "topic": "Tata cara e-Lelang Umum",
        "audience": "public",
        "starts_at": STARTS,
        "ends_at": STARTS + timedelta(hours=3),
        "place": "Ruang Pelatihan LPSE",
        "capacity": 20,
        "trainer": trainer,
        "description": "",
    }
    return services.create_session(actor=actor, **{**values, **overrides})


def _staff_client(client, user):
    from allauth.mfa.models import Authenticator

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        give_totp(user)
    client.force_login(user)
    return client


def test_only_the_trainer_and_the_head_of_lpse_schedule_and_cancel_sessions(personas, trainer):
    kepala = personas.make(Role.KEPALA_LPSE)
    assert _session(trainer, trainer).trainer == trainer
    by_head = _session(kepala, trainer)  # Pasal 9(4)d,g: the Kepala LPSE coordinates the trainer
    for role in (Role.HELPDESK, Role.LPSE_ADMIN, Role.POKJA, Role.PPK):
        other = personas.make(role)
        with pytest.raises(PermissionDenied):
            _session(other, trainer)
        with pytest.raises(PermissionDenied):
            services.cancel_session(actor=other, session=by_head, reason="Ruangan dipakai")
    _vendor, vendor_user = personas.vendor()
    with pytest.raises(PermissionDenied):
        _session(vendor_user, trainer)
    services.cancel_session(actor=trainer, session=by_head, reason="Ruangan dipakai")
    by_head.refresh_from_db()
    assert by_head.is_cancelled and by_head.cancelled_reason == "Ruangan dipakai"
    with pytest.raises(ValidationError):
        services.cancel_session(actor=kepala, session=by_head, reason="lagi")


def test_the_trainer_named_must_hold_the_trainer_role_and_the_session_must_end_after_it_starts(personas, trainer):
    with pytest.raises(ValidationError) as error:
        _session(trainer, personas.make(Role.HELPDESK))
    assert "trainer" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        _session(trainer, trainer, ends_at=STARTS - timedelta(hours=1))
    assert "ends_at" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        _session(trainer, trainer, starts_at=PINNED_NOW - timedelta(hours=1), ends_at=PINNED_NOW + timedelta(hours=1))
    assert "starts_at" in error.value.error_dict


def test_each_session_takes_only_the_audience_it_is_for(personas, trainer):
    pokja = personas.make(Role.POKJA)
    officer = personas.make(Role.PEJABAT_PENGADAAN)
    ppk = personas.make(Role.PPK)
    helpdesk = personas.make(Role.HELPDESK)
    _vendor, vendor_user = personas.vendor()
    expected = {
        "committee": {pokja, officer},
        "ppk": {ppk},
        "vendor": {vendor_user},
        "public": {pokja, officer, ppk, helpdesk, vendor_user},
    }
    for audience, admitted in expected.items():
        session = _session(trainer, trainer, audience=audience)
        for person in (pokja, officer, ppk, helpdesk, vendor_user):
            if person in admitted:
                services.register(actor=person, session=session)
            else:
                with pytest.raises(PermissionDenied):
                    services.register(actor=person, session=session)
        assert {r.user for r in session.registrations.all()} == admitted, audience


def test_a_full_session_refuses_the_next_registration_with_a_clear_message(personas, trainer):
    session = _session(trainer, trainer, capacity=2)
    services.register(actor=personas.make(Role.PPK), session=session)
    services.register(actor=personas.make(Role.PPK), session=session)
    with pytest.raises(ValidationError, match="This session is full: all 2 places are taken."):
        services.register(actor=personas.make(Role.PPK), session=session)
    assert session.registrations.count() == 2


def test_a_registration_is_refused_twice_or_for_a_cancelled_session(personas, trainer):
    ppk = personas.make(Role.PPK)
    session = _session(trainer, trainer)
    services.register(actor=ppk, session=session)
    with pytest.raises(ValidationError, match="already registered"):
        services.register(actor=ppk, session=session)
    services.cancel_session(actor=trainer, session=session, reason="Narasumber berhalangan")
    with pytest.raises(ValidationError, match="cancelled"):
        services.register(actor=personas.make(Role.PPK), session=session)


def test_registration_and_withdrawal_close_when_the_session_starts(personas, trainer, pinned_time):
    early, late = personas.make(Role.PPK), personas.make(Role.PPK)
    session = _session(trainer, trainer)
    services.register(actor=early, session=session)
    pinned_time.move_to(STARTS + timedelta(minutes=1))
    with pytest.raises(ValidationError, match="already started"):
        services.register(actor=late, session=session)
    with pytest.raises(ValidationError, match="already started"):
        services.unregister(actor=early, session=session)
    assert Registration.objects.filter(session=session, user=early).exists()


def test_a_participant_withdraws_before_the_start_and_frees_the_place(personas, trainer):
    first, second = personas.make(Role.PPK), personas.make(Role.PPK)
    session = _session(trainer, trainer, capacity=1)
    services.register(actor=first, session=session)
    services.unregister(actor=first, session=session)
    services.register(actor=second, session=session)
    assert [r.user for r in session.registrations.all()] == [second]


def test_the_trainer_marks_attendance_from_the_start_of_the_session(client, personas, trainer, pinned_time):
    came, missed = personas.make(Role.PPK), personas.make(Role.PPK)
    session = _session(trainer, trainer)
    services.register(actor=came, session=session)
    services.register(actor=missed, session=session)
    with pytest.raises(ValidationError, match="once the session has started"):
        services.mark_attendance(actor=trainer, session=session, user=came, attended=True)
    pinned_time.move_to(STARTS + timedelta(hours=1))
    with pytest.raises(PermissionDenied):
        services.mark_attendance(actor=personas.make(Role.HELPDESK), session=session, user=came, attended=True)
    with pytest.raises(ValidationError, match="not registered"):
        services.mark_attendance(actor=trainer, session=session, user=personas.make(Role.PPK), attended=True)
    url = reverse("training:attendance", args=[session.public_id])
    _staff_client(client, trainer)
    page = client.get(url)
    assert page.status_code == 200 and came.full_name in page.content.decode()
    response = client.post(url, {f"attended_{came.public_id}": "on"})
    assert response.status_code == 302
    assert Registration.objects.get(session=session, user=came).attended_at == STARTS + timedelta(hours=1)
    assert Registration.objects.get(session=session, user=missed).attended_at is None
    client.post(url, {})  # unticked: the mark is withdrawn
    assert Registration.objects.get(session=session, user=came).attended_at is None


def test_materials_are_for_the_participants_and_the_trainers_only(client, personas, trainer):
    kepala = personas.make(Role.KEPALA_LPSE)
    participant, outsider = personas.make(Role.PPK), personas.make(Role.PPK)
    session = _session(trainer, trainer)
    services.register(actor=participant, session=session)
    with pytest.raises(PermissionDenied):
        services.add_material(actor=participant, session=session, upload=pdf_upload("materi.pdf"))
    material = services.add_material(actor=trainer, session=session, upload=pdf_upload("materi.pdf"))
    download = reverse("training:material_download", args=[material.public_id])
    detail = reverse("training:session_detail", args=[session.public_id])
    assert client.get(download).status_code == 302  # to the sign-in page
    assert "materi.pdf" not in client.get(detail).content.decode()
    for person, allowed in ((participant, True), (trainer, True), (kepala, True), (outsider, False)):
        _staff_client(client, person)
        response = client.get(download)
        assert response.status_code == (200 if allowed else 404), person
        assert ("materi.pdf" in client.get(detail).content.decode()) == allowed, person
        if allowed:
            assert response["Content-Disposition"].startswith("attachment")


def test_a_material_must_be_a_pdf_or_an_image(personas, trainer):
    session = _session(trainer, trainer)
    with pytest.raises(ValidationError, match="not accepted"):
        services.add_material(actor=trainer, session=session, upload=pdf_upload("x.pdf", body=b"MZ not a pdf"))


def test_every_write_is_recorded_in_the_audit_trail(personas, trainer, pinned_time):
    ppk = personas.make(Role.PPK)
    session = _session(trainer, trainer)
    services.register(actor=ppk, session=session)
    services.add_material(actor=trainer, session=session, upload=pdf_upload("materi.pdf"))
    services.unregister(actor=ppk, session=session)
    services.register(actor=ppk, session=session)
    pinned_time.move_to(STARTS + timedelta(minutes=5))
    services.mark_attendance(actor=trainer, session=session, user=ppk, attended=True)
    services.cancel_session(actor=trainer, session=session, reason="Listrik padam")
    actions = list(
        AuditEvent.objects.filter(object_id=session.public_id).order_by("sequence").values_list("action", "actor")
    )
    assert actions == [
        ("training.session_created", trainer.pk),
        ("training.registered", ppk.pk),
        ("training.material_added", trainer.pk),
        ("training.unregistered", ppk.pk),
        ("training.registered", ppk.pk),
        ("training.attendance_marked", trainer.pk),
        ("training.session_cancelled", trainer.pk),
    ]


def test_the_pages_render_for_the_people_who_use_them(client, personas, trainer):
    session = _session(trainer, trainer, audience="vendor")
    services.add_material(actor=trainer, session=session, upload=pdf_upload("materi.pdf"))
    past = TrainingSession.objects.create(
        topic="Pelatihan lama",
        audience="public",
        starts_at=PINNED_NOW - timedelta(days=30),
        ends_at=PINNED_NOW - timedelta(days=30) + timedelta(hours=2),
        place="Aula",
        capacity=10,
        trainer=trainer,
        created_by=trainer,
        created_at=PINNED_NOW - timedelta(days=40),
    )
    detail = reverse("training:session_detail", args=[session.public_id])
    listing = client.get(reverse("training:session_list")).content.decode()  # public, signed in or not
    assert session.topic in listing and past.topic in listing
    assert client.get(detail).status_code == 200
    _vendor, vendor_user = personas.vendor()
    client.force_login(vendor_user)
    page = client.get(detail).content.decode()
    assert reverse("training:register", args=[session.public_id]) in page
    client.post(reverse("training:register", args=[session.public_id]))
    page = client.get(detail).content.decode()
    assert "data-registered" in page and reverse("training:unregister", args=[session.public_id]) in page
    assert reverse("training:attendance", args=[session.public_id]) not in page
    for name in ("session_create", "attendance", "material_upload"):
        kwargs = {} if name == "session_create" else {"public_id": session.public_id}
        assert client.get(reverse(f"training:{name}", kwargs=kwargs)).status_code == 404
    ppk = personas.make(Role.PPK)
    _staff_client(client, ppk)
    assert reverse("training:register", args=[session.public_id]) not in client.get(detail).content.decode()
    assert client.post(reverse("training:register", args=[session.public_id])).status_code == 404
    for manager in (trainer, personas.make(Role.KEPALA_LPSE)):
        _staff_client(client, manager)
        page = client.get(detail).content.decode()
        assert vendor_user.full_name in page and "materi.pdf" in page
        assert client.get(reverse("training:session_create")).status_code == 200
        assert client.get(reverse("training:attendance", args=[session.public_id])).status_code == 200
        assert client.get(reverse("training:material_upload", args=[session.public_id])).status_code == 200
    _staff_client(client, trainer)
    assert client.get(reverse("dashboard")).status_code == 200
    assert reverse("training:session_list") in client.get(reverse("dashboard")).content.decode()


def test_the_trainer_schedules_a_session_and_uploads_a_material_through_the_pages(client, personas, trainer):
    _staff_client(client, trainer)
    response = client.post(
        reverse("training:session_create"),
        {
            "topic": "Unggah penawaran di SPSE",
            "audience": "vendor",
            "starts_at": "2026-03-10T09:00",
            "ends_at": "2026-03-10T12:00",
            "place": "Ruang LPSE",
            "capacity": "25",
            "trainer": trainer.public_id,
        },
    )
    session = TrainingSession.objects.get()
    assert response.status_code == 302 and session.starts_at == PINNED_NOW + timedelta(days=8, hours=-1)
    client.post(reverse("training:material_upload", args=[session.public_id]), {"file": pdf_upload("modul.pdf")})
    assert session.materials.get().original_name == "modul.pdf"
    client.post(reverse("training:cancel", args=[session.public_id]), {"reason": "Ditunda"})
    session.refresh_from_db()
    assert session.is_cancelled


def test_the_form_says_so_when_the_session_ends_before_it_starts(client, personas, trainer):
    _staff_client(client, trainer)
    response = client.post(
        reverse("training:session_create"),
        {
            "topic": "Unggah penawaran di SPSE",
            "audience": "vendor",
            "starts_at": "2026-03-10T12:00",
            "ends_at": "2026-03-10T09:00",
            "place": "Ruang LPSE",
            "capacity": "25",
            "trainer": trainer.public_id,
        },
    )
    assert response.status_code == 200
    assert "Waktu selesai sesi pelatihan harus setelah waktu mulainya." in response.content.decode()  # Indonesian
    assert not TrainingSession.objects.exists()
