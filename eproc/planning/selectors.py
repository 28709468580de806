from django.db.models import Q, QuerySet

from eproc.organizations.roles import Role
from eproc.organizations.selectors import grants_of

from .models import PlanItem
from .policies import planning_work_units


def announced_items(*, agency=None, work_unit=None, year=None, procurement_type=None, query="") -> QuerySet[PlanItem]:
    """The public plan (Pasal 7(1)b-c, 12): announced, not withdrawn; filterable as the issue asks."""
    items = PlanItem.objects.filter(announced_at__isnull=False, withdrawn_at__isnull=True).select_related(
        "agency", "work_unit"
    )
    if agency:
        items = items.filter(agency=agency)
    if work_unit:
        items = items.filter(work_unit=work_unit)
    if year:
        items = items.filter(fiscal_year=year)
    if procurement_type:
        items = items.filter(procurement_type=procurement_type)
    if query:
        items = items.filter(Q(package_name__icontains=query) | Q(location__icontains=query))
    return items


def items_of_planner(user) -> QuerySet[PlanItem]:
    """Drafts and announced items of the work units where `user` is PA or KPA."""
    return PlanItem.objects.filter(work_unit_id__in=planning_work_units(user)).select_related("work_unit")


def announced_items_for_packages(agency) -> QuerySet[PlanItem]:
    """What a committee may turn into a package: only announced plan items of its agency (issue: a package can only
    be created from an announced plan item)."""
    return announced_items(agency=agency)


def years() -> list[int]:
    return sorted(
        set(PlanItem.objects.filter(announced_at__isnull=False).values_list("fiscal_year", flat=True)), reverse=True
    )


def is_planner(user) -> bool:
    return any(g.role in (Role.PA, Role.KPA) for g in grants_of(user))
