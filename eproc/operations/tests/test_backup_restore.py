"""Backup then restore into an empty database and storage reproduces every row and every file byte for byte,
and the audit chain verifies (Pasal 11(3)f). Runs on SQLite and on PostgreSQL, like the whole suite."""

import shutil
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from eproc.bids.tests.conftest import seal, send
from eproc.operations.backup import BackupError, backed_up_models, backup, restore

pytestmark = pytest.mark.django_db(transaction=True)


def _rows():
    def plain(value):
        return bytes(value) if isinstance(value, memoryview) else value

    return {
        model._meta.label_lower: [
            {k: plain(v) for k, v in row.items()} for row in model._default_manager.order_by("pk").values()
        ]
        for model in backed_up_models()
    }


def _files():
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _wipe():
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def installation(client, personas):
    """Something in every app: appointments with decrees, a verified vendor with documents, a plan, a sealed box
    with a bid and its receipts in the log, a complaint with evidence, and the audit trail of all of it."""
    from conftest import pdf_upload
    from eproc.complaints.services import file_complaint

    vendor, user = personas.vendor("CV Cadangan")
    box, _member, _identity = personas.sealed_box(bidders=[user])
    client.force_login(user)
    assert send(client, box, seal(box, b"penawaran yang dicadangkan")).status_code == 200
    file_complaint(about="service", title="Uji", description="Cadangan", attachments=[pdf_upload("bukti.pdf")])
    return vendor


def test_a_restore_reproduces_every_row_and_file_and_the_audit_chain_verifies(installation, tmp_path, capsys):
    before_rows, before_files = _rows(), _files()
    # Identical scans are stored once (content-addressed), so a few files serve many rows.
    assert sum(len(rows) for rows in before_rows.values()) > 50 and len(before_files) >= 4
    archive = tmp_path / "eproc-backup.tar"
    call_command("backup", str(archive))
    _wipe()
    assert _files() == {}
    call_command("restore", str(archive))
    assert "audit chain OK" in capsys.readouterr().out
    after_rows = _rows()
    for label, rows in before_rows.items():
        assert after_rows[label] == rows, label
    assert _files() == before_files
    # The restored installation carries on: new rows get fresh ids (PostgreSQL sequences were reset).
    from eproc.accounts.models import User
    from eproc.organizations import services

    admin = User.objects.get(email="admin@lpse.test")
    services.create_agency(actor=admin, code="D999", name="Kabupaten Baru")
    call_command("audit_verify")


def test_a_restore_refuses_a_damaged_archive_and_a_non_empty_installation(installation, tmp_path):
    archive = tmp_path / "eproc-backup.tar"
    backup(archive)
    with pytest.raises(BackupError, match="fresh installation"):
        restore(archive)
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("media/bids/sealed/"):
                data = data[:-1] + bytes([data[-1] ^ 1])  # one flipped bit in a sealed bid
            member.size = len(data)
            import io

            target.addfile(member, io.BytesIO(data))
    _wipe()
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(damaged))


def test_a_backup_is_written_whole_or_not_at_all(installation, tmp_path, monkeypatch):
    archive = tmp_path / "eproc-backup.tar"

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("eproc.operations.backup._hash_file", fail)
    with pytest.raises(OSError):
        backup(archive)
    assert not archive.exists()
