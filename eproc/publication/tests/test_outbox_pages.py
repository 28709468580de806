"""The LPSE administrator's page of the national-portal outbox (Pasal 9(7)c-d, 12b): what waits, what fails and why,
and replaying a failing change at once (audited). The Head of LPSE and the Inspektorat read it; nobody else sees it."""

import socket
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from conftest import give_totp
from eproc.audit.models import AuditEvent
from eproc.core import clock
from eproc.organizations.roles import Role
from eproc.planning import services as planning
from eproc.publication import delivery, selectors
from eproc.publication.models import OutboxEntry
from eproc.publication.services import enqueue

pytestmark = pytest.mark.django_db

PLAN = {
    "fiscal_year": 2026,
    "description": "",
    "location": "Kecamatan Matan Hilir Selatan",
    "budget": Decimal("450000000.00"),
    "fund_source": "apbd",
    "procurement_type": "barang",
    "planned_method": "lelang_umum",
    "planned_month": 6,
    "budget_reference": "DPA-SKPD 2.01.01/2026",
}


@pytest.fixture
def portal_down(settings):
    """An endpoint where nothing listens: every attempt is refused, as during an outage of the portal."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EPROC_PORTAL_URL = f"http://127.0.0.1:{port}/releases"
    settings.EPROC_PORTAL_TOKEN = "page-token"
    settings.EPROC_PORTAL_BACKOFF_BASE_SECONDS = 60
    settings.EPROC_PORTAL_BACKOFF_CAP_SECONDS = 3600


@pytest.fixture
def failing(personas, portal_down):
    """Two announced plan items, each queued for the portal, and one failed attempt each."""
    pa = personas.make(Role.PA, personas.agency_a, personas.unit_a)
    for name in ("Komputer", "Kendaraan"):
        item = planning.create_item(actor=pa, work_unit=personas.unit_a, package_name=f"Pengadaan {name}", **PLAN)
        planning.announce(actor=pa, item=item)
    delivery.deliver_due()
    entries = list(OutboxEntry.objects.order_by("id"))
    assert len(entries) == 2 and all(entry.attempts == 1 for entry in entries)
    return entries


def _client_for(client, user):
    give_totp(user)
    client.force_login(user)
    return client


def test_the_administrator_sees_the_counts_and_why_each_failing_change_fails(client, personas, failing):
    page = _client_for(client, personas.lpse_admin).get(reverse("outbox:overview"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-count="waiting">2<' in html and 'data-count="failing">2<' in html
    assert 'data-count="delivered-today">0<' in html
    for entry in failing:
        assert f'data-entry="{entry.key}"' in html
    assert "refused" in html.lower() and "page-token" not in html
    assert html.count('name="entry"') == 2 and 'name="all"' in html


def test_replaying_a_failing_change_makes_it_due_now_and_is_audited(client, personas, failing, pinned_time):
    entry = failing[0]
    assert entry.next_attempt_at > clock.now()
    response = _client_for(client, personas.lpse_admin).post(reverse("outbox:replay"), {"entry": entry.pk})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.next_attempt_at == clock.now() and entry.attempts == 1
    event = AuditEvent.objects.get(action="publication.outbox_replayed")
    assert event.actor_id == personas.lpse_admin.pk and event.data["idempotency_key"] == entry.key
    # Only that one: the other still waits for its backoff.
    assert OutboxEntry.objects.get(pk=failing[1].pk).next_attempt_at > clock.now()


def test_replaying_all_failing_changes_is_one_audited_decision(client, personas, failing, pinned_time):
    _client_for(client, personas.lpse_admin).post(reverse("outbox:replay"), {"all": "1"})
    assert set(OutboxEntry.objects.values_list("next_attempt_at", flat=True)) == {clock.now()}
    event = AuditEvent.objects.get(action="publication.outbox_replayed_all")
    assert sorted(event.data["idempotency_keys"]) == sorted(entry.key for entry in failing)


def test_a_delivered_change_cannot_be_replayed(client, personas, failing, pinned_time):
    entry = failing[0]
    OutboxEntry.objects.filter(pk=entry.pk).update(delivered_at=clock.now())
    response = _client_for(client, personas.lpse_admin).post(reverse("outbox:replay"), {"entry": entry.pk}, follow=True)
    assert "sudah sampai di portal nasional" in response.content.decode()  # the site speaks Indonesian by default
    assert not AuditEvent.objects.filter(action="publication.outbox_replayed").exists()


def test_a_delivery_counts_for_today_and_leaves_the_failing_list(client, personas, failing, pinned_time, settings):
    delivered = failing[0]
    OutboxEntry.objects.filter(pk=delivered.pk).update(
        delivered_at=clock.now() - timedelta(minutes=1), next_attempt_at=None
    )
    html = _client_for(client, personas.lpse_admin).get(reverse("outbox:overview")).content.decode()
    assert 'data-count="delivered-today">1<' in html and 'data-count="failing">1<' in html
    assert f'data-entry="{delivered.key}"' not in html


def test_each_failing_change_says_how_many_later_changes_wait_behind_it(client, personas, failing):
    with transaction.atomic():
        enqueue(kind="plan.changed", subject=failing[0].subject, payload={"budget": "500000000"})
    rows = {row.entry.key: row for row in selectors.failing_entries()}
    assert rows[failing[0].key].waiting_behind == 1 and rows[failing[1].key].waiting_behind == 0
    assert not rows[failing[0].key].needs_attention  # a refused connection is an outage, not a refusal
    html = _client_for(client, personas.lpse_admin).get(reverse("outbox:overview")).content.decode()
    assert 'data-count="waiting">3<' in html and 'data-count="failing">2<' in html


@pytest.mark.parametrize("role", [Role.KEPALA_LPSE, Role.AUDITOR])
def test_the_head_of_lpse_and_the_inspektorat_read_it_but_cannot_replay(client, personas, failing, role):
    reader = _client_for(client, personas.make(role))
    html = reader.get(reverse("outbox:overview")).content.decode()
    assert f'data-entry="{failing[0].key}"' in html and 'name="entry"' not in html
    assert reader.post(reverse("outbox:replay"), {"entry": failing[0].pk}).status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="publication.outbox_replayed").exists()


@pytest.mark.parametrize("role", [Role.POKJA, Role.HELPDESK, Role.VERIFIKATOR])
def test_others_get_not_found(client, personas, failing, role):
    other = _client_for(client, personas.make(role))
    assert other.get(reverse("outbox:overview")).status_code == 404
    assert other.post(reverse("outbox:replay"), {"all": "1"}).status_code == 404
    assert OutboxEntry.objects.filter(next_attempt_at__lte=clock.now()).count() == 0


def test_a_visitor_is_sent_to_sign_in(client, db):
    assert client.get(reverse("outbox:overview")).status_code == 302


def test_the_page_says_when_delivery_is_switched_off(client, personas, settings):
    settings.EPROC_PORTAL_URL = ""
    html = _client_for(client, personas.lpse_admin).get(reverse("outbox:overview")).content.decode()
    assert 'data-delivery="off"' in html and "EPROC_PORTAL_URL" in html
