"""Demo tenders: one in each situation a newcomer should meet after `make run`, relative to the real current time.

Everything goes through the services, as a committee, a PPK and a vendor would have done it. A tender that is in its
explanation session today was made weeks ago, so each step of its history runs inside `clock.replaying_at(moment)`
at the moment it would have happened (creation, approval, announcement at the first stage's start, joining while the
documents can be downloaded, questions inside the explanation window...); its audit trail reads as a real one.

Each schedule is `services.propose_schedule(tender, start=t0)` (so it meets the ruleset, on working days and in
office hours); t0 is found by stepping back a working day at a time until the wanted stage contains now. A stage
that lasts one office day cannot contain a night, a weekend or a holiday: then the tender waits for that stage to
open next, and the printed line says so.

Idempotent: tenders (and the plan items made here) are keyed by their title; a second run creates nothing.
"""

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Max

from eproc.accounts.models import User
from eproc.bids.demo import DEMO_MEMBERS, _ensure_member_key
from eproc.core import clock
from eproc.organizations import services as organizations
from eproc.organizations.demo import DEMO_PASSWORD, DEMO_VALID_FROM, ensure_demo_password
from eproc.organizations.models import Appointment, WorkUnit
from eproc.organizations.roles import Role
from eproc.organizations.selectors import active_appointments, working_calendar_for
from eproc.planning import services as planning
from eproc.planning.models import PlanItem
from eproc.vendors.policies import eligibility, vendor_of

from . import lifecycle, services
from . import rules as rulesets
from .choices import FileSystem
from .lifecycle import Stage
from .models import Tender, TenderDocument

DEMO_VENDOR = "penyedia@cv-maju.demo"  # the verified vendor of vendors.demo
DEMO_PA = "pa.pupr@ketapang.demo"
DEMO_ADMIN = "admin@lpse.demo"
PUPR = "Dinas Pekerjaan Umum dan Penataan Ruang"
RSUD = "RSUD dr. Agoesdjam"
# Work units of the demo that have no PPK in organizations.demo get one here (Pasal 7(3)b needs one to approve).
EXTRA_PPK = {RSUD: ("ppk.rsud@ketapang.demo", "dr. Rina Kartikasari, M.Kes.", "800/PPK-RSUD/D201/2026")}
FINISHED = "finished"


@dataclass(frozen=True)
class DemoTender:
    key: str  # draft | awaiting_approval | joinable | clarification | bid_upload | evaluation | objections | finished
    heading: str
    title: str
    work_unit: str
    classification: dict
    target: Stage | str | None = None  # the stage that should contain now (FINISHED: every stage has ended)
    # A plan item to make (and announce, at the right moment of the past) for this tender; None: planning.demo's.
    plan: dict | None = None
    questions: tuple = ()  # (section, question, answer or "") asked by the demo vendor in the explanation session
    addendum: str = ""  # change note of an addendum issued after the explanation session


_POST_ONE_FILE = {"qualification": "pascakualifikasi", "file_system": "satu_file", "evaluation_method": "gugur"}

DEMO_TENDERS = [
    DemoTender(
        key="draft",
        heading="Draft",
        title="Pembangunan Jembatan Gantung Desa Sungai Besar (contoh)",
        work_unit=PUPR,
        classification={
            "description": "Jembatan gantung pejalan kaki bentang 60 m beserta oprit dan pengaman tebing.",
            "owner_estimate": Decimal("1420000000"),
            "category": "konstruksi",
            "method": "pemilihan_langsung",
            **_POST_ONE_FILE,
            "contract_type": "lump_sum",
            "small_business_reserved": True,
            "qualification_requirements": "SBU Jembatan (SI003); pengalaman jembatan gantung 4 tahun terakhir.",
        },
    ),
    DemoTender(
        key="awaiting_approval",
        heading="Awaiting PPK approval",
        title="Pengadaan Alat Kesehatan Ruang Operasi (contoh)",
        work_unit=RSUD,
        classification={
            "description": "Meja operasi, lampu operasi, mesin anestesi dan electrosurgical unit untuk dua kamar "
            "operasi.",
            "owner_estimate": Decimal("3150000000"),
            "category": "barang",
            "method": "lelang_umum",
            "qualification": "pascakualifikasi",
            "file_system": "dua_file",
            "evaluation_method": "nilai",
            "technical_weight": 70,
            "price_weight": 30,
            "contract_type": "harga_satuan",
            "qualification_requirements": "Izin Penyalur Alat Kesehatan (IPAK); dukungan pabrikan.",
        },
    ),
    DemoTender(
        key="joinable",
        heading="Open for joining",
        title="Perencanaan Teknis Jembatan Sungai Pawan II (contoh)",
        work_unit=PUPR,
        target=Stage.ANNOUNCEMENT_PRE,
        plan={
            "location": "Kecamatan Delta Pawan",
            "budget": Decimal("950000000"),
            "procurement_type": "konsultansi",
            "planned_method": "seleksi_umum",
        },
        classification={
            "description": "Survei, penyelidikan tanah dan desain rinci (DED) jembatan rangka baja bentang 120 m.",
            "owner_estimate": Decimal("920000000"),
            "category": "konsultansi_badan_usaha",
            "method": "seleksi_umum",
            "qualification": "prakualifikasi",
            "file_system": "dua_file",
            "evaluation_method": "kualitas_biaya",
            "technical_weight": 70,
            "price_weight": 30,
            "contract_type": "lump_sum",
            "qualification_requirements": "SBU Jasa Perencanaan Rekayasa (RE102); tenaga ahli jembatan madya.",
        },
    ),
    DemoTender(
        key="clarification",
        heading="Pemberian Penjelasan",
        title="Peningkatan Jalan Ketapang - Sukabangun (contoh)",
        work_unit=PUPR,
        target=Stage.CLARIFICATION,
        plan={
            "location": "Kecamatan Delta Pawan",
            "budget": Decimal("2900000000"),
            "procurement_type": "konstruksi",
            "planned_method": "lelang_umum",
        },
        classification={
            "description": "Peningkatan struktur jalan 2,4 km dengan lapis AC-WC dan perbaikan saluran samping.",
            "owner_estimate": Decimal("2850000000"),
            "category": "konstruksi",
            "method": "lelang_umum",
            **_POST_ONE_FILE,
            "contract_type": "harga_satuan",
            "qualification_requirements": "SBU Jalan Raya (SI001); KD paling kurang Rp2,85 miliar.",
            "opening_quorum": 2,
        },
        questions=(
            (
                "spesifikasi",
                "Apakah lapis AC-WC boleh memakai aspal modifikasi polimer, atau harus aspal pen 60/70?",
                "Aspal pen 60/70 sesuai Spesifikasi Umum Bina Marga 2018 Divisi 6; aspal modifikasi tidak diminta.",
            ),
            ("boq", "Volume galian saluran pada item 2.3 tampak lebih kecil dari gambar potongan. Mohon dicek.", ""),
        ),
    ),
    DemoTender(
        key="bid_upload",
        heading="Upload Dokumen Penawaran",
        title="Pengadaan Peralatan Laboratorium Uji Bahan Konstruksi (contoh)",
        work_unit=PUPR,
        target=Stage.BID_UPLOAD,
        plan={
            "location": "UPT Laboratorium Dinas PUPR, Ketapang",
            "budget": Decimal("640000000"),
            "procurement_type": "barang",
            "planned_method": "lelang_sederhana",
        },
        classification={
            "description": "Compression testing machine, alat uji Marshall, saringan dan oven laboratorium.",
            "owner_estimate": Decimal("615000000"),
            "category": "barang",
            "method": "lelang_sederhana",
            **_POST_ONE_FILE,
            "contract_type": "lump_sum",
            "small_business_reserved": True,
            "qualification_requirements": "SIUP/NIB bidang perdagangan alat laboratorium.",
            "opening_quorum": 2,
        },
        questions=(
            (
                "spesifikasi",
                "Berapa kapasitas compression testing machine yang diminta, 1500 kN atau 2000 kN?",
                "2000 kN, digital, dengan sertifikat kalibrasi KAN. Akan dituangkan dalam adendum.",
            ),
            (
                "sskk",
                "Apakah pelatihan operator termasuk dalam harga penawaran?",
                "Ya, pelatihan 2 hari untuk 4 operator di laboratorium termasuk dalam harga.",
            ),
        ),
        addendum="Spesifikasi compression testing machine diubah dari 1500 kN menjadi 2000 kN (digital, kalibrasi "
        "KAN), sesuai hasil Pemberian Penjelasan; daftar kuantitas item 1 diperbarui.",
    ),
    DemoTender(
        key="evaluation",
        heading="Evaluasi (opening passed)",
        title="Pengadaan Excavator untuk UPT Pemeliharaan Jalan (contoh)",
        work_unit=PUPR,
        target=Stage.TECHNICAL_EVALUATION,
        plan={
            "location": "UPT Pemeliharaan Jalan dan Jembatan, Ketapang",
            "budget": Decimal("3800000000"),
            "procurement_type": "barang",
            "planned_method": "lelang_umum",
        },
        classification={
            "description": "Dua unit excavator 20 ton dengan layanan purna jual di Kalimantan Barat.",
            "owner_estimate": Decimal("3750000000"),
            "category": "barang",
            "method": "lelang_umum",
            "qualification": "pascakualifikasi",
            "file_system": "dua_file",
            "evaluation_method": "nilai",
            "technical_weight": 70,
            "price_weight": 30,
            "contract_type": "harga_satuan",
            "qualification_requirements": "Surat dukungan distributor resmi; bengkel di Kalimantan Barat.",
            "opening_quorum": 2,
        },
        questions=(
            (
                "spesifikasi",
                "Apakah excavator boleh rakitan dalam negeri dengan TKDN di bawah 40%?",
                "Boleh; preferensi harga TKDN diberikan sesuai Perpres 54/2010 Pasal 100.",
            ),
        ),
    ),
    DemoTender(
        key="objections",
        heading="Masa Sanggah",
        title="Pembangunan Drainase Jalan Gajah Mada (contoh)",
        work_unit=PUPR,
        target=Stage.OBJECTIONS,
        plan={
            "location": "Kecamatan Delta Pawan",
            "budget": Decimal("1950000000"),
            "procurement_type": "konstruksi",
            "planned_method": "lelang_umum",
        },
        classification={
            "description": "Saluran beton bertulang 1.200 m kiri-kanan jalan dan gorong-gorong boks.",
            "owner_estimate": Decimal("1900000000"),
            "category": "konstruksi",
            "method": "lelang_umum",
            **_POST_ONE_FILE,
            "contract_type": "harga_satuan",
            "small_business_reserved": True,
            "qualification_requirements": "SBU Saluran Air (SI004).",
            "opening_quorum": 2,
        },
        questions=(
            (
                "boq",
                "Apakah pembongkaran saluran lama dihitung terpisah dari galian?",
                "Ya, pada item 1.4 daftar kuantitas.",
            ),
        ),
    ),
    DemoTender(
        key="finished",
        heading="Finished",
        title="Pengadaan Aspal dan Material Pemeliharaan Rutin Jalan (contoh)",
        work_unit=PUPR,
        target=FINISHED,
        plan={
            "location": "Gudang UPT Pemeliharaan Jalan, Ketapang",
            "budget": Decimal("890000000"),
            "procurement_type": "barang",
            "planned_method": "lelang_sederhana",
        },
        classification={
            "description": "Aspal drum pen 60/70, cold mix dan agregat untuk tambal lubang jalan kabupaten.",
            "owner_estimate": Decimal("870000000"),
            "category": "barang",
            "method": "lelang_sederhana",
            **_POST_ONE_FILE,
            "contract_type": "harga_satuan",
            "small_business_reserved": True,
            "qualification_requirements": "NIB bidang perdagangan bahan konstruksi.",
        },
        questions=(("ldp", "Apakah penyerahan boleh bertahap?", "Boleh, paling banyak tiga tahap dalam 60 hari."),),
    ),
]


# --- Small helpers ----------------------------------------------------------------------------------------------


def _user(email: str) -> User:
    """Fetched afresh for each step: grants are cached on the user object, and each step has its own moment."""
    return User.objects.get(email=email)


def _pdf_text(value: str) -> bytes:
    value = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return value.encode("latin-1", errors="replace")


def pdf_document(title: str, lines: list[str]) -> bytes:
    """A small but real one-page PDF (catalog, page, Helvetica, text stream, cross-reference table)."""
    content = b"BT /F1 15 Tf 56 780 Td (" + _pdf_text(title) + b") Tj /F1 10 Tf"
    for line in lines:
        content += b" 0 -18 Td (" + _pdf_text(line) + b") Tj"
    content += b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += str(number).encode() + b" 0 obj\n" + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 " + str(len(objects) + 1).encode() + b"\n0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += b"trailer\n<< /Size " + str(len(objects) + 1).encode() + b" /Root 1 0 R >>\n"
    out += b"startxref\n" + str(xref).encode() + b"\n%%EOF\n"
    return bytes(out)


def _upload(name: str, title: str, lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_document(title, lines), content_type="application/pdf")


def _replaying(moment: datetime | None):
    """Run at `moment` of the past; None runs at the real now (tenders with no history)."""
    return nullcontext() if moment is None else clock.replaying_at(moment)


def replay_allowed() -> bool:
    try:
        with clock.replaying_at(clock.now()):
            return True
    except RuntimeError:
        return False


# --- People -----------------------------------------------------------------------------------------------------


def _ppk_of(work_unit: WorkUnit, admin: User) -> User:
    """The PPK of the work unit; one is appointed (organizations.services) if the demo has none there."""
    appointment = active_appointments().filter(role=Role.PPK, work_unit=work_unit).select_related("user").first()
    if appointment is not None:
        return appointment.user
    email, full_name, decree = EXTRA_PPK[work_unit.name]
    organizations.appoint_by_email(
        actor=admin,
        email=email,
        full_name=full_name,
        role=Role.PPK,
        agency=work_unit.agency,
        work_unit=work_unit,
        decree_number=decree,
        decree_date=DEMO_VALID_FROM,
        decree_file=_upload(f"SK {decree}.pdf".replace("/", "-"), f"Surat Keputusan {decree}", [full_name, "PPK"]),
        valid_from=DEMO_VALID_FROM,
    )
    user = _user(email)
    ensure_demo_password(user)
    return user


# --- Finding the start of the schedule --------------------------------------------------------------------------


def _probe(spec: DemoTender, work_unit: WorkUnit) -> Tender:
    """An unsaved tender with what the proposer reads (agency, method, stages, ruleset), to search for t0 before
    the real tender is made at the right moment of the past."""
    rules = rulesets.ruleset(settings.EPROC_RULESET)
    values = spec.classification
    return Tender(
        agency=work_unit.agency,
        work_unit=work_unit,
        method=values["method"],
        qualification=values["qualification"],
        file_system=values["file_system"],
        ruleset_version=rules.version,
        sandbox=False,
    )


def _candidate_starts(tender: Tender, now: datetime):
    """Starts for the proposer, latest first: each working day back from today (first stage at 08:00), or, in the
    sandbox where a working day lasts a minute, each minute back."""
    if rulesets.for_tender(tender).sandbox:
        base = now.replace(second=0, microsecond=0)
        for minutes in range(24 * 60):
            yield base - timedelta(minutes=minutes)
        return
    calendar = working_calendar_for(tender.agency)
    zone = clock.as_zone(tender.agency.time_zone)
    day = now.astimezone(zone).date()
    for _ in range(400):
        if calendar.is_working_day(day):
            # 07:45 rounds up to 08:00, so the first stage opens at the start of that working day.
            yield datetime.combine(day, time(7, 45), tzinfo=zone)
        day -= timedelta(days=1)


def _opens_next(slots: dict, stage: Stage, now: datetime) -> bool:
    upcoming = [slot.starts_at for slot in slots.values() if slot.starts_at > now]
    return slots[stage].starts_at > now and min(upcoming) == slots[stage].starts_at


def fit_schedule(tender: Tender, target, now: datetime) -> tuple[datetime, dict, bool]:
    """(t0, proposed schedule, exact): the latest t0 whose proposal has `target` open now (or every stage ended,
    for FINISHED). If none does (a one-day stage, now outside office hours), the proposal in which `target` is the
    next stage to open, as soon as possible, with exact False."""
    nearest = None
    for start in _candidate_starts(tender, now):
        slots = services.propose_schedule(tender, start=start)
        if target == FINISHED:
            if all(slot.ends_at <= now for slot in slots.values()):
                return start, slots, True
            continue
        slot = slots[target]
        if slot.starts_at <= now < slot.ends_at:
            return start, slots, True
        if slot.ends_at <= now:
            break  # stepping further back only moves the stage further into the past
        if _opens_next(slots, target, now) and (nearest is None or slot.starts_at < nearest[1][target].starts_at):
            nearest = (start, slots)
    if nearest is None:
        raise RuntimeError(f"No schedule puts {target} around {now:%Y-%m-%d %H:%M}")
    return nearest[0], nearest[1], False


# --- Moments of the history -------------------------------------------------------------------------------------


class _Moments:
    """Moments of a tender's past, anchored on its schedule: working days before the announcement for the
    paperwork, offsets into a stage for what happens during it (fractions of it in the sandbox)."""

    def __init__(self, tender: Tender, now: datetime):
        self.calendar = working_calendar_for(tender.agency)
        self.zone = clock.as_zone(tender.agency.time_zone)
        self.sandbox = rulesets.for_tender(tender).sandbox
        self.now = now

    def before(self, moment: datetime, working_days: int, at: time) -> datetime:
        day = moment.astimezone(self.zone).date()
        for _ in range(working_days):
            day -= timedelta(days=1)
            while not self.calendar.is_working_day(day):
                day -= timedelta(days=1)
        return datetime.combine(day, at, tzinfo=self.zone)

    def during(self, window: lifecycle.Window, offset: timedelta, fraction: float) -> datetime:
        moment = (
            window.starts_at + (window.ends_at - window.starts_at) * fraction
            if self.sandbox
            else window.starts_at + offset
        )
        return self.checked(min(moment, window.ends_at - timedelta(seconds=1)))

    def checked(self, moment: datetime) -> datetime:
        if moment > self.now:
            raise RuntimeError(f"Demo history step at {moment} would be in the future")
        return moment


# Working days before the announcement when the plan item is announced, the tender made, its approval asked and
# given: weeks before if the demo appointments allow it, else closer (a demo loaded soon after they begin).
_PAPERWORK = ((20, 15, 10, 8), (10, 7, 4, 2), (3, 2, 1, 1))


def _appointed_since(ppk_email: str, tender: Tender) -> datetime:
    """The first moment at which every demo official of the tender holds their role (replayed steps before it
    would be refused, rightly, by the policies)."""
    day = Appointment.objects.filter(
        user__email__in=[DEMO_PA, ppk_email, *DEMO_MEMBERS], revoked_at__isnull=True
    ).aggregate(Max("valid_from"))["valid_from__max"]
    return datetime.combine(day, time(0, 0), tzinfo=clock.as_zone(tender.agency.time_zone))


def _paperwork(moments, first: datetime, *, earliest: datetime) -> tuple[datetime, datetime, datetime, datetime]:
    for planned, created, asked, approved in _PAPERWORK:
        steps = (
            moments.before(first, planned, time(9, 0)),
            moments.before(first, created, time(9, 0)),
            moments.before(first, asked, time(10, 0)),
            moments.before(first, approved, time(11, 0)),
        )
        if steps[0] >= earliest:
            return steps
    raise RuntimeError(
        f"The demo appointments begin on {earliest:%d-%m-%Y}, too late for a tender announced on {first:%d-%m-%Y}"
    )


# --- Building one tender ----------------------------------------------------------------------------------------


def _documents(spec: DemoTender) -> list[tuple[str, str, str]]:
    documents = [(TenderDocument.Kind.PROCUREMENT, "Dokumen Pemilihan", "dokumen-pemilihan.pdf")]
    if spec.classification["qualification"] == "prakualifikasi":
        documents.insert(0, (TenderDocument.Kind.QUALIFICATION, "Dokumen Kualifikasi", "dokumen-kualifikasi.pdf"))
    return documents


def _prepare(spec: DemoTender, *, plan_item, ppk_email: str, created: datetime | None, schedule_start, documents: bool):
    """Create the tender, set its proposed schedule and (if asked) upload its documents, a few minutes apart from
    `created` (None: at the real now)."""
    chair, *others = DEMO_MEMBERS

    def after(minutes: int):
        return _replaying(None if created is None else created + timedelta(minutes=minutes))

    with after(0):
        tender = services.create_tender(
            actor=_user(chair),
            plan_item=plan_item,
            ppk=_user(ppk_email),
            committee=[_user(email) for email in others],
            title=spec.title,
            # Real schedules relative to today, even where the training sandbox is on.
            sandbox=False,
            **spec.classification,
        )
    with after(20):
        services.set_schedule(
            actor=_user(chair), tender=tender, slots=services.propose_schedule(tender, start=schedule_start)
        )
    if not documents:
        return tender
    for number, (kind, title, name) in enumerate(_documents(spec)):
        with after(40 + 10 * number):
            services.add_document(
                actor=_user(chair),
                tender=tender,
                kind=kind,
                title=title,
                upload=_upload(
                    name,
                    f"{title}: {spec.title}",
                    [
                        f"{tender.agency.name} - {tender.work_unit.name}",
                        f"Metode: {tender.method_label}",
                        f"Lokasi: {tender.location}",
                        "Dokumen contoh untuk demo eproc; bukan dokumen pengadaan yang sebenarnya.",
                    ],
                ),
            )
    return tender


def _plan_item(spec: DemoTender, *, at: datetime | None) -> PlanItem:
    """The plan item the tender comes from: planning.demo's by package name, or one made here, announced `at`."""
    if spec.plan is None:
        return PlanItem.objects.get(package_name=spec.title, announced_at__isnull=False)
    item = PlanItem.objects.filter(package_name=spec.title).first()
    if item is not None:
        return item
    pa = _user(DEMO_PA)
    work_unit = WorkUnit.objects.get(agency__code="D201", name=spec.work_unit)
    moment = at or clock.now()
    local = moment.astimezone(clock.as_zone(work_unit.agency.time_zone))
    with _replaying(at):
        item = planning.create_item(
            actor=pa,
            work_unit=work_unit,
            fiscal_year=local.year,
            package_name=spec.title,
            description=spec.classification.get("description", ""),
            fund_source="apbd",
            planned_month=local.month,
            budget_reference=f"DPA-SKPD {work_unit.code}/{local.year}",
            **spec.plan,
        )
        return planning.announce(actor=pa, item=item)


def _build_unannounced(spec: DemoTender, ppk_email: str) -> None:
    plan_item = _plan_item(spec, at=None)
    tender = _prepare(
        spec,
        plan_item=plan_item,
        ppk_email=ppk_email,
        created=None,
        schedule_start=None,
        documents=spec.key == "awaiting_approval",
    )
    if spec.key == "awaiting_approval":
        services.request_approval(actor=_user(DEMO_MEMBERS[0]), tender=tender)


def _build_with_history(spec: DemoTender, ppk_email: str, now: datetime) -> None:
    work_unit = WorkUnit.objects.get(agency__code="D201", name=spec.work_unit)
    probe = _probe(spec, work_unit)
    start, slots, _exact = fit_schedule(probe, spec.target, now)
    first = min(slot.starts_at for slot in slots.values())
    moments = _Moments(probe, now)
    planned, created, asked, approved = _paperwork(moments, first, earliest=_appointed_since(ppk_email, probe))
    plan_item = _plan_item(spec, at=planned)
    tender = _prepare(
        spec, plan_item=plan_item, ppk_email=ppk_email, created=created, schedule_start=start, documents=True
    )
    chair = DEMO_MEMBERS[0]
    with clock.replaying_at(asked):
        services.request_approval(actor=_user(chair), tender=tender)
    with clock.replaying_at(approved):
        services.decide_approval(
            actor=_user(ppk_email), tender=tender, approve=True, note="Klasifikasi dan HPS sesuai DPA; disetujui."
        )
    with clock.replaying_at(moments.checked(first)):
        tender = services.announce(actor=_user(chair), tender=tender)
    if spec.key == "joinable":
        return  # left for the demo vendor to join

    windows = {window.stage: window for window in lifecycle.windows(tender)}
    announcement = windows[services.stages_of(tender)[0]]
    with clock.replaying_at(moments.during(announcement, timedelta(hours=2), 0.2)):
        services.join(actor=_user(DEMO_VENDOR), tender=tender)
    with clock.replaying_at(moments.during(announcement, timedelta(hours=2, minutes=15), 0.3)):
        for document in tender.documents.all():
            services.record_download(actor=_user(DEMO_VENDOR), document=document)

    clarification = windows[Stage.CLARIFICATION]
    if spec.key == "clarification":
        _ask_now(spec, tender, clarification, now)
        return
    asked = []
    for number, (section, text, answer) in enumerate(spec.questions):
        moment = moments.during(clarification, timedelta(hours=1, minutes=30 * number), 0.1 + 0.05 * number)
        with clock.replaying_at(moment):
            asked.append(
                (services.ask_question(actor=_user(DEMO_VENDOR), tender=tender, section=section, text=text), answer)
            )
    for number, (question, answer) in enumerate(asked):
        if answer:
            moment = moments.during(clarification, timedelta(hours=2, minutes=30 * (number + 1)), 0.3 + 0.05 * number)
            with clock.replaying_at(moment):
                services.answer_question(actor=_user(chair), question=question, answer=answer)
    with clock.replaying_at(moments.during(clarification, timedelta(hours=5), 0.6)):
        tender = services.close_clarification(actor=_user(chair), tender=tender)
    if spec.addendum:
        with clock.replaying_at(moments.during(clarification, timedelta(hours=5, minutes=30), 0.7)):
            addendum = services.add_document(
                actor=_user(chair),
                tender=tender,
                kind=TenderDocument.Kind.ADDENDUM,
                title="Adendum 1 Dokumen Pemilihan",
                change_note=spec.addendum,
                upload=_upload("adendum-1.pdf", f"Adendum 1: {spec.title}", [spec.addendum[:110], "Dokumen contoh."]),
            )
        with clock.replaying_at(moments.during(clarification, timedelta(hours=6), 0.8)):
            services.record_download(actor=_user(DEMO_VENDOR), document=addendum)


def _ask_now(spec: DemoTender, tender: Tender, clarification: lifecycle.Window, now: datetime) -> None:
    """The explanation session is open now: questions came in since it opened, the first one is answered. If it
    opens only later (now is outside office hours), nobody could have asked yet."""
    if not clarification.contains(now):
        return
    elapsed = now - clarification.starts_at
    asked = []
    for number, (section, text, answer) in enumerate(spec.questions):
        with clock.replaying_at(clarification.starts_at + elapsed * (0.2 + 0.2 * number)):
            asked.append(
                (services.ask_question(actor=_user(DEMO_VENDOR), tender=tender, section=section, text=text), answer)
            )
    for question, answer in asked:
        if answer:
            with clock.replaying_at(clarification.starts_at + elapsed * 0.9):
                services.answer_question(actor=_user(DEMO_MEMBERS[0]), question=question, answer=answer)


# --- What the newcomer reads ------------------------------------------------------------------------------------


def _when(moment: datetime, tender: Tender) -> str:
    local = moment.astimezone(clock.as_zone(tender.agency.time_zone))
    return f"{local:%a %d-%m-%Y %H:%M} {clock.zone_abbreviation(tender.agency.time_zone)}"


def _status(spec: DemoTender, tender: Tender, now: datetime) -> str:
    situation = lifecycle.situation(tender, now)
    if spec.key == "draft":
        return "draft: schedule set, no documents yet, not sent to the PPK"
    if spec.key == "awaiting_approval":
        return f"awaiting approval by {tender.ppk.email}"
    if spec.target == FINISHED:
        if situation.state != "finished":
            return f"now: {situation.label}"
        last = max(window.ends_at for window in lifecycle.windows(tender))
        return f"finished: every stage has ended (last on {_when(last, tender)})"
    window = lifecycle.window_of(tender, spec.target)
    label = str(window.stage.label)
    if window.contains(now):
        text = f"{label} open now, until {_when(window.ends_at, tender)}"
    elif window.starts_at > now and situation.next == window.stage:
        text = f"{label} opens next, {_when(window.starts_at, tender)} (a one-day stage; now is outside office hours)"
    else:
        text = f"now: {situation.label}"
    if spec.key == "joinable" and not tender.participants.exists():
        text += f"; not joined yet: log in as {DEMO_VENDOR} to join"
    if spec.key == "evaluation":
        first_opening = Stage.OPENING if tender.file_system == FileSystem.ONE_FILE else Stage.OPENING_TECHNICAL
        text += f"; the opening began {_when(lifecycle.window_of(tender, first_opening).starts_at, tender)}"
    if spec.key == "clarification" and window.starts_at <= now:
        questions = tender.questions.count()
        answered = tender.questions.exclude(answered_at=None).count()
        text += f"; {questions} questions, {answered} answered"
    if spec.key == "bid_upload":
        addenda = tender.documents.filter(kind=TenderDocument.Kind.ADDENDUM).count()
        minutes = "with minutes" if tender.clarification_minutes else "no minutes"
        text += f"; explanation closed {minutes}, {addenda} addendum"
    return text


def _line(spec: DemoTender, tender: Tender, now: datetime) -> list[str]:
    return [
        f"  {spec.heading:27} {tender.title}",
        f"  {'':27} {tender.method_label}",
        f"  {'':27} {_status(spec, tender, now)}",
    ]


def load_demo() -> list[str]:
    """Create the demo tenders that do not exist yet; return the lines `load_demo` prints."""
    now = clock.now()
    admin = _user(DEMO_ADMIN)
    for email in DEMO_MEMBERS:
        _ensure_member_key(_user(email))  # the sealed-bid boxes are made with their keys at announcement
    vendor = vendor_of(_user(DEMO_VENDOR))
    if vendor is None or not eligibility(vendor).allowed:
        raise RuntimeError(f"{DEMO_VENDOR} must be a verified vendor (load the vendors demo first)")
    ppks = {}
    for spec in DEMO_TENDERS:
        if spec.work_unit not in ppks:
            work_unit = WorkUnit.objects.get(agency__code="D201", name=spec.work_unit)
            with transaction.atomic():
                ppks[spec.work_unit] = _ppk_of(work_unit, admin).email

    can_replay = replay_allowed()
    lines = []
    for spec in DEMO_TENDERS:
        tender = Tender.objects.filter(title=spec.title).first()
        if tender is None and (spec.target is None or can_replay):
            with transaction.atomic():
                if spec.target is None:
                    _build_unannounced(spec, ppks[spec.work_unit])
                else:
                    _build_with_history(spec, ppks[spec.work_unit], now)
            tender = Tender.objects.get(title=spec.title)
        if tender is None:
            lines.append(f"  {spec.heading:27} {spec.title}: skipped, its past needs EPROC_DEBUG=1")
            continue
        lines.extend(_line(spec, tender, now))
    chair, *others = DEMO_MEMBERS
    lines += [
        f"  Committee {chair} (chair), {', '.join(others)}; PPK {', '.join(sorted(set(ppks.values())))}",
        f"  {DEMO_VENDOR} has joined the running tenders. Password of every account: {DEMO_PASSWORD}",
    ]
    return lines
