"""Whole tenders, one story per method (issue 6): bids sealed and opened by the committee's quorum, evaluated,
decided, objected to, awarded and contracted, each step inside its stage window by server time."""

import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import give_totp, pdf_upload
from eproc.audit.verification import verify_chain
from eproc.core import clock
from eproc.evaluation import integrity, selectors, services
from eproc.evaluation.models import Bid
from eproc.organizations.roles import Role
from eproc.tenders import lifecycle
from eproc.tenders import services as tenders
from eproc.tenders.lifecycle import Stage

from .conftest import bid_archive, move_into, open_with, rupiah, submit

pytestmark = pytest.mark.django_db


def _boxes(tender):
    return services.boxes(tender)


def _join_all(pinned_time, tender, vendors):
    move_into(
        pinned_time,
        tender,
        lifecycle.stages_for(method=tender.method, qualification=tender.qualification, file_system=tender.file_system)[
            0
        ],
    )
    return [tenders.join(actor=user, tender=tender) for _vendor, user in vendors]


def _evaluate(world, tender, bid, *, passed=True, reason="", **extra):
    return services.record_evaluation(
        actor=world.chair,
        bid=bid,
        administrative_passed=passed,
        administrative_reason=reason,
        technical_passed=True,
        qualification_passed=True,
        proof_passed=True,
        **extra,
    )


def test_an_open_tender_one_file_knockout_goes_from_bids_to_contract(world, three_vendors, pinned_time, client):
    tender = world.announced()
    _join_all(pinned_time, tender, three_vendors)
    (arga, arga_user), (bukit, bukit_user), (citra, citra_user) = three_vendors

    move_into(pinned_time, tender, Stage.BID_UPLOAD)
    box = _boxes(tender)["single"]
    for user, price in ((arga_user, "2.200.000.000"), (bukit_user, "2.150.000.000"), (citra_user, "2.500.000.000")):
        submit(box, user, bid_archive(tender=tender, envelope="single", price=rupiah(price), duration_days="120"))
    # Before the opening nothing about a bid is readable: no Bid row, no price anywhere public.
    assert not Bid.objects.exists()

    move_into(pinned_time, tender, Stage.OPENING)
    open_with(box, [world.chair, world.member], world.identities)
    move_into(pinned_time, tender, Stage.BID_EVALUATION)
    read = {bid.participant.vendor: bid for bid in services.read_bids(actor=world.chair, tender=tender)}
    assert read[arga].price == rupiah("2.200.000.000") and read[citra].price == rupiah("2.500.000.000")

    _evaluate(world, tender, read[arga])
    _evaluate(world, tender, read[bukit], passed=False, reason="Surat penawaran tidak ditandatangani")
    _evaluate(world, tender, read[citra])
    ranking = selectors.ranking(tender)
    assert [row.participant.vendor for row in ranking if row.eligible] == [arga]
    assert next(row for row in ranking if row.participant.vendor == citra).above_hps

    move_into(pinned_time, tender, Stage.WINNER_DECISION)
    with pytest.raises(ValidationError, match="did not pass"):
        services.decide_winner(actor=world.chair, tender=tender, winner=read[citra].participant, reasons="x")
    result = services.decide_winner(
        actor=world.chair, tender=tender, winner=read[arga].participant, reasons="Penawaran terendah yang lulus"
    )
    assert result.minutes.read(5) == b"%PDF-"

    move_into(pinned_time, tender, Stage.WINNER_ANNOUNCEMENT)
    services.announce_winner(actor=world.chair, tender=tender)

    move_into(pinned_time, tender, Stage.OBJECTIONS)
    objection = services.file_objection(actor=bukit_user, tender=tender, text="Surat penawaran kami bertanda tangan.")
    services.answer_objection(
        actor=world.chair, objection=objection, answer="Tanda tangan tidak ada pada halaman 1.", justified=False
    )
    with pytest.raises(ValidationError):
        services.issue_award_letter(actor=world.ppk, tender=tender, number="027/SPPBJ/2026")

    move_into(pinned_time, tender, Stage.AWARD_LETTER)
    letter = services.issue_award_letter(actor=world.ppk, tender=tender, number="027/SPPBJ/PUPR/2026")
    assert letter.value == rupiah("2.200.000.000")
    move_into(pinned_time, tender, Stage.CONTRACT)
    contract = services.record_contract(
        actor=world.ppk,
        tender=tender,
        number="602.1/KTR/PUPR/2026",
        signed_on=clock.now().date(),
        value=rupiah("2.200.000.000"),
        starts_on=clock.now().date(),
        ends_on=clock.now().date() + timedelta(days=120),
        scan=pdf_upload("kontrak.pdf"),
    )
    assert contract.savings == rupiah("200.000.000")
    tender.refresh_from_db()
    assert lifecycle.situation(tender, clock.now()).state == "contracted"

    public = client.get(reverse("tenders:detail", args=[tender.public_id])).content.decode()
    for text in ("CV Arga Mandiri", "CV Bukit Raya", "PT Citra Kapuas", "Rp2.200.000.000,00", "602.1/KTR/PUPR/2026"):
        assert text in public
    assert (
        "Surat penawaran kami bertanda tangan."
        in client.get(reverse("evaluation:objections", args=[tender.public_id])).content.decode()
    )
    assert verify_chain().ok
    assert integrity.check_tender(tender) == []
    _the_auditor_takes_the_complete_file(world, tender, client, vendor_user=arga_user)


def _the_auditor_takes_the_complete_file(world, tender, client, *, vendor_user):
    """Pasal 8(3)-(4): the Inspektorat exports the tender's file; every entry matches its manifest hash."""
    auditor = world.personas.make(Role.AUDITOR, world.personas.agency_a)
    give_totp(auditor)
    client.force_login(vendor_user)
    assert client.get(reverse("tenders:export", args=[tender.public_id])).status_code == 404
    client.force_login(auditor)
    response = client.get(reverse("tenders:export", args=[tender.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        manifest = json.loads(archive.read("manifest.json"))["sha256"]
        for name, digest in manifest.items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
        names = set(archive.namelist())
        events = [json.loads(line) for line in archive.read("audit.jsonl").decode().splitlines()]
    assert {"lelang.json", "sppbj.pdf", "kontrak.pdf", "berita-acara/pembukaan-single.pdf"} <= names
    assert any(name.startswith("berita-acara/hasil-pelelangan-") for name in names)
    assert {"tenders.announced", "evaluation.winner_decided", "evaluation.contract_recorded"} <= {
        event["action"] for event in events
    }


def test_lpse_staff_change_no_package_evaluation_or_winner(world, three_vendors, pinned_time):
    """Pasal 8(5): the LPSE does not make packages, set schedules, evaluate or decide winners."""
    tender = world.announced()
    staff = [world.personas.lpse_admin] + [
        world.personas.make(role) for role in (Role.KEPALA_LPSE, Role.SEKRETARIS_LPSE, Role.HELPDESK, Role.VERIFIKATOR)
    ]
    for person in staff:
        for call in (
            lambda p: tenders.update_tender(actor=p, tender=tender, title="Diubah"),
            lambda p: tenders.set_schedule(actor=p, tender=tender, slots={}, reason="x"),
            lambda p: tenders.add_document(actor=p, tender=tender, kind="adendum", title="x", upload=pdf_upload()),
            lambda p: services.read_bids(actor=p, tender=tender),
            lambda p: services.declare_failed(actor=p, tender=tender, reason="none_passed"),
            lambda p: services.cancel_tender(actor=p, tender=tender, reason="x"),
            lambda p: services.conclude_technical(actor=p, tender=tender),
            lambda p: services.decide_winner(actor=p, tender=tender, winner=None, reasons="x"),
            lambda p: services.announce_winner(actor=p, tender=tender),
            lambda p: services.invite(actor=p, tender=tender, vendor=None),
            lambda p: services.issue_award_letter(actor=p, tender=tender, number="x"),
            lambda p: services.record_contract(
                actor=p, tender=tender, number="x", signed_on=None, value=None, starts_on=None, ends_on=None, scan=None
            ),
        ):
            with pytest.raises(PermissionDenied):
                call(person)
