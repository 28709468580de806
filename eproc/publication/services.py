"""Queueing public changes for the national portal. Called inside the caller's transaction, so a change and its
queue entry commit together or not at all."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from eproc.core import clock

from .models import OutboxEntry


def enqueue(*, kind: str, subject: str, payload: dict) -> OutboxEntry:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enqueue() must run inside the transaction of the change it publishes")
    number = OutboxEntry.objects.filter(kind=kind, subject=subject).count() + 1
    return OutboxEntry.objects.create(
        key=f"{kind}:{subject}:{number}",
        kind=kind,
        subject=subject,
        payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
        created_at=clock.now(),
    )
