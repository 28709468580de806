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


def event_hash(
    *,
    sequence: int,
    occurred_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    agency_id: int | None,
    data: dict,
    previous_hash: str,
) -> str:
    if occurred_at.tzinfo is None:
        raise ValueError("Audit timestamps must be timezone-aware.")
    body = canonical_json(
        {
            "sequence": sequence,
            # Microsecond UTC text: both databases store microseconds, so the value read back hashes the same.
            "occurred_at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_id": actor_id,
            "actor_label": actor_label,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "agency_id": agency_id,
            "data": data,
            "previous_hash": previous_hash,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
