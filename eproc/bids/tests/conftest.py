"""Fixtures for the sealed-bid tests: committee members holding real age identities (as their browsers would),
boxes with a pinned schedule, and a bidder who sends sealed bytes through the real JSON endpoints."""

import base64
import hashlib
from datetime import timedelta

import pyrage
import pytest
from django.urls import reverse

from conftest import PINNED_NOW, give_totp
from eproc.bids import services
from eproc.organizations.roles import Role

OPENS = PINNED_NOW - timedelta(hours=1)
DEADLINE = PINNED_NOW + timedelta(hours=1)
GRACE = timedelta(minutes=30)
OPENING = PINNED_NOW + timedelta(hours=2)


class Member:
    def __init__(self, user, identity):
        self.user = user
        self.identity = identity  # held only by the member (their browser); the server never sees it

    def decrypt_share(self, box) -> bytes:
        ciphertext = bytes(box.shares.get(member=self.user).share_ciphertext)
        return pyrage.decrypt(ciphertext, [self.identity])


@pytest.fixture
def committee(personas):
    members = []
    for _ in range(5):
        user = personas.make(Role.POKJA, personas.agency_a)
        give_totp(user)
        identity = pyrage.x25519.Identity.generate()
        services.register_committee_key(actor=user, recipient=str(identity.to_public()))
        members.append(Member(user, identity))
    return members


@pytest.fixture
def bidder(personas):
    """A verified vendor's user: only those may be admitted to a box and bid."""
    _vendor, user = personas.vendor("CV Maju Jaya", email="penyedia@cv-maju.test")
    return user


@pytest.fixture
def make_box(committee, bidder, personas):
    def make(*, threshold=3, members=None, envelope="single", grace=GRACE, reference="SPSE-2026-001", bidders=None):
        chosen = members if members is not None else committee
        return services.create_box(
            actor=chosen[0].user,
            agency=personas.agency_a,
            reference=reference,
            title="Rehabilitasi Jalan Sukaharja",
            envelope=envelope,
            members=[m.user for m in chosen],
            threshold=threshold,
            upload_opens_at=OPENS,
            deadline=DEADLINE,
            grace_period=grace,
            opening_at=OPENING,
            bidders=bidders or [bidder],
        )

    return make


def seal(box, plaintext: bytes) -> bytes:
    return pyrage.encrypt(plaintext, [pyrage.x25519.Recipient.from_str(box.recipient)])


def commit(client, box, data: bytes, *, size=None, sha256=None, headers=None):
    return client.post(
        reverse("bids:api_commit", args=[box.public_id]),
        {"sha256": sha256 or hashlib.sha256(data).hexdigest(), "size": size if size is not None else len(data)},
        content_type="application/json",
        headers=headers or {},
    )


def upload(client, envelope_id, data: bytes, *, chunk=1000, offset=0):
    """Send `data` as the envelope's bytes from `offset` on, in chunks, and return the answer to the last one: the
    chunk that brings the committed size completes the bid (services.receive_chunk), so that answer holds the
    receipt, or why the bytes were refused."""
    for start in range(0, len(data), chunk):
        response = client.put(
            reverse("bids:api_chunk", args=[envelope_id, offset + start]),
            data[start : start + chunk],
            content_type="application/octet-stream",
        )
        if start + chunk < len(data):
            assert response.status_code == 200, response.json()
    return response


def send(client, box, data: bytes, *, chunk=1000):
    committed = commit(client, box, data)
    assert committed.status_code == 201, committed.json()
    return upload(client, committed.json()["envelope"], data, chunk=chunk)


def submit_share(client, member, box, share: bytes | None = None):
    client.force_login(member.user)
    share = member.decrypt_share(box) if share is None else share
    return client.post(
        reverse("bids:api_submit_share", args=[box.public_id]),
        {"share": base64.b64encode(share).decode()},
        content_type="application/json",
    )
