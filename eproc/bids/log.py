"""The transparency log of bid receipts: an append-only Merkle log (RFC 6962 layout) with signed checkpoints.

Anyone can fetch a checkpoint, an inclusion proof for a receipt and a consistency proof between two checkpoints,
and check them offline with `python -m eproc.bids.verify`. The checkpoint at each box's deadline is frozen and
printed in its opening minutes, so nobody can later add or drop a bid committed before that deadline unnoticed.

Checkpoints and proofs are computed from the stored roots of complete subtrees (LogNode, written as entries are
appended), O(log n) rows each: reading every entry for each of them, as before, cost seconds per request once the
log held a million receipts, on endpoints anyone may call.
"""

from collections.abc import Callable, Iterable
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import connection
from django.db.models import Q

from eproc.core import clock

from . import merkle, receipts
from .keys import signing_key
from .models import Checkpoint, LogEntry, LogHead, LogNode, SealedBox


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
    leaf = merkle.leaf_hash(receipts.canonical_json(document))
    entry = LogEntry.objects.create(
        index=index, leaf_hash=leaf.hex(), document=document, created_at=clock.now(), box=box
    )
    _store_completed_subtrees(index, leaf)
    LogHead.objects.filter(id=1).update(size=index + 1)
    return entry


def _store_completed_subtrees(index: int, leaf: bytes) -> None:
    """Keep the root of each complete subtree that the entry at `index` completes (on average one)."""
    completed = merkle.completed_by(index)
    if not completed:
        return
    left_halves = _complete_roots((height - 1, 2 * position) for height, position in completed)
    node, nodes = leaf, []
    for height, position in completed:
        node = merkle.node_hash(left_halves[(height - 1, 2 * position)], node)
        nodes.append(LogNode(height=height, position=position, hash=node.hex()))
    LogNode.objects.bulk_create(nodes)


def _complete_roots(parts: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored roots of these complete subtrees, (height, position) -> hash, in at most two queries."""
    parts = set(parts)
    leaves = [position for height, position in parts if height == 0]
    nodes = [Q(height=height, position=position) for height, position in parts if height > 0]
    roots = {
        (0, index): bytes.fromhex(value)
        for index, value in LogEntry.objects.filter(index__in=leaves).values_list("index", "leaf_hash")
    }
    if nodes:
        for height, position, value in LogNode.objects.filter(reduce(or_, nodes)).values_list(
            "height", "position", "hash"
        ):
            roots[(height, position)] = bytes.fromhex(value)
    missing = parts - roots.keys()
    if missing:  # never in a log kept by append(); `manage.py audit_verify` says what else is wrong
        raise RuntimeError(f"The bid log lacks the subtrees {sorted(missing)[:5]}; run manage.py audit_verify.")
    return roots


def _range_roots(ranges: list[tuple[int, int]]) -> list[bytes]:
    """MTH(D[start:end]) for each range, from the stored complete subtrees they are made of."""
    roots = _complete_roots(part for start, end in ranges for part in merkle.complete_parts(start, end))
    return [merkle.range_root(start, end, lambda height, position: roots[(height, position)]) for start, end in ranges]


def current_size() -> int:
    head = LogHead.objects.filter(id=1).first()
    return head.size if head else 0


def _sign_checkpoint(size: int, at) -> Checkpoint:
    (root,) = _range_roots([(0, size)])
    root = root.hex()
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
    proof = _range_roots(merkle.inclusion_ranges(tree_size, index))
    return {"log_index": index, "tree_size": tree_size, "proof": merkle.proof_to_hex(proof)}


def consistency_proof(old_size: int, new_size: int) -> dict:
    if not 0 <= old_size <= new_size <= current_size():
        raise ValueError("Sizes must satisfy 0 <= old <= new <= current log size.")
    proof = _range_roots(merkle.consistency_ranges(new_size, old_size))
    return {"old_size": old_size, "new_size": new_size, "proof": merkle.proof_to_hex(proof)}


def verify_stored_tree() -> list[str]:
    """Recompute every entry's leaf hash from its document and every stored subtree root from the leaves, and name
    what differs (`manage.py audit_verify`): the proofs and checkpoints are computed from these rows. O(n), with
    O(log n) memory."""
    problems = []

    count = 0

    def leaves():
        nonlocal count
        entries = LogEntry.objects.order_by("index").values_list("index", "leaf_hash", "document")
        for index, stored, document in entries.iterator(chunk_size=2000):
            if index != count:
                problems.append(f"log entries {count} to {index - 1} are missing")
            count = index + 1
            leaf = merkle.leaf_hash(receipts.canonical_json(document))
            if leaf.hex() != stored:
                problems.append(f"log entry {index}: its leaf hash does not match its document")
            yield leaf

    stored = LogNode.objects.order_by("height", "position").values_list("height", "position", "hash")
    stored = {(height, position): value for height, position, value in stored.iterator(chunk_size=5000)}
    for height, position, root in merkle.complete_subtrees(leaves()):
        if stored.pop((height, position), None) != root.hex():
            problems.append(f"log subtree {height}/{position} is missing or differs from its entries")
    problems.extend(f"log subtree {height}/{position} has no entries under it" for height, position in sorted(stored))
    if current_size() != count:
        problems.append(f"the log's head says {current_size()} entries, its last entry is number {count}")
    return problems
