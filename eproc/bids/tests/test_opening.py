"""Opening sealed bids with the committee's threshold key (DESIGN 5; Pasal 7(3)b: the committee opens and
evaluates bids; Pasal 7(4)b)."""

import hashlib
import itertools
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from eproc.bids import crypto, services
from eproc.bids.models import OpenedEnvelope, SealedBox

from .conftest import DEADLINE, OPENING, seal, send, submit_share

pytestmark = pytest.mark.django_db


def _opened_files(settings, box) -> list[Path]:
    directory = Path(settings.MEDIA_ROOT) / "bids" / "opened" / box.public_id
    return sorted(directory.iterdir()) if directory.exists() else []


@pytest.mark.parametrize("chosen", list(itertools.combinations(range(5), 3))[::3])
def test_any_k_of_n_shares_open_the_box(client, make_box, committee, bidder, pinned_time, settings, chosen):
    box = make_box(threshold=3)
    plaintext = b"Surat penawaran: Rp1.234.500.000,00 " * 100
    client.force_login(bidder)
    assert send(client, box, seal(box, plaintext)).status_code == 200
    pinned_time.move_to(OPENING)
    for number, index in enumerate(chosen, start=1):
        response = submit_share(client, committee[index], box)
        assert response.status_code == 200
        assert response.json()["opened"] is (number == 3)  # k-1 shares do not open it
    box.refresh_from_db()
    assert box.opened_at is not None
    opened = OpenedEnvelope.objects.get()
    assert opened.outcome == "opened"
    assert opened.plaintext_sha256 == hashlib.sha256(plaintext).hexdigest()
    assert (Path(settings.MEDIA_ROOT) / opened.storage_name).read_bytes() == plaintext


def test_the_plaintext_an_opening_killed_midway_left_behind_is_removed_by_the_next(
    client, make_box, committee, bidder, pinned_time, settings
):
    # A worker killed while decrypting leaves its temporary file; the claim goes stale and the next share starts the
    # opening again. The half-finished plaintext must not stay on the server beside the real one.
    box = make_box(threshold=3)
    plaintext = b"Surat penawaran: Rp555.000.000,00 " * 100
    client.force_login(bidder)
    send(client, box, seal(box, plaintext))
    output_dir = Path(settings.MEDIA_ROOT) / "bids" / "opened" / box.public_id
    output_dir.mkdir(parents=True)
    leftover = output_dir / ".an-envelope.bin.k1ll3d.part"
    leftover.write_bytes(plaintext[:100])
    pinned_time.move_to(OPENING)
    for member in committee[:3]:
        submit_share(client, member, box)
    opened = OpenedEnvelope.objects.get()
    assert _opened_files(settings, box) == [Path(settings.MEDIA_ROOT) / opened.storage_name]
    assert not leftover.exists()


def test_k_minus_one_shares_do_not_rebuild_the_key(make_box, committee):
    box = make_box(threshold=3)
    shares = [crypto.Share.from_bytes(member.decrypt_share(box)) for member in committee[:2]]
    rebuilt = crypto.derive_identity(crypto.combine_shares(shares), box_id=box.public_id, envelope=box.envelope)
    assert crypto.recipient_for(rebuilt) != box.recipient


def test_a_pejabat_pengadaan_alone_opens_a_one_of_one_box(client, personas, bidder, pinned_time):
    import pyrage

    from conftest import give_totp
    from eproc.organizations.roles import Role

    from .conftest import GRACE, OPENS, Member

    officer = personas.make(Role.PEJABAT_PENGADAAN)
    give_totp(officer)
    identity = pyrage.x25519.Identity.generate()
    services.register_committee_key(actor=officer, recipient=str(identity.to_public()))
    box = services.create_box(
        actor=officer,
        agency=personas.agency_a,
        reference="PL-2026-7",
        title="Pengadaan ATK",
        envelope="single",
        members=[officer],
        threshold=1,
        upload_opens_at=OPENS,
        deadline=DEADLINE,
        grace_period=GRACE,
        opening_at=OPENING,
        bidders=[bidder],
    )
    client.force_login(bidder)
    send(client, box, seal(box, b"penawaran ATK"))
    pinned_time.move_to(OPENING)
    assert submit_share(client, Member(officer, identity), box).json()["opened"] is True


def test_a_tampered_share_is_refused_and_its_member_named(client, make_box, committee, pinned_time):
    box = make_box(threshold=3)
    pinned_time.move_to(OPENING)
    share = bytearray(committee[1].decrypt_share(box))
    share[5] ^= 0x40
    response = submit_share(client, committee[1], box, bytes(share))
    assert response.status_code == 400
    assert committee[1].user.full_name in response.json()["message"]
    assert box.shares.filter(submitted_at__isnull=False).count() == 0


def test_a_share_before_the_opening_time_is_refused(client, make_box, committee, pinned_time):
    box = make_box(threshold=1)
    pinned_time.move_to(OPENING - pinned_time_delta_ms())
    response = submit_share(client, committee[0], box)
    assert response.status_code == 400
    box.refresh_from_db()
    assert box.opened_at is None and box.shares.filter(submitted_at__isnull=False).count() == 0


def pinned_time_delta_ms():
    from datetime import timedelta

    return timedelta(milliseconds=1)


def test_truncated_flipped_and_wrong_key_bids_are_reported_and_leave_no_plaintext(
    client, make_box, committee, personas, pinned_time, settings
):
    box = make_box(threshold=2)
    good = seal(box, b"penawaran yang sah")
    truncated = seal(box, b"t" * 200_000)[:-100]
    flipped = bytearray(seal(box, b"f" * 1000))
    flipped[-20] ^= 0x01
    import pyrage

    wrong_key = pyrage.encrypt(b"salah kunci", [pyrage.x25519.Identity.generate().to_public()])
    bidders = []
    for index, data in enumerate([good, truncated, bytes(flipped), wrong_key]):
        _vendor, user = personas.vendor(f"Penyedia {index}")
        box.bidders.add(user)
        client.force_login(user)
        assert send(client, box, data, chunk=65536).status_code == 200
        bidders.append(user)
    pinned_time.move_to(OPENING)
    submit_share(client, committee[0], box)
    submit_share(client, committee[3], box)
    outcomes = {o.envelope.bidder_id: o for o in OpenedEnvelope.objects.select_related("envelope")}
    assert outcomes[bidders[0].pk].outcome == "opened"
    for user in bidders[1:]:
        outcome = outcomes[user.pk]
        assert outcome.outcome == "unreadable"
        assert outcome.reason and not outcome.storage_name and not outcome.plaintext_sha256
    # Only the good bid has a plaintext file, and no temporary file is left behind.
    assert [path.name for path in _opened_files(settings, box)] == [f"{outcomes[bidders[0].pk].envelope.public_id}.bin"]


def test_a_committed_bid_whose_bytes_never_arrived_is_reported_incomplete(
    client, make_box, committee, bidder, pinned_time
):
    box = make_box(threshold=1)
    client.force_login(bidder)
    sealed = seal(box, b"tidak pernah lengkap")
    client.post(
        reverse("bids:api_commit", args=[box.public_id]),
        {"sha256": hashlib.sha256(sealed).hexdigest(), "size": len(sealed)},
        content_type="application/json",
    )
    pinned_time.move_to(OPENING)
    submit_share(client, committee[0], box)
    assert OpenedEnvelope.objects.get().outcome == "incomplete"


def test_the_opening_writes_minutes_freezes_the_checkpoint_and_tells_the_committee(
    client, make_box, committee, bidder, pinned_time, django_capture_on_commit_callbacks
):
    box = make_box(threshold=2, members=committee[:3])
    client.force_login(bidder)
    send(client, box, seal(box, b"penawaran"))
    pinned_time.move_to(OPENING)
    submit_share(client, committee[0], box)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit_share(client, committee[2], box)
    box = SealedBox.objects.get(pk=box.pk)
    pdf = box.opening.minutes_pdf.read()
    assert pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == box.opening.minutes_sha256
    assert box.frozen_checkpoint.size >= 2  # the commitment and the bytes receipts
    assert {message.to[0] for message in mail.outbox} == {m.user.email for m in committee[:3]}
    response = client.get(reverse("bids:minutes_pdf", args=[box.public_id]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


def test_only_the_last_bid_of_a_bidder_is_opened(client, make_box, committee, bidder, pinned_time, settings):
    box = make_box(threshold=1)
    client.force_login(bidder)
    send(client, box, seal(box, b"versi lama"))
    send(client, box, seal(box, b"versi baru"))
    pinned_time.move_to(OPENING)
    submit_share(client, committee[0], box)
    opened = OpenedEnvelope.objects.get()
    assert (Path(settings.MEDIA_ROOT) / opened.storage_name).read_bytes() == b"versi baru"


def test_a_box_needs_members_with_keys_and_a_sane_schedule(make_box, committee, personas):
    from eproc.organizations.roles import Role

    keyless = personas.make(Role.POKJA)
    with pytest.raises(ValidationError, match="belum membuat kunci panitia"):
        make_box(members=[committee[0], type(committee[0])(keyless, None)], threshold=1)
    with pytest.raises(ValidationError):
        make_box(threshold=6)
    other_agency_member = personas.make(Role.POKJA, personas.agency_b)
    with pytest.raises(ValidationError):
        make_box(members=[committee[0], type(committee[0])(other_agency_member, None)], threshold=1)
