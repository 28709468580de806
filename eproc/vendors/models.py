"""Vendors (Penyedia Barang/Jasa, Pasal 1(13)): registration, qualification data with documents, verification by
the LPSE (Pasal 9(8)), activation (Pasal 9(7)e) and sanctions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from eproc.core.ids import new_public_id


class Vendor(models.Model):
    class Kind(models.TextChoices):
        BUSINESS = "badan_usaha", _("Business entity (badan usaha)")
        INDIVIDUAL = "perorangan", _("Individual (perorangan)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for verification")
        REJECTED = "rejected", _("Returned for correction")
        APPROVED = "approved", _("Approved, waiting for activation")
        VERIFIED = "verified", _("Verified")

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    business_form = models.CharField(_("business form"), max_length=40, blank=True, help_text=_("PT, CV, Koperasi…"))
    npwp = models.CharField(_("NPWP"), max_length=16, unique=True)
    nib = models.CharField(_("NIB"), max_length=20, blank=True)
    address = models.TextField(_("address"))
    city = models.CharField(_("city / regency"), max_length=100)
    province = models.CharField(_("province"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32)
    email = models.EmailField(_("company e-mail"))
    website = models.URLField(_("website"), blank=True)
    is_small_business = models.BooleanField(_("small business"), default=True)
    is_pkp = models.BooleanField(_("taxable entrepreneur (PKP)"), default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Set when first activated; it stays while later changes wait for re-verification, so running tenders go on.
    activated_at = models.DateTimeField(null=True, blank=True)
    # Identity-critical data changed since the last verification (Pasal 9(8)b); the Verifikator looks again.
    needs_reverification = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, through="VendorMember", related_name="vendors")

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(npwp__regex=r"^[0-9]{15,16}$"), name="vendor_npwp_digits")]

    def __str__(self):
        return self.name

    @property
    def formatted_npwp(self) -> str:
        from .validation import format_npwp

        return format_npwp(self.npwp)


class VendorMember(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="vendor_memberships")
    is_admin = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vendor", "user"], name="vendor_member_once")]

    def __str__(self):
        return f"{self.user} @ {self.vendor}"


class VendorDocument(models.Model):
    """A stored scan. Never deleted or overwritten: a replacement is a new row, so the registration archive keeps
    every version of every document (Pasal 9(8)g)."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(upload_to="vendors/", max_length=255)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.original_name


class QualificationItem(models.Model):
    """One entry of a qualification section (a licence, a deed, an officer…), its fields as configured in
    requirements.py, and its current document."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="items")
    section = models.CharField(max_length=30)
    data = models.JSONField(default=dict)
    document = models.ForeignKey(VendorDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["section", "updated_at"]
        indexes = [models.Index(fields=["vendor", "section"])]

    def __str__(self):
        return f"{self.vendor} {self.section}"


class Submission(models.Model):
    """What the vendor handed in for verification, frozen: a snapshot of the identity, every item and the
    documents they pointed at, so the archive shows exactly what was checked (Pasal 9(8)g)."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="submissions")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    snapshot = models.JSONField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]

    def __str__(self):
        return f"{self.vendor} {self.submitted_at:%Y-%m-%d}"


class Verification(models.Model):
    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="verification")
    verifier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    note = models.TextField(blank=True)
    # {"identity": {"status": "checked"|"deficient", "note": "..."}, "<item public id>": {...}}
    checks = models.JSONField()
    decided_at = models.DateTimeField()

    def __str__(self):
        return f"{self.submission} {self.decision}"


class Activation(models.Model):
    """The LPSE administrator's step of Pasal 9(7)e: credentials are given after the Verifikator's approval. When
    one person holds both roles the approval records it at once; the record is kept apart either way."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="activations")
    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="activation")
    activated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    activated_at = models.DateTimeField()

    def __str__(self):
        return f"{self.vendor} activated"


class Sanction(models.Model):
    """A suspension or a blacklisting (daftar hitam) from a decree, for a period. Public while in force."""

    class Kind(models.TextChoices):
        SUSPENSION = "suspension", _("Suspension")
        BLACKLIST = "blacklist", _("Blacklist (daftar hitam)")

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    decree_number = models.CharField(_("decree number"), max_length=120)
    decree_date = models.DateField(_("decree date"))
    decree_file = models.FileField(upload_to="sanctions/", max_length=255)
    decree_sha256 = models.CharField(max_length=64)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="sanction_period_ordered",
            )
        ]

    def __str__(self):
        return f"{self.vendor} {self.kind}"
