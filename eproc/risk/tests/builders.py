"""Hand-built OCDS compiled releases (1.1.5 with the bids extension), shaped like eproc.publication's."""

from itertools import count

_serial = count(1)
WIB = "+07:00"


def bid(tenderer: str, amount, status: str = "valid", date: str = f"2026-01-10T09:00:00{WIB}") -> dict:
    return {
        "id": f"bid-{next(_serial)}",
        "date": date,
        "status": status,
        "tenderers": [{"id": tenderer, "name": f"CV {tenderer}"}],
        "value": {"amount": amount, "currency": "IDR"},
    }


def award(supplier: str, amount, status: str = "active", date: str = f"2026-01-25T10:00:00{WIB}") -> dict:
    return {
        "id": f"award-{next(_serial)}",
        "status": status,
        "date": date,
        "value": {"amount": amount, "currency": "IDR"},
        "suppliers": [{"id": supplier, "name": f"CV {supplier}"}],
    }


def release(
    ocid: str | None = None,
    *,
    method: str = "open",
    details: str = "Lelang Umum",
    status: str = "complete",
    start: str = f"2026-01-05T08:00:00{WIB}",
    end: str = f"2026-01-20T08:00:00{WIB}",
    value=1_000_000_000,
    buyer: str = "skpd-1",
    bids: list | None = None,
    awards: list | None = None,
    number_of_tenderers: int | None = None,
) -> dict:
    ocid = ocid or f"ocds-test-{next(_serial)}"
    tender = {
        "id": ocid.rsplit("-", 1)[-1],
        "title": f"Paket {ocid}",
        "status": status,
        "value": {"amount": value, "currency": "IDR"},
        "procurementMethod": method,
        "procurementMethodDetails": details,
        "mainProcurementCategory": "works",
        "tenderPeriod": {"startDate": start, "endDate": end},
    }
    data = {
        "ocid": ocid,
        "date": end,
        "buyer": {"id": buyer, "name": f"Dinas {buyer}"},
        "parties": [{"id": buyer, "name": f"Dinas {buyer}", "roles": ["buyer"]}],
        "tender": tender,
    }
    if bids is not None:
        data["bids"] = {"statistics": [{"id": "bids", "measure": "bids", "value": len(bids)}], "details": bids}
        tender["numberOfTenderers"] = len({b["tenderers"][0]["id"] for b in bids})
        tender["tenderers"] = [b["tenderers"][0] for b in bids]
    if number_of_tenderers is not None:
        tender["numberOfTenderers"] = number_of_tenderers
    if awards is not None:
        data["awards"] = awards
    return data


def priced(winner_amount, second_amount, *, ocid=None, **kwargs) -> dict:
    """A process won by W at `winner_amount` against L's valid bid at `second_amount`."""
    return release(
        ocid,
        bids=[bid("W", winner_amount), bid("L", second_amount)],
        awards=[award("W", winner_amount)],
        **kwargs,
    )
