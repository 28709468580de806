"""A vendor's registration as people meet it in Chromium (Pasal 7(4)a, 9(8)b-e, 9(7)e): the vendor registers,
confirms its e-mail address, fills its qualification data with documents and submits it; a Verifikator returns it
with a reason; the vendor corrects the item and resubmits; the Verifikator approves, which activates the vendor."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from conftest import give_totp
from eproc.audit.models import AuditEvent
from eproc.organizations.roles import Role
from eproc.vendors.models import QualificationItem, Submission, Vendor, VendorDocument
from eproc.vendors.requirements import SECTIONS_BY_KEY, FieldType, sections_for

from .helpers import sign_in_as as _sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT = 30_000
VENDOR_NAME = "PT Sinar Ketapang Konstruksi"
LOGIN_EMAIL = "direktur@sinarketapang.test"
VENDOR_PASSWORD = "Tepian-Sungai-Pawan-2026!"
DEFICIENCY = "Scan akta tidak terbaca"

# One entry per section a business entity must fill, every field of the section's form (requirements.py).
ENTRIES = {
    "izin_usaha": {
        "licence_type": "iujk",
        "number": "503/0123/IUJK/DPMPTSP/2025",
        "issuer": "DPMPTSP Kabupaten Ketapang",
        "valid_until": "2029-06-30",
        "classification": "KBLI 41011 Konstruksi Gedung Hunian",
        "qualification": "kecil",
    },
    "akta": {
        "kind": "pendirian",
        "number": "12",
        "date": "2015-04-20",
        "notary": "Hj. Siti Aminah, S.H., M.Kn.",
        "approval": "AHU-0012345.AH.01.01.Tahun 2015",
    },
    "pemilik": {
        "name": "Budi Santoso",
        "id_number": "6104011203800001",
        "address": "Jl. Gajah Mada No. 7, Ketapang",
        "share": "60",
    },
    "pengurus": {
        "name": "Budi Santoso",
        "id_number": "6104011203800001",
        "position": "Direktur Utama",
        "since": "2015-04-20",
    },
    "neraca": {"year": "2025", "assets": "Rp1.500.000.000,00", "liabilities": "Rp350.000.000,00"},
    "pajak": {"kind": "spt_tahunan", "period": "2025", "document_number": "BPE-2026-000123"},
}


def _watch_console(page, errors):
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))


def _sign_in(page, email, password):
    page.goto("/akun/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    _follow(page, "main form button[type=submit]")
    page.wait_for_url(re.compile(r"/beranda/$"))


def _follow(page, selector):
    """Click a link or submit button, wait for the page the server answers with, and insist it is a page."""
    with page.expect_navigation() as navigation:
        page.click(selector)
    assert navigation.value.status == 200, f"{page.url} answered {navigation.value.status}"


def _pdf(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n")
    return str(path)


def _fill_entry(page, section_key, values):
    section = SECTIONS_BY_KEY[section_key]
    assert set(values) == {field.name for field in section.fields}, f"{section_key}: fill every field"
    for field in section.fields:
        selector = f"#id_{field.name}"
        if field.type == FieldType.CHOICE:
            page.select_option(selector, values[field.name])
        else:
            page.fill(selector, values[field.name])


def _review(page, vendor_name, deficient=None):
    """The Verifikator opens the vendor from the queue and marks every check; `deficient` maps keys to notes."""
    deficient = deficient or {}
    page.goto("/verifikasi/")
    _follow(page, f"main table a:has-text('{vendor_name}')")
    checks = page.locator("main form.review [data-check]")
    keys = [checks.nth(index).get_attribute("data-check") for index in range(checks.count())]
    for key in keys:
        if key in deficient:
            page.check(f"input[name='status-{key}'][value=deficient]")
            page.fill(f"input[name='note-{key}']", deficient[key])
        else:
            page.check(f"input[name='status-{key}'][value=checked]")
    return keys


def test_a_vendor_registers_is_returned_fixes_its_data_and_is_approved(
    page, browser, live_server, personas, pinned_time, tmp_path
):
    page.set_default_timeout(TIMEOUT)

    # 1. An anonymous visitor registers the business and confirms the e-mail address from the message.
    page.goto("/penyedia/daftar/")
    page.select_option("#id_kind", "badan_usaha")
    page.fill("#id_name", VENDOR_NAME)
    page.fill("#id_business_form", "PT")
    page.fill("#id_npwp", "01.234.567.8-901.000")
    page.fill("#id_address", "Jl. Letjend. S. Parman No. 21, Ketapang")
    page.fill("#id_city", "Ketapang")
    page.fill("#id_province", "Kalimantan Barat")
    page.fill("#id_phone", "0534-3031234")
    page.fill("#id_email", "kantor@sinarketapang.test")
    page.fill("#id_full_name", "Budi Santoso")
    page.fill("#id_login_email", LOGIN_EMAIL)
    page.fill("#id_password1", VENDOR_PASSWORD)
    page.fill("#id_password2", VENDOR_PASSWORD)
    _follow(page, "main form button[type=submit]")
    assert page.locator("main .has-error").count() == 0
    assert VENDOR_NAME in page.locator("main").inner_text()
    assert page.locator("main a[href='/akun/login/']").is_visible()
    vendor = Vendor.objects.get(name=VENDOR_NAME)
    assert vendor.npwp == "012345678901000" and vendor.status == Vendor.Status.DRAFT
    assert mail.outbox[-1].to == [LOGIN_EMAIL]
    link = re.search(r"https?://[^/\s]+(/akun/confirm-email/[-:\w]+/)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    page.goto(link.group(1))
    _follow(page, "main form button[type=submit]")
    assert EmailAddress.objects.get(email=LOGIN_EMAIL).verified

    # 2. The vendor signs in, fills every incomplete section with one entry and its scan, and submits.
    _sign_in(page, LOGIN_EMAIL, VENDOR_PASSWORD)
    page.goto("/penyedia/saya/")
    assert page.locator("[data-status]").get_attribute("data-status") == "draft"
    incomplete = [
        row.get_attribute("data-section")
        for row in page.locator("main tr[data-section]").all()
        if row.locator(".badge.danger").count()
    ]
    required = {section.key for section in sections_for("badan_usaha") if section.minimum_items}
    assert set(incomplete) == required == set(ENTRIES)
    for key in incomplete:
        page.goto("/penyedia/saya/")
        _follow(page, f"main tr[data-section='{key}'] a")
        assert page.url.endswith(f"/penyedia/saya/{key}/")
        _fill_entry(page, key, ENTRIES[key])
        page.set_input_files("#id_document", _pdf(tmp_path, f"{key}.pdf", f"scan {key}"))
        _follow(page, "main form.form button[type=submit]")
        assert page.locator("main .has-error, main .errors").count() == 0, page.locator("main").inner_text()
        assert page.locator("main table a[href^='/penyedia/dokumen/']", has_text=f"{key}.pdf").is_visible()
    page.goto("/penyedia/saya/")
    assert page.locator("main tr[data-section] .badge.danger").count() == 0
    _follow(page, "main form[action='/penyedia/saya/kirim/'] button[type=submit]")
    assert page.locator("[data-status]").get_attribute("data-status") == "submitted"
    assert page.locator("main form[action='/penyedia/saya/kirim/']").count() == 0

    # 3. Later that morning the Verifikator returns the registration: the deed scan cannot be read.
    pinned_time.shift(timedelta(minutes=30))
    verifier = personas.make(Role.VERIFIKATOR)
    give_totp(verifier)
    verifier_context = browser.new_context(base_url=live_server.url, locale="id-ID")
    verifier_errors = []
    verifier_page = verifier_context.new_page()
    verifier_page.set_default_timeout(TIMEOUT)
    _watch_console(verifier_page, verifier_errors)
    _sign_in_as(verifier_context, live_server, verifier)
    akta = QualificationItem.objects.get(vendor=vendor, section="akta")
    keys = _review(verifier_page, VENDOR_NAME, deficient={akta.public_id: DEFICIENCY})
    assert set(keys) == {
        "identity",
        *QualificationItem.objects.filter(vendor=vendor).values_list("public_id", flat=True),
    }
    _follow(verifier_page, "button[name=decision][value=reject]")
    verifier_page.wait_for_url(re.compile(r"/verifikasi/$"))
    assert verifier_page.locator("main a", has_text=VENDOR_NAME).count() == 0  # no longer waiting
    vendor.refresh_from_db()
    assert vendor.status == Vendor.Status.REJECTED
    returned = mail.outbox[-1]
    assert returned.to == [LOGIN_EMAIL]
    assert DEFICIENCY in returned.body and VENDOR_NAME in returned.body

    # 4. The vendor reads the reason, replaces the deed scan and submits again.
    pinned_time.shift(timedelta(minutes=30))
    page.goto("/penyedia/saya/")
    assert page.locator("[data-status]").get_attribute("data-status") == "rejected"
    assert DEFICIENCY in page.locator("[data-deficiencies]").inner_text()
    _follow(page, "main tr[data-section='akta'] a")
    _follow(page, f"main table a[href='/penyedia/saya/akta/{akta.public_id}/']")
    assert page.locator("#id_number").input_value() == ENTRIES["akta"]["number"]
    assert page.locator("#id_date").input_value() == ENTRIES["akta"]["date"]
    page.fill("#id_approval", "AHU-0012345.AH.01.01.TAHUN 2015")
    page.set_input_files("#id_document", _pdf(tmp_path, "akta-pendirian-jelas.pdf", "scan akta yang jelas"))
    _follow(page, "main form.form button[type=submit]")
    assert page.locator("main .has-error, main .errors").count() == 0, page.locator("main").inner_text()
    assert page.locator("main table a", has_text="akta-pendirian-jelas.pdf").is_visible()
    assert page.locator("main table a", has_text="akta.pdf").count() == 0  # the current entry shows the new scan
    page.goto("/penyedia/saya/")
    _follow(page, "main form[action='/penyedia/saya/kirim/'] button[type=submit]")
    assert page.locator("[data-status]").get_attribute("data-status") == "submitted"

    # 5. The Verifikator checks everything and approves; the approval activates the vendor.
    pinned_time.shift(timedelta(minutes=30))
    _review(verifier_page, VENDOR_NAME)
    assert "akta-pendirian-jelas.pdf" in verifier_page.locator(f"[data-check='{akta.public_id}']").inner_text()
    _follow(verifier_page, "button[name=decision][value=approve]")
    verifier_page.wait_for_url(re.compile(r"/verifikasi/$"))
    verifier_context.close()
    assert verifier_errors == [], f"browser console errors: {verifier_errors}"

    # 6. The vendor signs in again and finds its dashboard and its verified registration.
    pinned_time.shift(timedelta(minutes=30))
    page.context.clear_cookies()
    _sign_in(page, LOGIN_EMAIL, VENDOR_PASSWORD)
    card = page.locator('[data-role="vendor"]')
    assert card.is_visible()
    assert VENDOR_NAME in card.inner_text()
    assert card.locator('[data-action="vendor_data"]').is_visible()
    page.goto("/penyedia/saya/")
    assert page.locator("[data-status]").get_attribute("data-status") == "verified"
    assert page.locator("[data-deficiencies]").count() == 0

    vendor.refresh_from_db()
    assert vendor.status == Vendor.Status.VERIFIED
    assert vendor.activated_at is not None
    assert Submission.objects.filter(vendor=vendor).count() == 2
    items = QualificationItem.objects.filter(vendor=vendor, removed_at__isnull=True).count()
    assert items == len(ENTRIES)
    # The archive keeps both versions of the deed scan (Pasal 9(8)g).
    assert VendorDocument.objects.filter(vendor=vendor).count() == items + 1
    akta.refresh_from_db()
    assert akta.document.original_name == "akta-pendirian-jelas.pdf"
    assert akta.data["approval"] == "AHU-0012345.AH.01.01.TAHUN 2015"
    actions = set(AuditEvent.objects.filter(object_id=vendor.public_id).values_list("action", flat=True))
    assert {"vendor.verification_rejected", "vendor.verification_approved", "vendor.activated"} <= actions
    assert mail.outbox[-1].to == [LOGIN_EMAIL]  # told of the activation
