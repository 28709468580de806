"""The bytes of a sealed bid on their way in: chunks as they arrive, then the whole file under its SHA-256 (DESIGN 5).

At the deadline these bytes are the server's hot path (issue 10: 300 vendors x 20 MB in the last minute on two
cores), so each byte is written once. A bid being uploaded is one file, `bids/partial/<envelope>.part`; each chunk is
written into it at its offset, and the completed file is hashed in place, flushed to disk and renamed to
`bids/sealed/<sha[:2]>/<sha>.age`, so a bid is never copied. The earlier design spooled each chunk to a temporary
file, copied it into a chunk file, concatenated the chunks into another temporary file and copied that into the
store: four writes of every byte, which held the server to about a third of the disk's speed
(benchmarks/README.md).

Sealed bids therefore live on a storage with filesystem paths (the opening reads them by path too, to stream them
through age in worker processes); other documents may go to object storage.

Chunks are written before their database transaction, never inside it: the body comes from the network, and a slow
line must not hold a row lock (or, on SQLite, the database's only write lock) while it trickles in
(services.receive_chunk). So two requests for the same envelope can write at once: the client's retry of a chunk
whose answer it lost, say. They carry the same bytes for the same offsets (the commitment fixes them), and whatever
lands in the file is checked against the committed SHA-256 at completion, so a wrong byte can only cost its own
vendor a refused upload. What must not happen is a late write into a bid already sealed, since the rename keeps the
file: each block is written under an exclusive lock on the file after checking that the file is still the upload
(not renamed or deleted), and sealing holds that lock from the hash to the rename.
"""

import fcntl
import hashlib
import os
from contextlib import contextmanager, suppress

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eproc.files import fsync_directory

from . import crypto

BLOCK_BYTES = 1024 * 1024


RESTARTED = gettext_lazy("This upload was completed or restarted meanwhile; ask for its state and resume.")


class BytesMismatch(Exception):
    """The uploaded bytes are not the committed SHA-256 and size."""


def sealed_name(sha256: str) -> str:
    return f"bids/sealed/{sha256[:2]}/{sha256}.age"


def _partial_name(envelope) -> str:
    return f"bids/partial/{envelope.public_id}.part"


def _read_exactly(stream, length: int):
    """The blocks of the next `length` bytes of `stream`; a body that ends early is refused."""
    remaining = length
    while remaining:
        block = stream.read(min(remaining, BLOCK_BYTES))
        if not block:
            raise ValidationError(_("The chunk ended early; send it again."))
        remaining -= len(block)
        yield block


@contextmanager
def _upload_lock(handle: int, path: str):
    """Hold the upload file's lock, and refuse if the path no longer names this file: it was sealed (renamed) or
    discarded since it was opened."""
    fcntl.flock(handle, fcntl.LOCK_EX)
    try:
        try:
            current = os.stat(path).st_ino
        except FileNotFoundError:
            current = None
        if current != os.fstat(handle).st_ino:
            raise ValidationError(RESTARTED)
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)


def write_chunk(envelope, offset: int, stream, length: int, *, storage=None) -> None:
    """Write the next `length` bytes of `stream` as the envelope's bytes from `offset` on."""
    storage = storage or default_storage
    path = storage.path(_partial_name(envelope))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # Only the first chunk creates the file: a chunk further on whose upload was sealed or thrown away meanwhile
    # finds nothing to write into, rather than leaving a stray file behind.
    try:
        handle = os.open(path, os.O_WRONLY | (os.O_CREAT if offset == 0 else 0), 0o600)
    except FileNotFoundError:
        raise ValidationError(RESTARTED) from None
    try:
        position = offset
        for block in _read_exactly(stream, length):
            view = memoryview(block)
            with _upload_lock(handle, path):
                while view:
                    written = os.pwrite(handle, view, position)
                    position += written
                    view = view[written:]
    finally:
        os.close(handle)


def _digest_and_check(handle) -> str:
    """The SHA-256 of the open file, which must be an age file for an X25519 key."""
    digest = hashlib.sha256()
    handle.seek(0)
    for block in iter(lambda: handle.read(BLOCK_BYTES), b""):
        digest.update(block)
    handle.seek(0)
    crypto.check_age_header(handle)
    return digest.hexdigest()


def seal(envelope, *, storage=None) -> str:
    """Check the uploaded bytes against the envelope's commitment and keep them under their SHA-256; return the
    stored name. Raises BytesMismatch, or crypto.AgeHeaderError for bytes that are not a bid sealed with age.

    A crash after the rename but before the completion was recorded leaves the bid stored and the upload gone: the
    client's retry then finds the bytes under their name, with the right size, and the completion goes ahead."""
    storage = storage or default_storage
    sha256, size = envelope.ciphertext_sha256, envelope.ciphertext_size
    name = sealed_name(sha256)
    path = storage.path(_partial_name(envelope))
    try:
        handle = open(path, "r+b")  # noqa: SIM115 - closed below, after the lock is released
    except FileNotFoundError:
        if storage.exists(name) and storage.size(name) == size:
            return name
        raise BytesMismatch from None
    try:
        with _upload_lock(handle.fileno(), path):
            # No chunk reaches past the committed size, so the hash covers exactly the bid; a file cut short (bytes
            # lost in a power cut before they reached the disk) hashes differently and is refused.
            if _digest_and_check(handle) != sha256:
                raise BytesMismatch
            os.fsync(handle.fileno())
            final_path = storage.path(name)
            directory = os.path.dirname(final_path)
            os.makedirs(directory, exist_ok=True)
            os.chmod(path, 0o644)
            # A file already under the name with the right size is the same content (the name is its SHA-256); one
            # with another size is the remainder of an interrupted write by an earlier version, and is replaced.
            if os.path.exists(final_path) and os.path.getsize(final_path) == size:
                os.unlink(path)
            else:
                os.replace(path, final_path)
                fsync_directory(directory)  # the rename itself survives a power cut
    finally:
        handle.close()
    return name


def discard(envelope, *, storage=None) -> None:
    """Throw away what was uploaded for the envelope (after its completion, a refusal or its replacement)."""
    storage = storage or default_storage
    with suppress(FileNotFoundError):
        os.unlink(storage.path(_partial_name(envelope)))
    directory = f"bids/partial/{envelope.public_id}"
    if storage.exists(directory):  # the chunk files of an upload begun before the single upload file
        for name in storage.listdir(directory)[1]:
            storage.delete(f"{directory}/{name}")
        storage.delete(directory)
