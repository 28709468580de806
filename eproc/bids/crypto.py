"""Tender keys and sealed-bid files (DESIGN.md section 5).

One age X25519 identity per sealed box and envelope, derived from a 16-byte seed with HKDF-SHA256. The seed is
split k-of-n with Shamir's scheme (pycryptodome, GF(2^128)); the server keeps only the recipient, k and a SHA-256
of each share, and forgets the seed. At the opening, k shares give the seed back, the seed gives the identity back,
and the identity opens the bids, streamed through OpenSSL's primitives in threads (see "Opening bids" below).

Pure Python, no Django: the committee, an auditor or a vendor can run this file offline.

Things learnt about the libraries (pyrage 1.4.0, pycryptodome 4.4.0):

* pycryptodome's Shamir supports k = 1: the polynomial is the constant seed, so every share *is* the seed. That is
  correct for 1-of-1 (a Pejabat Pengadaan alone) and for 1-of-n (anyone of n), and needs no special case.
* Shamir cannot tell a wrong reconstruction from a right one: k - 1 shares (or a forged share) combine silently to
  a wrong seed. Callers must derive the recipient from the combined seed and compare it with the published one,
  and check each share against its published SHA-256 first (`share_sha256`) to name a bad share.
* pyrage (the Rust `age` crate) adds a random "grease" stanza (type `<random>-grease`) to every file it encrypts,
  so `check_age_header` accepts and ignores stanzas of that type next to X25519 ones.
* `pyrage.decrypt_io` streams, but calls back into Python every 8 KiB: too slow for the opening (below), which
  therefore reads the format itself. Like any streaming decryptor it finds damage only when it reaches it, after
  earlier chunks were written out: hence the temporary file.
"""

from __future__ import annotations

import base64
import binascii
import concurrent.futures
import contextlib
import hashlib
import os
import secrets
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import bech32
import pyrage
from Crypto.Protocol.SecretSharing import Shamir
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEED_BYTES = 16
MAX_HOLDERS = 255

_IDENTITY_HRP = "age-secret-key-"
_SALT_PREFIX = b"eproc/bids/v1/"
_INFO_PREFIX = b"tender-identity/"


# --- Tender identity -----------------------------------------------------------------------------------------------


def new_seed() -> bytes:
    return secrets.token_bytes(SEED_BYTES)


def _check_seed(seed: bytes) -> bytes:
    if not isinstance(seed, bytes | bytearray) or len(seed) != SEED_BYTES:
        raise ValueError(f"A tender seed is {SEED_BYTES} bytes.")
    return bytes(seed)


def derive_identity(seed: bytes, *, box_id: str, envelope: str) -> str:
    """The age identity ("AGE-SECRET-KEY-1...") of one box and envelope: HKDF-SHA256 of the seed, salted with the
    box id and bound to the envelope name, read as an X25519 secret scalar and encoded as age does (bech32, HRP
    "age-secret-key-", upper case). A different box or envelope gives an unrelated identity."""
    seed = _check_seed(seed)
    if not box_id or not envelope:
        raise ValueError("box_id and envelope must be non-empty.")
    scalar = _hkdf_sha256(seed, salt=_SALT_PREFIX + box_id.encode(), info=_INFO_PREFIX + envelope.encode())
    return bech32.bech32_encode(_IDENTITY_HRP, bech32.convertbits(scalar, 8, 5)).upper()


def _hkdf_sha256(secret: bytes, *, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret)


def recipient_for(identity: str) -> str:
    """The public recipient ("age1...") of an identity, as `age-keygen -y` prints it."""
    return str(pyrage.x25519.Identity.from_str(identity).to_public())


# --- Shamir shares of the seed -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    index: int  # 1..255, the x coordinate; holder i gets index i.
    value: bytes  # 16 bytes, p(index) in GF(2^128).

    def __post_init__(self):
        if not isinstance(self.index, int) or isinstance(self.index, bool) or not 1 <= self.index <= MAX_HOLDERS:
            raise ValueError(f"A share index is between 1 and {MAX_HOLDERS}.")
        if not isinstance(self.value, bytes) or len(self.value) != SEED_BYTES:
            raise ValueError(f"A share value is {SEED_BYTES} bytes.")

    def to_bytes(self) -> bytes:
        """17 bytes: the index, then the value. This is what a committee member's share file holds (encrypted)."""
        return bytes([self.index]) + self.value

    @classmethod
    def from_bytes(cls, data: bytes) -> Share:
        if not isinstance(data, bytes | bytearray) or len(data) != 1 + SEED_BYTES:
            raise ValueError(f"A share is {1 + SEED_BYTES} bytes.")
        return cls(index=data[0], value=bytes(data[1:]))


def split_seed(seed: bytes, *, threshold: int, holders: int) -> list[Share]:
    """`holders` shares, any `threshold` of which give the seed back. 1-of-1 and 1-of-n are allowed: then each
    share equals the seed (pycryptodome handles k = 1 as a constant polynomial)."""
    seed = _check_seed(seed)
    for name, value in (("threshold", threshold), ("holders", holders)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{name} must be an integer.")
    if not 1 <= threshold <= holders <= MAX_HOLDERS:
        raise ValueError(f"Need 1 <= threshold <= holders <= {MAX_HOLDERS} (got {threshold} of {holders}).")
    return [Share(index, value) for index, value in Shamir.split(threshold, holders, seed, ssss=False)]


def combine_shares(shares: Sequence[Share]) -> bytes:
    """The seed from at least `threshold` shares (more is fine). With fewer, or a forged share, the result is a
    WRONG seed and no error: Shamir cannot notice. Always check `recipient_for(derive_identity(seed, ...))`
    against the published recipient before using it."""
    shares = list(shares)
    if not shares:
        raise ValueError("No shares given.")
    if not all(isinstance(share, Share) for share in shares):
        raise ValueError("combine_shares takes Share objects.")
    if len({share.index for share in shares}) != len(shares):
        raise ValueError("The same share index was given twice.")
    if len(shares) == 1:
        # A lone share is the seed only under a 1-of-n split; spelled out rather than left to interpolation.
        return shares[0].value
    return Shamir.combine([(share.index, share.value) for share in shares], ssss=False)


def share_sha256(share: Share) -> str:
    """Hex SHA-256 of the share's 17 bytes, published at key ceremony time so a bad share can be named."""
    return hashlib.sha256(share.to_bytes()).hexdigest()


# --- Whole-message helpers (small data: shares, test fixtures) ---------------------------------------------------


def encrypt_to_recipient(recipient: str, data: bytes) -> bytes:
    """Binary age file of `data` for one X25519 recipient."""
    return pyrage.encrypt(bytes(data), [pyrage.x25519.Recipient.from_str(recipient)])


def decrypt_with_identity(identity: str, data: bytes) -> bytes:
    return pyrage.decrypt(bytes(data), [pyrage.x25519.Identity.from_str(identity)])


# --- Header check at upload time -----------------------------------------------------------------------------------


class AgeHeaderError(ValueError):
    """The upload is not a binary age v1 file encrypted to X25519 recipients; the message says why, in English."""


HEADER_LIMIT = 64 * 1024
_VERSION_LINE = b"age-encryption.org/v1\n"
_ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
_B64_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
_BODY_COLUMNS = 64
_GREASE_SUFFIX = "-grease"
_KNOWN_TYPES = {
    "scrypt": "a passphrase",
    "ssh-rsa": "an SSH RSA key",
    "ssh-ed25519": "an SSH Ed25519 key",
    "p256tag": "a hardware key tag",
    "mlkem768p256tag": "a post-quantum hardware key tag",
    "mlkem768x25519": "a post-quantum hybrid key",
    "piv-p256": "a YubiKey (age-plugin-yubikey)",
}
_PLAINTEXT_MAGIC = {
    b"PK\x03\x04": "a ZIP archive",
    b"%PDF": "a PDF document",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7z archive",
}


def _b64_decode(text: bytes, what: str) -> bytes:
    """Canonical unpadded base64 as age writes it (RFC 4648 alphabet, no '=', zero trailing bits)."""
    if not set(text) <= _B64_ALPHABET or len(text) % 4 == 1:
        raise AgeHeaderError(f"The {what} is not valid base64.")
    try:
        value = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    except binascii.Error:
        raise AgeHeaderError(f"The {what} is not valid base64.") from None
    if base64.b64encode(value).rstrip(b"=") != text:
        raise AgeHeaderError(f"The {what} is not canonical base64.")
    return value


def _describe_type(kind: str) -> str:
    description = _KNOWN_TYPES.get(kind, "an unsupported recipient type (an age plugin?)")
    return f"{description} (stanza type '{kind}')"


@dataclass(frozen=True)
class AgeHeader:
    """What the opening needs from a checked header: the X25519 stanzas as (ephemeral share, wrapped file key), the
    MAC and the bytes it covers (everything up to and including "---"), and the header's length."""

    x25519_stanzas: tuple[tuple[bytes, bytes], ...]
    mac: bytes
    mac_input: bytes
    length: int


def check_age_header(stream: BinaryIO) -> int:
    """Read and check the header of an age file from a binary stream; return its length in bytes.

    Accepted: first line `age-encryption.org/v1`, one or more stanzas, at least one `-> X25519 <share>` with a
    32-byte body, then `--- <mac>`. Stanzas of type `*-grease` (random padding that rage/pyrage add to every
    file) are allowed and ignored; any other type (scrypt passphrase, ssh-rsa, ssh-ed25519, tags, post-quantum
    hybrids, plugins) is refused, because the tender key could not open the bid. The MAC cannot be checked
    without the key. At most HEADER_LIMIT bytes are read; the stream is left just after the header (or wherever
    the error was found). Raises AgeHeaderError with an English message naming the problem."""
    return read_age_header(stream).length


def read_age_header(stream: BinaryIO) -> AgeHeader:
    """check_age_header, returning the parsed header."""
    raw_lines: list[bytes] = []  # at most HEADER_LIMIT bytes: the MAC covers them
    consumed = 0

    def next_line(what: str) -> bytes:
        nonlocal consumed
        line = stream.readline(HEADER_LIMIT - consumed + 1)
        consumed += len(line)
        if consumed > HEADER_LIMIT:
            raise AgeHeaderError(f"The age header is longer than {HEADER_LIMIT // 1024} KiB; this is not a bid file.")
        if not line.endswith(b"\n"):
            raise AgeHeaderError(f"The file ends inside the age header (expected {what}); it is truncated.")
        if line.endswith(b"\r\n"):
            raise AgeHeaderError("The age header has Windows line endings; the file was altered by a text transfer.")
        raw_lines.append(line)
        return line[:-1]

    first = stream.readline(128)
    consumed += len(first)
    if not first:
        raise AgeHeaderError("The file is empty.")
    if first != _VERSION_LINE:
        probe = first if first.strip() else first + stream.read(256)  # Armor may follow blank lines.
        if probe.lstrip().startswith(_ARMOR_BEGIN):
            raise AgeHeaderError(
                "The file is ASCII-armored age (-----BEGIN AGE ENCRYPTED FILE-----). Upload the binary form: "
                "encrypt with `age -r <recipient> -o bid.age <file>` (without -a/--armor)."
            )
        for magic, name in _PLAINTEXT_MAGIC.items():
            if first.startswith(magic):
                raise AgeHeaderError(f"The file is {name}, not an age-encrypted file. Encrypt it before uploading.")
        if _VERSION_LINE.startswith(first):
            raise AgeHeaderError("The file ends inside the age header (expected the version line); it is truncated.")
        if first == _VERSION_LINE[:-1] + b"\r\n":
            raise AgeHeaderError("The age header has Windows line endings; the file was altered by a text transfer.")
        if first.startswith(b"age-encryption.org/"):
            raise AgeHeaderError("The file uses an unsupported age format version; only age-encryption.org/v1.")
        raise AgeHeaderError("The file is not an age-encrypted file (it must start with 'age-encryption.org/v1').")

    raw_lines.append(first)
    x25519_stanzas = []
    line = next_line("a stanza")
    if line.startswith(b"---"):
        raise AgeHeaderError("The age header has no recipient stanza.")
    while not line.startswith(b"---"):
        if not line.startswith(b"-> "):
            raise AgeHeaderError("The age header is malformed (expected a '-> ' stanza line).")
        raw_args = line[3:].split(b" ")
        if not all(raw_args) or not all(0x21 <= byte <= 0x7E for arg in raw_args for byte in arg):
            raise AgeHeaderError("The age header is malformed (bad stanza arguments).")
        kind, args = raw_args[0].decode("ascii"), raw_args[1:]

        # Body: full 64-column lines, then one shorter (possibly empty) final line.
        body_lines = []
        while True:
            body_line = next_line("a stanza body line")
            if len(body_line) > _BODY_COLUMNS:
                raise AgeHeaderError("The age header is malformed (stanza body line longer than 64 columns).")
            body_lines.append(body_line)
            if len(body_line) < _BODY_COLUMNS:
                break
        body = _b64_decode(b"".join(body_lines), "stanza body")

        if kind == "X25519":
            share = _b64_decode(args[0], "X25519 share") if len(args) == 1 else b""
            if len(share) != 32 or len(body) != 32:
                raise AgeHeaderError("The age header has a malformed X25519 stanza.")
            x25519_stanzas.append((share, body))
        elif not kind.endswith(_GREASE_SUFFIX):
            raise AgeHeaderError(
                f"The file is encrypted to {_describe_type(kind)}, not to the tender's X25519 recipient (age1...). "
                "Encrypt it with `age -r <recipient>` using the recipient shown on the tender page."
            )
        line = next_line("a stanza or the '---' MAC line")

    mac_text = line[3:]
    mac = _b64_decode(mac_text[1:], "header MAC") if mac_text.startswith(b" ") else b""
    if len(mac) != 32:
        raise AgeHeaderError("The age header's MAC line is malformed.")
    if not x25519_stanzas:
        raise AgeHeaderError("The age header has no X25519 recipient stanza.")
    mac_input = b"".join(raw_lines[:-1]) + b"---"
    return AgeHeader(tuple(x25519_stanzas), mac, mac_input, consumed)


# --- Opening bids --------------------------------------------------------------------------------------------------


class DecryptionFailed(Exception):
    """A bid could not be opened. `kind` says whose fault: "wrong-key" (not encrypted to this tender key, or the
    header is damaged), "corrupt" (not an age file, truncated, or altered), "io" (the server could not read the
    source or write the result: the bid is not at fault; retry)."""

    def __init__(self, reason: str, kind: str = "corrupt"):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


# The opening reads the age v1 format itself (age-encryption.org/v1) on OpenSSL's X25519, HKDF-SHA256, HMAC-SHA256
# and ChaCha20-Poly1305 from the `cryptography` package: no primitive is written here, only the container. Why not
# a ready engine: pyrage.decrypt_io calls back into Python every 8 KiB and runs at 40% of the `age` CLI, and the CLI
# computes no plaintext hash, which the minutes need (DESIGN.md section 5): hashing its output on the same two cores
# capped the opening at 0.55-0.61 of the CLI. OpenSSL decrypts 64 KiB chunks at about 3 GB/s per core here and lets
# go of the GIL, so threads decrypt and hash in one pass (benchmarks/README.md, "Opening"). The tests hold this code
# to the `age` CLI (Go) and pyrage (Rust) on the same files, intact and damaged.
_PAYLOAD_CHUNK = 64 * 1024  # plaintext bytes per STREAM chunk
_TAG = 16  # Poly1305 tag after each chunk
_SEALED_CHUNK = _PAYLOAD_CHUNK + _TAG
_PAYLOAD_NONCE = 16
# 256 KiB of plaintext per read, hash update and write. Not 1 MiB: writes that large make the kernel (6.18, ext4)
# build the page cache from large folios, and copying into them cost up to twice the whole opening's time in system
# CPU in some runs here; at 256 KiB the runs are steady and as fast as the age CLI.
_CHUNKS_PER_READ = 4
_WRITE_BACK_EVERY = 8 * 1024 * 1024
_X25519_INFO = b"age-encryption.org/v1/X25519"
_ZERO_NONCE = bytes(12)


def decrypt_file(src: Path, dst: Path, identity: str) -> tuple[str, int]:
    """Decrypt the age file `src` into `dst`, streaming (memory stays flat whatever the size). Plaintext goes to a
    uniquely named temporary file next to `dst`, is hashed, fsynced, and renamed to `dst` only when decryption
    completed and authenticated. On any failure the temporary file is removed, `dst` is not created, and
    DecryptionFailed says why. Returns (plaintext SHA-256 hex, plaintext size)."""
    return _move_into_place(_decrypt_to_temporary(Path(src), Path(dst), identity))


@dataclass(frozen=True)
class _Decrypted:
    temp: Path
    dst: Path
    sha256: str
    size: int


def _decrypt_to_temporary(src: Path, dst: Path, identity: str) -> _Decrypted:
    """First half of decrypt_file: the authenticated plaintext in a temporary file next to `dst`, hashed, its
    write-back to disk started but not waited for."""
    key = _identity_key(identity)
    try:
        source = open(src, "rb")  # noqa: SIM115 (a with-block here would mix up whose error it is)
    except OSError as exc:
        raise DecryptionFailed(f"Cannot read the bid file: {exc.strerror or exc}", "io") from None
    with source:
        try:
            header = read_age_header(source)
            end = os.fstat(source.fileno()).st_size
        except AgeHeaderError as exc:
            raise DecryptionFailed(f"Not a valid age file ({exc}).", "corrupt") from None
        except OSError as exc:
            raise DecryptionFailed(f"Cannot read the bid file: {exc.strerror or exc}", "io") from None
        file_key = _unwrap_file_key(header, key)
        descriptor, temp = _temporary_next_to(dst)
        try:
            try:
                digest, size = _decrypt_payload(source.fileno(), descriptor, file_key, header.length, end)
            finally:
                os.close(descriptor)
        except BaseException:
            _discard(temp)
            raise
    return _Decrypted(temp, dst, digest, size)


def _identity_key(identity: str) -> X25519PrivateKey:
    """The X25519 key of an "AGE-SECRET-KEY-1..." identity (bech32 of the 32-byte scalar, upper case as age writes
    and reads it)."""
    upper = isinstance(identity, str) and identity == identity.upper()
    hrp, words = bech32.bech32_decode(identity) if upper else (None, None)
    scalar = bech32.convertbits(words, 5, 8, False) if words is not None else None
    if hrp != _IDENTITY_HRP or scalar is None or len(scalar) != 32:
        raise DecryptionFailed("The tender identity is malformed.", "wrong-key")
    return X25519PrivateKey.from_private_bytes(bytes(scalar))


def _unwrap_file_key(header: AgeHeader, key: X25519PrivateKey) -> bytes:
    """The 16-byte file key from the first X25519 stanza made for `key`, once the header MAC proves the header is
    the one it was sealed under."""
    ours = key.public_key().public_bytes_raw()
    file_key = None
    for share, wrapped in header.x25519_stanzas:
        try:
            shared = key.exchange(X25519PublicKey.from_public_bytes(share))
        except ValueError:  # a low-order share gives the all-zero secret, which age refuses outright
            raise DecryptionFailed("Not a valid age file (an X25519 share is a low-order point).", "corrupt") from None
        wrapping = _hkdf_sha256(shared, salt=share + ours, info=_X25519_INFO)
        with contextlib.suppress(InvalidTag):  # a stanza for another recipient
            file_key = ChaCha20Poly1305(wrapping).decrypt(_ZERO_NONCE, wrapped, None)
            break
    if file_key is None:
        raise _wrong_key_failure()
    mac = hmac.HMAC(_hkdf_sha256(file_key, salt=b"", info=b"header"), hashes.SHA256())
    mac.update(header.mac_input)
    try:
        mac.verify(header.mac)  # constant time
    except InvalidSignature:
        raise _header_altered_failure() from None
    return file_key


def _chunk_count(sealed_size: int) -> int:
    """How many STREAM chunks a payload of `sealed_size` bytes (after its nonce) holds. Every chunk but the last is
    full; the last may be full or short, and empty only when the whole plaintext is empty."""
    full, rest = divmod(sealed_size, _SEALED_CHUNK)
    if rest == 0 and full:
        return full
    if rest > _TAG or (rest == _TAG and not full):
        return full + 1
    raise _payload_altered_failure()  # no payload, a piece shorter than a tag, or an empty chunk after a full one


def _decrypt_payload(source: int, sink: int, file_key: bytes, start: int, end: int) -> tuple[str, int]:
    """Decrypt the payload between `start` and `end` of the source descriptor into the sink descriptor, 256 KiB at a
    time; returns the plaintext's SHA-256 and size. The last chunk is known from the file's size, so a file cut at a
    chunk boundary or with bytes appended fails on its last chunk's flag; every failure is raised after the plaintext
    so far was written (the caller throws it away)."""
    if end - start < _PAYLOAD_NONCE:
        raise _payload_altered_failure()
    nonce = bytes(_read_exactly(source, bytearray(_PAYLOAD_NONCE), start))
    stream = ChaCha20Poly1305(_hkdf_sha256(file_key, salt=nonce, info=b"payload"))
    position = start + _PAYLOAD_NONCE
    chunks = _chunk_count(end - position)
    sealed = memoryview(bytearray(_SEALED_CHUNK * _CHUNKS_PER_READ))
    plain = memoryview(bytearray(_PAYLOAD_CHUNK * _CHUNKS_PER_READ))
    sha256, size, written_back, index = hashlib.sha256(), 0, 0, 0
    while index < chunks:
        batch = min(_CHUNKS_PER_READ, chunks - index)
        wanted = min(batch * _SEALED_CHUNK, end - position)
        _read_exactly(source, sealed[:wanted], position)
        position += wanted
        produced = 0
        for offset in range(0, wanted, _SEALED_CHUNK):
            piece = sealed[offset : min(offset + _SEALED_CHUNK, wanted)]
            last = b"\x01" if index == chunks - 1 else b"\x00"
            try:
                produced += stream.decrypt_into(
                    index.to_bytes(11, "big") + last, piece, None, plain[produced : produced + len(piece) - _TAG]
                )
            except InvalidTag:
                raise _payload_altered_failure() from None
            index += 1
        sha256.update(plain[:produced])
        _write_all(sink, plain[:produced])
        size += produced
        if size - written_back >= _WRITE_BACK_EVERY:
            _start_write_back(sink, written_back, size)
            written_back = size
    _start_write_back(sink, written_back, size)
    return sha256.hexdigest(), size


def _read_exactly(descriptor: int, buffer, position: int):
    view = memoryview(buffer)
    done = 0
    try:
        while done < len(view):
            count = os.preadv(descriptor, [view[done:]], position + done)
            if not count:
                raise DecryptionFailed("Cannot read the bid file: it became shorter while it was read.", "io")
            done += count
    except OSError as exc:
        raise DecryptionFailed(f"Cannot read the bid file: {exc.strerror or exc}", "io") from None
    return buffer


def _write_all(descriptor: int, data: memoryview) -> None:
    try:
        while data:
            data = data[os.write(descriptor, data) :]
    except OSError as exc:
        raise DecryptionFailed(f"Cannot write the plaintext: {exc.strerror or exc}", "io") from None


def _start_write_back(descriptor: int, start: int, end: int) -> None:
    # DONTNEED starts writing the dirty pages back without waiting (Linux), and drops the plaintext from the page
    # cache once on disk: the fsync in _move_into_place then has little left to wait for.
    if end > start:
        with contextlib.suppress(OSError, AttributeError):
            os.posix_fadvise(descriptor, start, end - start, os.POSIX_FADV_DONTNEED)


def _move_into_place(decrypted: _Decrypted) -> tuple[str, int]:
    """Second half: fsync the temporary file, rename it to its destination, fsync the directory."""
    try:
        try:
            descriptor = os.open(decrypted.temp, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        except OSError as exc:
            raise DecryptionFailed(f"Cannot write the plaintext: {exc.strerror or exc}", "io") from None
        try:
            os.replace(decrypted.temp, decrypted.dst)
        except OSError as exc:
            raise DecryptionFailed(f"Cannot move the plaintext into place: {exc.strerror or exc}", "io") from None
    except BaseException:
        _discard(decrypted.temp)
        raise
    _fsync_directory(decrypted.dst.parent)
    return decrypted.sha256, decrypted.size


def _fsync_directory(directory: Path) -> None:
    # eproc.files.fsync_directory does the same, but imports Django, which this file must run without.
    with contextlib.suppress(OSError):  # Not possible on every platform/filesystem; the data itself is synced.
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def discard_leftovers(directory: Path) -> None:
    """Remove the temporary plaintexts that an opening killed midway left in `directory` (a stale claim lets the
    next opening of the box start again): authenticated plaintext that nothing would ever rename into place."""
    for leftover in Path(directory).glob(".*.part"):
        _discard(leftover)


def _discard(temp: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()


def _temporary_next_to(dst: Path) -> tuple[int, Path]:
    try:
        descriptor, temp_name = tempfile.mkstemp(dir=dst.parent, prefix=f".{dst.name}.", suffix=".part")
    except OSError as exc:
        raise DecryptionFailed(f"Cannot create a temporary file next to the destination: {exc}", "io") from None
    return descriptor, Path(temp_name)


def _wrong_key_failure() -> DecryptionFailed:
    return DecryptionFailed(
        "Not encrypted to this tender's key (no matching X25519 stanza), or the header is damaged.", "wrong-key"
    )


def _header_altered_failure() -> DecryptionFailed:
    return DecryptionFailed("The age header was altered (header MAC does not verify).", "corrupt")


def _payload_altered_failure() -> DecryptionFailed:
    return DecryptionFailed("The ciphertext is truncated or altered (payload authentication failed).", "corrupt")


def open_files_in_workers(
    jobs: Iterable[tuple[Path, Path]], identity: str, max_workers: int = 2
) -> list[tuple[Path, tuple[str, int] | DecryptionFailed]]:
    """Decrypt each (src, dst), `max_workers` at a time. Returns, in job order, (src, (sha256 hex, size)) or
    (src, DecryptionFailed); never raises for a job.

    Threads, not processes: OpenSSL and hashlib let go of the GIL while they decrypt and hash. Each of
    `max_workers` threads decrypts one bid, then hands the file to another thread to fsync and rename, so a
    decrypting thread never sits waiting for the disk while its core could decrypt the next bid."""
    jobs = [(Path(src), Path(dst)) for src, dst in jobs]
    with (
        concurrent.futures.ThreadPoolExecutor(max_workers=max(1, max_workers)) as decrypting,
        concurrent.futures.ThreadPoolExecutor(max_workers=max(1, max_workers)) as placing,
    ):

        def decrypt_then_hand_over(src: Path, dst: Path) -> concurrent.futures.Future:
            return placing.submit(_move_into_place, _decrypt_to_temporary(src, dst, identity))

        handed_over = [decrypting.submit(decrypt_then_hand_over, src, dst) for src, dst in jobs]
        return [(src, _outcome(future)) for (src, _dst), future in zip(jobs, handed_over, strict=True)]


def _outcome(handed_over: concurrent.futures.Future) -> tuple[str, int] | DecryptionFailed:
    try:
        return handed_over.result().result()
    except DecryptionFailed as exc:
        return exc
    except Exception as exc:  # A crashed thread (MemoryError...) is not the bid's fault.
        return DecryptionFailed(f"The decryption worker failed: {exc!r}", "io")
