"""Training sessions of the LPSE (Pasal 8(2)d, 9(10)): the Trainer trains committees, PPK and vendors in the
e-procurement procedure and the application, and answers their questions. People register, attendance is
recorded, and the session's materials are kept for its participants."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from eproc.core.ids import new_public_id


class Audience(models.TextChoices):
    # Pasal 9(10)a names the users trained: committees (panitia / pejabat pengadaan), PPK and vendors.
    COMMITTEE = "committee", _("Procurement committees and officers (Pokja / Pejabat Pengadaan)")
    PPK = "ppk", _("Commitment officers (PPK)")
    VENDOR = "vendor", _("Vendors (penyedia)")
    PUBLIC = "public", _("Anyone with an account")


class TrainingSession(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    topic = models.CharField(_("topic"), max_length=200)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacity"))
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["starts_at", "topic"]
        indexes = [models.Index(fields=["starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="training_session_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="training_session_capacity_positive"),
        ]

    def __str__(self):
        return self.topic

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Registration(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField()
    attended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["registered_at"]
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="training_registration_once")]

    def __str__(self):
        return f"{self.session} · {self.user}"


class Material(models.Model):
    """A handout or slide deck of a session, stored by its hash like every other file (DESIGN 2)."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="materials")
    file = models.FileField(upload_to="training/", max_length=255)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name
