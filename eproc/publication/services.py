"""Publishing public changes (Pasal 7(1)c, 12b): each becomes an OCDS release in the outbox, written in the caller's
transaction, so a change and its publication commit together or not at all."""

import json

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from eproc.audit.services import record
from eproc.core import clock
from eproc.permissions import require

from . import ocds, policies
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


# --- The administrator's replay of the national-portal queue (delivery.py sends) ---------------------------------


def _lock_for_replay(rows):
    # Skip an entry a worker is posting right now (it is being tried anyway) instead of making the page wait for
    # the portal's timeout. SQLite ignores the lock: one worker, and writes there are serialised anyway.
    return rows.select_for_update(skip_locked=True) if connection.features.has_select_for_update_skip_locked else rows


@transaction.atomic
def replay(*, actor, entry: OutboxEntry) -> OutboxEntry:
    """The administrator asks for an entry to be tried now rather than at the end of its backoff (Pasal 9(7)c-d),
    typically after the portal or our configuration was fixed. The backoff itself goes on counting."""
    require(policies.can_manage_outbox(actor))
    locked = _lock_for_replay(OutboxEntry.objects.filter(pk=entry.pk)).first()
    if locked is None:
        raise ValidationError(_("This change is being sent right now."))
    if locked.delivered_at is not None:
        raise ValidationError(_("This change has already reached the national portal."))
    previous = locked.next_attempt_at
    locked.next_attempt_at = clock.now()
    locked.save(update_fields=["next_attempt_at"])
    record(
        actor=actor,
        action="publication.outbox_replayed",
        target=locked,
        data={
            "idempotency_key": locked.key,
            "attempts": locked.attempts,
            "last_error": locked.last_error,
            "was_due_at": previous,
        },
    )
    return locked


@transaction.atomic
def replay_failing(*, actor) -> int:
    """Every failing entry is tried at the next pass of the worker. Returns how many."""
    require(policies.can_manage_outbox(actor))
    now = clock.now()
    rows = _lock_for_replay(OutboxEntry.objects.filter(delivered_at__isnull=True, attempts__gt=0).order_by("id"))
    ids, keys = [], []
    for pk, key in rows.values_list("id", "key"):
        ids.append(pk)
        keys.append(key)
    if not ids:
        raise ValidationError(_("No failing change to replay."))
    for start in range(0, len(ids), 500):  # bounded IN lists (SQLite limits the number of parameters)
        OutboxEntry.objects.filter(pk__in=ids[start : start + 500]).update(next_attempt_at=now)
    record(actor=actor, action="publication.outbox_replayed_all", data={"idempotency_keys": keys, "count": len(keys)})
    return len(keys)
