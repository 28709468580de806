"""Writing to the audit chain. Every service that changes data calls `record()` inside its own transaction."""

import re

from django.db import connection

from eproc.core import clock

from .chain import event_hash, to_json_safe
from .models import AuditChainHead, AuditEvent

# Pasal 4(2)a: access codes stay secret. A key that looks like a secret is refused outright rather than
# redacted, so a careless caller finds out in tests instead of leaking a password into a permanent record.
# Matched on whole words of a snake_case key, so "new_password" and "passphrase" are refused while a verdict such as
# "administrative_passed" is recorded.
_SECRET_KEY_PATTERN = re.compile(
    r"(^|_)(pass|password|passphrase|secret|token|otp|totp|seed|private|identity_key)($|_)", re.IGNORECASE
)


class AuditError(RuntimeError):
    pass


def _check_no_secrets(data, path="data"):
    if isinstance(data, dict):
        for key, value in data.items():
            if _SECRET_KEY_PATTERN.search(str(key)):
                raise AuditError(f"Refusing to write what looks like a secret ({path}.{key}) to the audit log.")
            _check_no_secrets(value, f"{path}.{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _check_no_secrets(value, f"{path}[{index}]")


def _actor_label(actor) -> str:
    if actor is None:
        return "system"
    return actor.email or str(actor.pk)


def record(*, actor, action: str, target=None, agency=None, data: dict | None = None) -> AuditEvent:
    """Append one event. Must run inside the transaction of the change it records, so that either both are
    committed or neither is (DESIGN 6)."""
    if not connection.in_atomic_block:
        raise AuditError("audit.record() must be called inside the transaction of the change it records.")
    payload = to_json_safe(data or {})
    _check_no_secrets(payload)

    head = AuditChainHead.objects.select_for_update().filter(id=1).first()
    if head is None:
        # Migration 0002 creates the head; this covers a database flushed since (tests, a restore). The insert
        # ignores a concurrent creator, and the lock is then taken on whichever row won.
        AuditChainHead.objects.bulk_create([AuditChainHead(id=1)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(id=1)
    fields = {
        "sequence": head.sequence + 1,
        "occurred_at": clock.now(),
        "actor_id": actor.pk if actor is not None else None,
        "actor_label": _actor_label(actor),
        "action": action,
        "object_type": target._meta.label_lower if target is not None else "",
        "object_id": str(getattr(target, "public_id", None) or target.pk) if target is not None else "",
        "agency_id": agency.pk if agency is not None else None,
        "data": payload,
        "previous_hash": head.hash,
    }
    digest = event_hash(fields)
    event = AuditEvent.objects.create(**fields, hash=digest)
    AuditChainHead.objects.filter(id=1).update(sequence=fields["sequence"], hash=digest)
    return event
