"""Signed receipts and the transparency log: anyone can check offline that their bid is in the log, and that
the log only ever grew (DESIGN 5)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from eproc.bids import log, merkle, receipts, verify
from eproc.bids.keys import public_key_text
from eproc.bids.models import Checkpoint, LogEntry

from .conftest import seal, send

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def _checkpoint(client) -> dict:
    document = client.get(reverse("bids:api_checkpoint")).json()
    assert receipts.verify_document(document, public_key_text(), kind="log-checkpoint")
    return document


def _submit_several(client, box, bidder, count):
    client.force_login(bidder)
    return [send(client, box, seal(box, f"penawaran {n}".encode())).json() for n in range(count)]


def test_every_entry_has_an_inclusion_proof_that_verifies(client, make_box, bidder):
    box = make_box()
    _submit_several(client, box, bidder, 3)
    checkpoint = _checkpoint(client)["body"]
    assert checkpoint["size"] == 6  # a commitment receipt and a bytes receipt per bid
    for index in range(checkpoint["size"]):
        proof = client.get(reverse("bids:api_inclusion", args=[index]), {"tree_size": checkpoint["size"]}).json()
        leaf = merkle.leaf_hash(receipts.canonical_json(proof["document"]))
        assert leaf.hex() == proof["leaf_hash"]
        assert merkle.verify_inclusion(
            leaf, index, checkpoint["size"], merkle.proof_from_hex(proof["proof"]), bytes.fromhex(checkpoint["root"])
        )


def test_consistency_proofs_between_checkpoints_verify(client, make_box, bidder):
    box = make_box()
    _submit_several(client, box, bidder, 2)
    old = _checkpoint(client)["body"]
    _submit_several(client, box, bidder, 3)
    new = _checkpoint(client)["body"]
    proof = client.get(reverse("bids:api_consistency"), {"old": old["size"], "new": new["size"]}).json()
    assert merkle.verify_consistency(
        old["size"],
        new["size"],
        bytes.fromhex(old["root"]),
        bytes.fromhex(new["root"]),
        merkle.proof_from_hex(proof["proof"]),
    )


def test_removing_an_entry_breaks_the_proofs(client, make_box, bidder):
    box = make_box()
    _submit_several(client, box, bidder, 3)
    signed = _checkpoint(client)["body"]
    with connection.cursor() as cursor:  # an insider deletes a receipt from the log
        cursor.execute('DELETE FROM bids_logentry WHERE "index" = 2')
    assert "log entries 2 to 2 are missing" in log.verify_stored_tree()  # manage.py audit_verify says so
    remaining = [bytes.fromhex(h) for h in LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)]
    assert merkle.root(remaining).hex() != signed["root"]
    for index, leaf in enumerate(remaining):
        proof = merkle.inclusion_proof(remaining, index)
        assert not merkle.verify_inclusion(leaf, index, signed["size"], proof, bytes.fromhex(signed["root"]))
    assert not merkle.verify_consistency(
        len(remaining), signed["size"], merkle.root(remaining), bytes.fromhex(signed["root"]), []
    )


def _write(path: Path, document) -> Path:
    path.write_text(json.dumps(document))
    return path


def test_a_receipt_verifies_offline_and_a_modified_one_does_not(client, make_box, bidder, tmp_path):
    box = make_box()
    client.force_login(bidder)
    sealed = seal(box, b"penawaran dengan tanda terima")
    state = send(client, box, sealed).json()
    receipt_doc = client.get(reverse("bids:api_receipt", args=[state["envelope"]])).json()
    checkpoint = _checkpoint(client)
    index = receipt_doc["body"]["log_index"]
    proof = client.get(reverse("bids:api_inclusion", args=[index]), {"tree_size": checkpoint["body"]["size"]}).json()
    files = {
        "receipt": _write(tmp_path / "tanda-terima.json", receipt_doc),
        "checkpoint": _write(tmp_path / "checkpoint.json", checkpoint),
        "proof": _write(tmp_path / "proof.json", proof),
        "bid": tmp_path / "penawaran.age",
    }
    files["bid"].write_bytes(sealed)
    arguments = [
        str(files["receipt"]),
        "--public-key",
        public_key_text(),
        "--file",
        str(files["bid"]),
        "--vendor-ref",
        state["vendor_ref"],
        "--nonce",
        state["nonce"],
        "--inclusion",
        str(files["proof"]),
        "--checkpoint",
        str(files["checkpoint"]),
    ]
    assert verify.main(arguments) == 0
    # The documented command, as a separate process with nothing but the files.
    result = subprocess.run(
        [sys.executable, "-m", "eproc.bids.verify", *arguments], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr

    modified = json.loads(files["receipt"].read_text())
    modified["body"]["ciphertext_size"] += 1
    _write(files["receipt"], modified)
    assert verify.main(arguments) == 1
    _write(files["receipt"], receipt_doc)
    files["bid"].write_bytes(sealed[:-1] + bytes([sealed[-1] ^ 1]))
    assert verify.main(arguments) == 1
    assert verify.main([*arguments[:-8], "--vendor-ref", "someone-else", "--nonce", state["nonce"]]) == 1


def test_the_checkpoint_at_the_deadline_is_frozen_and_public(client, make_box, bidder, pinned_time):
    from .conftest import DEADLINE

    box = make_box()
    _submit_several(client, box, bidder, 1)
    assert client.get(reverse("bids:api_box_checkpoint", args=[box.public_id])).status_code == 400
    pinned_time.move_to(DEADLINE)
    frozen = client.get(reverse("bids:api_box_checkpoint", args=[box.public_id])).json()
    assert frozen["body"]["size"] == 2
    assert frozen["body"]["time"] == DEADLINE.isoformat()
    assert Checkpoint.objects.get(frozen_for=box).document == frozen
    assert client.get(reverse("bids:api_public_key")).content.decode().strip() == public_key_text()
