"""Winners (Pasal 7(1)c, 12): every announced result, with its contract once signed."""

from ninja import Query, Router

from . import present, selectors
from .errors import InvalidRequest
from .schemas import WinnerFilters, WinnerPage

router = Router(tags=["Winners"])


@router.get("/winners", response={200: WinnerPage, 422: InvalidRequest}, summary="Announced winners and contracts")
def list_winners(request, filters: Query[WinnerFilters]):
    results = selectors.announced_results(agency=filters.agency, year=filters.year)
    result = present.page(results, limit=filters.limit, offset=filters.offset)
    result["items"] = [
        {
            "tender": {
                "public_id": row.tender.public_id,
                "title": row.tender.title,
                "url": present.absolute(request, "tenders:detail", row.tender.public_id),
            },
            "agency": present.agency_ref(row.tender.agency),
            "work_unit": present.work_unit_ref(row.tender.work_unit),
            "fiscal_year": row.tender.fiscal_year,
            "category": row.tender.category,
            "owner_estimate": present.amount(row.tender.owner_estimate),
            "winner": present.vendor_ref(row.winner.vendor),
            "winning_price": present.amount(row.winning_price),
            "announced_at": row.announced_at,
            "contract": present.contract(getattr(row.tender, "contract", None)),
        }
        for row in result["items"]
    ]
    return result
