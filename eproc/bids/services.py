"""Every write of the sealed-bids app. Keyword-only, atomic, policy-checked, audited (DESIGN 3, 5, 6)."""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils.translation import gettext as _

from eproc.audit.services import record
from eproc.core import clock
from eproc.organizations.roles import Role
from eproc.organizations.selectors import grants_of
from eproc.permissions import require

from . import crypto, log, notifications, policies, receipts, uploads
from .keys import signing_key
from .models import BoxShare, CommitteeKey, Envelope, OpenedEnvelope, Opening, SealedBox

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_RECIPIENT = re.compile(r"^age1[02-9ac-hj-np-z]{58}$")


# --- Committee keys --------------------------------------------------------------------------------------------


@transaction.atomic
def register_committee_key(*, actor, recipient: str) -> CommitteeKey:
    """Store the public recipient of a member's new personal identity; the previous one is retired. Boxes made
    earlier keep their shares encrypted to the key they were made with (the member keeps the old file too)."""
    require(policies.can_manage_committee_key(actor))
    recipient = recipient.strip()
    if not _RECIPIENT.match(recipient):
        raise ValidationError(_("This is not an age recipient (it starts with age1 and has 62 characters)."))
    try:
        crypto.encrypt_to_recipient(recipient, b"check")
    except Exception as error:
        raise ValidationError(_("This is not a valid age recipient.")) from error
    now = clock.now()
    CommitteeKey.objects.filter(user=actor, retired_at__isnull=True).update(retired_at=now)
    key = CommitteeKey.objects.create(user=actor, recipient=recipient, created_at=now)
    record(actor=actor, action="bids.committee_key.registered", target=key, data={"recipient": recipient})
    return key


def active_key_of(user) -> CommitteeKey | None:
    return CommitteeKey.objects.filter(user=user, retired_at__isnull=True).first()


# --- Boxes and their threshold keys ----------------------------------------------------------------------------


@transaction.atomic
def create_box(
    *,
    actor,
    agency,
    reference: str,
    title: str,
    envelope: str,
    members: list,
    threshold: int,
    upload_opens_at: datetime,
    deadline: datetime,
    grace_period: timedelta,
    opening_at: datetime,
    bidders: list = (),
    held: bool = False,
) -> SealedBox:
    """Draw a seed, derive the box identity from it, split the seed k-of-n among the members, encrypt each
    share to its member and forget the seed and the identity (DESIGN 5). Only the recipient, k, n and the
    SHA-256 of each share are kept in the clear."""
    require(policies.can_create_box(actor, agency))
    members = list(dict.fromkeys(members))
    if not members:
        raise ValidationError(_("A box needs at least one committee member."))
    member_keys = {}
    for member in members:
        key = active_key_of(member)
        committee_here = any(
            grant.agency_id == agency.pk and grant.role in (Role.POKJA, Role.PEJABAT_PENGADAAN)
            for grant in grants_of(member)
        )
        if not committee_here:
            raise ValidationError(_("%(name)s is not a committee member of this agency.") % {"name": member})
        if key is None:
            raise ValidationError(_("%(name)s has not created a committee key yet.") % {"name": member})
        member_keys[member.pk] = key
    if not 1 <= threshold <= len(members):
        raise ValidationError(_("The number of shares needed must be between 1 and the number of members."))
    if not upload_opens_at < deadline:
        raise ValidationError(_("The upload window must open before its deadline."))
    if grace_period < timedelta(0):
        raise ValidationError(_("The grace period cannot be negative."))
    if not deadline + grace_period < opening_at:
        raise ValidationError(_("The opening must come after the deadline and its grace period."))

    box = SealedBox.objects.create(
        agency=agency,
        reference=reference.strip(),
        title=title.strip(),
        envelope=envelope,
        recipient="",
        threshold=threshold,
        upload_opens_at=upload_opens_at,
        deadline=deadline,
        grace_period=grace_period,
        opening_at=opening_at,
        held=held,
        created_by=actor,
        created_at=clock.now(),
    )
    seed = crypto.new_seed()
    box.recipient = crypto.recipient_for(crypto.derive_identity(seed, box_id=box.public_id, envelope=envelope))
    shares = crypto.split_seed(seed, threshold=threshold, holders=len(members))
    del seed  # the seed and the identity are never stored; only the shares, each sealed to one member
    box.save(update_fields=["recipient"])
    for member, share in zip(members, shares, strict=True):
        recipient = member_keys[member.pk].recipient
        BoxShare.objects.create(
            box=box,
            member=member,
            member_recipient=recipient,
            share_index=share.index,
            share_ciphertext=crypto.encrypt_to_recipient(recipient, share.to_bytes()),
            share_sha256=crypto.share_sha256(share),
        )
    for bidder in bidders:
        _require_eligible(bidder)
    box.bidders.set(bidders)
    record(
        actor=actor,
        action="bids.box.created",
        target=box,
        agency=agency,
        data={
            "reference": box.reference,
            "envelope": envelope,
            "recipient": box.recipient,
            "threshold": threshold,
            "members": [member.email for member in members],
            "share_sha256": list(box.shares.values_list("share_sha256", flat=True)),
            "deadline": deadline,
            "grace_period_seconds": int(grace_period.total_seconds()),
            "opening_at": opening_at,
        },
    )
    return box


def _require_eligible(bidder):
    """Unverified, suspended and blacklisted vendors neither join nor bid (vendors.policies.eligibility)."""
    from eproc.vendors.policies import user_eligibility

    eligibility = user_eligibility(bidder)
    if not eligibility.allowed:
        raise ValidationError(
            _("%(name)s cannot take part: %(reason)s") % {"name": bidder, "reason": eligibility.reason}
        )


@transaction.atomic
def admit_bidder(*, actor, box: SealedBox, bidder) -> None:
    """Let a participant of the tender submit to this box (the tender lifecycle calls this when one joins)."""
    require(policies.can_admit_bidder(actor, box, bidder))
    _require_eligible(bidder)
    box.bidders.add(bidder)
    record(actor=actor, action="bids.box.bidder_admitted", target=box, agency=box.agency, data={"bidder": bidder.email})


@transaction.atomic
def reschedule_box(*, actor, box: SealedBox, upload_opens_at: datetime, deadline: datetime, opening_at: datetime):
    """Follow a schedule change of the tender (an addendum's extension, say). A deadline that has passed stays
    passed: commitments were judged against it, so neither it nor the opening after it can move."""
    require(policies.can_create_box(actor, box.agency))
    box = SealedBox.objects.select_for_update().get(pk=box.pk)
    now = clock.now()
    unchanged = (box.upload_opens_at, box.deadline, box.opening_at) == (upload_opens_at, deadline, opening_at)
    if unchanged:
        return box
    if box.deadline <= now or box.opening_claimed_at or box.opened_at:
        raise ValidationError(
            _("The bid deadline of %(reference)s has passed; its schedule can no longer change.")
            % {"reference": box.reference}
        )
    if not upload_opens_at < deadline:
        raise ValidationError(_("The upload window must open before its deadline."))
    if not deadline + box.grace_period < opening_at:
        raise ValidationError(_("The opening must come after the deadline and its grace period."))
    old = {"upload_opens_at": box.upload_opens_at, "deadline": box.deadline, "opening_at": box.opening_at}
    box.upload_opens_at, box.deadline, box.opening_at = upload_opens_at, deadline, opening_at
    box.save(update_fields=["upload_opens_at", "deadline", "opening_at"])
    record(
        actor=actor,
        action="bids.box.rescheduled",
        target=box,
        agency=box.agency,
        data={"from": old, "to": {"upload_opens_at": upload_opens_at, "deadline": deadline, "opening_at": opening_at}},
    )
    return box


@transaction.atomic
def release_box(*, actor, box: SealedBox, withhold: dict) -> SealedBox:
    """Let a held box open, keeping sealed for ever the current envelopes of `withhold` ({bidder: reason}): a price
    envelope of a bidder who failed the technical evaluation is never read (Perpres 54/2010 Pasal 47)."""
    require(policies.can_create_box(actor, box.agency))
    box = SealedBox.objects.select_for_update().get(pk=box.pk)
    if not box.held or box.released_at is not None:
        raise ValidationError(_("This box is not waiting to be released."))
    for bidder, reason in withhold.items():
        box.envelopes.filter(bidder=bidder, superseded_at__isnull=True).update(withheld_reason=reason[:300])
    box.released_at = clock.now()
    box.save(update_fields=["released_at"])
    record(
        actor=actor,
        action="bids.box.released",
        target=box,
        agency=box.agency,
        data={"withheld": {bidder.email: reason for bidder, reason in withhold.items()}},
    )
    return box


@transaction.atomic
def close_box(*, actor, box: SealedBox, reason: str) -> SealedBox:
    """Close an unopened box for good (its tender was cancelled or failed): the bids in it stay sealed."""
    require(policies.can_create_box(actor, box.agency))
    box = SealedBox.objects.select_for_update().get(pk=box.pk)
    if box.opened_at is not None or box.closed_at is not None:
        return box
    box.closed_at = clock.now()
    box.closed_reason = reason[:300]
    box.save(update_fields=["closed_at", "closed_reason"])
    record(actor=actor, action="bids.box.closed", target=box, agency=box.agency, data={"reason": box.closed_reason})
    return box


def _refuse_if_closed(box: SealedBox) -> None:
    if box.closed_at is not None:
        raise ValidationError(
            _("This box is closed (%(reason)s): it takes no bid and is never opened.") % {"reason": box.closed_reason}
        )


# --- Submission: commitment, then bytes ------------------------------------------------------------------------


def _receipt_body(envelope: Envelope, log_index: int, *, bytes_received: bool) -> dict:
    body = {
        "box": envelope.box.public_id,
        "reference": envelope.box.reference,
        "envelope": envelope.box.envelope,
        "box_recipient": envelope.box.recipient,
        "vendor_commitment": receipts.vendor_commitment(envelope.bidder.public_id, bytes(envelope.bidder_nonce)),
        "ciphertext_sha256": envelope.ciphertext_sha256,
        "ciphertext_size": envelope.ciphertext_size,
        "committed_at": envelope.committed_at.isoformat(),
        "log_index": log_index,
    }
    if bytes_received:
        body["bytes_received_at"] = envelope.bytes_completed_at.isoformat()
        body["commitment_log_index"] = envelope.commitment_log_index
    return body


def _append_receipt(envelope: Envelope, *, bytes_received: bool):
    return log.append(
        lambda index: receipts.sign_document(
            _receipt_body(envelope, index, bytes_received=bytes_received), signing_key(), kind="bid-receipt"
        ),
        box=envelope.box,
    )


@transaction.atomic
def commit_envelope(*, actor, box: SealedBox, sha256: str, size: int, received_at: datetime | None = None) -> Envelope:
    """Register the SHA-256 and size of a sealed bid: the small, receipted request that must arrive before the
    deadline (DESIGN 5). A later commitment by the same bidder replaces this one; the last one counts.
    `received_at`: when the request reached the LPSE (core.arrival), if not now; it is the commitment's time.

    The same SHA-256 and size as the bidder's standing commitment answer that commitment, unchanged, even after the
    deadline: it is no new offer. So a client whose commitment counted but whose answer was lost (the line dropped
    in the last seconds) can send it again, and a vendor choosing the same sealed file again after reloading the
    page carries on uploading it, where a new commitment would be refused."""
    require(policies.can_submit_bid(actor, box))
    _require_eligible(actor)
    _refuse_if_closed(box)
    now = received_at or clock.now()
    sha256 = sha256.strip().lower()

    def standing() -> list[Envelope]:
        """The bidder's standing commitment in the box (one at most), locked: a new one replaces it."""
        return list(
            Envelope.objects.select_for_update(of=("self",))
            .select_related("box", "bidder")
            .filter(box=box, bidder=actor, superseded_at__isnull=True)
        )

    def of_these_bytes(envelopes: list[Envelope]) -> Envelope | None:
        return next((e for e in envelopes if (e.ciphertext_sha256, e.ciphertext_size) == (sha256, size)), None)

    previous = standing()
    if (same := of_these_bytes(previous)) is not None:
        return same
    # Pasal 1(5): the offer is made at the time set in the documents. One millisecond late is late.
    if now < box.upload_opens_at:
        raise ValidationError(_("The upload window has not opened yet."))
    if now >= box.deadline:
        # This may be the client's retry of a commitment that counted just before the deadline and is still being
        # saved (on PostgreSQL an unsaved row is not seen): wait for the appends under way, then look again.
        log.wait_for_appends()
        if (same := of_these_bytes(standing())) is not None:
            return same
        raise ValidationError(_("The upload deadline has passed; no new bid or replacement is accepted."))
    if not _SHA256_HEX.match(sha256):
        raise ValidationError(_("The SHA-256 must be 64 hexadecimal characters."))
    if not 0 < size <= settings.EPROC_MAX_BID_BYTES:
        raise ValidationError(
            _("The bid size must be between 1 byte and %(limit)s MB.")
            % {"limit": settings.EPROC_MAX_BID_BYTES // 1024**2}
        )
    for old in previous:
        old.superseded_at = now
        old.save(update_fields=["superseded_at"])
        # What was uploaded for the replaced bid is no longer wanted (and is never opened); a sealed one stays.
        transaction.on_commit(lambda old=old: uploads.discard(old))
    envelope = Envelope(
        box=box,
        bidder=actor,
        bidder_nonce=receipts.new_nonce(),
        ciphertext_sha256=sha256,
        ciphertext_size=size,
        committed_at=now,
        commitment_log_index=0,
        receipt={},
    )
    entry = _append_receipt(envelope, bytes_received=False)
    envelope.commitment_log_index = entry.index
    envelope.receipt = entry.document
    envelope.save()
    record(
        actor=actor,
        action="bids.envelope.committed",
        target=envelope,
        agency=box.agency,
        data={
            "box": box.public_id,
            "ciphertext_sha256": sha256,
            "ciphertext_size": size,
            "log_index": entry.index,
            "replaces": [old.public_id for old in previous],
        },
    )
    return envelope


def _check_bytes_window(envelope: Envelope, now):
    _refuse_if_closed(envelope.box)
    if envelope.superseded_at is not None:
        raise ValidationError(_("This bid was replaced by a later one; upload the later one."))
    if envelope.is_complete:
        raise ValidationError(_("This bid is already complete."))
    if now >= envelope.box.bytes_deadline:
        raise ValidationError(_("The time for completing committed bids has passed."))


class ChunkOutOfPlace(ValidationError):
    """A chunk that does not start where the upload stands, `received_size`: the client carries on from there. A
    client meets it when an earlier request of its own, given up for lost, still counted (a chunk cut short counts
    for the bytes that came), so it is an answer to resume by, not a failure (the API answers 409)."""

    def __init__(self, received_size: int):
        super().__init__(_("Expected the chunk at byte %(expected)s; resume from there.") % {"expected": received_size})
        self.received_size = received_size


class CompletionUnderWay(ChunkOutOfPlace):
    """Another request of the same client has sealed the bid's bytes and is recording the completion: ask again in a
    moment, and the completion answers with the receipt (the API answers 409, like ChunkOutOfPlace)."""

    def __init__(self, received_size: int):
        ValidationError.__init__(self, _("Another request is completing this bid; ask again in a moment."))
        self.received_size = received_size


def _check_chunk(envelope: Envelope, offset: int, length: int, now: datetime, *, overlapping=False) -> None:
    """`overlapping`: a chunk may also start before received_size (under the lock: see receive_chunk)."""
    if envelope.is_complete and envelope.superseded_at is None:
        # The client's retry of a last chunk whose answer it lost (that chunk completed the bid): the answer says
        # the upload stands at its end, and the client asks for the completion, which answers with the receipt.
        raise ChunkOutOfPlace(envelope.received_size)
    _check_bytes_window(envelope, now)
    if offset != envelope.received_size and not (overlapping and offset < envelope.received_size):
        raise ChunkOutOfPlace(envelope.received_size)
    if not 0 < length <= settings.EPROC_MAX_BID_CHUNK_BYTES:
        raise ValidationError(
            _("A chunk must be between 1 byte and %(limit)s MB.")
            % {"limit": settings.EPROC_MAX_BID_CHUNK_BYTES // 1024**2}
        )
    if offset + length > envelope.ciphertext_size:
        raise ValidationError(_("The upload is larger than the committed size."))


def receive_chunk(
    *, actor, envelope: Envelope, offset: int, stream, length: int, received_at: datetime | None = None
) -> Envelope:
    """Store one chunk of a committed bid. Chunks arrive in order; a client that lost its connection asks for
    `received_size` and resumes there. Each chunk is its own short request and transaction (DESIGN 8). The chunk
    that brings the last byte also completes the bid (complete_envelope), and the envelope returned is complete.

    The body is written (uploads.write_chunk) before the transaction opens, once the request has been checked:
    otherwise a vendor on a slow line holds the envelope's lock, and on SQLite the database's only write lock, for as
    long as its chunk takes to arrive, and every other upload and every page that writes queues behind it at the
    deadline (benchmarks/bench_surge.py). Everything is checked again under the lock before the chunk counts.
    `received_at`: when the request reached the LPSE (core.arrival), if not now."""
    now = received_at or clock.now()
    # The first checks use the caller's copy (the API view has just read it): they only spare reading a body that
    # would be refused. The checks that count are made again under the lock, and the bytes against the commitment.
    require(envelope.bidder_id == actor.pk)
    _check_chunk(envelope, offset, length, now)
    try:
        received = uploads.write_chunk(envelope, offset, stream, length)
    except uploads.Restarted:
        # Another request of this client completed the bid meanwhile (the first attempt of this very chunk, whose
        # answer the client gave up on), or its bytes were refused and the upload begun again: say where it stands.
        current = Envelope.objects.select_related("box").get(pk=envelope.pk)
        if not (current.is_complete and current.superseded_at is None):
            _check_bytes_window(current, now)  # replaced, closed or too late by now: say that instead
        raise ChunkOutOfPlace(current.received_size) from None
    if not received:
        raise ValidationError(_("The chunk ended early; send it again."))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A chunk's progress need not wait for the disk: a crash may forget the last chunks acknowledged (and
            # their audit events, in the same transaction), and the client resumes from the received size it then
            # reads. Commitments and completions, which carry receipts, still wait. At the deadline this keeps the
            # audit chain's lock, held until commit, from queueing every upload behind the disk's flushes.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        # of=("self",): the envelope's row only. Without it PostgreSQL also locks the joined box row, which every
        # upload to the box shares: chunks would queue one at a time, and deadlock with a commitment that holds
        # the audit chain's head and waits for the box row at its COMMIT (the deferred foreign key check).
        # The box's agency and the bidder come in the same query: the audit event and the API's answer need them.
        envelope = (
            Envelope.objects.select_for_update(of=("self",)).select_related("box__agency", "bidder").get(pk=envelope.pk)
        )
        # A chunk whose body ended early (its connection was cut) counts for the bytes that came: the client asks
        # for received_size and sends the rest, so a dropped line costs a vendor its last moments, not the chunk.
        # On a line that dropped silently, the server learns of the cut only at the proxy's body timeout, after the
        # client has sent the chunk again: the cut attempt may then count first, and the whole retry, which wrote
        # the same committed bytes from the same offset, still counts for what it adds beyond it.
        _check_chunk(envelope, offset, length, now, overlapping=True)
        previous = envelope.received_size
        # A chunk adding nothing beyond what is counted already changes nothing; the answer says where the upload
        # stands (and completes it below, if an earlier completion of the whole upload failed).
        if offset + received > previous:
            envelope.received_size = offset + received
            envelope.save(update_fields=["received_size"])
            data = {"offset": offset, "length": received}
            if received < length:
                data["announced_length"] = length
            if previous != offset:
                data["received_before"] = previous
            record(
                actor=actor,
                action="bids.envelope.chunk_received",
                target=envelope,
                agency=envelope.box.agency,
                data=data,
            )
    if envelope.received_size == envelope.ciphertext_size:
        # The last byte is in: the bid is completed by the request that brought it, so a bid whose bytes all reached
        # the LPSE does not also need another request to get through in the deadline's last seconds (issue 10).
        # Bytes that do not match the commitment are refused here, as a completion would refuse them.
        return complete_envelope(actor=actor, envelope=envelope, received_at=now)
    return envelope


def complete_envelope(*, actor, envelope: Envelope, received_at: datetime | None = None) -> Envelope:
    """Check the uploaded bytes against the commitment and keep them under their SHA-256. Bytes that finish
    after the deadline are accepted only inside the grace period and only if they match exactly (DESIGN 5).

    Not one transaction on purpose: the bytes are hashed and stored outside any transaction (a large bid must
    not hold the database's write lock), then a short transaction records the result after checking again.
    `received_at`: when the request reached the LPSE (core.arrival), if not now; the bytes count as received then."""
    now = received_at or clock.now()
    with transaction.atomic():
        envelope = Envelope.objects.select_for_update(of=("self",)).select_related("box", "bidder").get(pk=envelope.pk)
        require(envelope.bidder_id == actor.pk)
        if envelope.is_complete and envelope.superseded_at is None:
            # Completed already: by its last chunk (receive_chunk), or by this client's earlier request whose answer
            # was lost. Asking again changes nothing and answers with the receipt.
            return envelope
        _check_bytes_window(envelope, now)
        if envelope.received_size != envelope.ciphertext_size:
            raise ValidationError(
                _("The upload is not complete: %(received)s of %(size)s bytes received.")
                % {"received": envelope.received_size, "size": envelope.ciphertext_size}
            )
    try:
        # Stored under a temporary name (the upload's own) and renamed: a server killed mid-write leaves no partial
        # bid under the name a receipt would point to (tests/security/test_crash_during_uploads.py).
        name = uploads.seal(envelope)
    except uploads.Restarted:
        # Another request completed the bid while this one waited for the upload file (the last chunk and its
        # retry, or a completion sent by a client that did not hear the last chunk's answer): answer the same, or,
        # while that request is still recording it, ask the client to ask again.
        current = Envelope.objects.select_related("box", "bidder").get(pk=envelope.pk)
        if current.is_complete and current.superseded_at is None:
            return current
        if current.received_size == current.ciphertext_size and current.superseded_at is None:
            raise CompletionUnderWay(current.received_size) from None
        raise
    except uploads.BytesMismatch:
        _refuse_bytes(actor, envelope, "mismatch")
        raise ValidationError(
            _(
                "The uploaded bytes do not match the committed SHA-256 and size; nothing was "
                "kept. Upload the exact file you committed."
            )
        ) from None
    except crypto.AgeHeaderError as error:
        _refuse_bytes(actor, envelope, "not-age")
        raise ValidationError(
            _("The file is not a bid sealed with age to this box: %(reason)s") % {"reason": error}
        ) from error
    with transaction.atomic():
        envelope = (
            Envelope.objects.select_for_update(of=("self",)).select_related("box__agency", "bidder").get(pk=envelope.pk)
        )
        if envelope.is_complete and envelope.superseded_at is None:
            return envelope  # completed by another request meanwhile, with these very bytes (the name is their hash)
        _check_bytes_window(envelope, now)
        if envelope.received_size != envelope.ciphertext_size:
            # Refused meanwhile by another request of the client (and perhaps begun again): what `seal` found under
            # the committed hash is not this upload's. It may be another bidder's stored bid, whose hash and size
            # the public log shows: it must never become this bidder's.
            raise ValidationError(
                _("The upload is not complete: %(received)s of %(size)s bytes received.")
                % {"received": envelope.received_size, "size": envelope.ciphertext_size}
            )
        envelope.storage_name = name
        envelope.bytes_completed_at = now
        entry = _append_receipt(envelope, bytes_received=True)
        envelope.bytes_log_index = entry.index
        envelope.receipt = entry.document
        envelope.save(update_fields=["storage_name", "bytes_completed_at", "bytes_log_index", "receipt"])
        record(
            actor=actor,
            action="bids.envelope.completed",
            target=envelope,
            agency=envelope.box.agency,
            data={
                "box": envelope.box.public_id,
                "ciphertext_sha256": envelope.ciphertext_sha256,
                "log_index": entry.index,
                "after_deadline": now >= envelope.box.deadline,
            },
        )
    uploads.discard(envelope)  # chunk objects of an object store; the local upload file was renamed
    return envelope


def _refuse_bytes(actor, envelope: Envelope, reason: str):
    """Bytes that do not match are thrown away (the commitment stands), so the bidder can upload the right file
    again while the window lasts."""
    with transaction.atomic():
        current = Envelope.objects.select_for_update(of=("self",)).get(pk=envelope.pk)
        if current.is_complete or current.received_size != current.ciphertext_size:
            # Refused already by another request at the same time (the last chunk and its retry), and perhaps begun
            # again since: nothing more to throw away, and one refusal on record.
            return
        current.received_size = 0
        current.save(update_fields=["received_size"])
        record(
            actor=actor,
            action="bids.envelope.bytes_refused",
            target=envelope,
            agency=envelope.box.agency,
            data={"reason": reason},
        )
    uploads.discard(envelope)


# --- Opening (Pembukaan Dokumen Penawaran) ---------------------------------------------------------------------

OPENING_CLAIM_STALE_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class ShareOutcome:
    accepted: bool
    message: str
    opened: bool = False


def submit_share(*, actor, box: SealedBox, share_bytes: bytes) -> ShareOutcome:
    """A member submits the share they decrypted in their own browser. It is checked against its published
    SHA-256; a bad share is refused and its member named. Once k good shares are in, the box opens."""
    with transaction.atomic():
        box = SealedBox.objects.select_for_update().get(pk=box.pk)
        box_share = box.shares.filter(member=actor).first()
        require(box_share is not None)
        _refuse_if_closed(box)
        now = clock.now()
        if now < box.opening_at or (box.held and box.released_at is None):
            record(actor=actor, action="bids.share.refused_early", target=box, agency=box.agency, data={})
            early = True
        else:
            early = False
    if early:
        if box.held and box.released_at is None:
            raise ValidationError(_("This box opens only after the technical evaluation is concluded."))
        raise ValidationError(_("Shares are accepted only from the opening time on."))
    with transaction.atomic():
        box = SealedBox.objects.select_for_update().get(pk=box.pk)
        box_share = box.shares.select_for_update().get(member=actor)
        if box.opened_at is not None:
            return ShareOutcome(False, _("This box is already open."), opened=True)
        if hashlib.sha256(share_bytes).hexdigest() != box_share.share_sha256:
            record(
                actor=actor,
                action="bids.share.rejected",
                target=box,
                agency=box.agency,
                data={"member": actor.email, "share_index": box_share.share_index},
            )
            transaction.on_commit(lambda: notifications.share_submitted(box, actor, accepted=False))
            return ShareOutcome(
                False,
                _("The share of %(member)s does not match its published SHA-256; it was refused.") % {"member": actor},
            )
        box_share.submitted_share = share_bytes
        box_share.submitted_at = now
        box_share.save(update_fields=["submitted_share", "submitted_at"])
        record(
            actor=actor,
            action="bids.share.accepted",
            target=box,
            agency=box.agency,
            data={"member": actor.email, "share_index": box_share.share_index},
        )
        transaction.on_commit(lambda: notifications.share_submitted(box, actor, accepted=True))
        submitted = box.shares.filter(submitted_at__isnull=False).count()
    if submitted >= box.threshold:
        open_box(actor=actor, box=box)
        return ShareOutcome(True, _("Share accepted. The box is open."), opened=True)
    return ShareOutcome(
        True, _("Share accepted: %(have)s of the %(need)s needed.") % {"have": submitted, "need": box.threshold}
    )


def _claim_opening(box: SealedBox) -> bool:
    with transaction.atomic():
        box = SealedBox.objects.select_for_update().get(pk=box.pk)
        now = clock.now()
        if box.opened_at is not None or box.closed_at is not None:
            return False
        if box.opening_claimed_at and now - box.opening_claimed_at < OPENING_CLAIM_STALE_AFTER:
            return False
        SealedBox.objects.filter(pk=box.pk).update(opening_claimed_at=now)
        return True


def open_box(*, actor, box: SealedBox) -> None:
    """Combine k shares, check the derived recipient against the published one, decrypt every current envelope
    in threads (temporary file renamed only on success), then record each outcome, the frozen checkpoint and the
    minutes in one transaction, and tell the committee (DESIGN 5)."""
    from . import minutes

    if not _claim_opening(box):
        return
    shares = [
        crypto.Share.from_bytes(bytes(value))
        for value in box.shares.filter(submitted_at__isnull=False).values_list("submitted_share", flat=True)
    ][: box.threshold]
    identity = crypto.derive_identity(crypto.combine_shares(shares), box_id=box.public_id, envelope=box.envelope)
    if crypto.recipient_for(identity) != box.recipient:
        with transaction.atomic():
            SealedBox.objects.filter(pk=box.pk).update(opening_claimed_at=None)
            record(
                actor=actor,
                action="bids.box.opening_failed",
                target=box,
                agency=box.agency,
                data={"reason": "derived recipient differs from the published one"},
            )
        raise ValidationError(_("The shares do not rebuild this box's key; the opening was stopped."))

    envelopes = list(box.envelopes.filter(superseded_at__isnull=True).select_related("bidder"))
    withheld = {envelope.pk for envelope in envelopes if envelope.withheld_reason}
    output_dir = Path(settings.MEDIA_ROOT) / "bids" / "opened" / box.public_id
    output_dir.mkdir(parents=True, exist_ok=True)
    crypto.discard_leftovers(output_dir)
    jobs = {
        envelope.pk: (Path(default_storage.path(envelope.storage_name)), output_dir / f"{envelope.public_id}.bin")
        for envelope in envelopes
        if envelope.is_complete and envelope.pk not in withheld
    }
    results = (
        dict(
            zip(
                jobs,
                [
                    result
                    for _src, result in crypto.open_files_in_workers(
                        list(jobs.values()),
                        identity,
                        max_workers=settings.EPROC_BID_OPENING_WORKERS,
                    )
                ],
                strict=True,
            )
        )
        if jobs
        else {}
    )
    del identity

    with transaction.atomic():
        box = SealedBox.objects.select_for_update().get(pk=box.pk)
        checkpoint = log.freeze_checkpoint_for(box)
        outcomes = []
        for envelope in envelopes:
            outcome = _record_outcome(envelope, results.get(envelope.pk), jobs.get(envelope.pk))
            outcomes.append(outcome)
            record(
                actor=actor,
                action="bids.envelope.opened",
                target=envelope,
                agency=box.agency,
                data={
                    "outcome": outcome.outcome,
                    "reason": outcome.reason,
                    "plaintext_sha256": outcome.plaintext_sha256,
                    "ciphertext_sha256": envelope.ciphertext_sha256,
                },
            )
        now = clock.now()
        opening = Opening.objects.create(box=box, opened_at=now)
        pdf = minutes.render_opening_minutes(box=box, opening=opening, outcomes=outcomes, checkpoint=checkpoint)
        opening.minutes_sha256 = hashlib.sha256(pdf).hexdigest()
        opening.minutes_pdf.save(f"berita-acara-pembukaan-{box.public_id}.pdf", ContentFile(pdf), save=False)
        opening.save()
        box.opened_at = now
        box.save(update_fields=["opened_at"])
        record(
            actor=actor,
            action="bids.box.opened",
            target=box,
            agency=box.agency,
            data={
                "envelopes": len(envelopes),
                "checkpoint_size": checkpoint.size,
                "checkpoint_root": checkpoint.root,
                "minutes_sha256": opening.minutes_sha256,
            },
        )
        transaction.on_commit(lambda: notifications.box_opened(box))


def _record_outcome(envelope: Envelope, result, job) -> OpenedEnvelope:
    if envelope.withheld_reason:
        return OpenedEnvelope.objects.create(
            envelope=envelope, outcome=OpenedEnvelope.Outcome.WITHHELD, reason=envelope.withheld_reason
        )
    if result is None:
        return OpenedEnvelope.objects.create(
            envelope=envelope,
            outcome=OpenedEnvelope.Outcome.INCOMPLETE,
            reason=f"{envelope.received_size} of {envelope.ciphertext_size} bytes arrived",
        )
    if isinstance(result, crypto.DecryptionFailed):
        return OpenedEnvelope.objects.create(
            envelope=envelope, outcome=OpenedEnvelope.Outcome.UNREADABLE, reason=str(result)[:300]
        )
    plaintext_sha256, plaintext_size = result
    return OpenedEnvelope.objects.create(
        envelope=envelope,
        outcome=OpenedEnvelope.Outcome.OPENED,
        plaintext_sha256=plaintext_sha256,
        plaintext_size=plaintext_size,
        storage_name=str(job[1].relative_to(Path(settings.MEDIA_ROOT))),
    )
