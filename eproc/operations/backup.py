"""Backup and restore of a whole installation (Pasal 11(3)f: pengarsipan dokumen elektronik / file backup).

An archive is one tar file:

    manifest.json      what is inside: format version, time, database vendor, row counts per model, SHA-256 and
                       size of database.jsonl and of every stored file
    database.jsonl     every row of every table (Django's JSON-lines serialisation), read inside one snapshot
                       transaction, so it is consistent while the system keeps running
    media/...          every stored file (decrees, vendor documents, sealed bids, minutes...)

The database is read first and the files after: files are written before the rows that point at them are committed
(content-addressed storage), so every file a backed-up row names is in the archive. Everything is streamed: neither
the rows nor the files are held whole in memory.
"""

import hashlib
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from eproc.core import clock

FORMAT_VERSION = 1
# Rebuilt by migrations (content types, permissions) or transient (sessions, the cache); natural keys cover the rest.
EXCLUDED_MODELS = {"contenttypes.contenttype", "auth.permission", "sessions.session", "admin.logentry"}
_BLOCK = 1024 * 1024


class BackupError(RuntimeError):
    pass


def backed_up_models():
    ordered = serializers.sort_dependencies([(config, None) for config in apps.get_app_configs()], allow_cycles=True)
    return [model for model in ordered if model._meta.label_lower not in EXCLUDED_MODELS]


def _hash_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _dump_database(target) -> dict[str, int]:
    """Every row of every backed-up model as JSON lines, from one consistent snapshot."""
    counts = {}
    # Inside a caller's transaction (a test, a script) the snapshot is that transaction's; on its own the dump opens
    # a read-only REPEATABLE READ transaction, which must be its first statement.
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            # One snapshot for every table, however long the dump takes, while writers carry on.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for model in backed_up_models():
            queryset = model._default_manager.order_by("pk")
            counts[model._meta.label_lower] = queryset.count()
            serializers.serialize(
                "jsonl", queryset.iterator(chunk_size=2000), stream=target, use_natural_foreign_keys=True
            )
    return counts


@dataclass(frozen=True)
class BackupResult:
    path: Path
    rows: int
    files: int


def backup(output: Path) -> BackupResult:
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as scratch:
        dump_path = Path(scratch) / "database.jsonl"
        with dump_path.open("w", encoding="utf-8") as dump:
            counts = _dump_database(dump)
        database_sha256, database_size = _hash_file(dump_path)
        files = {}
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            archive.add(dump_path, arcname="database.jsonl")
            if media_root.exists():
                for path in sorted(p for p in media_root.rglob("*") if p.is_file()):
                    relative = path.relative_to(media_root).as_posix()
                    files[relative] = dict(zip(("sha256", "size"), _hash_file(path), strict=True))
                    archive.add(path, arcname=f"media/{relative}")
            manifest = {
                "format": FORMAT_VERSION,
                "created_at": clock.now().isoformat(),
                "vendor": connection.vendor,
                "rows": counts,
                "database": {"sha256": database_sha256, "size": database_size},
                "files": files,
            }
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        os.replace(partial, output)  # a crash mid-backup leaves no archive that looks complete
    return BackupResult(output, sum(counts.values()), len(files))


def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile("manifest.json"))
    except KeyError as error:
        raise BackupError("The archive has no manifest.json: it is not an eproc backup.") from error
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Unsupported backup format {manifest.get('format')!r}.")
    return manifest


def _ensure_empty():
    from eproc.accounts.models import User

    if User.objects.exists():
        raise BackupError("Restore needs a fresh installation: migrate an empty database and an empty media root.")
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists() and any(p.is_file() for p in media_root.rglob("*")):
        raise BackupError(f"The media root {media_root} is not empty.")


def restore(source: Path) -> dict:
    """Rebuild a freshly migrated installation from an archive, verifying every hash on the way in."""
    _ensure_empty()
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(source, "r") as archive, tempfile.TemporaryDirectory() as scratch:
        manifest = _read_manifest(archive)
        for member in archive.getmembers():
            name = member.name
            if name == "manifest.json":
                continue
            if not member.isfile() or name.startswith("/") or ".." in Path(name).parts:
                raise BackupError(f"Unexpected entry in the archive: {name}")
            if name == "database.jsonl":
                target, expected = Path(scratch) / "database.jsonl", manifest["database"]
            elif name.startswith("media/"):
                relative = name.removeprefix("media/")
                if relative not in manifest["files"]:
                    raise BackupError(f"{name} is not listed in the manifest.")
                target, expected = media_root / relative, manifest["files"][relative]
            else:
                raise BackupError(f"Unexpected entry in the archive: {name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with archive.extractfile(member) as reader, target.open("wb") as writer:
                for block in iter(lambda reader=reader: reader.read(_BLOCK), b""):
                    digest.update(block)
                    writer.write(block)
            if digest.hexdigest() != expected["sha256"]:
                raise BackupError(f"{name} does not match its SHA-256 in the manifest: the archive is damaged.")
        missing = [name for name in manifest["files"] if not (media_root / name).exists()]
        if missing:
            raise BackupError(f"Files listed in the manifest are missing from the archive: {missing[:5]}")
        with transaction.atomic():
            call_command("loaddata", str(Path(scratch) / "database.jsonl"), verbosity=0)
            _reset_sequences()
    return manifest


def _reset_sequences():
    """PostgreSQL sequences continue after the restored ids (SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    statements = connection.ops.sequence_reset_sql(no_style(), backed_up_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
