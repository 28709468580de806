"""The bytes of a bid on their way in (eproc/bids/uploads.py): written once into one upload file, renamed into the
store when they match the commitment, and never changed afterwards by a late duplicate of a chunk (DESIGN 5; issue
10, the deadline surge)."""

import errno
import fcntl
import hashlib
import io
import os
import socket
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from eproc.audit.models import AuditEvent
from eproc.bids import services, uploads
from eproc.bids.models import Envelope, LogEntry

from .conftest import commit, seal, send, upload

pytestmark = pytest.mark.django_db


def _put(client, envelope_id, offset, data):
    return client.put(
        reverse("bids:api_chunk", args=[envelope_id, offset]), data, content_type="application/octet-stream"
    )


def _committed(client, make_box, bidder, size=5000):
    """A box, the bidder signed in, a sealed bid of `size` random bytes and its commitment's envelope id."""
    box = make_box()
    client.force_login(bidder)
    sealed = seal(box, os.urandom(size))
    return box, sealed, commit(client, box, sealed).json()["envelope"]


def _upload_file(settings, envelope_id) -> Path:
    return Path(settings.MEDIA_ROOT) / "bids" / "partial" / f"{envelope_id}.part"


def _stored(settings, envelope_id) -> bytes:
    """The bytes stored for a completed bid (its last chunk completed it)."""
    return (Path(settings.MEDIA_ROOT) / Envelope.objects.get(public_id=envelope_id).storage_name).read_bytes()


def test_chunks_go_into_one_upload_file_which_is_renamed_into_the_store_not_copied(client, make_box, bidder, settings):
    box, sealed, envelope_id = _committed(client, make_box, bidder, 30_000)
    last = len(sealed) - 7000
    for offset in range(0, last, 7000):
        assert _put(client, envelope_id, offset, sealed[offset : min(offset + 7000, last)]).status_code == 200
    upload_file = _upload_file(settings, envelope_id)
    assert upload_file.read_bytes() == sealed[:last]
    inode = upload_file.stat().st_ino

    response = _put(client, envelope_id, last, sealed[last:])  # the last chunk completes the bid

    assert response.status_code == 200, response.json()
    assert response.json()["complete"] is True
    stored = Path(settings.MEDIA_ROOT) / Envelope.objects.get(public_id=envelope_id).storage_name
    assert stored.read_bytes() == sealed
    assert stored.stat().st_ino == inode  # the same file on disk: the bid was renamed, never copied
    assert not upload_file.exists()


class _Stream:
    """A request body whose first read lets something else happen first: what a second request would do while
    this one waits for its bytes."""

    def __init__(self, data: bytes, meanwhile):
        self.body = io.BytesIO(data)
        self.meanwhile = meanwhile

    def read(self, size):
        if self.meanwhile:
            self.meanwhile()
            self.meanwhile = None
        return self.body.read(size)


def test_a_late_duplicate_of_a_chunk_cannot_change_a_bid_sealed_meanwhile(client, make_box, bidder, settings):
    """The client's retry of the last chunk (its first attempt's answer was lost) is still arriving when the first
    attempt is acknowledged and the bid completed: the retry must not write into the sealed file, which the rename
    kept as the same file on disk."""
    box, sealed, envelope_id = _committed(client, make_box, bidder, 20_000)
    assert _put(client, envelope_id, 0, sealed[:10_000]).status_code == 200
    envelope = Envelope.objects.get(public_id=envelope_id)

    def first_attempt_then_completion():
        assert _put(client, envelope_id, 10_000, sealed[10_000:]).status_code == 200
        assert client.post(reverse("bids:api_complete", args=[envelope_id])).status_code == 200

    with pytest.raises(services.ChunkOutOfPlace) as answer:
        services.receive_chunk(
            actor=bidder,
            envelope=envelope,
            offset=10_000,
            stream=_Stream(b"\0" * 10_000, first_attempt_then_completion),
            length=10_000,
        )

    assert answer.value.received_size == len(sealed)  # 409: the upload stands at its end; the bid is complete
    envelope.refresh_from_db()
    stored = Path(settings.MEDIA_ROOT) / envelope.storage_name
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == envelope.ciphertext_sha256
    assert not _upload_file(settings, envelope_id).exists()


def test_a_late_chunk_for_an_upload_that_is_gone_is_refused_and_leaves_no_file(client, make_box, bidder, settings):
    box, sealed, envelope_id = _committed(client, make_box, bidder, 5000)
    assert upload(client, envelope_id, sealed).status_code == 200
    envelope = Envelope.objects.get(public_id=envelope_id)

    with pytest.raises(ValidationError, match="ask for its state|tanyakan keadaannya"):
        uploads.write_chunk(envelope, 1000, io.BytesIO(sealed[1000:2000]), 1000)

    assert not _upload_file(settings, envelope_id).exists()


def test_a_replaced_bid_leaves_no_upload_file_behind(
    client, make_box, bidder, settings, django_capture_on_commit_callbacks
):
    box, first, first_id = _committed(client, make_box, bidder)
    assert _put(client, first_id, 0, first[:2000]).status_code == 200
    assert _upload_file(settings, first_id).exists()

    with django_capture_on_commit_callbacks(execute=True):
        second_id = commit(client, box, seal(box, os.urandom(5000))).json()["envelope"]

    assert second_id != first_id
    assert not _upload_file(settings, first_id).exists()


def test_bytes_refused_for_not_matching_leave_no_upload_file_behind(client, make_box, bidder, settings):
    box, sealed, envelope_id = _committed(client, make_box, bidder, 5000)
    flipped = bytearray(sealed)
    flipped[100] ^= 0x01

    assert upload(client, envelope_id, bytes(flipped)).status_code == 400

    assert not _upload_file(settings, envelope_id).exists()
    assert not list((Path(settings.MEDIA_ROOT) / "bids" / "sealed").rglob("*.age"))


def _bypasses_the_page_cache(descriptor: int) -> bool:
    return bool(fcntl.fcntl(descriptor, fcntl.F_GETFL) & os.O_DIRECT)


class _WriteLog:
    """Records, for every pwrite, whether its descriptor bypasses the page cache, then makes the real call: the
    bytes still go to the real file, which the tests read back."""

    def __init__(self, monkeypatch):
        self.writes = []
        real_pwrite = os.pwrite

        def pwrite(descriptor, data, position):
            direct = _bypasses_the_page_cache(descriptor)
            written = real_pwrite(descriptor, data, position)
            self.writes.append((position, written, direct))
            return written

        monkeypatch.setattr(os, "pwrite", pwrite)

    def direct(self):
        return [(position, length) for position, length, direct in self.writes if direct]

    def cached(self):
        return [(position, length) for position, length, direct in self.writes if not direct]


def test_whole_blocks_of_a_chunk_bypass_the_page_cache_and_only_the_ragged_ends_go_through_it(
    client, make_box, bidder, settings, monkeypatch
):
    # Issue 10: at the deadline, copying every byte into the page cache cost the server more CPU than anything else
    # it did for a chunk. Nothing reads the bytes again before the completion's hash, so whole 4 KiB blocks are
    # written with O_DIRECT from an aligned buffer; what is not on a block boundary goes through the cache.
    block = uploads.BLOCK_BYTES
    box, sealed, envelope_id = _committed(client, make_box, bidder, 2 * block + 10_000)
    log = _WriteLog(monkeypatch)
    first = block + 5000  # ends inside a block: the next chunk starts off a boundary
    assert _put(client, envelope_id, 0, sealed[:first]).status_code == 200
    assert _put(client, envelope_id, first, sealed[first:]).status_code == 200

    # Whole aligned blocks went direct: all bytes but the ragged ends of each chunk, each end shorter than a block.
    assert all(position % 4096 == 0 and length % 4096 == 0 for position, length in log.direct())
    assert all(length < 4096 for position, length in log.cached())
    chunk_ends = {0, first, len(sealed)}
    assert all(position in chunk_ends or (position + length) in chunk_ends for position, length in log.cached())
    lead = -first % 4096  # the second chunk's bytes up to the next block boundary
    assert sum(length for _, length in log.direct()) == (first // 4096 + (len(sealed) - first - lead) // 4096) * 4096
    # Together the writes cover the bid once, in order.
    covered = sorted(log.direct() + log.cached())
    assert [position for position, _ in covered] == [0] + [p + n for p, n in covered[:-1]]
    assert sum(length for _, length in covered) == len(sealed)
    assert _stored(settings, envelope_id) == sealed


@pytest.mark.parametrize("chunk", [4096, 4097, 65_535, uploads.BLOCK_BYTES + 1, 3 * uploads.BLOCK_BYTES - 4096])
def test_a_bid_cut_into_chunks_of_any_size_is_stored_byte_for_byte(client, make_box, bidder, settings, chunk):
    box, sealed, envelope_id = _committed(client, make_box, bidder, 3 * uploads.BLOCK_BYTES + 777)

    response = upload(client, envelope_id, sealed, chunk=chunk)

    assert response.status_code == 200, response.json()
    stored = Path(settings.MEDIA_ROOT) / Envelope.objects.get(public_id=envelope_id).storage_name
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == hashlib.sha256(sealed).hexdigest()


def test_a_resent_chunk_over_bytes_still_in_the_page_cache_leaves_the_file_right(client, make_box, bidder, settings):
    # A chunk that ended off a block boundary left its last bytes in the page cache; the client, having lost the
    # answer, sends an overlapping chunk again, partly direct this time. The kernel keeps the two views coherent.
    box, sealed, envelope_id = _committed(client, make_box, bidder, 50_000)
    assert _put(client, envelope_id, 0, sealed[:6000]).status_code == 200
    envelope = Envelope.objects.get(public_id=envelope_id)

    uploads.write_chunk(envelope, 0, io.BytesIO(sealed[:20_000]), 20_000)  # the retry, written before its check
    assert _put(client, envelope_id, 6000, sealed[6000:]).status_code == 200

    assert _stored(settings, envelope_id) == sealed  # the last chunk completed the bid: its hash matched


def test_where_the_filesystem_refuses_direct_io_every_chunk_goes_through_the_page_cache(
    client, make_box, bidder, settings, monkeypatch
):
    # tmpfs before Linux 6.6 and some network filesystems refuse O_DIRECT, either when the file is opened or at
    # the first write (EINVAL). Both are simulated here, since this machine's filesystems accept it.
    box, sealed, envelope_id = _committed(client, make_box, bidder, 3 * 4096 * 5)
    log = _WriteLog(monkeypatch)
    real_open = os.open

    def open_refusing_direct(path, flags, *args):
        if flags & os.O_DIRECT:
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", open_refusing_direct)
    assert _put(client, envelope_id, 0, sealed[: 4096 * 5]).status_code == 200
    monkeypatch.setattr(os, "open", real_open)

    def pwrite_refusing_direct(descriptor, data, position, real=os.pwrite):
        if _bypasses_the_page_cache(descriptor):
            raise OSError(errno.EINVAL, "Invalid argument")
        return real(descriptor, data, position)

    monkeypatch.setattr(os, "pwrite", pwrite_refusing_direct)
    assert _put(client, envelope_id, 4096 * 5, sealed[4096 * 5 :]).status_code == 200

    assert log.direct() == []
    assert _stored(settings, envelope_id) == sealed


def test_a_direct_write_cut_short_and_then_refused_is_written_again_through_the_page_cache(
    client, make_box, bidder, settings, monkeypatch
):
    # A filesystem may take part of a direct write and refuse the rest: the piece is written again from its start
    # through the cache, so no byte is left out.
    box, sealed, envelope_id = _committed(client, make_box, bidder, 3 * uploads.BLOCK_BYTES)
    real_pwrite, calls = os.pwrite, []

    def pwrite_giving_up_after_one_block(descriptor, data, position):
        if _bypasses_the_page_cache(descriptor):
            calls.append(position)
            if len(calls) > 1:
                raise OSError(errno.EINVAL, "Invalid argument")
            return real_pwrite(descriptor, memoryview(data)[:4096], position)
        return real_pwrite(descriptor, data, position)

    monkeypatch.setattr(os, "pwrite", pwrite_giving_up_after_one_block)
    response = upload(client, envelope_id, sealed, chunk=2 * uploads.BLOCK_BYTES)

    assert calls[:2] == [0, 4096]  # one block went direct, then the file system refused
    assert response.status_code == 200, response.json()
    stored = Path(settings.MEDIA_ROOT) / Envelope.objects.get(public_id=envelope_id).storage_name
    assert stored.read_bytes() == sealed


def test_the_completed_bid_is_hashed_past_the_page_cache_or_through_it_where_direct_reads_are_refused(
    client, make_box, bidder, settings, monkeypatch
):
    real_preadv, direct_reads = os.preadv, []

    def preadv(descriptor, buffers, position):
        read = real_preadv(descriptor, buffers, position)
        direct_reads.append((position, read))
        return read

    monkeypatch.setattr(os, "preadv", preadv)
    box, sealed, envelope_id = _committed(client, make_box, bidder, uploads.BLOCK_BYTES + 5000)
    assert upload(client, envelope_id, sealed, chunk=len(sealed)).status_code == 200
    assert direct_reads == [(0, uploads.BLOCK_BYTES), (uploads.BLOCK_BYTES, len(sealed) - uploads.BLOCK_BYTES)]

    def preadv_refused(descriptor, buffers, position):
        raise OSError(errno.EINVAL, "Invalid argument")

    monkeypatch.setattr(os, "preadv", preadv_refused)
    sealed = seal(box, os.urandom(uploads.BLOCK_BYTES + 5000))  # a replacement, in the same box
    envelope_id = commit(client, box, sealed).json()["envelope"]
    response = upload(client, envelope_id, sealed, chunk=len(sealed))

    assert response.status_code == 200, response.json()
    stored = Path(settings.MEDIA_ROOT) / Envelope.objects.get(public_id=envelope_id).storage_name
    assert stored.read_bytes() == sealed


def test_a_chunk_whose_body_ends_early_counts_for_the_bytes_that_came_and_the_upload_resumes_after_them(
    client, make_box, bidder, settings
):
    # The vendor's line drops 10,000 bytes into a 40,000-byte chunk that starts off a block boundary: the bytes that
    # came are kept (the lead through the cache, whole blocks direct), the audit event says the chunk was cut short,
    # and the client, asking for received_size as submit.js does after a failure, sends only the rest.
    box, sealed, envelope_id = _committed(client, make_box, bidder, 60_000)
    assert _put(client, envelope_id, 0, sealed[:1000]).status_code == 200
    envelope = Envelope.objects.get(public_id=envelope_id)

    envelope = services.receive_chunk(
        actor=bidder, envelope=envelope, offset=1000, stream=io.BytesIO(sealed[1000:11_000]), length=40_000
    )

    assert envelope.received_size == 11_000
    assert _upload_file(settings, envelope_id).read_bytes() == sealed[:11_000]
    event = AuditEvent.objects.filter(action="bids.envelope.chunk_received").latest("sequence")
    assert event.data == {"offset": 1000, "length": 10_000, "announced_length": 40_000}
    state = client.get(reverse("bids:api_envelope", args=[envelope_id])).json()
    assert state["received_size"] == 11_000
    assert _put(client, envelope_id, 11_000, sealed[11_000:]).status_code == 200
    assert client.post(reverse("bids:api_complete", args=[envelope_id])).status_code == 200
    stored = Path(settings.MEDIA_ROOT) / Envelope.objects.get(public_id=envelope_id).storage_name
    assert stored.read_bytes() == sealed


class _ResetAfter(io.BytesIO):
    """A request body whose connection is reset after the bytes it holds, as a read from a dropped line fails."""

    def read(self, size=-1):
        block = super().read(size)
        if not block:
            raise ConnectionResetError(104, "Connection reset by peer")
        return block


def test_a_chunk_whose_connection_is_reset_counts_for_the_bytes_that_came_before(client, make_box, bidder, settings):
    box, sealed, envelope_id = _committed(client, make_box, bidder, 3 * uploads.BLOCK_BYTES)
    envelope = Envelope.objects.get(public_id=envelope_id)
    came = uploads.BLOCK_BYTES + 4096

    envelope = services.receive_chunk(
        actor=bidder, envelope=envelope, offset=0, stream=_ResetAfter(sealed[:came]), length=len(sealed)
    )

    assert envelope.received_size == came
    assert _upload_file(settings, envelope_id).read_bytes() == sealed[:came]


def test_a_chunk_whose_body_never_came_is_refused_and_counts_for_nothing(client, make_box, bidder):
    box, sealed, envelope_id = _committed(client, make_box, bidder)
    envelope = Envelope.objects.get(public_id=envelope_id)
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError, match="terputus"):
        services.receive_chunk(actor=bidder, envelope=envelope, offset=0, stream=io.BytesIO(b""), length=len(sealed))

    assert Envelope.objects.get(public_id=envelope_id).received_size == 0
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db(transaction=True)
def test_a_connection_cut_in_the_middle_of_a_chunk_keeps_what_reached_the_server(
    live_server, client, make_box, bidder, settings
):
    # Over a real socket, as a vendor's browser on a poor line: the chunk announces 3 MiB, 1 MiB + 5 bytes arrive,
    # then the line drops (the client closes its sending side). The server keeps those bytes and says so.
    box, sealed, envelope_id = _committed(client, make_box, bidder, 3 * uploads.BLOCK_BYTES)
    sent = uploads.BLOCK_BYTES + 5
    csrf = "cutconnectioncsrftokencutconnect"  # 32 characters: Django compares the cookie with the header as is
    cookies = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; csrftoken={csrf}"
    host, port = live_server.url.removeprefix("http://").split(":")
    head = (
        f"PUT {reverse('bids:api_chunk', args=[envelope_id, 0])} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Cookie: {cookies}\r\nX-CSRFToken: {csrf}\r\nContent-Type: application/octet-stream\r\n"
        f"Content-Length: {len(sealed)}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=30) as line:
        line.sendall(head.encode() + sealed[:sent])
        line.shutdown(socket.SHUT_WR)
        answer = b"".join(iter(lambda: line.recv(65536), b""))

    assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
    assert Envelope.objects.get(public_id=envelope_id).received_size == sent
    assert _upload_file(settings, envelope_id).read_bytes() == sealed[:sent]
    response = upload(client, envelope_id, sealed[sent:], chunk=len(sealed), offset=sent)
    assert response.status_code == 200, response.json()


def test_a_whole_retry_still_counts_when_the_attempt_it_replaced_was_cut_short_and_counted_first(
    client, make_box, bidder, settings
):
    # A line dropped silently: the client sent the chunk again, and the server learnt of the cut (the proxy's body
    # timeout) while the retry was on its way. The cut attempt counts first; the retry, which wrote the same bytes
    # from the same offset, then counts for all of its own, rather than being refused and sent a third time.
    box, sealed, envelope_id = _committed(client, make_box, bidder, 50_000)
    envelope = Envelope.objects.get(public_id=envelope_id)

    def the_cut_attempt_counts():
        services.receive_chunk(
            actor=bidder, envelope=envelope, offset=0, stream=io.BytesIO(sealed[:12_000]), length=len(sealed)
        )

    retried = services.receive_chunk(
        actor=bidder, envelope=envelope, offset=0, stream=_Stream(sealed, the_cut_attempt_counts), length=len(sealed)
    )

    assert retried.received_size == len(sealed)
    event = AuditEvent.objects.filter(action="bids.envelope.chunk_received").latest("sequence")
    assert event.data == {"offset": 0, "length": len(sealed), "received_before": 12_000}
    assert client.post(reverse("bids:api_complete", args=[envelope_id])).status_code == 200


def test_an_attempt_that_adds_nothing_beyond_what_is_counted_changes_nothing(client, make_box, bidder):
    box, sealed, envelope_id = _committed(client, make_box, bidder, 20_000)
    envelope = Envelope.objects.get(public_id=envelope_id)
    events = AuditEvent.objects.count()

    chunk = sealed[:15_000]  # not the whole bid: a chunk completing it would also complete the bid

    def the_whole_retry_counts():
        services.receive_chunk(actor=bidder, envelope=envelope, offset=0, stream=io.BytesIO(chunk), length=len(chunk))

    cut = _Stream(chunk[:5000], the_whole_retry_counts)
    late = services.receive_chunk(actor=bidder, envelope=envelope, offset=0, stream=cut, length=len(chunk))

    assert late.received_size == len(chunk)
    assert AuditEvent.objects.count() == events + 1  # the retry's event only


def test_a_retry_of_the_last_chunk_whose_bid_was_completed_is_told_where_the_upload_stands(client, make_box, bidder):
    # The last chunk completed the bid, and its answer was lost on the way back: the client sends it again.
    box, sealed, envelope_id = _committed(client, make_box, bidder, 20_000)
    assert _put(client, envelope_id, 0, sealed).json()["complete"] is True
    events = AuditEvent.objects.count()

    again = _put(client, envelope_id, 0, sealed)

    assert again.status_code == 409  # carry on from here: at the end, so the client asks for the completion
    assert again.json()["received_size"] == len(sealed)
    assert AuditEvent.objects.count() == events


def _all_but_the_last_byte(client, make_box, bidder):
    """A bid committed and uploaded but for its last byte: (sealed, envelope)."""
    box, sealed, envelope_id = _committed(client, make_box, bidder, 20_000)
    assert _put(client, envelope_id, 0, sealed[:-1]).json()["complete"] is False
    return sealed, Envelope.objects.get(public_id=envelope_id)


def _before_call(monkeypatch, name: str, meanwhile, *, call: int = 1) -> list:
    """Make call number `call` of uploads.<name> (seal, or the upload file's lock) run `meanwhile` first: what
    another request for the same bid does while this one is on its way. Every other call, the other request's own
    among them, goes straight through. The list gets what `meanwhile` returned."""
    real, calls, ran = getattr(uploads, name), [], []

    def lets_the_other_request_in(*args, **kwargs):
        calls.append(name)
        if len(calls) == call:
            ran.append(meanwhile())
        return real(*args, **kwargs)

    monkeypatch.setattr(uploads, name, lets_the_other_request_in)
    return ran


def _send_the_last_byte(actor, envelope, data: bytes):
    return services.receive_chunk(
        actor=actor, envelope=envelope, offset=len(data) - 1, stream=io.BytesIO(data[-1:]), length=1
    )


def _completed_once(envelope) -> bool:
    completions = AuditEvent.objects.filter(action="bids.envelope.completed", object_id=envelope.public_id)
    return completions.count() == 1 and LogEntry.objects.filter(index=envelope.bytes_log_index).count() == 1


def test_a_completion_that_finds_the_bid_completed_by_another_request_meanwhile_answers_its_receipt(
    client, make_box, bidder, monkeypatch
):
    # The last chunk is completing the bid when the client, which did not hear its answer, asks for the completion:
    # the other request seals the bid first. Both answer the bid complete, with one receipt and one log entry.
    sealed, envelope = _all_but_the_last_byte(client, make_box, bidder)
    raced = _before_call(monkeypatch, "seal", lambda: services.complete_envelope(actor=bidder, envelope=envelope))
    last = _send_the_last_byte(bidder, envelope, sealed)

    assert last.is_complete and raced[0].is_complete
    assert last.receipt == raced[0].receipt
    assert _completed_once(last)


def test_a_completion_whose_upload_file_was_sealed_by_another_request_while_it_waited_answers_its_receipt(
    client, make_box, bidder, monkeypatch
):
    # As above, but the other request renames the upload file after this one opened it, while it waits for the
    # file's lock: uploads.seal finds the file is no longer the upload (uploads.Restarted).
    sealed, envelope = _all_but_the_last_byte(client, make_box, bidder)
    # The last byte's chunk takes the lock once to write it; then its seal opens the file and takes the lock again.
    raced = _before_call(
        monkeypatch, "_upload_lock", lambda: services.complete_envelope(actor=bidder, envelope=envelope), call=2
    )
    last = _send_the_last_byte(bidder, envelope, sealed)

    assert last.is_complete and raced[0].is_complete
    assert last.receipt == raced[0].receipt
    assert _completed_once(last)


def test_bytes_refused_by_two_requests_at_once_are_refused_once_and_a_restart_is_kept(
    client, make_box, bidder, monkeypatch, settings
):
    # The last chunk and the client's completion both find the bytes wrong. One refusal is recorded; the other
    # request, coming second, must not throw away what the client has sent since (it restarted from byte 0).
    box, sealed, envelope_id = _committed(client, make_box, bidder, 20_000)
    wrong = bytearray(sealed)
    wrong[-1] ^= 1
    assert _put(client, envelope_id, 0, bytes(wrong[:-1])).status_code == 200
    envelope = Envelope.objects.get(public_id=envelope_id)

    def the_other_request_refuses_first():
        with pytest.raises(ValidationError):
            services.complete_envelope(actor=bidder, envelope=envelope)
        return _put(client, envelope_id, 0, sealed[:5000]).status_code  # the client starts again

    raced = _before_call(monkeypatch, "seal", the_other_request_refuses_first)
    with pytest.raises(ValidationError):
        _send_the_last_byte(bidder, envelope, bytes(wrong))

    assert raced == [200]
    assert AuditEvent.objects.filter(action="bids.envelope.bytes_refused", object_id=envelope_id).count() == 1
    envelope.refresh_from_db()
    assert envelope.received_size == 5000
    assert _upload_file(settings, envelope_id).read_bytes() == sealed[:5000]


def test_a_completion_whose_bytes_another_request_sealed_but_has_not_recorded_is_asked_to_ask_again(
    client, make_box, bidder, monkeypatch
):
    # The other request (the client's completion, or this chunk's first attempt) has renamed the upload file into
    # the store and is queueing for the log to record the completion. This one answers 409, not a refusal the page
    # would give up on; asked again, the completion answers with the receipt.
    sealed, envelope = _all_but_the_last_byte(client, make_box, bidder)
    # The second time the lock is taken, this request's seal has opened the file and waits for it.
    _before_call(monkeypatch, "_upload_lock", lambda: uploads.seal(envelope), call=2)
    last = _put(client, envelope.public_id, len(sealed) - 1, sealed[-1:])
    again = client.post(reverse("bids:api_complete", args=[envelope.public_id]))

    assert last.status_code == 409 and last.json()["received_size"] == len(sealed)
    assert again.status_code == 200 and again.json()["complete"] is True
    assert _completed_once(Envelope.objects.get(pk=envelope.pk))


def test_a_bid_refused_meanwhile_never_takes_another_bidders_stored_bid_of_the_hash_it_committed(
    client, make_box, bidder, personas, monkeypatch
):
    # A bidder commits the SHA-256 and size of another bidder's stored bid (the public log shows both), uploads
    # other bytes and sends two completions at once. One refuses the bytes and throws the upload away; the other,
    # finding no upload file, must not take the stored bid under that hash for this bidder's.
    _vendor, copier = personas.vendor("CV Peniru", email="peniru@cv-peniru.test")
    box = make_box(bidders=[bidder, copier])
    client.force_login(bidder)
    honest = send(client, box, seal(box, os.urandom(20_000))).json()
    assert honest["complete"] is True
    client.force_login(copier)
    copied = commit(client, box, b"", sha256=honest["ciphertext_sha256"], size=honest["ciphertext_size"]).json()
    other_bytes = (seal(box, os.urandom(20_000)) + os.urandom(1000))[: honest["ciphertext_size"]]  # age headers vary
    assert len(other_bytes) == honest["ciphertext_size"]
    assert _put(client, copied["envelope"], 0, other_bytes[:-1]).status_code == 200
    envelope = Envelope.objects.get(public_id=copied["envelope"])

    def the_other_completion_refuses_first():
        with pytest.raises(ValidationError):
            services.complete_envelope(actor=copier, envelope=envelope)

    _before_call(monkeypatch, "seal", the_other_completion_refuses_first)
    with pytest.raises(ValidationError):
        _send_the_last_byte(copier, envelope, other_bytes)

    envelope.refresh_from_db()
    assert not envelope.is_complete and not envelope.storage_name
    assert not AuditEvent.objects.filter(action="bids.envelope.completed", object_id=envelope.public_id).exists()
