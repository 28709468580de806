"""What the public JSON API answers. Every field is listed here on purpose: a response is built field by field from
what the public pages already show, never by dumping a model, so a new private column cannot leak by accident.

Amounts are decimal strings in Rupiah ("1250000000.00"): exact, as the LPSE's documents state them."""

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from eproc.core.ids import PUBLIC_ID_REGEX
from eproc.planning.models import ProcurementType
from eproc.tenders.choices import Category, Method
from eproc.tenders.lifecycle import Stage

Amount = str
# Path and query ids are checked before any query: a malformed id is a 422, never a database error.
PUBLIC_ID_PATTERN = f"^{PUBLIC_ID_REGEX}$"
# A search text with a NUL byte cannot reach PostgreSQL; other text goes to an icontains filter as on the pages.
TEXT_PATTERN = r"^[^\x00]*$"
MAX_LIMIT = 100
STATES = ("running", "finished", "cancelled", "failed", "contracted", "halted")


class Paging(Schema):
    limit: int = Field(30, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)


class PlanItemFilters(Paging):
    agency: str | None = Field(None, max_length=20, pattern=TEXT_PATTERN, description="Agency code, e.g. D201.")
    work_unit: str | None = Field(None, pattern=PUBLIC_ID_PATTERN, description="Work unit public id.")
    year: int | None = Field(None, ge=2000, le=2100, description="Fiscal year.")
    type: ProcurementType | None = Field(None, description="Procurement type.")
    q: str = Field("", max_length=100, pattern=TEXT_PATTERN, description="Words of the package name or location.")


class TenderFilters(Paging):
    q: str = Field("", max_length=100, pattern=TEXT_PATTERN, description="Words of the title or the work unit.")
    agency: str | None = Field(None, max_length=20, pattern=TEXT_PATTERN, description="Agency code, e.g. D201.")
    work_unit: str | None = Field(None, pattern=PUBLIC_ID_PATTERN, description="Work unit public id.")
    category: Category | None = None
    method: Method | None = None
    stage: Stage | None = Field(None, description="Only tenders in this stage now.")
    state: str | None = Field(None, pattern="^(" + "|".join(STATES) + ")$", description="Only tenders in this state.")
    year: int | None = Field(None, ge=2000, le=2100, description="Fiscal year.")


class WinnerFilters(Paging):
    agency: str | None = Field(None, max_length=20, pattern=TEXT_PATTERN, description="Agency code, e.g. D201.")
    year: int | None = Field(None, ge=2000, le=2100, description="Fiscal year.")


class VendorFilters(Paging):
    q: str = Field("", max_length=100, pattern=TEXT_PATTERN, description="Name, city or business field.")


class AgencyRef(Schema):
    code: str
    name: str


class WorkUnitRef(Schema):
    public_id: str
    name: str


class Page(Schema):
    count: int = Field(description="Items matching the filters, over all pages, counted up to 1,000.")
    count_is_capped: bool = Field(
        False, description="More than `count` items match: narrow the filters (counting millions would be slow)."
    )
    limit: int
    offset: int


class Feeds(Schema):
    plan_items: str = Field(description="Atom feed of the announced plan items.")
    tenders: str = Field(description="Atom feed of the tender announcements.")


class WorkUnitOut(WorkUnitRef):
    code: str
    feeds: Feeds


class AgencyOut(AgencyRef):
    kind: str
    website: str
    feeds: Feeds
    work_units: list[WorkUnitOut]


class PlanItemOut(Schema):
    public_id: str
    agency: AgencyRef
    work_unit: WorkUnitRef
    fiscal_year: int
    package_name: str
    description: str
    location: str
    budget: Amount = Field(description="Estimated value (pagu), Rupiah.")
    fund_source: str
    procurement_type: str
    planned_method: str
    planned_month: int
    budget_reference: str
    pa_name: str
    pa_address: str
    announced_at: datetime
    url: str


class PlanItemRevisionOut(Schema):
    changed_at: datetime
    reason: str
    changes: dict[str, Any]


class TenderRef(Schema):
    public_id: str
    title: str
    url: str


class PlanItemDetail(PlanItemOut):
    withdrawn_at: datetime | None
    withdrawn_reason: str
    revisions: list[PlanItemRevisionOut]
    tenders: list[TenderRef]


class PlanItemPage(Page):
    items: list[PlanItemOut]


class StageNow(Schema):
    stage: str
    label: str


class TenderOut(Schema):
    public_id: str
    title: str
    agency: AgencyRef
    work_unit: WorkUnitRef
    fiscal_year: int
    category: str
    method: str
    method_label: str
    budget: Amount = Field(description="Budget (pagu), Rupiah.")
    owner_estimate: Amount = Field(description="Owner's estimate (HPS), Rupiah.")
    announced_at: datetime
    state: str = Field(description="running, finished, cancelled, failed, contracted or halted.")
    state_label: str
    current_stages: list[StageNow]
    url: str
    announcement_pdf: str = Field(description="Printable A4 announcement for the notice board.")


class TenderPage(Page):
    items: list[TenderOut]


class ScheduleRow(Schema):
    stage: str
    label: str
    starts_at: datetime
    ends_at: datetime
    current: bool


class Failure(Schema):
    reason: str
    label: str
    article: str
    note: str


class TenderDetail(TenderOut):
    description: str
    plan_item: str
    qualification: str
    file_system: str
    evaluation_method: str
    contract_type: str
    technical_weight: int | None
    price_weight: int | None
    small_business_reserved: bool
    small_business_exception: str
    qualification_requirements: str
    location: str
    version: int
    repeat_of: str | None
    next_stage: str | None
    cancelled_at: datetime | None
    cancelled_reason: str
    failed_at: datetime | None
    failure: Failure | None
    schedule: list[ScheduleRow]
    bids_public: bool = Field(description="Participants and prices are public from the opening of the bids.")
    result_public: bool = Field(description="The result is public once the winner is announced.")


class DocumentOut(Schema):
    version: int
    kind: str
    kind_label: str
    title: str
    change_note: str
    original_name: str
    size: int
    sha256: str
    uploaded_at: datetime


class ScheduleChangeOut(Schema):
    stage: str
    label: str
    old_starts_at: datetime
    old_ends_at: datetime
    new_starts_at: datetime
    new_ends_at: datetime
    reason: str
    changed_at: datetime
    addendum_version: int | None


class VendorRef(Schema):
    public_id: str
    name: str
    npwp: str


class Participants(Schema):
    public: bool
    public_from: datetime | None = Field(description="When the list turns public: the opening of the bids.")
    items: list[VendorRef]


class BidOut(Schema):
    vendor: VendorRef
    price: Amount | None
    status: str
    status_label: str


class Bids(Schema):
    public: bool
    items: list[BidOut]
    opening_minutes: list[str]


class RankingRow(Schema):
    vendor: VendorRef
    price: Amount | None
    corrected_price: Amount | None
    administrative: bool | None
    technical: bool | None
    winner: bool
    reasons: list[str]


class AwardLetterOut(Schema):
    number: str
    issued_at: datetime
    url: str


class ContractOut(Schema):
    number: str
    signed_on: date
    value: Amount
    starts_on: date
    ends_on: date


class ResultOut(Schema):
    public: bool
    winner: VendorRef | None
    winning_price: Amount | None
    reasons: str
    announced_at: datetime | None
    minutes: str | None
    ranking: list[RankingRow]
    award_letter: AwardLetterOut | None
    contract: ContractOut | None


class WinnerOut(Schema):
    tender: TenderRef
    agency: AgencyRef
    work_unit: WorkUnitRef
    fiscal_year: int
    category: str
    owner_estimate: Amount
    winner: VendorRef
    winning_price: Amount
    announced_at: datetime
    contract: ContractOut | None


class WinnerPage(Page):
    items: list[WinnerOut]


class VendorOut(Schema):
    public_id: str
    name: str
    city: str
    is_small_business: bool
    business_fields: list[str]
    licences_in_force: bool
    sanctioned: bool


class VendorPage(Page):
    items: list[VendorOut]


class Joined(Schema):
    tender: str
    vendor: VendorRef
    joined_at: datetime
