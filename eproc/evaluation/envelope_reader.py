"""Reading an opened bid: the plaintext is a ZIP whose entry `penawaran.json` declares the structured part of the
bid (docs/bid-envelope.md). Streamed entry by entry; a hostile archive (too many entries, a huge declaration) is
reported, never trusted."""

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from eproc.files import zip_problem

BID_FORMAT = "eproc-bid/1"
DECLARATION = "penawaran.json"
MAX_ENTRIES = 500
MAX_DECLARATION_BYTES = 64 * 1024


@dataclass
class ReadEnvelope:
    declared: dict | None = None
    files: list = field(default_factory=list)
    error: str = ""

    @property
    def price(self) -> Decimal | None:
        if not self.declared or self.declared.get("price") in (None, ""):
            return None
        return parse_price(self.declared["price"])


def parse_price(value) -> Decimal | None:
    """Digits with optional dots as thousands separators and a comma or point for cents, as a vendor types it."""
    text = str(value).strip().replace("Rp", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif text.count(".") > 1 or (text.count(".") == 1 and len(text.split(".")[1]) == 3):
        text = text.replace(".", "")
    try:
        price = Decimal(text)
    except InvalidOperation:
        return None
    return price.quantize(Decimal("0.01")) if price.is_finite() and price > 0 else None


def read(path, *, envelope_kind: str) -> ReadEnvelope:
    result = ReadEnvelope()
    if not zipfile.is_zipfile(path):
        result.error = "not a ZIP archive"
        return result
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            result.error = f"more than {MAX_ENTRIES} entries"
            return result
        # A ZIP bomb (issue 9, tests/security/test_hostile_files.py) would keep this request decompressing for
        # hours just to hash its entries: its entries are listed unhashed, and the bid is still read.
        hash_entries = zip_problem(path, os.path.getsize(path)) != "bomb"
        for entry in entries:
            if entry.is_dir():
                continue
            if not hash_entries:
                result.files.append({"name": entry.filename[:200], "size": entry.file_size, "sha256": ""})
                continue
            digest = hashlib.sha256()
            with archive.open(entry) as stream:
                for chunk in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(chunk)
            result.files.append({"name": entry.filename[:200], "size": entry.file_size, "sha256": digest.hexdigest()})
        try:
            info = archive.getinfo(DECLARATION)
        except KeyError:
            result.error = f"{DECLARATION} is missing"
            return result
        if info.file_size > MAX_DECLARATION_BYTES:
            result.error = f"{DECLARATION} is too large"
            return result
        try:
            declared = json.loads(archive.read(info).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            result.error = f"{DECLARATION} is not valid JSON"
            return result
    if not isinstance(declared, dict) or declared.get("format") != BID_FORMAT:
        result.error = f"{DECLARATION} is not in the {BID_FORMAT} format"
        return result
    result.declared = {str(key)[:60]: str(value)[:2000] for key, value in declared.items()}
    if envelope_kind in ("single", "price") and result.price is None:
        result.error = "the bid price is missing or not a positive amount"
    return result
