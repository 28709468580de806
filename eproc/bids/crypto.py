"""Tender keys and sealed-bid files (DESIGN.md section 5).

One age X25519 identity per sealed box and envelope, derived from a 16-byte seed with HKDF-SHA256. The seed is
split k-of-n with Shamir's scheme (pycryptodome, GF(2^128)); the server keeps only the recipient, k and a SHA-256
of each share, and forgets the seed. At the opening, k shares give the seed back, the seed gives the identity back,
and the identity opens the bids: with the `age` CLI where it is installed, else with pyrage in worker processes.

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
import shutil
import subprocess
import tempfile
import time
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


# The `age` CLI (Go, assembly ChaCha20-Poly1305) decrypts about twice as fast as pyrage.decrypt_io, which calls back
# into Python every 8 KiB (benchmarks/README.md, "Opening"). When the binary is installed it does the decrypting;
# pyrage remains the engine where it is not, and both give the same results and the same DecryptionFailed kinds.
AGE_BINARY = shutil.which("age")
_READ_BLOCK = 1024 * 1024
_FOLLOW_PAUSE_SECONDS = 0.002  # between looks at a plaintext the CLI is still writing
_ERRORS_LIMIT = 64 * 1024


def decrypt_file(src: Path, dst: Path, identity: str, *, age_binary: str | None = AGE_BINARY) -> tuple[str, int]:
    """Decrypt the age file `src` into `dst`, streaming (memory stays flat whatever the size). Plaintext goes to a
    uniquely named temporary file next to `dst`, is hashed, fsynced, and renamed to `dst` only when decryption
    completed and authenticated. On any failure the temporary file is removed, `dst` is not created, and
    DecryptionFailed says why. `age_binary` is the `age` CLI to decrypt with, None for pyrage. Returns (plaintext
    SHA-256 hex, plaintext size)."""
    return _move_into_place(_decrypt_to_temporary(Path(src), Path(dst), identity, age_binary))


@dataclass(frozen=True)
class _Decrypted:
    temp: Path
    dst: Path
    sha256: str
    size: int


def _decrypt_to_temporary(src: Path, dst: Path, identity: str, age_binary: str | None) -> _Decrypted:
    """First half of decrypt_file: the authenticated plaintext in a temporary file next to `dst`, hashed, its
    write-back to disk started but not waited for."""
    try:
        key = pyrage.x25519.Identity.from_str(identity)
    except Exception:
        raise DecryptionFailed("The tender identity is malformed.", "wrong-key") from None
    descriptor, temp = _temporary_next_to(dst)
    try:
        with os.fdopen(descriptor, "w+b") as sink:
            try:
                source = open(src, "rb")  # noqa: SIM115 (a with-block here would mix up whose error it is)
            except OSError as exc:
                raise DecryptionFailed(f"Cannot read the bid file: {exc.strerror or exc}", "io") from None
            with source:
                if age_binary:
                    digest, size = _decrypt_with_age_cli(age_binary, source, sink, identity)
                else:
                    digest, size = _decrypt_with_pyrage(source, sink, key)
            try:
                sink.flush()
            except OSError as exc:
                raise DecryptionFailed(f"Cannot write the plaintext: {exc.strerror or exc}", "io") from None
            # DONTNEED starts writing the dirty pages back without waiting (Linux), and drops the plaintext from
            # the page cache once on disk: the fsync in _move_into_place then has little left to wait for.
            with contextlib.suppress(OSError, AttributeError):
                os.posix_fadvise(sink.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    except BaseException:
        _discard(temp)
        raise
    return _Decrypted(temp, dst, digest, size)


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


def _discard(temp: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()


def _temporary_next_to(dst: Path) -> tuple[int, Path]:
    try:
        descriptor, temp_name = tempfile.mkstemp(dir=dst.parent, prefix=f".{dst.name}.", suffix=".part")
    except OSError as exc:
        raise DecryptionFailed(f"Cannot create a temporary file next to the destination: {exc}", "io") from None
    return descriptor, Path(temp_name)


def _decrypt_with_pyrage(source, sink, key) -> tuple[str, int]:
    reader, writer = _RecordingReader(source), _HashingWriter(sink)
    try:
        pyrage.decrypt_io(reader, writer, [key])
    except Exception as exc:
        raise _classify_pyrage(exc, reader, writer) from None
    return writer.sha256.hexdigest(), writer.size


def _decrypt_with_age_cli(age_binary: str, source, sink, identity: str) -> tuple[str, int]:
    """`age --decrypt` from the open source file to the open sink; returns the plaintext's SHA-256 and size. The
    identity goes through a pipe the child inherits (/dev/fd/N): it is never written to disk nor shown in the
    process list. While the child writes, this thread hashes what it has written so far and starts its write-back
    (_Follower), so hashing and the disk keep pace with the decryption instead of following it."""
    identity_out, identity_in = os.pipe()
    # Errors go to a file, not a pipe: a pipe nobody reads while the child runs could fill and stop it.
    with tempfile.TemporaryFile() as errors:
        try:
            try:
                child = subprocess.Popen(  # noqa: S603 (fixed argv; the binary is the configured age CLI)
                    [age_binary, "--decrypt", "--identity", f"/dev/fd/{identity_out}"],
                    stdin=source,
                    stdout=sink,
                    stderr=errors,
                    pass_fds=(identity_out,),
                )
            except OSError as exc:
                raise DecryptionFailed(f"Cannot run the age CLI ({age_binary}): {exc.strerror or exc}", "io") from None
            os.close(identity_out)
            identity_out = -1
            # One short line: far below the pipe's buffer, so this never waits for the child. A child that died at
            # once closed the pipe: its exit status says why.
            with contextlib.suppress(BrokenPipeError):
                os.write(identity_in, identity.encode("ascii") + b"\n")
            os.close(identity_in)
            identity_in = -1
            follower = _Follower(sink.fileno())
            try:
                while child.poll() is None:
                    if not follower.catch_up():
                        time.sleep(_FOLLOW_PAUSE_SECONDS)
            except BaseException:  # the plaintext cannot be hashed: stop the child, its output is thrown away
                child.kill()
                child.wait()
                raise
        finally:
            for descriptor in (identity_out, identity_in):
                if descriptor >= 0:
                    os.close(descriptor)
        if child.returncode != 0:
            errors.seek(0)
            raise _classify_age_cli(child.returncode, errors.read(_ERRORS_LIMIT).decode("utf-8", "replace"))
    follower.catch_up()  # what was written after the last look
    return follower.sha256.hexdigest(), follower.size


class _Follower:
    """Reads a file another process is appending to, from the page cache, 1 MiB at a time: hashes it and starts
    writing back what it has read (POSIX_FADV_DONTNEED starts write-back without waiting, on Linux). Only what the
    file's size already covers is read, and the writer only appends, so no read sees a half-written block."""

    def __init__(self, descriptor: int):
        self.descriptor = descriptor
        self.sha256 = hashlib.sha256()
        self.size = 0
        self._block = bytearray(_READ_BLOCK)
        self._view = memoryview(self._block)

    def catch_up(self) -> bool:
        """Hash what was written since the last call; False when there was nothing new."""
        start = self.size
        try:
            end = os.fstat(self.descriptor).st_size  # what the file's size covers now, and no further
            while self.size < end:
                wanted = min(_READ_BLOCK, end - self.size)
                count = os.preadv(self.descriptor, [self._view[:wanted]], self.size)
                if not count:
                    break
                self.sha256.update(self._view[:count])
                self.size += count
            if self.size > start:
                with contextlib.suppress(OSError, AttributeError):
                    os.posix_fadvise(self.descriptor, start, self.size - start, os.POSIX_FADV_DONTNEED)
        except OSError as exc:
            raise DecryptionFailed(f"Cannot read back the plaintext: {exc.strerror or exc}", "io") from None
        return self.size > start


def _classify_age_cli(returncode: int, errors: str) -> DecryptionFailed:
    # Messages of age 1.x (cmd/age): "no identity matched any of the recipients", "bad header MAC", "failed to
    # read header: ...", "failed to decrypt and authenticate payload chunk", "unexpected EOF", and for the
    # server's own trouble "write /dev/stdout: <errno text>" or "read /dev/stdin: <errno text>".
    message = " ".join(
        line.removeprefix("age: error: ")
        for line in errors.splitlines()
        if line.strip() and not line.startswith("age: report")
    )
    if returncode < 0:
        return DecryptionFailed(f"The age CLI was stopped by signal {-returncode}.", "io")
    if "write /dev/stdout" in message:
        return DecryptionFailed(f"Cannot write the plaintext: {message.split(': ', 1)[-1]}", "io")
    if "read /dev/stdin" in message:
        return DecryptionFailed(f"Cannot read the bid file: {message.split(': ', 1)[-1]}", "io")
    if "no identity matched" in message:
        return _wrong_key_failure()
    if "header MAC" in message:
        return _header_altered_failure()
    if "header" in message:
        return DecryptionFailed(f"Not a valid age file ({message}).", "corrupt")
    if "payload" in message or "EOF" in message:
        return _payload_altered_failure()
    return DecryptionFailed(f"The age CLI failed ({message or f'exit status {returncode}'}).", "io")


def _wrong_key_failure() -> DecryptionFailed:  # One message, whichever engine decrypted.
    return DecryptionFailed(
        "Not encrypted to this tender's key (no matching X25519 stanza), or the header is damaged.", "wrong-key"
    )


def _header_altered_failure() -> DecryptionFailed:
    return DecryptionFailed("The age header was altered (header MAC does not verify).", "corrupt")


def _payload_altered_failure() -> DecryptionFailed:
    return DecryptionFailed("The ciphertext is truncated or altered (payload authentication failed).", "corrupt")


def _classify_pyrage(exc: Exception, reader: _RecordingReader, writer: _HashingWriter) -> DecryptionFailed:
    if writer.error is not None:
        error = writer.error
        return DecryptionFailed(f"Cannot write the plaintext: {getattr(error, 'strerror', None) or error}", "io")
    if reader.error is not None:
        error = reader.error
        return DecryptionFailed(f"Cannot read the bid file: {getattr(error, 'strerror', None) or error}", "io")
    message = str(exc)
    if isinstance(exc, pyrage.DecryptError):
        if "No matching keys" in message:
            return _wrong_key_failure()
        if "MAC" in message:
            return _header_altered_failure()
        return DecryptionFailed(f"Not a valid age file ({message}).", "corrupt")
    # pyrage raises a plain OSError("decryption error") when a payload chunk fails authentication.
    return _payload_altered_failure()


def decrypt_file_in_worker(src: Path, dst: Path, identity: str, age_binary: str | None) -> tuple[str, int]:
    """Entry point for a ProcessPoolExecutor worker (module-level, so it pickles)."""
    return decrypt_file(src, dst, identity, age_binary=age_binary)


def open_files_in_workers(
    jobs: Iterable[tuple[Path, Path]], identity: str, max_workers: int = 2, *, age_binary: str | None = AGE_BINARY
) -> list[tuple[Path, tuple[str, int] | DecryptionFailed]]:
    """Decrypt each (src, dst), `max_workers` at a time. Returns, in job order, (src, (sha256 hex, size)) or
    (src, DecryptionFailed); never raises for a job.

    With the age CLI, each of `max_workers` threads drives one `age` process and hashes what it writes as it writes
    it (hashlib lets go of the GIL), then hands the file to another thread to fsync and rename: a decrypting thread
    never sits waiting for the disk while its core could decrypt the next bid. With pyrage, which holds the GIL while it
    decrypts, whole decrypt_file calls run in spawned worker processes (spawned: safe from a threaded server)."""
    jobs = [(Path(src), Path(dst)) for src, dst in jobs]
    if not jobs:
        return []
    if not age_binary:
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, max_workers), mp_context=context) as pool:
            futures = [pool.submit(decrypt_file_in_worker, src, dst, identity, None) for src, dst in jobs]
            return [(src, _outcome(future.result)) for (src, _dst), future in zip(jobs, futures, strict=True)]
    with (
        concurrent.futures.ThreadPoolExecutor(max_workers=max(1, max_workers)) as decrypting,
        concurrent.futures.ThreadPoolExecutor(max_workers=max(1, max_workers)) as placing,
    ):

        def decrypt_then_hand_over(src: Path, dst: Path) -> concurrent.futures.Future:
            return placing.submit(_move_into_place, _decrypt_to_temporary(src, dst, identity, age_binary))

        handed_over = [decrypting.submit(decrypt_then_hand_over, src, dst) for src, dst in jobs]
        return [
            (src, _outcome(lambda future=future: future.result().result()))
            for (src, _dst), future in zip(jobs, handed_over, strict=True)
        ]


def _outcome(result) -> tuple[str, int] | DecryptionFailed:
    try:
        return result()
    except DecryptionFailed as exc:
        return exc
    except Exception as exc:  # A crashed worker (BrokenProcessPool, MemoryError...) is not the bid's fault.
        return DecryptionFailed(f"The decryption worker failed: {exc!r}", "io")
