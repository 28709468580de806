"""Sealed bids (Pasal 7(4)b, the APENDO duty, made stronger; DESIGN 5).

A SealedBox is one envelope of one tender: the committee's threshold key, the upload window and the bids
(Envelope) sealed to it. The tender lifecycle creates boxes; this app knows nothing of tenders beyond a reference.
Nothing here can decrypt a bid before the opening: the server keeps only the public recipient, the shares
encrypted to each committee member and the SHA-256 of each share.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from eproc.core.ids import new_public_id


class CommitteeKey(models.Model):
    """The public half of a committee member's personal age identity. The secret half never leaves the
    member's browser except as a passphrase-protected file that only they keep."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="committee_keys")
    recipient = models.CharField(_("age recipient"), max_length=100)
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(retired_at__isnull=True), name="one_active_key_per_member"
            )
        ]

    def __str__(self):
        return f"{self.user} {self.recipient[:16]}…"


class SealedBox(models.Model):
    class EnvelopeKind(models.TextChoices):
        SINGLE = "single", _("Bid (single envelope)")
        TECHNICAL = "technical", _("Administrative and technical envelope")
        PRICE = "price", _("Price envelope")

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    agency = models.ForeignKey("organizations.Agency", on_delete=models.PROTECT, related_name="sealed_boxes")
    reference = models.CharField(_("tender reference"), max_length=120)
    title = models.CharField(_("title"), max_length=300)
    envelope = models.CharField(_("envelope"), max_length=20, choices=EnvelopeKind.choices)
    recipient = models.CharField(_("tender recipient"), max_length=100)
    threshold = models.PositiveSmallIntegerField(_("shares needed to open (k)"))
    upload_opens_at = models.DateTimeField(_("upload opens"))
    deadline = models.DateTimeField(_("upload deadline"))
    # Bytes of a bid committed before the deadline may finish arriving within this period (DESIGN 5).
    grace_period = models.DurationField(_("grace period for committed bytes"))
    opening_at = models.DateTimeField(_("opening time"))
    bidders = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    # Set while the opening decrypts (outside any transaction); a claim older than the stale limit may be retaken
    # after a crash. `opened_at` is set only once every envelope's outcome is recorded.
    opening_claimed_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    # A two-file tender's price box opens only after the technical evaluation (Perpres 54/2010 Pasal 47): it is made
    # held and the tender releases it, having withheld the envelopes of those who did not pass.
    held = models.BooleanField(default=False)
    released_at = models.DateTimeField(null=True, blank=True)
    # A cancelled or failed tender closes its unopened boxes: no bid is taken and no share opens them, ever.
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-deadline"]
        constraints = [
            models.CheckConstraint(condition=Q(threshold__gte=1), name="box_threshold_positive"),
            models.CheckConstraint(condition=Q(deadline__gt=models.F("upload_opens_at")), name="box_window_ordered"),
            models.UniqueConstraint(fields=["reference", "envelope"], name="one_box_per_tender_envelope"),
        ]

    def __str__(self):
        return f"{self.reference} ({self.get_envelope_display()})"

    @property
    def bytes_deadline(self):
        return self.deadline + self.grace_period


class BoxShare(models.Model):
    """One committee member's Shamir share of the box seed, encrypted to that member's own recipient."""

    box = models.ForeignKey(SealedBox, on_delete=models.PROTECT, related_name="shares")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    member_recipient = models.CharField(max_length=100)
    share_index = models.PositiveSmallIntegerField()
    share_ciphertext = models.BinaryField()
    share_sha256 = models.CharField(max_length=64)
    # Filled only after the opening time, when the member decrypts the share in their browser and submits it.
    submitted_share = models.BinaryField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["share_index"]
        constraints = [
            models.UniqueConstraint(fields=["box", "member"], name="one_share_per_member"),
            models.UniqueConstraint(fields=["box", "share_index"], name="share_index_unique_in_box"),
        ]

    def __str__(self):
        return f"{self.box} share {self.share_index}"


class Envelope(models.Model):
    """A bid sealed to a box: first a commitment (SHA-256 and size, the binding part that must arrive before
    the deadline), then the bytes, in chunks. A newer commitment by the same bidder supersedes the older one."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    box = models.ForeignKey(SealedBox, on_delete=models.PROTECT, related_name="envelopes")
    bidder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The receipt names the bidder only through a hiding commitment; this nonce opens it for the bidder.
    bidder_nonce = models.BinaryField()
    ciphertext_sha256 = models.CharField(max_length=64)
    ciphertext_size = models.PositiveBigIntegerField()
    committed_at = models.DateTimeField()
    commitment_log_index = models.PositiveBigIntegerField()
    received_size = models.PositiveBigIntegerField(default=0)
    bytes_completed_at = models.DateTimeField(null=True, blank=True)
    bytes_log_index = models.PositiveBigIntegerField(null=True, blank=True)
    storage_name = models.CharField(max_length=255, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    # Set before the opening for a price envelope of a bidder who failed the technical evaluation: it stays sealed.
    withheld_reason = models.CharField(max_length=300, blank=True)
    receipt = models.JSONField()

    class Meta:
        ordering = ["committed_at"]
        indexes = [models.Index(fields=["box", "bidder", "superseded_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["box", "bidder"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_envelope_per_bidder",
            ),
            models.CheckConstraint(
                condition=Q(received_size__lte=models.F("ciphertext_size")), name="envelope_no_more_than_committed"
            ),
        ]

    def __str__(self):
        return f"{self.box} {self.ciphertext_sha256[:12]}"

    @property
    def is_complete(self) -> bool:
        return self.bytes_completed_at is not None


class LogHead(models.Model):
    """Single row locked while appending, so log indexes are dense and ordered under concurrent writers."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="single_log_head")]

    def __str__(self):
        return f"log size {self.size}"


class LogEntry(models.Model):
    """An entry of the transparency log (RFC 6962 layout): a signed receipt, hashed as a Merkle leaf."""

    index = models.PositiveBigIntegerField(unique=True)
    leaf_hash = models.CharField(max_length=64)
    document = models.JSONField()
    created_at = models.DateTimeField()
    box = models.ForeignKey(SealedBox, null=True, blank=True, on_delete=models.PROTECT, related_name="log_entries")

    class Meta:
        ordering = ["index"]

    def __str__(self):
        return f"log #{self.index}"


class LogNode(models.Model):
    """The root of a complete subtree of the log: the 2**height entries from position * 2**height on (RFC 6962
    layout; height 0, the leaves, stay in LogEntry). Written once, in the transaction that appends the entry
    completing it (log.append), so a proof or a tree head reads O(log n) rows rather than every entry; `manage.py
    audit_verify` recomputes them all from the entries (log.verify_stored_tree)."""

    height = models.PositiveSmallIntegerField()
    position = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["height", "position"], name="unique_log_node")]

    def __str__(self):
        return f"log subtree {self.height}/{self.position}"


class Checkpoint(models.Model):
    """A signed tree head. The one frozen at a box's deadline goes into its opening minutes."""

    size = models.PositiveBigIntegerField()
    root = models.CharField(max_length=64)
    document = models.JSONField()
    created_at = models.DateTimeField()
    frozen_for = models.OneToOneField(
        SealedBox, null=True, blank=True, on_delete=models.PROTECT, related_name="frozen_checkpoint"
    )

    class Meta:
        ordering = ["-size", "-created_at"]

    def __str__(self):
        return f"checkpoint {self.size} {self.root[:12]}"


class Opening(models.Model):
    """The opening of a box (Berita Acara Pembukaan): when, by whose shares, and the minutes."""

    box = models.OneToOneField(SealedBox, on_delete=models.PROTECT, related_name="opening")
    opened_at = models.DateTimeField()
    minutes_pdf = models.FileField(upload_to="bids/minutes/", max_length=255, blank=True)
    minutes_sha256 = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return f"opening of {self.box}"


class OpenedEnvelope(models.Model):
    class Outcome(models.TextChoices):
        OPENED = "opened", _("opened")
        UNREADABLE = "unreadable", _("unreadable")
        INCOMPLETE = "incomplete", _("bytes never completed")
        WITHHELD = "withheld", _("kept sealed (did not pass the technical evaluation)")

    envelope = models.OneToOneField(Envelope, on_delete=models.PROTECT, related_name="opened")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True)
    plaintext_sha256 = models.CharField(max_length=64, blank=True)
    plaintext_size = models.PositiveBigIntegerField(null=True, blank=True)
    storage_name = models.CharField(max_length=255, blank=True)

    def __str__(self):
        return f"{self.envelope} {self.outcome}"
