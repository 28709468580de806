"""A realistic LPSE for monitoring tests: the demo data (agencies, plan, vendors, eight tenders from draft to contract,
loaded through the services as `make run` does) at the pinned time, plus what the demo lacks, made through the real
services too: a failed tender and its repeat, complaints, helpdesk consultations and a deviation flag."""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import give_totp
from eproc.accounts.models import User

JOINABLE = "Perencanaan Teknis Jembatan Sungai Pawan II (contoh)"


@dataclass
class Demo:
    kepala: User
    auditor: User
    lpse_admin: User
    helpdesk: User
    pa: User
    admin_agency: User
    failed: object
    repeat: object


@pytest.fixture
def demo(settings, tmp_path, pinned_time):
    from eproc.complaints import helpdesk_services
    from eproc.complaints import services as complaints
    from eproc.demo import load_procurement_demo
    from eproc.evaluation import services as evaluation
    from eproc.organizations.models import Agency
    from eproc.tenders import services as tenders
    from eproc.tenders.models import Tender

    settings.VAR_DIR = tmp_path
    load_procurement_demo()

    joinable = Tender.objects.get(title=JOINABLE)
    chair = joinable.committee.order_by("email").first()
    failed = evaluation.declare_failed(actor=chair, tender=joinable, reason="unfair_competition", note="Uji")
    repeat = tenders.repeat_tender(actor=chair, tender=failed)

    desk = User.objects.get(email="helpdesk@lpse.demo")
    ketapang = Agency.objects.get(code="D201")
    about_tender = complaints.file_complaint(
        about="tender",
        tender_reference=JOINABLE,
        agency=ketapang,
        title="Persyaratan terlalu berat",
        description="Syarat pengalaman tidak wajar.",
        attachments=[SimpleUploadedFile("bukti.pdf", b"%PDF-1.4 bukti", "application/pdf")],
    )
    complaints.file_complaint(about="service", title="Situs lambat", description="Lambat saat unggah.")
    complaints.answer(actor=desk, complaint=about_tender, text="Persyaratan sesuai dokumen pemilihan.")
    helpdesk_services.log_contact(
        actor=desk, channel="phone", subject="Lupa sandi", question="?", asker_name="Budi", answer="Atur ulang."
    )
    helpdesk_services.log_contact(actor=desk, channel="walk_in", subject="Registrasi", question="?", asker_name="Ani")
    helpdesk_services.flag_deviation(actor=desk, tender_reference=JOINABLE, description="Jadwal terlalu singkat")

    people = {}
    for key, email in {
        "kepala": "kepala@lpse.demo",
        "auditor": "auditor@inspektorat.demo",
        "lpse_admin": "admin@lpse.demo",
        "helpdesk": "helpdesk@lpse.demo",
        "pa": "pa.pupr@ketapang.demo",
        "admin_agency": "adminagency@ketapang.demo",
    }.items():
        people[key] = User.objects.get(email=email)
        give_totp(people[key])
    return Demo(**people, failed=failed, repeat=repeat)
