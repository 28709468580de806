"""The general procurement plan (Rencana Umum Pengadaan, RUP) that each PA announces (Pasal 7(1)a-c)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from eproc.core.ids import new_public_id


class ProcurementType(models.TextChoices):
    GOODS = "barang", _("Goods (Pengadaan Barang)")
    CONSTRUCTION = "konstruksi", _("Construction works (Pekerjaan Konstruksi)")
    CONSULTANCY = "konsultansi", _("Consultancy services (Jasa Konsultansi)")
    OTHER_SERVICES = "jasa_lainnya", _("Other services (Jasa Lainnya)")


class PlannedMethod(models.TextChoices):
    TENDER = "lelang_umum", _("e-Lelang Umum (open tender)")
    SIMPLE_TENDER = "lelang_sederhana", _("e-Lelang Sederhana (simple tender)")
    DIRECT_SELECTION = "pemilihan_langsung", _("Pemilihan Langsung (direct selection)")
    SELECTION = "seleksi_umum", _("Seleksi Umum (consultancy selection)")
    SIMPLE_SELECTION = "seleksi_sederhana", _("Seleksi Sederhana (simple consultancy selection)")
    DIRECT_PROCUREMENT = "pengadaan_langsung", _("Pengadaan Langsung (direct procurement)")
    DIRECT_APPOINTMENT = "penunjukan_langsung", _("Penunjukan Langsung (direct appointment)")
    SELF_MANAGED = "swakelola", _("Swakelola (self-managed)")


class FundSource(models.TextChoices):
    APBD = "apbd", "APBD"
    APBN = "apbn", "APBN"
    APBD_P = "apbd_p", _("APBD Perubahan")
    OTHER = "lainnya", _("Other")


class PlanItem(models.Model):
    """One package of the plan. Public once announced; until then only its work unit's budget holders (and those
    who oversee them) see it."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    agency = models.ForeignKey("organizations.Agency", on_delete=models.PROTECT, related_name="plan_items")
    work_unit = models.ForeignKey("organizations.WorkUnit", on_delete=models.PROTECT, related_name="plan_items")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    package_name = models.CharField(_("package"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    location = models.CharField(_("location of the work"), max_length=300)
    budget = models.DecimalField(_("estimated value (pagu)"), max_digits=18, decimal_places=2)
    fund_source = models.CharField(_("fund source"), max_length=20, choices=FundSource.choices)
    procurement_type = models.CharField(_("procurement type"), max_length=20, choices=ProcurementType.choices)
    planned_method = models.CharField(_("planned method"), max_length=30, choices=PlannedMethod.choices)
    planned_month = models.PositiveSmallIntegerField(_("planned month of selection"))
    # Pasal 7(1)a: the plan is announced after the DPRD approved the work unit's budget; this names that budget.
    budget_reference = models.CharField(_("budget document (DPA) reference"), max_length=200, blank=True)
    # Pasal 7(1)b.1: the name and address of the PA, as announced (kept even if the PA changes later).
    pa_name = models.CharField(max_length=200, blank=True)
    pa_address = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    announced_at = models.DateTimeField(null=True, blank=True)
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-fiscal_year", "work_unit__name", "package_name"]
        indexes = [
            models.Index(fields=["announced_at", "fiscal_year"]),
            models.Index(fields=["agency", "fiscal_year", "procurement_type"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gt=0), name="plan_item_budget_positive"),
            models.CheckConstraint(
                condition=Q(planned_month__gte=1, planned_month__lte=12), name="plan_item_month_valid"
            ),
        ]

    def __str__(self):
        return self.package_name

    @property
    def is_public(self) -> bool:
        return self.announced_at is not None


class PlanItemRevision(models.Model):
    """A change to an announced item, with its reason: public, like SPSE's history of changes."""

    item = models.ForeignKey(PlanItem, on_delete=models.PROTECT, related_name="revisions")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()
    reason = models.TextField()
    changes = models.JSONField()

    class Meta:
        ordering = ["changed_at"]

    def __str__(self):
        return f"{self.item} {self.changed_at:%Y-%m-%d}"
