"""Public reads for the JSON API and the feeds, on top of the apps' own selectors (which decide what is public).

Nothing here knows who asks: the API shows every caller the public view of a tender, the same that an anonymous
visitor of the tender page sees (insiders use the pages)."""

from django.db.models import Prefetch, QuerySet

from eproc.core import clock
from eproc.evaluation import selectors as evaluation
from eproc.evaluation.models import Result
from eproc.organizations.models import Agency, WorkUnit
from eproc.planning import selectors as planning
from eproc.planning.models import PlanItem
from eproc.tenders import lifecycle
from eproc.tenders import selectors as tenders
from eproc.tenders.models import Tender
from eproc.vendors import selectors as vendors


def agencies() -> QuerySet[Agency]:
    """The agencies and work units the public filters already list (RUP and tender pages)."""
    return Agency.objects.filter(is_active=True).prefetch_related(
        Prefetch("work_units", queryset=WorkUnit.objects.filter(is_active=True).order_by("name"))
    )


def plan_items(*, agency=None, work_unit=None, year=None, procurement_type=None, query="") -> QuerySet[PlanItem]:
    """Announced, not withdrawn (planning.selectors.announced_items); agency by code, work unit by public id."""
    items = planning.announced_items(year=year, procurement_type=procurement_type, query=query)
    if agency:
        items = items.filter(agency__code=agency)
    if work_unit:
        items = items.filter(work_unit__public_id=work_unit)
    return items


def plan_item(public_id: str) -> PlanItem | None:
    """An announced item, also after its withdrawal (its page stays public with the reason)."""
    return (
        PlanItem.objects.filter(public_id=public_id, announced_at__isnull=False)
        .select_related("agency", "work_unit")
        .first()
    )


def tender_list(
    *, agency=None, work_unit=None, category=None, method=None, year=None, query="", stage=None, state=None
):
    """Announced tenders (tenders.selectors.public_tenders), newest first. The stage and the state are derived from
    the schedule and the clock (lifecycle.situation), never stored, so those two filters run over the rows the
    database filters left; an LPSE announces a few hundred tenders a year."""
    rows = tenders.public_tenders(category=category, method=method, year=year, query=query)
    if agency:
        rows = rows.filter(agency__code=agency)
    if work_unit:
        rows = rows.filter(work_unit__public_id=work_unit)
    if stage:
        rows = rows.filter(stages__stage=stage).distinct()
    if not (stage or state):
        return rows
    now = clock.now()
    matching = []
    for tender in rows:
        situation = lifecycle.situation(tender, now)
        if state and situation.state != state:
            continue
        if stage and stage not in situation.current:
            continue
        matching.append(tender)
    return matching


def public_tender(public_id: str) -> Tender | None:
    """An announced tender; a draft is not public whoever asks (the pages serve insiders)."""
    return (
        Tender.objects.filter(public_id=public_id, announced_at__isnull=False)
        .select_related("agency", "work_unit", "plan_item", "repeat_of")
        .first()
    )


def public_participants(tender: Tender):
    """None until the opening begins (tenders.selectors.visible_participants with no insider)."""
    return tenders.visible_participants(None, tender, insider=False)


def public_bids(tender: Tender):
    """Prices and statuses after the opening (evaluation.selectors.prices_are_public), else None."""
    if not evaluation.prices_are_public(tender):
        return None
    return tender.bids.select_related("participant__vendor").order_by("price", "pk")


def public_result(tender: Tender) -> Result | None:
    """The standing result once announced (the tender page shows it to the public only then)."""
    result = evaluation.standing_result(tender)
    return result if result is not None and result.announced_at is not None else None


def announced_results(*, agency=None, year=None) -> QuerySet[Result]:
    """Winners: every standing, announced result of an announced tender, newest first."""
    results = (
        Result.objects.filter(voided_at__isnull=True, announced_at__isnull=False, tender__announced_at__isnull=False)
        .select_related("tender__agency", "tender__work_unit", "tender__contract", "winner__vendor")
        .order_by("-announced_at", "-pk")
    )
    if agency:
        results = results.filter(tender__agency__code=agency)
    if year:
        results = results.filter(tender__fiscal_year=year)
    return results


def vendor_directory(query: str = ""):
    """The public directory (vendors.selectors.directory): verified vendors, public fields."""
    return vendors.directory(query)


def vendor_rows(page) -> list[dict]:
    return vendors.directory_rows(page)
