"""Before the opening, nothing stored by the server can read a bid (Pasal 4(2)b, 5b, 7(4)b; DESIGN 5): after a
full submission the database, the file storage and the logs hold no tender identity, seed, share or bid
plaintext in any common encoding."""

import base64
import logging
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from eproc.bids import crypto

from .conftest import seal, send

pytestmark = pytest.mark.django_db


def _encodings(secret: bytes) -> list[bytes]:
    return [
        secret,
        secret.hex().encode(),
        secret.hex().upper().encode(),
        base64.b64encode(secret),
        base64.urlsafe_b64encode(secret).rstrip(b"="),
    ]


def _database_bytes() -> bytes:
    """Every row of every table, as text, the way a dump would show it."""
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            cursor.execute(f'SELECT * FROM "{model._meta.db_table}"')  # noqa: S608 - table names from the ORM
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value))
                    chunks.append(str(value).encode())
    return b"\n".join(chunks)


def _files_bytes(*roots: Path) -> bytes:
    return b"\n".join(
        path.read_bytes() for root in roots if root.exists() for path in root.rglob("*") if path.is_file()
    )


def test_no_seed_identity_share_or_plaintext_is_stored_or_backed_up_before_the_opening(
    client, make_box, committee, bidder, settings, caplog
):
    caplog.set_level(logging.DEBUG)
    box = make_box(threshold=3)
    plaintext = b"RAHASIA: harga penawaran Rp987.654.321,00 untuk paket jalan"
    client.force_login(bidder)
    assert send(client, box, seal(box, plaintext)).status_code == 200

    # What only the committee together could rebuild: the test plays three members with their own keys.
    shares = [member.decrypt_share(box) for member in committee[:3]]
    seed = crypto.combine_shares([crypto.Share.from_bytes(share) for share in shares])
    identity = crypto.derive_identity(seed, box_id=box.public_id, envelope=box.envelope)
    assert crypto.recipient_for(identity) == box.recipient  # the reconstruction is right, so the needles are real

    needles = {
        "seed": _encodings(seed),
        "identity": [identity.encode(), identity.lower().encode()],
        "plaintext": [plaintext, b"987.654.321"],
    }
    for number, share in enumerate(shares):
        needles[f"share {number}"] = _encodings(share)
    from eproc.operations.backup import backup

    archive = backup(Path(settings.MEDIA_ROOT).parent / "backup.tar").path
    haystacks = {
        "backup archive": archive.read_bytes(),
        "database": _database_bytes(),
        "storage": _files_bytes(Path(settings.MEDIA_ROOT)),
        "logs": caplog.text.encode(),
    }
    if connection.vendor == "sqlite":
        # The database file itself, free pages and write-ahead log included, as a backup would copy it.
        database_file = Path(connection.settings_dict["NAME"])
        haystacks["database file"] = _files_bytes(database_file.parent) if database_file.exists() else b""
    for where, haystack in haystacks.items():
        for what, encodings in needles.items():
            for encoded in encodings:
                assert encoded not in haystack, f"{what} found in {where}"
