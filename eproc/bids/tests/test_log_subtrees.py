"""The bid log keeps the root of every complete subtree as entries are appended (LogNode), and serves its
checkpoints and proofs from those: the same hashes as the whole list of leaves gives, from O(log n) rows, so a
log of millions of receipts answers as fast as a new one (issue 10). `audit_verify` recomputes them all and names
what an insider changed (Pasal 5b)."""

import re

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from eproc.bids import log, merkle, receipts
from eproc.bids.models import Checkpoint, LogEntry, LogHead, LogNode

pytestmark = pytest.mark.django_db

store_complete_subtrees = __import__(
    "eproc.bids.migrations.0004_log_nodes", fromlist=["store_complete_subtrees"]
).store_complete_subtrees


def _append(count: int) -> list[bytes]:
    """`count` receipts-like documents appended the way the bid services do; their leaf hashes."""
    for _ in range(count):
        with transaction.atomic():
            log.append(lambda index: {"kind": "test-receipt", "log_index": index, "bid": f"penawaran {index}"})
    return _leaves()


def _leaves() -> list[bytes]:
    return [bytes.fromhex(value) for value in LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)]


def _fill(count: int) -> list[bytes]:
    """A log of `count` entries written in bulk, with the subtrees the migration stores: for logs too long to
    append one by one in a test."""
    from django.utils import timezone

    documents = [{"kind": "test-receipt", "log_index": index} for index in range(count)]
    leaves = [merkle.leaf_hash(receipts.canonical_json(document)) for document in documents]
    now = timezone.now()
    LogEntry.objects.bulk_create(
        LogEntry(index=index, leaf_hash=leaf.hex(), document=document, created_at=now)
        for index, (leaf, document) in enumerate(zip(leaves, documents, strict=True))
    )
    store_complete_subtrees(apps, None)
    LogHead.objects.update_or_create(id=1, defaults={"size": count})
    return leaves


def test_appending_stores_the_root_of_every_subtree_it_completes_and_nothing_else():
    leaves = _append(37)

    stored = {(n.height, n.position): bytes.fromhex(n.hash) for n in LogNode.objects.all()}
    expected = {(height, position): root for height, position, root in merkle.complete_subtrees(leaves)}
    assert stored == expected
    assert len(stored) == 37 - bin(37).count("1")  # a tree of n leaves has n - popcount(n) complete inner subtrees
    assert stored[(5, 0)] == merkle.root(leaves[:32])


def test_checkpoints_and_proofs_from_the_stored_subtrees_equal_those_from_every_leaf():
    leaves = _append(23)

    for size in range(1, 24):
        assert log._range_roots([(0, size)]) == [merkle.root(leaves[:size])], size
        for index in range(size):
            proof = merkle.proof_from_hex(log.inclusion_proof(index, size)["proof"])
            assert proof == merkle.inclusion_proof(leaves[:size], index), (index, size)
        for old_size in range(size + 1):
            proof = merkle.proof_from_hex(log.consistency_proof(old_size, size)["proof"])
            assert proof == merkle.consistency_proof(leaves[:size], old_size), (old_size, size)
    assert bytes.fromhex(log.latest_checkpoint().root) == merkle.root(leaves)


@pytest.mark.parametrize("size", [100, 5000])
def test_a_proof_or_a_checkpoint_reads_the_same_few_rows_whatever_the_size_of_the_log(size):
    leaves = _fill(size)
    index = size * 2 // 3

    with CaptureQueriesContext(connection) as queries:
        proof = log.inclusion_proof(index, size)
        consistency = log.consistency_proof(size // 3, size)
        checkpoint = log.latest_checkpoint()

    # current_size twice, then leaves and inner subtrees for each proof; the checkpoint adds its lookup and insert.
    assert len(queries) <= 11, [query["sql"] for query in queries]
    # Entries are read by their index, a few per proof: never the whole log (as every proof did before LogNode).
    entry_reads = [re.search(r'"index" IN \(([^)]*)\)', q["sql"]) for q in queries if "bids_logentry" in q["sql"]]
    assert entry_reads and all(entry_reads), [query["sql"] for query in queries]
    assert max(len(read[1].split(",")) for read in entry_reads) <= 2 * size.bit_length()
    root = merkle.root(leaves)
    assert bytes.fromhex(checkpoint.root) == root
    assert merkle.verify_inclusion(leaves[index], index, size, merkle.proof_from_hex(proof["proof"]), root)
    old_root = merkle.root(leaves[: size // 3])
    assert merkle.verify_consistency(size // 3, size, old_root, root, merkle.proof_from_hex(consistency["proof"]))


def test_the_migration_stores_for_an_existing_log_what_appending_would_have():
    leaves = _append(19)
    appended = set(LogNode.objects.values_list("height", "position", "hash"))
    LogNode.objects.all().delete()

    store_complete_subtrees(apps, None)

    assert set(LogNode.objects.values_list("height", "position", "hash")) == appended
    assert {(h, p, r.hex()) for h, p, r in merkle.complete_subtrees(leaves)} == appended


def test_an_untouched_log_verifies():
    _append(12)
    assert log.verify_stored_tree() == []
    call_command("audit_verify")


def test_a_subtree_root_changed_in_the_database_is_named_and_fails_audit_verify():
    _append(12)
    LogNode.objects.filter(height=2, position=1).update(hash="00" * 32)

    assert log.verify_stored_tree() == ["log subtree 2/1 is missing or differs from its entries"]
    with pytest.raises(CommandError, match="log subtree 2/1"):
        call_command("audit_verify")


def test_a_receipt_rewritten_in_the_database_is_named():
    _append(6)
    entry = LogEntry.objects.get(index=4)
    LogEntry.objects.filter(pk=entry.pk).update(document={**entry.document, "bid": "penawaran lain"})

    problems = log.verify_stored_tree()

    assert "log entry 4: its leaf hash does not match its document" in problems
    assert "log subtree 1/2 is missing or differs from its entries" in problems  # computed from the document


def test_a_deleted_subtree_root_is_named_and_stops_proofs_rather_than_giving_wrong_ones():
    _append(8)
    LogNode.objects.filter(height=3, position=0).delete()

    assert log.verify_stored_tree() == ["log subtree 3/0 is missing or differs from its entries"]
    with pytest.raises(RuntimeError, match="audit_verify"):
        log.latest_checkpoint()  # the root of 8 entries is that subtree
    assert not Checkpoint.objects.exists()
