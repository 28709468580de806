"""Monitoring of the LPSE (Pasal 8(2)a,f, 9(4)c,e, 11(3)e, 15): the compliance rules of Pasal 15 as data, each work
unit's adoption plan (tahapan), and daily capacity snapshots. The figures of the dashboards and reports are never
stored: selectors.py computes them from the data each time."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from eproc.core.ids import new_public_id


class ComplianceRule(models.Model):
    """One year's e-procurement obligation of every work unit (Pasal 15). A rule holds from `year_from` until a
    later rule starts, so next year's policy is a new row, never an edit of the code."""

    class Kind(models.TextChoices):
        # Pasal 15(2): at least `min_count` packages (of a type, above a value) tendered electronically.
        MIN_PACKAGES = "min_packages", _("At least a number of packages tendered electronically")
        # Pasal 15(1): a share (100% = all) of the planned procurement runs through the e-procurement system.
        ELECTRONIC_SHARE = "electronic_share", _("A share of all planned procurement run electronically")

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    # A stable, readable key (e.g. "pasal-15-2-2011") used in links and by the seed migration.
    code = models.SlugField(_("code"), max_length=40, unique=True)
    year_from = models.PositiveSmallIntegerField(_("applies from fiscal year"))
    article = models.CharField(_("article"), max_length=120)
    description = models.TextField(_("description"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # Empty: any procurement type; otherwise one of planning.ProcurementType.
    procurement_type = models.CharField(_("procurement type"), max_length=20, blank=True)
    # Packages count only when their value (pagu) is strictly above this amount ("diatas", Pasal 15(2)).
    value_above = models.DecimalField(_("package value above (Rp)"), max_digits=18, decimal_places=2, default=0)
    min_count = models.PositiveIntegerField(_("at least this many packages"), default=0)
    min_share_percent = models.PositiveSmallIntegerField(_("at least this share (%)"), default=0)
    is_active = models.BooleanField(_("in force"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["year_from", "code"]
        verbose_name = _("compliance rule")
        verbose_name_plural = _("compliance rules")
        constraints = [
            models.CheckConstraint(condition=Q(min_share_percent__lte=100), name="compliance_share_at_most_100"),
            models.CheckConstraint(condition=Q(value_above__gte=0), name="compliance_value_not_negative"),
        ]

    def __str__(self):
        return f"{self.article} ({self.year_from})"


class AdoptionStage(models.TextChoices):
    """The parts of a tender a work unit may plan to run electronically first (Pasal 15(3): "tahapan")."""

    ANNOUNCEMENT = "pengumuman", _("Announcement")
    DOCUMENTS = "dokumen", _("Download of procurement documents")
    CLARIFICATION = "penjelasan", _("Explanation session (aanwijzing)")
    BIDDING = "penawaran", _("Upload and opening of bids")
    EVALUATION = "evaluasi", _("Evaluation and announcement of the winner")
    OBJECTIONS = "sanggah", _("Objections (sanggah)")


class AdoptionPlan(models.Model):
    """A work unit's plan for adopting e-procurement in one fiscal year (Pasal 15(3)), made in coordination with
    the LPSE (Pasal 15(4)): which stages and which packages it will run through the system."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    work_unit = models.ForeignKey("organizations.WorkUnit", on_delete=models.PROTECT, related_name="adoption_plans")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    stages = models.JSONField(_("stages run electronically"), default=list)
    planned_count = models.PositiveIntegerField(_("packages planned to be tendered electronically"))
    plan_items = models.ManyToManyField("planning.PlanItem", blank=True, related_name="+")
    coordinated_on = models.DateField(_("coordinated with the LPSE on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-fiscal_year", "work_unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["work_unit", "fiscal_year"], name="one_adoption_plan_per_unit_year")
        ]

    def __str__(self):
        return f"{self.work_unit} {self.fiscal_year}"


class CapacitySnapshot(models.Model):
    """The system's size on one day (Pasal 11(3)e), so the administrator sees growth, not only today's size."""

    taken_on = models.DateField(unique=True)
    taken_at = models.DateTimeField()
    database_bytes = models.PositiveBigIntegerField()
    media_bytes = models.PositiveBigIntegerField()
    media_files = models.PositiveIntegerField()
    other_bytes = models.PositiveBigIntegerField()  # everything else under VAR_DIR (keys, cache, logs)
    queue_depth = models.PositiveIntegerField()

    class Meta:
        ordering = ["-taken_on"]

    def __str__(self):
        return str(self.taken_on)
