"""What a vendor must provide to register, as data (Pasal 7(4)a: vendors register with evidence of their
qualification data; Pasal 9(8)b,f: the Verifikator checks every item and tells users what is required).

One configuration drives the vendor's forms, the Verifikator's checklist and the public requirements page, so the
three can never disagree. The section names are the menus SPSE users know (data kualifikasi penyedia).
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class FieldType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"
    MONEY = "money"
    NUMBER = "number"
    YEAR = "year"
    CHOICE = "choice"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: FieldType = FieldType.TEXT
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    description: str
    fields: tuple[Field, ...]
    document_label: str
    document_required: bool = True
    # At least this many items for the registration to be complete (0: optional section).
    minimum_items: int = 1
    for_kinds: frozenset = frozenset({"badan_usaha", "perorangan"})
    # Changes to these sections after verification go back to the Verifikator (identity-critical data).
    identity_critical: bool = False
    # A date field whose passing makes the item expired (licences).
    expires_field: str = ""
    extra: dict = field(default_factory=dict)


LICENCE_TYPES = (
    ("siup", "SIUP / Izin Usaha Perdagangan"),
    ("iujk", "IUJK / Izin Usaha Jasa Konstruksi"),
    ("sbu", "SBU / Sertifikat Badan Usaha"),
    ("nib_oss", "NIB berbasis risiko (OSS)"),
    ("izin_lain", "Izin usaha lain"),
)
QUALIFICATIONS = (("kecil", _("Small")), ("menengah", _("Medium")), ("besar", _("Large")), ("", _("Not applicable")))

SECTIONS: tuple[Section, ...] = (
    Section(
        "izin_usaha",
        _("Business licences (Izin Usaha)"),
        _("Every licence that allows the business fields you bid in, with its validity and a scan."),
        (
            Field("licence_type", _("Type"), FieldType.CHOICE, choices=LICENCE_TYPES),
            Field("number", _("Number")),
            Field("issuer", _("Issued by")),
            Field("valid_until", _("Valid until"), FieldType.DATE, required=False),
            Field("classification", _("Classification / business fields (KBLI)")),
            Field("qualification", _("Qualification"), FieldType.CHOICE, required=False, choices=QUALIFICATIONS),
        ),
        _("Scan of the licence"),
        identity_critical=True,
        expires_field="valid_until",
    ),
    Section(
        "akta",
        _("Deeds (Akta)"),
        _("The deed of establishment and its latest amendment, with the notary and the ministry's approval."),
        (
            Field(
                "kind",
                _("Kind"),
                FieldType.CHOICE,
                choices=(("pendirian", _("Establishment")), ("perubahan", _("Amendment"))),
            ),
            Field("number", _("Number")),
            Field("date", _("Date"), FieldType.DATE),
            Field("notary", _("Notary")),
            Field("approval", _("Ministry approval (SK Kemenkumham)"), required=False),
        ),
        _("Scan of the deed"),
        for_kinds=frozenset({"badan_usaha"}),
    ),
    Section(
        "pemilik",
        _("Owners (Pemilik)"),
        _("Shareholders or owners and their share."),
        (
            Field("name", _("Name")),
            Field("id_number", _("NIK / passport number")),
            Field("address", _("Address"), FieldType.LONG_TEXT),
            Field("share", _("Share (%)"), FieldType.NUMBER),
        ),
        _("Scan of the identity card"),
        for_kinds=frozenset({"badan_usaha"}),
    ),
    Section(
        "pengurus",
        _("Officers (Pengurus)"),
        _("Directors and commissioners as in the latest deed."),
        (
            Field("name", _("Name")),
            Field("id_number", _("NIK / passport number")),
            Field("position", _("Position")),
            Field("since", _("In office since"), FieldType.DATE, required=False),
        ),
        _("Scan of the identity card"),
        for_kinds=frozenset({"badan_usaha"}),
    ),
    Section(
        "tenaga_ahli",
        _("Experts (Tenaga Ahli)"),
        _("Key staff, their education, experience and certificates."),
        (
            Field("name", _("Name")),
            Field("education", _("Education")),
            Field("expertise", _("Expertise")),
            Field("years_experience", _("Years of experience"), FieldType.NUMBER),
            Field("certificate", _("Certificate of expertise (SKA/SKT)"), required=False),
        ),
        _("CV and certificate"),
        minimum_items=0,
    ),
    Section(
        "peralatan",
        _("Equipment (Peralatan)"),
        _("Main equipment: kind, capacity, condition and ownership."),
        (
            Field("name", _("Kind of equipment")),
            Field("quantity", _("Quantity"), FieldType.NUMBER),
            Field("capacity", _("Capacity"), required=False),
            Field(
                "ownership", _("Ownership"), FieldType.CHOICE, choices=(("milik", _("Owned")), ("sewa", _("Rented")))
            ),
        ),
        _("Proof of ownership or rental"),
        document_required=False,
        minimum_items=0,
    ),
    Section(
        "pengalaman",
        _("Experience (Pengalaman)"),
        _("Past contracts: work, client, value and completion."),
        (
            Field("work", _("Work")),
            Field("client", _("Client")),
            Field("contract_number", _("Contract number")),
            Field("value", _("Contract value (Rp)"), FieldType.MONEY),
            Field("completed_on", _("Completed on"), FieldType.DATE, required=False),
        ),
        _("Contract or handover certificate (BAST)"),
        minimum_items=0,
    ),
    Section(
        "neraca",
        _("Balance sheet (Neraca)"),
        _("The latest balance sheet."),
        (
            Field("year", _("Year"), FieldType.YEAR),
            Field("assets", _("Total assets (Rp)"), FieldType.MONEY),
            Field("liabilities", _("Total liabilities (Rp)"), FieldType.MONEY),
        ),
        _("Balance sheet document"),
    ),
    Section(
        "pajak",
        _("Taxes (Pajak)"),
        _("Tax filings (SPT) and the PKP confirmation if the business is a taxable entrepreneur."),
        (
            Field(
                "kind",
                _("Kind"),
                FieldType.CHOICE,
                choices=(
                    ("spt_tahunan", _("Annual tax return (SPT Tahunan)")),
                    ("spt_masa", _("Periodic tax return (SPT Masa)")),
                    ("pkp", _("Taxable entrepreneur confirmation (SPPKP)")),
                    ("kswp", _("Tax status confirmation (KSWP)")),
                ),
            ),
            Field("period", _("Tax period / year")),
            Field("document_number", _("Receipt / document number")),
        ),
        _("Proof of filing"),
    ),
)
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}
IDENTITY_CRITICAL_FIELDS = ("name", "npwp")


def sections_for(kind: str) -> tuple[Section, ...]:
    return tuple(section for section in SECTIONS if kind in section.for_kinds)
