"""The hash function of the audit chain, shared by writing and verification so the two can never drift."""

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

GENESIS_HASH = "0" * 64


def canonical_json(value) -> str:
    """Stable text for hashing: sorted keys, no whitespace, UTF-8, and no floats (their text is not stable
    across databases: PostgreSQL jsonb and SQLite may print them differently)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def to_json_safe(value):
    """Turn Decimal, dates and ids into strings before they reach JSON storage, so they round-trip exactly."""
    if isinstance(value, dict):
        return {str(key): to_json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json_safe(item) for item in value]
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):
        raise TypeError("Audit data must not contain floats; use Decimal or str.")
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"Audit data cannot hold a {type(value).__name__}.")


# Every column of AuditEvent except `hash` itself: what the hash covers.
HASHED_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "agency_id",
    "data",
    "previous_hash",
)


def event_hash(fields: dict) -> str:
    """SHA-256 over the canonical JSON of the hashed fields, given as a dict keyed by HASHED_FIELDS."""
    occurred_at: datetime = fields["occurred_at"]
    if occurred_at.tzinfo is None:
        raise ValueError("Audit timestamps must be timezone-aware.")
    body = {name: fields[name] for name in HASHED_FIELDS}
    # Microsecond UTC text: both databases store microseconds, so the value read back hashes the same.
    body["occurred_at"] = occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def stored_event_hash(event) -> str:
    """The hash an AuditEvent row should carry, recomputed from what is stored."""
    return event_hash({name: getattr(event, name) for name in HASHED_FIELDS})
