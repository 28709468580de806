"""Tender keys and sealed-bid files (DESIGN.md section 5).

One age X25519 identity per sealed box and envelope, derived from a 16-byte seed with HKDF-SHA256. The seed is
split k-of-n with Shamir's scheme (pycryptodome, GF(2^128)); the server keeps only the recipient, k and a SHA-256
of each share, and forgets the seed. At the opening, k shares give the seed back, the seed gives the identity back,
and the identity opens the bids, one worker process at a time (pyrage holds the GIL while it decrypts).

Pure Python, no Django: the committee, an auditor or a vendor can run this file offline.

Things learnt about the libraries (pyrage 1.4.0, pycryptodome 4.4.0):

* pycryptodome's Shamir supports k = 1: the polynomial is the constant seed, so every share *is* the seed. That is
  correct for 1-of-1 (a Pejabat Pengadaan alone) and for 1-of-n (anyone of n), and needs no special case.
* Shamir cannot tell a wrong reconstruction from a right one: k - 1 shares (or a forged share) combine silently to
  a wrong seed. Callers must derive the recipient from the combined seed and compare it with the published one,
  and check each share against its published SHA-256 first (`share_sha256`) to name a bad share.
* pyrage (the Rust `age` crate) adds a random "grease" stanza (type `<random>-grease`) to every file it encrypts,
  so `check_age_header` accepts and ignores stanzas of that type next to X25519 ones.
* `pyrage.decrypt_io` streams (about 8 KiB writes; 14 MB RSS for a 200 MB file here) and accepts any object with
  `write()`, but `write()` must return the number of bytes written (None raises OSError). Damage to the payload
  (truncation, flipped bit) raises a plain OSError("decryption error") *after* earlier chunks were written out,
  so partial plaintext exists before the failure shows: hence the temporary file.
"""

from __future__ import annotations

import base64
import binascii
import concurrent.futures
import contextlib
import hashlib
import multiprocessing
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
from cryptography.hazmat.primitives import hashes
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
    scalar = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=_SALT_PREFIX + box_id.encode(),
        info=_INFO_PREFIX + envelope.encode(),
    ).derive(seed)
    return bech32.bech32_encode(_IDENTITY_HRP, bech32.convertbits(scalar, 8, 5)).upper()


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


def check_age_header(stream: BinaryIO) -> int:
    """Read and check the header of an age file from a binary stream; return its length in bytes.

    Accepted: first line `age-encryption.org/v1`, one or more stanzas, at least one `-> X25519 <share>` with a
    32-byte body, then `--- <mac>`. Stanzas of type `*-grease` (random padding that rage/pyrage add to every
    file) are allowed and ignored; any other type (scrypt passphrase, ssh-rsa, ssh-ed25519, tags, post-quantum
    hybrids, plugins) is refused, because the tender key could not open the bid. The MAC cannot be checked
    without the key. At most HEADER_LIMIT bytes are read; the stream is left just after the header (or wherever
    the error was found). Raises AgeHeaderError with an English message naming the problem."""
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

    x25519_stanzas = 0
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
            if len(args) != 1 or len(_b64_decode(args[0], "X25519 share")) != 32 or len(body) != 32:
                raise AgeHeaderError("The age header has a malformed X25519 stanza.")
            x25519_stanzas += 1
        elif not kind.endswith(_GREASE_SUFFIX):
            raise AgeHeaderError(
                f"The file is encrypted to {_describe_type(kind)}, not to the tender's X25519 recipient (age1...). "
                "Encrypt it with `age -r <recipient>` using the recipient shown on the tender page."
            )
        line = next_line("a stanza or the '---' MAC line")

    mac = line[3:]
    if not mac.startswith(b" ") or len(_b64_decode(mac[1:], "header MAC")) != 32:
        raise AgeHeaderError("The age header's MAC line is malformed.")
    if not x25519_stanzas:
        raise AgeHeaderError("The age header has no X25519 recipient stanza.")
    return consumed


# --- Opening bids --------------------------------------------------------------------------------------------------


class DecryptionFailed(Exception):
    """A bid could not be opened. `kind` says whose fault: "wrong-key" (not encrypted to this tender key, or the
    header is damaged), "corrupt" (not an age file, truncated, or altered), "io" (the server could not read the
    source or write the result: the bid is not at fault; retry)."""

    def __init__(self, reason: str, kind: str = "corrupt"):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind

    def __reduce__(self):  # Picklable with its kind, so it crosses the process pool intact.
        return (type(self), (self.reason, self.kind))


class _HashingWriter:
    """File-like sink for pyrage.decrypt_io: writes through to a file, hashing and counting the plaintext."""

    def __init__(self, handle):
        self._handle = handle
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.error: BaseException | None = None

    def write(self, data) -> int:
        try:
            written = self._handle.write(data)
        except BaseException as exc:
            self.error = exc
            raise
        self.sha256.update(data)
        self.size += len(data)
        return written  # pyrage needs the count; None makes it fail.

    def flush(self) -> None:
        self._handle.flush()


class _RecordingReader:
    """Passes reads through and remembers a read error, so it is told apart from damaged ciphertext."""

    def __init__(self, handle):
        self._handle = handle
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        try:
            return self._handle.read(size)
        except BaseException as exc:
            self.error = exc
            raise

    def readinto(self, buffer) -> int:
        try:
            return self._handle.readinto(buffer)
        except BaseException as exc:
            self.error = exc
            raise


def _fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):  # Not possible on every platform/filesystem; the data itself is synced.
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def decrypt_file(src: Path, dst: Path, identity: str) -> tuple[str, int]:
    """Decrypt the age file `src` into `dst`, streaming (memory stays flat whatever the size). Plaintext goes to a
    uniquely named temporary file next to `dst`, is hashed on the way, fsynced, and renamed to `dst` only when
    decryption completed and authenticated. On any failure the temporary file is removed, `dst` is not created,
    and DecryptionFailed says why. Returns (plaintext SHA-256 hex, plaintext size)."""
    src, dst = Path(src), Path(dst)
    try:
        key = pyrage.x25519.Identity.from_str(identity)
    except Exception:
        raise DecryptionFailed("The tender identity is malformed.", "wrong-key") from None
    try:
        descriptor, temp_name = tempfile.mkstemp(dir=dst.parent, prefix=f".{dst.name}.", suffix=".part")
    except OSError as exc:
        raise DecryptionFailed(f"Cannot create a temporary file next to the destination: {exc}", "io") from None
    temp = Path(temp_name)
    try:
        with os.fdopen(descriptor, "wb") as sink:
            try:
                source = open(src, "rb")  # noqa: SIM115 (a with-block here would mix up whose error it is)
            except OSError as exc:
                raise DecryptionFailed(f"Cannot read the bid file: {exc.strerror or exc}", "io") from None
            with source:
                reader, writer = _RecordingReader(source), _HashingWriter(sink)
                try:
                    pyrage.decrypt_io(reader, writer, [key])
                except Exception as exc:
                    raise _classify(exc, reader, writer) from None
            try:
                sink.flush()
                os.fsync(sink.fileno())
            except OSError as exc:
                raise DecryptionFailed(f"Cannot write the plaintext: {exc.strerror or exc}", "io") from None
        try:
            os.replace(temp, dst)
        except OSError as exc:
            raise DecryptionFailed(f"Cannot move the plaintext into place: {exc.strerror or exc}", "io") from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    _fsync_directory(dst.parent)
    return writer.sha256.hexdigest(), writer.size


def _classify(exc: Exception, reader: _RecordingReader, writer: _HashingWriter) -> DecryptionFailed:
    if writer.error is not None:
        error = writer.error
        return DecryptionFailed(f"Cannot write the plaintext: {getattr(error, 'strerror', None) or error}", "io")
    if reader.error is not None:
        error = reader.error
        return DecryptionFailed(f"Cannot read the bid file: {getattr(error, 'strerror', None) or error}", "io")
    message = str(exc)
    if isinstance(exc, pyrage.DecryptError):
        if "No matching keys" in message:
            return DecryptionFailed(
                "Not encrypted to this tender's key (no matching X25519 stanza), or the header is damaged.",
                "wrong-key",
            )
        if "MAC" in message:
            return DecryptionFailed("The age header was altered (header MAC does not verify).", "corrupt")
        return DecryptionFailed(f"Not a valid age file ({message}).", "corrupt")
    # pyrage raises a plain OSError("decryption error") when a payload chunk fails authentication.
    return DecryptionFailed("The ciphertext is truncated or altered (payload authentication failed).", "corrupt")


def decrypt_file_in_worker(src: Path, dst: Path, identity: str) -> tuple[str, int]:
    """Entry point for a ProcessPoolExecutor worker (module-level, so it pickles)."""
    return decrypt_file(src, dst, identity)


def open_files_in_workers(
    jobs: Iterable[tuple[Path, Path]], identity: str, max_workers: int = 2
) -> list[tuple[Path, tuple[str, int] | DecryptionFailed]]:
    """Decrypt each (src, dst) in a pool of `max_workers` processes (spawned, so safe to call from a threaded
    server). Returns, in job order, (src, (sha256 hex, size)) or (src, DecryptionFailed); never raises for a job."""
    jobs = [(Path(src), Path(dst)) for src, dst in jobs]
    if not jobs:
        return []
    context = multiprocessing.get_context("spawn")
    results: list[tuple[Path, tuple[str, int] | DecryptionFailed]] = []
    with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, max_workers), mp_context=context) as pool:
        futures = [pool.submit(decrypt_file_in_worker, src, dst, identity) for src, dst in jobs]
        for (src, _dst), future in zip(jobs, futures, strict=True):
            try:
                results.append((src, future.result()))
            except DecryptionFailed as exc:
                results.append((src, exc))
            except Exception as exc:  # A crashed worker (BrokenProcessPool, MemoryError...) is not the bid's fault.
                results.append((src, DecryptionFailed(f"The decryption worker failed: {exc!r}", "io")))
    return results
