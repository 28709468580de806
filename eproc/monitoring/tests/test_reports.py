"""The periodic activity report (Pasal 9(4)c,e, 8(2)a,f): every figure equals a count made independently, by plain
Python loops over the model instances of the demo LPSE, never by the selectors under test."""

from collections import Counter
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest

from eproc.complaints.models import Complaint, DeviationFlag, Ticket
from eproc.core import clock
from eproc.evaluation.models import Contract
from eproc.monitoring import selectors
from eproc.monitoring.selectors import Period
from eproc.organizations.models import Agency
from eproc.planning.models import PlanItem
from eproc.tenders import lifecycle
from eproc.tenders.models import Tender
from eproc.vendors.models import Submission, Vendor, Verification

pytestmark = pytest.mark.django_db

WIB = ZoneInfo("Asia/Jakarta")


def _round(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _mean(values) -> Decimal | None:
    return _round(sum(values) / len(values)) if values else None


def _month_of(moment) -> int:
    return moment.astimezone(WIB).month


def _bounds(kind, year, number=1):
    first = {"month": number, "quarter": 3 * number - 2, "year": 1}[kind]
    length = {"month": 1, "quarter": 3, "year": 12}[kind]
    last = first + length - 1
    start = datetime(year, first, 1, tzinfo=WIB)
    end = datetime(year + 1, 1, 1, tzinfo=WIB) if last == 12 else datetime(year, last + 1, 1, tzinfo=WIB)
    return start, end, range(first, last + 1)


def expected_figures(kind, year, number=1, agency=None) -> dict:
    """What the report must say, counted by hand."""
    start, end, months = _bounds(kind, year, number)
    now = clock.now()

    def inside(moment):
        return moment is not None and start <= moment < end

    tenders = [
        tender
        for tender in Tender.objects.all()
        if not tender.sandbox
        and inside(tender.announced_at or tender.created_at)
        and (agency is None or tender.agency_id == agency.pk)
    ]
    contracts = [Contract.objects.filter(tender=tender).first() for tender in tenders]
    contracts = [contract for contract in contracts if contract is not None]
    bidders = [sum(1 for bid in tender.bids.all() if bid.status == "read") for tender in tenders]
    bidders = [count for count in bidders if count > 0]
    states = Counter()
    for tender in tenders:
        situation = lifecycle.situation(tender, now)
        if situation.state == "running" and situation.current:
            states[str(lifecycle.Stage(situation.current[0]).label)] += 1
        else:
            states[str(lifecycle.STATE_LABELS[situation.state])] += 1
    hps_of_contracted = sum((contract.tender.owner_estimate for contract in contracts), Decimal(0))
    savings = sum((contract.tender.owner_estimate - contract.value for contract in contracts), Decimal(0))
    durations = [
        (contract.recorded_at - contract.tender.announced_at).total_seconds() / 86400 for contract in contracts
    ]

    plan_items = [
        item
        for item in PlanItem.objects.all()
        if inside(item.announced_at) and item.withdrawn_at is None and (agency is None or item.agency_id == agency.pk)
    ]
    verifications = [verification for verification in Verification.objects.all() if inside(verification.decided_at)]
    waits = [
        (verification.decided_at - verification.submission.submitted_at).total_seconds() / 3600
        for verification in verifications
    ]
    complaints = [
        complaint
        for complaint in Complaint.objects.all()
        if inside(complaint.created_at) and (agency is None or complaint.agency_id == agency.pk)
    ]
    tickets = [ticket for ticket in Ticket.objects.all() if inside(ticket.created_at)]
    flags = [flag for flag in DeviationFlag.objects.all() if inside(flag.flagged_at)]
    return {
        "total": len(tenders),
        "hps": sum((tender.owner_estimate for tender in tenders), Decimal(0)),
        "pagu": sum({tender.plan_item_id: tender.plan_item.budget for tender in tenders}.values(), Decimal(0)),
        "contracts": len(contracts),
        "contract_value": sum((contract.value for contract in contracts), Decimal(0)),
        "hps_of_contracted": hps_of_contracted,
        "savings": savings,
        "savings_percent": _round(savings * 100 / hps_of_contracted) if hps_of_contracted else None,
        "participants": sum(tender.participants.count() for tender in tenders),
        "tenders_with_bids": len(bidders),
        "bids": sum(bidders),
        "average_bidders": _mean(bidders),
        "single_bidder": bidders.count(1),
        "average_days": _mean(durations),
        "failed": sum(1 for tender in tenders if tender.failed_at),
        "cancelled": sum(1 for tender in tenders if tender.cancelled_at),
        "repeats": sum(1 for tender in tenders if tender.repeat_of_id),
        "failed_repeated": sum(
            1 for tender in tenders if tender.failed_at and Tender.objects.filter(repeat_of=tender).exists()
        ),
        "by_state": dict(states),
        "by_month": {
            month: sum(1 for tender in tenders if _month_of(tender.announced_at or tender.created_at) == month)
            for month in months
        },
        "by_method": dict(Counter(tender.get_method_display() for tender in tenders)),
        "by_work_unit": dict(Counter(tender.work_unit.public_id for tender in tenders)),
        "plan_announced": len(plan_items),
        "plan_pagu": sum((item.budget for item in plan_items), Decimal(0)),
        "registered": sum(1 for vendor in Vendor.objects.all() if inside(vendor.created_at)),
        "approved": sum(1 for verification in verifications if verification.decision == "approved"),
        "rejected": sum(1 for verification in verifications if verification.decision == "rejected"),
        "average_verification_hours": _mean(waits),
        "waiting_at_end": sum(
            1
            for submission in Submission.objects.all()
            if submission.submitted_at < end and (submission.decided_at is None or submission.decided_at >= end)
        ),
        "complaints": len(complaints),
        "complaints_closed": sum(1 for complaint in complaints if complaint.closed_at),
        "complaints_about_tenders": sum(1 for complaint in complaints if complaint.about == "tender"),
        "tickets": len(tickets),
        "tickets_answered": sum(1 for ticket in tickets if ticket.answered_at),
        "deviation_flags": len(flags),
    }


def actual_figures(report) -> dict:
    t, p, v, s = report.tenders, report.plan, report.vendors, report.services
    return {
        "total": t.total,
        "hps": t.hps,
        "pagu": t.pagu,
        "contracts": t.contracts,
        "contract_value": t.contract_value,
        "hps_of_contracted": t.hps_of_contracted,
        "savings": t.savings,
        "savings_percent": t.savings_percent,
        "participants": t.participants,
        "tenders_with_bids": t.tenders_with_bids,
        "bids": t.bids,
        "average_bidders": t.average_bidders,
        "single_bidder": t.single_bidder,
        "average_days": t.duration.average_days,
        "failed": t.failed,
        "cancelled": t.cancelled,
        "repeats": t.repeats,
        "failed_repeated": t.failed_repeated,
        "by_state": {bar.label: bar.count for bar in t.by_state},
        "by_month": {int(bar.key): bar.count for bar in t.by_month},
        "by_method": {bar.label: bar.count for bar in t.by_method},
        "by_work_unit": {bar.key: bar.count for bar in t.by_work_unit},
        "plan_announced": p.announced,
        "plan_pagu": p.pagu,
        "registered": v.registered,
        "approved": v.approved,
        "rejected": v.rejected,
        "average_verification_hours": v.average_verification_hours,
        "waiting_at_end": v.waiting_at_end,
        "complaints": s.complaints,
        "complaints_closed": s.complaints_closed,
        "complaints_about_tenders": s.complaints_about_tenders,
        "tickets": s.tickets,
        "tickets_answered": s.tickets_answered,
        "deviation_flags": s.deviation_flags,
    }


def test_the_reports_figures_equal_an_independent_count_for_each_period_and_agency(demo):
    ketapang, kayong = Agency.objects.get(code="D201"), Agency.objects.get(code="D213")
    cases = [
        ("year", 2026, 1, None),
        ("quarter", 2026, 1, None),
        ("month", 2026, 2, None),
        ("month", 2026, 3, ketapang),
        ("year", 2026, 1, kayong),
        ("year", 2025, 1, None),
    ]
    for kind, year, number, agency in cases:
        report = selectors.activity_report(Period(kind, year, number), agency=agency)
        expected = expected_figures(kind, year, number, agency)
        actual = actual_figures(report)
        assert actual == expected, (kind, year, number, agency)
    # The fixture is rich enough for the comparison to mean something.
    whole_year = actual_figures(selectors.activity_report(Period("year", 2026)))
    assert whole_year["total"] >= 8 and whole_year["contracts"] == 1 and whole_year["failed"] == 1
    assert whole_year["repeats"] == 1 and whole_year["failed_repeated"] == 1 and whole_year["bids"] > 0
    assert whole_year["complaints"] == 2 and whole_year["tickets"] == 2 and whole_year["registered"] > 0
    assert len(whole_year["by_state"]) > 3


def test_an_inspektorat_of_one_agency_gets_that_agencys_figures_only(personas):
    from eproc.complaints.services import file_complaint
    from eproc.monitoring import policies
    from eproc.organizations.roles import Role

    auditor = personas.make(Role.AUDITOR, personas.agency_a)
    file_complaint(about="service", title="Lambat", description="Situs lambat", agency=personas.agency_b)
    scope = policies.agency_scope(auditor)
    assert scope == {personas.agency_a.pk}
    year = Period("year", 2026)
    # Asking for another agency's figures yields nothing rather than the other agency's data.
    assert selectors.activity_report(year, agency=personas.agency_b, scope=scope).services.complaints == 0
    assert selectors.activity_report(year, agency=None, scope=scope).services.complaints == 0
    head = personas.make(Role.KEPALA_LPSE)
    assert policies.agency_scope(head) is None
    assert selectors.activity_report(year, agency=personas.agency_b, scope=None).services.complaints == 1


def test_a_period_is_a_calendar_month_quarter_or_year_of_the_lpse():
    assert Period("quarter", 2026, 4).start_at == datetime(2026, 10, 1, tzinfo=WIB)
    assert Period("quarter", 2026, 4).end_at == datetime(2027, 1, 1, tzinfo=WIB)
    assert Period("month", 2026, 2).end_at == datetime(2026, 3, 1, tzinfo=WIB)
    for kind, number in [("month", 13), ("quarter", 5), ("week", 1)]:
        with pytest.raises(ValueError):
            Period(kind, 2026, number)
