"""The bid log keeps the root of every complete subtree as entries are appended (LogNode), and serves its
checkpoints and proofs from those: the same hashes as the whole list of leaves gives, from O(log n) rows, so a
log of millions of receipts answers as fast as a new one (issue 10). `audit_verify` recomputes them all and names
what an insider changed (Pasal 5b)."""

import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eproc.audit.models import AuditEvent
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
    with transaction.atomic():
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

    with transaction.atomic():
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

    assert log.verify_stored_tree() == ["log subtree 2/1 differs from its entries"]
    with pytest.raises(CommandError, match="log subtree 2/1"):
        call_command("audit_verify")


def test_a_receipt_rewritten_in_the_database_is_named():
    _append(6)
    entry = LogEntry.objects.get(index=4)
    LogEntry.objects.filter(pk=entry.pk).update(document={**entry.document, "bid": "penawaran lain"})

    assert log.verify_stored_tree() == [
        "log entry 4: its leaf hash does not match its document",
        "log subtree 1/2 differs from its entries",  # recomputed from the document, not from the stored hash
    ]


def test_a_receipt_rewritten_into_something_no_receipt_holds_is_named_without_a_crash():
    _append(4)
    LogEntry.objects.filter(index=1).update(document={"kind": "test-receipt", "price": 1.5})

    assert log.verify_stored_tree() == ["log entry 1: its document is not a receipt's canonical JSON"]


def test_a_deleted_entry_is_named_once_not_with_every_subtree_after_it():
    _append(40)
    LogEntry.objects.filter(index=5).delete()

    assert log.verify_stored_tree() == ["log entries 5 to 5 are missing"]


def test_a_deleted_subtree_root_is_named_and_the_log_answers_503_rather_than_a_wrong_checkpoint(client):
    _append(8)
    LogNode.objects.filter(height=3, position=0).delete()

    assert log.verify_stored_tree() == ["log subtree 3/0 is missing"]
    with pytest.raises(log.LogDamaged):
        log.latest_checkpoint()  # the root of 8 entries is that subtree
    response = client.get(reverse("bids:api_checkpoint"))
    assert response.status_code == 503
    assert "LPSE" in response.json()["error"]
    assert not Checkpoint.objects.exists()


def test_a_missing_subtree_root_is_rebuilt_by_the_next_entry_that_needs_it_rather_than_refusing_a_bid():
    leaves = _append(8)
    LogNode.objects.filter(height__in=[2, 3]).delete()  # (2, 0), (2, 1), (3, 0)

    leaves = _append(8)  # the 16th entry completes (4, 0), whose left half is (3, 0)

    assert log.verify_stored_tree() == []
    assert bytes.fromhex(log.latest_checkpoint().root) == merkle.root(leaves)


def test_a_hash_that_is_not_hexadecimal_is_damage_not_a_crash(client):
    _append(4)
    LogNode.objects.filter(height=2, position=0).update(hash="not a hash")

    assert client.get(reverse("bids:api_checkpoint")).status_code == 503
    assert log.verify_stored_tree() == ["log subtree 2/0 differs from its entries"]


def test_the_missing_subtree_roots_are_stored_again_by_the_command_and_the_audit_trail_says_so():
    leaves = _append(21)
    LogNode.objects.filter(height__in=[1, 3]).delete()
    missing = LogNode.objects.count()
    events = AuditEvent.objects.filter(action="bids.log.subtrees_stored")

    call_command("bids_log_subtrees", stdout=StringIO())

    assert log.verify_stored_tree() == []
    assert LogNode.objects.count() == 21 - bin(21).count("1") > missing
    assert events.get().data == {"stored": 21 - bin(21).count("1") - missing}
    assert bytes.fromhex(log.latest_checkpoint().root) == merkle.root(leaves)


def test_the_migration_stops_at_a_gap_in_an_old_log():
    _append(12)
    LogNode.objects.all().delete()
    LogEntry.objects.filter(index=9).delete()

    with transaction.atomic():
        store_complete_subtrees(apps, None)

    # Entries 0-8 are whole: the subtrees over 0-7, and none that would take in entry 9 or what came after it.
    stored = set(LogNode.objects.values_list("height", "position"))
    assert stored == {(1, 0), (1, 1), (1, 2), (1, 3), (2, 0), (2, 1), (3, 0)}
