"""Delivering the outbox to the national procurement information centre (Pasal 12b; DESIGN 7).

The outbox table is the durable queue: a change is written there in the transaction that made it (services.enqueue),
and `manage.py deliver_outbox` POSTs each entry to EPROC_PORTAL_URL with its key as the Idempotency-Key until the
portal answers 2xx. Nothing is ever dropped: an entry that fails waits (exponential backoff, capped) and is tried
again, for days if need be, and the LPSE administrator sees the failures and can replay them at once.

Order: the changes of one contracting process (same ocid, or the same subject for rows without one) reach the portal
in id order; while one of them fails, the later ones wait behind it, so an amendment never overtakes the
announcement it amends. Different processes do not wait for each other.

Workers: on PostgreSQL each entry is locked (SELECT ... FOR UPDATE SKIP LOCKED) for the length of its POST, so any
number of workers may run and none posts an entry another is posting. SQLite has no row locks: run one worker.
Even so a change may reach the portal twice (a response lost on the way back); the idempotency key is what lets the
portal recognise the retry, which is why it never changes for an entry.
"""

from __future__ import annotations

import json
import logging
import random
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.client import HTTPException
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q

from eproc.core import clock

from .models import OutboxEntry

logger = logging.getLogger(__name__)

# A client error is the portal refusing this change as it is: retried anyway (nothing is dropped), but shown to the
# administrator as needing attention. Timeouts (408) and rate limits (429) are ordinary transient failures.
TRANSIENT_CLIENT_ERRORS = frozenset({408, 429})
_STATUS_OF_ERROR = re.compile(r"^HTTP (\d{3})\b")
_MAX_ERROR_CHARS = 300
_MAX_RESPONSE_BYTES = 64 * 1024


# --- Posting one entry -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    key: str
    delivered: bool
    error: str = ""

    @property
    def needs_attention(self) -> bool:
        return needs_attention(self.error)


def enabled() -> bool:
    """Empty URL: delivery is switched off and the queue keeps every change until an endpoint is configured."""
    return bool(settings.EPROC_PORTAL_URL)


def endpoint_label() -> str:
    """The endpoint as the administrator may see it: scheme, host and path, never credentials in the URL."""
    parts = urlsplit(settings.EPROC_PORTAL_URL)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}" if host else ""


def needs_attention(error: str) -> bool:
    """True when the last failure was the portal refusing the change (a 4xx other than 408/429, or a redirect,
    which means the configured URL is wrong) or our configuration: waiting will not fix it, a person must look."""
    if (error or "").startswith("Configuration:"):
        return True
    match = _STATUS_OF_ERROR.match(error or "")
    if not match:
        return False
    status = int(match.group(1))
    return 300 <= status < 500 and status not in TRANSIENT_CLIENT_ERRORS


def backoff(attempts: int) -> timedelta:
    """How long an entry waits after its `attempts`-th failure: base * 2^(attempts-1) seconds, capped. Up to a tenth
    is taken off at random so that entries failing together (an outage) do not all come back in the same second."""
    base = settings.EPROC_PORTAL_BACKOFF_BASE_SECONDS
    cap = settings.EPROC_PORTAL_BACKOFF_CAP_SECONDS
    exponent = min(max(attempts, 1) - 1, 40)  # 2**40 times any base is past any cap; no need for bigger numbers
    seconds = min(cap, base * 2**exponent)
    return timedelta(seconds=seconds * (1 - 0.1 * random.random()))  # noqa: S311 (spreading retries, not a secret)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """urllib would follow a 301/302 of a POST as a GET without the body (and with our token, possibly to another
    host), and a 2xx to that GET would pass for a delivery. A redirect is an answer to fix, not to follow."""

    def redirect_request(self, *args, **kwargs):
        return None


def _scrub(text: str) -> str:
    """Short, one line, and without the token even if the portal echoes it back."""
    text = " ".join(str(text).split())
    token = settings.EPROC_PORTAL_TOKEN
    if token:
        text = text.replace(token, "[token]")
    return text[:_MAX_ERROR_CHARS]


def _body_of(entry: OutboxEntry) -> bytes:
    # Old rows predate the OCDS release column: their payload is what they have to tell.
    document = entry.release if entry.release is not None else entry.payload
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def post(entry: OutboxEntry) -> Outcome:
    """One POST of one entry; never raises for what the network or the portal does."""
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Idempotency-Key": entry.key,
        "User-Agent": "eproc-outbox/1",
    }
    if settings.EPROC_PORTAL_TOKEN:
        headers["Authorization"] = f"Bearer {settings.EPROC_PORTAL_TOKEN}"
    if urlsplit(settings.EPROC_PORTAL_URL).scheme not in ("http", "https"):  # urllib would also open file: URLs
        return Outcome(entry.key, False, "Configuration: EPROC_PORTAL_URL must start with https:// or http://")
    try:
        request = urllib.request.Request(settings.EPROC_PORTAL_URL, data=_body_of(entry), headers=headers)  # noqa: S310
        opener = urllib.request.build_opener(_NoRedirects)
        with opener.open(request, timeout=settings.EPROC_PORTAL_TIMEOUT_SECONDS) as response:
            # Read (a bounded amount of) the answer so that a portal that stalls after its status line is a timeout
            # here, not a delivery we only believe happened.
            response.read(_MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as error:  # any status outside 2xx, redirects included (see _NoRedirects)
        try:
            detail = error.read(500).decode("utf-8", "replace")
        except (OSError, HTTPException):
            detail = ""
        return Outcome(entry.key, False, _scrub(f"HTTP {error.code} {error.reason or ''} {detail}"))
    except urllib.error.URLError as error:  # refused, unreachable, DNS, TLS, timeout while connecting
        reason = error.reason
        return Outcome(entry.key, False, _scrub(f"{type(reason).__name__}: {reason}"))
    except (OSError, HTTPException) as error:  # timeout or reset while reading, a malformed answer
        return Outcome(entry.key, False, _scrub(f"{type(error).__name__}: {error}"))
    except ValueError as error:  # an EPROC_PORTAL_URL urllib cannot use
        return Outcome(entry.key, False, _scrub(f"Configuration: {error}"))
    return Outcome(entry.key, True)


# --- Choosing what is due and delivering it ------------------------------------------------------------------------


def _is_due(now: datetime) -> Q:
    return Q(delivered_at__isnull=True) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def same_process() -> Q:
    """Entries of the contracting process of the outer entry: same ocid (when there is one) or same subject."""
    return Q(subject=OuterRef("subject")) | (Q(ocid=OuterRef("ocid")) & ~Q(ocid=""))


def _groups(subject: str, ocid: str) -> set[tuple[str, str]]:
    return {("subject", subject), ("ocid", ocid)} if ocid else {("subject", subject)}


def due_ids(now: datetime | None = None) -> list[int]:
    """The entries to try now, in id order: undelivered, due, and first of their process among the undelivered.

    One pass over the undelivered rows (a few columns each) rather than a correlated subquery per row, which after
    days of outage would cost the square of the backlog."""
    now = now or clock.now()
    blocked: set[tuple[str, str]] = set()
    due = []
    rows = OutboxEntry.objects.filter(delivered_at__isnull=True).order_by("id")
    for pk, subject, ocid, next_attempt_at in rows.values_list("id", "subject", "ocid", "next_attempt_at"):
        groups = _groups(subject, ocid)
        if not groups & blocked and (next_attempt_at is None or next_attempt_at <= now):
            due.append(pk)
        blocked |= groups
    return due


def _claim(entry_id: int, *, lock: bool) -> OutboxEntry | None:
    """The entry if it is still due and still first of its process; None if another worker holds or delivered it."""
    rows = OutboxEntry.objects.filter(_is_due(clock.now()), pk=entry_id)
    if lock:
        rows = rows.select_for_update(skip_locked=True)
    entry = rows.first()
    if entry is None:
        return None
    earlier = OutboxEntry.objects.filter(delivered_at__isnull=True, id__lt=entry.pk)
    earlier = earlier.filter(Q(subject=entry.subject) | (Q(ocid=entry.ocid) & ~Q(ocid="")))
    return None if earlier.exists() else entry


def _bookkeep(entry: OutboxEntry, outcome: Outcome) -> None:
    """Record one attempt, in one UPDATE of the entry's row (atomic on its own).

    Not audited, on purpose: the change itself was audited when it was made and queued, and these columns are the
    record of its delivery. An audit event per attempt would add one chain event per entry per retry during a long
    outage, and would serialise every worker on the audit chain's head. The administrator's replay, which is a
    decision by a person, is audited (replay, replay_failing)."""
    now = clock.now()
    rows = OutboxEntry.objects.filter(pk=entry.pk, delivered_at__isnull=True)
    if outcome.delivered:
        # attempts counts every POST, so a delivered entry still says how many it took.
        rows.update(delivered_at=now, attempts=F("attempts") + 1, next_attempt_at=None, last_error="")
    else:
        attempts = entry.attempts + 1
        rows.update(attempts=attempts, last_error=outcome.error, next_attempt_at=now + backoff(attempts))


def deliver_entry(entry_id: int) -> Outcome | None:
    """Try one entry if it is (still) due; None when there was nothing to do."""
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: the row stays locked while it is posted, so another worker skips it rather than posting the same
        # change at the same moment. If this process dies mid-POST the transaction rolls back and the entry is
        # simply due again, to be retried with the same key.
        with transaction.atomic():
            entry = _claim(entry_id, lock=True)
            if entry is None:
                return None
            outcome = post(entry)
            _bookkeep(entry, outcome)
        return outcome
    # SQLite: no row locks (one worker only, see docs/operations-publication.md), and every transaction takes the
    # database's write lock at BEGIN (settings: IMMEDIATE), so the POST happens outside any transaction and only the
    # bookkeeping is written in one.
    entry = _claim(entry_id, lock=False)
    if entry is None:
        return None
    outcome = post(entry)
    with transaction.atomic():
        _bookkeep(entry, outcome)
    return outcome


@dataclass
class Report:
    switched_off: bool = False
    delivered: list[str] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return len(self.delivered) + len(self.failed)


def deliver_due(*, should_stop: Callable[[], bool] = lambda: False) -> Report:
    """Deliver everything that is due, and what becomes due behind it as the entries before it are delivered."""
    report = Report()
    if not enabled():
        report.switched_off = True
        return report
    while True:
        progressed = False
        for entry_id in due_ids():
            if should_stop():
                return report
            outcome = deliver_entry(entry_id)
            if outcome is None:
                continue
            if outcome.delivered:
                report.delivered.append(outcome.key)
                progressed = True
            else:
                report.failed.append(outcome)
                logger.warning("Outbox entry %s not delivered: %s", outcome.key, outcome.error)
        # A delivery may have made the next change of the same process due; failures wait for their backoff. Each
        # further pass needs a delivery, and a delivered entry leaves the queue, so this ends.
        if not progressed:
            return report
