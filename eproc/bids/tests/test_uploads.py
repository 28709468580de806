"""The bytes of a bid on their way in (eproc/bids/uploads.py): written once into one upload file, renamed into the
store when they match the commitment, and never changed afterwards by a late duplicate of a chunk (DESIGN 5; issue
10, the deadline surge)."""

import hashlib
import io
import os
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from eproc.bids import services, uploads
from eproc.bids.models import Envelope

from .conftest import commit, seal, upload

pytestmark = pytest.mark.django_db


def _put(client, envelope_id, offset, data):
    return client.put(
        reverse("bids:api_chunk", args=[envelope_id, offset]), data, content_type="application/octet-stream"
    )


def _committed(client, make_box, bidder, size=5000):
    """A box, the bidder signed in, a sealed bid of `size` random bytes and its commitment's envelope id."""
    box = make_box()
    client.force_login(bidder)
    sealed = seal(box, os.urandom(size))
    return box, sealed, commit(client, box, sealed).json()["envelope"]


def _upload_file(settings, envelope_id) -> Path:
    return Path(settings.MEDIA_ROOT) / "bids" / "partial" / f"{envelope_id}.part"


def test_chunks_go_into_one_upload_file_which_is_renamed_into_the_store_not_copied(client, make_box, bidder, settings):
    box, sealed, envelope_id = _committed(client, make_box, bidder, 30_000)
    for offset in range(0, len(sealed), 7000):
        assert _put(client, envelope_id, offset, sealed[offset : offset + 7000]).status_code == 200
    upload_file = _upload_file(settings, envelope_id)
    assert upload_file.read_bytes() == sealed
    inode = upload_file.stat().st_ino

    response = client.post(reverse("bids:api_complete", args=[envelope_id]))

    assert response.status_code == 200, response.json()
    stored = Path(settings.MEDIA_ROOT) / Envelope.objects.get(public_id=envelope_id).storage_name
    assert stored.read_bytes() == sealed
    assert stored.stat().st_ino == inode  # the same file on disk: the bid was renamed, never copied
    assert not upload_file.exists()


class _Stream:
    """A request body whose first read lets something else happen first: what a second request would do while
    this one waits for its bytes."""

    def __init__(self, data: bytes, meanwhile):
        self.body = io.BytesIO(data)
        self.meanwhile = meanwhile

    def read(self, size):
        if self.meanwhile:
            self.meanwhile()
            self.meanwhile = None
        return self.body.read(size)


def test_a_late_duplicate_of_a_chunk_cannot_change_a_bid_sealed_meanwhile(client, make_box, bidder, settings):
    """The client's retry of the last chunk (its first attempt's answer was lost) is still arriving when the first
    attempt is acknowledged and the bid completed: the retry must not write into the sealed file, which the rename
    kept as the same file on disk."""
    box, sealed, envelope_id = _committed(client, make_box, bidder, 20_000)
    assert _put(client, envelope_id, 0, sealed[:10_000]).status_code == 200
    envelope = Envelope.objects.get(public_id=envelope_id)

    def first_attempt_then_completion():
        assert _put(client, envelope_id, 10_000, sealed[10_000:]).status_code == 200
        assert client.post(reverse("bids:api_complete", args=[envelope_id])).status_code == 200

    with pytest.raises(ValidationError):
        services.receive_chunk(
            actor=bidder,
            envelope=envelope,
            offset=10_000,
            stream=_Stream(b"\0" * 10_000, first_attempt_then_completion),
            length=10_000,
        )

    envelope.refresh_from_db()
    stored = Path(settings.MEDIA_ROOT) / envelope.storage_name
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == envelope.ciphertext_sha256
    assert not _upload_file(settings, envelope_id).exists()


def test_a_late_chunk_for_an_upload_that_is_gone_is_refused_and_leaves_no_file(client, make_box, bidder, settings):
    box, sealed, envelope_id = _committed(client, make_box, bidder, 5000)
    assert upload(client, envelope_id, sealed).status_code == 200
    envelope = Envelope.objects.get(public_id=envelope_id)

    with pytest.raises(ValidationError, match="ask for its state|tanyakan keadaannya"):
        uploads.write_chunk(envelope, 1000, io.BytesIO(sealed[1000:2000]), 1000)

    assert not _upload_file(settings, envelope_id).exists()


def test_a_replaced_bid_leaves_no_upload_file_behind(
    client, make_box, bidder, settings, django_capture_on_commit_callbacks
):
    box, first, first_id = _committed(client, make_box, bidder)
    assert _put(client, first_id, 0, first[:2000]).status_code == 200
    assert _upload_file(settings, first_id).exists()

    with django_capture_on_commit_callbacks(execute=True):
        second_id = commit(client, box, seal(box, os.urandom(5000))).json()["envelope"]

    assert second_id != first_id
    assert not _upload_file(settings, first_id).exists()


def test_bytes_refused_for_not_matching_leave_no_upload_file_behind(client, make_box, bidder, settings):
    box, sealed, envelope_id = _committed(client, make_box, bidder, 5000)
    flipped = bytearray(sealed)
    flipped[100] ^= 0x01

    assert upload(client, envelope_id, bytes(flipped)).status_code == 400

    assert not _upload_file(settings, envelope_id).exists()
    assert not list((Path(settings.MEDIA_ROOT) / "bids" / "sealed").rglob("*.age"))
