"""A tender from the plan to the public page, as people meet it in Chromium: the PA announces a plan item, a Pokja
member makes the package, schedules it and uploads its document, the PPK approves, the member announces; a vendor
joins, downloads and asks; the member answers and issues an addendum close to the deadline (which extends it) and
moves a stage with a reason; an anonymous visitor sees it all except the participants (Pasal 7(1)-(4))."""

import re
from datetime import timedelta

import pyrage
import pytest
from django.utils import translation

from conftest import give_totp
from eproc.audit.verification import verify_chain
from eproc.bids import services as bids
from eproc.core import clock
from eproc.organizations.roles import Role
from eproc.planning.models import PlanItem
from eproc.tenders import lifecycle, services
from eproc.tenders.lifecycle import Stage
from eproc.tenders.models import DocumentDownload, Question, ScheduleChange, Tender

from .helpers import browser_page as _browser_page
from .helpers import sign_in_as as _sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PACKAGE = "Rehabilitasi Jalan Sukaharja"
SCHEDULE_REASON = "Pembukaan penawaran diundur satu jam karena rapat koordinasi Pokja."
CHANGE_NOTE = "Volume galian pada daftar kuantitas (BoQ) dikoreksi dari 1.200 m3 menjadi 1.350 m3."
DOCUMENT = b"%PDF-1.4\n% Dokumen Pemilihan Rehabilitasi Jalan Sukaharja\n%%EOF\n"
ADDENDUM = b"%PDF-1.4\n% Adendum 1: koreksi volume galian\n%%EOF\n"


def _local_input(moment, tender) -> str:
    """A datetime-local value as the schedule form shows it, in the agency's zone."""
    return moment.astimezone(clock.as_zone(tender.agency.time_zone)).strftime("%Y-%m-%dT%H:%M")


def test_a_tender_goes_from_the_plan_to_its_public_page_in_the_browser(
    browser, live_server, personas, pinned_time, tmp_path
):
    pa = personas.make(Role.PA, personas.agency_a, personas.unit_a)
    member, other_member = personas.make(Role.POKJA), personas.make(Role.POKJA)
    for person in (member, other_member):
        give_totp(person)
        bids.register_committee_key(actor=person, recipient=str(pyrage.x25519.Identity.generate().to_public()))
    ppk = personas.make(Role.PPK, personas.agency_a, personas.unit_a)
    give_totp(ppk)
    vendor, vendor_user = personas.vendor("CV Maju Jaya")
    (tmp_path / "dokumen-pemilihan.pdf").write_bytes(DOCUMENT)
    (tmp_path / "adendum-1.pdf").write_bytes(ADDENDUM)
    errors = []

    # 1. The PA writes the plan item and announces it.
    pa_page = _browser_page(browser, live_server, errors, pa)
    pa_page.goto("/rup/kelola/baru/")
    pa_page.select_option("select[name=work_unit]", personas.unit_a.public_id)
    pa_page.fill("input[name=fiscal_year]", "2026")
    pa_page.fill("input[name=package_name]", PACKAGE)
    pa_page.fill("input[name=location]", "Kecamatan Delta Pawan")
    pa_page.fill("input[name=budget]", "Rp2.500.000.000,00")
    pa_page.select_option("select[name=fund_source]", "apbd")
    pa_page.select_option("select[name=procurement_type]", "konstruksi")
    pa_page.select_option("select[name=planned_method]", "lelang_umum")
    pa_page.select_option("select[name=planned_month]", "4")
    pa_page.fill("input[name=budget_reference]", "DPA-SKPD 1.03.01/2026")
    pa_page.click("form:has(input[name=package_name]) button[type=submit]")
    announce_plan = 'form[action$="/umumkan/"] button[type=submit]'
    pa_page.wait_for_selector(announce_plan)
    item = PlanItem.objects.get(package_name=PACKAGE)
    assert pa_page.url.endswith(f"/rup/{item.public_id}/")
    pa_page.click(announce_plan)
    pa_page.wait_for_selector(announce_plan, state="detached")
    item.refresh_from_db()
    assert item.announced_at is not None and item.budget_reference == "DPA-SKPD 1.03.01/2026"
    pa_page.context.close()

    # 2. A Pokja member makes the package from the plan item's page.
    page = _browser_page(browser, live_server, errors, member)
    page.goto(f"/rup/{item.public_id}/")
    page.click('a[href*="/lelang/kelola/baru/"]')
    page.wait_for_url(re.compile(r"/lelang/kelola/baru/\?rup="))
    assert page.input_value("select[name=plan_item]") == item.public_id
    page.fill("input[name=owner_estimate]", "Rp2.400.000.000,00")
    for field, value in {
        "category": "konstruksi",
        "method": "lelang_umum",
        "qualification": "pascakualifikasi",
        "file_system": "satu_file",
        "evaluation_method": "gugur",
        "contract_type": "harga_satuan",
        "ppk": str(ppk.pk),
    }.items():
        page.select_option(f"select[name={field}]", value)
    page.check("input[name=small_business_reserved]")
    page.fill("textarea[name=qualification_requirements]", "SBU Bina Marga (SI001), KD paling kurang Rp2,4 miliar")
    page.check(f"input[name=committee][value='{other_member.pk}']")
    page.fill("input[name=opening_quorum]", "2")
    page.click("form:has(input[name=owner_estimate]) button[type=submit]")
    page.wait_for_url(re.compile(r"/lelang/kelola/(?!baru/)[^/]+/$"))
    tender = Tender.objects.get(plan_item=item)
    manage_url = f"/lelang/kelola/{tender.public_id}/"
    assert page.url.endswith(manage_url)
    assert set(tender.committee.all()) == {member, other_member} and tender.opening_quorum == 2
    assert tender.small_business_reserved and tender.ppk == ppk and tender.title == PACKAGE

    # 3. The schedule form starts from a lawful proposal; the member saves it, uploads the document, asks the PPK.
    page.click('a[href$="/jadwal/"]')
    page.wait_for_url(re.compile(r"/jadwal/$"))
    proposal = services.propose_schedule(tender)
    for stage in services.stages_of(tender):
        assert page.input_value(f"input[name={stage.value}__start]") == _local_input(proposal[stage].starts_at, tender)
        assert page.input_value(f"input[name={stage.value}__end]") == _local_input(proposal[stage].ends_at, tender)
    page.click("form.schedule-form button[type=submit]")
    page.wait_for_url(re.compile(re.escape(manage_url) + "$"))
    assert {row.stage: (row.starts_at, row.ends_at) for row in tender.stages.all()} == {
        stage.value: (slot.starts_at, slot.ends_at) for stage, slot in proposal.items()
    }
    document_form = 'form[action$="/dokumen/"]'
    page.select_option(f"{document_form} select[name=kind]", "dokumen_pengadaan")
    page.fill(f"{document_form} input[name=title]", "Dokumen Pemilihan")
    page.set_input_files(f"{document_form} input[name=file]", str(tmp_path / "dokumen-pemilihan.pdf"))
    page.click(f"{document_form} button[type=submit]")
    page.wait_for_selector('#dokumen a[href*="/dokumen/"]')
    ask_ppk = 'form[action$="/ajukan/"] button[type=submit]'
    page.click(ask_ppk)
    page.wait_for_selector(ask_ppk, state="detached")
    tender.refresh_from_db()
    assert tender.approval_requested_at is not None

    # 4. The PPK approves the classification on the workspace page.
    ppk_page = _browser_page(browser, live_server, errors, ppk)
    ppk_page.goto(manage_url)
    ppk_page.check("input[name=decision][value=approve]")
    ppk_page.click('form[action$="/persetujuan/"] button[type=submit]')
    ppk_page.wait_for_selector('form[action$="/persetujuan/"]', state="detached")
    tender.refresh_from_db()
    assert tender.approved_at is not None
    ppk_page.context.close()

    # 5. The member announces; the sealed-bid box is made with the committee's keys.
    page.goto(manage_url)
    announce = 'form[action$="/umumkan/"] button[type=submit]'
    page.click(announce)
    page.wait_for_selector(f'a[href="/lelang/{tender.public_id}/"]')
    tender.refresh_from_db()
    assert tender.announced_at is not None and services.boxes_of(tender).count() == 1

    # 6. In the announcement window a vendor joins, downloads the document, then asks during the explanation session.
    public_url = f"/lelang/{tender.public_id}/"
    pinned_time.move_to(lifecycle.window_of(tender, Stage.ANNOUNCEMENT_POST).starts_at)
    vendor_page = _browser_page(browser, live_server, errors, vendor_user)
    vendor_page.goto(public_url)
    vendor_page.click('form[action$="/ikut/"] button[type=submit]')
    download_link = '#dokumen a[href*="/dokumen/"]'
    vendor_page.wait_for_selector(download_link)
    with vendor_page.expect_download() as download:
        vendor_page.click(download_link)
    saved = tmp_path / "unduhan.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == DOCUMENT and download.value.suggested_filename == "dokumen-pemilihan.pdf"

    pinned_time.move_to(lifecycle.window_of(tender, Stage.CLARIFICATION).starts_at)
    _sign_in_as(vendor_page.context, live_server, vendor_user)  # days later: the idle session has expired
    vendor_page.goto(f"{public_url}penjelasan/")
    vendor_page.select_option("select[name=section]", "boq")
    vendor_page.fill("textarea[name=text]", "Berapa volume galian tanah yang benar pada daftar kuantitas?")
    vendor_page.click("form:has(textarea[name=text]) button[type=submit]")
    vendor_page.wait_for_selector(".qa")
    question = Question.objects.get(tender=tender)
    assert question.participant.vendor == vendor
    vendor_page.context.close()

    # 7. The member answers on the same page.
    _sign_in_as(page.context, live_server, member)
    page.goto(f"{public_url}penjelasan/")
    answer_form = f'form[action$="/{question.public_id}/jawab/"]'
    page.fill(f"{answer_form} textarea[name=answer]", "Volume galian yang benar 1.350 m3; lihat adendum.")
    page.click(f"{answer_form} button[type=submit]")
    page.wait_for_selector(answer_form, state="detached")

    # 8. Before the bid deadline but fewer than 2 working days ahead of it, the member issues the addendum: the
    # deadline moves. Then the opening moves by an hour on the schedule page, with a reason.
    old_deadline = lifecycle.window_of(tender, Stage.BID_UPLOAD).ends_at
    # The proposed upload window is the shortest lawful one (2 working days), so an hour into it is too close.
    pinned_time.move_to(lifecycle.window_of(tender, Stage.BID_UPLOAD).starts_at + timedelta(hours=1))
    assert clock.now() < old_deadline
    _sign_in_as(page.context, live_server, member)
    page.goto(manage_url)
    assert page.locator(f"{document_form} select[name=kind]").count() == 0  # after announcement: addenda only
    page.fill(f"{document_form} input[name=title]", "Adendum Dokumen Pemilihan")
    page.set_input_files(f"{document_form} input[name=file]", str(tmp_path / "adendum-1.pdf"))
    page.fill(f"{document_form} textarea[name=change_note]", CHANGE_NOTE)
    page.click(f"{document_form} button[type=submit]")
    page.wait_for_selector("#dokumen tbody tr:nth-child(2) a[href*='/dokumen/']")
    addendum = tender.documents.get(version=2)
    assert addendum.kind == "adendum" and addendum.change_note == CHANGE_NOTE
    assert lifecycle.window_of(tender, Stage.BID_UPLOAD).ends_at > old_deadline
    assert ScheduleChange.objects.filter(tender=tender, addendum=addendum, stage=Stage.BID_UPLOAD).exists()

    opening = lifecycle.window_of(tender, Stage.OPENING)
    page.click('a[href$="/jadwal/"]')
    page.wait_for_url(re.compile(r"/jadwal/$"))
    opening_start = f"input[name={Stage.OPENING.value}__start]"
    assert page.input_value(opening_start) == _local_input(opening.starts_at, tender)  # the current schedule
    page.fill(opening_start, _local_input(opening.starts_at + timedelta(hours=1), tender))
    page.fill("textarea[name=reason]", SCHEDULE_REASON)
    page.click("form.schedule-form button[type=submit]")
    page.wait_for_url(re.compile(re.escape(manage_url) + "$"))
    assert lifecycle.window_of(tender, Stage.OPENING).starts_at == opening.starts_at + timedelta(hours=1)
    assert services.boxes_of(tender).get().opening_at == opening.starts_at + timedelta(hours=1)
    page.context.close()

    # 9. An anonymous visitor sees the announcement, the schedule with its history and both document versions,
    # but not who takes part (private until the opening).
    visitor = _browser_page(browser, live_server, errors)
    visitor.goto(public_url)
    assert visitor.locator("h1").inner_text() == PACKAGE
    facts = visitor.locator("dl.facts").inner_text()
    with translation.override("id"):
        method_line = tender.method_label
    assert "Rp2.400.000.000,00" in facts and method_line in facts
    schedule = visitor.locator("#jadwal").inner_text()
    changes = ScheduleChange.objects.filter(tender=tender)
    assert SCHEDULE_REASON in schedule and all(change.reason in schedule for change in changes)
    documents = visitor.locator("#dokumen").inner_text()
    assert "Dokumen Pemilihan" in documents and "Adendum Dokumen Pemilihan" in documents and CHANGE_NOTE in documents
    assert visitor.locator("#dokumen a").count() == 0  # only participants download
    assert vendor.name not in visitor.content()
    visitor.context.close()

    assert DocumentDownload.objects.filter(document__tender=tender, document__version=1, vendor=vendor).exists()
    question.refresh_from_db()
    assert question.answered_by == member and question.answered_at is not None
    assert changes.filter(reason=SCHEDULE_REASON, stage=Stage.OPENING, changed_by=member).exists()
    assert changes.filter(addendum=addendum).exists()
    assert verify_chain().ok
    assert errors == [], f"browser console errors: {errors}"
