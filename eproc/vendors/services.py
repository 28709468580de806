"""Every write of the vendors app: keyword-only, atomic, policy-checked, audited."""

from datetime import date
from decimal import Decimal, InvalidOperation

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from eproc.accounts.models import User
from eproc.accounts.services import create_account
from eproc.audit.services import record
from eproc.core import clock
from eproc.core.money import parse_rupiah
from eproc.files import store_upload
from eproc.permissions import require

from . import notifications, policies
from .models import (
    Activation,
    QualificationItem,
    Sanction,
    Submission,
    Vendor,
    VendorDocument,
    VendorMember,
    Verification,
)
from .requirements import IDENTITY_CRITICAL_FIELDS, SECTIONS_BY_KEY, FieldType, sections_for
from .selectors import completeness, current_items
from .validation import normalize_npwp

IDENTITY_FIELDS = (
    "kind",
    "name",
    "business_form",
    "npwp",
    "nib",
    "address",
    "city",
    "province",
    "phone",
    "email",
    "website",
    "is_small_business",
    "is_pkp",
)


def _check_unique(*, npwp: str, exclude: Vendor | None = None):
    others = Vendor.objects.filter(npwp=npwp)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise ValidationError(
            {
                "npwp": _(
                    "A vendor with this NPWP is already registered. If it is yours, ask its "
                    "administrator to add you as a user, or contact the helpdesk."
                )
            }
        )


def _create_vendor(*, actor, user: User, identity: dict) -> Vendor:
    identity = {**identity, "npwp": normalize_npwp(identity["npwp"])}
    _check_unique(npwp=identity["npwp"])
    vendor = Vendor(**identity, created_at=clock.now())
    vendor.full_clean()
    vendor.save()
    VendorMember.objects.create(vendor=vendor, user=user, is_admin=True, created_at=clock.now())
    record(
        actor=actor,
        action="vendor.registered",
        target=vendor,
        data={"name": vendor.name, "npwp": vendor.npwp, "user": user.email, "assisted": actor != user},
    )
    return vendor


@transaction.atomic
def register_vendor(*, login_email: str, password: str, full_name: str, identity: dict) -> Vendor:
    """Self-registration (Pasal 7(4)a): the account exists at once but signs in only after its e-mail address is
    confirmed; the vendor then fills its qualification data and submits it for verification."""
    email = login_email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"login_email": _("An account with this e-mail address already exists. Sign in, or use 'Forgot password'.")}
        )
    user = User(email=email, full_name=full_name.strip())
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    record(actor=user, action="user.created", target=user, data={"email": email, "full_name": user.full_name})
    return _create_vendor(actor=user, user=user, identity=identity)


@transaction.atomic
def register_vendor_assisted(*, actor, email: str, full_name: str, identity: dict) -> Vendor:
    """Pasal 9(9)b: the helpdesk starts a registration for a vendor who came to the LPSE or called; the vendor
    chooses its own password from the e-mailed link and continues from there."""
    require(policies.can_assist_registration(actor))
    user = create_account(actor=actor, email=email, full_name=full_name)
    return _create_vendor(actor=actor, user=user, identity=identity)


@transaction.atomic
def update_identity(*, actor, vendor: Vendor, **values) -> Vendor:
    require(policies.is_vendor_admin(actor, vendor))
    unknown = set(values) - set(IDENTITY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown vendor fields: {sorted(unknown)}")
    if "npwp" in values:
        values["npwp"] = normalize_npwp(values["npwp"])
        _check_unique(npwp=values["npwp"], exclude=vendor)
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    changes = {}
    for name, value in values.items():
        if getattr(vendor, name) != value:
            changes[name] = {"from": getattr(vendor, name), "to": value}
            setattr(vendor, name, value)
    if not changes:
        return vendor
    if vendor.activated_at and set(changes) & set(IDENTITY_CRITICAL_FIELDS):
        vendor.needs_reverification = True
    vendor.full_clean()
    vendor.save()
    record(
        actor=actor,
        action="vendor.identity_updated",
        target=vendor,
        data={"changes": changes, "needs_reverification": vendor.needs_reverification},
    )
    return vendor


def _clean_item_data(section, data: dict) -> dict:
    cleaned, errors = {}, {}
    for field in section.fields:
        raw = (data.get(field.name) or "").strip() if isinstance(data.get(field.name), str) else data.get(field.name)
        if raw in (None, ""):
            if field.required:
                errors[field.name] = _("This field is required.")
            continue
        try:
            cleaned[field.name] = _clean_value(field, raw)
        except (ValueError, InvalidOperation):
            errors[field.name] = _("This value is not valid.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_value(field, raw):
    if field.type == FieldType.DATE:
        return (raw if isinstance(raw, date) else date.fromisoformat(str(raw))).isoformat()
    if field.type == FieldType.MONEY:
        return str(raw if isinstance(raw, Decimal) else parse_rupiah(str(raw)))
    if field.type in (FieldType.NUMBER, FieldType.YEAR):
        number = Decimal(str(raw))
        if number < 0 or (field.type == FieldType.YEAR and not 1900 <= number <= 2200):
            raise ValueError(raw)
        return str(number)
    if field.type == FieldType.CHOICE and str(raw) not in {value for value, _label in field.choices}:
        raise ValueError(raw)
    return str(raw)[:2000]


@transaction.atomic
def save_item(
    *, actor, vendor: Vendor, section: str, data: dict, document=None, item: QualificationItem | None = None
) -> QualificationItem:
    """Add or change one qualification item; a new scan becomes a new document version (the old one is kept)."""
    require(policies.is_vendor_member(actor, vendor))
    config = SECTIONS_BY_KEY.get(section)
    if config is None or config not in sections_for(vendor.kind):
        raise ValidationError(_("This section does not apply to this vendor."))
    cleaned = _clean_item_data(config, data)
    if item is None:
        item = QualificationItem(vendor=vendor, section=section)
    elif item.vendor_id != vendor.pk or item.section != section or item.removed_at:
        raise PermissionDenied
    previous = dict(item.data)
    item.data = cleaned
    item.updated_at = clock.now()
    if document is not None:
        stored = store_upload(document, folder="vendors", max_bytes=settings.EPROC_MAX_DECREE_BYTES)
        doc = VendorDocument(
            vendor=vendor,
            original_name=stored.original_name,
            sha256=stored.sha256,
            size=stored.size,
            uploaded_by=actor,
            uploaded_at=clock.now(),
        )
        doc.file.name = stored.storage_name
        doc.save()
        item.document = doc
    elif config.document_required and item.document_id is None:
        raise ValidationError({"document": _("Please upload the %(document)s.") % {"document": config.document_label}})
    item.save()
    if vendor.activated_at and config.identity_critical:
        Vendor.objects.filter(pk=vendor.pk).update(needs_reverification=True)
    record(
        actor=actor,
        action="vendor.item_saved",
        target=item,
        data={
            "vendor": vendor.public_id,
            "section": section,
            "before": previous,
            "after": cleaned,
            "document_sha256": item.document.sha256 if item.document else None,
        },
    )
    return item


@transaction.atomic
def remove_item(*, actor, item: QualificationItem) -> None:
    require(policies.is_vendor_member(actor, item.vendor))
    item.removed_at = clock.now()
    item.save(update_fields=["removed_at"])
    if item.vendor.activated_at and SECTIONS_BY_KEY[item.section].identity_critical:
        Vendor.objects.filter(pk=item.vendor_id).update(needs_reverification=True)
    record(actor=actor, action="vendor.item_removed", target=item, data={"section": item.section, "data": item.data})


def _snapshot(vendor: Vendor) -> dict:
    return {
        "identity": {name: getattr(vendor, name) for name in IDENTITY_FIELDS},
        "items": [
            {
                "id": item.public_id,
                "section": item.section,
                "data": item.data,
                "document": {
                    "id": item.document.public_id,
                    "name": item.document.original_name,
                    "sha256": item.document.sha256,
                }
                if item.document
                else None,
            }
            for item in current_items(vendor)
        ],
    }


@transaction.atomic
def submit_for_verification(*, actor, vendor: Vendor) -> Submission:
    require(policies.is_vendor_member(actor, vendor))
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    if vendor.status == Vendor.Status.SUBMITTED:
        raise ValidationError(_("Your data is already waiting for verification."))
    missing = [str(row["section"].label) for row in completeness(vendor) if not row["complete"]]
    if missing:
        raise ValidationError(_("Complete these sections first: %(sections)s.") % {"sections": ", ".join(missing)})
    submission = Submission.objects.create(
        vendor=vendor, submitted_by=actor, submitted_at=clock.now(), snapshot=_snapshot(vendor)
    )
    vendor.status = Vendor.Status.SUBMITTED
    vendor.save(update_fields=["status"])
    record(actor=actor, action="vendor.submitted", target=vendor, data={"submission": submission.public_id})
    return submission


CHECKED, DEFICIENT = "checked", "deficient"


@transaction.atomic
def decide(*, actor, submission: Submission, checks: dict, approve: bool, note: str = "") -> Submission:
    """The Verifikator's decision on one submission (Pasal 9(8)b-e). Every item is marked checked or deficient;
    an approval needs every item checked, a rejection says what is wrong and goes to the vendor."""
    require(policies.is_verifier(actor))
    submission = Submission.objects.select_for_update().select_related("vendor").get(pk=submission.pk)
    if submission.decided_at is not None:
        raise ValidationError(_("This submission has already been decided."))
    expected = {"identity"} | {item["id"] for item in submission.snapshot["items"]}
    if set(checks) != expected or any(check.get("status") not in (CHECKED, DEFICIENT) for check in checks.values()):
        raise ValidationError(_("Mark every item as checked or deficient."))
    deficient = {key: check for key, check in checks.items() if check["status"] == DEFICIENT}
    if approve and deficient:
        raise ValidationError(_("An item is marked deficient: reject the registration, or mark it checked."))
    if not approve and not deficient and not note.strip():
        raise ValidationError(_("Say what is wrong or missing: mark the deficient items or write a note."))
    if any(not check.get("note", "").strip() for check in deficient.values()):
        raise ValidationError(_("Each deficient item needs a note saying what is wrong or missing."))
    now = clock.now()
    Verification.objects.create(
        submission=submission,
        verifier=actor,
        checks=checks,
        note=note.strip(),
        decision=Verification.Decision.APPROVED if approve else Verification.Decision.REJECTED,
        decided_at=now,
    )
    submission.decided_at = now
    submission.save(update_fields=["decided_at"])
    vendor = submission.vendor
    vendor.status = Vendor.Status.APPROVED if approve else Vendor.Status.REJECTED
    vendor.save(update_fields=["status"])
    record(
        actor=actor,
        action="vendor.verification_approved" if approve else "vendor.verification_rejected",
        target=vendor,
        data={"submission": submission.public_id, "deficient": deficient, "note": note.strip()},
    )
    if approve and not settings.EPROC_VENDOR_ACTIVATION_BY_ADMIN:
        _activate(actor=actor, submission=submission)
    if not approve:
        transaction.on_commit(lambda: notifications.registration_rejected(submission))
    return submission


def _activate(*, actor, submission: Submission) -> Activation:
    vendor = Vendor.objects.select_for_update().get(pk=submission.vendor_id)
    now = clock.now()
    activation = Activation.objects.create(vendor=vendor, submission=submission, activated_by=actor, activated_at=now)
    vendor.status = Vendor.Status.VERIFIED
    vendor.activated_at = vendor.activated_at or now
    vendor.needs_reverification = False
    vendor.save(update_fields=["status", "activated_at", "needs_reverification"])
    record(actor=actor, action="vendor.activated", target=vendor, data={"submission": submission.public_id})
    transaction.on_commit(lambda: notifications.registration_activated(vendor))
    return activation


@transaction.atomic
def activate(*, actor, vendor: Vendor) -> Activation:
    """Pasal 9(7)e, when the LPSE keeps the administrator's step apart from the Verifikator's."""
    require(policies.can_activate(actor))
    submission = vendor.submissions.filter(verification__decision="approved", activation__isnull=True).first()
    if submission is None:
        raise ValidationError(_("There is no approved registration waiting for activation."))
    return _activate(actor=actor, submission=submission)


@transaction.atomic
def add_user(*, actor, vendor: Vendor, email: str, full_name: str) -> VendorMember:
    """A vendor has one or more users; its administrator adds them."""
    require(policies.is_vendor_admin(actor, vendor))
    user = User.objects.filter(email__iexact=email.strip()).first() or create_account(
        actor=actor, email=email, full_name=full_name
    )
    if VendorMember.objects.filter(user=user).exists():
        raise ValidationError({"email": _("This person already belongs to a vendor.")})
    member = VendorMember.objects.create(vendor=vendor, user=user, created_at=clock.now())
    record(actor=actor, action="vendor.user_added", target=vendor, data={"user": user.email})
    # A new colleague may submit the bids of the tenders the company already joined.
    from eproc.tenders.services import admit_to_joined_tenders

    admit_to_joined_tenders(actor=actor, vendor=vendor, user=user)
    return member


@transaction.atomic
def impose_sanction(
    *,
    actor,
    vendor: Vendor,
    kind: str,
    decree_number: str,
    decree_date: date,
    decree_file,
    starts_on: date,
    ends_on: date | None,
    reason: str,
) -> Sanction:
    require(policies.can_manage_sanctions(actor))
    if not reason.strip() or not decree_number.strip():
        raise ValidationError(_("A sanction needs its decree number and a reason."))
    if ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end of the period is before its start.")})
    stored = store_upload(decree_file, folder="sanctions", max_bytes=settings.EPROC_MAX_DECREE_BYTES)
    sanction = Sanction(
        vendor=vendor,
        kind=kind,
        decree_number=decree_number.strip(),
        decree_date=decree_date,
        decree_sha256=stored.sha256,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip(),
        created_by=actor,
        created_at=clock.now(),
    )
    sanction.decree_file.name = stored.storage_name
    sanction.full_clean()
    sanction.save()
    record(
        actor=actor,
        action="vendor.sanctioned",
        target=vendor,
        data={
            "kind": kind,
            "decree_number": sanction.decree_number,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "reason": sanction.reason,
        },
    )
    return sanction


@transaction.atomic
def lift_sanction(*, actor, sanction: Sanction, reason: str) -> Sanction:
    require(policies.can_manage_sanctions(actor))
    sanction.lifted_at = clock.now()
    sanction.save(update_fields=["lifted_at"])
    record(
        actor=actor,
        action="vendor.sanction_lifted",
        target=sanction.vendor,
        data={"sanction": sanction.public_id, "reason": reason},
    )
    return sanction
