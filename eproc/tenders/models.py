"""Tenders (Pasal 7(3)): the package a committee makes from an announced plan item, its schedule, documents and
addenda, participants and the explanation session (aanwijzing).

The current stage is never stored: lifecycle.py derives it from the schedule, the clock and the few facts kept
here (approved, announced, cancelled), as DESIGN 4 asks.
"""

from functools import lru_cache

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from eproc.core.ids import new_public_id

from .choices import Category, ContractType, EvaluationMethod, FileSystem, Method, Qualification


class Tender(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    plan_item = models.ForeignKey("planning.PlanItem", on_delete=models.PROTECT, related_name="tenders")
    agency = models.ForeignKey("organizations.Agency", on_delete=models.PROTECT, related_name="tenders")
    work_unit = models.ForeignKey("organizations.WorkUnit", on_delete=models.PROTECT, related_name="tenders")
    title = models.CharField(_("package name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    budget = models.DecimalField(_("budget (pagu)"), max_digits=18, decimal_places=2)
    owner_estimate = models.DecimalField(_("owner's estimate (HPS)"), max_digits=18, decimal_places=2)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    method = models.CharField(_("method"), max_length=30, choices=Method.choices)
    qualification = models.CharField(_("qualification"), max_length=20, choices=Qualification.choices)
    file_system = models.CharField(_("file system"), max_length=20, choices=FileSystem.choices)
    evaluation_method = models.CharField(_("evaluation method"), max_length=20, choices=EvaluationMethod.choices)
    contract_type = models.CharField(_("contract type"), max_length=20, choices=ContractType.choices)
    # Weights (percent) of the merit-point methods, fixed before announcement so nobody tunes them to a bidder.
    technical_weight = models.PositiveSmallIntegerField(_("technical weight (%)"), null=True, blank=True)
    price_weight = models.PositiveSmallIntegerField(_("price weight (%)"), null=True, blank=True)
    small_business_reserved = models.BooleanField(_("reserved for small businesses"), default=False)
    small_business_exception = models.TextField(_("why it is not reserved for small businesses"), blank=True)
    qualification_requirements = models.TextField(_("qualification requirements"), blank=True)
    location = models.CharField(_("location of the work"), max_length=300)
    # Shares needed to open the sealed bids (k of the committee's n members).
    opening_quorum = models.PositiveSmallIntegerField(_("members needed to open bids"), default=1)
    # The rules this tender follows are pinned when it is made, so a later regulation never changes a running tender.
    ruleset_version = models.CharField(max_length=40)
    sandbox = models.BooleanField(default=False)
    repeat_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="repeats", verbose_name=_("repeat of")
    )
    version = models.PositiveSmallIntegerField(default=1)
    committee = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="tenders_on_committee")
    ppk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tenders_as_ppk", verbose_name=_("PPK")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    # Pasal 7(3)b: the committee asks the PPK to approve the classification; a change afterwards asks again.
    approval_requested_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_note = models.TextField(blank=True)
    announced_at = models.DateTimeField(null=True, blank=True)
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)
    # Lelang gagal (Perpres 54/2010 Pasal 83): the trigger (rules.FAILURE_TRIGGERS) and the committee's note.
    failed_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=40, blank=True)
    failure_note = models.TextField(blank=True)
    clarification_closed_at = models.DateTimeField(null=True, blank=True)
    clarification_minutes = models.FileField(upload_to="tenders/minutes/", blank=True)
    clarification_minutes_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["announced_at", "fiscal_year"]),
            models.Index(fields=["agency", "announced_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(owner_estimate__gt=0), name="tender_hps_positive"),
            # Pasal 7(1)b.4: the package's estimate comes from the plan; HPS above the pagu cannot be paid for.
            models.CheckConstraint(condition=Q(owner_estimate__lte=models.F("budget")), name="tender_hps_within_pagu"),
            models.CheckConstraint(condition=Q(opening_quorum__gte=1), name="tender_quorum_positive"),
            models.CheckConstraint(
                condition=Q(announced_at__isnull=True) | Q(approved_at__isnull=False),
                name="tender_announced_only_when_approved",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_announced(self) -> bool:
        return self.announced_at is not None

    @property
    def is_pengadaan_langsung(self) -> bool:
        return self.method == Method.DIRECT_PROCUREMENT

    @property
    def method_label(self) -> str:
        """SPSE's one-line description, e.g. "e-Lelang Umum Pascakualifikasi Satu File - Sistem Gugur"."""
        return _method_label(
            self.method,
            self.qualification,
            self.file_system,
            self.evaluation_method,
            self.repeat_of_id is not None,
            get_language(),
        )


# A few dozen combinations, each translated once per language: the public list shows one per row.
@lru_cache(maxsize=256)
def _method_label(method, qualification, file_system, evaluation_method, repeated, language) -> str:
    def label(choices, value):
        return str(choices(value).label) if value in choices.values else value

    def short(choices, value):
        return label(choices, value).split(" (")[0]

    text = f"{label(Method, method)} {short(Qualification, qualification)} "
    text += f"{short(FileSystem, file_system)} - {short(EvaluationMethod, evaluation_method)}"
    return text + " (Lelang Ulang)" if repeated else text


class TenderStage(models.Model):
    """One row of the schedule (jadwal): an SPSE stage with its window, start inclusive and end exclusive."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "stage"], name="one_row_per_stage"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="stage_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.tender_id} {self.stage}"


class ScheduleChange(models.Model):
    """A change of a stage after announcement, with its reason and author: SPSE's public "history perubahan"."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="schedule_changes")
    stage = models.CharField(max_length=40)
    old_starts_at = models.DateTimeField()
    old_ends_at = models.DateTimeField()
    new_starts_at = models.DateTimeField()
    new_ends_at = models.DateTimeField()
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()
    addendum = models.ForeignKey(
        "TenderDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="schedule_changes"
    )

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.tender_id} {self.stage} {self.changed_at:%Y-%m-%d}"


class TenderDocument(models.Model):
    """A procurement document. Never replaced: an addendum is a new version with its change note, and every
    version stays downloadable (Pasal 7(3)b: "membuat Addendum")."""

    class Kind(models.TextChoices):
        PROCUREMENT = "dokumen_pengadaan", _("Procurement document (Dokumen Pengadaan)")
        QUALIFICATION = "dokumen_kualifikasi", _("Qualification document (Dokumen Kualifikasi)")
        ADDENDUM = "adendum", _("Addendum (Adendum)")
        SUPPORTING = "pendukung", _("Supporting document (drawings, bill of quantities)")

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    version = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=200)
    change_note = models.TextField(_("what changed"), blank=True)
    file = models.FileField(upload_to="tenders/documents/", max_length=300)
    original_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["version"]
        constraints = [models.UniqueConstraint(fields=["tender", "version"], name="document_version_unique")]

    def __str__(self):
        return f"{self.title} v{self.version}"


class DocumentDownload(models.Model):
    """Who downloaded which version when: a vendor cannot later claim it never received an addendum."""

    document = models.ForeignKey(TenderDocument, on_delete=models.PROTECT, related_name="downloads")
    vendor = models.ForeignKey("vendors.Vendor", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    downloaded_at = models.DateTimeField()

    class Meta:
        ordering = ["downloaded_at"]

    def __str__(self):
        return f"{self.document} by {self.vendor}"


class Participant(models.Model):
    """A vendor that joined (mendaftar) the tender (Pasal 7(4)a). Private until the opening, then public."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="participants")
    vendor = models.ForeignKey("vendors.Vendor", on_delete=models.PROTECT, related_name="participations")
    joined_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    joined_at = models.DateTimeField()

    class Meta:
        ordering = ["joined_at"]
        constraints = [models.UniqueConstraint(fields=["tender", "vendor"], name="join_once")]

    def __str__(self):
        return f"{self.vendor} @ {self.tender_id}"


class Question(models.Model):
    """A question of the explanation session (Pemberian Penjelasan), per document section. Other vendors see the
    question and its answer, never who asked."""

    class Section(models.TextChoices):
        INSTRUCTIONS = "ikp", _("Instructions to bidders (IKP)")
        DATA_SHEET = "ldp", _("Bid data sheet (LDP)")
        QUALIFICATION = "ldk", _("Qualification data sheet (LDK)")
        GENERAL_CONDITIONS = "ssuk", _("General conditions of contract (SSUK)")
        SPECIAL_CONDITIONS = "sskk", _("Special conditions of contract (SSKK)")
        SPECIFICATIONS = "spesifikasi", _("Technical specifications and drawings")
        QUANTITIES = "boq", _("Bill of quantities and prices")
        FORMS = "bentuk", _("Forms (bid letter, guarantees)")
        OTHER = "lainnya", _("Other")

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="questions")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="questions")
    section = models.CharField(_("document section"), max_length=20, choices=Section.choices)
    text = models.TextField(_("question"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField()
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]

    def __str__(self):
        return self.text[:60]
