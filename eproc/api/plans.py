"""The public procurement plan (RUP, Pasal 7(1)b-c): announced plan items, as on /rup/."""

from django.http import Http404
from ninja import Path, Query, Router

from . import present, selectors
from .errors import Error, InvalidRequest
from .schemas import AgencyOut, PlanItemDetail, PlanItemFilters, PlanItemPage

router = Router(tags=["Plan items (RUP)"])


def _feeds(request, scope: str, public_id: str) -> dict:
    return {
        "plan_items": present.absolute(request, f"feeds:{scope}_plan_items", public_id),
        "tenders": present.absolute(request, f"feeds:{scope}_tenders", public_id),
    }


def plan_item_out(request, item) -> dict:
    return {
        "public_id": item.public_id,
        "agency": present.agency_ref(item.agency),
        "work_unit": present.work_unit_ref(item.work_unit),
        "fiscal_year": item.fiscal_year,
        "package_name": item.package_name,
        "description": item.description,
        "location": item.location,
        "budget": present.amount(item.budget),
        "fund_source": item.fund_source,
        "procurement_type": item.procurement_type,
        "planned_method": item.planned_method,
        "planned_month": item.planned_month,
        "budget_reference": item.budget_reference,
        "pa_name": item.pa_name,
        "pa_address": item.pa_address,
        "announced_at": item.announced_at,
        "url": present.absolute(request, "planning:detail", item.public_id),
    }


@router.get(
    "/agencies", response={200: list[AgencyOut]}, summary="Agencies and work units, with their feeds", tags=["Agencies"]
)
def list_agencies(request):
    """The agencies served by this LPSE and their work units: the codes and ids the filters of this API take."""
    return [
        {
            **present.agency_ref(agency),
            "kind": agency.kind,
            "website": agency.website,
            "feeds": _feeds(request, "agency", agency.public_id),
            "work_units": [
                {
                    **present.work_unit_ref(unit),
                    "code": unit.code,
                    "feeds": _feeds(request, "work_unit", unit.public_id),
                }
                for unit in agency.work_units.all()
            ],
        }
        for agency in selectors.agencies()
    ]


@router.get("/plan-items", response={200: PlanItemPage, 422: InvalidRequest}, summary="Announced plan items")
def list_plan_items(request, filters: Query[PlanItemFilters]):
    items = selectors.plan_items(
        agency=filters.agency,
        work_unit=filters.work_unit,
        year=filters.year,
        procurement_type=filters.type,
        query=filters.q,
    )
    result = present.page(items, limit=filters.limit, offset=filters.offset)
    result["items"] = [plan_item_out(request, item) for item in result["items"]]
    return result


@router.get(
    "/plan-items/{public_id}",
    response={200: PlanItemDetail, 404: Error, 422: InvalidRequest},
    summary="One announced plan item, its public history of changes and its tenders",
)
def get_plan_item(request, public_id: str = Path(..., pattern=present.PUBLIC_ID_PATTERN)):
    item = selectors.plan_item(public_id)
    if item is None:
        raise Http404
    return {
        **plan_item_out(request, item),
        "withdrawn_at": item.withdrawn_at,
        "withdrawn_reason": item.withdrawn_reason,
        "revisions": [
            {"changed_at": revision.changed_at, "reason": revision.reason, "changes": revision.changes}
            for revision in item.revisions.all()
        ],
        "tenders": [
            {
                "public_id": tender.public_id,
                "title": tender.title,
                "url": present.absolute(request, "tenders:detail", tender.public_id),
            }
            for tender in item.tenders.filter(announced_at__isnull=False)
        ],
    }
