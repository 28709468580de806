"""The transparency log of bid receipts: an append-only Merkle log (RFC 6962 layout) with signed checkpoints.

Anyone can fetch a checkpoint, an inclusion proof for a receipt and a consistency proof between two checkpoints,
and check them offline with `python -m eproc.bids.verify`. The checkpoint at each box's deadline is frozen and
printed in its opening minutes, so nobody can later add or drop a bid committed before that deadline unnoticed.
"""

from collections.abc import Callable

from django.conf import settings
from django.db import connection

from eproc.core import clock

from . import merkle, receipts
from .keys import signing_key
from .models import Checkpoint, LogEntry, LogHead, SealedBox


def append(build_document: Callable[[int], dict], *, box: SealedBox | None = None) -> LogEntry:
    """Append the document that `build_document(index)` returns (it learns its own index, so a receipt can say
    where it sits in the log). Runs inside the caller's transaction; the head row serialises writers."""
    if not connection.in_atomic_block:
        raise RuntimeError("log.append() must run inside the transaction of the change it records.")
    head = LogHead.objects.select_for_update().filter(id=1).first()
    if head is None:
        LogHead.objects.bulk_create([LogHead(id=1)], ignore_conflicts=True)
        head = LogHead.objects.select_for_update().get(id=1)
    index = head.size
    document = build_document(index)
    entry = LogEntry.objects.create(
        index=index,
        leaf_hash=merkle.leaf_hash(receipts.canonical_json(document)).hex(),
        document=document,
        created_at=clock.now(),
        box=box,
    )
    LogHead.objects.filter(id=1).update(size=index + 1)
    return entry


def _leaf_hashes(size: int) -> list[bytes]:
    hashes = LogEntry.objects.filter(index__lt=size).order_by("index").values_list("leaf_hash", flat=True)
    return [bytes.fromhex(value) for value in hashes.iterator(chunk_size=5000)]


def current_size() -> int:
    head = LogHead.objects.filter(id=1).first()
    return head.size if head else 0


def _sign_checkpoint(size: int, at) -> Checkpoint:
    root = merkle.root(_leaf_hashes(size)).hex()
    body = {"origin": settings.EPROC_LOG_ORIGIN, "size": size, "root": root, "time": at.isoformat()}
    document = receipts.sign_document(body, signing_key(), kind="log-checkpoint")
    return Checkpoint(size=size, root=root, document=document, created_at=clock.now())


def latest_checkpoint() -> Checkpoint:
    """A signed checkpoint for the log as it is now (reused while the log has not grown)."""
    size = current_size()
    existing = Checkpoint.objects.filter(size=size, frozen_for__isnull=True).first()
    if existing:
        return existing
    checkpoint = _sign_checkpoint(size, clock.now())
    checkpoint.save()
    return checkpoint


def checkpoint_of_size(size: int) -> Checkpoint | None:
    return Checkpoint.objects.filter(size=size).first()


def freeze_checkpoint_for(box: SealedBox) -> Checkpoint:
    """The checkpoint of the log as it stood at the box's deadline, created once, after the deadline."""
    existing = Checkpoint.objects.filter(frozen_for=box).first()
    if existing:
        return existing
    if clock.now() < box.deadline:
        raise ValueError("A box's checkpoint is frozen only after its deadline.")
    size = LogEntry.objects.filter(created_at__lte=box.deadline).count()
    checkpoint = _sign_checkpoint(size, box.deadline)
    checkpoint.frozen_for = box
    checkpoint.save()
    return checkpoint


def inclusion_proof(index: int, tree_size: int) -> dict:
    if not 0 <= index < tree_size <= current_size():
        raise ValueError("No such entry in a tree of that size.")
    proof = merkle.inclusion_proof(_leaf_hashes(tree_size), index)
    return {"log_index": index, "tree_size": tree_size, "proof": merkle.proof_to_hex(proof)}


def consistency_proof(old_size: int, new_size: int) -> dict:
    if not 0 <= old_size <= new_size <= current_size():
        raise ValueError("Sizes must satisfy 0 <= old <= new <= current log size.")
    proof = merkle.consistency_proof(_leaf_hashes(new_size), old_size)
    return {"old_size": old_size, "new_size": new_size, "proof": merkle.proof_to_hex(proof)}
