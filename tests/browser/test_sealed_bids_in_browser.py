"""The sealed-bid flow as people meet it in Chromium: a committee member makes their key in the browser, a
bidder seals and sends a bid from the page, and at the opening the member unlocks their key file in the browser
to submit their share (Pasal 7(4)b; DESIGN 5)."""

import os
import re
import threading
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pyrage
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from conftest import PINNED_NOW, give_totp
from eproc.bids import services
from eproc.bids.models import CommitteeKey, Envelope, OpenedEnvelope
from eproc.organizations.roles import Role

from .helpers import sign_in_as as _sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSPHRASE = "kata-sandi-panitia-yang-panjang"


def _box_of_one_member(personas, vendor_name: str, reference: str, title: str):
    """A box of one committee member, open for uploads at the pinned time, admitting one verified vendor:
    (box, the vendor's user)."""
    member = personas.make(Role.POKJA)
    give_totp(member)
    services.register_committee_key(actor=member, recipient=str(pyrage.x25519.Identity.generate().to_public()))
    _vendor, bidder = personas.vendor(vendor_name)
    box = services.create_box(
        actor=member,
        agency=personas.agency_a,
        reference=reference,
        title=title,
        envelope="single",
        members=[member],
        threshold=1,
        upload_opens_at=PINNED_NOW - timedelta(hours=1),
        deadline=PINNED_NOW + timedelta(hours=1),
        grace_period=timedelta(minutes=30),
        opening_at=PINNED_NOW + timedelta(hours=2),
        bidders=[bidder],
    )
    return box, bidder


def _bid_page(browser, live_server, bidder, box):
    """The box's page in a new browser context, signed in as the bidder: (context, page)."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    _sign_in_as(context, live_server, bidder)
    page.goto(f"/penawaran/kotak/{box.public_id}/")
    return context, page


def _sealed_file(box, tmp_path, text: bytes, name="penawaran.age") -> tuple[bytes, Path]:
    sealed = pyrage.encrypt(text, [pyrage.x25519.Recipient.from_str(box.recipient)])
    (tmp_path / name).write_bytes(sealed)
    return sealed, tmp_path / name


def _send(page, files, *, until="#bid-submit [data-result]:not([hidden])", timeout=60_000):
    """Pick the files and submit the bid, then wait for `until` (by default: the receipt is shown)."""
    page.set_input_files("#bid", files)
    page.click("#bid-submit button[type=submit]")
    page.wait_for_selector(until, timeout=timeout)


def test_a_bid_sealed_in_the_browser_opens_with_a_key_made_in_the_browser(
    browser, live_server, personas, tmp_path, pinned_time
):
    member_a = personas.make(Role.POKJA)
    member_b = personas.make(Role.POKJA)
    for member in (member_a, member_b):
        give_totp(member)
    _vendor, bidder = personas.vendor("CV Maju Jaya")

    # 1. Member A creates a key in the browser and downloads the passphrase-protected file.
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    _sign_in_as(context, live_server, member_a)
    page.goto("/penawaran/kunci-panitia/")
    page.fill("#passphrase", PASSPHRASE)
    page.fill("#confirm", PASSPHRASE)
    with page.expect_download() as download:
        page.click("#committee-key button[type=submit]")
    key_file = tmp_path / "kunci-panitia.age"
    download.value.save_as(key_file)
    page.wait_for_selector("#committee-key [data-status].success")
    recipient = CommitteeKey.objects.get(user=member_a, retired_at__isnull=True).recipient
    assert page.locator("[data-recipient]").inner_text() == recipient
    assert key_file.read_bytes().startswith(b"age-encryption.org/v1\n-> scrypt ")  # locked by the passphrase
    context.close()

    # Member B's key comes from the age tool, as a member working offline would make it.
    identity_b = pyrage.x25519.Identity.generate()
    services.register_committee_key(actor=member_b, recipient=str(identity_b.to_public()))
    box = services.create_box(
        actor=member_a,
        agency=personas.agency_a,
        reference="SPSE-2026-042",
        title="Pembangunan Gedung Puskesmas",
        envelope="single",
        members=[member_a, member_b],
        threshold=2,
        upload_opens_at=PINNED_NOW - timedelta(hours=1),
        deadline=PINNED_NOW + timedelta(hours=1),
        grace_period=timedelta(minutes=30),
        opening_at=PINNED_NOW + timedelta(hours=2),
        bidders=[bidder],
    )

    # 2. The bidder seals and sends a bid from the page.
    documents = {
        "surat-penawaran.pdf": b"%PDF-1.4 surat penawaran Rp1.234.000.000,00 " * 2000,
        "rab.xlsx": b"PK rincian anggaran biaya " * 3000,
    }
    for name, content in documents.items():
        (tmp_path / name).write_bytes(content)
    context, page = _bid_page(browser, live_server, bidder, box)
    _send(page, [str(tmp_path / name) for name in documents])
    envelope = Envelope.objects.get(box=box, bidder=bidder)
    assert envelope.is_complete
    assert page.locator("[data-sha256]").inner_text() == envelope.ciphertext_sha256
    stored = (Path(settings.MEDIA_ROOT) / envelope.storage_name).read_bytes()
    assert b"surat penawaran" not in stored and stored.startswith(b"age-encryption.org/v1\n-> X25519 ")
    context.close()

    # 3. At the opening, B submits through the API and A unlocks the key file in the browser.
    pinned_time.move_to(box.opening_at)
    client_b = Client()
    client_b.force_login(member_b)
    import base64

    share_b = pyrage.decrypt(bytes(box.shares.get(member=member_b).share_ciphertext), [identity_b])
    response = client_b.post(
        f"/api/v1/bids/boxes/{box.public_id}/shares",
        {"share": base64.b64encode(share_b).decode()},
        content_type="application/json",
    )
    assert response.json()["opened"] is False

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    _sign_in_as(context, live_server, member_a)
    page.goto(f"/penawaran/kotak/{box.public_id}/")
    page.set_input_files("#keyfile", str(key_file))
    page.fill("#open-passphrase", PASSPHRASE)
    page.click("#bid-open button[type=submit]")
    page.wait_for_selector("#bid-open [data-status].success", timeout=60_000)
    page.wait_for_url(re.compile(box.public_id))
    opened = OpenedEnvelope.objects.get(envelope=envelope)
    assert opened.outcome == "opened"
    # The documents were packed into one ZIP in the browser, sealed, and come out intact.
    with zipfile.ZipFile(Path(settings.MEDIA_ROOT) / opened.storage_name) as archive:
        assert {name: archive.read(name) for name in archive.namelist()} == documents
    context.close()


def test_a_bid_sealed_offline_with_age_is_sent_as_it_is_from_the_page(browser, live_server, personas, tmp_path):
    import hashlib
    import subprocess

    box, bidder = _box_of_one_member(personas, "CV Luring", "SPSE-2026-043", "Pengadaan Alat Kesehatan")
    (tmp_path / "penawaran.zip").write_bytes(b"PK dokumen penawaran luring " * 1000)
    sealed = tmp_path / "penawaran.age"
    subprocess.run(["age", "-r", box.recipient, "-o", str(sealed), str(tmp_path / "penawaran.zip")], check=True)
    context, page = _bid_page(browser, live_server, bidder, box)
    assert f"age -r {box.recipient}" in page.content()  # the offline command is on the page
    _send(page, str(sealed))
    context.close()
    envelope = Envelope.objects.get(box=box, bidder=bidder)
    assert envelope.ciphertext_sha256 == hashlib.sha256(sealed.read_bytes()).hexdigest()


def test_the_page_sends_a_bid_in_chunks_as_large_as_the_server_takes_and_resumes_after_a_dropped_one(
    browser, live_server, personas, tmp_path, settings
):
    # The chunk size comes from the server (EPROC_MAX_BID_CHUNK_BYTES), small here so that the bid takes several.
    # The second chunk's first attempt never reaches the server (the line drops): the page asks where the upload
    # stands and carries on from there, and the bid arrives whole.
    settings.EPROC_MAX_BID_CHUNK_BYTES = 8192
    box, bidder = _box_of_one_member(personas, "CV Sambungan Putus", "SPSE-2026-044", "Pengadaan Komputer Sekolah")
    sealed, path = _sealed_file(box, tmp_path, b"PK penawaran komputer sekolah " * 1000)
    context, page = _bid_page(browser, live_server, bidder, box)
    chunks, dropped = [], []

    def drop_the_second_chunk_once(route):
        offset = int(route.request.url.rsplit("/", 1)[1])
        if offset == 8192 and not dropped:
            dropped.append(offset)
            return route.abort("connectionreset")
        chunks.append((offset, len(route.request.post_data_buffer)))
        return route.continue_()

    page.route("**/chunks/*", drop_the_second_chunk_once)
    _send(page, str(path))
    context.close()

    assert dropped == [8192]
    assert chunks == [(offset, min(8192, len(sealed) - offset)) for offset in range(0, len(sealed), 8192)]
    envelope = Envelope.objects.get(box=box, bidder=bidder)
    assert envelope.is_complete
    assert (Path(settings.MEDIA_ROOT) / envelope.storage_name).read_bytes() == sealed


def test_the_page_carries_on_where_the_server_says_when_an_earlier_attempt_of_its_own_still_counted(
    browser, live_server, personas, tmp_path, settings
):
    # The second chunk's first attempt seems lost to the page (the line drops), so it asks where the upload stands
    # and sends that chunk again; but before the second attempt arrives, the first one, stalled on the way, reaches
    # the server after all (here: sent by the test). The server answers the resent chunk 409 with where the upload
    # stands, and the page carries on from there rather than failing the bid.
    settings.EPROC_MAX_BID_CHUNK_BYTES = 8192
    box, bidder = _box_of_one_member(personas, "CV Sambungan Lambat", "SPSE-2026-045", "Pengadaan Meja Sekolah")
    sealed, path = _sealed_file(box, tmp_path, b"PK penawaran meja sekolah " * 1000)
    context, page = _bid_page(browser, live_server, bidder, box)
    stalled = Client()
    stalled.force_login(bidder)
    attempts, answers = [], []

    def the_first_attempt_arrives_late(route):
        offset = int(route.request.url.rsplit("/", 1)[1])
        attempts.append(offset)
        if offset == 8192 and attempts.count(8192) == 1:
            return route.abort("connectionreset")
        if offset == 8192:  # the resend: the stalled first attempt gets there first
            late = stalled.put(route.request.url.removeprefix(live_server.url), sealed[8192:16384],
                               content_type="application/octet-stream")  # fmt: skip
            assert late.status_code == 200, late.content
        response = route.fetch()
        answers.append((offset, response.status))
        return route.fulfill(response=response)

    page.route("**/chunks/*", the_first_attempt_arrives_late)
    requests_made = []
    page.on("request", lambda request: requests_made.append(request.url.removeprefix(live_server.url)))
    _send(page, str(path))
    context.close()

    assert (8192, 409) in answers
    assert attempts[: attempts.index(16384) + 1] == [0, 8192, 8192, 16384]
    envelope = Envelope.objects.get(box=box, bidder=bidder)
    # It asked where the upload stood once, after the drop; the 409 itself said where to carry on.
    state_url = f"/api/v1/bids/envelopes/{envelope.public_id}"
    assert requests_made.count(state_url) == 1, requests_made
    assert envelope.is_complete
    assert (Path(settings.MEDIA_ROOT) / envelope.storage_name).read_bytes() == sealed


def test_the_progress_bar_moves_while_a_chunk_is_on_its_way_not_only_when_it_is_answered(
    browser, live_server, personas, tmp_path, settings
):
    # A 16 MiB chunk takes a minute on a slow line: the bar must follow the bytes sent, not wait for the answer.
    # Here the server is busy (another transaction holds the envelope) when the first chunk's bytes have arrived:
    # while it waits to answer, the bar has already moved past the sealing (0.3 of it) by the bytes sent.
    settings.EPROC_MAX_BID_CHUNK_BYTES = 256 * 1024
    box, bidder = _box_of_one_member(personas, "CV Jalur Lambat", "SPSE-2026-046", "Pengadaan Papan Tulis")
    sealed, path = _sealed_file(box, tmp_path, os.urandom(600 * 1024))
    context, page = _bid_page(browser, live_server, bidder, box)
    bar_while_the_server_was_busy = []

    def keep_the_envelope_busy(envelope_id, held, release):
        try:
            with transaction.atomic():  # SQLite: the write lock; PostgreSQL: the envelope's row
                Envelope.objects.select_for_update().filter(public_id=envelope_id).update(received_size=0)
                held.set()
                release.wait(15)
        finally:
            connection.close()

    def busy_server_for_the_first_chunk(route):
        if not route.request.url.endswith("/chunks/0") or bar_while_the_server_was_busy:
            return route.continue_()
        held, release = threading.Event(), threading.Event()
        holder = threading.Thread(target=keep_the_envelope_busy, args=(route.request.url.split("/")[-3], held, release))
        holder.start()
        assert held.wait(10)
        route.continue_()
        for _ in range(50):
            value = page.evaluate("document.querySelector('#bid-submit progress').value")
            if value > 0.3:
                break
            time.sleep(0.1)
        bar_while_the_server_was_busy.append(value)
        release.set()
        holder.join()

    page.route("**/chunks/*", busy_server_for_the_first_chunk)
    _send(page, str(path))
    context.close()

    first_chunk_sent = 0.3 + 0.7 * 256 * 1024 / len(sealed)
    assert len(bar_while_the_server_was_busy) == 1
    assert 0.3 < bar_while_the_server_was_busy[0] <= first_chunk_sent + 1e-9
    assert Envelope.objects.get(box=box, bidder=bidder).is_complete


def test_a_chunk_the_server_refuses_as_too_large_is_not_sent_again(browser, live_server, personas, tmp_path):
    # A proxy whose body limit is below the chunk size answers 413 to every attempt: sending 16 MiB five more times
    # over a slow line would only waste the vendor's last minutes. The page stops at once and says why.
    box, bidder = _box_of_one_member(personas, "CV Batas Ukuran", "SPSE-2026-047", "Pengadaan Lemari Arsip")
    sealed, path = _sealed_file(box, tmp_path, b"PK penawaran lemari arsip " * 100)
    context, page = _bid_page(browser, live_server, bidder, box)
    attempts = []

    def too_large(route):
        attempts.append(route.request.url)
        return route.fulfill(status=413, content_type="text/html", body="<h1>413 Request Entity Too Large</h1>")

    page.route("**/chunks/*", too_large)
    _send(page, str(path), until="#bid-submit [data-status].error", timeout=30_000)
    context.close()

    assert len(attempts) == 1
    assert not Envelope.objects.get(box=box, bidder=bidder).is_complete


def test_a_bid_whose_last_chunk_got_through_but_not_its_answer_is_complete_and_shows_its_receipt(
    browser, live_server, personas, tmp_path, settings
):
    # The last chunk reaches the LPSE, which completes the bid with it; the line drops before the answer gets back.
    # The page asks where the upload stands, finds the bid complete and shows its receipt: nothing is sent again.
    settings.EPROC_MAX_BID_CHUNK_BYTES = 8192
    box, bidder = _box_of_one_member(personas, "CV Jawaban Hilang", "SPSE-2026-048", "Pengadaan Kursi Kantor")
    sealed, path = _sealed_file(box, tmp_path, b"PK penawaran kursi kantor " * 1000)
    last = (len(sealed) - 1) // 8192 * 8192
    context, page = _bid_page(browser, live_server, bidder, box)
    page.evaluate("document.querySelector('#bid-submit').dataset.retryMs = '50'")
    lost = []

    def lose_the_answer_to_the_last_chunk(route):
        if route.request.url.endswith(f"/chunks/{last}") and not lost:
            lost.append(route.fetch().status)  # the server has it...
            return route.abort("connectionreset")  # ...the page never hears so
        return route.continue_()

    page.route("**/chunks/*", lose_the_answer_to_the_last_chunk)
    requests_made = []
    page.on("request", lambda request: requests_made.append((request.method, request.url)))
    _send(page, str(path))
    context.close()

    assert lost == [200]
    envelope = Envelope.objects.get(box=box, bidder=bidder)
    assert envelope.is_complete
    assert (Path(settings.MEDIA_ROOT) / envelope.storage_name).read_bytes() == sealed
    assert sum(url.endswith(f"/chunks/{last}") for _, url in requests_made) == 1  # the last chunk was not resent
    assert not [url for _, url in requests_made if url.endswith("/complete")]  # nor was a completion needed


def test_a_bid_whose_upload_failed_longer_than_the_retries_carries_on_with_the_same_commitment_when_sent_again(
    browser, live_server, personas, tmp_path, settings
):
    # The line is down for longer than the page retries: it says the bid was not sent. Sent again once the line is
    # back, the bid carries on with the same commitment and sealed bytes. Sealing again would have made new
    # ciphertext (age is randomised) needing a new commitment, which after the deadline is refused.
    settings.EPROC_MAX_BID_CHUNK_BYTES = 8192
    box, bidder = _box_of_one_member(personas, "CV Jaringan Putus", "SPSE-2026-049", "Pengadaan Printer")
    (tmp_path / "penawaran.pdf").write_bytes(b"%PDF-1.4 penawaran printer " + os.urandom(30_000))
    context, page = _bid_page(browser, live_server, bidder, box)
    page.evaluate("document.querySelector('#bid-submit').dataset.retryMs = '50'")
    line = {"down": True}
    commitments = []

    def down_after_the_first_chunk(route):
        request = route.request
        if request.method == "POST" and request.url.endswith("/commitments"):
            commitments.append(request.url)
        if line["down"] and ("/chunks/" in request.url and not request.url.endswith("/chunks/0")):
            return route.abort("connectionreset")
        if line["down"] and request.method == "GET" and "/envelopes/" in request.url:
            return route.abort("connectionreset")
        return route.continue_()

    page.route("**/api/v1/bids/**", down_after_the_first_chunk)
    _send(page, str(tmp_path / "penawaran.pdf"), until="#bid-submit [data-status].error")
    envelope = Envelope.objects.get(box=box, bidder=bidder)
    assert envelope.received_size == 8192 and not envelope.is_complete

    line["down"] = False
    _send(page, str(tmp_path / "penawaran.pdf"))  # the same file, chosen again
    context.close()

    # Sent again, the same sealed bytes: their commitment answers with the envelope that counted, no new one.
    assert len(commitments) == 2
    envelope.refresh_from_db()
    assert envelope.is_complete and Envelope.objects.filter(box=box, bidder=bidder).count() == 1


def test_a_commitment_whose_answer_was_lost_is_sent_again_and_answered_with_the_one_that_counted(
    browser, live_server, personas, tmp_path
):
    # In the deadline's last seconds the commitment reaches the LPSE but its answer does not reach the page. The
    # page sends it again; the same SHA-256 and size answer the commitment that counted, and the upload goes on.
    box, bidder = _box_of_one_member(personas, "CV Komitmen Hilang", "SPSE-2026-051", "Pengadaan Kipas Angin")
    (tmp_path / "penawaran.pdf").write_bytes(b"%PDF-1.4 penawaran kipas angin " + os.urandom(5000))
    context, page = _bid_page(browser, live_server, bidder, box)
    page.evaluate("document.querySelector('#bid-submit').dataset.retryMs = '50'")
    answers = []

    def lose_the_first_answer(route):
        response = route.fetch()
        answers.append(response.status)
        if len(answers) == 1:
            return route.abort("connectionreset")
        return route.fulfill(response=response)

    page.route("**/commitments", lose_the_first_answer)
    _send(page, str(tmp_path / "penawaran.pdf"))
    context.close()

    assert answers == [201, 201]
    envelope = Envelope.objects.get(box=box, bidder=bidder)  # one: the second commitment answered the first
    assert envelope.is_complete


def test_a_file_sealed_offline_chosen_again_after_a_reload_carries_on_with_its_commitment_after_the_deadline(
    browser, live_server, personas, tmp_path, settings, pinned_time
):
    # The vendor's upload broke off before the deadline and the tab was closed. In the grace period they open the
    # page again and choose the same .age file: its SHA-256 and size are the standing commitment's, which answers
    # (a new commitment would be refused now), and the page sends what the server does not have yet.
    box, bidder = _box_of_one_member(personas, "CV Muat Ulang", "SPSE-2026-050", "Pengadaan Proyektor")
    sealed, path = _sealed_file(box, tmp_path, b"PK penawaran proyektor " * 2000)
    earlier = Client()
    earlier.force_login(bidder)
    envelope_id = _commit_and_send_part(earlier, box, sealed, 10_000)
    pinned_time.move_to(box.deadline + timedelta(minutes=5))
    context, page = _bid_page(browser, live_server, bidder, box)
    chunks = []
    page.route("**/chunks/*", lambda route: (chunks.append(route.request.url.rsplit("/", 1)[1]), route.continue_()))
    _send(page, str(path))
    context.close()

    assert chunks == ["10000"]
    envelope = Envelope.objects.get(box=box, bidder=bidder)
    assert envelope.public_id == envelope_id and envelope.is_complete
    assert (Path(settings.MEDIA_ROOT) / envelope.storage_name).read_bytes() == sealed


def _commit_and_send_part(client, box, sealed: bytes, part: int) -> str:
    """Commit the sealed bid and send its first `part` bytes, as an earlier page did: the envelope's id."""
    import hashlib

    committed = client.post(
        f"/api/v1/bids/boxes/{box.public_id}/commitments",
        {"sha256": hashlib.sha256(sealed).hexdigest(), "size": len(sealed)},
        content_type="application/json",
    )
    assert committed.status_code == 201, committed.content
    envelope_id = committed.json()["envelope"]
    sent = client.put(
        f"/api/v1/bids/envelopes/{envelope_id}/chunks/0", sealed[:part], content_type="application/octet-stream"
    )
    assert sent.status_code == 200, sent.content
    return envelope_id
