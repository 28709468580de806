"""Publishing public changes (Pasal 7(1)c, 12b): each becomes an OCDS release in the outbox, written in the caller's
transaction, so a change and its publication commit together or not at all."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import translation

from eproc.core import clock

from . import ocds
from .models import OutboxEntry

# Any constant will do: it names the one lock that orders publishing transactions on PostgreSQL.
_FEED_LOCK = 7_120_011


def _serialise_writers() -> None:
    """Make ids visible in commit order, so that the feed's cursor (the last id read) never skips a change.

    PostgreSQL hands out sequence values at insert time but makes rows visible at commit: a reader could see id 11
    before id 10 commits and move its cursor past 10 for good. Holding a transaction-scoped advisory lock from before
    the insert until the commit means the next publishing transaction takes its id only after this one is visible.
    Publishing is rare next to reading (announcements, openings, results), so the serialisation costs nothing that
    matters; bid uploads never publish. SQLite already has a single writer."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_FEED_LOCK])


def _release_for(kind: str, subject: str, release_id: str) -> tuple[str, dict | None]:
    if kind.startswith("plan."):
        from eproc.planning.models import PlanItem

        item = PlanItem.objects.select_related("work_unit__agency").get(public_id=subject)
        return ocds.ocid_for(subject), ocds.plan_release(item, kind=kind, release_id=release_id)
    from eproc.tenders.models import Tender

    tender = Tender.objects.select_related("work_unit__agency", "agency", "plan_item", "repeat_of").get(
        public_id=subject
    )
    return ocds.ocid_for(subject), ocds.tender_release(tender, kind=kind, release_id=release_id)


def enqueue(*, kind: str, subject: str, payload: dict) -> OutboxEntry | None:
    """Queue one public change of a plan item ("plan.*") or a tender ("tender.*") with its OCDS release. Training
    sandbox tenders are never published: they are not real procurement."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enqueue() must run inside the transaction of the change it publishes")
    if kind.startswith("tender."):
        from eproc.tenders.models import Tender

        if Tender.objects.filter(public_id=subject, sandbox=True).exists():
            return None
    _serialise_writers()
    number = OutboxEntry.objects.filter(kind=kind, subject=subject).count() + 1
    key = f"{kind}:{subject}:{number}"
    # Releases are in Indonesian whatever language the person who made the change reads the site in.
    with translation.override("id"):
        ocid, release = _release_for(kind, subject, release_id=key)
    return OutboxEntry.objects.create(
        key=key,
        kind=kind,
        subject=subject,
        ocid=ocid,
        release=release,
        payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
        created_at=clock.now(),
    )
