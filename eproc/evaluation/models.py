"""The second half of a tender (Pasal 7(3)b, 7(3)d, 7(4)): the bids as read at the opening, their evaluation, the
winner, objections and appeals, the award letter and the contract.

Bids are stored sealed (bids app) and read only after their box opened; a Bid row holds what the opened envelope
declared (penawaran.json, docs/bid-envelope.md). Nothing here exists before the opening.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from eproc.core.ids import new_public_id


class Bid(models.Model):
    """What one participant offered, read from its opened envelope(s)."""

    class Status(models.TextChoices):
        READ = "read", _("read")
        NO_BID = "no_bid", _("no bid submitted")
        UNREADABLE = "unreadable", _("unreadable or incomplete envelope")
        MALFORMED = "malformed", _("no valid penawaran.json in the envelope")

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="bids")
    participant = models.OneToOneField("tenders.Participant", on_delete=models.PROTECT, related_name="bid")
    status = models.CharField(max_length=20, choices=Status.choices)
    status_reason = models.CharField(max_length=300, blank=True)
    # The offered total (the price envelope's, for two-file tenders; empty until that box opens).
    price = models.DecimalField(_("bid price"), max_digits=18, decimal_places=2, null=True, blank=True)
    declared = models.JSONField(default=dict)  # penawaran.json of each envelope, by envelope kind
    files = models.JSONField(default=list)  # names, sizes and SHA-256 of the documents inside the envelope(s)
    read_at = models.DateTimeField()

    class Meta:
        ordering = ["price", "pk"]

    def __str__(self):
        return f"{self.participant.vendor} {self.price}"


class Evaluation(models.Model):
    """The committee's findings on one bid, each with its reason (Pasal 7(3)b "melakukan evaluasi")."""

    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="evaluation")
    administrative_passed = models.BooleanField(_("administration"), null=True)
    administrative_reason = models.TextField(blank=True)
    technical_passed = models.BooleanField(_("technical"), null=True)
    technical_score = models.DecimalField(_("technical score"), max_digits=6, decimal_places=2, null=True, blank=True)
    technical_reason = models.TextField(blank=True)
    # Harga terkoreksi: the bid price after arithmetic correction of the bill of quantities.
    corrected_price = models.DecimalField(_("corrected price"), max_digits=18, decimal_places=2, null=True, blank=True)
    price_reason = models.TextField(blank=True)
    qualification_passed = models.BooleanField(_("qualification"), null=True)
    qualification_reason = models.TextField(blank=True)
    proof_passed = models.BooleanField(_("proof of qualification"), null=True)
    proof_reason = models.TextField(blank=True)
    # Pengadaan Langsung: the price agreed in the clarification and negotiation.
    negotiated_price = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()

    def __str__(self):
        return f"evaluation of {self.bid}"


class Result(models.Model):
    """Penetapan pemenang: the winner, two reserves, the ranking as decided, and the BAHP."""

    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="results")
    winner = models.ForeignKey("tenders.Participant", on_delete=models.PROTECT, related_name="+")
    reserve_1 = models.ForeignKey(
        "tenders.Participant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reserve_2 = models.ForeignKey(
        "tenders.Participant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    winning_price = models.DecimalField(max_digits=18, decimal_places=2)
    ranking = models.JSONField()  # every bidder with its results and reasons, as decided
    reasons = models.TextField(_("reasons"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    minutes = models.FileField(upload_to="evaluation/bahp/", blank=True)  # Berita Acara Hasil Pelelangan
    minutes_sha256 = models.CharField(max_length=64, blank=True)
    announced_at = models.DateTimeField(null=True, blank=True)
    # A justified objection or appeal voids the result; the committee evaluates again (Pasal 82(6)).
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.UniqueConstraint(fields=["tender"], condition=Q(voided_at__isnull=True), name="one_standing_result")
        ]

    def __str__(self):
        return f"result of {self.tender_id}"


class Objection(models.Model):
    """Sanggah (Perpres 54/2010 Pasal 81; Perbup Pasal 7(3)d, 7(4)a): public with its answer."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="objections")
    participant = models.ForeignKey("tenders.Participant", on_delete=models.PROTECT, related_name="objections")
    text = models.TextField(_("objection"))
    document = models.FileField(upload_to="evaluation/objections/", blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    answer = models.TextField(_("answer"), blank=True)
    justified = models.BooleanField(null=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_due = models.DateTimeField()

    class Meta:
        ordering = ["filed_at"]

    def __str__(self):
        return f"sanggah {self.public_id}"


class Appeal(models.Model):
    """Sanggah banding to the PA (Pasal 82), with its guarantee; it halts the tender until decided."""

    objection = models.OneToOneField(Objection, on_delete=models.PROTECT, related_name="appeal")
    text = models.TextField(_("appeal"))
    guarantee_amount = models.DecimalField(max_digits=18, decimal_places=2)
    guarantee_document = models.FileField(upload_to="evaluation/appeals/")
    guarantee_sha256 = models.CharField(max_length=64)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    decision_due = models.DateTimeField()
    justified = models.BooleanField(null=True)
    decision = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"banding {self.objection.public_id}"


class AwardLetter(models.Model):
    """SPPBJ (or, for Pengadaan Langsung, the SPK): issued by the PPK to the winner."""

    tender = models.OneToOneField("tenders.Tender", on_delete=models.PROTECT, related_name="award_letter")
    result = models.ForeignKey(Result, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("letter number"), max_length=120)
    value = models.DecimalField(max_digits=18, decimal_places=2)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    pdf = models.FileField(upload_to="evaluation/sppbj/")
    pdf_sha256 = models.CharField(max_length=64)

    def __str__(self):
        return self.number


class Contract(models.Model):
    """The contract record that closes the tender; savings = HPS - value are kept for reports."""

    tender = models.OneToOneField("tenders.Tender", on_delete=models.PROTECT, related_name="contract")
    number = models.CharField(_("contract number"), max_length=120)
    signed_on = models.DateField(_("signed on"))
    value = models.DecimalField(_("contract value"), max_digits=18, decimal_places=2)
    starts_on = models.DateField(_("work starts"))
    ends_on = models.DateField(_("work ends"))
    scan = models.FileField(upload_to="evaluation/contracts/")
    scan_sha256 = models.CharField(max_length=64)
    savings = models.DecimalField(max_digits=18, decimal_places=2)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="contract_value_positive"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="contract_period_ordered"),
        ]

    def __str__(self):
        return self.number
