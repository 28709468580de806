"""The national-portal outbox (Pasal 12b: what the LPSE announces is linked to the national procurement information
centre; DESIGN 7). Every change reaches the portal exactly once by its idempotency key, in order per contracting
process, across outages, lost responses and refusals, against a real HTTP server on 127.0.0.1 that fails on purpose."""

import json
import socket
import threading
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from eproc.core import clock
from eproc.organizations.roles import Role
from eproc.planning import services as planning
from eproc.publication import delivery
from eproc.publication.models import OutboxEntry
from eproc.publication.services import enqueue

TOKEN = "portal-token-s3cr3t"


class _PortalHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        portal = self.server.portal
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        key = self.headers.get("Idempotency-Key")
        with portal.lock:
            portal.posts[key] += 1
            portal.headers.append(dict(self.headers))
            status = portal.refuse.get(key) or (503 if portal.mode == "unavailable" else None)
            if status is None:
                # A real portal dedupes by key: a second POST with a stored key is a retry, answered as a success.
                if key in portal.stored:
                    portal.retries_recognised += 1
                else:
                    portal.stored[key] = body
                    portal.arrivals.append(key)
                status = {"lose_response": 500}.get(portal.mode, 201)
        if portal.mode == "hang":
            time.sleep(portal.hang_seconds)  # stored, but the answer comes after the client gave up
        if portal.mode == "slow":
            time.sleep(0.2)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"echo": self.headers.get("Authorization", "")}).encode())
        except OSError:
            pass  # the client already hung up (the "hang" mode)

    def log_message(self, *args):
        pass


class FakePortal:
    """The national portal: keeps each change once by its Idempotency-Key and counts every POST. `mode`: "up",
    "unavailable" (503), "lose_response" (stores, then answers 500), "hang" (stores, then answers too late),
    "slow"; `refuse[key] = status` answers that status for one key without storing."""

    def __init__(self):
        self.lock = threading.Lock()
        self.stored, self.arrivals, self.posts, self.headers = {}, [], Counter(), []
        self.refuse = {}
        self.mode = "up"
        self.hang_seconds = 1.0
        self.retries_recognised = 0
        self.port = 0
        self.server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/api/releases"

    def start(self):
        server = ThreadingHTTPServer(("127.0.0.1", self.port), _PortalHandler)
        server.daemon_threads = True
        server.portal = self
        server.handle_error = lambda request, address: None
        self.port = server.server_address[1]
        self.server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self):
        """Down: nothing listens on the port any more, so connections are refused."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def portal(settings, monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    fake = FakePortal()
    fake.start()
    settings.EPROC_PORTAL_URL = fake.url
    settings.EPROC_PORTAL_TOKEN = TOKEN
    settings.EPROC_PORTAL_TIMEOUT_SECONDS = 2.0
    settings.EPROC_PORTAL_BACKOFF_BASE_SECONDS = 60
    settings.EPROC_PORTAL_BACKOFF_CAP_SECONDS = 3600
    yield fake
    fake.stop()


PLAN = {
    "fiscal_year": 2026,
    "description": "",
    "location": "Kecamatan Delta Pawan",
    "budget": Decimal("750000000.00"),
    "fund_source": "apbd",
    "procurement_type": "konstruksi",
    "planned_method": "lelang_umum",
    "planned_month": 5,
    "budget_reference": "DPA-SKPD 1.03.01/2026",
}


class Plans:
    """Announced plan items of Dinas PUPR Ketapang, made through the planning services (announcing queues a
    change), and further public changes of them queued through publication.services.enqueue."""

    def __init__(self, personas):
        self.pa = personas.make(Role.PA, personas.agency_a, personas.unit_a)
        self.unit = personas.unit_a
        self.items = {}

    def item(self, name):
        if name not in self.items:
            item = planning.create_item(actor=self.pa, work_unit=self.unit, package_name=f"Paket {name}", **PLAN)
            self.items[name] = planning.announce(actor=self.pa, item=item)
        return self.items[name]

    def change(self, name, number):
        """One public change of plan item `name`; returns its queue entry."""
        subject = self.item(name).public_id
        with transaction.atomic():
            return enqueue(kind="plan.changed", subject=subject, payload={"package": name, "change": number})


@pytest.fixture
def plans(personas):
    return Plans(personas)


def _queue():
    return list(OutboxEntry.objects.order_by("id"))


def _sent_body(entry):
    entry.refresh_from_db()
    return entry.release if entry.release is not None else entry.payload


pytestmark = pytest.mark.django_db


def _first_of(entries, subject):
    return next(entry for entry in entries if entry.subject == subject)


def test_every_change_reaches_the_portal_exactly_once_across_a_days_long_outage(portal, plans, pinned_time):
    for name in ("A", "B", "C"):
        plans.item(name)
    plans.change("A", 1)
    plans.change("B", 1)
    plans.change("A", 2)
    entries = _queue()
    subjects = {entry.subject for entry in entries}
    assert len(entries) >= 6 and len(subjects) == 3
    portal.stop()  # the portal is down: connection refused

    report = delivery.deliver_due()
    # One attempt per plan item: the later changes of an item wait behind its earliest one.
    assert len(report.failed) == 3 and report.delivered == []
    first = OutboxEntry.objects.get(pk=entries[0].pk)
    assert first.attempts == 1 and "refused" in first.last_error.lower() and first.delivered_at is None
    assert OutboxEntry.objects.get(pk=entries[-1].pk).attempts == 0

    # Down for three days, tried whenever due: nothing delivered, nothing dropped.
    for _ in range(12):
        pinned_time.shift(timedelta(hours=6))
        delivery.deliver_due()
    assert OutboxEntry.objects.filter(delivered_at__isnull=True).count() == len(entries)
    assert OutboxEntry.objects.get(pk=entries[0].pk).attempts > 5

    # Back, but overloaded for a while (503).
    portal.start()
    portal.mode = "unavailable"
    pinned_time.shift(timedelta(hours=2))
    delivery.deliver_due()
    assert OutboxEntry.objects.get(pk=entries[0].pk).last_error.startswith("HTTP 503")
    assert portal.stored == {}

    portal.mode = "up"
    pinned_time.shift(timedelta(hours=2))
    report = delivery.deliver_due()
    assert sorted(report.delivered) == sorted(entry.key for entry in entries)
    assert set(portal.stored) == {entry.key for entry in entries}
    assert len(portal.arrivals) == len(set(portal.arrivals)) == len(entries)
    for entry in entries:
        assert portal.stored[entry.key] == _sent_body(entry)
        assert entry.delivered_at == clock.now() and entry.last_error == "" and entry.next_attempt_at is None
    # The portal was told who we are and what the change is.
    assert {h["Authorization"] for h in portal.headers} == {f"Bearer {TOKEN}"}
    assert {h["Content-Type"] for h in portal.headers} == {"application/json"}

    # Nothing is sent twice once delivered.
    posts = sum(portal.posts.values())
    pinned_time.shift(timedelta(days=1))
    assert delivery.deliver_due().attempted == 0
    assert sum(portal.posts.values()) == posts


@pytest.mark.parametrize("failure", ["lose_response", "hang"])
def test_a_change_stored_but_unanswered_is_retried_with_the_same_key_and_kept_once(
    portal, plans, pinned_time, settings, failure
):
    settings.EPROC_PORTAL_TIMEOUT_SECONDS = 0.3
    plans.item("A")
    plans.item("B")
    entries = _queue()
    portal.mode = failure

    report = delivery.deliver_due()
    assert report.delivered == [] and len(report.failed) == len(entries) == 2
    assert set(portal.stored) == {entry.key for entry in entries}  # the portal has them; we did not hear so
    error = OutboxEntry.objects.get(pk=entries[0].pk).last_error
    assert error.startswith("HTTP 500") if failure == "lose_response" else "timed out" in error.lower()

    portal.mode = "up"
    pinned_time.shift(timedelta(minutes=2))
    report = delivery.deliver_due()
    assert sorted(report.delivered) == sorted(entry.key for entry in entries)
    assert all(portal.posts[entry.key] == 2 for entry in entries)
    assert portal.retries_recognised == 2
    assert len(portal.arrivals) == 2 and set(portal.stored) == {entry.key for entry in entries}


def test_the_wait_doubles_after_each_failure_up_to_the_cap(portal, plans, pinned_time, settings):
    settings.EPROC_PORTAL_BACKOFF_BASE_SECONDS = 60
    settings.EPROC_PORTAL_BACKOFF_CAP_SECONDS = 600
    portal.mode = "unavailable"
    plans.item("A")
    [entry] = _queue()
    waits = []
    for attempt in range(1, 8):
        delivery.deliver_due()
        entry.refresh_from_db()
        assert entry.attempts == attempt
        waits.append(entry.next_attempt_at - clock.now())
        # Not a moment before it is due.
        posts = portal.posts[entry.key]
        pinned_time.move_to(entry.next_attempt_at - timedelta(seconds=1))
        assert delivery.deliver_due().attempted == 0 and portal.posts[entry.key] == posts
        pinned_time.move_to(entry.next_attempt_at)
    expected = [60, 120, 240, 480, 600, 600, 600]
    for wait, seconds in zip(waits, expected, strict=True):
        # Up to a tenth less, at random, so that entries failing together do not return together.
        assert timedelta(seconds=seconds * 0.9) <= wait <= timedelta(seconds=seconds)
    assert delivery.backoff(10_000) <= timedelta(seconds=600)


def test_a_later_change_of_a_plan_item_never_overtakes_an_earlier_one_that_fails(portal, plans, pinned_time):
    plans.item("A")
    plans.item("B")
    first_a, first_b = _queue()
    second_a = plans.change("A", 1)
    portal.refuse[first_a.key] = 503

    delivery.deliver_due()
    assert portal.arrivals == [first_b.key]  # another item does not wait
    assert portal.posts[second_a.key] == 0
    assert OutboxEntry.objects.get(pk=second_a.pk).attempts == 0

    del portal.refuse[first_a.key]
    pinned_time.shift(timedelta(minutes=5))
    delivery.deliver_due()
    assert portal.arrivals == [first_b.key, first_a.key, second_a.key]


def test_changes_of_one_contracting_process_keep_their_order_across_subjects(portal, plans, pinned_time):
    """A repeated tender (lelang ulang) is a new subject that may continue the same contracting process (ocid)."""
    plans.item("A")
    plans.item("B")
    earlier, later = _queue()
    OutboxEntry.objects.filter(pk=later.pk).update(ocid=earlier.ocid)
    portal.refuse[earlier.key] = 503

    delivery.deliver_due()
    assert portal.posts[later.key] == 0

    del portal.refuse[earlier.key]
    pinned_time.shift(timedelta(minutes=5))
    delivery.deliver_due()
    assert portal.arrivals == [earlier.key, later.key]


def test_a_refused_change_is_flagged_for_attention_and_still_retried(portal, plans, pinned_time):
    plans.item("A")
    plans.item("B")
    refused, limited = _queue()
    portal.refuse[refused.key] = 422
    portal.refuse[limited.key] = 429

    report = delivery.deliver_due()
    outcomes = {outcome.key: outcome for outcome in report.failed}
    assert outcomes[refused.key].needs_attention and not outcomes[limited.key].needs_attention
    refused.refresh_from_db()
    assert refused.next_attempt_at is not None and refused.last_error.startswith("HTTP 422")
    assert TOKEN not in refused.last_error  # the portal echoed our Authorization header; it is not kept

    portal.refuse.clear()
    pinned_time.shift(timedelta(hours=1))
    assert sorted(delivery.deliver_due().delivered) == sorted([refused.key, limited.key])


def test_a_redirect_is_not_followed_and_needs_attention(portal, plans, pinned_time, settings):
    """A POST followed as a GET would carry no change, yet a 2xx to it would pass for a delivery."""

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(302)
            self.send_header("Location", portal.url)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    settings.EPROC_PORTAL_URL = f"http://127.0.0.1:{server.server_address[1]}/old"
    try:
        plans.item("A")
        [entry] = _queue()
        [outcome] = delivery.deliver_due().failed
        assert outcome.key == entry.key and outcome.error.startswith("HTTP 302") and outcome.needs_attention
        assert portal.posts == Counter()
    finally:
        server.shutdown()
        server.server_close()


def test_delivery_is_switched_off_without_a_portal_address_and_the_queue_keeps_everything(
    portal, plans, pinned_time, settings, capsys
):
    settings.EPROC_PORTAL_URL = ""
    plans.item("A")
    [entry] = _queue()
    report = delivery.deliver_due()
    assert report.switched_off and report.attempted == 0
    call_command("deliver_outbox", "--once")
    assert "switched off" in capsys.readouterr().out
    entry.refresh_from_db()
    assert entry.delivered_at is None and entry.attempts == 0 and portal.posts == Counter()

    settings.EPROC_PORTAL_URL = portal.url
    call_command("deliver_outbox", "--once")
    assert "Delivered 1, failed 0." in capsys.readouterr().out
    assert set(portal.stored) == {entry.key}


def test_an_old_row_without_a_release_sends_its_payload(portal, plans, pinned_time):
    entry = plans.change("A", 7)
    OutboxEntry.objects.filter(pk=entry.pk).update(release=None)
    delivery.deliver_due()
    assert portal.stored[entry.key] == {"package": "A", "change": 7}


def test_a_url_that_is_not_http_is_refused_without_opening_it(portal, plans, pinned_time, settings, tmp_path):
    settings.EPROC_PORTAL_URL = f"file://{tmp_path}/releases.json"
    plans.item("A")
    [outcome] = delivery.deliver_due().failed
    assert outcome.error.startswith("Configuration:") and outcome.needs_attention
    assert not (tmp_path / "releases.json").exists()


def test_the_error_kept_never_shows_the_credentials(plans, pinned_time, settings):
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EPROC_PORTAL_URL = f"http://user:{TOKEN}@127.0.0.1:{port}/releases"
    settings.EPROC_PORTAL_TOKEN = TOKEN
    plans.item("A")
    [entry] = _queue()
    delivery.deliver_due()
    entry.refresh_from_db()
    assert entry.attempts == 1 and entry.last_error and TOKEN not in entry.last_error
    assert delivery.endpoint_label() == f"http://127.0.0.1:{port}/releases"


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_post_the_same_change_on_postgresql(portal, plans):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks: one worker only (docs/operations-publication.md)")
    for number in range(8):
        plans.item(str(number))
    entries = _queue()
    portal.mode = "slow"
    reports, errors = [], []

    def worker():
        try:
            reports.append(delivery.deliver_due())
        except Exception as error:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(report.delivered for report in reports)  # both workers did share the work
    assert portal.posts == Counter({entry.key: 1 for entry in entries})
    assert OutboxEntry.objects.filter(delivered_at__isnull=True).count() == 0
