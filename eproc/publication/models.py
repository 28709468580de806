"""What the LPSE publishes (Pasal 7(1)c, 12b; DESIGN 7): every public change is one OCDS release, written here in the
transaction that made the change, so nothing announced can be lost on its way to the feed or the national portal.

The table is at once the public feed (read in `id` order through an opaque cursor) and the national-portal outbox
(`delivered_at` and the retry bookkeeping). `services.enqueue` serialises writers so that ids become visible in
commit order, which is what lets a reader page by id without ever skipping a change."""

from django.db import models


class OutboxEntry(models.Model):
    # Sent as the idempotency key: the portal recognises a retry of the same change.
    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=60)
    subject = models.CharField(max_length=40)  # public id of what changed
    # The OCDS contracting process this change belongs to, and the release that tells it (OCDS 1.1.5).
    ocid = models.CharField(max_length=120, db_index=True, default="")
    release = models.JSONField(null=True, blank=True)
    payload = models.JSONField()  # what changed, for the LPSE's own reading of the queue
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["delivered_at", "id"])]

    def __str__(self):
        return self.key
