"""Complaints (pengaduan, Pasal 14): filed by the public or vendors through the system, followed by a tracking code,
triaged by the LPSE, forwarded to LPSE Pusat and the supervisory team (Pasal 14b), answered and closed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from eproc.core.ids import new_public_id


class Complaint(models.Model):
    class About(models.TextChoices):
        TENDER = "tender", _("A tender")
        SERVICE = "service", _("The LPSE's service or the system")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_REVIEW = "in_review", _("Being reviewed")
        FORWARDED = "forwarded", _("Forwarded")
        ANSWERED = "answered", _("Answered and closed")

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    # The reporter's key to follow the complaint without an account; long enough not to be guessed.
    tracking_code = models.CharField(max_length=20, unique=True)
    about = models.CharField(_("about"), max_length=20, choices=About.choices)
    tender_reference = models.CharField(_("tender (code or name)"), max_length=200, blank=True)
    agency = models.ForeignKey(
        "organizations.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    title = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("what happened"))
    reporter_name = models.CharField(_("your name"), max_length=200, blank=True)
    reporter_email = models.EmailField(_("your e-mail"), blank=True)
    reporter_phone = models.CharField(_("your phone"), max_length=32, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.tracking_code} {self.title}"


class ComplaintAttachment(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="complaints/", max_length=255)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()

    def __str__(self):
        return self.original_name


class Forward(models.Model):
    """What was sent to whom, when, through which channel, and whether it went out (Pasal 14b)."""

    class Destination(models.TextChoices):
        LPSE_PUSAT = "lpse_pusat", _("LPSE Pusat (LKPP)")
        SUPERVISORS = "tim_pengawas", _("Supervisory team (Tim Pengawas / Inspektorat)")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="forwards")
    destination = models.CharField(max_length=30, choices=Destination.choices)
    channel = models.CharField(max_length=50)
    address = models.CharField(max_length=254)
    message = models.TextField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    delivered = models.BooleanField()
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["sent_at"]

    def __str__(self):
        return f"{self.complaint} -> {self.destination}"


class Ticket(models.Model):
    """A consultation with the helpdesk (Pasal 9(9)a-c): asked on the web, or by phone or in person and logged by
    the staff who took it."""

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        PHONE = "phone", _("Phone")
        WALK_IN = "walk_in", _("In person at the LPSE")
        EMAIL = "email", _("E-mail")

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=200)
    question = models.TextField(_("question"))
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    asker_name = models.CharField(_("name of the person asking"), max_length=200, blank=True)
    asker_contact = models.CharField(_("their phone or e-mail"), max_length=200, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject


class FaqEntry(models.Model):
    """A question and answer on the public help page, kept by the helpdesk (Pasal 9(9)c)."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"))
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    is_published = models.BooleanField(_("published"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["position", "question"]

    def __str__(self):
        return self.question


class DeviationFlag(models.Model):
    """A procedural deviation the helpdesk noticed, reported to the Head of LPSE for follow-up (Pasal 9(9)e)."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    tender_reference = models.CharField(_("tender (code or name)"), max_length=200)
    description = models.TextField(_("what deviates from the procedure"))
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    flagged_at = models.DateTimeField()
    follow_up = models.TextField(_("follow-up"), blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-flagged_at"]

    def __str__(self):
        return self.tender_reference
