"""Complaints (Pasal 14): filed by anyone through the system, followed by tracking code, forwarded to LPSE Pusat
and the supervisory team with a record of what was sent when, answered and closed."""

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import give_totp, pdf_upload
from eproc.audit.models import AuditEvent
from eproc.complaints import services
from eproc.complaints.channels import Delivery
from eproc.complaints.models import Complaint
from eproc.organizations.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def _file(**extra):
    return services.file_complaint(
        about="tender",
        tender_reference="SPSE-2026-001",
        title="Persyaratan diskriminatif",
        description="Syarat SBU terlalu tinggi untuk paket kecil.",
        **extra,
    )


def test_a_citizen_files_without_an_account_and_follows_by_tracking_code(client, db):
    response = client.post(
        reverse("complaints:file"),
        {
            "about": "tender",
            "tender_reference": "SPSE-2026-001",
            "title": "Jadwal diubah mendadak",
            "description": "Batas unggah dimajukan tanpa pemberitahuan.",
            "reporter_email": "warga@contoh.test",
            "attachments": [pdf_upload("bukti.pdf")],
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 200 and complaint.tracking_code in response.content.decode()
    assert complaint.attachments.get().original_name == "bukti.pdf"
    status = client.get(reverse("complaints:track_code", args=[complaint.tracking_code.lower()]))
    assert status.status_code == 200 and 'data-status="received"' in status.content.decode()
    assert client.get(reverse("complaints:track_code", args=["ADU-XXXXXXXXXX"])).status_code == 404


def test_a_tender_complaint_must_name_the_tender(db):
    with pytest.raises(ValidationError):
        services.file_complaint(about="tender", title="x", description="y")


def test_filing_is_rate_limited_per_address(client, db):
    data = {"about": "service", "title": "Server lambat", "description": "Tidak bisa unggah."}
    for _ in range(5):
        client.post(reverse("complaints:file"), data)
    response = client.post(reverse("complaints:file"), data)
    assert response.status_code == 200 and Complaint.objects.count() == 5


def test_forwarding_records_what_was_sent_to_whom_and_when(personas, mailoutbox, pinned_time):
    helpdesk = personas.make(Role.HELPDESK)
    complaint = _file(attachments=[pdf_upload("bukti.pdf")])
    forwards = services.forward(
        actor=helpdesk, complaint=complaint, destinations=["lpse_pusat", "tim_pengawas"], note="Mohon ditindaklanjuti."
    )
    assert [item.delivered for item in forwards] == [True, True]
    assert {message.to[0] for message in mailoutbox} == {"pengaduan@lkpp.go.id", "inspektorat@ketapangkab.go.id"}
    assert mailoutbox[0].attachments[0][0] == "bukti.pdf"
    from conftest import PINNED_NOW

    assert forwards[0].sent_at == PINNED_NOW
    complaint.refresh_from_db()
    assert complaint.status == "forwarded"
    assert AuditEvent.objects.filter(action="complaint.forwarded", object_id=complaint.public_id).count() == 2


class _DownChannel:
    name = "email"

    def send(self, **kwargs):
        return Delivery(False, "connection refused")


def test_a_failed_forward_is_recorded_and_can_be_sent_again(personas, settings, monkeypatch):
    helpdesk = personas.make(Role.HELPDESK)
    complaint = _file()
    monkeypatch.setattr("eproc.complaints.services.channel", lambda: _DownChannel())  # the mail server is outside
    failed = services.forward(actor=helpdesk, complaint=complaint, destinations=["lpse_pusat"])
    assert failed[0].delivered is False and failed[0].error == "connection refused"
    complaint.refresh_from_db()
    assert complaint.status == "received"
    monkeypatch.undo()
    services.forward(actor=helpdesk, complaint=complaint, destinations=["lpse_pusat"])
    assert complaint.forwards.filter(delivered=True).count() == 1


def test_the_answer_closes_the_complaint_and_reaches_the_reporter(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    helpdesk = personas.make(Role.HELPDESK)
    complaint = _file(reporter_email="warga@contoh.test")
    with django_capture_on_commit_callbacks(execute=True):
        services.answer(actor=helpdesk, complaint=complaint, text="Pokja telah memperbaiki persyaratan.")
    complaint.refresh_from_db()
    assert complaint.status == "answered" and complaint.closed_at
    assert mailoutbox[-1].to == ["warga@contoh.test"] and "memperbaiki" in mailoutbox[-1].body
    with pytest.raises(ValidationError):
        services.answer(actor=helpdesk, complaint=complaint, text="lagi")


def test_only_lpse_handlers_triage_and_the_inspektorat_reads(client, personas):
    complaint = _file(attachments=[pdf_upload("bukti.pdf")])
    for role in (Role.PPK, Role.POKJA, Role.VERIFIKATOR):
        user = personas.make(role)
        with pytest.raises(PermissionDenied):
            services.answer(actor=user, complaint=complaint, text="x")
        give_totp(user)
        client.force_login(user)
        assert client.get(reverse("complaints:detail", args=[complaint.public_id])).status_code == 404
        assert (
            client.get(reverse("complaints:attachment", args=[complaint.attachments.get().public_id])).status_code
            == 404
        )
    auditor = personas.make(Role.AUDITOR)
    client.force_login(auditor)
    page = client.get(reverse("complaints:detail", args=[complaint.public_id])).content.decode()
    assert complaint.title in page and "/teruskan/" not in page  # reads, but is offered no action
    with pytest.raises(PermissionDenied):
        services.forward(actor=auditor, complaint=complaint, destinations=["lpse_pusat"])


def test_a_vendor_files_while_signed_in_and_is_recorded_as_reporter(client, personas):
    _vendor, user = personas.vendor("CV Pelapor")
    client.force_login(user)
    client.post(reverse("complaints:file"), {"about": "service", "title": "Gagal unggah", "description": "Error 500"})
    complaint = Complaint.objects.get()
    assert complaint.reporter == user
    assert AuditEvent.objects.filter(action="complaint.filed", actor=user).exists()
