"""Pasal 7(1)a-c: the PA (or the KPA for the work units it holds) announces the plan of its work unit."""

from eproc.organizations.roles import Role
from eproc.organizations.selectors import grants_of

from .models import PlanItem

_PLANNERS = (Role.PA, Role.KPA)
_OVERSEERS = {Role.LPSE_ADMIN, Role.KEPALA_LPSE, Role.SEKRETARIS_LPSE}


def planning_work_units(user) -> set[int]:
    return {g.work_unit_id for g in grants_of(user) if g.role in _PLANNERS and g.work_unit_id}


def can_plan_for(user, work_unit) -> bool:
    return work_unit is not None and work_unit.pk in planning_work_units(user)


def can_edit(user, item: PlanItem) -> bool:
    return item.withdrawn_at is None and can_plan_for(user, item.work_unit)


def can_view(user, item: PlanItem) -> bool:
    if item.is_public:
        return True
    if can_plan_for(user, item.work_unit):
        return True
    grants = grants_of(user)
    if any(g.role in _OVERSEERS for g in grants):
        return True
    # The agency's own PPK, committee and Inspektorat prepare and audit its procurement.
    return any(
        g.agency_id == item.agency_id
        and g.role in (Role.PPK, Role.POKJA, Role.PEJABAT_PENGADAAN, Role.AUDITOR, Role.ADMIN_AGENCY)
        for g in grants
    ) or any(g.role == Role.AUDITOR and g.agency_id is None for g in grants)
