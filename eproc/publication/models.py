"""What the LPSE owes the national procurement information centre (Pasal 12b; DESIGN 7): every public change is
queued here, in the transaction that made it, so nothing announced can be lost on its way to the portal. Delivery
(with retries and the idempotency key) belongs to the publication issue; this table is its outbox."""

from django.db import models


class OutboxEntry(models.Model):
    # Sent as the idempotency key: the portal recognises a retry of the same change.
    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=60)
    subject = models.CharField(max_length=40)  # public id of what changed
    payload = models.JSONField()
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["delivered_at", "id"])]

    def __str__(self):
        return self.key
