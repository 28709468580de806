"""Small builders shared by the routers: each names the public fields of one kind of object."""

from django.urls import reverse

from .schemas import PUBLIC_ID_PATTERN  # noqa: F401 - the routers' path ids


def absolute(request, name: str, *args) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


def amount(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def agency_ref(agency) -> dict:
    return {"code": agency.code, "name": agency.name}


def work_unit_ref(work_unit) -> dict:
    return {"public_id": work_unit.public_id, "name": work_unit.name}


def vendor_ref(vendor) -> dict:
    """What the public tender page shows of a bidder: its name and NPWP."""
    return {"public_id": vendor.public_id, "name": vendor.name, "npwp": vendor.npwp}


def contract(contract) -> dict | None:
    """The contract as the tender page shows it."""
    if contract is None:
        return None
    return {
        "number": contract.number,
        "signed_on": contract.signed_on,
        "value": amount(contract.value),
        "starts_on": contract.starts_on,
        "ends_on": contract.ends_on,
    }


def page(items, *, limit: int, offset: int) -> dict:
    """limit/offset over a queryset or a list, with the count of matches up to the public list's cap (the same
    CappedPaginator: a million tenders are not counted on every request)."""
    from eproc.tenders.search import CappedPaginator

    counted = CappedPaginator(items, limit)
    return {
        "count": counted.count,
        "count_is_capped": counted.capped,
        "limit": limit,
        "offset": offset,
        "items": items[offset : offset + limit],
    }
