from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One append-only entry of the hash chain (DESIGN 6; Pasal 5b forbids manipulating data, so every
    change leaves a trace that cannot be silently edited).

    Each event carries the hash of the previous one; `hash` covers every other column through a canonical JSON
    encoding (see `chain.event_hash`). Database triggers refuse UPDATE and DELETE (migration 0002), and
    `manage.py audit_verify` finds the first broken link if someone with raw database access bypasses them.
    """

    sequence = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Kept beside the foreign key so the trail still names the person if the account is renamed.
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # The agency whose data the event is about, so agency-scoped auditors see their own trail.
    agency = models.ForeignKey(
        "organizations.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["agency", "sequence"])]

    def __str__(self):
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """The single row that points at the newest event.

    Appending locks this row (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers with IMMEDIATE
    transactions), so the chain stays linear under concurrent writers. It also lets `audit_verify` notice a
    truncated tail: the head still names the sequence and hash of the deleted last event.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_single_chain_head")]

    def __str__(self):
        return f"head #{self.sequence} {self.hash[:12]}"
