from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from eproc.core.clock import TIME_ZONE_CHOICES, WIB
from eproc.core.ids import new_public_id

from .roles import ROLE_CHOICES


class Agency(models.Model):
    """A government served by this LPSE (instansi; Pasal 3: Ketapang and other regencies of West Kalimantan)."""

    class Kind(models.TextChoices):
        KABUPATEN = "kabupaten", _("Regency (Kabupaten)")
        KOTA = "kota", _("City (Kota)")
        PROVINSI = "provinsi", _("Province (Provinsi)")
        VERTIKAL = "vertikal", _("Central government office (Instansi vertikal)")

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    # The LKPP code of the institution, e.g. D201 for Kabupaten Ketapang.
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.KABUPATEN)
    time_zone = models.CharField(_("time zone"), max_length=40, choices=TIME_ZONE_CHOICES, default=WIB)
    address = models.TextField(_("address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self):
        return self.name


class WorkUnit(models.Model):
    """A work unit of an agency (Satuan Kerja / SKPD) that owns budgets and procurement packages."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="work_units")
    code = models.CharField(_("code"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency__name", "name"]
        verbose_name = _("work unit")
        verbose_name_plural = _("work units")
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="work_unit_name_unique_in_agency"),
            models.UniqueConstraint(
                fields=["agency", "code"], condition=~Q(code=""), name="work_unit_code_unique_in_agency"
            ),
        ]

    def __str__(self):
        return self.name


class Appointment(models.Model):
    """A user holds a role within a scope, backed by a decree (Surat Keputusan, SK) with a validity period.

    Pasal 7(1)e and 7(3)c: PPK and committee members are registered on the evidence of their SK. Appointments
    are never deleted: an ended one is revoked, so the history of who could do what stays auditable.
    """

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments")
    role = models.CharField(_("role"), max_length=30, choices=ROLE_CHOICES)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments")
    work_unit = models.ForeignKey(
        WorkUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    decree_number = models.CharField(_("decree (SK) number"), max_length=120)
    decree_date = models.DateField(_("decree date"))
    decree_file = models.FileField(_("decree file"), upload_to="decrees/", max_length=255)
    decree_file_name = models.CharField(max_length=255)
    decree_sha256 = models.CharField(max_length=64)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "role"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="appointment_valid_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(work_unit__isnull=True) | Q(agency__isnull=False),
                name="appointment_work_unit_needs_agency",
            ),
        ]
        indexes = [models.Index(fields=["user", "role"]), models.Index(fields=["agency", "role"])]

    def __str__(self):
        return f"{self.user} - {self.get_role_display()}"


class DayOff(models.Model):
    """A day off that the national holiday calendar does not know: cuti bersama declared each year, or a
    regional holiday of one agency. Maintained by the LPSE administrator; schedules skip these days."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)
    # Empty for a day off for everyone the LPSE serves; set for a regional holiday of one agency.
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="days_off")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("day off")
        verbose_name_plural = _("days off")
        constraints = [
            models.UniqueConstraint(fields=["date"], condition=Q(agency__isnull=True), name="day_off_unique_global"),
            models.UniqueConstraint(fields=["date", "agency"], name="day_off_unique_per_agency"),
        ]

    def __str__(self):
        return f"{self.date} {self.name}"
