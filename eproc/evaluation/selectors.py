"""Reads of the evaluation: the ranking the rules give (the committee confirms it, with reasons), what is public."""

from dataclasses import dataclass, field
from decimal import Decimal

from eproc.core import clock
from eproc.tenders import lifecycle
from eproc.tenders import rules as rulesets
from eproc.tenders.choices import EvaluationMethod

from .models import Bid, Objection, Result
from .reasons import STEPS

_HUNDRED = Decimal(100)


@dataclass
class Ranked:
    bid: Bid
    price: Decimal | None  # corrected price if the committee set one, else the offered price
    score: Decimal | None = None
    eligible: bool = False
    reasons: list = field(default_factory=list)
    above_hps: bool = False
    low_bid: bool = False  # under 80% of the HPS: clarification, and the higher performance guarantee

    @property
    def participant(self):
        return self.bid.participant


def _passed(evaluation, name) -> bool | None:
    return getattr(evaluation, f"{name}_passed") if evaluation else None


def ranking(tender) -> list[Ranked]:
    """Every bid with its standing under the tender's evaluation method: those eligible first, in winning order.

    Sistem gugur, biaya terendah and umur ekonomis rank by the (corrected) price; sistem nilai and kualitas dan biaya
    by the weighted score (price score = lowest price / price x 100); kualitas and pagu anggaran by the technical
    score. Bids above the HPS are void (Perpres 54/2010 Pasal 66); under 80% of it are flagged (Pasal 70-71)."""
    rules = rulesets.for_tender(tender)
    low_ratio = rules.low_bid_ratio.value
    rows = []
    for bid in tender.bids.select_related("participant__vendor", "evaluation"):
        evaluation = getattr(bid, "evaluation", None)
        price = (evaluation.corrected_price if evaluation and evaluation.corrected_price else None) or bid.price
        if evaluation and evaluation.negotiated_price:
            price = evaluation.negotiated_price
        row = Ranked(bid=bid, price=price)
        # Reasons are codes (reasons.py) or the committee's own words.
        if bid.status != Bid.Status.READ:
            row.reasons.append(f"status:{bid.status}")
        steps = STEPS
        for step in steps:
            passed = _passed(evaluation, step)
            if passed is False:
                row.reasons.append(getattr(evaluation, f"{step}_reason") or f"failed:{step}")
            elif passed is None:
                row.reasons.append(f"pending:{step}")
        if price is not None and price > tender.owner_estimate:
            row.above_hps = True
            row.reasons.append("above_hps")
        if len(row.reasons) > sum(reason.startswith("pending:") for reason in row.reasons):
            # A bid already out (sistem gugur) is not evaluated further: its later steps are not "pending".
            row.reasons = [reason for reason in row.reasons if not reason.startswith("pending:")]
        if price is not None and price < tender.owner_estimate * low_ratio:
            row.low_bid = True
        row.eligible = (
            bid.status == Bid.Status.READ
            and price is not None
            and not row.above_hps
            and all(_passed(evaluation, step) is True for step in steps)
        )
        rows.append(row)
    eligible = [row for row in rows if row.eligible]
    method = tender.evaluation_method
    if method in (EvaluationMethod.MERIT_POINT, EvaluationMethod.QUALITY_AND_COST) and eligible:
        lowest = min(row.price for row in eligible)
        for row in eligible:
            technical = row.bid.evaluation.technical_score or Decimal(0)
            price_score = lowest / row.price * _HUNDRED
            row.score = (
                technical * (tender.technical_weight or 0) + price_score * (tender.price_weight or 0)
            ) / _HUNDRED
        eligible.sort(key=lambda row: (-row.score, row.price))
    elif method in (EvaluationMethod.QUALITY, EvaluationMethod.FIXED_BUDGET) and eligible:
        for row in eligible:
            row.score = row.bid.evaluation.technical_score or Decimal(0)
        eligible.sort(key=lambda row: (-row.score, row.price))
    else:
        eligible.sort(key=lambda row: row.price)
    others = sorted((row for row in rows if not row.eligible), key=lambda row: (row.price is None, row.price or 0))
    return eligible + others


def standing_result(tender) -> Result | None:
    return tender.results.filter(voided_at__isnull=True).select_related("winner__vendor").first()


def results_are_public(tender) -> bool:
    result = standing_result(tender)
    return result is not None and result.announced_at is not None


def prices_are_public(tender) -> bool:
    """After the opening, the participants, their prices and the opening minutes are public (issue 6.2)."""
    return lifecycle.bids_are_public(tender, clock.now()) and tender.bids.exists()


def objections_of(tender):
    return Objection.objects.filter(tender=tender).select_related("participant__vendor", "appeal")
