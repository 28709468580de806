"""The transparency log of bid receipts: an append-only Merkle log (RFC 6962 layout) with signed checkpoints.

Anyone can fetch a checkpoint, an inclusion proof for a receipt and a consistency proof between two checkpoints,
and check them offline with `python -m eproc.bids.verify`. The checkpoint at each box's deadline is frozen and
printed in its opening minutes, so nobody can later add or drop a bid committed before that deadline unnoticed.

Checkpoints and proofs are computed from the stored roots of complete subtrees (LogNode, written as entries are
appended), O(log n) rows each: reading every entry for each of them, as before, cost seconds per request once the
log held a million receipts, on endpoints anyone may call.
"""

import logging
from collections.abc import Callable, Iterable
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import connection
from django.db.models import F, Q

from eproc.core import clock

from . import merkle, receipts
from .keys import signing_key
from .models import Checkpoint, LogEntry, LogHead, LogNode, SealedBox

logger = logging.getLogger("eproc.bids.log")


def append(build_document: Callable[[int], dict], *, box: SealedBox | None = None) -> LogEntry:
    """Append the document that `build_document(index)` returns (it learns its own index, so a receipt can say
    where it sits in the log). Runs inside the caller's transaction; the head row serialises writers."""
    if not connection.in_atomic_block:
        raise RuntimeError("log.append() must run inside the transaction of the change it records.")
    index = _locked_head().size
    document = build_document(index)
    leaf = merkle.leaf_hash(receipts.canonical_json(document))
    entry = LogEntry.objects.create(
        index=index, leaf_hash=leaf.hex(), document=document, created_at=clock.now(), box=box
    )
    _store_completed_subtrees(index, leaf)
    LogHead.objects.filter(id=1).update(size=index + 1)
    return entry


def _locked_head() -> LogHead:
    """The log's head row, locked until the caller's transaction ends: it serialises the appends."""
    head = LogHead.objects.select_for_update().filter(id=1).first()
    if head is None:
        # The log's first append: the row is made here, and if another transaction is making it, the insert
        # waits for that one to end.
        LogHead.objects.bulk_create([LogHead(id=1)], ignore_conflicts=True)
        head = LogHead.objects.select_for_update().get(id=1)
    return head


def wait_for_appends() -> None:
    """Wait until the appends under way are saved: each holds the log's head row until its transaction commits.
    Inside the caller's transaction, whose later reads then see them (services.commit_envelope)."""
    _locked_head()


class LogDamaged(Exception):
    """A row the log's proofs or tree heads are computed from is missing or unreadable (`manage.py audit_verify`
    names it, `manage.py bids_log_subtrees` restores missing subtree roots from the entries)."""


def _store_completed_subtrees(index: int, leaf: bytes) -> None:
    """Keep the root of each complete subtree that the entry at `index` completes (on average one)."""
    completed = merkle.completed_by(index)
    if not completed:
        return
    # A left half found missing is rebuilt from its entries rather than refusing the bid being logged: a damaged
    # row must not stop the uploads at a deadline; audit_verify still reports how it came to be missing.
    left_halves = _complete_roots(((height - 1, 2 * position) for height, position in completed), rebuild=True)
    node, nodes = leaf, []
    for height, position in completed:
        node = merkle.node_hash(left_halves[(height - 1, 2 * position)], node)
        nodes.append(LogNode(height=height, position=position, hash=node.hex()))
    LogNode.objects.bulk_create(nodes)


def _complete_roots(parts: Iterable[tuple[int, int]], *, rebuild: bool = False) -> dict[tuple[int, int], bytes]:
    """The stored roots of these complete subtrees, (height, position) -> hash, in at most two queries. A missing
    one is LogDamaged, or with `rebuild` computed from its entries and stored, with the subtrees under it."""
    parts = set(parts)
    leaves = [position for height, position in parts if height == 0]
    nodes = [Q(height=height, position=position) for height, position in parts if height > 0]
    entries = LogEntry.objects.filter(index__in=leaves).values_list("index", "leaf_hash")
    rows = [(0, index, value) for index, value in entries]
    if nodes:
        rows += LogNode.objects.filter(reduce(or_, nodes)).values_list("height", "position", "hash")
    roots = {(height, position): _hash_bytes(value) for height, position, value in rows}
    for height, position in parts - roots.keys():
        if not rebuild:
            raise LogDamaged(f"The bid log lacks the root of subtree {height}/{position}.")
        roots[(height, position)] = _rebuild_subtree(height, position)
    return roots


def _rebuild_subtree(height: int, position: int) -> bytes:
    """Compute a complete subtree from its entries and store its root and every root under it that is missing."""
    first = position << height
    hashes = LogEntry.objects.filter(index__gte=first, index__lt=first + (1 << height)).order_by("index")
    leaves = [_hash_bytes(value) for value in hashes.values_list("leaf_hash", flat=True)]
    if len(leaves) != 1 << height:
        raise LogDamaged(f"The bid log lacks entries under subtree {height}/{position}.")
    logger.warning("bid log: subtree %s/%s was missing; rebuilt from its entries", height, position)
    nodes = [
        LogNode(height=inner, position=(position << (height - inner)) + offset, hash=root.hex())
        for inner, offset, root in merkle.complete_subtrees(leaves)
    ]
    LogNode.objects.bulk_create(nodes, ignore_conflicts=True)
    return merkle.root(leaves)


def _hash_bytes(value: str) -> bytes:
    if not _is_hash_hex(value):
        raise LogDamaged("The bid log holds a hash that is not 64 hexadecimal characters.")
    return bytes.fromhex(value)


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


MAX_PROBLEMS = 50  # audit_verify names the first ones; after a gap or a rewrite every later subtree differs


def _entries_from_start():
    """(index, leaf hash as stored, document) of the entries in order, streamed."""
    entries = LogEntry.objects.order_by("index").values_list("index", "leaf_hash", "document")
    return entries.iterator(chunk_size=2000)


def _stored_subtrees(model=LogNode):
    """((height, position), hash) of the stored subtree roots, streamed in the order complete_subtrees() yields
    them: by the number of entries that completes each, (position + 1) * 2**height, then by height."""
    completed_at = (F("position") + 1).bitleftshift(F("height"))
    nodes = model.objects.annotate(completed_at=completed_at).order_by("completed_at", "height")
    for height, position, value in nodes.values_list("height", "position", "hash").iterator(chunk_size=5000):
        yield (height, position), value


def verify_stored_tree() -> list[str]:
    """Recompute every entry's leaf hash from its document and every stored subtree root from the leaves, and name
    what differs, the first MAX_PROBLEMS things (`manage.py audit_verify`): the proofs and checkpoints are computed
    from these rows. O(n) time, O(log n) memory: the stored roots are compared as a stream, in the order in which
    the entries complete them."""
    problems = []
    checked = 0  # entries from 0 on without a gap
    gap = False

    def leaves():
        nonlocal checked, gap
        for index, stored, document in _entries_from_start():
            if index != checked:  # past a gap every position is off: the gap is what to report
                problems.append(f"log entries {checked} to {index - 1} are missing")
                gap = True
                return
            checked = index + 1
            try:
                leaf = merkle.leaf_hash(receipts.canonical_json(document)).hex()
            except (TypeError, ValueError):  # a float, say: no receipt holds one
                problems.append(f"log entry {index}: its document is not a receipt's canonical JSON")
                leaf = stored
            if leaf != stored:
                problems.append(f"log entry {index}: its leaf hash does not match its document")
            yield bytes.fromhex(leaf) if _is_hash_hex(leaf) else bytes(merkle.HASH_SIZE)

    def completion_order(height, position):
        return (position + 1) << height, height

    expected = ((completion_order(h, p), (h, p), root.hex()) for h, p, root in merkle.complete_subtrees(leaves()))
    stored = ((completion_order(h, p), (h, p), value) for (h, p), value in _stored_subtrees())
    want, have = next(expected, None), next(stored, None)
    while (want or have) and len(problems) < MAX_PROBLEMS:
        if have is None or (want is not None and want[0] < have[0]):
            problems.append(f"{_named(want[1])} is missing")
            want = next(expected, None)
        elif want is None or have[0] < want[0]:  # beyond the entries checked
            if not gap:
                problems.append(f"{_named(have[1])} has no entries under it")
            have = next(stored, None)
        else:
            if want[2] != have[2]:
                problems.append(f"{_named(want[1])} differs from its entries")
            want, have = next(expected, None), next(stored, None)
    size = current_size()
    if size != checked and not gap:
        problems.append(f"the log's head says {size} entries; it holds {checked}")
    if len(problems) >= MAX_PROBLEMS:
        problems = [*problems[:MAX_PROBLEMS], "... and perhaps more: the first ones above come first"]
    return problems


def _named(part: tuple[int, int]) -> str:
    return f"log subtree {part[0]}/{part[1]}"


def _is_hash_hex(value: str) -> bool:
    return len(value) == 2 * merkle.HASH_SIZE and all(c in "0123456789abcdef" for c in value)


def store_missing_subtrees(*, entry_model=LogEntry, node_model=LogNode, head_model=LogHead) -> int:
    """Store the root of every complete subtree of the log that is not stored yet, computed from the entries, up to
    the first gap in them; say how many were stored. Under the head's lock, so no entry is appended meanwhile. For
    a log from before the roots were kept (migration bids 0004, which passes its historical models) and for
    `manage.py bids_log_subtrees`; the roots already there are left as they are (audit_verify compares them)."""
    if not connection.in_atomic_block:
        raise RuntimeError("store_missing_subtrees() must run inside a transaction.")
    head_model.objects.select_for_update().filter(id=1).first()
    entries = entry_model.objects.order_by("index").values_list("index", "leaf_hash").iterator(chunk_size=5000)

    def leaves():
        for expected, (index, value) in enumerate(entries):
            if index != expected or not _is_hash_hex(value):
                return
            yield bytes.fromhex(value)

    before, batch = node_model.objects.count(), []
    for height, position, root in merkle.complete_subtrees(leaves()):
        batch.append(node_model(height=height, position=position, hash=root.hex()))
        if len(batch) == 5000:
            node_model.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    node_model.objects.bulk_create(batch, ignore_conflicts=True)
    return node_model.objects.count() - before
