"""Signed documents: bid receipts and log checkpoints (DESIGN.md section 5).

A signed document is {"kind": ..., "body": {...}, "signature": {"algorithm": "Ed25519", "key_id": ..., "value":
base64}}; the signature covers canonical_json({"kind": kind, "body": body}), so a body cannot be replayed as another
kind. Verification is strict about the shape (no extra keys, canonical base64), so one signed content has exactly
one document, and therefore one leaf hash in the transparency log.

Pure Python, no Django: `python -m eproc.bids.verify` uses this file offline.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIGNING_KEY_PREFIX = "eproc-ed25519-sk:"
PUBLIC_KEY_PREFIX = "eproc-ed25519-pk:"
ALGORITHM = "Ed25519"
NONCE_BYTES = 16
_VENDOR_COMMITMENT_PREFIX = b"eproc/vendor/v1/"
_DOCUMENT_KEYS = {"kind", "body", "signature"}
_SIGNATURE_KEYS = {"algorithm", "key_id", "value"}


# --- Canonical JSON ------------------------------------------------------------------------------------------------


def _check_json_value(value, path: str = "$") -> None:
    """Only what has one obvious encoding: dicts with str keys, lists, str, int, bool, None. No floats."""
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        raise TypeError(f"{path}: floats are not allowed in signed documents (use an integer or a string).")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: object keys must be strings, not {type(key).__name__}.")
            _check_json_value(item, f"{path}.{key}")
        return
    if isinstance(value, list | tuple):
        for position, item in enumerate(value):
            _check_json_value(item, f"{path}[{position}]")
        return
    raise TypeError(f"{path}: {type(value).__name__} is not allowed in signed documents.")


def canonical_json(value) -> bytes:
    """UTF-8 JSON with sorted keys, no whitespace, non-ASCII kept as is; floats and non-JSON types raise
    TypeError. Keys are sorted by code point (the same as byte order for the ASCII keys used here)."""
    _check_json_value(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


# --- Keys ----------------------------------------------------------------------------------------------------------


def _b64_strict(text: str, what: str) -> bytes:
    try:
        value = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ValueError(f"The {what} is not valid base64.") from None
    if base64.b64encode(value).decode("ascii") != text:
        raise ValueError(f"The {what} is not canonical base64.")
    return value


def _raw_public(pub: Ed25519PublicKey) -> bytes:
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def generate_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def signing_key_to_text(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return SIGNING_KEY_PREFIX + base64.b64encode(raw).decode("ascii")


def signing_key_from_text(text: str) -> Ed25519PrivateKey:
    text = text.strip() if isinstance(text, str) else ""
    if not text.startswith(SIGNING_KEY_PREFIX):
        raise ValueError(f"A signing key starts with '{SIGNING_KEY_PREFIX}'.")
    raw = _b64_strict(text[len(SIGNING_KEY_PREFIX) :], "signing key")
    if len(raw) != 32:
        raise ValueError("A signing key is 32 bytes.")
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key_to_text(pub: Ed25519PublicKey) -> str:
    return PUBLIC_KEY_PREFIX + base64.b64encode(_raw_public(pub)).decode("ascii")


def public_key_from_text(text: str) -> Ed25519PublicKey:
    text = text.strip() if isinstance(text, str) else ""
    if not text.startswith(PUBLIC_KEY_PREFIX):
        raise ValueError(f"A public key starts with '{PUBLIC_KEY_PREFIX}'.")
    raw = _b64_strict(text[len(PUBLIC_KEY_PREFIX) :], "public key")
    if len(raw) != 32:
        raise ValueError("A public key is 32 bytes.")
    return Ed25519PublicKey.from_public_bytes(raw)


def key_id(pub: Ed25519PublicKey) -> str:
    """First 16 hex digits of SHA-256 of the raw public key: names the key in a signature, for key rotation."""
    return hashlib.sha256(_raw_public(pub)).hexdigest()[:16]


# --- Signing -------------------------------------------------------------------------------------------------------


def _signed_bytes(kind: str, body: dict) -> bytes:
    return canonical_json({"kind": kind, "body": body})


def sign_document(body: dict, key: Ed25519PrivateKey, *, kind: str) -> dict:
    """A signed document of `kind`. The body is copied through canonical JSON, so the document holds exactly
    what was signed (later changes to the caller's dict do not leak in)."""
    if not isinstance(body, dict):
        raise TypeError("A document body is a dict.")
    if not isinstance(kind, str) or not kind:
        raise TypeError("A document kind is a non-empty string.")
    body = json.loads(canonical_json(body))
    signature = key.sign(_signed_bytes(kind, body))
    return {
        "kind": kind,
        "body": body,
        "signature": {
            "algorithm": ALGORITHM,
            "key_id": key_id(key.public_key()),
            "value": base64.b64encode(signature).decode("ascii"),
        },
    }


def verify_document(document: dict, public_key: Ed25519PublicKey | str, *, kind: str | None = None) -> bool:
    """True only if `document` is a well-formed signed document (exact shape), of `kind` when given, signed by
    `public_key` (an Ed25519PublicKey or its text form). Never raises: anything malformed is False."""
    try:
        pub = public_key_from_text(public_key) if isinstance(public_key, str) else public_key
        if not isinstance(pub, Ed25519PublicKey):
            return False
        if not isinstance(document, dict) or set(document) != _DOCUMENT_KEYS:
            return False
        doc_kind, body, signature = document["kind"], document["body"], document["signature"]
        if not isinstance(doc_kind, str) or not isinstance(body, dict):
            return False
        if kind is not None and doc_kind != kind:
            return False
        if not isinstance(signature, dict) or set(signature) != _SIGNATURE_KEYS:
            return False
        if signature["algorithm"] != ALGORITHM or signature["key_id"] != key_id(pub):
            return False
        if not isinstance(signature["value"], str):
            return False
        value = _b64_strict(signature["value"], "signature")
        if len(value) != 64:
            return False
        pub.verify(value, _signed_bytes(doc_kind, body))
    except (InvalidSignature, ValueError, TypeError, RecursionError):
        return False
    return True


# --- Receipt helpers -----------------------------------------------------------------------------------------------


def new_nonce() -> bytes:
    return secrets.token_bytes(NONCE_BYTES)


def vendor_commitment(vendor_ref: str, nonce: bytes) -> str:
    """Hex SHA-256(b"eproc/vendor/v1/" || nonce || vendor_ref): names the vendor in a public receipt without
    revealing it; the vendor (who keeps the nonce) can later prove the receipt is theirs. The nonce has a fixed
    length, so the encoding is unambiguous."""
    if not isinstance(nonce, bytes | bytearray) or len(nonce) != NONCE_BYTES:
        raise ValueError(f"A commitment nonce is {NONCE_BYTES} bytes.")
    if not isinstance(vendor_ref, str):
        raise TypeError("vendor_ref is a string.")
    return hashlib.sha256(_VENDOR_COMMITMENT_PREFIX + bytes(nonce) + vendor_ref.encode()).hexdigest()
