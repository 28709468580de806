"""The second half of a tender, one story per method, told by shared step functions run for each method as
ProZorro's lifecycle tests do: sealed bids opened by the committee's quorum, the technical and price envelopes of
the two-file methods (Perpres 54/2010 Pasal 47-48), Pengadaan Langsung (Pasal 39), the failed tender and its
repetition (Pasal 83-84), the cancelled tender, and the appeal that halts a tender until the PA decides (Pasal 82).

Every step goes through the real services inside its stage window by server time (DESIGN 4); bids are sealed with
pyrage and opened with the members' real keys (eproc/evaluation/tests/conftest.py)."""

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pyrage
import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from conftest import pdf_upload
from eproc.audit.verification import verify_chain
from eproc.bids import services as bids
from eproc.bids.models import Envelope, OpenedEnvelope
from eproc.core import clock
from eproc.evaluation import selectors, services
from eproc.evaluation.models import Bid
from eproc.organizations.roles import Role
from eproc.organizations.selectors import working_calendar_for
from eproc.planning import services as planning
from eproc.tenders import lifecycle
from eproc.tenders import rules as rulesets
from eproc.tenders import services as tenders
from eproc.tenders.lifecycle import Stage

from .conftest import CLASSIFICATION, PLAN, bid_archive, move_into, open_with, rupiah, submit

pytestmark = pytest.mark.django_db


# --- The methods -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Method:
    """One way of buying: its classification (merged over the World's), the plan item it needs when the World's
    construction item does not fit, whether a Pejabat Pengadaan runs it, and the story's numbers."""

    key: str
    classification: dict = field(default_factory=dict)
    plan: dict | None = None
    officer: bool = False
    # What Arga, Bukit and Citra offer; in the two-file story Citra fails the technical evaluation.
    prices: tuple = ()
    technical_scores: tuple = ()
    # Bukit's price score (lowest / price x 100) and weighted score, worked out by hand to two decimals.
    bukit_price_score: Decimal | None = None
    bukit_score: Decimal | None = None

    def __str__(self):
        return self.key


PASCA_SATU_FILE_GUGUR = Method("pasca_satu_file_gugur")

PASCA_DUA_FILE_NILAI = Method(
    "pasca_dua_file_nilai",
    {"file_system": "dua_file", "evaluation_method": "nilai", "technical_weight": 70, "price_weight": 30},
    prices=(rupiah("2.046.500.000"), rupiah("2.213.750.000"), rupiah("1.987.300.000")),
    technical_scores=(Decimal(80), Decimal(95), Decimal(45)),
    # 2.046.500.000 / 2.213.750.000 x 100 = 92,4449...; (95 x 70 + 92,4449 x 30) / 100 = 94,2335...
    bukit_price_score=Decimal("92.44"),
    bukit_score=Decimal("94.23"),
)

PRA_DUA_FILE_KUALITAS_BIAYA = Method(
    "pra_dua_file_kualitas_biaya",
    {
        "owner_estimate": rupiah("750.000.000"),
        "category": "konsultansi_badan_usaha",
        "method": "seleksi_umum",
        "qualification": "prakualifikasi",
        "file_system": "dua_file",
        "evaluation_method": "kualitas_biaya",
        "technical_weight": 70,
        "price_weight": 30,
        "contract_type": "lump_sum",
        "small_business_reserved": False,
        "qualification_requirements": "SBU Konsultansi Rekayasa (RE104), tenaga ahli jembatan madya",
    },
    plan={
        "package_name": "Konsultan Perencanaan Jembatan Sungai Pawan",
        "budget": rupiah("800.000.000"),
        "procurement_type": "konsultansi",
        "planned_method": "seleksi_umum",
    },
    prices=(rupiah("612.400.000"), rupiah("688.150.000"), rupiah("579.900.000")),
    technical_scores=(Decimal(80), Decimal(92), Decimal(50)),
    # 612.400.000 / 688.150.000 x 100 = 88,9922...; (92 x 70 + 88,9922 x 30) / 100 = 91,0977...
    bukit_price_score=Decimal("88.99"),
    bukit_score=Decimal("91.10"),
)

PENGADAAN_LANGSUNG = Method(
    "pengadaan_langsung",
    {
        "owner_estimate": rupiah("185.000.000"),
        "category": "barang",
        "method": "pengadaan_langsung",
        "qualification": "pascakualifikasi",
        "file_system": "satu_file",
        "evaluation_method": "gugur",
        "contract_type": "lump_sum",
        "qualification_requirements": "NIB dan NPWP aktif",
        "opening_quorum": 1,
    },
    plan={
        "package_name": "Pengadaan Komputer Bidang Bina Marga",
        "budget": rupiah("250.000.000"),
        "procurement_type": "barang",
        "planned_method": "pengadaan_langsung",
    },
    officer=True,
)

TWO_FILE_METHODS = [PASCA_DUA_FILE_NILAI, PRA_DUA_FILE_KUALITAS_BIAYA]
TENDER_METHODS = [PASCA_SATU_FILE_GUGUR, *TWO_FILE_METHODS]
ALL_METHODS = [*TENDER_METHODS, PENGADAAN_LANGSUNG]


# --- Shared steps ----------------------------------------------------------------------------------------------------


@dataclass
class Procurement:
    """One announced tender and who runs it: the Pokja chair with its member, or a Pejabat Pengadaan alone."""

    world: object
    tender: object
    runner: object
    openers: list
    clock: object

    def at(self, stage: Stage, **kwargs):
        return move_into(self.clock, self.tender, stage, **kwargs)

    def box(self, kind: str):
        return services.boxes(self.tender)[kind]


def _announce(world, method: Method, pinned_time) -> Procurement:
    if method.plan:
        item = planning.create_item(actor=world.pa, work_unit=world.personas.unit_a, **{**PLAN, **method.plan})
        planning.announce(actor=world.pa, item=item)
        item.refresh_from_db()
        world = replace(world, plan_item=item)
    if not method.officer:
        return Procurement(
            world, world.announced(**method.classification), world.chair, [world.chair, world.member], pinned_time
        )
    # Pasal 1(12), 7(3): one Pejabat Pengadaan, holding a committee key of its own, runs Pengadaan Langsung.
    officer = world.personas.make(Role.PEJABAT_PENGADAAN, world.personas.agency_a)
    identity = pyrage.x25519.Identity.generate()
    bids.register_committee_key(actor=officer, recipient=str(identity.to_public()))
    world.identities[officer.pk] = identity
    tender = tenders.create_tender(
        actor=officer, plan_item=world.plan_item, ppk=world.ppk, **{**CLASSIFICATION, **method.classification}
    )
    tenders.set_schedule(actor=officer, tender=tender, slots=tenders.propose_schedule(tender))
    tenders.add_document(
        actor=officer, tender=tender, kind="dokumen_pengadaan", title="Dokumen Pengadaan", upload=pdf_upload()
    )
    tenders.request_approval(actor=officer, tender=tender)
    tenders.decide_approval(actor=world.ppk, tender=tender, approve=True)
    return Procurement(world, tenders.announce(actor=officer, tender=tender), officer, [officer], pinned_time)


def _enter(proc: Procurement, vendors):
    """Vendors join from the first stage (lifecycle.JOIN_UNTIL closes it); Pengadaan Langsung invites one."""
    tender = proc.tender
    if tender.is_pengadaan_langsung:
        proc.at(Stage.INVITATION)
        (vendor, _user), *_ = vendors
        return [services.invite(actor=proc.runner, tender=tender, vendor=vendor)]
    proc.clock.move_to(lifecycle.windows(tender)[0].starts_at + timedelta(minutes=1))
    return [tenders.join(actor=user, tender=tender) for _vendor, user in vendors]


def _seal(proc: Procurement, offers: dict):
    """Each bidder seals its offer in the browser: one envelope, or a technical envelope without a price and a price
    envelope with it (docs/bid-envelope.md)."""
    proc.at(Stage.BID_UPLOAD)
    boxes = services.boxes(proc.tender)
    for user, price in offers.items():
        if "single" in boxes:
            archive = bid_archive(tender=proc.tender, envelope="single", price=price, duration_days="90")
            submit(boxes["single"], user, archive)
        else:
            technical = bid_archive(tender=proc.tender, envelope="technical", methodology="Metodologi pelaksanaan")
            submit(boxes["technical"], user, technical)
            submit(boxes["price"], user, bid_archive(tender=proc.tender, envelope="price", price=price))


def _share(member, box, identities):
    share = pyrage.decrypt(bytes(box.shares.get(member=member).share_ciphertext), [identities[member.pk]])
    return bids.submit_share(actor=member, box=box, share_bytes=share)


def _open(proc: Procurement, kind: str):
    proc.at(lifecycle.OPENING_STAGE_OF_ENVELOPE[kind])
    return open_with(proc.box(kind), proc.openers, proc.world.identities)


def _read(proc: Procurement) -> dict:
    return {bid.participant.vendor: bid for bid in services.read_bids(actor=proc.runner, tender=proc.tender)}


def _evaluate(proc: Procurement, bid, **values):
    return services.record_evaluation(actor=proc.runner, bid=bid, **values)


def _qualify(proc: Procurement, read: dict):
    """Pascakualifikasi checks qualification after the technical envelope, before any price is seen; with
    prakualifikasi it was checked before bidding and is recorded with the technical results."""
    stages = tenders.stages_of(proc.tender)
    if stages.index(Stage.QUALIFICATION_EVALUATION) > stages.index(Stage.TECHNICAL_EVALUATION):
        proc.at(Stage.QUALIFICATION_EVALUATION)
        for bid in read.values():
            _evaluate(proc, bid, qualification_passed=True)
        proc.at(Stage.QUALIFICATION_PROOF)
        for bid in read.values():
            _evaluate(proc, bid, proof_passed=True)
    else:
        for bid in read.values():
            _evaluate(proc, bid, qualification_passed=True, proof_passed=True)


def _passes_everything(proc: Procurement, bid, passed=True, reason="", **extra):
    return _evaluate(
        proc,
        bid,
        administrative_passed=passed,
        administrative_reason=reason,
        technical_passed=True,
        qualification_passed=True,
        proof_passed=True,
        **extra,
    )


def _spellings(amount: Decimal) -> list[bytes]:
    digits = f"{amount:.0f}"
    return [digits.encode(), f"{amount:,.0f}".replace(",", ".").encode(), f"{amount:,.0f}".encode()]


def _database_bytes() -> bytes:
    """Every row of every table as text, the way a dump shows it (eproc/bids/tests/test_secrecy.py)."""
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            cursor.execute(f'SELECT * FROM "{model._meta.db_table}"')  # noqa: S608 - table names from the ORM
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value))
                    chunks.append(str(value).encode())
    return b"\n".join(chunks)


def _storage_bytes() -> bytes:
    root = Path(settings.MEDIA_ROOT)
    return b"\n".join(path.read_bytes() for path in root.rglob("*") if path.is_file())


def _assert_sealed(prices):
    """Before the opening (Pasal 7(4)b, DESIGN 5): no Bid row, and no price anywhere in the database."""
    assert not Bid.objects.exists()
    dump = _database_bytes()
    for price in prices:
        for spelling in _spellings(price):
            assert spelling not in dump, spelling


def _rupiah_text(amount: Decimal) -> str:
    return "Rp" + f"{amount:,.0f}".replace(",", ".") + ",00"


def _public_page(client, tender) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.get(reverse("tenders:detail", args=[tender.public_id])).content.decode()


def _state(tender) -> str:
    tender.refresh_from_db()
    return lifecycle.situation(tender, clock.now()).state


# --- Two files: technical envelope, then prices of those who passed (Pasal 47-48) ------------------------------------


@pytest.mark.parametrize("method", TWO_FILE_METHODS, ids=str)
def test_a_two_file_tender_opens_only_the_passing_prices_and_ranks_by_weighted_score(
    method, world, three_vendors, pinned_time, client
):
    proc = _announce(world, method, pinned_time)
    tender = proc.tender
    (arga, arga_user), (bukit, bukit_user), (citra, citra_user) = three_vendors
    _enter(proc, three_vendors)
    arga_price, bukit_price, citra_price = method.prices
    _seal(proc, {arga_user: arga_price, bukit_user: bukit_price, citra_user: citra_price})

    proc.at(Stage.OPENING_TECHNICAL)
    _assert_sealed(method.prices)

    # File I: administration and technical envelopes (Pasal 47): no price in them.
    _open(proc, "technical")
    proc.at(Stage.TECHNICAL_EVALUATION)
    read = _read(proc)
    assert {bid.status for bid in read.values()} == {Bid.Status.READ}
    assert {bid.price for bid in read.values()} == {None}
    assert set(read[arga].declared) == {"technical"}
    for vendor, score in zip((arga, bukit, citra), method.technical_scores, strict=True):
        passed = vendor != citra
        _evaluate(
            proc,
            read[vendor],
            administrative_passed=True,
            technical_passed=passed,
            technical_score=score,
            technical_reason="" if passed else "Nilai teknis di bawah ambang batas 70",
        )
    _qualify(proc, read)

    # The price box stays shut until the technical evaluation is concluded.
    proc.at(Stage.TECHNICAL_ANNOUNCEMENT)
    price_box = proc.box("price")
    with pytest.raises(ValidationError, match="opens only after the technical evaluation"):
        _share(world.chair, price_box, world.identities)
    released = services.conclude_technical(actor=proc.runner, tender=tender)
    assert released.released_at == clock.now()
    withheld = Envelope.objects.filter(box=price_box, superseded_at__isnull=True).exclude(withheld_reason="")
    assert [envelope.bidder for envelope in withheld] == [citra_user]
    with pytest.raises(ValidationError, match="only from the opening time on"):
        _share(world.chair, price_box, world.identities)

    # File II: the price envelopes of those who passed; Citra's stays sealed for ever.
    _open(proc, "price")
    outcomes = {envelope.bidder: envelope.opened.outcome for envelope in price_box.envelopes.select_related("opened")}
    assert outcomes == {
        arga_user: OpenedEnvelope.Outcome.OPENED,
        bukit_user: OpenedEnvelope.Outcome.OPENED,
        citra_user: OpenedEnvelope.Outcome.WITHHELD,
    }
    proc.at(Stage.PRICE_EVALUATION)
    read = _read(proc)
    assert (read[arga].price, read[bukit].price, read[citra].price) == (arga_price, bukit_price, None)
    assert set(read[arga].declared) == {"technical", "price"} and read[citra].declared["price"] == {}
    haystack = _database_bytes() + _storage_bytes()
    assert _spellings(arga_price)[0] in haystack  # the search finds a price that was read...
    for spelling in _spellings(citra_price):  # ...and Citra's was never read, stored or published
        assert spelling not in haystack

    # Sistem nilai / kualitas dan biaya: price score = lowest / price x 100; score = (tech x 70 + price x 30) / 100.
    ranking = selectors.ranking(tender)
    rows = {row.participant.vendor: row for row in ranking}
    assert [row.participant.vendor for row in ranking if row.eligible] == [bukit, arga]
    assert rows[arga].score == Decimal(86)  # (80 x 70 + 100 x 30) / 100
    assert (arga_price / bukit_price * 100).quantize(Decimal("0.01")) == method.bukit_price_score
    assert rows[bukit].score.quantize(Decimal("0.01")) == method.bukit_score
    assert not rows[citra].eligible and rows[citra].score is None

    proc.at(Stage.WINNER_DECISION)
    with pytest.raises(ValidationError, match="did not pass"):
        services.decide_winner(actor=proc.runner, tender=tender, winner=read[citra].participant, reasons="x")
    result = services.decide_winner(
        actor=proc.runner,
        tender=tender,
        winner=read[bukit].participant,
        reserves=[read[arga].participant],
        reasons="Nilai gabungan tertinggi",
    )
    assert result.winning_price == bukit_price
    assert [row["name"] for row in result.ranking] == [bukit.name, arga.name, citra.name]
    assert Decimal(result.ranking[0]["score"]).quantize(Decimal("0.01")) == method.bukit_score
    proc.at(Stage.WINNER_ANNOUNCEMENT)
    services.announce_winner(actor=proc.runner, tender=tender)

    proc.at(Stage.AWARD_LETTER)
    letter = services.issue_award_letter(actor=world.ppk, tender=tender, number="027/SPPBJ/2026")
    assert letter.value == bukit_price
    proc.at(Stage.CONTRACT)
    today = clock.now().date()
    contract = services.record_contract(
        actor=world.ppk,
        tender=tender,
        number="602.1/KTR/2026",
        signed_on=today,
        value=bukit_price,
        starts_on=today,
        ends_on=today + timedelta(days=150),
        scan=pdf_upload("kontrak.pdf"),
    )
    assert contract.savings == tender.owner_estimate - bukit_price
    assert _state(tender) == "contracted"

    public = _public_page(client, tender)
    assert bukit.name in public and "602.1/KTR/2026" in public
    assert _rupiah_text(bukit_price) in public and _rupiah_text(arga_price) in public
    assert _spellings(citra_price)[1].decode() not in public
    assert verify_chain().ok


def test_the_price_box_is_not_released_before_the_technical_envelopes_are_read_and_evaluated(
    world, three_vendors, pinned_time
):
    """Pasal 47: prices are opened only for the bids that passed the technical evaluation. With no technical
    envelope read (the quorum never opened the box), nobody has passed: concluding must not release every price."""
    proc = _announce(world, PASCA_DUA_FILE_NILAI, pinned_time)
    (_a, arga_user), (_b, bukit_user), (_c, citra_user) = three_vendors
    _enter(proc, three_vendors)
    _seal(proc, dict(zip((arga_user, bukit_user, citra_user), PASCA_DUA_FILE_NILAI.prices, strict=True)))
    proc.at(Stage.TECHNICAL_EVALUATION)
    assert proc.box("technical").opened_at is None and not Bid.objects.exists()
    with pytest.raises(ValidationError):
        services.conclude_technical(actor=world.chair, tender=proc.tender)
    assert proc.box("price").released_at is None


# --- Joining (Pasal 7(4)a) -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", TENDER_METHODS, ids=str)
def test_vendors_join_from_the_first_stage_until_the_end_of_the_join_stage_of_the_qualification(
    method, world, three_vendors, pinned_time
):
    """lifecycle.JOIN_UNTIL: until the document download (pascakualifikasi) or the submission of qualification data
    (prakualifikasi)."""
    proc = _announce(world, method, pinned_time)
    tender = proc.tender
    (_a, early), (_b, last_minute), (_c, late) = three_vendors
    first = lifecycle.windows(tender)[0]
    until = lifecycle.window_of(tender, lifecycle.JOIN_UNTIL[tender.qualification])
    pinned_time.move_to(first.starts_at - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="Joining opens when the announcement stage begins"):
        tenders.join(actor=early, tender=tender)
    pinned_time.move_to(first.starts_at)
    tenders.join(actor=early, tender=tender)
    pinned_time.move_to(until.ends_at - timedelta(minutes=1))
    tenders.join(actor=last_minute, tender=tender)
    pinned_time.move_to(until.ends_at)
    with pytest.raises(ValidationError, match="Joining this tender has closed"):
        tenders.join(actor=late, tender=tender)
    assert tender.participants.count() == 2


# --- Pengadaan Langsung (Perpres 54/2010 Pasal 39 jo. Perpres 70/2012) -----------------------------------------------


def test_pengadaan_langsung_invites_one_vendor_negotiates_and_contracts_at_the_negotiated_price(
    world, three_vendors, pinned_time, client
):
    proc = _announce(world, PENGADAAN_LANGSUNG, pinned_time)
    tender, officer = proc.tender, proc.runner
    (delta, delta_user), (other, other_user), _ = three_vendors
    offered, negotiated = rupiah("182.450.000"), rupiah("176.900.000")

    # Pasal 39(1) jo. Perpres 70/2012: goods up to Rp200.000.000; above it, no Pengadaan Langsung.
    with pytest.raises(ValidationError, match=re.escape("Pasal 39(1) jo. Perpres 70/2012")):
        tenders.create_tender(
            actor=officer,
            plan_item=tender.plan_item,
            ppk=world.ppk,
            **{**CLASSIFICATION, **PENGADAAN_LANGSUNG.classification, "owner_estimate": rupiah("200.000.001")},
        )

    proc.at(Stage.INVITATION)
    with pytest.raises(ValidationError, match="not open for joining"):
        tenders.join(actor=delta_user, tender=tender)
    participant = services.invite(actor=officer, tender=tender, vendor=delta)
    with pytest.raises(ValidationError, match="invites one vendor"):
        services.invite(actor=officer, tender=tender, vendor=other)

    _seal(proc, {delta_user: offered})
    with pytest.raises(PermissionDenied):  # only the invited vendor is admitted to the box
        submit(proc.box("single"), other_user, bid_archive(tender=tender, envelope="single", price=offered))
    proc.at(Stage.OPENING)
    _assert_sealed([offered])
    _open(proc, "single")
    read = _read(proc)
    assert read[delta].price == offered
    with pytest.raises(ValidationError, match="during the evaluation stages"):
        _passes_everything(proc, read[delta])
    with pytest.raises(ValidationError, match="Penetapan Pemenang stage"):
        services.decide_winner(actor=officer, tender=tender, winner=participant, reasons="x")

    proc.at(Stage.NEGOTIATION)
    _passes_everything(proc, read[delta], negotiated_price=negotiated)
    result = services.decide_winner(
        actor=officer, tender=tender, winner=participant, reasons="Hasil klarifikasi dan negosiasi teknis dan harga"
    )
    assert result.winning_price == negotiated
    assert result.announced_at == clock.now()  # no announcement stage: the decision is the result
    assert selectors.results_are_public(tender)

    letter = services.issue_award_letter(actor=world.ppk, tender=tender, number="027/SPK/BM/2026")
    assert letter.value == negotiated
    proc.at(Stage.CONTRACT)
    today = clock.now().date()
    with pytest.raises(ValidationError, match="not above the awarded price"):
        services.record_contract(
            actor=world.ppk,
            tender=tender,
            number="027/SPK/BM/2026",
            signed_on=today,
            value=offered,
            starts_on=today,
            ends_on=today + timedelta(days=30),
            scan=pdf_upload("spk.pdf"),
        )
    contract = services.record_contract(
        actor=world.ppk,
        tender=tender,
        number="027/SPK/BM/2026",
        signed_on=today,
        value=negotiated,
        starts_on=today,
        ends_on=today + timedelta(days=30),
        scan=pdf_upload("spk.pdf"),
    )
    assert contract.savings == rupiah("185.000.000") - negotiated
    assert _state(tender) == "contracted"
    public = _public_page(client, tender)
    assert delta.name in public and "Rp176.900.000,00" in public
    assert verify_chain().ok


# --- Lelang gagal and lelang ulang (Perpres 54/2010 Pasal 83-84) -----------------------------------------------------


@pytest.mark.parametrize("method", [PASCA_SATU_FILE_GUGUR, PASCA_DUA_FILE_NILAI], ids=str)
def test_a_tender_with_fewer_than_three_bids_fails_stops_and_is_repeated_once_as_lelang_ulang(
    method, world, three_vendors, pinned_time, client
):
    """Pasal 83(1)a: fewer than 3 bids; Pasal 84: the failed tender is repeated."""
    proc = _announce(world, method, pinned_time)
    tender = proc.tender
    (arga, arga_user), (bukit, bukit_user), (_citra, citra_user) = three_vendors
    _enter(proc, three_vendors)
    _seal(proc, {arga_user: rupiah("2.200.000.000"), bukit_user: rupiah("2.150.000.000")})
    first_box = "single" if "single" in services.boxes(tender) else "technical"
    _open(proc, first_box)
    proc.at(Stage.BID_EVALUATION if first_box == "single" else Stage.TECHNICAL_EVALUATION)
    read = _read(proc)
    assert sorted(bid.status for bid in read.values()) == [Bid.Status.NO_BID, Bid.Status.READ, Bid.Status.READ]

    with pytest.raises(ValidationError, match="Choose why the tender failed"):
        services.declare_failed(actor=world.chair, tender=tender, reason="bosan")
    failed = services.declare_failed(
        actor=world.chair, tender=tender, reason="too_few_bids", note="Hanya 2 penawaran yang masuk."
    )
    assert failed.failure_reason == "too_few_bids"
    assert _state(tender) == "failed"

    # Every stage action stops.
    for refused in (
        lambda: _passes_everything(proc, read[arga]),
        lambda: services.decide_winner(actor=world.chair, tender=tender, winner=read[arga].participant, reasons="x"),
        lambda: services.file_objection(actor=bukit_user, tender=tender, text="Kami keberatan."),
        lambda: services.declare_failed(actor=world.chair, tender=tender, reason="none_passed"),
        lambda: services.cancel_tender(actor=world.chair, tender=tender, reason="x"),
    ):
        with pytest.raises(ValidationError, match="cancelled or failed"):
            refused()
    if first_box == "technical":  # the prices of a failed two-file tender are never opened
        with pytest.raises(ValidationError, match="cancelled or failed"):
            services.conclude_technical(actor=world.chair, tender=tender)
        proc.at(Stage.OPENING_PRICE)
        with pytest.raises(ValidationError, match="opens only after the technical evaluation|is closed"):
            _share(world.chair, proc.box("price"), world.identities)

    public = _public_page(client, tender)
    for text in ("Tender failed (lelang gagal)", "Fewer than 3 bids were submitted", "Perpres 54/2010 Pasal 83(1)a"):
        assert text in public
    assert "Hanya 2 penawaran yang masuk." in public

    repeat = tenders.repeat_tender(actor=world.chair, tender=tender)
    assert repeat.repeat_of == tender and repeat.version == 2
    assert repeat.method_label.endswith("(Lelang Ulang)") and not tender.method_label.endswith("(Lelang Ulang)")
    assert (repeat.file_system, repeat.evaluation_method, repeat.owner_estimate) == (
        tender.file_system,
        tender.evaluation_method,
        tender.owner_estimate,
    )
    assert repeat.announced_at is None and repeat.approved_at is None  # scheduled and approved again
    with pytest.raises(ValidationError, match="already repeated"):
        tenders.repeat_tender(actor=world.chair, tender=tender)
    with pytest.raises(ValidationError, match="Only a failed tender is repeated"):
        tenders.repeat_tender(actor=world.chair, tender=repeat)
    assert verify_chain().ok


def test_a_tender_with_three_read_bids_does_not_fail_for_too_few_bids(world, three_vendors, pinned_time):
    """Pasal 83(1)a counts the bids read at the opening (rules.MIN_BIDS)."""
    proc = _announce(world, PASCA_SATU_FILE_GUGUR, pinned_time)
    (_a, arga_user), (_b, bukit_user), (_c, citra_user) = three_vendors
    _enter(proc, three_vendors)
    _seal(proc, {user: rupiah("2.300.000.000") for user in (arga_user, bukit_user, citra_user)})
    _open(proc, "single")
    proc.at(Stage.BID_EVALUATION)
    _read(proc)
    with pytest.raises(ValidationError, match=re.escape(rulesets.MIN_BIDS.article)) as refused:
        services.declare_failed(actor=world.chair, tender=proc.tender, reason="too_few_bids")
    assert "3 bids were read" in str(refused.value)
    assert _state(proc.tender) == "running"


def test_a_tender_with_three_sealed_bids_cannot_fail_for_too_few_bids_before_they_are_opened(
    world, three_vendors, pinned_time
):
    """Pasal 83(1)a: "kurang dari 3 peserta yang memasukkan penawaran". Three bids are in the box after the deadline;
    declaring the tender failed for too few bids before reading them must not work."""
    proc = _announce(world, PASCA_SATU_FILE_GUGUR, pinned_time)
    (_a, arga_user), (_b, bukit_user), (_c, citra_user) = three_vendors
    _enter(proc, three_vendors)
    _seal(proc, {user: rupiah("2.300.000.000") for user in (arga_user, bukit_user, citra_user)})
    proc.at(Stage.OPENING)  # the deadline has passed, the box is not opened yet
    assert Envelope.objects.filter(box=proc.box("single"), bytes_completed_at__isnull=False).count() == 3
    with pytest.raises(ValidationError, match="after the opening"):
        services.declare_failed(actor=world.chair, tender=proc.tender, reason="too_few_bids")


# --- Cancellation ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ALL_METHODS, ids=str)
def test_a_cancelled_tender_refuses_joining_evaluation_and_award_and_shows_its_reason(
    method, world, three_vendors, pinned_time, client
):
    proc = _announce(world, method, pinned_time)
    tender = proc.tender
    _enter(proc, three_vendors[:1])
    with pytest.raises(ValidationError, match="Give the reason"):
        services.cancel_tender(actor=proc.runner, tender=tender, reason="  ")
    services.cancel_tender(actor=proc.runner, tender=tender, reason="Anggaran dialihkan untuk tanggap darurat banjir")
    tender.refresh_from_db()
    assert _state(tender) == "cancelled"

    (late, late_user) = three_vendors[1]
    if tender.is_pengadaan_langsung:
        with pytest.raises(PermissionDenied):
            services.invite(actor=proc.runner, tender=tender, vendor=late)
    else:
        with pytest.raises(ValidationError, match="not open for joining"):
            tenders.join(actor=late_user, tender=tender)
    with pytest.raises(PermissionDenied):  # the committee no longer manages it
        services.read_bids(actor=proc.runner, tender=tender)
    with pytest.raises(PermissionDenied):
        services.issue_award_letter(actor=world.ppk, tender=tender, number="027/SPPBJ/2026")
    with pytest.raises(ValidationError, match="cancelled or failed"):  # the PA may end a tender, not twice
        services.declare_failed(actor=world.pa, tender=tender, reason="none_passed")

    public = _public_page(client, tender)
    assert "Tender cancelled" in public and "Anggaran dialihkan untuk tanggap darurat banjir" in public


def test_a_tender_cancelled_during_the_evaluation_stops_evaluation_decision_objection_and_award(
    world, three_vendors, pinned_time
):
    proc = _announce(world, PASCA_SATU_FILE_GUGUR, pinned_time)
    tender = proc.tender
    (arga, arga_user), (bukit, bukit_user), (citra, citra_user) = three_vendors
    _enter(proc, three_vendors)
    _seal(
        proc,
        {arga_user: rupiah("2.200.000.000"), bukit_user: rupiah("2.150.000.000"), citra_user: rupiah("2.300.000.000")},
    )
    _open(proc, "single")
    proc.at(Stage.BID_EVALUATION)
    read = _read(proc)
    _passes_everything(proc, read[arga])
    # The PA (budget holder of the work unit) may cancel too.
    services.cancel_tender(actor=world.pa, tender=tender, reason="Kegiatan dibatalkan dalam APBD-P")
    tender.refresh_from_db()

    with pytest.raises(PermissionDenied):  # the committee no longer manages it
        _passes_everything(proc, Bid.objects.get(pk=read[bukit].pk))
    proc.at(Stage.WINNER_DECISION)
    with pytest.raises(PermissionDenied):
        services.decide_winner(actor=world.chair, tender=tender, winner=read[arga].participant, reasons="x")
    proc.at(Stage.OBJECTIONS)
    with pytest.raises(ValidationError, match="cancelled or failed"):
        services.file_objection(actor=citra_user, tender=tender, text="Kami keberatan.")
    proc.at(Stage.AWARD_LETTER)
    with pytest.raises(PermissionDenied):
        services.issue_award_letter(actor=world.ppk, tender=tender, number="027/SPPBJ/2026")
    assert selectors.standing_result(tender) is None
    assert _state(tender) == "cancelled"


def test_a_cancelled_tender_takes_no_more_bids_and_its_box_is_never_opened(world, three_vendors, pinned_time):
    """A cancelled tender stops (nothing of it may go on); its sealed bids stay sealed."""
    proc = _announce(world, PASCA_SATU_FILE_GUGUR, pinned_time)
    tender = proc.tender
    (_a, arga_user), (_b, bukit_user), _ = three_vendors
    _enter(proc, three_vendors[:2])
    _seal(proc, {arga_user: rupiah("2.200.000.000")})
    services.cancel_tender(actor=world.chair, tender=tender, reason="Spesifikasi teknis keliru")
    box = proc.box("single")
    with pytest.raises((ValidationError, PermissionDenied)):
        submit(box, bukit_user, bid_archive(tender=tender, envelope="single", price=rupiah("2.100.000.000")))
    proc.at(Stage.OPENING)
    with pytest.raises((ValidationError, PermissionDenied)):
        _share(world.chair, box, world.identities)
    box.refresh_from_db()
    assert box.opened_at is None


# --- Sanggah banding halts the tender until the PA decides (Perpres 54/2010 Pasal 82) --------------------------------


def _answered_objection(world, three_vendors, pinned_time):
    """A one-file knockout tender up to an objection answered "not justified": Bukit's unsigned bid letter failed,
    Arga won at Rp2.200.000.000, Bukit objects and the committee disagrees."""
    proc = _announce(world, PASCA_SATU_FILE_GUGUR, pinned_time)
    tender = proc.tender
    (arga, arga_user), (bukit, bukit_user), (citra, citra_user) = three_vendors
    _enter(proc, three_vendors)
    _seal(
        proc,
        {arga_user: rupiah("2.200.000.000"), bukit_user: rupiah("2.150.000.000"), citra_user: rupiah("2.300.000.000")},
    )
    _open(proc, "single")
    proc.at(Stage.BID_EVALUATION)
    read = _read(proc)
    _passes_everything(proc, read[arga])
    _passes_everything(proc, read[bukit], passed=False, reason="Surat penawaran tidak ditandatangani")
    _passes_everything(proc, read[citra])
    proc.at(Stage.WINNER_DECISION)
    services.decide_winner(actor=world.chair, tender=tender, winner=read[arga].participant, reasons="Terendah")
    proc.at(Stage.WINNER_ANNOUNCEMENT)
    services.announce_winner(actor=world.chair, tender=tender)
    proc.at(Stage.OBJECTIONS)
    objection = services.file_objection(actor=bukit_user, tender=tender, text="Surat penawaran kami bertanda tangan.")
    with pytest.raises(ValidationError, match="follows the committee's answer"):
        services.file_appeal(
            actor=bukit_user,
            objection=objection,
            text="Banding",
            guarantee_amount=services.appeal_guarantee(tender),
            guarantee_document=pdf_upload("jaminan.pdf"),
        )
    objection = services.answer_objection(
        actor=world.chair, objection=objection, answer="Tanda tangan tidak ada pada halaman 1.", justified=False
    )
    return proc, read, objection, bukit_user


def _appeal_halts(world, proc, objection, bukit_user):
    """Pasal 82(2) jo. Perpres 70/2012: a guarantee of 1% of the HPS; the appeal halts the tender."""
    tender = proc.tender
    guarantee = services.appeal_guarantee(tender)
    assert guarantee == rupiah("24.000.000")  # 1% of the HPS of Rp2.400.000.000
    with pytest.raises(ValidationError, match=re.escape(rulesets.for_tender(tender).appeal_guarantee_ratio.article)):
        services.file_appeal(
            actor=bukit_user,
            objection=objection,
            text="Kami mengajukan sanggah banding.",
            guarantee_amount=guarantee - 1,
            guarantee_document=pdf_upload("jaminan-sanggah-banding.pdf"),
        )
    appeal = services.file_appeal(
        actor=bukit_user,
        objection=objection,
        text="Kami mengajukan sanggah banding.",
        guarantee_amount=guarantee,
        guarantee_document=pdf_upload("jaminan-sanggah-banding.pdf"),
    )
    assert _state(tender) == "halted"
    with pytest.raises(ValidationError, match="already appealed"):
        services.file_appeal(
            actor=bukit_user,
            objection=objection,
            text="Lagi",
            guarantee_amount=guarantee,
            guarantee_document=pdf_upload("jaminan.pdf"),
        )

    proc.at(Stage.AWARD_LETTER)  # the objection period is over: only the appeal stops the award letter
    assert _state(tender) == "halted"
    with pytest.raises(ValidationError, match="An appeal halts the tender until the PA decides"):
        services.issue_award_letter(actor=world.ppk, tender=tender, number="027/SPPBJ/2026")
    for not_the_pa in (world.chair, world.ppk):
        with pytest.raises(PermissionDenied):
            services.decide_appeal(actor=not_the_pa, appeal=appeal, justified=False, decision="Tidak berdasar")
    return appeal


def test_an_appeal_halts_the_tender_until_the_pa_finds_it_unfounded_then_the_ppk_awards(
    world, three_vendors, pinned_time
):
    proc, read, objection, bukit_user = _answered_objection(world, three_vendors, pinned_time)
    appeal = _appeal_halts(world, proc, objection, bukit_user)
    services.decide_appeal(
        actor=world.pa, appeal=appeal, justified=False, decision="Pokja telah mengevaluasi sesuai dokumen pemilihan."
    )
    assert _state(proc.tender) == "running"
    with pytest.raises(ValidationError, match="already decided"):
        services.decide_appeal(actor=world.pa, appeal=appeal, justified=True, decision="Berubah pikiran")
    letter = services.issue_award_letter(actor=world.ppk, tender=proc.tender, number="027/SPPBJ/2026")
    assert letter.value == rupiah("2.200.000.000")
    assert selectors.standing_result(proc.tender).winner.vendor.name == "CV Arga Mandiri"


def test_a_justified_appeal_voids_the_result_and_the_committee_decides_again_after_rescheduling(
    world, three_vendors, pinned_time
):
    """Pasal 82: a justified appeal voids the result; the committee evaluates again (models.Result.voided_at)."""
    proc, read, objection, bukit_user = _answered_objection(world, three_vendors, pinned_time)
    tender = proc.tender
    appeal = _appeal_halts(world, proc, objection, bukit_user)
    services.decide_appeal(
        actor=world.pa, appeal=appeal, justified=True, decision="Surat penawaran bertanda tangan di halaman 2."
    )
    assert selectors.standing_result(tender) is None
    assert tender.results.get().void_reason.startswith("Justified appeal")
    with pytest.raises(ValidationError, match="no announced winner"):
        services.issue_award_letter(actor=world.ppk, tender=tender, number="027/SPPBJ/2026")

    # The committee moves the award stages after today (the evaluation and decision windows have passed).
    award = (
        Stage.RESULT_MINUTES,
        Stage.WINNER_DECISION,
        Stage.WINNER_ANNOUNCEMENT,
        Stage.OBJECTIONS,
        Stage.AWARD_LETTER,
        Stage.CONTRACT,
    )
    current = {lifecycle_window.stage: lifecycle_window for lifecycle_window in lifecycle.windows(tender)}
    fresh = tenders.propose_schedule(tender, start=clock.now())
    slots = {
        stage: (fresh[stage].starts_at, fresh[stage].ends_at)
        if stage in award
        else (current[stage].starts_at, current[stage].ends_at)
        for stage in tenders.stages_of(tender)
    }
    tenders.set_schedule(
        actor=world.chair,
        tender=tender,
        slots=slots,
        reason="Sanggah banding dinyatakan benar oleh PA: evaluasi ulang.",
    )
    proc.at(Stage.RESULT_MINUTES)
    _passes_everything(proc, read[three_vendors[1][0]])
    proc.at(Stage.WINNER_DECISION)
    result = services.decide_winner(
        actor=world.chair, tender=tender, winner=read[three_vendors[1][0]].participant, reasons="Evaluasi ulang"
    )
    assert result.winning_price == rupiah("2.150.000.000")
    assert selectors.standing_result(tender) == result


def test_an_appeal_filed_after_the_appeal_period_is_refused(world, three_vendors, pinned_time):
    """Pasal 82(1) jo. Perpres 70/2012: within 5 working days after the answer, to the close of office hours."""
    proc, _read_bids, objection, bukit_user = _answered_objection(world, three_vendors, pinned_time)
    tender = proc.tender
    rules = rulesets.for_tender(tender)
    period = rulesets.periods(rules, tender.method).appeal
    zone = clock.as_zone(tender.agency.time_zone)
    last_day = working_calendar_for(tender.agency).add_working_days(
        objection.answered_at.astimezone(zone).date(), period.value
    )
    pinned_time.move_to(datetime.combine(last_day, rules.working_hours.value.end, tzinfo=zone) + timedelta(minutes=1))
    with pytest.raises(ValidationError, match=re.escape(period.article)):
        services.file_appeal(
            actor=bukit_user,
            objection=objection,
            text="Kami mengajukan sanggah banding.",
            guarantee_amount=services.appeal_guarantee(tender),
            guarantee_document=pdf_upload("jaminan-sanggah-banding.pdf"),
        )
    assert _state(tender) != "halted"
