"""Reads of the publication queue for the LPSE administrator's page (the worker's own reads are in delivery.py)."""

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Func, OuterRef, Subquery

from eproc.core import clock

from .delivery import enabled, endpoint_label, needs_attention, same_process
from .models import OutboxEntry


@dataclass(frozen=True)
class QueueSummary:
    enabled: bool
    endpoint: str
    waiting: int
    failing: int
    needing_attention: int
    delivered_today: int
    oldest_waiting_since: datetime | None
    last_delivered_at: datetime | None


@dataclass(frozen=True)
class FailingEntry:
    entry: OutboxEntry
    needs_attention: bool
    waiting_behind: int


def _start_of_local_day() -> datetime:
    zone = ZoneInfo(settings.TIME_ZONE)  # the LPSE's own day
    return datetime.combine(clock.today_in(zone), time.min, tzinfo=zone)


def summary() -> QueueSummary:
    undelivered = OutboxEntry.objects.filter(delivered_at__isnull=True)
    failing = list(undelivered.filter(attempts__gt=0).values_list("last_error", flat=True))
    oldest = undelivered.order_by("id").values_list("created_at", flat=True).first()
    last = OutboxEntry.objects.filter(delivered_at__isnull=False).order_by("-delivered_at")
    return QueueSummary(
        enabled=enabled(),
        endpoint=endpoint_label(),
        waiting=undelivered.count(),
        failing=len(failing),
        needing_attention=sum(1 for error in failing if needs_attention(error)),
        delivered_today=OutboxEntry.objects.filter(delivered_at__gte=_start_of_local_day()).count(),
        oldest_waiting_since=oldest,
        last_delivered_at=last.values_list("delivered_at", flat=True).first(),
    )


def failing_entries(limit: int = 200) -> list[FailingEntry]:
    """Undelivered entries that have failed at least once, oldest first, each with how many later changes of its
    process wait behind it."""
    behind = (
        OutboxEntry.objects.filter(same_process(), delivered_at__isnull=True, id__gt=OuterRef("id"))
        .order_by()
        .annotate(count=Func(F("id"), function="COUNT"))
        .values("count")
    )
    rows = (
        OutboxEntry.objects.filter(delivered_at__isnull=True, attempts__gt=0)
        .annotate(waiting_behind=Subquery(behind))
        .order_by("id")[:limit]
    )
    return [FailingEntry(row, needs_attention(row.last_error), row.waiting_behind or 0) for row in rows]
