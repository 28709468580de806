"""Demo data: Kabupaten Ketapang and a neighbouring regency sharing its LPSE, with one user per role.

Idempotent: every object is looked up by its natural key first, so `make run` can load it again and again.
Everything is created through the services, so the demo also fills the audit trail as real use would.
"""

from dataclasses import dataclass
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from eproc.accounts.models import User
from eproc.audit.services import record

from . import services
from .models import Agency, Appointment, DayOff, WorkUnit
from .roles import ROLES, Role

DEMO_PASSWORD = "demo-eproc-2026"
DEMO_VALID_FROM = date(2026, 1, 2)

AGENCIES = [
    {
        "code": "D201",
        "name": "Pemerintah Kabupaten Ketapang",
        "time_zone": "Asia/Jakarta",
        "address": "Jl. Letjend. S. Parman No. 1, Ketapang, Kalimantan Barat",
        "website": "https://ketapangkab.go.id",
        "work_units": [
            ("1.03.01", "Dinas Pekerjaan Umum dan Penataan Ruang", "Jl. Jenderal Sudirman, Ketapang"),
            ("1.01.01", "Dinas Pendidikan dan Kebudayaan", "Jl. Letjend. S. Parman, Ketapang"),
            ("1.02.01", "Dinas Kesehatan", "Jl. Jenderal Sudirman, Ketapang"),
            ("1.02.02", "RSUD dr. Agoesdjam", "Jl. Dr. Sutomo, Ketapang"),
            ("4.01.01", "Sekretariat Daerah", "Jl. Letjend. S. Parman No. 1, Ketapang"),
            ("2.09.01", "Dinas Perhubungan", "Jl. Gajah Mada, Ketapang"),
            ("5.02.01", "Badan Pengelolaan Keuangan dan Aset Daerah", "Jl. Letjend. S. Parman, Ketapang"),
        ],
    },
    {
        "code": "D213",
        "name": "Pemerintah Kabupaten Kayong Utara",
        "time_zone": "Asia/Jakarta",
        "address": "Jl. Bhayangkara, Sukadana, Kayong Utara, Kalimantan Barat",
        "website": "https://kayongutarakab.go.id",
        "work_units": [
            ("1.03.01", "Dinas Pekerjaan Umum dan Penataan Ruang", "Jl. Bhayangkara, Sukadana"),
            ("1.02.01", "Dinas Kesehatan", "Jl. Tanjungpura, Sukadana"),
            ("4.01.01", "Sekretariat Daerah", "Jl. Bhayangkara, Sukadana"),
        ],
    },
]


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    role: Role
    agency_code: str | None = None
    work_unit_name: str | None = None


PEOPLE = [
    DemoPerson("admin@lpse.demo", "Andi Saputra", Role.LPSE_ADMIN),
    DemoPerson("kepala@lpse.demo", "Drs. Yohanes Kurniawan", Role.KEPALA_LPSE),
    DemoPerson("sekretaris@lpse.demo", "Maria Goreti", Role.SEKRETARIS_LPSE),
    DemoPerson("verifikator@lpse.demo", "Rini Handayani", Role.VERIFIKATOR),
    DemoPerson("helpdesk@lpse.demo", "Budi Santoso", Role.HELPDESK),
    DemoPerson("trainer@lpse.demo", "Siti Aminah", Role.TRAINER),
    DemoPerson("auditor@inspektorat.demo", "Hendra Wijaya", Role.AUDITOR, "D201"),
    DemoPerson("adminagency@ketapang.demo", "Fransiska Lina", Role.ADMIN_AGENCY, "D201"),
    DemoPerson(
        "pa.pupr@ketapang.demo", "Ir. Agustinus Mering", Role.PA, "D201", "Dinas Pekerjaan Umum dan Penataan Ruang"
    ),
    DemoPerson("kpa.rsud@ketapang.demo", "dr. Herman Susilo", Role.KPA, "D201", "RSUD dr. Agoesdjam"),
    DemoPerson(
        "ppk.pupr@ketapang.demo", "Yusuf Hidayat, S.T.", Role.PPK, "D201", "Dinas Pekerjaan Umum dan Penataan Ruang"
    ),
    DemoPerson("pokja1@ketapang.demo", "Dewi Lestari", Role.POKJA, "D201"),
    DemoPerson("pokja2@ketapang.demo", "Rudi Hartono", Role.POKJA, "D201"),
    DemoPerson("pokja3@ketapang.demo", "Nurhayati", Role.POKJA, "D201"),
    DemoPerson("pp@ketapang.demo", "Thomas Ading", Role.PEJABAT_PENGADAAN, "D201"),
    DemoPerson("adminagency@kayongutara.demo", "Abdul Rahman", Role.ADMIN_AGENCY, "D213"),
    DemoPerson(
        "ppk.pupr@kayongutara.demo", "Slamet Riyadi", Role.PPK, "D213", "Dinas Pekerjaan Umum dan Penataan Ruang"
    ),
]

# Cuti bersama come with the national calendar (the `holidays` package's government category); the LPSE adds the
# days the package does not know, such as a regional holiday. This one is an example for the demo.
DAYS_OFF = [
    (date(2026, 12, 31), "Libur daerah (contoh data demo)"),
]


def _decree_pdf(number: str) -> SimpleUploadedFile:
    body = f"%PDF-1.4\n% Demo SK {number}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile(f"SK {number}.pdf".replace("/", "-"), body.encode(), content_type="application/pdf")


def ensure_demo_password(user: User):
    """Demo accounts get a known password so people can try the system; audited like any other change."""
    if not user.check_password(DEMO_PASSWORD):
        with transaction.atomic():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            record(actor=None, action="user.demo_password_set", target=user, data={"email": user.email})


def load_demo() -> list[DemoPerson]:
    admin_person = PEOPLE[0]
    if not Appointment.objects.filter(role=Role.LPSE_ADMIN, user__email=admin_person.email).exists():
        services.bootstrap_lpse_admin(
            email=admin_person.email,
            full_name=admin_person.full_name,
            decree_number="800/01/LPSE/2026",
            decree_date=DEMO_VALID_FROM,
            decree_file=_decree_pdf("800-01-LPSE-2026"),
            valid_from=DEMO_VALID_FROM,
        )
    admin = User.objects.get(email=admin_person.email)
    ensure_demo_password(admin)

    for spec in AGENCIES:
        agency = Agency.objects.filter(code=spec["code"]).first() or services.create_agency(
            actor=admin,
            code=spec["code"],
            name=spec["name"],
            time_zone=spec["time_zone"],
            address=spec["address"],
            website=spec["website"],
        )
        for code, name, address in spec["work_units"]:
            if not WorkUnit.objects.filter(agency=agency, name=name).exists():
                services.create_work_unit(actor=admin, agency=agency, name=name, code=code, address=address)

    for number, person in enumerate(PEOPLE[1:], start=2):
        agency = Agency.objects.get(code=person.agency_code) if person.agency_code else None
        work_unit = WorkUnit.objects.get(agency=agency, name=person.work_unit_name) if person.work_unit_name else None
        if not Appointment.objects.filter(user__email=person.email, role=person.role, agency=agency).exists():
            decree = f"800/{number:02d}/{'LPSE' if agency is None else agency.code}/2026"
            services.appoint_by_email(
                actor=admin,
                email=person.email,
                full_name=person.full_name,
                role=person.role,
                agency=agency,
                work_unit=work_unit,
                decree_number=decree,
                decree_date=DEMO_VALID_FROM,
                decree_file=_decree_pdf(decree),
                valid_from=DEMO_VALID_FROM,
            )
        ensure_demo_password(User.objects.get(email=person.email))

    for day, name in DAYS_OFF:
        if not DayOff.objects.filter(date=day, agency__isnull=True).exists():
            services.add_day_off(actor=admin, day=day, name=name)
    return PEOPLE


def describe(people: list[DemoPerson]) -> str:
    lines = [f"Demo accounts (password for all: {DEMO_PASSWORD})", ""]
    for person in people:
        scope = person.agency_code or "LPSE"
        if person.work_unit_name:
            scope += f" / {person.work_unit_name}"
        lines.append(f"  {person.email:34} {str(ROLES[person.role].label):45} {scope}")
    lines.append("")
    lines.append(
        "LPSE staff and committee members are asked to set up two-factor authentication (TOTP) at first login."
    )
    return "\n".join(lines)
