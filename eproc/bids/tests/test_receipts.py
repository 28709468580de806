"""Signed receipts and checkpoints, and the offline verifier end to end with a real age file and a real Merkle proof.
Django-free: run with `pytest -p no:django`."""

import base64
import copy
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from eproc.bids import crypto, merkle, receipts, verify

MAIN = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def key():
    return receipts.generate_signing_key()


# --- Canonical JSON ------------------------------------------------------------------------------------------------


def test_canonical_json_sorts_keys_drops_whitespace_and_keeps_unicode_as_utf8():
    value = {"b": [1, True, None], "a": {"z": "Rp", "y": "Pengadaan Barang/Jasa — Kab. Ketapang"}}
    expected = '{"a":{"y":"Pengadaan Barang/Jasa — Kab. Ketapang","z":"Rp"},"b":[1,true,null]}'.encode()
    assert receipts.canonical_json(value) == expected
    assert receipts.canonical_json(json.loads(expected)) == expected


@pytest.mark.parametrize("value", [1.5, {"a": 1.0}, {"a": [1, {"b": float("nan")}]}, {1: "x"}, {"a": b"x"}, {1, 2}])
def test_canonical_json_refuses_floats_and_non_json_values(value):
    with pytest.raises(TypeError):
        receipts.canonical_json(value)


# --- Keys ----------------------------------------------------------------------------------------------------------


def test_keys_survive_their_text_form(key):
    text = receipts.signing_key_to_text(key)
    assert text.startswith("eproc-ed25519-sk:")
    again = receipts.signing_key_from_text(text + "\n")
    pub_text = receipts.public_key_to_text(key.public_key())
    assert pub_text.startswith("eproc-ed25519-pk:")
    assert receipts.public_key_to_text(again.public_key()) == pub_text
    assert receipts.public_key_to_text(receipts.public_key_from_text(pub_text)) == pub_text


def test_the_key_id_is_the_start_of_the_public_keys_sha256(key):
    raw = base64.b64decode(receipts.public_key_to_text(key.public_key()).split(":", 1)[1])
    assert receipts.key_id(key.public_key()) == hashlib.sha256(raw).hexdigest()[:16]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "eproc-ed25519-pk:",
        "eproc-ed25519-pk:AAAA",
        "eproc-ed25519-pk:" + "A" * 43 + "!",
        "eproc-ed25519-sk:" + base64.b64encode(bytes(32)).decode(),
        "ed25519:" + base64.b64encode(bytes(32)).decode(),
        None,
    ],
)
def test_malformed_public_key_text_is_refused(text):
    with pytest.raises(ValueError):
        receipts.public_key_from_text(text)


def test_a_public_key_is_not_accepted_as_a_signing_key(key):
    with pytest.raises(ValueError):
        receipts.signing_key_from_text(receipts.public_key_to_text(key.public_key()))


# --- Signing ------------------------------------------------------------------------------------------------------


def test_a_signed_receipt_verifies_with_the_lpse_key(key):
    document = receipts.sign_document({"box": "B-1", "ciphertext_size": 10}, key, kind="bid-receipt")
    assert document["kind"] == "bid-receipt"
    assert document["signature"]["algorithm"] == "Ed25519"
    assert document["signature"]["key_id"] == receipts.key_id(key.public_key())
    assert receipts.verify_document(document, key.public_key())
    assert receipts.verify_document(document, key.public_key(), kind="bid-receipt")
    assert receipts.verify_document(document, receipts.public_key_to_text(key.public_key()))
    assert receipts.verify_document(json.loads(json.dumps(document)), key.public_key())  # survives JSON storage


def test_the_document_holds_a_copy_of_the_body_as_signed(key):
    body = {"box": "B-1"}
    document = receipts.sign_document(body, key, kind="bid-receipt")
    body["box"] = "B-2"
    assert document["body"] == {"box": "B-1"}
    assert receipts.verify_document(document, key.public_key())


def _tampered(document, how):
    document = copy.deepcopy(document)
    if how == "body":
        document["body"]["ciphertext_size"] = 11
    elif how == "added-body-field":
        document["body"]["late"] = True
    elif how == "kind":
        document["kind"] = "log-checkpoint"
    elif how == "signature":
        value = bytearray(base64.b64decode(document["signature"]["value"]))
        value[0] ^= 1
        document["signature"]["value"] = base64.b64encode(bytes(value)).decode()
    elif how == "non-canonical-base64":
        value = document["signature"]["value"]
        document["signature"]["value"] = value[:-3] + chr(ord(value[-3]) ^ 1) + value[-2:]
    elif how == "key-id":
        document["signature"]["key_id"] = "0" * 16
    elif how == "algorithm":
        document["signature"]["algorithm"] = "ed25519"
    elif how == "extra-top-level-field":
        document["note"] = "unsigned"
    elif how == "float-in-body":
        document["body"]["ciphertext_size"] = 10.0
    elif how == "missing-signature":
        del document["signature"]
    elif how == "signature-not-a-dict":
        document["signature"] = "abc"
    elif how == "body-not-a-dict":
        document["body"] = ["box"]
    return document


@pytest.mark.parametrize(
    "how",
    [
        "body",
        "added-body-field",
        "kind",
        "signature",
        "non-canonical-base64",
        "key-id",
        "algorithm",
        "extra-top-level-field",
        "float-in-body",
        "missing-signature",
        "signature-not-a-dict",
        "body-not-a-dict",
    ],
)
def test_a_modified_document_does_not_verify(key, how):
    document = receipts.sign_document({"box": "B-1", "ciphertext_size": 10}, key, kind="bid-receipt")
    assert not receipts.verify_document(_tampered(document, how), key.public_key())


def test_a_document_does_not_verify_as_another_kind_or_with_another_key(key):
    document = receipts.sign_document({"box": "B-1"}, key, kind="bid-receipt")
    assert not receipts.verify_document(document, key.public_key(), kind="log-checkpoint")
    assert not receipts.verify_document(document, receipts.generate_signing_key().public_key())


@pytest.mark.parametrize("junk", [None, [], "x", 1, {}, {"kind": 1, "body": {}, "signature": {}}])
def test_verification_never_raises_on_junk(key, junk):
    assert receipts.verify_document(junk, key.public_key()) is False
    assert receipts.verify_document({"kind": "k", "body": {}, "signature": {}}, "not a key") is False
    assert receipts.verify_document({"kind": "k", "body": {}, "signature": {}}, None) is False


@pytest.mark.parametrize("body", [[1], "x", None])
def test_only_a_dict_body_can_be_signed(key, body):
    with pytest.raises(TypeError):
        receipts.sign_document(body, key, kind="bid-receipt")


# --- Vendor commitment ----------------------------------------------------------------------------------------------


def test_the_vendor_commitment_hides_the_vendor_behind_a_nonce():
    nonce = receipts.new_nonce()
    assert len(nonce) == 16 and nonce != receipts.new_nonce()
    commitment = receipts.vendor_commitment("CV Maju Jaya — Ketapang", nonce)
    expected = hashlib.sha256(b"eproc/vendor/v1/" + nonce + "CV Maju Jaya — Ketapang".encode()).hexdigest()
    assert commitment == expected
    assert receipts.vendor_commitment("CV Maju Jaya — Ketapang", receipts.new_nonce()) != commitment
    assert receipts.vendor_commitment("CV Maju Jaya — Sukadana", nonce) != commitment


@pytest.mark.parametrize("nonce", [b"", bytes(15), bytes(17), "0" * 16])
def test_a_nonce_of_the_wrong_length_is_refused(nonce):
    with pytest.raises(ValueError):
        receipts.vendor_commitment("V-1", nonce)


# --- The offline verifier, end to end -------------------------------------------------------------------------------

VENDOR = "vendor-42"
NONCE = bytes.fromhex("00112233445566778899aabbccddeeff")


@pytest.fixture
def case(tmp_path, key):
    """A sealed bid, its receipt at index 5 of an 8-entry log, the inclusion proof and a signed checkpoint."""
    identity = crypto.derive_identity(bytes(16), box_id="B-1", envelope="price")
    sealed = crypto.encrypt_to_recipient(crypto.recipient_for(identity), b"penawaran harga " * 5000)
    (tmp_path / "penawaran.age").write_bytes(sealed)
    index = 5
    receipt = receipts.sign_document(
        {
            "box": "B-1",
            "envelope": "price",
            "vendor_commitment": receipts.vendor_commitment(VENDOR, NONCE),
            "ciphertext_sha256": hashlib.sha256(sealed).hexdigest(),
            "ciphertext_size": len(sealed),
            "committed_at": "2026-03-02T09:59:58+07:00",
            "bytes_received_at": "2026-03-02T10:20:11+07:00",
            "log_index": index,
        },
        key,
        kind="bid-receipt",
    )
    leaves = [merkle.leaf_hash(f"other entry {i}".encode()) for i in range(8)]
    leaves[index] = merkle.leaf_hash(receipts.canonical_json(receipt))
    checkpoint = receipts.sign_document(
        {"origin": "lpse.test/bids", "size": 8, "root": merkle.root(leaves).hex(), "time": "2026-03-02T10:00:00+07:00"},
        key,
        kind="log-checkpoint",
    )
    proof = {"log_index": index, "tree_size": 8, "proof": [h.hex() for h in merkle.inclusion_proof(leaves, index)]}
    paths = {}
    for name, value in (("receipt", receipt), ("checkpoint", checkpoint), ("proof", proof)):
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(value, ensure_ascii=False, indent=2))
    paths["file"] = tmp_path / "penawaran.age"
    paths["key"] = tmp_path / "lpse.pub"
    paths["key"].write_text(receipts.public_key_to_text(key.public_key()) + "\n")
    paths["leaves"] = leaves
    return paths


def full_argv(case, **override):
    args = {
        "--public-key": f"@{case['key']}",
        "--file": str(case["file"]),
        "--vendor-ref": VENDOR,
        "--nonce": NONCE.hex(),
        "--inclusion": str(case["proof"]),
        "--checkpoint": str(case["checkpoint"]),
    }
    args.update(override)
    argv = [str(case["receipt"])]
    for name, value in args.items():
        if value is not None:
            argv += [name, value]
    return argv


def test_the_verifier_passes_a_genuine_receipt_file_commitment_and_log_proof(case, capsys):
    assert verify.main(full_argv(case)) == 0
    out = capsys.readouterr().out
    for line in (
        "OK    Tanda tangan tanda terima / receipt signature",
        "OK    Berkas cocok dengan tanda terima / file matches receipt",
        "OK    Komitmen penyedia cocok / vendor commitment matches",
        "OK    Tanda tangan checkpoint log / log checkpoint signature",
        "OK    Tanda terima tercatat di log / receipt included in log",
        "RESULT: ALL CHECKS PASSED",
    ):
        assert line in out
    assert "GAGAL" not in out


def test_the_verifier_checks_just_the_signature_with_a_key_given_inline(case, key, capsys):
    argv = [str(case["receipt"]), "--public-key", receipts.public_key_to_text(key.public_key())]
    assert verify.main(argv) == 0
    assert capsys.readouterr().out.count("OK") == 1


def _rewrite(path: Path, change):
    value = json.loads(path.read_text())
    change(value)
    path.write_text(json.dumps(value))


def test_a_modified_receipt_fails_its_signature_and_its_log_inclusion(case, capsys):
    _rewrite(case["receipt"], lambda r: r["body"].update(committed_at="2026-03-02T09:00:00+07:00"))
    assert verify.main(full_argv(case)) == 1
    out = capsys.readouterr().out
    assert "GAGAL/FAILED Tanda tangan tanda terima / receipt signature" in out
    assert "GAGAL/FAILED Tanda terima tercatat di log / receipt included in log" in out
    assert "RESULT: SOME CHECKS FAILED" in out


def test_a_different_file_fails_the_file_check(case, capsys):
    case["file"].write_bytes(case["file"].read_bytes()[:-1] + b"\x00")
    assert verify.main(full_argv(case)) == 1
    out = capsys.readouterr().out
    assert "GAGAL/FAILED Berkas cocok dengan tanda terima / file matches receipt" in out
    assert "OK    Tanda tangan tanda terima" in out


def test_a_wrong_vendor_reference_fails_the_commitment_check(case, capsys):
    assert verify.main(full_argv(case, **{"--vendor-ref": "vendor-43"})) == 1
    assert "GAGAL/FAILED Komitmen penyedia cocok" in capsys.readouterr().out


def test_a_receipt_signed_by_another_key_fails(case, capsys):
    other = receipts.public_key_to_text(receipts.generate_signing_key().public_key())
    assert verify.main(full_argv(case, **{"--public-key": other})) == 1
    out = capsys.readouterr().out
    assert "GAGAL/FAILED Tanda tangan tanda terima" in out
    assert "GAGAL/FAILED Tanda tangan checkpoint log" in out


@pytest.mark.parametrize(
    ("target", "change"),
    [
        ("proof", lambda p: p.update(log_index=4)),
        ("proof", lambda p: p.update(tree_size=7)),
        ("proof", lambda p: p["proof"].reverse()),
        ("proof", lambda p: p.update(proof=p["proof"][:-1])),
        ("checkpoint", lambda c: c["body"].update(root="00" * 32)),
    ],
    ids=["other-index", "other-tree-size", "reordered-proof", "short-proof", "checkpoint-root-forged"],
)
def test_a_proof_that_does_not_lead_to_the_signed_checkpoint_fails(case, capsys, target, change):
    _rewrite(case[target], change)
    assert verify.main(full_argv(case)) == 1
    assert "GAGAL/FAILED Tanda terima tercatat di log" in capsys.readouterr().out


def test_a_receipt_missing_from_a_checkpoint_with_a_valid_proof_for_another_entry_fails(case, key, capsys):
    # The log holds a different document at index 5: a real, well-formed proof of somebody else's leaf.
    leaves = list(case["leaves"])
    leaves[5] = merkle.leaf_hash(b"someone else's receipt")
    checkpoint = receipts.sign_document(
        {"origin": "lpse.test/bids", "size": 8, "root": merkle.root(leaves).hex(), "time": "2026-03-02T10:00:00+07:00"},
        key,
        kind="log-checkpoint",
    )
    case["checkpoint"].write_text(json.dumps(checkpoint))
    case["proof"].write_text(
        json.dumps({"log_index": 5, "tree_size": 8, "proof": [h.hex() for h in merkle.inclusion_proof(leaves, 5)]})
    )
    assert verify.main(full_argv(case)) == 1
    out = capsys.readouterr().out
    assert "OK    Tanda tangan checkpoint log" in out
    assert "GAGAL/FAILED Tanda terima tercatat di log" in out


@pytest.mark.parametrize(
    "argv_change",
    [
        lambda case: full_argv(case, **{"--public-key": "eproc-ed25519-pk:nonsense"}),
        lambda case: full_argv(case, **{"--public-key": "@/nonexistent/key.pub"}),
        lambda case: full_argv(case, **{"--nonce": "xyz"}),
        lambda case: full_argv(case, **{"--nonce": "0011"}),
        lambda case: full_argv(case, **{"--nonce": None}),
        lambda case: full_argv(case, **{"--checkpoint": None}),
        lambda case: full_argv(case, **{"--file": "/nonexistent/penawaran.age"}),
        lambda case: [str(case["receipt"])],
        lambda case: [],
        lambda case: ["/nonexistent/receipt.json", "--public-key", f"@{case['key']}"],
        lambda case: [*full_argv(case), "--unknown-option"],
    ],
    ids=[
        "malformed-key",
        "missing-key-file",
        "nonce-not-hex",
        "nonce-too-short",
        "vendor-ref-without-nonce",
        "inclusion-without-checkpoint",
        "missing-bid-file",
        "no-key",
        "no-arguments",
        "missing-receipt",
        "unknown-option",
    ],
)
def test_bad_input_gives_a_message_and_exit_status_2_without_a_traceback(case, capsys, argv_change):
    assert verify.main(argv_change(case)) == 2
    err = capsys.readouterr().err
    assert err.startswith("Kesalahan masukan / input error: ")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("target", "content"),
    [
        ("receipt", "not json"),
        ("receipt", "[1, 2]"),
        ("proof", '{"log_index": 5}'),
        ("proof", '{"log_index": 5, "tree_size": 8, "proof": ["zz"]}'),
        ("checkpoint", "\udcff"),
    ],
    ids=["receipt-not-json", "receipt-not-object", "proof-missing-fields", "proof-not-hex", "checkpoint-not-utf8"],
)
def test_malformed_json_files_give_exit_status_2(case, capsys, target, content):
    case[target].write_text(content, errors="surrogateescape")
    assert verify.main(full_argv(case)) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_the_verifier_runs_as_a_module_without_django(case):
    # `python -m eproc.bids.verify`, with Django made unimportable: auditors need only this package's files.
    code = "import runpy, sys; sys.modules['django'] = None; runpy.run_module('eproc.bids.verify', run_name='__main__')"
    result = subprocess.run(
        [sys.executable, "-c", code, *full_argv(case)], cwd=MAIN, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "RESULT: ALL CHECKS PASSED" in result.stdout
    result = subprocess.run(
        [sys.executable, "-m", "eproc.bids.verify", str(case["receipt"]), "--public-key", "x"],
        cwd=MAIN,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
