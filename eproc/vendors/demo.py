"""Demo vendors: one verified (it can bid in the demo box), one waiting for the Verifikator, one blacklisted."""

from datetime import date

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile

from eproc.accounts.models import User
from eproc.organizations.demo import DEMO_PASSWORD

from . import services
from .models import Vendor
from .requirements import FieldType, sections_for

DEMO_VENDORS = [
    # (login e-mail, person, vendor name, NPWP, state)
    ("penyedia@cv-maju.demo", "Agus Salim", "CV Maju Bersama", "012345678901000", "verified"),
    ("penyedia@pt-khatulistiwa.demo", "Lina Marlina", "PT Khatulistiwa Konstruksi", "023456789012000", "submitted"),
    ("penyedia@cv-curang.demo", "Rahmat", "CV Contoh Daftar Hitam", "034567890123000", "blacklisted"),
]

_SAMPLES = {
    FieldType.DATE: "2028-12-31",
    FieldType.MONEY: "Rp2.500.000.000,00",
    FieldType.NUMBER: "3",
    FieldType.YEAR: "2025",
}


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{name}.pdf", f"%PDF-1.4\n% demo {name}\n%%EOF\n".encode(), "application/pdf")


def _fill(user, vendor):
    for section in sections_for(vendor.kind):
        if vendor.items.filter(section=section.key).exists():
            continue
        for _number in range(section.minimum_items):
            data = {
                field.name: field.choices[0][0]
                if field.type == FieldType.CHOICE
                else _SAMPLES.get(field.type, "Contoh")
                for field in section.fields
            }
            services.save_item(actor=user, vendor=vendor, section=section.key, data=data, document=_pdf(section.key))


def load_demo() -> list[str]:
    verifier = User.objects.get(email="verifikator@lpse.demo")
    admin = User.objects.get(email="admin@lpse.demo")
    lines = []
    for email, person, name, npwp, state in DEMO_VENDORS:
        vendor = Vendor.objects.filter(npwp=npwp).first()
        if vendor is None:
            vendor = services.register_vendor(
                login_email=email,
                password=DEMO_PASSWORD,
                full_name=person,
                identity={
                    "kind": "badan_usaha",
                    "name": name,
                    "business_form": name.split()[0],
                    "npwp": npwp,
                    "nib": "",
                    "address": "Jl. Gajah Mada, Ketapang",
                    "city": "Ketapang",
                    "province": "Kalimantan Barat",
                    "phone": "0534-30000",
                    "email": email,
                    "website": "",
                    "is_small_business": True,
                    "is_pkp": False,
                },
            )
            EmailAddress.objects.filter(email=email).update(verified=True)
            user = vendor.users.get()
            _fill(user, vendor)
            submission = services.submit_for_verification(actor=user, vendor=vendor)
            if state in ("verified", "blacklisted"):
                checks = {"identity": {"status": "checked", "note": ""}}
                checks |= {item["id"]: {"status": "checked", "note": ""} for item in submission.snapshot["items"]}
                services.decide(actor=verifier, submission=submission, checks=checks, approve=True)
            if state == "blacklisted":
                services.impose_sanction(
                    actor=admin,
                    vendor=vendor,
                    kind="blacklist",
                    decree_number="027/DH/2026",
                    decree_date=date(2026, 2, 1),
                    decree_file=_pdf("sk-daftar-hitam"),
                    starts_on=date(2026, 2, 1),
                    ends_on=date(2028, 1, 31),
                    reason="Contoh: dokumen palsu pada tender sebelumnya (data demo).",
                )
        lines.append(f"  {email:34} vendor {name} ({state})")
    return lines
