"""A citizen files a complaint and follows it by tracking code; LPSE staff forward and answer it (Pasal 14)."""

import re

import pytest
from django.core import mail

from conftest import give_totp
from eproc.complaints.models import Complaint
from eproc.organizations.roles import Role

from .helpers import sign_in_as as _sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_files_and_follows_a_complaint_that_staff_forward_and_answer(
    browser, live_server, personas, tmp_path
):
    evidence = tmp_path / "bukti.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% tangkapan layar jadwal\n%%EOF\n")

    citizen = browser.new_context(base_url=live_server.url)
    page = citizen.new_page()
    page.goto("/")
    page.click("footer a[href='/pengaduan/']")
    page.select_option("#id_about", "tender")
    page.fill("#id_tender_reference", "SPSE-2026-001 Rehabilitasi Jalan")
    page.fill("#id_title", "Jadwal unggah dimajukan")
    page.fill("#id_description", "Batas unggah dimajukan satu hari tanpa pemberitahuan.")
    page.fill("#id_reporter_email", "warga@contoh.test")
    page.set_input_files("#id_attachments", str(evidence))
    page.click("main form button[type=submit]")
    code = page.locator("[data-tracking-code]").inner_text().strip()
    assert re.fullmatch(r"ADU-[A-Z2-9]{10}", code)
    page.goto("/pengaduan/lacak/")
    page.fill("#id_code", code.lower())
    page.click("main form button[type=submit]")
    assert page.locator("[data-status]").get_attribute("data-status") == "received"

    helpdesk = personas.make(Role.HELPDESK)
    give_totp(helpdesk)
    staff = browser.new_context(base_url=live_server.url)
    staff_page = staff.new_page()
    _sign_in_as(staff, live_server, helpdesk)
    staff_page.goto("/pengaduan/kelola/")
    staff_page.click(f"text={code}")
    staff_page.check("input[name=destinations][value=lpse_pusat]")
    staff_page.check("input[name=destinations][value=tim_pengawas]")
    staff_page.click("form[action$='/teruskan/'] button[type=submit]")
    assert staff_page.locator("[data-forward]").count() == 2
    assert {m.to[0] for m in mail.outbox} >= {"pengaduan@lkpp.go.id", "inspektorat@ketapangkab.go.id"}
    staff_page.fill("textarea[name=text]", "Pokja telah mengembalikan jadwal semula dan mengumumkan adendum.")
    staff_page.click("form[action$='/jawab/'] button[type=submit]")
    staff.close()

    page.reload()
    assert page.locator("[data-status]").get_attribute("data-status") == "answered"
    assert "adendum" in page.locator("[data-answer]").inner_text()
    assert Complaint.objects.get(tracking_code=code).forwards.filter(delivered=True).count() == 2
    assert any(m.to == ["warga@contoh.test"] for m in mail.outbox)
    citizen.close()
