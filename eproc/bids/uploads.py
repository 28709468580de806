"""The bytes of a sealed bid on their way in: chunks as they arrive, then the whole file under its SHA-256 (DESIGN 5).

At the deadline these bytes are the server's hot path (issue 10: 300 vendors x 20 MB in the last minute on two
cores), so each byte is written once. A bid being uploaded is one file, `bids/partial/<envelope>.part`; each chunk is
written into it at its offset, and the completed file is hashed in place, flushed to disk and renamed to
`bids/sealed/<sha[:2]>/<sha>.age`, so a bid is never copied. The earlier design spooled each chunk to a temporary
file, copied it into a chunk file, concatenated the chunks into another temporary file and copied that into the
store: four writes of every byte, which held the server to about a third of the disk's speed
(benchmarks/README.md). The chunks' whole blocks are written, and the completed file hashed, past the page cache
(write_chunk).

Sealed bids therefore live on a storage with filesystem paths (the opening reads them by path too, and decrypts
them in threads: crypto.open_files_in_workers); other documents may go to object storage.

Chunks are written before their database transaction, never inside it: the body comes from the network, and a slow
line must not hold a row lock (or, on SQLite, the database's only write lock) while it trickles in
(services.receive_chunk). So two requests for the same envelope can write at once: the client's retry of a chunk
whose answer it lost, say. They carry the same bytes for the same offsets (the commitment fixes them), and whatever
lands in the file is checked against the committed SHA-256 at completion, so a wrong byte can only cost its own
vendor a refused upload. What must not happen is a late write into a bid already sealed, since the rename keeps the
file: each block is written under an exclusive lock on the file after checking that the file is still the upload
(not renamed or deleted), and sealing holds that lock from the hash to the rename.
"""

import errno
import fcntl
import hashlib
import mmap
import os
import threading
from contextlib import contextmanager, suppress

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy

from eproc.files import fsync_directory

from . import crypto

BLOCK_BYTES = 1024 * 1024


RESTARTED = gettext_lazy("This upload was completed or restarted meanwhile; ask for its state and resume.")


class BytesMismatch(Exception):
    """The uploaded bytes are not the committed SHA-256 and size."""


class Restarted(ValidationError):
    """The upload file was sealed (renamed) or thrown away since this request opened it: another request of the same
    client completed the bid, or its bytes were refused and the upload begun again. The client asks where the
    upload stands and carries on (services.receive_chunk answers where)."""

    def __init__(self):
        super().__init__(RESTARTED)


def sealed_name(sha256: str) -> str:
    return f"bids/sealed/{sha256[:2]}/{sha256}.age"


def _partial_name(envelope) -> str:
    return f"bids/partial/{envelope.public_id}.part"


def _read_up_to(stream, length: int):
    """The blocks of the next `length` bytes of `stream`, or of fewer where the body ends early (the connection was
    cut: the bytes that did arrive are kept, and the client resumes after them)."""
    remaining = length
    while remaining:
        try:
            block = stream.read(min(remaining, BLOCK_BYTES))
        except OSError:  # the connection was reset rather than closed (Django raises UnreadablePostError, an OSError)
            return
        if not block:
            return
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
            raise Restarted
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)


def write_chunk(envelope, offset: int, stream, length: int, *, storage=None) -> int:
    """Write the next `length` bytes of `stream` as the envelope's bytes from `offset` on, and say how many were
    written: fewer when the body ended early. A chunk cut off by a dropped connection still counts for the bytes that
    came (services.receive_chunk), so a vendor on a poor line loses none of what reached the server.

    Whole blocks bypass the page cache (O_DIRECT) where the filesystem allows it: nothing reads them before the
    completion's hash, and copying every byte into newly allocated cache pages was the largest single cost of a
    chunk on the benchmark's virtual machine, whose host hands the guest memory back lazily (benchmarks/README.md).
    What cannot go direct (a start or an end off a block boundary, or a filesystem that refuses O_DIRECT) is
    written through the cache. Local filesystems keep the two views of a file coherent (a direct write first
    flushes and drops the cached pages of its range), and every write and the completion's hash run one at a time
    under the upload's lock. Network filesystems may differ: sealed bids belong on a local disk (README, deploying).
    The bytes are durable once seal() has fsynced the file, as before."""
    storage = storage or default_storage
    path = storage.path(_partial_name(envelope))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # Only the first chunk creates the file: a chunk further on whose upload was sealed or thrown away meanwhile
    # finds nothing to write into, rather than leaving a stray file behind.
    try:
        handle = os.open(path, os.O_WRONLY | (os.O_CREAT if offset == 0 else 0), 0o600)
    except FileNotFoundError:
        raise Restarted from None
    writer = _ChunkWriter(handle, path, offset)
    try:
        writer.direct = _open_direct_twin(handle, path, os.O_WRONLY)
        lead = min(length, -offset % _DIRECT_ALIGNMENT)
        if lead:  # up to the next block boundary, through the cache
            head = b"".join(_read_up_to(stream, lead))
            writer.write_cached(head)
            if len(head) < lead:
                return len(head)
        buffer = _aligned_buffer()
        filled = 0
        for block in _read_up_to(stream, length - lead):
            block = memoryview(block)
            while block:
                taken = min(len(block), len(buffer) - filled)
                buffer[filled : filled + taken] = block[:taken]
                filled, block = filled + taken, block[taken:]
                if filled == len(buffer):
                    writer.write(buffer, filled)
                    filled = 0
        if filled:
            writer.write(buffer, filled)
    finally:
        writer.close()
    return writer.position - offset


# O_DIRECT wants the file offset, the length and the memory address aligned to the device's logical block size;
# 4 KiB covers every disk in use (512-byte and 4 KiB sectors), and a page-aligned buffer is aligned to it.
_DIRECT_ALIGNMENT = 4096
assert BLOCK_BYTES % _DIRECT_ALIGNMENT == 0
_thread_buffers = threading.local()


def _aligned_buffer() -> memoryview:
    """This thread's page-aligned block buffer, kept for its next chunk (anonymous mmap memory is page-aligned)."""
    buffer = getattr(_thread_buffers, "block", None)
    if buffer is None:
        private = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS  # not shared with a process forked later
        buffer = _thread_buffers.block = memoryview(mmap.mmap(-1, BLOCK_BYTES, flags=private))
    return buffer


def _open_direct_twin(handle: int, path: str, flags: int) -> int | None:
    """A second descriptor on the file open as `handle` that bypasses the page cache, or None where the filesystem
    refuses one (or the path names another file by now: the upload was sealed and begun again in between)."""
    if not hasattr(os, "O_DIRECT"):
        return None
    try:
        direct = os.open(path, flags | os.O_DIRECT)
    except OSError:  # any: EINVAL where there is no O_DIRECT (tmpfs before Linux 6.6, some network filesystems)
        return None
    opened, wanted = os.fstat(direct), os.fstat(handle)
    if (opened.st_dev, opened.st_ino) != (wanted.st_dev, wanted.st_ino):
        os.close(direct)
        return None
    return direct


class _ChunkWriter:
    """Writes consecutive pieces of one chunk, each under the upload's lock (_upload_lock)."""

    def __init__(self, handle: int, path: str, position: int):
        self.handle, self.path, self.position = handle, path, position
        self.direct: int | None = None

    def write(self, buffer: memoryview, length: int) -> None:
        """Write buffer[:length]: its whole blocks directly when possible, the rest through the cache."""
        whole = length - length % _DIRECT_ALIGNMENT if self.direct is not None else 0
        if whole:
            try:
                self._write_all(self.direct, buffer[:whole])
            except OSError as error:
                if error.errno != errno.EINVAL:
                    raise
                # The filesystem opened the descriptor but refuses direct writes: go through the cache from now on.
                os.close(self.direct)
                self.direct, whole = None, 0
        if whole < length:
            self.write_cached(buffer[whole:length])

    def close(self) -> None:
        try:
            if self.direct is not None:
                os.close(self.direct)
        finally:
            os.close(self.handle)

    def write_cached(self, data) -> None:
        self._write_all(self.handle, memoryview(data))

    def _write_all(self, descriptor: int, view: memoryview) -> None:
        with _upload_lock(self.handle, self.path):
            position = self.position
            while view:
                written = os.pwrite(descriptor, view, position)
                if not written:
                    raise OSError(errno.EIO, "The file system wrote nothing.")
                position += written
                view = view[written:]
        self.position = position


def _digest_and_check(handle, path: str) -> str:
    """The SHA-256 of the open file, which must be an age file for an X25519 key.

    Read past the page cache where the filesystem allows it, like the chunks were written (write_chunk): the bid is
    read next at its opening, days later, and filling the cache with it now costs what the chunks just saved."""
    digest = None
    direct = _open_direct_twin(handle.fileno(), path, os.O_RDONLY)
    if direct is not None:
        try:
            digest = _direct_digest(direct)
        except OSError as error:
            if error.errno != errno.EINVAL:
                raise
        finally:
            os.close(direct)
    if digest is None:
        digest = hashlib.sha256()
        handle.seek(0)
        for block in iter(lambda: handle.read(BLOCK_BYTES), b""):
            digest.update(block)
    handle.seek(0)
    crypto.check_age_header(handle)
    return digest.hexdigest()


def _direct_digest(direct: int):
    """SHA-256 of the file open as `direct` (O_DIRECT), read block by block into this thread's aligned buffer."""
    digest, buffer = hashlib.sha256(), _aligned_buffer()
    size, position = os.fstat(direct).st_size, 0
    while position < size:
        read = os.preadv(direct, [buffer], position)
        if not read:
            raise OSError(errno.EIO, "The file ended before its size.")
        digest.update(buffer[:read])
        position += read
        if position < size and position % _DIRECT_ALIGNMENT:  # a short read off a block boundary: cannot go on
            raise OSError(errno.EINVAL, "A direct read stopped off a block boundary.")
    return digest


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
            if _digest_and_check(handle, path) != sha256:
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
