"""Do the stored bids, evaluations, results and contracts still say what the audit trail recorded when they were
written? (Pasal 4-5: no manipulation of data; issue 9.6.) The hash chain proves the trail is intact; this proves the
rows agree with it, so a price or a verdict changed directly in the database is named."""

from dataclasses import dataclass
from decimal import Decimal

from eproc.audit.models import AuditEvent
from eproc.tenders.models import Tender

from .models import Bid, Contract, Evaluation, Result
from .services import EVALUATION_FIELDS


@dataclass(frozen=True)
class Mismatch:
    tender: str
    what: str
    stored: object
    recorded: object

    def __str__(self):
        return f"tender {self.tender}: {self.what} is {self.stored!r} but the audit trail recorded {self.recorded!r}"


def _same(stored, recorded) -> bool:
    if stored is None or recorded is None:
        return stored is None and recorded is None
    if isinstance(stored, Decimal):
        return stored == Decimal(str(recorded))
    return stored == recorded


def _events(tender: Tender, action: str):
    return AuditEvent.objects.filter(object_type="tenders.tender", object_id=tender.public_id, action=action).order_by(
        "sequence"
    )


def check_tender(tender: Tender) -> list[Mismatch]:
    problems = []
    read = _events(tender, "evaluation.bids_read").last()
    recorded_bids = {row["vendor"]: row for row in (read.data.get("bids", []) if read else [])}
    for bid in Bid.objects.filter(tender=tender).select_related("participant__vendor"):
        row = recorded_bids.get(bid.participant.vendor.public_id)
        if row is None:
            problems.append(Mismatch(tender.public_id, f"bid of {bid.participant.vendor}", "present", "absent"))
            continue
        if not _same(bid.price, row.get("price")) or bid.status != row.get("status"):
            problems.append(
                Mismatch(tender.public_id, f"bid price of {bid.participant.vendor}", str(bid.price), row.get("price"))
            )
    expected: dict[str, dict] = {}
    for event in _events(tender, "evaluation.recorded"):
        state = expected.setdefault(event.data["vendor"], {})
        for field, change in event.data["changes"].items():
            state[field] = change["to"]
    for evaluation in Evaluation.objects.filter(bid__tender=tender).select_related("bid__participant__vendor"):
        state = expected.get(evaluation.bid.participant.vendor.public_id, {})
        for field in EVALUATION_FIELDS:
            stored = getattr(evaluation, field)
            recorded = state.get(field, None if not field.endswith("_reason") else "")
            if field.endswith("_reason") and stored == "" and recorded in (None, ""):
                continue
            if not _same(stored, recorded):
                problems.append(
                    Mismatch(
                        tender.public_id,
                        f"evaluation {field} of {evaluation.bid.participant.vendor}",
                        stored,
                        recorded,
                    )
                )
    decisions = list(_events(tender, "evaluation.winner_decided"))
    for result, event in zip(
        Result.objects.filter(tender=tender).order_by("decided_at", "pk"), decisions, strict=False
    ):
        if result.winner.vendor.public_id != event.data["winner"] or not _same(
            result.winning_price, event.data["winning_price"]
        ):
            problems.append(
                Mismatch(
                    tender.public_id,
                    "winner",
                    f"{result.winner.vendor.public_id} {result.winning_price}",
                    f"{event.data['winner']} {event.data['winning_price']}",
                )
            )
    contract = Contract.objects.filter(tender=tender).first()
    recorded_contract = _events(tender, "evaluation.contract_recorded").last()
    if contract is not None and (
        recorded_contract is None
        or not _same(contract.value, recorded_contract.data["value"])
        or contract.scan_sha256 != recorded_contract.data["scan_sha256"]
    ):
        problems.append(
            Mismatch(
                tender.public_id,
                "contract value",
                str(contract.value),
                recorded_contract.data["value"] if recorded_contract else None,
            )
        )
    return problems


def check_all() -> list[Mismatch]:
    problems = []
    for tender in Tender.objects.filter(bids__isnull=False).distinct().iterator():
        problems.extend(check_tender(tender))
    return problems
