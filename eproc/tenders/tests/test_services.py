"""The services of the tenders app: making a package from the plan, the PPK's approval, the announcement with its
sealed boxes, joining, downloads, the explanation session, and who may do each (Pasal 7(1), 7(3), 7(4), 8(3))."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import pdf_upload
from eproc.accounts.models import User
from eproc.audit.models import AuditEvent
from eproc.bids.models import SealedBox
from eproc.core import clock
from eproc.organizations import services as organizations
from eproc.organizations.models import Appointment
from eproc.organizations.roles import Role
from eproc.planning import services as planning
from eproc.publication.models import OutboxEntry
from eproc.tenders import lifecycle, policies, selectors, services
from eproc.tenders.lifecycle import Stage
from eproc.tenders.models import DocumentDownload, ScheduleChange, TenderDocument
from eproc.tenders.rules import CURRENT, RULESETS
from eproc.vendors import services as vendor_services

from .conftest import CLASSIFICATION, PLAN

pytestmark = pytest.mark.django_db

MICROSECOND = timedelta(microseconds=1)
TWO_FILES = {
    "method": "lelang_umum",
    "file_system": "dua_file",
    "evaluation_method": "nilai",
    "technical_weight": 70,
    "price_weight": 30,
}


def audited(action, tender) -> list:
    return list(AuditEvent.objects.filter(action=action, object_id=tender.public_id))


def approve(world, tender):
    services.request_approval(actor=world.chair, tender=tender)
    return services.decide_approval(actor=world.ppk, tender=tender, approve=True)


def open_for_joining(world, pinned_time, **overrides):
    """An announced tender, with the clock at the start of its announcement stage, when joining opens."""
    tender = world.announced(**overrides)
    pinned_time.move_to(lifecycle.windows(tender)[0].starts_at)
    return tender


def create(world, actor=None, **overrides):
    return services.create_tender(
        actor=actor or world.chair,
        plan_item=overrides.pop("plan_item", world.plan_item),
        ppk=overrides.pop("ppk", world.ppk),
        committee=overrides.pop("committee", [world.member]),
        **{**CLASSIFICATION, **overrides},
    )


# --- A package from the plan (Pasal 7(1)a, 7(3)b-c) ------------------------------------------------------------


def test_a_tender_is_made_from_an_announced_plan_item_with_the_current_ruleset(world):
    tender = world.tender()
    assert (tender.plan_item, tender.agency, tender.work_unit) == (
        world.plan_item,
        world.personas.agency_a,
        world.personas.unit_a,
    )
    assert (tender.title, tender.budget, tender.fiscal_year) == (PLAN["package_name"], PLAN["budget"], 2026)
    assert (tender.ruleset_version, tender.sandbox) == (CURRENT, False)
    assert set(tender.committee.all()) == {world.chair, world.member} and tender.created_by == world.chair
    assert lifecycle.situation(tender, clock.now()).state == "draft"
    [event] = audited("tenders.created", tender)
    assert event.data["ruleset"] == CURRENT and event.data["plan_item"] == world.plan_item.public_id


def test_a_tender_cannot_be_made_from_a_plan_item_that_is_not_announced_or_withdrawn(world):
    # Pasal 7(1)a: the plan is announced before its packages are procured.
    draft = planning.create_item(actor=world.pa, work_unit=world.personas.unit_a, **PLAN)
    with pytest.raises(ValidationError, match=r"announced plan item \(Pasal 7\(1\)a\)"):
        create(world, plan_item=draft)
    planning.withdraw(actor=world.pa, item=world.plan_item, reason="Anggaran dialihkan")
    world.plan_item.refresh_from_db()
    with pytest.raises(ValidationError, match=r"Pasal 7\(1\)a"):
        world.tender()


def test_the_category_must_match_the_procurement_type_of_the_plan_item(world):
    with pytest.raises(ValidationError) as refused:
        world.tender(category="barang", contract_type="harga_satuan")
    [message] = refused.value.message_dict["category"]
    assert list(refused.value.message_dict) == ["category"] and message.endswith("the category must match it.")


def test_only_a_pokja_or_pejabat_pengadaan_of_the_agency_makes_a_tender(world):
    personas = world.personas
    outsiders = [
        personas.make(Role.POKJA, personas.agency_b),
        personas.make(Role.PEJABAT_PENGADAAN, personas.agency_b),
        world.ppk,
        world.pa,
        personas.vendor("CV Penyedia")[1],
    ]
    for outsider in outsiders:
        with pytest.raises(PermissionDenied):
            create(world, actor=outsider, committee=[])


def test_a_pejabat_pengadaan_makes_pengadaan_langsung_but_not_a_lelang(world):
    # Perbup Ketapang 8/2011 Pasal 1(12): a Pejabat Pengadaan runs Pengadaan Langsung; tenders need a Pokja.
    official = world.personas.make(Role.PEJABAT_PENGADAAN, world.personas.agency_a)
    direct = {
        "method": "pengadaan_langsung",
        "qualification": "prakualifikasi",  # Pasal 56(4)d: works by Pengadaan Langsung
        "owner_estimate": RULESETS[CURRENT].method("pengadaan_langsung").ceilings["konstruksi"].value,
        "opening_quorum": 1,
    }
    tender = create(world, actor=official, committee=[], **direct)
    assert tender.is_pengadaan_langsung and list(tender.committee.all()) == [official]
    with pytest.raises(ValidationError) as refused:
        create(world, actor=official, committee=[], opening_quorum=1)
    assert "a Pejabat Pengadaan runs Pengadaan Langsung only" in refused.value.message_dict["method"][0]


def test_the_ppk_must_be_a_ppk_of_the_work_unit_and_the_committee_of_the_agency(world):
    personas = world.personas
    with pytest.raises(ValidationError) as refused:
        create(world, ppk=personas.make(Role.PPK, personas.agency_b, personas.unit_b))
    assert list(refused.value.message_dict) == ["ppk"]
    with pytest.raises(ValidationError) as refused:
        create(world, ppk=world.pa)
    assert list(refused.value.message_dict) == ["ppk"]
    with pytest.raises(ValidationError) as refused:
        create(world, committee=[personas.make(Role.POKJA, personas.agency_b)])
    assert list(refused.value.message_dict) == ["committee"]


def test_a_classification_breaking_the_ruleset_is_refused_by_the_service(world):
    with pytest.raises(ValidationError) as refused:
        world.tender(owner_estimate=PLAN["budget"] + 1, small_business_reserved=False)
    assert "above the budget of the plan item" in refused.value.message_dict["owner_estimate"][0]
    with pytest.raises(ValidationError) as refused:
        world.tender(opening_quorum=3)  # two committee members
    assert list(refused.value.message_dict) == ["opening_quorum"]


# --- The PPK's approval (Pasal 7(3)b) ----------------------------------------------------------------------------


def test_only_the_ppk_of_the_tender_decides_its_approval(world):
    tender = world.tender()
    with pytest.raises(ValidationError, match="Nothing awaits your approval"):
        services.decide_approval(actor=world.ppk, tender=tender, approve=True)
    services.request_approval(actor=world.chair, tender=tender)
    other_ppk = world.personas.make(Role.PPK, world.personas.agency_a, world.personas.unit_a)
    for outsider in (other_ppk, world.chair, world.pa):
        with pytest.raises(PermissionDenied):
            services.decide_approval(actor=outsider, tender=tender, approve=True)
    approved = services.decide_approval(actor=world.ppk, tender=tender, approve=True, note="Sesuai")
    assert approved.approved_at == clock.now() and approved.approval_note == "Sesuai"
    assert lifecycle.situation(approved, clock.now()).state == "approved"
    assert audited("tenders.approval_requested", tender) and audited("tenders.approved", tender)
    with pytest.raises(ValidationError, match="already approved"):
        services.request_approval(actor=world.chair, tender=tender)


def test_a_refusal_needs_a_note_and_sends_the_classification_back(world):
    tender = world.tender()
    services.request_approval(actor=world.chair, tender=tender)
    for blank in ("", "  "):
        with pytest.raises(ValidationError) as refused:
            services.decide_approval(actor=world.ppk, tender=tender, approve=False, note=blank)
        assert list(refused.value.message_dict) == ["note"]
    refused = services.decide_approval(actor=world.ppk, tender=tender, approve=False, note=" HPS terlalu tinggi ")
    assert (refused.approved_at, refused.approval_requested_at, refused.approval_note) == (
        None,
        None,
        "HPS terlalu tinggi",
    )
    assert audited("tenders.approval_refused", tender)[0].data["note"] == "HPS terlalu tinggi"
    assert lifecycle.situation(refused, clock.now()).state == "draft"


def test_a_change_after_approval_takes_the_approval_back(world):
    tender = world.scheduled()
    approve(world, tender)
    unchanged = services.update_tender(
        actor=world.chair, tender=tender, owner_estimate=CLASSIFICATION["owner_estimate"]
    )
    assert unchanged.approved_at is not None  # nothing changed, nothing to approve again
    changed = services.update_tender(actor=world.chair, tender=tender, owner_estimate=Decimal("2300000000.00"))
    assert (changed.approved_at, changed.approval_requested_at) == (None, None)
    [event] = audited("tenders.updated", tender)
    assert event.data["changes"]["owner_estimate"]["to"] == "2300000000.00"
    with pytest.raises(ValidationError, match=r"has not approved the classification yet \(Pasal 7\(3\)b\)"):
        services.announce(actor=world.chair, tender=changed)


def test_the_committee_cannot_drop_its_own_maker_and_an_announced_tender_keeps_its_classification(world):
    tender = world.tender()
    with pytest.raises(ValidationError) as refused:
        services.update_tender(actor=world.chair, tender=tender, committee=[world.member])
    assert list(refused.value.message_dict) == ["committee"]
    announced = world.announced()
    with pytest.raises(ValidationError, match="keeps its classification"):
        services.update_tender(actor=world.chair, tender=announced, owner_estimate=Decimal("2300000000.00"))


def test_a_tender_whose_stage_list_changed_can_be_rescheduled_and_announced(world):
    """Changing the file system changes the stage list; the new schedule replaces the old one. The rows of the
    stages the tender no longer has must go, or announce refuses them for ever."""
    tender = world.scheduled()
    tender = services.update_tender(
        actor=world.chair, tender=tender, **{k: v for k, v in TWO_FILES.items() if k != "method"}
    )
    services.set_schedule(actor=world.chair, tender=tender, slots=services.propose_schedule(tender))
    approve(world, tender)
    services.announce(actor=world.chair, tender=tender)
    assert {row.stage for row in tender.stages.all()} == set(services.stages_of(tender))


# --- Announcement (Pasal 7(3)a) -------------------------------------------------------------------------------


def test_announce_refuses_a_tender_the_ppk_has_not_approved(world):
    tender = world.scheduled()
    with pytest.raises(ValidationError) as refused:
        services.announce(actor=world.chair, tender=tender)
    assert refused.value.messages == ["The PPK has not approved the classification yet (Pasal 7(3)b)."]
    services.request_approval(actor=world.chair, tender=tender)
    with pytest.raises(ValidationError, match="has not approved"):
        services.announce(actor=world.chair, tender=tender)


def test_announce_refuses_a_tender_without_procurement_documents(world):
    tender = world.tender()
    services.set_schedule(actor=world.chair, tender=tender, slots=services.propose_schedule(tender))
    services.add_document(
        actor=world.chair, tender=tender, kind="pendukung", title="Gambar", upload=pdf_upload("gambar.pdf")
    )
    approve(world, tender)
    with pytest.raises(ValidationError) as refused:
        services.announce(actor=world.chair, tender=tender)
    assert refused.value.messages == ["Upload the procurement documents before announcing."]
    assert not SealedBox.objects.exists() and not OutboxEntry.objects.filter(kind__startswith="tender.").exists()


def test_announce_refuses_a_tender_without_a_schedule_or_with_stages_in_the_past(world, pinned_time):
    tender = world.tender()
    approve(world, tender)
    with pytest.raises(ValidationError, match="Every stage needs a start and an end"):
        services.announce(actor=world.chair, tender=tender)
    services.set_schedule(actor=world.chair, tender=tender, slots=services.propose_schedule(tender))
    services.add_document(
        actor=world.chair, tender=tender, kind="dokumen_pengadaan", title="Dokumen", upload=pdf_upload("dok.pdf")
    )
    first_stage_start = lifecycle.window_of(tender, Stage.ANNOUNCEMENT_POST).starts_at
    pinned_time.move_to(first_stage_start + timedelta(minutes=1))
    with pytest.raises(ValidationError) as refused:
        services.announce(actor=world.chair, tender=tender)
    assert refused.value.messages == ["The schedule has stages in the past; move them before announcing."]
    tender.refresh_from_db()
    assert tender.announced_at is None and not SealedBox.objects.exists()


def test_announcing_a_one_file_tender_makes_one_sealed_box_publishes_and_audits_it(world):
    tender = world.announced()
    assert (tender.announced_at, tender.announced_by) == (clock.now(), world.chair)
    [box] = SealedBox.objects.filter(reference=tender.public_id)
    upload = lifecycle.window_of(tender, Stage.BID_UPLOAD)
    assert (box.envelope, box.threshold, box.agency) == ("single", 2, tender.agency)
    assert (box.upload_opens_at, box.deadline, box.opening_at) == (
        upload.starts_at,
        upload.ends_at,
        lifecycle.window_of(tender, Stage.OPENING).starts_at,
    )
    assert box.grace_period == RULESETS[CURRENT].bytes_grace.value
    assert {share.member for share in box.shares.all()} == {world.chair, world.member}
    [published] = OutboxEntry.objects.filter(kind="tender.announced", subject=tender.public_id)
    assert published.payload["ruleset"] == CURRENT
    assert [row["stage"] for row in published.payload["schedule"]] == list(services.stages_of(tender))
    assert audited("tenders.announced", tender)[0].actor == world.chair
    assert AuditEvent.objects.filter(action="bids.box.created", object_id=box.public_id).exists()
    with pytest.raises(ValidationError, match="already announced"):
        services.announce(actor=world.chair, tender=tender)


def test_announcing_a_two_file_tender_makes_a_technical_and_a_price_box(world):
    tender = world.announced(**TWO_FILES)
    boxes = {box.envelope: box for box in SealedBox.objects.filter(reference=tender.public_id)}
    assert set(boxes) == {"technical", "price"}
    assert boxes["technical"].opening_at == lifecycle.window_of(tender, Stage.OPENING_TECHNICAL).starts_at
    assert boxes["price"].opening_at == lifecycle.window_of(tender, Stage.OPENING_PRICE).starts_at
    deadline = lifecycle.window_of(tender, Stage.BID_UPLOAD).ends_at
    assert {box.deadline for box in boxes.values()} == {deadline}
    assert OutboxEntry.objects.filter(kind="tender.announced", subject=tender.public_id).count() == 1


# --- Joining (Pasal 7(4)a) ---------------------------------------------------------------------------------------


def test_joining_admits_the_vendor_to_the_sealed_boxes(world, pinned_time):
    tender = open_for_joining(world, pinned_time, **TWO_FILES)
    vendor, user = world.personas.vendor("CV Maju Jaya")
    participant = services.join(actor=user, tender=tender)
    assert (participant.vendor, participant.joined_by, participant.joined_at) == (vendor, user, clock.now())
    for box in services.boxes_of(tender):
        assert list(box.bidders.all()) == [user]
    assert audited("tenders.joined", tender)[0].data == {"vendor": vendor.public_id}


def test_joining_admits_every_user_of_the_vendor_to_the_sealed_boxes(world, pinned_time):
    # A vendor has one or more users (vendors.services.add_user); any of them may submit its bid.
    tender = open_for_joining(world, pinned_time)
    vendor, admin = world.personas.vendor("CV Dua Pengguna")
    second = vendor_services.add_user(actor=admin, vendor=vendor, email="staf@duapengguna.test", full_name="Staf")
    services.join(actor=admin, tender=tender)
    [box] = services.boxes_of(tender)
    assert set(box.bidders.all()) == {admin, second.user}


def test_a_vendor_joins_a_tender_only_once(world, pinned_time):
    tender = open_for_joining(world, pinned_time)
    _, user = world.personas.vendor("CV Sekali")
    services.join(actor=user, tender=tender)
    with pytest.raises(ValidationError) as refused:
        services.join(actor=user, tender=tender)
    assert refused.value.messages == ["Your company has already joined this tender."]
    assert tender.participants.count() == 1


def test_only_a_verified_vendor_joins(world, pinned_time):
    tender = open_for_joining(world, pinned_time)
    with pytest.raises(ValidationError, match="Only a registered vendor can join"):
        services.join(actor=world.chair, tender=tender)
    _, user = world.personas.vendor("CV Belum Diverifikasi", verified=False)
    with pytest.raises(ValidationError) as refused:
        services.join(actor=user, tender=tender)
    assert refused.value.messages == ["Your company cannot take part: The vendor is not verified and activated yet."]
    assert not tender.participants.exists()


@pytest.mark.parametrize(("kind", "state"), [("blacklist", "blacklisted"), ("suspension", "suspended")])
def test_a_blacklisted_or_suspended_vendor_cannot_join(world, pinned_time, kind, state):
    tender = open_for_joining(world, pinned_time)
    vendor, user = world.personas.vendor("CV Bermasalah")
    vendor_services.impose_sanction(
        actor=world.personas.lpse_admin,
        vendor=vendor,
        kind=kind,
        decree_number="SK/DH/2026/1",
        decree_date=date(2026, 3, 1),
        decree_file=pdf_upload("sk-sanksi.pdf"),
        starts_on=date(2026, 3, 2),
        ends_on=None,
        reason="Dokumen palsu pada paket sebelumnya",
    )
    with pytest.raises(ValidationError) as refused:
        services.join(actor=user, tender=tender)
    assert refused.value.messages == [f"Your company cannot take part: The vendor is {state} (SK/DH/2026/1)."]


def test_a_package_reserved_for_small_businesses_refuses_a_vendor_that_is_not_one(world, pinned_time):
    # Perpres 54/2010 Pasal 100(3) jo. Perpres 70/2012. The vendor changes its own identity through the service.
    reserved = open_for_joining(world, pinned_time)
    assert reserved.small_business_reserved
    vendor, user = world.personas.vendor("PT Besar")
    vendor = vendor_services.update_identity(actor=user, vendor=vendor, is_small_business=False)
    with pytest.raises(ValidationError) as refused:
        services.join(actor=user, tender=reserved)
    assert "Pasal 100(3)" in refused.value.messages[0] and "reserved for small businesses" in refused.value.messages[0]
    open_to_all = open_for_joining(
        world, pinned_time, small_business_reserved=False, small_business_exception="Butuh alat berat AMP"
    )
    assert services.join(actor=user, tender=open_to_all).vendor == vendor


# --- Downloads and the participant list --------------------------------------------------------------------------


def test_a_participants_download_is_recorded_and_a_vendor_that_has_not_joined_is_refused(world, pinned_time):
    tender = open_for_joining(world, pinned_time)
    document = tender.documents.get()
    vendor, user = world.personas.vendor("CV Pengunduh")
    _, outsider = world.personas.vendor("CV Luar")
    services.join(actor=user, tender=tender)
    services.record_download(actor=user, document=document)
    [download] = DocumentDownload.objects.all()
    assert (download.document, download.vendor, download.user, download.downloaded_at) == (
        document,
        vendor,
        user,
        clock.now(),
    )
    assert audited("tenders.document_downloaded", tender)[0].data["version"] == document.version
    with pytest.raises(PermissionDenied):
        services.record_download(actor=outsider, document=document)
    with pytest.raises(PermissionDenied):
        services.record_download(actor=world.personas.make(Role.POKJA, world.personas.agency_b), document=document)
    services.record_download(actor=world.member, document=document)  # insiders read without a record
    assert DocumentDownload.objects.count() == 1


def test_the_participant_list_is_private_until_the_opening_begins(world, pinned_time):
    tender = open_for_joining(world, pinned_time)
    vendor, user = world.personas.vendor("CV Peserta")
    _, public_user = world.personas.vendor("CV Penonton")
    services.join(actor=user, tender=tender)
    opening = lifecycle.window_of(tender, Stage.OPENING).starts_at
    pokja_b = world.personas.make(Role.POKJA, world.personas.agency_b)

    def seen_by(person):
        insider = policies.is_insider(person, tender)
        participants = selectors.visible_participants(person, tender, insider=insider)
        return None if participants is None else [p.vendor for p in participants]

    pinned_time.move_to(opening - MICROSECOND)
    for outsider in (user, public_user, pokja_b):
        assert seen_by(outsider) is None
    for insider in (world.chair, world.ppk):
        assert seen_by(insider) == [vendor]
    pinned_time.move_to(opening)
    for anyone in (user, public_user, pokja_b, world.chair):
        assert seen_by(anyone) == [vendor]


# --- The explanation session (Pasal 7(3)b, 7(4)a) -------------------------------------------------------------------


def test_closing_the_explanation_session_stores_its_minutes_with_every_question(world, pinned_time):
    tender = open_for_joining(world, pinned_time)
    _, first = world.personas.vendor("CV Satu")
    _, second = world.personas.vendor("CV Dua")
    _, outsider = world.personas.vendor("CV Tiga")
    for user in (first, second):
        services.join(actor=user, tender=tender)
    session = lifecycle.window_of(tender, Stage.CLARIFICATION)
    with pytest.raises(ValidationError, match="has not begun yet"):
        services.close_clarification(actor=world.chair, tender=tender)
    pinned_time.move_to(session.starts_at + timedelta(minutes=5))
    with pytest.raises(PermissionDenied):
        services.ask_question(actor=outsider, tender=tender, section="ldp", text="Boleh ikut?")
    asked = services.ask_question(actor=first, tender=tender, section="ldp", text="Masa berlaku penawaran?")
    services.ask_question(actor=second, tender=tender, section="spesifikasi", text="Merek aspal?")
    services.answer_question(actor=world.chair, question=asked, answer="60 hari kalender")
    with pytest.raises(ValidationError) as refused:
        services.ask_question(actor=first, tender=tender, section="bukan_bagian", text="?")
    assert list(refused.value.message_dict) == ["section"]

    closed = services.close_clarification(actor=world.chair, tender=tender)
    assert closed.clarification_closed_at == clock.now()
    with closed.clarification_minutes.open("rb") as stored:
        pdf = stored.read()
    # pypdf is not installed, so the PDF's text is not read back here: its kind, digest and audit record are.
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == closed.clarification_minutes_sha256
    [event] = audited("tenders.clarification_closed", tender)
    assert event.data == {"minutes_sha256": closed.clarification_minutes_sha256, "questions": 2}
    published = OutboxEntry.objects.get(kind="tender.clarification_minutes", subject=tender.public_id)
    assert published.payload == {"sha256": closed.clarification_minutes_sha256}
    with pytest.raises(ValidationError, match="already closed"):
        services.close_clarification(actor=world.chair, tender=tender)


# --- Who may manage a tender ------------------------------------------------------------------------------------


def test_an_agency_user_of_another_agency_cannot_manage_the_tender(world, pinned_time):
    personas = world.personas
    draft = world.scheduled()
    announced = open_for_joining(world, pinned_time)
    _, vendor_user = personas.vendor("CV Penanya")
    services.join(actor=vendor_user, tender=announced)
    session = lifecycle.window_of(announced, Stage.CLARIFICATION)
    pinned_time.move_to(session.starts_at)
    question = services.ask_question(actor=vendor_user, tender=announced, section="ikp", text="Jaminan penawaran?")
    upload = lifecycle.window_of(announced, Stage.BID_UPLOAD)
    slots = {row.stage: (row.starts_at, row.ends_at) for row in announced.stages.all()}
    slots[Stage.BID_UPLOAD] = (upload.starts_at, upload.ends_at + timedelta(minutes=30))
    actions = {
        "update_tender": lambda actor: services.update_tender(actor=actor, tender=draft, location="Sukadana"),
        "request_approval": lambda actor: services.request_approval(actor=actor, tender=draft),
        "decide_approval": lambda actor: services.decide_approval(actor=actor, tender=draft, approve=True),
        "announce": lambda actor: services.announce(actor=actor, tender=draft),
        "set_schedule": lambda actor: services.set_schedule(actor=actor, tender=announced, slots=slots, reason="x"),
        "add_document": lambda actor: services.add_document(
            actor=actor, tender=announced, kind="adendum", title="A", change_note="x", upload=pdf_upload("a.pdf")
        ),
        "answer_question": lambda actor: services.answer_question(actor=actor, question=question, answer="Ya"),
        "close_clarification": lambda actor: services.close_clarification(actor=actor, tender=announced),
    }
    other_agency = [
        personas.make(Role.POKJA, personas.agency_b),
        personas.make(Role.PPK, personas.agency_b, personas.unit_b),
        personas.make(Role.PEJABAT_PENGADAAN, personas.agency_b),
    ]
    not_on_the_committee = personas.make(Role.POKJA, personas.agency_a)
    for actor in [*other_agency, not_on_the_committee, vendor_user]:
        for name, action in actions.items():
            with pytest.raises(PermissionDenied):
                action(actor)
                pytest.fail(f"{actor} could {name}")
    assert not ScheduleChange.objects.exists()
    assert not TenderDocument.objects.filter(kind="adendum").exists()


def test_a_committee_member_whose_decree_is_revoked_can_no_longer_manage(world):
    tender = world.tender()
    appointment = Appointment.objects.get(user=world.member, role=Role.POKJA)
    organizations.revoke_appointment(actor=world.personas.lpse_admin, appointment=appointment, reason="SK Pokja baru")
    member = User.objects.get(pk=world.member.pk)  # grants are cached per user object, as per request
    assert not policies.can_manage(member, tender)
    with pytest.raises(PermissionDenied):
        services.request_approval(actor=member, tender=tender)
    services.request_approval(actor=world.chair, tender=tender)


def test_a_missing_classification_is_refused_field_by_field_not_with_a_crash(world, pinned_time):
    values = {key: value for key, value in CLASSIFICATION.items() if key != "qualification"}
    with pytest.raises(ValidationError) as refused:
        services.create_tender(
            actor=world.chair, plan_item=world.plan_item, ppk=world.ppk, committee=[world.member], **values
        )
    assert "qualification" in refused.value.message_dict


def test_a_colleague_added_after_joining_may_submit_to_the_tenders_the_company_joined(world, pinned_time):
    tender = world.announced()
    vendor, user = world.personas.vendor("CV Sungai Kapuas")
    pinned_time.move_to(lifecycle.windows(tender)[0].starts_at)
    services.join(actor=user, tender=tender)
    colleague = vendor_services.add_user(actor=user, vendor=vendor, email="staf@sungai-kapuas.test", full_name="Staf")
    assert SealedBox.objects.get(reference=tender.public_id).bidders.filter(pk=colleague.user_id).exists()
