"""Storing uploaded files: streamed, hashed while streaming, content-addressed by SHA-256, type sniffed.

Files are saved under their own hash (DESIGN 2: every stored file keyed by SHA-256), so the same scan uploaded
twice is stored once and a stored file can be checked against the hash recorded beside it. Nothing is read
whole into memory.
"""

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.utils.translation import gettext as _

# Magic numbers of the document types the LPSE accepts as scans of decrees and similar evidence.
_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    # ZIP, and the office formats built on it (DOCX, XLSX): bills of quantities and drawings come this way.
    "zip": (b"PK\x03\x04",),
}
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg", "zip": "application/zip"}
EXTENSIONS = {"pdf": "pdf", "png": "png", "jpeg": "jpg", "zip": "zip"}
SCANNED_DOCUMENT_KINDS = ("pdf", "png", "jpeg")


@dataclass(frozen=True)
class StoredFile:
    storage_name: str
    original_name: str
    sha256: str
    size: int
    kind: str


def sniff_kind(head: bytes) -> str | None:
    for kind, signatures in _SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            return kind
    return None


def safe_display_name(name: str) -> str:
    """The last path component only, without control characters: a name is shown and offered as a download
    name, never used as a path."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    return cleaned[:200] or "dokumen"


def store_upload(upload, *, folder: str, allowed_kinds=SCANNED_DOCUMENT_KINDS, max_bytes: int) -> StoredFile:
    """Stream `upload` to storage under folder/<sha256[:2]>/<sha256>.<ext>, refusing empty, oversized and
    unexpected files with a message the uploader can act on."""
    if upload is None:
        raise ValidationError(_("Please choose a file to upload."))
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1_048_576, 1), "limit": round(max_bytes / 1_048_576, 1)}
        )
    digest = hashlib.sha256()
    size = 0
    head = b""
    with tempfile.TemporaryFile() as spool:
        for chunk in upload.chunks():
            if len(head) < 16:
                head += chunk[: 16 - len(head)]
            size += len(chunk)
            if size > max_bytes:
                raise ValidationError(
                    _("The file is larger than the limit of %(limit)s MB.") % {"limit": round(max_bytes / 1_048_576, 1)}
                )
            digest.update(chunk)
            spool.write(chunk)
        kind = sniff_kind(head)
        if kind not in allowed_kinds:
            raise ValidationError(
                _("This file type is not accepted. Upload one of: %(kinds)s.")
                % {"kinds": ", ".join(k.upper() for k in allowed_kinds)}
            )
        sha256 = digest.hexdigest()
        storage_name = f"{folder}/{sha256[:2]}/{sha256}.{EXTENSIONS[kind]}"
        if not default_storage.exists(storage_name):
            spool.seek(0)
            saved = default_storage.save(storage_name, File(spool))
            if saved != storage_name:  # a concurrent upload of the same content won the race
                default_storage.delete(saved)
    return StoredFile(storage_name, safe_display_name(upload.name), sha256, size, kind)


def attachment_response(field_file, *, download_name: str) -> FileResponse:
    """Serve a stored file as a download, never inline, with the type we sniffed and nosniff (DESIGN 6)."""
    kind = sniff_kind(field_file.open("rb").read(16))
    field_file.seek(0)
    response = FileResponse(
        field_file,
        as_attachment=True,
        filename=download_name,
        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
