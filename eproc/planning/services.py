"""Every write of the planning app: keyword-only, atomic, policy-checked, audited."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from eproc.audit.services import record
from eproc.core import clock
from eproc.organizations.roles import Role
from eproc.organizations.selectors import active_appointments
from eproc.permissions import require
from eproc.publication.services import enqueue

from . import policies
from .models import PlanItem, PlanItemRevision

EDITABLE_FIELDS = (
    "fiscal_year",
    "package_name",
    "description",
    "location",
    "budget",
    "fund_source",
    "procurement_type",
    "planned_method",
    "planned_month",
    "budget_reference",
)


def _validate(values: dict):
    if values.get("budget") is not None and Decimal(values["budget"]) <= 0:
        raise ValidationError({"budget": _("The estimated value must be more than zero.")})
    if values.get("planned_month") is not None and not 1 <= int(values["planned_month"]) <= 12:
        raise ValidationError({"planned_month": _("The month is 1 to 12.")})
    year = values.get("fiscal_year")
    if year is not None and not 2000 <= int(year) <= 2100:
        raise ValidationError({"fiscal_year": _("This is not a plausible fiscal year.")})


@transaction.atomic
def create_item(*, actor, work_unit, **values) -> PlanItem:
    require(policies.can_plan_for(actor, work_unit))
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown plan item fields: {sorted(unknown)}")
    _validate(values)
    item = PlanItem(agency=work_unit.agency, work_unit=work_unit, created_by=actor, created_at=clock.now(), **values)
    item.full_clean(exclude=["pa_name", "pa_address"])
    item.save()
    record(
        actor=actor,
        action="planning.item_created",
        target=item,
        agency=item.agency,
        data={field: getattr(item, field) for field in EDITABLE_FIELDS},
    )
    return item


@transaction.atomic
def update_item(*, actor, item: PlanItem, reason: str = "", **values) -> PlanItem:
    """Drafts change freely; an announced item changes only with a reason, kept in its public history."""
    require(policies.can_edit(actor, item))
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown plan item fields: {sorted(unknown)}")
    _validate(values)
    item = PlanItem.objects.select_for_update().get(pk=item.pk)
    changes = {}
    for field, value in values.items():
        if getattr(item, field) != value:
            changes[field] = {"from": getattr(item, field), "to": value}
            setattr(item, field, value)
    if not changes:
        return item
    if item.is_public and not reason.strip():
        raise ValidationError({"reason": _("This item is already announced: say why it changes.")})
    item.full_clean(exclude=["pa_name", "pa_address"])
    item.save()
    from eproc.audit.chain import to_json_safe

    if item.is_public:
        PlanItemRevision.objects.create(
            item=item, changed_by=actor, changed_at=clock.now(), reason=reason.strip(), changes=to_json_safe(changes)
        )
        enqueue(kind="plan.changed", subject=item.public_id, payload={"reason": reason.strip(), "changes": changes})
    record(
        actor=actor,
        action="planning.item_updated",
        target=item,
        agency=item.agency,
        data={"changes": changes, "reason": reason.strip()},
    )
    return item


def _budget_holder(item: PlanItem):
    """The PA of the work unit (or, failing one, the announcing KPA), named in the announcement (Pasal 7(1)b.1)."""
    appointment = (
        active_appointments().filter(work_unit=item.work_unit, role=Role.PA).select_related("user").first()
        or active_appointments().filter(work_unit=item.work_unit, role=Role.KPA).select_related("user").first()
    )
    return appointment.user if appointment else None


@transaction.atomic
def announce(*, actor, item: PlanItem) -> PlanItem:
    """Pasal 7(1)a-c: announce the item to the public, after the budget is approved (the DPA reference)."""
    require(policies.can_edit(actor, item))
    item = PlanItem.objects.select_for_update().select_related("work_unit").get(pk=item.pk)
    if item.is_public:
        raise ValidationError(_("This item is already announced."))
    if not item.budget_reference.strip():
        raise ValidationError(
            {
                "budget_reference": _(
                    "Name the approved budget document (DPA) first: the plan is announced after the DPRD approved it "
                    "(Pasal 7(1)a)."
                )
            }
        )
    holder = _budget_holder(item) or actor
    item.pa_name = holder.full_name
    item.pa_address = item.work_unit.address
    item.announced_at = clock.now()
    item.announced_by = actor
    item.save(update_fields=["pa_name", "pa_address", "announced_at", "announced_by"])
    record(
        actor=actor,
        action="planning.item_announced",
        target=item,
        agency=item.agency,
        data={"package_name": item.package_name, "budget": item.budget, "pa_name": item.pa_name},
    )
    enqueue(kind="plan.announced", subject=item.public_id, payload={"package_name": item.package_name})
    return item


@transaction.atomic
def withdraw(*, actor, item: PlanItem, reason: str) -> PlanItem:
    require(policies.can_edit(actor, item))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the item is withdrawn.")})
    item.withdrawn_at = clock.now()
    item.withdrawn_reason = reason.strip()
    item.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    record(actor=actor, action="planning.item_withdrawn", target=item, agency=item.agency, data={"reason": reason})
    if item.is_public:
        enqueue(kind="plan.withdrawn", subject=item.public_id, payload={"reason": reason.strip()})
    return item
