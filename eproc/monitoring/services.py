"""Every write of the monitoring app: keyword-only, atomic, policy-checked, audited."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from eproc.audit.services import record
from eproc.core import clock
from eproc.permissions import require

from . import policies, selectors
from .models import AdoptionPlan, AdoptionStage, CapacitySnapshot, ComplianceRule


@transaction.atomic
def save_rule(
    *,
    actor,
    rule: ComplianceRule | None = None,
    code: str,
    year_from: int,
    article: str,
    description: str,
    kind: str,
    procurement_type: str = "",
    value_above: Decimal = Decimal("0"),
    min_count: int = 0,
    min_share_percent: int = 0,
    is_active: bool = True,
) -> ComplianceRule:
    """A new year's policy (Pasal 15) is a new rule; an existing rule is corrected with the change audited."""
    require(policies.can_manage_rules(actor))
    if kind == ComplianceRule.Kind.MIN_PACKAGES and min_count < 1:
        raise ValidationError({"min_count": _("Give the number of packages that must be tendered electronically.")})
    if kind == ComplianceRule.Kind.ELECTRONIC_SHARE and not 1 <= min_share_percent <= 100:
        raise ValidationError({"min_share_percent": _("Give a share between 1 and 100 percent.")})
    before = None
    if rule is None:
        rule = ComplianceRule()
    else:
        rule = ComplianceRule.objects.select_for_update().get(pk=rule.pk)
        before = _rule_data(rule)
    rule.code = code.strip()
    rule.year_from = year_from
    rule.article = article.strip()
    rule.description = description.strip()
    rule.kind = kind
    rule.procurement_type = procurement_type
    rule.value_above = value_above or Decimal("0")
    rule.min_count = min_count or 0
    rule.min_share_percent = min_share_percent or 0
    rule.is_active = is_active
    rule.updated_by = actor
    rule.updated_at = clock.now()
    rule.full_clean()
    rule.save()
    record(
        actor=actor,
        action="monitoring.rule_created" if before is None else "monitoring.rule_changed",
        target=rule,
        data={"rule": _rule_data(rule), "before": before},
    )
    return rule


def _rule_data(rule: ComplianceRule) -> dict:
    return {
        "code": rule.code,
        "year_from": rule.year_from,
        "article": rule.article,
        "kind": rule.kind,
        "procurement_type": rule.procurement_type,
        "value_above": rule.value_above,
        "min_count": rule.min_count,
        "min_share_percent": rule.min_share_percent,
        "is_active": rule.is_active,
    }


@transaction.atomic
def save_adoption_plan(
    *,
    actor,
    work_unit,
    fiscal_year: int,
    stages: list[str],
    planned_count: int,
    plan_items=(),
    coordinated_on=None,
    note: str = "",
) -> AdoptionPlan:
    """Pasal 15(3)-(4): the work unit's stages and packages to run electronically in a year, coordinated with the
    LPSE. One plan per work unit and year; saving again replaces it (the audit trail keeps each version)."""
    require(policies.can_plan_adoption(actor, work_unit))
    unknown = set(stages) - set(AdoptionStage.values)
    if unknown or not stages:
        raise ValidationError({"stages": _("Choose at least one stage to run electronically.")})
    allowed = set(selectors.plannable_items(work_unit, fiscal_year).values_list("pk", flat=True))
    items = list(plan_items)
    if any(item.pk not in allowed for item in items):
        raise ValidationError({"plan_items": _("Choose among the announced plan items of this work unit and year.")})
    if planned_count < len(items):
        raise ValidationError(
            {"planned_count": _("The number of packages cannot be lower than the packages chosen below.")}
        )
    plan = AdoptionPlan.objects.select_for_update().filter(work_unit=work_unit, fiscal_year=fiscal_year).first()
    created = plan is None
    plan = plan or AdoptionPlan(work_unit=work_unit, fiscal_year=fiscal_year)
    plan.stages = [stage for stage in AdoptionStage.values if stage in stages]
    plan.planned_count = planned_count
    plan.coordinated_on = coordinated_on
    plan.note = note.strip()
    plan.updated_by = actor
    plan.updated_at = clock.now()
    plan.save()
    plan.plan_items.set(items)
    record(
        actor=actor,
        action="monitoring.adoption_plan_created" if created else "monitoring.adoption_plan_changed",
        target=plan,
        agency=work_unit.agency,
        data={
            "work_unit": work_unit.public_id,
            "fiscal_year": fiscal_year,
            "stages": plan.stages,
            "planned_count": planned_count,
            "plan_items": sorted(item.public_id for item in items),
            "coordinated_on": coordinated_on,
        },
    )
    return plan


@transaction.atomic
def take_snapshot(*, actor=None) -> CapacitySnapshot:
    """Record today's size of the system (Pasal 11(3)e); a second call the same day refreshes today's row. `actor`
    None is the scheduled `manage.py capacity_snapshot`; a person must be allowed to keep the system."""
    if actor is not None:
        require(policies.can_take_snapshot(actor))
    now = clock.now()
    storage = selectors.storage_usage()
    values = {
        "taken_at": now,
        "database_bytes": selectors.database_bytes(),
        "media_bytes": storage.media_bytes,
        "media_files": storage.media_files,
        "other_bytes": storage.other_bytes,
        "queue_depth": selectors.queue()["depth"],
    }
    snapshot, created = CapacitySnapshot.objects.update_or_create(
        taken_on=now.astimezone(selectors.LPSE_ZONE).date(), defaults=values
    )
    record(
        actor=actor,
        action="monitoring.capacity_snapshot",
        target=snapshot,
        data={**values, "taken_on": snapshot.taken_on, "new": created},
    )
    return snapshot
