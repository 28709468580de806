"""The second half of a tender, as people meet it in Chromium: an e-Lelang Umum pascakualifikasi, satu file, sistem
gugur with three vendors. The three Pokja members make their keys in the browser; the vendors seal their bids (price
included) in the browser; two of the three members open the box with their key files; the chair reads the bids and
evaluates them (one fails administration, one is above the HPS), decides and announces the winner; the failed
vendor files a sanggah that the chair answers; the PPK issues the SPPBJ and records the contract; an anonymous
visitor sees all of it on the public pages (Pasal 7(3)b, 7(3)d, 7(4); Perpres 54/2010 Pasal 66, 81)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from conftest import give_totp, pdf_upload
from eproc.audit.verification import verify_chain
from eproc.bids.models import CommitteeKey, Envelope, OpenedEnvelope
from eproc.core import clock
from eproc.evaluation import selectors
from eproc.evaluation.models import AwardLetter, Bid, Contract, Objection, Result
from eproc.organizations.roles import Role
from eproc.planning import services as planning
from eproc.tenders import lifecycle, services
from eproc.tenders.lifecycle import Stage

from .helpers import browser_page as _browser_page
from .helpers import sign_in_as as _sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PACKAGE = "Rehabilitasi Jalan Sukaharja"
PLAN = {
    "fiscal_year": 2026,
    "package_name": PACKAGE,
    "description": "",
    "location": "Kecamatan Delta Pawan",
    "budget": Decimal("2500000000.00"),
    "fund_source": "apbd",
    "procurement_type": "konstruksi",
    "planned_method": "lelang_umum",
    "planned_month": 4,
    "budget_reference": "DPA-SKPD 1.03.01/2026",
}
CLASSIFICATION = {
    "owner_estimate": Decimal("2400000000.00"),  # the HPS
    "category": "konstruksi",
    "method": "lelang_umum",
    "qualification": "pascakualifikasi",
    "file_system": "satu_file",
    "evaluation_method": "gugur",
    "contract_type": "harga_satuan",
    "small_business_reserved": True,
    "qualification_requirements": "SBU Bina Marga (SI001), KD paling kurang Rp2,4 miliar",
    "opening_quorum": 2,
}
# name -> (typed price, validity days, duration days, notes); the lowest fails administration, the highest is over HPS.
BIDS = {
    "CV Arga Mandiri": ("2.200.000.000,00", "60", "120", "Aspal hotmix AC-WC, 3 unit finisher"),
    "CV Bukit Raya": ("2.150.000.000,00", "60", "110", "Aspal hotmix AC-WC"),
    "PT Citra Kapuas": ("2.500.000.000,00", "90", "100", "Aspal hotmix AC-BC"),
}
PUBLIC_PRICES = {
    "CV Arga Mandiri": "Rp2.200.000.000,00",
    "CV Bukit Raya": "Rp2.150.000.000,00",
    "PT Citra Kapuas": "Rp2.500.000.000,00",
}
ADMIN_FAILURE = "Surat penawaran tidak ditandatangani oleh direktur"
DECISION_REASONS = "Penawaran terendah yang lulus evaluasi administrasi, teknis, harga dan kualifikasi."
OBJECTION = "Surat penawaran kami bertanda tangan direktur pada halaman terakhir; mohon evaluasi ulang."
ANSWER = "Halaman 1 surat penawaran tidak bertanda tangan; sanggah tidak benar."
LETTER_NUMBER = "027/SPPBJ/PUPR/2026"
CONTRACT_NUMBER = "602.1/KTR/PUPR/2026"
PASSPHRASES = ("kata-sandi-ketua-pokja-01", "kata-sandi-anggota-pokja-2", "kata-sandi-anggota-pokja-3")
SURAT = b"%PDF-1.4\n% Surat penawaran dan rincian harga\n%%EOF\n"
SCAN = b"%PDF-1.4\n% Pindaian kontrak bertanda tangan\n%%EOF\n"
OPENING_TIMEOUT = 60_000  # the opening decrypts in worker processes


def _move_into(pinned_time, tender, stage: Stage):
    window = lifecycle.window_of(tender, stage)
    assert window is not None, stage
    pinned_time.move_to(window.starts_at + timedelta(minutes=1))
    return window


def _local_date(tender):
    return clock.now().astimezone(clock.as_zone(tender.agency.time_zone)).date()


def _make_key_in_browser(browser, live_server, errors, member, passphrase, path):
    """The member creates their committee key on the page and keeps the passphrase-protected file."""
    page = _browser_page(browser, live_server, errors, member)
    page.goto("/penawaran/kunci-panitia/")
    page.fill("#passphrase", passphrase)
    page.fill("#confirm", passphrase)
    with page.expect_download() as download:
        page.click("#committee-key button[type=submit]")
    download.value.save_as(path)
    page.wait_for_selector("#committee-key [data-status].success")
    assert path.read_bytes().startswith(b"age-encryption.org/v1\n-> scrypt ")  # locked by the passphrase
    key = CommitteeKey.objects.get(user=member, retired_at__isnull=True)
    assert page.locator("[data-recipient]").inner_text() == key.recipient  # only the public part went up
    page.context.close()


def test_an_open_tender_goes_from_sealed_bids_to_its_contract_in_the_browser(
    browser, live_server, personas, pinned_time, tmp_path
):
    errors = []
    pa = personas.make(Role.PA, personas.agency_a, personas.unit_a)
    chair, member_2, member_3 = (personas.make(Role.POKJA, personas.agency_a) for _ in range(3))
    ppk = personas.make(Role.PPK, personas.agency_a, personas.unit_a)
    for person in (chair, member_2, member_3, ppk):
        give_totp(person)
    committee = (chair, member_2, member_3)
    vendors = {name: personas.vendor(name) for name in BIDS}
    arga, bukit, citra = (vendors[name][0] for name in BIDS)
    bukit_user = vendors["CV Bukit Raya"][1]

    # 1. Each of the three Pokja members creates a committee key in the browser and keeps the locked file.
    key_files = {}
    for member, passphrase in zip(committee, PASSPHRASES, strict=True):
        key_files[member.pk] = tmp_path / f"kunci-{member.pk}.age"
        _make_key_in_browser(browser, live_server, errors, member, passphrase, key_files[member.pk])

    # 2. The first half through the services: package, schedule, document, PPK approval, announcement (the box is
    # sealed to the three browser-made keys, 2 of 3 to open); the three vendors join.
    item = planning.create_item(actor=pa, work_unit=personas.unit_a, **PLAN)
    planning.announce(actor=pa, item=item)
    item.refresh_from_db()
    tender = services.create_tender(
        actor=chair, plan_item=item, ppk=ppk, committee=[member_2, member_3], **CLASSIFICATION
    )
    services.set_schedule(actor=chair, tender=tender, slots=services.propose_schedule(tender))
    services.add_document(
        actor=chair,
        tender=tender,
        kind="dokumen_pengadaan",
        title="Dokumen Pemilihan",
        upload=pdf_upload("dokumen-pemilihan.pdf"),
    )
    services.request_approval(actor=chair, tender=tender)
    services.decide_approval(actor=ppk, tender=tender, approve=True)
    tender = services.announce(actor=chair, tender=tender)
    box = services.boxes_of(tender).get()
    assert box.envelope == "single" and box.threshold == 2
    assert set(box.shares.values_list("member", flat=True)) == {member.pk for member in committee}
    _move_into(pinned_time, tender, Stage.ANNOUNCEMENT_POST)
    participants = {name: services.join(actor=user, tender=tender) for name, (_vendor, user) in vendors.items()}

    # 3. In the upload window each vendor fills the bid form, picks its document, and the browser seals and sends.
    _move_into(pinned_time, tender, Stage.BID_UPLOAD)
    public_url = f"/lelang/{tender.public_id}/"
    surat = tmp_path / "surat-penawaran.pdf"
    surat.write_bytes(SURAT)
    form = "#bid-submit-single"
    for name, (price, validity, duration, notes) in BIDS.items():
        page = _browser_page(browser, live_server, errors, vendors[name][1])
        page.goto(public_url)
        page.click(f'a[href="{public_url}penawaran/"]')
        page.wait_for_url(re.compile(r"/penawaran/$"))
        page.fill(f"{form} input[name=price]", price)
        page.fill(f"{form} input[name=validity_days]", validity)
        page.fill(f"{form} input[name=duration_days]", duration)
        page.fill(f"{form} textarea[name=notes]", notes)
        page.set_input_files(f"{form} input[name=bid]", str(surat))
        page.click(f"{form} button[type=submit]")
        page.wait_for_selector(f"{form} [data-result]:not([hidden])", timeout=OPENING_TIMEOUT)
        envelope = Envelope.objects.get(box=box, bidder=vendors[name][1], superseded_at__isnull=True)
        assert envelope.is_complete
        assert page.locator(f"{form} [data-sha256]").inner_text() == envelope.ciphertext_sha256
        assert page.get_attribute(f"{form} [data-receipt-link]", "href").endswith(f"/{envelope.public_id}/receipt")
        page.context.close()
    # Before the opening nothing about a bid is readable: no Bid row, no price anywhere public.
    assert not Bid.objects.exists()
    visitor = _browser_page(browser, live_server, errors)
    visitor.goto(public_url)
    assert visitor.locator("#penawaran").count() == 0 and "2.150.000.000" not in visitor.content()
    visitor.context.close()

    # 4. At the opening two of the three members load their key files on the box page, linked from the evaluation
    # page; the second share opens the box.
    _move_into(pinned_time, tender, Stage.OPENING)
    evaluation_url = f"/lelang/kelola/{tender.public_id}/evaluasi/"
    for member, passphrase in ((member_2, PASSPHRASES[1]), (chair, PASSPHRASES[0])):
        page = _browser_page(browser, live_server, errors, member)
        page.goto(evaluation_url)
        page.click(f'a[href="/penawaran/kotak/{box.public_id}/"]')
        page.wait_for_url(re.compile(rf"/penawaran/kotak/{box.public_id}/$"))
        page.set_input_files("#keyfile", str(key_files[member.pk]))
        page.fill("#open-passphrase", passphrase)
        page.click("#bid-open button[type=submit]")
        page.wait_for_selector("#bid-open [data-status].success", timeout=OPENING_TIMEOUT)
        if member == chair:  # the quorum is reached: the page reloads on the opened box
            page.wait_for_selector("#bid-open", state="detached", timeout=OPENING_TIMEOUT)
            assert page.locator('a[href$="/berita-acara.pdf"]').count() >= 1
        page.context.close()
    box.refresh_from_db()
    assert box.opened_at is not None
    assert set(box.shares.filter(submitted_at__isnull=False).values_list("member", flat=True)) == {
        chair.pk,
        member_2.pk,
    }
    assert set(OpenedEnvelope.objects.filter(envelope__box=box).values_list("outcome", flat=True)) == {"opened"}

    # 5. In the evaluation stage the chair reads the opened bids and evaluates each one (sistem gugur).
    _move_into(pinned_time, tender, Stage.BID_EVALUATION)
    page = _browser_page(browser, live_server, errors, chair)
    page.goto(evaluation_url)
    page.click('form[action$="/evaluasi/baca/"] button[type=submit]')
    page.wait_for_selector("form.evaluation-form")
    bids = {bid.participant.vendor.name: bid for bid in Bid.objects.filter(tender=tender)}
    assert set(bids) == set(BIDS)
    for name, (price, validity, duration, notes) in BIDS.items():
        bid = bids[name]
        assert bid.status == Bid.Status.READ and bid.price == Decimal(price.replace(".", "").replace(",", "."))
        declared = bid.declared["single"]
        assert declared["validity_days"] == validity and declared["duration_days"] == duration
        assert declared["notes"] == notes and declared["tender"] == tender.public_id
        assert {file["name"] for file in bid.files} == {"penawaran.json", "surat-penawaran.pdf"}
    verdicts = {
        "CV Arga Mandiri": {},
        "CV Bukit Raya": {"administrative": ("fail", ADMIN_FAILURE)},
        "PT Citra Kapuas": {},
    }
    for name, failures in verdicts.items():
        bid = bids[name]
        evaluation_form = f'form[action$="/evaluasi/{bid.public_id}/"]'
        for step in ("administrative", "technical", "qualification", "proof"):
            verdict, reason = failures.get(step, ("pass", ""))
            page.select_option(f"{evaluation_form} select[name=bid{bid.pk}-{step}]", verdict)
            page.fill(f"{evaluation_form} input[name=bid{bid.pk}-{step}_reason]", reason)
        with page.expect_navigation():
            page.click(f"{evaluation_form} button[type=submit]")
        assert (
            page.input_value(f"{evaluation_form} select[name=bid{bid.pk}-administrative]")
            == failures.get("administrative", ("pass",))[0]
        )
    assert page.locator(f"#bid-{bids['PT Citra Kapuas'].public_id} .badge.danger").count() == 1  # above HPS
    assert page.locator(f"#bid-{bids['CV Arga Mandiri'].public_id} .badge.current").count() == 1  # eligible
    ranking = {row.participant.vendor.name: row for row in selectors.ranking(tender)}
    assert [name for name, row in ranking.items() if row.eligible] == ["CV Arga Mandiri"]
    assert ranking["PT Citra Kapuas"].above_hps

    # 6. In the winner-decision window the chair confirms the proposed winner with reasons.
    _move_into(pinned_time, tender, Stage.WINNER_DECISION)
    _sign_in_as(page.context, live_server, chair)
    page.goto(evaluation_url)
    decision_form = 'form[action$="/penetapan/"]'
    assert page.input_value(f"{decision_form} select[name=winner]") == str(participants["CV Arga Mandiri"].pk)
    page.fill(f"{decision_form} textarea[name=reasons]", DECISION_REASONS)
    page.click(f"{decision_form} button[type=submit]")
    announce_form = 'form[action$="/pengumuman-pemenang/"]'
    page.wait_for_selector(f'a[href$="/lelang/{tender.public_id}/bahp.pdf"]')
    assert page.locator(decision_form).count() == 0

    # 7. In the announcement window the chair announces the winner.
    _move_into(pinned_time, tender, Stage.WINNER_ANNOUNCEMENT)
    _sign_in_as(page.context, live_server, chair)
    page.goto(evaluation_url)
    page.click(f"{announce_form} button[type=submit]")
    page.wait_for_selector(announce_form, state="detached")
    result = Result.objects.get(tender=tender, voided_at__isnull=True)
    assert result.announced_at is not None

    # 8. In the objection period the vendor that failed administration files a sanggah; the chair answers it.
    _move_into(pinned_time, tender, Stage.OBJECTIONS)
    objections_url = f"{public_url}sanggah/"
    vendor_page = _browser_page(browser, live_server, errors, bukit_user)
    vendor_page.goto(public_url)
    vendor_page.click(f'a[href="{objections_url}"]')
    vendor_page.wait_for_url(re.compile(r"/sanggah/$"))
    vendor_page.fill("#file-objection textarea[name=text]", OBJECTION)
    vendor_page.click("#file-objection button[type=submit]")
    vendor_page.wait_for_selector("section[id^=objection-]")
    objection = Objection.objects.get(tender=tender)
    assert objection.participant.vendor == bukit
    vendor_page.context.close()

    _sign_in_as(page.context, live_server, chair)
    page.goto(objections_url)
    answer_form = f'form[action$="/sanggah/{objection.public_id}/jawab/"]'
    page.fill(f"{answer_form} textarea[name=answer]", ANSWER)
    page.check(f"{answer_form} input[name=justified][value=no]")
    page.click(f"{answer_form} button[type=submit]")
    page.wait_for_selector(answer_form, state="detached")
    page.context.close()
    objection.refresh_from_db()
    assert objection.answered_by == chair and objection.justified is False

    # 9. After the objection period the PPK issues the SPPBJ, then records the signed contract.
    _move_into(pinned_time, tender, Stage.AWARD_LETTER)
    assert clock.now() >= lifecycle.window_of(tender, Stage.OBJECTIONS).ends_at
    award_url = f"/lelang/kelola/{tender.public_id}/kontrak/"
    ppk_page = _browser_page(browser, live_server, errors, ppk)
    ppk_page.goto(award_url)
    letter_form = "form:has(input[name=form][value=letter])"
    ppk_page.fill(f"{letter_form} input[name=number]", LETTER_NUMBER)
    ppk_page.click(f"{letter_form} button[type=submit]")
    ppk_page.wait_for_selector(f'a[href$="/lelang/{tender.public_id}/sppbj.pdf"]')

    _move_into(pinned_time, tender, Stage.CONTRACT)
    _sign_in_as(ppk_page.context, live_server, ppk)
    ppk_page.goto(award_url)
    signed_on = _local_date(tender)
    ends_on = signed_on + timedelta(days=120)
    scan = tmp_path / "kontrak.pdf"
    scan.write_bytes(SCAN)
    contract_form = "form:has(input[name=form][value=contract])"
    ppk_page.fill(f"{contract_form} input[name=number]", CONTRACT_NUMBER)
    ppk_page.fill(f"{contract_form} input[name=signed_on]", signed_on.isoformat())
    ppk_page.fill(f"{contract_form} input[name=value]", "2.200.000.000,00")
    ppk_page.fill(f"{contract_form} input[name=starts_on]", signed_on.isoformat())
    ppk_page.fill(f"{contract_form} input[name=ends_on]", ends_on.isoformat())
    ppk_page.set_input_files(f"{contract_form} input[name=scan]", str(scan))
    ppk_page.click(f"{contract_form} button[type=submit]")
    ppk_page.wait_for_selector(f'a[href$="/lelang/kelola/{tender.public_id}/kontrak/pindaian/"]')
    ppk_page.context.close()

    # 10. An anonymous visitor sees the bids with their prices, the result with its reasons, the SPPBJ and the
    # contract; the objection with its answer; and downloads the BAHP.
    visitor = _browser_page(browser, live_server, errors)
    visitor.goto(public_url)
    opened = visitor.locator("#penawaran").inner_text()
    for name, price in PUBLIC_PRICES.items():
        assert name in opened and price in opened
    assert visitor.locator(f'#penawaran a[href="/penawaran/kotak/{box.public_id}/berita-acara.pdf"]').count() == 1
    outcome = visitor.locator("#hasil").inner_text()
    assert all(name in outcome for name in BIDS)
    rows = {name: visitor.locator("#hasil tbody tr", has_text=name) for name in BIDS}
    assert rows["CV Arga Mandiri"].locator("strong").count() == 1  # the winner mark
    assert ADMIN_FAILURE in rows["CV Bukit Raya"].inner_text() and "HPS" in rows["PT Citra Kapuas"].inner_text()
    assert rows["CV Bukit Raya"].locator("strong").count() == rows["PT Citra Kapuas"].locator("strong").count() == 0
    assert LETTER_NUMBER in outcome and CONTRACT_NUMBER in outcome and "Rp2.200.000.000,00" in outcome
    participants_table = visitor.locator("section.card").last.inner_text()  # the list of participants
    assert all(v.name in participants_table and v.npwp in participants_table for v in (arga, bukit, citra))
    with visitor.expect_download() as download:
        visitor.click(f'#hasil a[href$="/lelang/{tender.public_id}/bahp.pdf"]')
    minutes = tmp_path / "bahp.pdf"
    download.value.save_as(minutes)
    assert minutes.read_bytes().startswith(b"%PDF-")
    sppbj = visitor.request.get(f"{public_url}sppbj.pdf")
    assert sppbj.ok and sppbj.body().startswith(b"%PDF-")
    assert visitor.locator('a[href$="/kontrak/pindaian/"]').count() == 0  # the signed scan stays with insiders
    visitor.click(f'a[href="{objections_url}"]')
    visitor.wait_for_url(re.compile(r"/sanggah/$"))
    filed = visitor.locator(f"#objection-{objection.public_id}").inner_text()
    assert "CV Bukit Raya" in filed and OBJECTION in filed and ANSWER in filed
    assert visitor.locator("#file-objection").count() == 0 and visitor.locator("form[action$='/jawab/']").count() == 0
    visitor.context.close()

    # The records behind the pages.
    result.refresh_from_db()
    assert result.winner == participants["CV Arga Mandiri"] and result.winning_price == Decimal("2200000000.00")
    assert result.reasons == DECISION_REASONS and result.decided_by == chair
    snapshot = {row["name"]: row for row in result.ranking}
    assert snapshot["CV Arga Mandiri"]["eligible"]
    assert not snapshot["CV Bukit Raya"]["eligible"] and ADMIN_FAILURE in snapshot["CV Bukit Raya"]["reasons"]
    assert snapshot["CV Bukit Raya"]["evaluation"]["administrative"] is False
    assert not snapshot["PT Citra Kapuas"]["eligible"] and snapshot["PT Citra Kapuas"]["above_hps"]
    letter = AwardLetter.objects.get(tender=tender)
    assert letter.number == LETTER_NUMBER and letter.value == result.winning_price and letter.issued_by == ppk
    contract = Contract.objects.get(tender=tender)
    assert (contract.number, contract.signed_on, contract.starts_on, contract.ends_on) == (
        CONTRACT_NUMBER,
        signed_on,
        signed_on,
        ends_on,
    )
    assert contract.value == Decimal("2200000000.00") and contract.savings == Decimal("200000000.00")
    assert contract.recorded_by == ppk and len(contract.scan_sha256) == 64
    tender.refresh_from_db()
    assert lifecycle.situation(tender, clock.now()).state == "contracted"
    assert verify_chain().ok
    assert errors == [], f"browser console errors: {errors}"
