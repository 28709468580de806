"""Shared steps of a whole tender, run through the real services with real sealed bids (pyrage stands in for the
browser) and real committee keys, so each lifecycle test reads as the story of one tender."""

import hashlib
import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import pyrage
import pytest

from eproc.bids import services as bids
from eproc.tenders import lifecycle
from eproc.tenders.lifecycle import Stage
from eproc.tenders.tests.conftest import CLASSIFICATION, PLAN, World, _english, world  # noqa: F401 (fixtures)

__all__ = ["CLASSIFICATION", "PLAN", "World"]


def bid_archive(*, tender, envelope: str, price=None, **fields) -> bytes:
    """What the browser packs: penawaran.json first, then the documents (docs/bid-envelope.md)."""
    declared = {"format": "eproc-bid/1", "tender": tender.public_id, "envelope": envelope, **fields}
    if price is not None:
        declared["price"] = str(price)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("penawaran.json", json.dumps(declared))
        archive.writestr("surat-penawaran.pdf", b"%PDF-1.4 surat penawaran")
    return buffer.getvalue()


def submit(box, user, plaintext: bytes):
    sealed = pyrage.encrypt(plaintext, [pyrage.x25519.Recipient.from_str(box.recipient)])
    envelope = bids.commit_envelope(actor=user, box=box, sha256=hashlib.sha256(sealed).hexdigest(), size=len(sealed))
    # One chunk with every byte: it completes the bid (bids.services.receive_chunk).
    return bids.receive_chunk(actor=user, envelope=envelope, offset=0, stream=io.BytesIO(sealed), length=len(sealed))


def open_with(box, members, identities):
    for member in members:
        share = pyrage.decrypt(bytes(box.shares.get(member=member).share_ciphertext), [identities[member.pk]])
        outcome = bids.submit_share(actor=member, box=box, share_bytes=share)
    box.refresh_from_db()
    assert box.opened_at is not None, outcome.message
    return box


def move_into(pinned_time, tender, stage: Stage, *, after=timedelta(minutes=1)):
    window = lifecycle.window_of(tender, stage)
    assert window is not None, stage
    pinned_time.move_to(window.starts_at + after)
    return window


def rupiah(amount: str) -> Decimal:
    return Decimal(amount.replace(".", ""))


@pytest.fixture
def three_vendors(world):  # noqa: F811 (the fixture imported above)
    return [world.personas.vendor(name) for name in ("CV Arga Mandiri", "CV Bukit Raya", "PT Citra Kapuas")]


@pytest.fixture(autouse=True)
def _feed_for_ocds_check(request):
    """After each story, its OCDS feed goes to var/ocds-feed/ for `make ocds-check` (issue 8: the feed produced by the
    lifecycle tests passes the official data review)."""
    yield
    if "django_db_blocker" not in request.fixturenames and "db" not in request.fixturenames:
        return
    from eproc.publication.models import OutboxEntry
    from eproc.publication.tests.test_ocds import write_feed_for_validation

    if OutboxEntry.objects.filter(release__isnull=False).exists():
        write_feed_for_validation(f"lifecycle-{request.node.name}")
