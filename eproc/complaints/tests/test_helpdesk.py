"""The helpdesk (Pasal 9(9)): consultations on the web, by phone and in person, the public FAQ, and procedural
deviations reported to the Head of LPSE."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import give_totp
from eproc.audit.models import AuditEvent
from eproc.complaints import helpdesk_services as services
from eproc.complaints.models import Ticket
from eproc.organizations.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def helpdesk(personas):
    user = personas.make(Role.HELPDESK)
    give_totp(user)
    return user


def test_a_vendor_asks_on_the_web_and_reads_the_answer(client, personas, helpdesk):
    _vendor, user = personas.vendor("CV Bertanya")
    client.force_login(user)
    client.post(reverse("helpdesk:help"), {"subject": "Cara unggah", "question": "Bagaimana menyegel penawaran?"})
    ticket = Ticket.objects.get()
    assert ticket.channel == "web" and ticket.asker == user
    services.answer_ticket(actor=helpdesk, ticket=ticket, text="Pakai tombol Segel dan kirim.")
    page = client.get(reverse("helpdesk:help")).content.decode()
    assert "Pakai tombol Segel dan kirim." in page


def test_staff_log_a_phone_call_answered_on_the_spot(helpdesk):
    ticket = services.log_contact(
        actor=helpdesk,
        channel="phone",
        subject="Lupa kata sandi",
        question="Tidak bisa masuk",
        asker_name="Pak Budi",
        asker_contact="0812",
        answer="Gunakan Lupa kata sandi.",
    )
    assert ticket.logged_by == helpdesk and ticket.answered_at is not None
    assert AuditEvent.objects.filter(action="helpdesk.contact_logged", object_id=ticket.public_id).exists()


def test_only_helpdesk_staff_run_the_desk(client, personas):
    ppk = personas.make(Role.PPK)
    with pytest.raises(PermissionDenied):
        services.log_contact(actor=ppk, channel="phone", subject="x", question="y", asker_name="z")
    client.force_login(ppk)
    assert client.get(reverse("helpdesk:desk")).status_code == 404


def test_the_faq_is_public_once_published(client, helpdesk):
    services.save_faq(actor=helpdesk, question="Apa itu SPSE?", answer="Sistem Pengadaan Secara Elektronik.")
    services.save_faq(actor=helpdesk, question="Draf internal", answer="Belum", is_published=False)
    page = client.get(reverse("helpdesk:help")).content.decode()
    assert "Apa itu SPSE?" in page and "Draf internal" not in page


def test_a_deviation_reaches_the_head_of_lpse_who_records_the_follow_up(
    client, personas, helpdesk, mailoutbox, django_capture_on_commit_callbacks
):
    kepala = personas.make(Role.KEPALA_LPSE)
    with django_capture_on_commit_callbacks(execute=True):
        flag = services.flag_deviation(
            actor=helpdesk, tender_reference="SPSE-2026-001", description="Jadwal pembukaan sebelum batas unggah."
        )
    assert mailoutbox[-1].to == [kepala.email]  # Pasal 9(9)e
    with pytest.raises(PermissionDenied):
        services.acknowledge_flag(actor=helpdesk, flag=flag, follow_up="x")
    with pytest.raises(ValidationError):
        services.acknowledge_flag(actor=kepala, flag=flag, follow_up=" ")
    services.acknowledge_flag(actor=kepala, flag=flag, follow_up="Pokja diminta memperbaiki jadwal.")
    give_totp(kepala)
    client.force_login(kepala)
    assert "Pokja diminta memperbaiki jadwal." in client.get(reverse("helpdesk:flags")).content.decode()


def test_tickets_are_assigned_only_to_helpdesk_staff(personas, helpdesk):
    ticket = services.log_contact(actor=helpdesk, channel="walk_in", subject="Daftar", question="?", asker_name="Ibu A")
    with pytest.raises(ValidationError):
        services.assign(actor=helpdesk, ticket=ticket, to=personas.make(Role.PPK))
    colleague = personas.make(Role.HELPDESK)
    assert services.assign(actor=helpdesk, ticket=ticket, to=colleague).assigned_to == colleague
