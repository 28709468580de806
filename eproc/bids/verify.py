"""Offline verifier for bid receipts: anyone can check a receipt without trusting (or reaching) the LPSE server.

    python -m eproc.bids.verify RECEIPT.json --public-key eproc-ed25519-pk:... \\
        [--file penawaran.age] [--vendor-ref REF --nonce HEX] [--inclusion PROOF.json --checkpoint CHECKPOINT.json]

`--public-key` (and `--log-public-key`, default: the same key) also takes `@path` to read the key from a file.
Checks, one line each in Indonesian and English:
  * the receipt's Ed25519 signature (kind "bid-receipt");
  * --file: the SHA-256 and size of the encrypted file equal the receipt's (read in chunks, any size);
  * --vendor-ref/--nonce: the receipt's vendor commitment is SHA-256("eproc/vendor/v1/" || nonce || ref);
  * --inclusion/--checkpoint: the checkpoint (kind "log-checkpoint") is signed, and the proof shows the receipt
    (leaf = merkle.leaf_hash(canonical_json(receipt document))) at its log index in the tree of the checkpoint.
Exit status: 0 all checks passed, 1 a check failed, 2 bad input (unreadable file, malformed key or JSON).

Needs only the Python standard library, `cryptography` and the sibling files receipts.py and merkle.py.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from . import merkle, receipts

RECEIPT_KIND = "bid-receipt"
CHECKPOINT_KIND = "log-checkpoint"
_CHUNK = 1024 * 1024


class BadInput(Exception):
    """Input the verifier cannot work with; reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise BadInput(f"{message}\n{self.format_usage().strip()}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m eproc.bids.verify",
        description="Periksa tanda terima penawaran secara offline / Verify a bid receipt offline.",
    )
    parser.add_argument("receipt", type=Path, help="tanda terima / receipt JSON")
    parser.add_argument("--public-key", required=True, help="eproc-ed25519-pk:... or @file")
    parser.add_argument("--log-public-key", help="key of the log checkpoint (default: --public-key)")
    parser.add_argument("--file", type=Path, help="berkas penawaran terenkripsi / the encrypted bid file (.age)")
    parser.add_argument("--vendor-ref", help="referensi penyedia / vendor reference")
    parser.add_argument("--nonce", help="nonce komitmen (hex) / commitment nonce (hex)")
    parser.add_argument("--inclusion", type=Path, help="bukti inklusi / inclusion proof JSON")
    parser.add_argument("--checkpoint", type=Path, help="checkpoint log bertanda tangan / signed log checkpoint JSON")
    return parser


def _load_key(value: str, what: str):
    text = value
    if value.startswith("@"):
        try:
            text = Path(value[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput(f"Cannot read the {what} file {value[1:]}: {exc}") from None
    try:
        return receipts.public_key_from_text(text)
    except ValueError as exc:
        raise BadInput(f"Malformed {what}: {exc}") from None


def _load_json(path: Path, what: str):
    try:
        with open(path, "rb") as handle:
            return json.loads(handle.read().decode("utf-8"))
    except OSError as exc:
        raise BadInput(f"Cannot read the {what} {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise BadInput(f"The {what} {path} is not valid JSON: {exc}") from None


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise BadInput(f"Cannot read the bid file {path}: {exc.strerror or exc}") from None
    return digest.hexdigest(), size


class _Report:
    def __init__(self, out):
        self.out = out
        self.failed = False

    def check(self, ok: bool, id_text: str, en_text: str, detail: str = "") -> bool:
        status = "OK   " if ok else "GAGAL/FAILED"
        self.out.write(f"{status} {id_text} / {en_text}{f' ({detail})' if detail else ''}\n")
        self.failed |= not ok
        return ok

    def note(self, text: str) -> None:
        self.out.write(f"      {text}\n")


def _run(args, out) -> int:
    public_key = _load_key(args.public_key, "public key")
    log_key = _load_key(args.log_public_key, "log public key") if args.log_public_key else public_key
    if (args.vendor_ref is None) != (args.nonce is None):
        raise BadInput("--vendor-ref and --nonce go together.")
    if (args.inclusion is None) != (args.checkpoint is None):
        raise BadInput("--inclusion and --checkpoint go together.")
    nonce = None
    if args.nonce is not None:
        try:
            nonce = bytes.fromhex(args.nonce)
        except ValueError:
            raise BadInput("--nonce must be hexadecimal.") from None
        if len(nonce) != receipts.NONCE_BYTES:
            raise BadInput(f"--nonce must be {receipts.NONCE_BYTES} bytes ({2 * receipts.NONCE_BYTES} hex digits).")

    receipt = _load_json(args.receipt, "receipt")
    if not isinstance(receipt, dict):
        raise BadInput(f"The receipt {args.receipt} is not a signed document (JSON object).")
    proof_doc = _load_json(args.inclusion, "inclusion proof") if args.inclusion else None
    checkpoint = _load_json(args.checkpoint, "checkpoint") if args.checkpoint else None
    if proof_doc is not None:
        if not (
            isinstance(proof_doc, dict)
            and _is_int(proof_doc.get("log_index"))
            and _is_int(proof_doc.get("tree_size"))
            and isinstance(proof_doc.get("proof"), list)
        ):
            raise BadInput("The inclusion proof must be {'log_index': int, 'tree_size': int, 'proof': [hex, ...]}.")
        try:
            proof = merkle.proof_from_hex(proof_doc["proof"])
        except ValueError as exc:
            raise BadInput(f"The inclusion proof is malformed: {exc}") from None
    digest = _file_digest(args.file) if args.file else None

    report = _Report(out)
    signed = report.check(
        receipts.verify_document(receipt, public_key, kind=RECEIPT_KIND),
        "Tanda tangan tanda terima",
        "receipt signature",
        f"kunci/key {receipts.key_id(public_key)}",
    )
    body = receipt.get("body") if isinstance(receipt.get("body"), dict) else {}
    if signed:
        for label, field in (
            ("Paket/box", "box"),
            ("Amplop/envelope", "envelope"),
            ("Komitmen/committed at", "committed_at"),
            ("Berkas diterima/bytes received at", "bytes_received_at"),
            ("Indeks log/log index", "log_index"),
        ):
            if field in body:
                report.note(f"{label}: {body[field]}")

    if digest is not None:
        sha, size = digest
        expected_sha, expected_size = body.get("ciphertext_sha256"), body.get("ciphertext_size")
        matches = isinstance(expected_sha, str) and sha == expected_sha.lower() and size == expected_size
        report.check(
            matches,
            "Berkas cocok dengan tanda terima",
            "file matches receipt",
            f"SHA-256 {sha}, {size} byte"
            + ("" if matches else f"; tanda terima/receipt {expected_sha}, {expected_size}"),
        )

    if nonce is not None:
        expected = body.get("vendor_commitment")
        actual = receipts.vendor_commitment(args.vendor_ref, nonce)
        report.check(
            isinstance(expected, str) and actual == expected.lower(),
            "Komitmen penyedia cocok",
            "vendor commitment matches",
        )

    if checkpoint is not None:
        checkpoint_ok = report.check(
            receipts.verify_document(checkpoint, log_key, kind=CHECKPOINT_KIND),
            "Tanda tangan checkpoint log",
            "log checkpoint signature",
        )
        cp_body = checkpoint.get("body") if isinstance(checkpoint, dict) else None
        cp_body = cp_body if isinstance(cp_body, dict) else {}
        size, root_hex = cp_body.get("size"), cp_body.get("root")
        if checkpoint_ok:
            report.note(f"Log: {cp_body.get('origin')}, ukuran/size {size}, waktu/time {cp_body.get('time')}")
        index, tree_size = proof_doc["log_index"], proof_doc["tree_size"]
        problems = []
        if not checkpoint_ok:
            problems.append("checkpoint not trusted")
        if tree_size != size:
            problems.append(f"proof tree size {tree_size} != checkpoint size {size}")
        if "log_index" in body and body["log_index"] != index:
            problems.append(f"proof index {index} != receipt log index {body['log_index']}")
        try:
            root = bytes.fromhex(root_hex) if isinstance(root_hex, str) else b""
        except ValueError:
            root = b""
        try:
            leaf = merkle.leaf_hash(receipts.canonical_json(receipt))
        except (TypeError, ValueError):
            leaf = b""
        if not problems and not merkle.verify_inclusion(leaf, index, tree_size, proof, root):
            problems.append("proof does not lead to the checkpoint root")
        report.check(
            not problems,
            "Tanda terima tercatat di log",
            "receipt included in log",
            f"indeks/index {index}, ukuran/size {tree_size}" + (f"; {'; '.join(problems)}" if problems else ""),
        )

    if report.failed:
        out.write("HASIL: ADA PEMERIKSAAN YANG GAGAL / RESULT: SOME CHECKS FAILED\n")
        return 1
    out.write("HASIL: SEMUA PEMERIKSAAN LULUS / RESULT: ALL CHECKS PASSED\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        return _run(args, sys.stdout)
    except BadInput as exc:
        sys.stderr.write(f"Kesalahan masukan / input error: {exc}\n")
        return 2
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
