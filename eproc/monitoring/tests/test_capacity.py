"""The capacity panel (Pasal 11(3)e): database and storage size and their growth, request rates and the depth of the
national-portal queue, for the LPSE administrator."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from conftest import PINNED_NOW, give_totp
from eproc.audit.models import AuditEvent
from eproc.monitoring import request_counts, selectors
from eproc.monitoring.models import CapacitySnapshot
from eproc.monitoring.request_counts import minute_key
from eproc.organizations.roles import Role
from eproc.publication.models import OutboxEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def var_dir(settings, tmp_path):
    """A VAR_DIR with stored files of known sizes in two folders, and other installation files beside them."""
    var = tmp_path / "var"
    media = var / "media"
    (media / "vendors" / "ab").mkdir(parents=True)
    (media / "tenders" / "documents").mkdir(parents=True)
    (media / "vendors" / "ab" / "one.pdf").write_bytes(b"x" * 1000)
    (media / "vendors" / "ab" / "two.pdf").write_bytes(b"y" * 500)
    (media / "tenders" / "documents" / "dok.pdf").write_bytes(b"z" * 2500)
    (var / "keys").mkdir()
    (var / "keys" / "signing-key.txt").write_bytes(b"k" * 64)
    settings.VAR_DIR = var
    settings.MEDIA_ROOT = media
    return var


def _queue(count, delivered=0):
    for number in range(count):
        OutboxEntry.objects.create(
            key=f"tender.announced:T{number}:1",
            kind="tender.announced",
            subject=f"T{number}",
            payload={},
            created_at=PINNED_NOW - timedelta(hours=number),
            delivered_at=PINNED_NOW if number < delivered else None,
        )


def test_storage_is_measured_by_folder_without_counting_the_media_twice(var_dir):
    usage = selectors.storage_usage()
    assert usage.media_bytes == 4000 and usage.media_files == 3
    assert {bar.label: (bar.count, int(bar.amount)) for bar in usage.by_folder} == {
        "tenders": (1, 2500),
        "vendors": (2, 1500),
    }
    assert usage.other_bytes == 64


def test_the_database_size_is_reported_by_the_database_itself():
    assert selectors.database_bytes() > 0


def test_the_queue_depth_counts_what_is_not_yet_delivered(personas):
    _queue(5, delivered=2)
    depth = selectors.queue()
    assert depth["depth"] == 3
    assert depth["oldest"] == PINNED_NOW - timedelta(hours=4)


def test_the_daily_snapshot_command_records_one_row_a_day_and_the_growth(pinned_time, personas, var_dir):
    _queue(2)
    call_command("capacity_snapshot")
    call_command("capacity_snapshot")
    snapshot = CapacitySnapshot.objects.get()
    assert (snapshot.media_bytes, snapshot.media_files, snapshot.other_bytes, snapshot.queue_depth) == (4000, 3, 64, 2)
    assert snapshot.database_bytes > 0
    (var_dir / "media" / "vendors" / "ab" / "three.pdf").write_bytes(b"w" * 3000)
    pinned_time.move_to(PINNED_NOW + timedelta(days=1))
    call_command("capacity_snapshot")
    first, second = selectors.snapshots()
    assert second.taken_on - first.taken_on == timedelta(days=1)
    assert second.media_bytes - first.media_bytes == 3000
    assert AuditEvent.objects.filter(action="monitoring.capacity_snapshot").count() == 3


def test_requests_are_counted_per_minute_for_the_last_hour(client, pinned_time):
    for _ in range(3):
        client.get(reverse("home"))
    pinned_time.move_to(PINNED_NOW + timedelta(minutes=2))
    client.get(reverse("home"))
    rates = selectors.request_rates()
    assert len(rates) == 60
    assert rates[-1].count == 1 and rates[-3].count == 3 and rates[-2].count == 0
    assert rates[-1].label == "10:02"


def test_a_worker_writes_its_request_counts_to_the_shared_cache_when_the_minute_changes(
    client, pinned_time, monkeypatch
):
    # Pasal 11(3)e: the rate is shown across workers; each adds its tally to the shared cache in batches.
    monkeypatch.setattr(request_counts, "FLUSH_SECONDS", 3600.0)  # however slow this machine, no write by the clock
    this_minute, next_minute = minute_key(PINNED_NOW), minute_key(PINNED_NOW + timedelta(minutes=1))
    cache.set(this_minute, 5)  # what the other workers wrote for this minute
    for _ in range(3):
        client.get(reverse("home"))
    assert cache.get(this_minute) == 5  # not written yet
    assert selectors.request_rates()[-1].count == 8  # but this worker's own tally is shown
    pinned_time.move_to(PINNED_NOW + timedelta(minutes=1))
    client.get(reverse("home"))
    assert (cache.get(this_minute), cache.get(next_minute)) == (8, 1)  # a new minute writes what was tallied
    assert [bar.count for bar in selectors.request_rates()[-2:]] == [8, 1]


def test_a_worker_writes_its_tally_again_once_a_second_has_passed(client, pinned_time, monkeypatch):
    monkeypatch.setattr(request_counts, "FLUSH_SECONDS", 0.0)
    client.get(reverse("home"))
    client.get(reverse("home"))
    assert cache.get(minute_key(PINNED_NOW)) == 2
    assert not request_counts.tally.pending()


def test_the_administrator_sees_the_panel_and_opening_it_takes_todays_snapshot(client, personas, var_dir):
    admin = personas.lpse_admin
    give_totp(admin)
    client.force_login(admin)
    _queue(4, delivered=1)
    page = client.get(reverse("monitoring:capacity"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "3,9 KB" in text or "3.9 KB" in text  # 4000 bytes of stored files
    assert 'id="kpi-queue"><span class="kpi-value">3<' in text
    assert CapacitySnapshot.objects.count() == 1
    client.get(reverse("monitoring:capacity"))
    assert CapacitySnapshot.objects.count() == 1


def test_the_panel_is_the_administrators_only(client, personas):
    for role in (Role.AUDITOR, Role.KEPALA_LPSE, Role.HELPDESK):
        user = personas.make(role)
        give_totp(user)
        client.force_login(user)
        assert client.get(reverse("monitoring:capacity")).status_code == 404
    assert not CapacitySnapshot.objects.exists()
