"""Demo of the second half of a tender: the demo tenders past their opening (tenders.demo) get real sealed bids, an
opening by the committee's quorum, evaluations with reasons, a winner, an objection, an award letter and a contract.

Three verified vendors bid: CV Maju Bersama of vendors.demo and two more registered here through the vendors
services (registration, qualification data, submission, approval by the demo Verifikator), weeks before the
tenders they join. Everything goes through the services, each step inside `clock.replaying_at(moment)` at a moment
of the stage window it belongs to, as the people of the demo would have done it:

- each vendor seals its penawaran.json and documents with age to the tender's box and uploads it in the upload
  window (one file: one envelope with the price; two files: a technical and a price envelope);
- at the opening, k committee members decrypt their share with the identity in their key file (var/demo-keys, the
  file the browser would have downloaded, locked with the demo password) and submit it; the k-th opens the box;
- the chair reads the bids, the committee evaluates them in the evaluation stages, decides the winner (BAHP) and
  announces it; the bidder who failed the administration objects, and the committee answers once the objection
  period is over (not while it is open); the PPK issues the SPPBJ and records the signed contract (a small PDF).

A step whose window has not opened yet is not replayed, nor is anything after it: on a Saturday night the technical
evaluation of the two-file tender has not begun, so its bids are read but not evaluated. A stage open now gets the
steps of the time elapsed since it opened (an objection period open now has an objection waiting for its answer).

The steps of all three tenders run in the order of their moments, in one transaction: the bid receipts go to one
append-only log whose checkpoint frozen at each box's deadline counts the receipts made before it, so receipts must
be appended in the order of their times. For the same reason nothing is replayed into a log that already holds a
later receipt (someone bid in the demo box today): the lines say so.

Idempotent: a tender whose boxes hold an envelope, or that has bids read or a box opened, is left as it is; vendors
are keyed by their NPWP. A second run creates nothing and prints the same lines.
"""

import io
import json
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from hashlib import sha256

import pyrage
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from eproc.bids import services as bids
from eproc.bids.demo import DEMO_MEMBERS, key_directory
from eproc.bids.models import LogEntry, SealedBox
from eproc.core import clock
from eproc.core.money import format_rupiah
from eproc.organizations.demo import DEMO_PASSWORD
from eproc.organizations.models import Appointment
from eproc.organizations.roles import Role
from eproc.organizations.selectors import working_calendar_for
from eproc.tenders import lifecycle
from eproc.tenders import services as tenders
from eproc.tenders.choices import FileSystem
from eproc.tenders.demo import DEMO_TENDERS, DEMO_VENDOR, _user, _when, pdf_document, replay_allowed
from eproc.tenders.lifecycle import Stage
from eproc.tenders.models import Tender
from eproc.vendors import services as vendors
from eproc.vendors.demo import _fill
from eproc.vendors.models import Vendor

from . import selectors, services
from .models import Bid, Objection

DEMO_VERIFIER = "verifikator@lpse.demo"
DEMO_ADMIN = "admin@lpse.demo"
BORNEO = "penyedia@cv-borneo.demo"
SINAR = "penyedia@pt-sinar-pawan.demo"

# (login e-mail, person, vendor name, NPWP, address): verified vendors that bid next to CV Maju Bersama.
DEMO_BIDDERS = [
    (BORNEO, "Yohanes Sanusi", "CV Borneo Karya Teknik", "045678901234000", "Jl. Merdeka No. 27, Ketapang"),
    (SINAR, "Siti Rohani", "PT Sinar Pawan Sejahtera", "056789012345000", "Jl. Tanjungpura No. 12, Ketapang"),
]


@dataclass(frozen=True)
class DemoBid:
    vendor: str  # the bidder's login e-mail
    price: Decimal
    # penawaran.json besides format, tender, envelope and price: of the single envelope (one file) or of the
    # technical one (two files; its price envelope declares the price and the validity).
    declared: dict


@dataclass(frozen=True)
class DemoStory:
    key: str  # the tenders.demo key of the tender
    bids: tuple[DemoBid, ...]
    evaluations: tuple[tuple[Stage, str, dict], ...]  # (stage, bidder, record_evaluation values) in their order
    winner: str = ""
    winner_reasons: str = ""
    objection: tuple[str, str] | None = None  # (bidder, text)
    answer: str = ""
    award_letter: str = ""  # SPPBJ number; {year} is the year of the letter
    contract: str = ""  # contract number; {year} as above
    work_days: int = 0  # calendar days of the contract


def _passed(reason: str, **extra) -> dict:
    return {
        "administrative_passed": True,
        "administrative_reason": "Surat penawaran lengkap, bermeterai dan ditandatangani direktur",
        "technical_passed": True,
        "technical_reason": reason,
        **extra,
    }


_DRAINAGE_HPS = Decimal("1900000000")
_ASPHALT_HPS = Decimal("870000000")

DEMO_STORIES = [
    DemoStory(
        key="objections",
        bids=(
            DemoBid(
                BORNEO,
                Decimal("1742350000"),
                {
                    "validity_days": "60",
                    "duration_days": "150",
                    "notes": "Saluran beton bertulang K-300 cor di tempat 1.200 m; gorong-gorong boks 2 unit.",
                },
            ),
            DemoBid(
                DEMO_VENDOR,
                Decimal("1688900000"),
                {"duration_days": "150", "notes": "Saluran U-ditch pracetak 80x100 cm; gorong-gorong boks 2 unit."},
            ),
            DemoBid(
                SINAR,
                Decimal("1948500000"),
                {
                    "validity_days": "60",
                    "duration_days": "140",
                    "notes": "Saluran beton bertulang K-300 cor di tempat.",
                },
            ),
        ),
        evaluations=(
            (
                Stage.BID_EVALUATION,
                BORNEO,
                _passed(
                    "Metode pelaksanaan, jadwal 150 hari kalender dan peralatan utama memenuhi",
                    corrected_price=Decimal("1742350000"),
                    price_reason="Koreksi aritmatik tidak mengubah harga; 91,7% dari HPS",
                ),
            ),
            (
                Stage.BID_EVALUATION,
                DEMO_VENDOR,
                {
                    "administrative_passed": False,
                    "administrative_reason": "Surat penawaran tidak mencantumkan masa berlaku penawaran (disyaratkan "
                    "60 hari kalender, Dokumen Pemilihan Bab III)",
                },
            ),
            (
                Stage.BID_EVALUATION,
                SINAR,
                _passed(
                    "Metode pelaksanaan dan jadwal 140 hari kalender memenuhi",
                    corrected_price=Decimal("1948500000"),
                    price_reason="Harga penawaran melebihi HPS Rp1.900.000.000,00: penawaran gugur",
                ),
            ),
            (
                Stage.QUALIFICATION_EVALUATION,
                BORNEO,
                {
                    "qualification_passed": True,
                    "qualification_reason": "SBU Saluran Air (SI004) berlaku; pengalaman sejenis 2023; usaha kecil",
                },
            ),
            (
                Stage.QUALIFICATION_PROOF,
                BORNEO,
                {"proof_passed": True, "proof_reason": "Dokumen asli diperlihatkan dan sesuai; peralatan dicek"},
            ),
        ),
        winner=BORNEO,
        winner_reasons="Penawaran terendah yang lulus evaluasi administrasi, teknis, harga dan kualifikasi; "
        "harga terkoreksi di bawah HPS.",
        objection=(
            DEMO_VENDOR,
            "Masa berlaku penawaran kami (60 hari kalender) tercantum pada halaman 2 surat penawaran. Kami mohon "
            "Pokja mengevaluasi ulang penawaran kami yang lebih rendah.",
        ),
        answer="Surat penawaran yang dibuka terdiri atas satu halaman dan tidak memuat masa berlaku; halaman 2 yang "
        "dimaksud tidak ada dalam dokumen penawaran yang diunggah. Sanggahan tidak benar.",
        award_letter="027/214/SPPBJ-SDA/PUPR/{year}",
        contract="602.1/215/KTR-SDA/PUPR/{year}",
        work_days=150,
    ),
    DemoStory(
        key="finished",
        bids=(
            DemoBid(
                DEMO_VENDOR,
                Decimal("798600000"),
                {
                    "validity_days": "60",
                    "duration_days": "60",
                    "notes": "Aspal drum pen 60/70 Pertamina; cold mix kemasan 25 kg; agregat dari quarry Sungai Awan.",
                },
            ),
            DemoBid(
                SINAR,
                Decimal("776250000"),
                {"validity_days": "30", "duration_days": "60", "notes": "Aspal drum pen 60/70; cold mix; agregat."},
            ),
            DemoBid(
                BORNEO,
                Decimal("889750000"),
                {"validity_days": "60", "duration_days": "45", "notes": "Aspal drum pen 60/70 impor; cold mix."},
            ),
        ),
        evaluations=(
            (
                Stage.BID_EVALUATION,
                DEMO_VENDOR,
                _passed(
                    "Spesifikasi aspal pen 60/70, cold mix dan agregat serta penyerahan 60 hari memenuhi",
                    corrected_price=Decimal("798600000"),
                    price_reason="Koreksi aritmatik tidak mengubah harga; 91,8% dari HPS",
                ),
            ),
            (
                Stage.BID_EVALUATION,
                SINAR,
                {
                    "administrative_passed": False,
                    "administrative_reason": "Masa berlaku penawaran 30 hari kalender, kurang dari 60 hari yang "
                    "disyaratkan",
                },
            ),
            (
                Stage.BID_EVALUATION,
                BORNEO,
                _passed(
                    "Spesifikasi dan penyerahan 45 hari memenuhi",
                    corrected_price=Decimal("889750000"),
                    price_reason="Harga penawaran melebihi HPS Rp870.000.000,00: penawaran gugur",
                ),
            ),
            (
                Stage.QUALIFICATION_EVALUATION,
                DEMO_VENDOR,
                {
                    "qualification_passed": True,
                    "qualification_reason": "NIB perdagangan bahan konstruksi berlaku; usaha kecil; tidak dalam "
                    "daftar hitam",
                },
            ),
            (
                Stage.QUALIFICATION_PROOF,
                DEMO_VENDOR,
                {"proof_passed": True, "proof_reason": "Dokumen asli diperlihatkan dan sesuai; gudang di Ketapang"},
            ),
        ),
        winner=DEMO_VENDOR,
        winner_reasons="Penawaran terendah yang lulus evaluasi administrasi, teknis, harga dan kualifikasi.",
        objection=(
            SINAR,
            "Masa berlaku penawaran dapat kami perpanjang atas permintaan Pokja; kekurangan ini tidak semestinya "
            "menggugurkan penawaran terendah.",
        ),
        answer="Masa berlaku penawaran 60 hari kalender adalah syarat administrasi dalam Dokumen Pemilihan Bab III; "
        "penawaran tidak dapat diubah setelah batas akhir pemasukan. Sanggahan tidak benar.",
        award_letter="027/163/SPPBJ-BM/PUPR/{year}",
        contract="602.1/171/KTR-BM/PUPR/{year}",
        work_days=60,
    ),
    DemoStory(
        key="evaluation",
        bids=(
            DemoBid(
                SINAR,
                Decimal("3548000000"),
                {
                    "validity_days": "90",
                    "delivery_days": "90",
                    "brand": "Komatsu",
                    "model": "PC200-10M0",
                    "operating_weight_kg": "20100",
                    "tkdn_percent": "43",
                    "warranty_months": "24",
                    "workshop": "Pontianak (distributor resmi)",
                },
            ),
            DemoBid(
                DEMO_VENDOR,
                Decimal("3612500000"),
                {
                    "validity_days": "90",
                    "delivery_days": "75",
                    "brand": "Hitachi",
                    "model": "ZX200-5G",
                    "operating_weight_kg": "19900",
                    "tkdn_percent": "0",
                    "warranty_months": "12",
                    "workshop": "Pontianak (dealer)",
                },
            ),
            DemoBid(
                BORNEO,
                Decimal("3469000000"),
                {
                    "validity_days": "90",
                    "delivery_days": "120",
                    "brand": "Sany",
                    "model": "SY215C",
                    "operating_weight_kg": "21800",
                    "tkdn_percent": "15",
                    "warranty_months": "12",
                    "workshop": "Banjarmasin",
                },
            ),
        ),
        # Partly done: the committee is in the middle of the technical evaluation.
        evaluations=(
            (
                Stage.TECHNICAL_EVALUATION,
                SINAR,
                _passed(
                    "Komatsu PC200-10M0 memenuhi spesifikasi; TKDN 43%; bengkel resmi di Pontianak; garansi 24 bulan",
                    technical_score=Decimal("86.50"),
                ),
            ),
            (
                Stage.TECHNICAL_EVALUATION,
                DEMO_VENDOR,
                {
                    "administrative_passed": True,
                    "administrative_reason": "Surat penawaran, jaminan penawaran dan surat dukungan distributor "
                    "lengkap",
                },
            ),
        ),
    ),
]


# --- Moments ----------------------------------------------------------------------------------------------------


def _moment(window: lifecycle.Window | None, offset: timedelta, now: datetime, share: float) -> datetime | None:
    """`offset` into a window that has ended (a minute before its end at the latest); in a window open now, no later
    than `share` of the time elapsed since it opened. None if the window has not opened yet, or opened too recently
    for anybody to have done anything in it: then this step and the rest of the story wait."""
    if window is None or window.starts_at > now:
        return None
    if window.ends_at <= now:
        return min(window.starts_at + offset, window.ends_at - timedelta(minutes=1))
    elapsed = now - window.starts_at
    if elapsed < timedelta(minutes=5):
        return None
    return window.starts_at + min(offset, elapsed * share)


def _after(moment: datetime | None, delta: timedelta, now: datetime) -> datetime | None:
    return None if moment is None or moment + delta > now else moment + delta


def _shortened(window: lifecycle.Window, by: timedelta) -> lifecycle.Window:
    return lifecycle.Window(window.stage, window.starts_at, window.ends_at - by)


def _next_working_day(tender: Tender, moment: datetime, at: time) -> datetime:
    zone = clock.as_zone(tender.agency.time_zone)
    day = working_calendar_for(tender.agency).add_working_days(moment.astimezone(zone).date(), 1)
    return datetime.combine(day, at, tzinfo=zone)


def _working_days_before(tender: Tender, moment: datetime, days: int, at: time) -> datetime:
    zone = clock.as_zone(tender.agency.time_zone)
    calendar = working_calendar_for(tender.agency)
    day = moment.astimezone(zone).date()
    for _ in range(days):
        day -= timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
    return datetime.combine(day, at, tzinfo=zone)


class _Plan:
    """The steps of the history to replay, each at its moment, run in the order of their moments."""

    def __init__(self, now: datetime):
        self.now = now
        self.steps = []

    def add(self, moment: datetime, run: Callable[[], object]) -> None:
        if moment > self.now:
            raise RuntimeError(f"Demo history step at {moment} would be in the future")
        self.steps.append((moment, len(self.steps), run))

    def run(self) -> None:
        for moment, _order, step in sorted(self.steps, key=lambda entry: entry[:2]):
            with clock.replaying_at(moment):
                step()


# --- The people's steps -----------------------------------------------------------------------------------------


class _Committee:
    """The demo members' identities, read from their key files (passphrase: the demo password) when first needed."""

    def __init__(self):
        self._identities = {}

    def identity(self, email: str) -> pyrage.x25519.Identity:
        if email not in self._identities:
            path = key_directory() / f"kunci-panitia-{email}.age"
            text = pyrage.passphrase.decrypt(path.read_bytes(), DEMO_PASSWORD).decode()
            line = next(line for line in text.splitlines() if line.startswith("AGE-SECRET-KEY-"))
            self._identities[email] = pyrage.x25519.Identity.from_str(line)
        return self._identities[email]

    def share_of(self, box: SealedBox, email: str) -> bytes:
        """What the member's browser does: decrypt the member's share of this box with the member's identity."""
        box_share = box.shares.get(member__email=email)
        identity = self.identity(email)
        if box_share.member_recipient != str(identity.to_public()):
            raise RuntimeError(
                f"The key file of {email} in {key_directory()} is not the key box {box.public_id} was sealed to "
                "(it was made again after the tender was announced); its share cannot be decrypted."
            )
        return pyrage.decrypt(bytes(box_share.share_ciphertext), [identity])


def _tender(pk: int) -> Tender:
    return Tender.objects.select_related("agency", "ppk").get(pk=pk)


def _vendor_name(email: str) -> str:
    return Vendor.objects.get(users__email=email).name


def _register(bidder: tuple) -> None:
    email, person, name, npwp, address = bidder
    vendor = vendors.register_vendor(
        login_email=email,
        password=DEMO_PASSWORD,
        full_name=person,
        identity={
            "kind": "badan_usaha",
            "name": name,
            "business_form": name.split()[0],
            "npwp": npwp,
            "nib": "",
            "address": address,
            "city": "Ketapang",
            "province": "Kalimantan Barat",
            "phone": "0534-31000",
            "email": email,
            "website": "",
            "is_small_business": True,
            "is_pkp": True,
        },
    )
    EmailAddress.objects.filter(email=email).update(verified=True)  # the link in the confirmation e-mail
    _fill(vendor.users.get(), vendor)


def _submit_registration(email: str) -> None:
    user = _user(email)
    vendors.submit_for_verification(actor=user, vendor=Vendor.objects.get(users=user))


def _verify(email: str) -> None:
    vendor = Vendor.objects.get(users__email=email)
    submission = vendor.submissions.get(decided_at__isnull=True)
    checks = {"identity": {"status": "checked", "note": ""}}
    checks |= {item["id"]: {"status": "checked", "note": ""} for item in submission.snapshot["items"]}
    vendors.decide(actor=_user(DEMO_VERIFIER), submission=submission, checks=checks, approve=True)
    vendor.refresh_from_db()
    if vendor.activated_at is None:  # EPROC_VENDOR_ACTIVATION_BY_ADMIN: the administrator's step (Pasal 9(7)e)
        vendors.activate(actor=_user(DEMO_ADMIN), vendor=vendor)


def _join(tender_pk: int, email: str) -> None:
    tenders.join(actor=_user(email), tender=_tender(tender_pk))


def _download(tender_pk: int, email: str) -> None:
    for document in _tender(tender_pk).documents.all():
        tenders.record_download(actor=_user(email), document=document)


def _archive(tender: Tender, envelope: str, bid: DemoBid) -> bytes:
    """What the bid page packs in the browser: penawaran.json first, then the documents (docs/bid-envelope.md)."""
    declared = {"format": "eproc-bid/1", "tender": tender.public_id, "envelope": envelope}
    if envelope == "price":
        declared |= {"price": str(bid.price), "validity_days": bid.declared.get("validity_days", "")}
        documents = [("surat-penawaran-harga.pdf", "Surat Penawaran Harga"), ("rincian-harga.pdf", "Rincian Harga")]
    else:
        declared |= bid.declared
        documents = [("surat-penawaran.pdf", "Surat Penawaran")]
        if envelope == "single":
            declared["price"] = str(bid.price)
            documents.append(("daftar-kuantitas-dan-harga.pdf", "Daftar Kuantitas dan Harga"))
        documents.append(("penawaran-teknis.pdf", "Penawaran Teknis"))
    lines = [
        _vendor_name(bid.vendor),
        tender.title[:90],
        "Dokumen contoh untuk demo eproc; bukan penawaran sebenarnya.",
    ]
    if envelope != "technical":
        lines.insert(1, f"Harga penawaran: {format_rupiah(bid.price)}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("penawaran.json", json.dumps(declared, ensure_ascii=False, indent=2))
        for name, title in documents:
            archive.writestr(name, pdf_document(title, lines))
    return buffer.getvalue()


def _submit(tender_pk: int, envelope: str, bid: DemoBid) -> None:
    """Seal the archive to the box's recipient, commit its SHA-256 and size and upload it in one chunk, which
    completes it: the bid page."""
    tender = _tender(tender_pk)
    box = services.boxes(tender)[envelope]
    user = _user(bid.vendor)
    sealed = pyrage.encrypt(_archive(tender, envelope, bid), [pyrage.x25519.Recipient.from_str(box.recipient)])
    committed = bids.commit_envelope(actor=user, box=box, sha256=sha256(sealed).hexdigest(), size=len(sealed))
    bids.receive_chunk(actor=user, envelope=committed, offset=0, stream=io.BytesIO(sealed), length=len(sealed))


def _submit_share(tender_pk: int, envelope: str, email: str, committee: _Committee) -> None:
    box = services.boxes(_tender(tender_pk))[envelope]
    outcome = bids.submit_share(actor=_user(email), box=box, share_bytes=committee.share_of(box, email))
    if not outcome.accepted:
        raise RuntimeError(f"The share of {email} for box {box.public_id} was refused: {outcome.message}")


def _read(tender_pk: int) -> None:
    services.read_bids(actor=_user(DEMO_MEMBERS[0]), tender=_tender(tender_pk))


def _evaluate(tender_pk: int, email: str, values: dict) -> None:
    bid = Bid.objects.get(tender_id=tender_pk, participant__vendor__users__email=email)
    services.record_evaluation(actor=_user(DEMO_MEMBERS[0]), bid=bid, **values)


def _decide(tender_pk: int, story: DemoStory) -> None:
    tender = _tender(tender_pk)
    winner = tender.participants.get(vendor__users__email=story.winner)
    services.decide_winner(actor=_user(DEMO_MEMBERS[0]), tender=tender, winner=winner, reasons=story.winner_reasons)


def _announce(tender_pk: int) -> None:
    services.announce_winner(actor=_user(DEMO_MEMBERS[0]), tender=_tender(tender_pk))


def _object(tender_pk: int, story: DemoStory) -> None:
    email, text = story.objection
    services.file_objection(actor=_user(email), tender=_tender(tender_pk), text=text)


def _answer(tender_pk: int, story: DemoStory) -> None:
    objection = Objection.objects.get(tender_id=tender_pk)
    services.answer_objection(actor=_user(DEMO_MEMBERS[0]), objection=objection, answer=story.answer, justified=False)


def _award(tender_pk: int, story: DemoStory) -> None:
    tender = _tender(tender_pk)
    number = story.award_letter.format(year=clock.local_now(tender.agency.time_zone).year)
    services.issue_award_letter(actor=_user(tender.ppk.email), tender=tender, number=number)


def _contract(tender_pk: int, story: DemoStory) -> None:
    tender = _tender(tender_pk)
    letter = tender.award_letter
    signed_on = clock.today_in(tender.agency.time_zone)
    number = story.contract.format(year=signed_on.year)
    scan = pdf_document(
        f"Surat Perjanjian {number}",
        [
            tender.title[:90],
            f"Penyedia: {letter.result.winner.vendor.name}; SPPBJ {letter.number}",
            f"Nilai kontrak: {format_rupiah(letter.value)}; jangka waktu {story.work_days} hari kalender",
            "Pindaian kontrak contoh untuk demo eproc; bukan kontrak yang sebenarnya.",
        ],
    )
    services.record_contract(
        actor=_user(tender.ppk.email),
        tender=tender,
        number=number,
        signed_on=signed_on,
        value=letter.value,
        starts_on=signed_on,
        ends_on=signed_on + timedelta(days=story.work_days - 1),
        scan=SimpleUploadedFile(f"kontrak-{tender.public_id}.pdf", scan, content_type="application/pdf"),
    )


# --- The story of one tender ------------------------------------------------------------------------------------

_UPLOAD_OFFSETS = (timedelta(hours=1, minutes=30), timedelta(hours=5), timedelta(hours=26))  # 09:30, 13:00, day 2


def _pending(tender: Tender) -> bool:
    """Nothing of the second half has happened to this tender yet (else it is left as it is)."""
    boxes = SealedBox.objects.filter(reference=tender.public_id)
    return not (
        tender.bids.exists()
        or boxes.filter(envelopes__isnull=False).exists()
        or boxes.filter(opened_at__isnull=False).exists()
    )


def _story_steps(story: DemoStory, tender: Tender, now: datetime, committee: _Committee) -> list:
    """(moment, step) of the tender's second half in order, up to the first step whose moment has not come."""
    windows = {window.stage: window for window in lifecycle.windows(tender)}
    two_files = tender.file_system != FileSystem.ONE_FILE
    envelopes = ("technical", "price") if two_files else ("single",)
    opening = windows[Stage.OPENING_TECHNICAL if two_files else Stage.OPENING]
    pk = tender.pk
    steps = []

    def add(moment, run=None):
        steps.append((moment, run))

    announcement = windows[tenders.stages_of(tender)[0]]
    joined = set(tender.participants.values_list("vendor__users__email", flat=True))
    for number, bid in enumerate(bid for bid in story.bids if bid.vendor not in joined):
        moment = _moment(announcement, timedelta(hours=3, minutes=45 * number), now, 0.5)
        add(moment, lambda email=bid.vendor: _join(pk, email))
        add(_after(moment, timedelta(minutes=15), now), lambda email=bid.vendor: _download(pk, email))

    # The last bid comes in the next day, or ten minutes before the deadline of a one-day upload stage.
    upload = _shortened(windows[Stage.BID_UPLOAD], timedelta(minutes=10))
    for bid, offset in zip(story.bids, _UPLOAD_OFFSETS, strict=False):
        moment = _moment(upload, offset, now, 0.5)
        for number, kind in enumerate(envelopes):
            add(_after(moment, timedelta(minutes=4 * number), now), lambda kind=kind, bid=bid: _submit(pk, kind, bid))

    # The first box opens with k shares; a two-file tender's price box stays held until the technical evaluation.
    quorum = DEMO_MEMBERS[: tender.opening_quorum]
    for number, email in enumerate(quorum):
        moment = _moment(opening, timedelta(minutes=30 + 10 * number), now, 0.5)
        add(moment, lambda email=email: _submit_share(pk, envelopes[0], email, committee))
    add(_moment(opening, timedelta(minutes=40 + 10 * len(quorum)), now, 0.6), lambda: _read(pk))

    counts = Counter(stage for stage, _email, _values in story.evaluations)
    seen = Counter()
    for stage, email, values in story.evaluations:
        index = seen[stage]
        seen[stage] += 1
        moment = _moment(
            windows.get(stage), timedelta(hours=1, minutes=40 * index), now, (index + 1) / (counts[stage] + 1)
        )
        add(moment, lambda email=email, values=values: _evaluate(pk, email, values))

    if story.winner:
        add(_moment(windows[Stage.WINNER_DECISION], timedelta(hours=1), now, 0.5), lambda: _decide(pk, story))
        add(_moment(windows[Stage.WINNER_ANNOUNCEMENT], timedelta(hours=1), now, 0.5), lambda: _announce(pk))
    if story.objection:
        objections = windows[Stage.OBJECTIONS]
        filed = _moment(objections, timedelta(hours=2), now, 0.5)
        add(filed, lambda: _object(pk, story))
        if filed is not None and objections.ends_at <= now:
            # Answered the next working day, inside the objection period.
            answered = min(_next_working_day(tender, filed, time(10, 0)), objections.ends_at - timedelta(hours=1))
            add(max(answered, filed + timedelta(minutes=30)), lambda: _answer(pk, story))
        else:
            add(None)  # the objection period is open: the committee answers in the days to come, nothing follows
    if story.award_letter:
        add(_moment(windows.get(Stage.AWARD_LETTER), timedelta(hours=2), now, 0.5), lambda: _award(pk, story))
    if story.contract:
        add(_moment(windows.get(Stage.CONTRACT), timedelta(hours=3), now, 0.5), lambda: _contract(pk, story))

    done = []
    for moment, run in steps:
        if moment is None:
            break
        done.append((moment, run))
    return done


def _bidder_steps(plan: _Plan, pending: list[Tender], first: datetime) -> None:
    """Register the new demo vendors three working days before the first tender they join; the Verifikator approves
    them the next working day."""
    tender = pending[0]
    verifier_since = (
        Appointment.objects.filter(user__email=DEMO_VERIFIER, role=Role.VERIFIKATOR, revoked_at__isnull=True)
        .order_by("valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )
    for number, bidder in enumerate(DEMO_BIDDERS):
        email, _person, _name, npwp, _address = bidder
        if Vendor.objects.filter(npwp=npwp).exists():
            continue
        registered = _working_days_before(tender, first, 3, time(9, 0)) + timedelta(minutes=50 * number)
        verified = _working_days_before(tender, first, 2, time(10, 0)) + timedelta(minutes=30 * number)
        zone = clock.as_zone(tender.agency.time_zone)
        if verifier_since is None or registered < datetime.combine(verifier_since, time(0, 0), tzinfo=zone):
            raise RuntimeError(
                f"The demo Verifikator is appointed from {verifier_since}, too late to verify {email} before "
                f"{first:%d-%m-%Y} (load the organizations demo first)"
            )
        plan.add(registered, lambda bidder=bidder: _register(bidder))
        plan.add(registered + timedelta(minutes=35), lambda email=email: _submit_registration(email))
        plan.add(verified, lambda email=email: _verify(email))


# --- What the newcomer reads ------------------------------------------------------------------------------------


def _status(tender: Tender, now: datetime) -> list[str]:
    boxes = services.boxes(tender)
    read = list(tender.bids.select_related("participant__vendor", "evaluation"))
    opened = [box for box in boxes.values() if box.opened_at is not None]
    if not read:
        if opened:
            return [f"box opened {_when(opened[0].opened_at, tender)}, bids not read yet"]
        return ["no bid submitted yet"]
    lines = []
    if tender.file_system != FileSystem.ONE_FILE:
        steps = ("administrative", "technical")
        decided = sum(all(getattr(bid.evaluation, f"{step}_passed") is not None for step in steps) for bid in read)
        begun = sum(any(getattr(bid.evaluation, f"{step}_passed") is not None for step in steps) for bid in read)
        lines.append(f"{len(read)} technical envelopes opened {_when(boxes['technical'].opened_at, tender)} and read")
        window = lifecycle.window_of(tender, Stage.TECHNICAL_EVALUATION)
        if window.starts_at > now:
            lines.append(f"technical evaluation opens {_when(window.starts_at, tender)}; nothing evaluated yet")
        else:
            lines.append(f"technical evaluation: {decided} of {len(read)} bids decided, {begun - decided} begun")
        price = boxes["price"]
        if price.opened_at is None and price.released_at is None:
            lines.append("price box held until the committee concludes the technical evaluation")
        return lines
    box = boxes["single"]
    lines.append(
        f"{len(read)} bids opened {_when(box.opened_at, tender)} with {box.threshold} of "
        f"{box.shares.count()} committee shares"
    )
    result = selectors.standing_result(tender)
    if result is not None:
        text = f"winner {result.winner.vendor.name}, {format_rupiah(result.winning_price)}"
        if result.announced_at:
            text += f", announced {_when(result.announced_at, tender)}"
        lines.append(text)
    objections = lifecycle.window_of(tender, Stage.OBJECTIONS)
    if result is not None and result.announced_at and objections.contains(now) and not tender.objections.exists():
        lines.append(f"objection period open until {_when(objections.ends_at, tender)}; no objection yet")
    for objection in selectors.objections_of(tender):
        by = f"objection by {objection.participant.vendor.name}"
        if objection.answered_at is None:
            lines.append(f"{by}, unanswered (answer due {_when(objection.answer_due, tender)})")
        else:
            verdict = "justified" if objection.justified else "not justified"
            lines.append(f"{by} answered {_when(objection.answered_at, tender)}: {verdict}")
    letter = getattr(tender, "award_letter", None)
    if letter is not None:
        lines.append(f"SPPBJ {letter.number} issued {_when(letter.issued_at, tender)}")
    contract = getattr(tender, "contract", None)
    if contract is not None:
        lines.append(
            f"contract {contract.number}, {format_rupiah(contract.value)}, signed {contract.signed_on:%d-%m-%Y}"
        )
    return lines


def load_demo() -> list[str]:
    """Replay the second half of the demo tenders past their opening; return the lines `load_demo` prints."""
    now = clock.now()
    specs = {spec.key: spec for spec in DEMO_TENDERS}
    found = {story.key: Tender.objects.filter(title=specs[story.key].title).first() for story in DEMO_STORIES}
    pending = {key: tender for key, tender in found.items() if tender is not None and _pending(tender)}
    skipped = {}
    if pending and not replay_allowed():
        skipped = dict.fromkeys(pending, "skipped, its past needs EPROC_DEBUG=1")
        pending = {}
    if pending:
        committee = _Committee()
        plan = _Plan(now)
        stories = {story.key: story for story in DEMO_STORIES}
        history = {key: _story_steps(stories[key], tender, now, committee) for key, tender in pending.items()}
        earliest = min((moment for steps in history.values() for moment, _run in steps), default=now)
        if LogEntry.objects.filter(created_at__gt=earliest).exists():
            # The frozen checkpoint of a box counts the receipts made before its deadline: receipts replayed after
            # later ones would be missing from it.
            skipped = dict.fromkeys(pending, "skipped: the bid receipt log holds receipts later than its bids")
        else:
            first = min(window.starts_at for t in pending.values() for window in lifecycle.windows(t))
            _bidder_steps(plan, list(pending.values()), first)
            for steps in history.values():
                for moment, run in steps:
                    plan.add(moment, run)
            with transaction.atomic():
                plan.run()

    lines = []
    for story in DEMO_STORIES:
        spec = specs[story.key]
        tender = found[story.key]
        if tender is None:
            lines.append(f"  {spec.heading:27} {spec.title}: no such tender (see Tenders)")
            continue
        tender = Tender.objects.get(pk=tender.pk)
        if story.key in skipped:
            lines.append(f"  {spec.heading:27} {tender.title}: {skipped[story.key]}")
            continue
        lines.append(f"  {spec.heading:27} {tender.title}")
        lines.extend(f"  {'':27} {line}" for line in _status(tender, now))
    bidders = [DEMO_VENDOR, *(bidder[0] for bidder in DEMO_BIDDERS if Vendor.objects.filter(npwp=bidder[3]).exists())]
    line = f"  Bidders {', '.join(bidders)}"
    if Bid.objects.filter(tender__in=[tender for tender in found.values() if tender is not None]).exists():
        line += "; the boxes were opened with k shares decrypted from the committee key files above"
    lines.append(line)
    return lines
