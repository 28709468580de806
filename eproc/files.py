"""Storing uploaded files: streamed, hashed while streaming, content-addressed by SHA-256, type sniffed.

Files are saved under their own hash (DESIGN 2: every stored file keyed by SHA-256), so the same scan uploaded
twice is stored once and a stored file can be checked against the hash recorded beside it. Nothing is read
whole into memory.
"""

import hashlib
import os
import re
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath

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
# The extensions a download may keep for each sniffed kind: a DOCX is a ZIP and stays .docx, but a PDF uploaded as
# "surat.html" is offered as "surat.pdf", so the browser or the desktop never opens it as a web page.
DOWNLOAD_EXTENSIONS = {
    "pdf": ("pdf",),
    "png": ("png",),
    "jpeg": ("jpg", "jpeg"),
    "zip": ("zip", "docx", "xlsx", "pptx", "odt", "ods", "odp"),
}

# ZIP archives are never unpacked by eproc except the opened bids (evaluation.envelope_reader), but vendors unpack
# the tender documents they download, so an archive that expands without bound (a "ZIP bomb") or that writes
# outside the folder it is unpacked into ("zip slip") is refused at upload. Office documents of text compress
# about 5-20 times; a deflate bomb reaches about 1000. Small archives may compress as much as they like.
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_RATIO = 100
ZIP_RATIO_FREE_BYTES = 16 * 1024 * 1024
ZIP_MAX_EXPANDED_BYTES = 4 * 1024**3


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


def zip_problem(source, size: int, *, max_expanded: int = ZIP_MAX_EXPANDED_BYTES) -> str | None:
    """Why the ZIP in `source` (a path or a seekable file of `size` bytes) must not be trusted, in English, or None.
    Reads only the central directory: nothing is decompressed. The sizes there are the ones an unpacking tool
    trusts (Python's zipfile stops at the declared size), so they bound the work of unpacking."""
    try:
        with zipfile.ZipFile(source) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return "damaged"
    if len(entries) > ZIP_MAX_ENTRIES:
        return "entries"
    expanded = sum(entry.file_size for entry in entries)
    if expanded > max_expanded or (expanded > ZIP_RATIO_FREE_BYTES and expanded > ZIP_MAX_RATIO * max(size, 1)):
        return "bomb"
    for entry in entries:
        name = entry.filename.replace("\\", "/")
        path = PurePosixPath(name)
        if "\x00" in name or path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", name):
            return "path"
    return None


def _check_zip(spool, size: int) -> None:
    spool.seek(0)
    problem = zip_problem(spool, size)
    if problem == "damaged":
        raise ValidationError(_("The ZIP archive is damaged or not really a ZIP archive."))
    if problem == "entries":
        raise ValidationError(_("The ZIP archive holds more than %(count)s files.") % {"count": ZIP_MAX_ENTRIES})
    if problem == "bomb":
        raise ValidationError(
            _(
                "The ZIP archive would expand to far more than its own size (more than %(ratio)s times, or over "
                "%(limit)s MB): it is refused as a possible ZIP bomb."
            )
            % {"ratio": ZIP_MAX_RATIO, "limit": ZIP_MAX_EXPANDED_BYTES // 1_048_576}
        )
    if problem == "path":
        raise ValidationError(
            _("The ZIP archive holds a file with an unsafe path (an absolute path or '..'); it is refused.")
        )


def safe_download_name(name: str, kind: str | None) -> str:
    """`name` made safe to offer as a download of a file of `kind`: one path component, and an extension that
    matches the content, so a PDF named "x.html" or "x.svg" is never opened as a page once downloaded."""
    name = safe_display_name(name)
    allowed = DOWNLOAD_EXTENSIONS.get(kind)
    if allowed is None:
        return name if name.lower().endswith(".bin") else f"{name}.bin"
    stem, dot, extension = name.rpartition(".")
    if dot and extension.lower() in allowed:
        return name
    return f"{stem if dot and stem else name}.{allowed[0]}"


def save_content_addressed(storage_name: str, source, *, size: int, storage=None) -> None:
    """Store the bytes of `source` (a seekable file) under `storage_name` so that a crash never leaves a partial
    file there: they are written to a temporary name beside it, flushed to disk and renamed in one step. A file
    already there with the right size is the same content (the name is its SHA-256) and is kept; one with another
    size is the remainder of an interrupted write by an earlier version, and is replaced."""
    storage = storage or default_storage
    if storage.exists(storage_name):
        if storage.size(storage_name) == size:
            return
        storage.delete(storage_name)
    source.seek(0)
    try:
        final_path = storage.path(storage_name)
    except NotImplementedError:  # a remote storage writes an object in one request: no partial object to fear
        saved = storage.save(storage_name, File(source))
        if saved != storage_name:  # a concurrent upload of the same content won the race
            storage.delete(saved)
        return
    directory = os.path.dirname(final_path)
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".incoming-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as target:
            for block in iter(lambda: source.read(1024 * 1024), b""):
                target.write(block)
            target.flush()
            os.fsync(target.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, final_path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    fsync_directory(directory)  # the rename itself survives a power cut


def fsync_directory(directory: str) -> None:
    """Flush a directory's entries to disk, so that a file just renamed into it is there after a power cut."""
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


@contextmanager
def _validated(upload, *, allowed_kinds, max_bytes):
    """Spool `upload` to a temporary file, hashing it, and yield (spool, kind, sha256, size) once every check
    passed; refuse empty, oversized and unexpected files with a message the uploader can act on."""
    if upload is None:
        raise ValidationError(_("Please choose a file to upload."))
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    if upload.size is not None and upload.size > max_bytes:
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
        if size == 0:  # the declared size can lie (a stream without one): the bytes decide
            raise ValidationError(_("The file is empty."))
        kind = sniff_kind(head)
        if kind not in allowed_kinds:
            raise ValidationError(
                _("This file type is not accepted. Upload one of: %(kinds)s.")
                % {"kinds": ", ".join(k.upper() for k in allowed_kinds)}
            )
        if kind == "zip":
            _check_zip(spool, size)
        spool.seek(0)
        yield spool, kind, digest.hexdigest(), size


def check_upload(upload, *, allowed_kinds=SCANNED_DOCUMENT_KINDS, max_bytes: int) -> None:
    """Refuse `upload` as store_upload would, storing nothing: for a form with several files, so that a bad
    second file does not leave the first one stored for a record that is never written."""
    with _validated(upload, allowed_kinds=allowed_kinds, max_bytes=max_bytes):
        pass
    upload.seek(0)


def store_upload(upload, *, folder: str, allowed_kinds=SCANNED_DOCUMENT_KINDS, max_bytes: int) -> StoredFile:
    """Stream `upload` to storage under folder/<sha256[:2]>/<sha256>.<ext>, refusing empty, oversized and
    unexpected files with a message the uploader can act on."""
    with _validated(upload, allowed_kinds=allowed_kinds, max_bytes=max_bytes) as (spool, kind, sha256, size):
        storage_name = f"{folder}/{sha256[:2]}/{sha256}.{EXTENSIONS[kind]}"
        save_content_addressed(storage_name, spool, size=size)
    return StoredFile(storage_name, safe_display_name(upload.name or ""), sha256, size, kind)


def attachment_response(field_file, *, download_name: str) -> FileResponse:
    """Serve a stored file as a download, never inline, with the type we sniffed, a name whose extension matches
    it, nosniff and a sandboxing policy in case a browser renders it anyway (DESIGN 6)."""
    kind = sniff_kind(field_file.open("rb").read(16))
    field_file.seek(0)
    response = FileResponse(
        field_file,
        as_attachment=True,
        filename=safe_download_name(download_name, kind),
        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
