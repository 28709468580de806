"""Every figure of the monitoring dashboard, the periodic activity report, the compliance monitor and the capacity
panel, computed here from the data with ORM aggregates (Pasal 8(2)a,f, 9(4)c,e, 11(3)e, 15). Nothing is stored
but the capacity snapshots; the pages and the PDF/CSV only lay these figures out.

Which tenders belong to a period: a tender counts in the period that holds its announcement, or its creation while
it is not yet announced (so drafts of this month show too). Sandbox (training) tenders never count."""

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from eproc.complaints.models import Complaint, DeviationFlag, Ticket
from eproc.core import clock
from eproc.evaluation.models import Bid, Contract
from eproc.organizations.models import Agency, WorkUnit
from eproc.planning.models import PlanItem, PlannedMethod
from eproc.publication.models import OutboxEntry
from eproc.tenders.choices import Method
from eproc.tenders.lifecycle import STATE_LABELS, Stage
from eproc.tenders.models import Participant, Tender, TenderStage
from eproc.tenders.rules import FAILURE_TRIGGERS
from eproc.vendors.models import Activation, Submission, Vendor, Verification

from . import request_counts
from .models import AdoptionPlan, CapacitySnapshot, ComplianceRule

LPSE_ZONE = ZoneInfo(clock.WIB)  # periods are the LPSE's calendar months, in its own zone
ZERO = Decimal("0")

# --- Periods ---------------------------------------------------------------------------------------------------

PERIOD_KINDS = ("month", "quarter", "year")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Period:
    """A calendar month, quarter or year of the LPSE's zone: [start, end)."""

    kind: str
    year: int
    number: int = 1  # the month (1-12) or the quarter (1-4); 1 for a year

    def __post_init__(self):
        limits = {"month": 12, "quarter": 4, "year": 1}
        if self.kind not in limits or not 1 <= self.number <= limits[self.kind] or not 2000 <= self.year <= 2100:
            raise ValueError(f"invalid period {self.kind} {self.year} {self.number}")

    @property
    def first_month(self) -> int:
        return {"month": self.number, "quarter": 3 * self.number - 2, "year": 1}[self.kind]

    @property
    def months(self) -> range:
        length = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        return range(self.first_month, self.first_month + length)

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        last = self.months[-1]
        return date(self.year + 1, 1, 1) if last == 12 else date(self.year, last + 1, 1)

    @property
    def start_at(self) -> datetime:
        return datetime(self.start.year, self.start.month, 1, tzinfo=LPSE_ZONE)

    @property
    def end_at(self) -> datetime:
        return datetime(self.end.year, self.end.month, 1, tzinfo=LPSE_ZONE)

    @property
    def slug(self) -> str:
        return {"month": f"{self.year}-{self.number:02d}", "quarter": f"{self.year}-q{self.number}"}.get(
            self.kind, str(self.year)
        )

    def label(self) -> str:
        if self.kind == "month":
            # "Maret 2026" / "March 2026", in the language of the page.
            language = "en" if (translation.get_language() or "id").startswith("en") else "id"
            return babel_format_date(self.start, "MMMM y", locale=language)
        if self.kind == "quarter":
            return str(_("Quarter %(roman)s %(year)s")) % {"roman": ROMAN[self.number], "year": self.year}
        return str(self.year)


def period_from(kind: str | None, year: str | int | None, number: str | int | None = None) -> Period:
    """A period from request parameters; the current year (or its current month/quarter) when missing, and
    ValueError on nonsense."""
    today = clock.now().astimezone(LPSE_ZONE).date()
    kind = kind or "year"
    year = int(year) if year not in (None, "") else today.year
    if number in (None, ""):
        number = {"month": today.month, "quarter": (today.month - 1) // 3 + 1}.get(kind, 1)
    return Period(kind, year, int(number))


# --- Shapes of the figures --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One row of a chart: a label, a count and (where it means something) an amount in Rupiah."""

    key: str
    label: str
    count: int
    amount: Decimal | None = None


@dataclass(frozen=True)
class DurationStats:
    count: int
    average_days: Decimal | None
    shortest_days: Decimal | None
    longest_days: Decimal | None


@dataclass
class TenderFigures:
    total: int
    by_state: list[Bar]
    by_agency: list[Bar]
    by_work_unit: list[Bar]
    by_method: list[Bar]
    by_month: list[Bar]
    pagu: Decimal
    hps: Decimal
    contracts: int
    contract_value: Decimal
    hps_of_contracted: Decimal
    savings: Decimal
    savings_percent: Decimal | None
    participants: int
    tenders_with_bids: int
    bids: int
    average_bidders: Decimal | None
    single_bidder: int
    bidders: list[Bar]
    duration: DurationStats
    failed: int
    failed_by_reason: list[Bar]
    cancelled: int
    repeats: int
    failed_repeated: int


@dataclass
class PlanFigures:
    announced: int
    pagu: Decimal
    by_type: list[Bar]


@dataclass
class VendorFigures:
    registered: int
    submissions: int
    approved: int
    rejected: int
    activated: int
    waiting_at_end: int
    average_verification_hours: Decimal | None
    longest_verification_hours: Decimal | None
    verified_total: int


@dataclass
class ServiceFigures:
    complaints: int
    complaints_by_status: list[Bar]
    complaints_about_tenders: int
    complaints_closed: int
    average_days_to_close: Decimal | None
    tickets: int
    tickets_by_channel: list[Bar]
    tickets_answered: int
    average_hours_to_answer: Decimal | None
    deviation_flags: int
    deviation_flags_acknowledged: int


@dataclass
class ActivityReport:
    period: Period
    agency: Agency | None
    generated_at: datetime
    tenders: TenderFigures
    plan: PlanFigures
    vendors: VendorFigures
    services: ServiceFigures
    rows: list = field(default_factory=list)


# --- Helpers ----------------------------------------------------------------------------------------------------


def _round(value, places: str = "0.01") -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _days(duration: timedelta | None) -> Decimal | None:
    return None if duration is None else _round(Decimal(duration.total_seconds()) / Decimal(86400))


def _hours(duration: timedelta | None) -> Decimal | None:
    return None if duration is None else _round(Decimal(duration.total_seconds()) / Decimal(3600))


def _in(period: Period, field_name: str) -> Q:
    return Q(**{f"{field_name}__gte": period.start_at, f"{field_name}__lt": period.end_at})


def _scoped(queryset: QuerySet, agency_ids, path: str = "agency_id") -> QuerySet:
    return queryset if agency_ids is None else queryset.filter(**{f"{path}__in": agency_ids})


def scope_ids(*, agency: Agency | None, scope: set[int] | None) -> set[int] | None:
    """The agency ids a figure is computed over: the chosen agency within the viewer's scope; None for all."""
    if agency is not None:
        return {agency.pk} if scope is None or agency.pk in scope else set()
    return scope


def agencies_in(scope: set[int] | None) -> QuerySet[Agency]:
    return Agency.objects.all() if scope is None else Agency.objects.filter(pk__in=scope)


# --- Tenders ----------------------------------------------------------------------------------------------------


def tenders_of(period: Period, agency_ids: set[int] | None = None) -> QuerySet[Tender]:
    queryset = Tender.objects.filter(sandbox=False).annotate(reference_at=Coalesce("announced_at", "created_at"))
    return _scoped(queryset.filter(_in(period, "reference_at")), agency_ids)


def _with_state(queryset: QuerySet[Tender], now: datetime) -> QuerySet[Tender]:
    """The state of lifecycle.situation() as SQL: the stored facts first, then the first stage open now."""
    open_now = TenderStage.objects.filter(tender=OuterRef("pk"), starts_at__lte=now, ends_at__gt=now)
    later = TenderStage.objects.filter(tender=OuterRef("pk"), starts_at__gt=now)
    return queryset.annotate(
        current_stage=Subquery(open_now.order_by("position").values("stage")[:1]),
        state=Case(
            When(cancelled_at__isnull=False, then=Value("cancelled")),
            When(failed_at__isnull=False, then=Value("failed")),
            When(Exists(Contract.objects.filter(tender=OuterRef("pk"))), then=Value("contracted")),
            When(announced_at__isnull=True, approved_at__isnull=False, then=Value("approved")),
            When(announced_at__isnull=True, approval_requested_at__isnull=False, then=Value("awaiting_approval")),
            When(announced_at__isnull=True, then=Value("draft")),
            When(Exists(open_now) | Exists(later), then=Value("running")),
            default=Value("finished"),
        ),
    )


def _state_label(state: str, stage: str | None) -> str:
    if state == "running" and stage:
        return str(Stage(stage).label)
    return str(STATE_LABELS[state])


def tender_figures(period: Period, agency_ids: set[int] | None = None) -> TenderFigures:
    tenders = tenders_of(period, agency_ids)
    now = clock.now()

    by_state = {}
    for row in _with_state(tenders, now).values("state", "current_stage").annotate(n=Count("pk")):
        stage = row["current_stage"] if row["state"] == "running" else None
        key = f"{row['state']}:{stage or ''}"
        by_state[key] = Bar(key, _state_label(row["state"], stage), row["n"])

    by_agency = [
        Bar(str(row["agency__public_id"]), row["agency__name"], row["n"], row["hps"])
        for row in tenders.values("agency__public_id", "agency__name")
        .annotate(n=Count("pk"), hps=Sum("owner_estimate"))
        .order_by("-n", "agency__name")
    ]
    by_work_unit = [
        Bar(row["work_unit__public_id"], f"{row['work_unit__name']} ({row['agency__code']})", row["n"], row["hps"])
        for row in tenders.values("work_unit__public_id", "work_unit__name", "agency__code")
        .annotate(n=Count("pk"), hps=Sum("owner_estimate"))
        .order_by("-n", "work_unit__name")
    ]
    methods = dict(Method.choices)
    by_method = [
        Bar(row["method"], str(methods.get(row["method"], row["method"])), row["n"], row["hps"])
        for row in tenders.values("method").annotate(n=Count("pk"), hps=Sum("owner_estimate")).order_by("-n")
    ]
    monthly = {
        row["month"]: row
        for row in tenders.annotate(month=ExtractMonth("reference_at", tzinfo=LPSE_ZONE))
        .values("month")
        .annotate(n=Count("pk"), hps=Sum("owner_estimate"))
    }
    by_month = [
        Bar(
            str(month),
            Period("month", period.year, month).label(),
            monthly[month]["n"] if month in monthly else 0,
            monthly[month]["hps"] if month in monthly else ZERO,
        )
        for month in period.months
    ]

    values = tenders.aggregate(
        total=Count("pk"),
        hps=Sum("owner_estimate"),
        failed=Count("pk", filter=Q(failed_at__isnull=False)),
        cancelled=Count("pk", filter=Q(cancelled_at__isnull=False)),
        repeats=Count("pk", filter=Q(repeat_of__isnull=False)),
        failed_repeated=Count(
            "pk", filter=Q(failed_at__isnull=False) & Q(Exists(Tender.objects.filter(repeat_of=OuterRef("pk"))))
        ),
    )
    # A repeated tender (lelang ulang) is a new package of the same plan item: its pagu is counted once.
    pagu = PlanItem.objects.filter(pk__in=tenders.values("plan_item")).aggregate(total=Sum("budget"))["total"]

    contracts = Contract.objects.filter(tender__in=tenders.values("pk")).annotate(
        duration=ExpressionWrapper(F("recorded_at") - F("tender__announced_at"), output_field=DurationField())
    )
    money = contracts.aggregate(
        n=Count("pk"),
        value=Sum("value"),
        savings=Sum("savings"),
        hps=Sum("tender__owner_estimate"),
        average=Avg("duration"),
        shortest=Min("duration"),
        longest=Max("duration"),
    )
    hps_of_contracted = money["hps"] or ZERO
    savings = money["savings"] or ZERO
    savings_percent = _round(savings * 100 / hps_of_contracted) if hps_of_contracted else None

    # Participation: those who joined, and those whose bid was read at the opening (Bid.Status.READ).
    participants = Participant.objects.filter(tender__in=tenders.values("pk")).count()
    bidding = tenders.annotate(bidders=Count("bids", filter=Q(bids__status=Bid.Status.READ))).filter(bidders__gt=0)
    bidding_stats = bidding.aggregate(
        tenders=Count("pk"),
        bids=Sum("bidders"),
        average=Avg("bidders"),
        one=Count("pk", filter=Q(bidders=1)),
        two=Count("pk", filter=Q(bidders=2)),
        three_or_more=Count("pk", filter=Q(bidders__gte=3)),
    )
    bidders = [
        Bar("1", str(_("1 bidder")), bidding_stats["one"]),
        Bar("2", str(_("2 bidders")), bidding_stats["two"]),
        Bar("3+", str(_("3 or more bidders")), bidding_stats["three_or_more"]),
    ]
    failed_by_reason = [
        Bar(
            row["failure_reason"],
            str(FAILURE_TRIGGERS[row["failure_reason"]].label)
            if row["failure_reason"] in FAILURE_TRIGGERS
            else row["failure_reason"],
            row["n"],
        )
        for row in tenders.filter(failed_at__isnull=False)
        .values("failure_reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "failure_reason")
    ]
    return TenderFigures(
        total=values["total"],
        by_state=sorted(by_state.values(), key=lambda bar: (-bar.count, bar.label)),
        by_agency=by_agency,
        by_work_unit=by_work_unit,
        by_method=by_method,
        by_month=by_month,
        pagu=pagu or ZERO,
        hps=values["hps"] or ZERO,
        contracts=money["n"],
        contract_value=money["value"] or ZERO,
        hps_of_contracted=hps_of_contracted,
        savings=savings,
        savings_percent=savings_percent,
        participants=participants,
        tenders_with_bids=bidding_stats["tenders"],
        bids=bidding_stats["bids"] or 0,
        average_bidders=_round(bidding_stats["average"]),
        single_bidder=bidding_stats["one"],
        bidders=bidders,
        duration=DurationStats(money["n"], _days(money["average"]), _days(money["shortest"]), _days(money["longest"])),
        failed=values["failed"],
        failed_by_reason=failed_by_reason,
        cancelled=values["cancelled"],
        repeats=values["repeats"],
        failed_repeated=values["failed_repeated"],
    )


# --- The plan (RUP), vendors, complaints and the helpdesk -------------------------------------------------------------


def plan_figures(period: Period, agency_ids: set[int] | None = None) -> PlanFigures:
    """Plan items announced in the period and still standing (Pasal 7(1)a-c)."""
    items = _scoped(PlanItem.objects.filter(_in(period, "announced_at"), withdrawn_at__isnull=True), agency_ids)
    totals = items.aggregate(n=Count("pk"), pagu=Sum("budget"))
    types = dict(PlanItem._meta.get_field("procurement_type").choices)
    by_type = [
        Bar(row["procurement_type"], str(types.get(row["procurement_type"])), row["n"], row["pagu"])
        for row in items.values("procurement_type").annotate(n=Count("pk"), pagu=Sum("budget")).order_by("-n")
    ]
    return PlanFigures(announced=totals["n"], pagu=totals["pagu"] or ZERO, by_type=by_type)


def vendor_figures(period: Period) -> VendorFigures:
    """Registration and verification (Pasal 9(8)); vendors serve every agency, so these are the LPSE's figures."""
    decided = Verification.objects.filter(_in(period, "decided_at")).annotate(
        waited=ExpressionWrapper(F("decided_at") - F("submission__submitted_at"), output_field=DurationField())
    )
    decisions = decided.aggregate(
        approved=Count("pk", filter=Q(decision=Verification.Decision.APPROVED)),
        rejected=Count("pk", filter=Q(decision=Verification.Decision.REJECTED)),
        average=Avg("waited"),
        longest=Max("waited"),
    )
    waiting = Submission.objects.filter(submitted_at__lt=period.end_at).filter(
        Q(decided_at__isnull=True) | Q(decided_at__gte=period.end_at)
    )
    return VendorFigures(
        registered=Vendor.objects.filter(_in(period, "created_at")).count(),
        submissions=Submission.objects.filter(_in(period, "submitted_at")).count(),
        approved=decisions["approved"],
        rejected=decisions["rejected"],
        activated=Activation.objects.filter(_in(period, "activated_at")).count(),
        waiting_at_end=waiting.count(),
        average_verification_hours=_hours(decisions["average"]),
        longest_verification_hours=_hours(decisions["longest"]),
        verified_total=Vendor.objects.filter(status=Vendor.Status.VERIFIED).count(),
    )


def service_figures(period: Period, agency_ids: set[int] | None = None) -> ServiceFigures:
    """Complaints (Pasal 14) of the period, of the agencies in scope; the helpdesk's load (Pasal 9(9))."""
    complaints = _scoped(Complaint.objects.filter(_in(period, "created_at")), agency_ids)
    statuses = dict(Complaint.Status.choices)
    complaint_totals = complaints.annotate(
        to_close=ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    ).aggregate(
        n=Count("pk"),
        about_tenders=Count("pk", filter=Q(about=Complaint.About.TENDER)),
        closed=Count("pk", filter=Q(closed_at__isnull=False)),
        average=Avg("to_close"),
    )
    tickets = Ticket.objects.filter(_in(period, "created_at"))
    channels = dict(Ticket.Channel.choices)
    ticket_totals = tickets.annotate(
        to_answer=ExpressionWrapper(F("answered_at") - F("created_at"), output_field=DurationField())
    ).aggregate(n=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)), average=Avg("to_answer"))
    flags = DeviationFlag.objects.filter(_in(period, "flagged_at")).aggregate(
        n=Count("pk"), acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False))
    )
    return ServiceFigures(
        complaints=complaint_totals["n"],
        complaints_by_status=[
            Bar(row["status"], str(statuses[row["status"]]), row["n"])
            for row in complaints.values("status").annotate(n=Count("pk")).order_by("status")
        ],
        complaints_about_tenders=complaint_totals["about_tenders"],
        complaints_closed=complaint_totals["closed"],
        average_days_to_close=_days(complaint_totals["average"]),
        tickets=ticket_totals["n"],
        tickets_by_channel=[
            Bar(row["channel"], str(channels[row["channel"]]), row["n"])
            for row in tickets.values("channel").annotate(n=Count("pk")).order_by("channel")
        ],
        tickets_answered=ticket_totals["answered"],
        average_hours_to_answer=_hours(ticket_totals["average"]),
        deviation_flags=flags["n"],
        deviation_flags_acknowledged=flags["acknowledged"],
    )


def activity_report(period: Period, *, agency: Agency | None = None, scope: set[int] | None = None) -> ActivityReport:
    """The periodic activity report of the Head of LPSE (Pasal 9(4)c,e, 8(2)a): what the dashboard shows for a
    year and what the PDF and CSV hold for a month, a quarter or a year."""
    ids = scope_ids(agency=agency, scope=scope)
    report = ActivityReport(
        period=period,
        agency=agency,
        generated_at=clock.now(),
        tenders=tender_figures(period, ids),
        plan=plan_figures(period, ids),
        vendors=vendor_figures(period),
        services=service_figures(period, ids),
    )
    report.rows = report_rows(report)
    return report


@dataclass(frozen=True)
class Row:
    section: str
    label: str
    value: object
    unit: str = "count"  # count | rupiah | percent | days | hours


def report_rows(report: ActivityReport) -> list[Row]:
    """The report as lines of section, figure and value: the CSV, and the tables of the PDF."""
    t, p, v, s = report.tenders, report.plan, report.vendors, report.services
    tenders, plan, vendors, service = (
        str(_("Tenders")),
        str(_("Procurement plan (RUP)")),
        str(_("Vendors")),
        str(_("Complaints and helpdesk")),
    )
    rows = [
        Row(plan, str(_("Plan items announced")), p.announced),
        Row(plan, str(_("Pagu of the announced plan items")), p.pagu, "rupiah"),
        Row(tenders, str(_("Tenders")), t.total),
        Row(tenders, str(_("Pagu of their plan items")), t.pagu, "rupiah"),
        Row(tenders, str(_("HPS")), t.hps, "rupiah"),
        Row(tenders, str(_("Contracts")), t.contracts),
        Row(tenders, str(_("Contract value")), t.contract_value, "rupiah"),
        Row(tenders, str(_("HPS of the contracted tenders")), t.hps_of_contracted, "rupiah"),
        Row(tenders, str(_("Savings")), t.savings, "rupiah"),
        Row(tenders, str(_("Savings, percent of HPS")), t.savings_percent, "percent"),
        Row(tenders, str(_("Vendors who joined")), t.participants),
        Row(tenders, str(_("Tenders with bids read")), t.tenders_with_bids),
        Row(tenders, str(_("Bids read")), t.bids),
        Row(tenders, str(_("Average bidders per tender")), t.average_bidders, "number"),
        Row(tenders, str(_("Single-bidder tenders")), t.single_bidder),
        Row(tenders, str(_("Average days from announcement to contract")), t.duration.average_days, "days"),
        Row(tenders, str(_("Shortest (days)")), t.duration.shortest_days, "days"),
        Row(tenders, str(_("Longest (days)")), t.duration.longest_days, "days"),
        Row(tenders, str(_("Failed tenders (lelang gagal)")), t.failed),
        Row(tenders, str(_("Failed tenders already repeated")), t.failed_repeated),
        Row(tenders, str(_("Repeated tenders (lelang ulang)")), t.repeats),
        Row(tenders, str(_("Cancelled tenders")), t.cancelled),
    ]
    rows += [Row(str(_("Tenders by stage")), bar.label, bar.count) for bar in t.by_state]
    rows += [Row(str(_("Tenders by agency")), bar.label, bar.count) for bar in t.by_agency]
    rows += [Row(str(_("Tenders by work unit")), bar.label, bar.count) for bar in t.by_work_unit]
    rows += [Row(str(_("Tenders by method")), bar.label, bar.count) for bar in t.by_method]
    rows += [Row(str(_("Tenders by month")), bar.label, bar.count) for bar in t.by_month]
    rows += [Row(str(_("Failed tenders by reason")), bar.label, bar.count) for bar in t.failed_by_reason]
    rows += [
        Row(vendors, str(_("Registrations")), v.registered),
        Row(vendors, str(_("Submitted for verification")), v.submissions),
        Row(vendors, str(_("Approved")), v.approved),
        Row(vendors, str(_("Returned for correction")), v.rejected),
        Row(vendors, str(_("Activated")), v.activated),
        Row(vendors, str(_("Waiting for verification at the end of the period")), v.waiting_at_end),
        Row(vendors, str(_("Average verification time (hours)")), v.average_verification_hours, "hours"),
        Row(vendors, str(_("Longest verification time (hours)")), v.longest_verification_hours, "hours"),
        Row(service, str(_("Complaints filed")), s.complaints),
        Row(service, str(_("Complaints about a tender")), s.complaints_about_tenders),
        Row(service, str(_("Complaints answered and closed")), s.complaints_closed),
        Row(service, str(_("Average days to close a complaint")), s.average_days_to_close, "days"),
        Row(service, str(_("Helpdesk consultations")), s.tickets),
        Row(service, str(_("Consultations answered")), s.tickets_answered),
        Row(service, str(_("Average hours to answer")), s.average_hours_to_answer, "hours"),
        Row(service, str(_("Procedural deviations reported")), s.deviation_flags),
        Row(service, str(_("Deviations followed up by the Head")), s.deviation_flags_acknowledged),
    ]
    rows += [Row(str(_("Consultations by channel")), bar.label, bar.count) for bar in s.tickets_by_channel]
    rows += [Row(str(_("Complaints by status")), bar.label, bar.count) for bar in s.complaints_by_status]
    return rows


def report_sections(report: ActivityReport) -> list[tuple[str, list[Row]]]:
    sections: dict[str, list[Row]] = {}
    for row in report.rows:
        sections.setdefault(row.section, []).append(row)
    return list(sections.items())


# --- Compliance (Pasal 15) --------------------------------------------------------------------------------------


def rules_for(year: int) -> list[ComplianceRule]:
    """The rules in force for a fiscal year: those of the latest year_from not after it (a later policy replaces
    the earlier one as a whole)."""
    active = ComplianceRule.objects.filter(is_active=True, year_from__lte=year)
    latest = active.aggregate(latest=Max("year_from"))["latest"]
    return list(active.filter(year_from=latest)) if latest is not None else []


def _electronic() -> Exists:
    """A plan item went through the e-procurement system when a real (not sandbox) tender of it was announced."""
    return Exists(Tender.objects.filter(plan_item=OuterRef("pk"), announced_at__isnull=False, sandbox=False))


def _counted_items(year: int, agency_ids: set[int] | None) -> QuerySet[PlanItem]:
    # Swakelola is done by the work unit itself: no provider is selected, so there is nothing to tender (Pasal 15
    # is about procurement of goods and services from providers).
    items = PlanItem.objects.filter(fiscal_year=year, announced_at__isnull=False, withdrawn_at__isnull=True).exclude(
        planned_method=PlannedMethod.SELF_MANAGED
    )
    return _scoped(items, agency_ids)


@dataclass(frozen=True)
class RuleCheck:
    rule: ComplianceRule
    eligible: int  # plan items the rule counts
    electronic: int  # of them, tendered through the system
    complies: bool | None  # None: nothing to assess (no planned procurement)

    @property
    def share_percent(self) -> Decimal | None:
        return _round(Decimal(self.electronic * 100) / self.eligible) if self.eligible else None


@dataclass(frozen=True)
class UnitCompliance:
    work_unit: WorkUnit
    checks: tuple[RuleCheck, ...]
    plan: AdoptionPlan | None
    electronic: int  # every counted plan item of the year tendered through the system
    planned_items: int
    planned_items_done: int

    @property
    def complies(self) -> bool | None:
        verdicts = [check.complies for check in self.checks if check.complies is not None]
        if not verdicts:
            return None
        return all(verdicts)

    @property
    def on_plan(self) -> bool | None:
        if self.plan is None:
            return None
        return self.electronic >= self.plan.planned_count and self.planned_items_done == self.planned_items


def _check(rule: ComplianceRule, eligible: int, electronic: int) -> bool | None:
    if rule.kind == ComplianceRule.Kind.MIN_PACKAGES:
        return electronic >= rule.min_count
    if eligible == 0:
        return None
    return electronic * 100 >= rule.min_share_percent * eligible


def compliance(year: int, agency_ids: set[int] | None = None) -> list[UnitCompliance]:
    """Per active work unit: each rule of the year with plan vs actual, and its adoption plan (Pasal 15(1)-(4))."""
    units = list(_scoped(WorkUnit.objects.filter(is_active=True).select_related("agency"), agency_ids))
    items = _counted_items(year, agency_ids)
    rules = rules_for(year)
    counts_by_rule = {}
    for rule in rules:
        eligible = items.filter(budget__gt=rule.value_above)
        if rule.procurement_type:
            eligible = eligible.filter(procurement_type=rule.procurement_type)
        counts_by_rule[rule.pk] = {
            row["work_unit"]: row
            for row in eligible.values("work_unit").annotate(
                n=Count("pk"), electronic=Count("pk", filter=Q(_electronic()))
            )
        }
    electronic_by_unit = {
        row["work_unit"]: row["n"] for row in items.filter(_electronic()).values("work_unit").annotate(n=Count("pk"))
    }
    plans = {
        plan.work_unit_id: plan
        for plan in AdoptionPlan.objects.filter(fiscal_year=year, work_unit__in=units).annotate(
            items_total=Count("plan_items", distinct=True),
            items_done=Count(
                "plan_items",
                filter=Q(
                    plan_items__tenders__announced_at__isnull=False,
                    plan_items__tenders__sandbox=False,
                ),
                distinct=True,
            ),
        )
    }
    result = []
    for unit in units:
        checks = []
        for rule in rules:
            row = counts_by_rule[rule.pk].get(unit.pk, {"n": 0, "electronic": 0})
            checks.append(RuleCheck(rule, row["n"], row["electronic"], _check(rule, row["n"], row["electronic"])))
        plan = plans.get(unit.pk)
        result.append(
            UnitCompliance(
                work_unit=unit,
                checks=tuple(checks),
                plan=plan,
                electronic=electronic_by_unit.get(unit.pk, 0),
                planned_items=plan.items_total if plan else 0,
                planned_items_done=plan.items_done if plan else 0,
            )
        )
    return result


def adoption_plan_of(work_unit: WorkUnit, year: int) -> AdoptionPlan | None:
    return AdoptionPlan.objects.filter(work_unit=work_unit, fiscal_year=year).first()


def plannable_items(work_unit: WorkUnit, year: int) -> QuerySet[PlanItem]:
    """The packages a work unit may put in its adoption plan: its announced, standing plan items of the year."""
    return PlanItem.objects.filter(
        work_unit=work_unit, fiscal_year=year, announced_at__isnull=False, withdrawn_at__isnull=True
    ).exclude(planned_method=PlannedMethod.SELF_MANAGED)


def work_units_plannable_by(user) -> QuerySet[WorkUnit]:
    from eproc.organizations.roles import Role
    from eproc.organizations.selectors import grants_of

    unit_ids = {g.work_unit_id for g in grants_of(user) if g.role in (Role.PA, Role.KPA) and g.work_unit_id}
    agency_ids = {g.agency_id for g in grants_of(user) if g.role == Role.ADMIN_AGENCY and g.agency_id}
    return (
        WorkUnit.objects.filter(Q(pk__in=unit_ids) | Q(agency_id__in=agency_ids), is_active=True)
        .select_related("agency")
        .order_by("agency__name", "name")
    )


# --- Capacity (Pasal 11(3)e) ------------------------------------------------------------------------------------


def database_bytes() -> int:
    """The database's size as the server reports it (PostgreSQL), or its files on disk (SQLite with its WAL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        return sum(os.path.getsize(path) for path in (name, name + "-wal") if os.path.isfile(path))
    return 0


@dataclass(frozen=True)
class StorageUsage:
    media_bytes: int
    media_files: int
    other_bytes: int
    by_folder: list[Bar]


def _walk(root: Path, skip: Path | None = None):
    """(top-level folder, size) of every file under root, from directory entries only: no file is opened."""
    if not root.is_dir():
        return
    pending = [(root, None)]
    while pending:
        directory, top = pending.pop()
        try:
            entries = os.scandir(directory)
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        path = Path(entry.path)
                        if skip is not None and path == skip:
                            continue
                        pending.append((path, top or entry.name))
                    elif entry.is_file(follow_symlinks=False):
                        yield top or "", entry.stat(follow_symlinks=False).st_size
                except OSError:
                    continue  # a file removed while we walk is simply not counted


def storage_usage() -> StorageUsage:
    """Stored files (MEDIA_ROOT, where eproc.files keeps every upload) by top-level folder, and everything else the
    installation keeps under VAR_DIR (keys, cache, SQLite files, static files)."""
    media_root = Path(settings.MEDIA_ROOT).resolve()
    folders: dict[str, list[int]] = {}
    for folder, size in _walk(media_root):
        totals = folders.setdefault(folder, [0, 0])
        totals[0] += size
        totals[1] += 1
    other = sum(size for _folder, size in _walk(Path(settings.VAR_DIR).resolve(), skip=media_root))
    by_folder = [
        Bar(name or ".", name or ".", count, Decimal(size))
        for name, (size, count) in sorted(folders.items(), key=lambda item: -item[1][0])
    ]
    return StorageUsage(
        media_bytes=sum(size for size, _count in folders.values()),
        media_files=sum(count for _size, count in folders.values()),
        other_bytes=other,
        by_folder=by_folder,
    )


def queue() -> dict:
    """The national-portal outbox (Pasal 12b): changes not yet delivered, and how long the oldest has waited."""
    pending = OutboxEntry.objects.filter(delivered_at__isnull=True)
    totals = pending.aggregate(n=Count("pk"), oldest=Min("created_at"), failing=Count("pk", filter=Q(attempts__gt=0)))
    return {"depth": totals["n"], "oldest": totals["oldest"], "failing": totals["failing"]}


def request_rates(minutes: int = 60) -> list[Bar]:
    """Requests per minute over the last `minutes`, oldest first, from the counters of the request middleware."""
    now = clock.now()
    moments = [now - timedelta(minutes=back) for back in range(minutes - 1, -1, -1)]
    keys = [request_counts.minute_key(moment) for moment in moments]
    counts = cache.get_many(keys)
    not_yet_written = request_counts.tally.pending()
    return [
        Bar(key, moment.astimezone(LPSE_ZONE).strftime("%H:%M"), int(counts.get(key, 0)) + not_yet_written[key])
        for key, moment in zip(keys, moments, strict=True)
    ]


def snapshots(days: int = 60) -> list[CapacitySnapshot]:
    return list(CapacitySnapshot.objects.order_by("-taken_on")[:days])[::-1]


def today_snapshot() -> CapacitySnapshot | None:
    return CapacitySnapshot.objects.filter(taken_on=clock.now().astimezone(LPSE_ZONE).date()).first()


def adoption_plans_of(units, year: int) -> QuerySet[AdoptionPlan]:
    return AdoptionPlan.objects.filter(work_unit__in=units, fiscal_year=year)


def database_vendor() -> str:
    return {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(connection.vendor, connection.vendor)
