"""The vendor directory (Pasal 7(4)a, 9(7)): verified vendors with the public fields of /penyedia/direktori/."""

from ninja import Query, Router

from . import present, selectors
from .errors import InvalidRequest
from .schemas import VendorFilters, VendorPage

router = Router(tags=["Vendors"])


@router.get("/vendors", response={200: VendorPage, 422: InvalidRequest}, summary="Verified vendors")
def list_vendors(request, filters: Query[VendorFilters]):
    result = present.page(selectors.vendor_directory(filters.q.strip()), limit=filters.limit, offset=filters.offset)
    result["items"] = [
        {
            "public_id": row["vendor"].public_id,
            "name": row["vendor"].name,
            "city": row["vendor"].city,
            "is_small_business": row["vendor"].is_small_business,
            "business_fields": row["fields"],
            "licences_in_force": not row["licences_expired"],
            "sanctioned": row["vendor"].sanctioned,
        }
        for row in selectors.vendor_rows(result["items"])
    ]
    return result
