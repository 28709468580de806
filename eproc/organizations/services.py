"""Every write of the organizations app: keyword-only, atomic, policy-checked, audited."""

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from eproc.accounts.models import User
from eproc.accounts.services import create_account
from eproc.audit.services import record
from eproc.core import clock
from eproc.files import store_upload
from eproc.permissions import require

from . import policies
from .models import Agency, Appointment, DayOff, WorkUnit
from .roles import ROLES, Role, Scope

AGENCY_FIELDS = ("code", "name", "kind", "time_zone", "address", "website", "is_active")
WORK_UNIT_FIELDS = ("code", "name", "address", "is_active")


def _changes(instance, fields, values) -> dict:
    changed = {}
    for field in fields:
        if field in values and getattr(instance, field) != values[field]:
            changed[field] = {"from": getattr(instance, field), "to": values[field]}
            setattr(instance, field, values[field])
    return changed


@transaction.atomic
def create_agency(
    *,
    actor: User,
    code: str,
    name: str,
    kind: str = Agency.Kind.KABUPATEN,
    time_zone: str = "Asia/Jakarta",
    address: str = "",
    website: str = "",
) -> Agency:
    """Pasal 3: an installation serves Ketapang and other regencies that choose to use its LPSE."""
    require(policies.can_manage_agencies(actor))
    code = code.strip().upper()
    if Agency.objects.filter(code__iexact=code).exists():
        raise ValidationError({"code": _("An agency with code %(code)s already exists.") % {"code": code}})
    agency = Agency(code=code, name=name.strip(), kind=kind, time_zone=time_zone, address=address, website=website)
    agency.full_clean()
    agency.save()
    record(
        actor=actor,
        action="agency.created",
        target=agency,
        agency=agency,
        data={"code": agency.code, "name": agency.name, "time_zone": agency.time_zone},
    )
    return agency


@transaction.atomic
def update_agency(*, actor: User, agency: Agency, **values) -> Agency:
    require(policies.can_manage_agencies(actor))
    unknown = set(values) - set(AGENCY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown agency fields: {sorted(unknown)}")
    if "code" in values:
        values["code"] = values["code"].strip().upper()
        if Agency.objects.filter(code__iexact=values["code"]).exclude(pk=agency.pk).exists():
            raise ValidationError({"code": _("An agency with code %(code)s already exists.") % values})
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    changed = _changes(agency, AGENCY_FIELDS, values)
    if changed:
        agency.full_clean()
        agency.save()
        record(actor=actor, action="agency.updated", target=agency, agency=agency, data={"changes": changed})
    return agency


@transaction.atomic
def create_work_unit(*, actor: User, agency: Agency, name: str, address: str, code: str = "") -> WorkUnit:
    require(policies.can_manage_work_units(actor, agency))
    if WorkUnit.objects.filter(agency=agency, name__iexact=name.strip()).exists():
        raise ValidationError({"name": _("This agency already has a work unit with that name.")})
    if code and WorkUnit.objects.filter(agency=agency, code__iexact=code.strip()).exists():
        raise ValidationError({"code": _("This agency already has a work unit with that code.")})
    work_unit = WorkUnit(agency=agency, name=name.strip(), address=address.strip(), code=code.strip())
    work_unit.full_clean()
    work_unit.save()
    record(
        actor=actor,
        action="work_unit.created",
        target=work_unit,
        agency=agency,
        data={"name": work_unit.name, "code": work_unit.code, "address": work_unit.address},
    )
    return work_unit


@transaction.atomic
def update_work_unit(*, actor: User, work_unit: WorkUnit, **values) -> WorkUnit:
    require(policies.can_manage_work_units(actor, work_unit.agency))
    unknown = set(values) - set(WORK_UNIT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown work unit fields: {sorted(unknown)}")
    work_unit = WorkUnit.objects.select_for_update().get(pk=work_unit.pk)
    changed = _changes(work_unit, WORK_UNIT_FIELDS, values)
    if changed:
        work_unit.full_clean()
        try:
            with transaction.atomic():
                work_unit.save()
        except IntegrityError as error:
            raise ValidationError(_("Another work unit of this agency has that name or code.")) from error
        record(
            actor=actor,
            action="work_unit.updated",
            target=work_unit,
            agency=work_unit.agency,
            data={"changes": changed},
        )
    return work_unit


@transaction.atomic
def create_user_account(*, actor: User, email: str, full_name: str, nip: str = "", phone: str = "") -> User:
    """An account for a person the LPSE or an Admin Agency is about to appoint."""
    require(policies.can_manage_accounts(actor))
    return create_account(actor=actor, email=email, full_name=full_name, nip=nip, phone=phone)


def _check_scope(role: Role, agency: Agency | None, work_unit: WorkUnit | None):
    scope = ROLES[role].scope
    if scope == Scope.LPSE and (agency or work_unit):
        raise ValidationError(
            _("%(role)s is an LPSE role and is not held within an agency.") % {"role": ROLES[role].label}
        )
    if scope in (Scope.AGENCY, Scope.WORK_UNIT) and agency is None:
        raise ValidationError(_("%(role)s must be appointed within an agency.") % {"role": ROLES[role].label})
    if scope == Scope.WORK_UNIT and work_unit is None:
        raise ValidationError(_("%(role)s must be appointed within a work unit.") % {"role": ROLES[role].label})
    if work_unit is not None and work_unit.agency_id != getattr(agency, "pk", None):
        raise ValidationError(_("The work unit does not belong to the chosen agency."))


@transaction.atomic
def appoint(
    *,
    actor: User,
    user: User,
    role: Role | str,
    agency: Agency | None = None,
    work_unit: WorkUnit | None = None,
    decree_number: str,
    decree_date: date,
    decree_file,
    valid_from: date,
    valid_until: date | None = None,
) -> Appointment:
    """Give `user` a role within a scope on the evidence of a decree (SK): Pasal 7(1)e, 7(3)c, 9(7)e."""
    role = Role(role)
    require(policies.can_appoint(actor, role=role, agency=agency))
    _check_scope(role, agency, work_unit)
    if not decree_number.strip():
        raise ValidationError({"decree_number": _("The decree (SK) number is required.")})
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError({"valid_until": _("The end of the validity period is before its start.")})
    stored = store_upload(decree_file, folder="decrees", max_bytes=settings.EPROC_MAX_DECREE_BYTES)
    appointment = Appointment(
        user=user,
        role=role.value,
        agency=agency,
        work_unit=work_unit,
        decree_number=decree_number.strip(),
        decree_date=decree_date,
        decree_file_name=stored.original_name,
        decree_sha256=stored.sha256,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    appointment.decree_file.name = stored.storage_name
    appointment.save()
    record(
        actor=actor,
        action="appointment.created",
        target=appointment,
        agency=agency,
        data={
            "user": user.email,
            "role": role.value,
            "work_unit": work_unit.name if work_unit else None,
            "decree_number": appointment.decree_number,
            "decree_date": decree_date,
            "decree_sha256": stored.sha256,
            "valid_from": valid_from,
            "valid_until": valid_until,
        },
    )
    return appointment


@transaction.atomic
def revoke_appointment(*, actor: User, appointment: Appointment, reason: str) -> Appointment:
    """End an appointment early (e.g. a new SK replaces the committee). Kept, never deleted."""
    require(policies.can_revoke_appointment(actor, appointment))
    if not reason.strip():
        raise ValidationError({"reason": _("Please state why the appointment is revoked.")})
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.revoked_at is not None:
        raise ValidationError(_("This appointment has already been revoked."))
    appointment.revoked_at = clock.now()
    appointment.revoked_reason = reason.strip()
    appointment.save(update_fields=["revoked_at", "revoked_reason"])
    record(
        actor=actor,
        action="appointment.revoked",
        target=appointment,
        agency=appointment.agency,
        data={"user": appointment.user.email, "role": appointment.role, "reason": appointment.revoked_reason},
    )
    return appointment


@transaction.atomic
def add_day_off(*, actor: User, day: date, name: str, agency: Agency | None = None) -> DayOff:
    """Cuti bersama or a regional holiday that schedules must skip."""
    require(policies.can_manage_days_off(actor))
    if not name.strip():
        raise ValidationError({"name": _("Please name the day off (e.g. Cuti Bersama Idul Fitri).")})
    if DayOff.objects.filter(date=day, agency=agency).exists():
        raise ValidationError({"date": _("This date is already a day off.")})
    day_off = DayOff.objects.create(date=day, name=name.strip(), agency=agency)
    record(actor=actor, action="day_off.added", target=day_off, agency=agency, data={"date": day, "name": day_off.name})
    return day_off


@transaction.atomic
def remove_day_off(*, actor: User, day_off: DayOff) -> None:
    require(policies.can_manage_days_off(actor))
    record(
        actor=actor,
        action="day_off.removed",
        target=day_off,
        agency=day_off.agency,
        data={"date": day_off.date, "name": day_off.name},
    )
    day_off.delete()


@transaction.atomic
def appoint_by_email(*, actor: User, email: str, full_name: str = "", nip: str = "", **appointment) -> Appointment:
    """Register a person from their decree: reuse the account with this e-mail address or create one, then
    appoint. One transaction, so a refused appointment leaves no new account behind."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        if not full_name.strip():
            raise ValidationError(
                {"full_name": _("The person has no account yet: enter their full name to create one.")}
            )
        user = create_user_account(actor=actor, email=email, full_name=full_name, nip=nip)
    return appoint(actor=actor, user=user, **appointment)


@transaction.atomic
def bootstrap_lpse_admin(
    *, email: str, full_name: str, decree_number: str, decree_date: date, decree_file, valid_from: date
) -> Appointment:
    """The first LPSE administrator, appointed by the system at installation (there is nobody yet to appoint
    them). Refused once an active administrator exists, so it cannot be used to slip in a second one."""
    from .selectors import active_appointments

    if active_appointments().filter(role=Role.LPSE_ADMIN).exists():
        raise PermissionDenied(_("An LPSE administrator already exists; they appoint the others."))
    user = User.objects.filter(email__iexact=email).first() or create_account(
        actor=None, email=email, full_name=full_name
    )
    stored = store_upload(decree_file, folder="decrees", max_bytes=settings.EPROC_MAX_DECREE_BYTES)
    appointment = Appointment(
        user=user,
        role=Role.LPSE_ADMIN.value,
        decree_number=decree_number,
        decree_date=decree_date,
        decree_file_name=stored.original_name,
        decree_sha256=stored.sha256,
        valid_from=valid_from,
    )
    appointment.decree_file.name = stored.storage_name
    appointment.save()
    record(
        actor=None,
        action="appointment.bootstrapped",
        target=appointment,
        data={
            "user": user.email,
            "role": Role.LPSE_ADMIN.value,
            "decree_number": decree_number,
            "decree_sha256": stored.sha256,
        },
    )
    return appointment
