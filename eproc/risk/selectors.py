"""Reads for the risk pages: the indicators are computed on request over every public tender's compiled release
(the set is small), in one pass over the releases, then matched to our tenders with one query."""

from dataclasses import dataclass, field

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from eproc.core import clock
from eproc.tenders.models import Tender

from . import indicators
from .thresholds import thresholds

# OCDS tender statuses (the closed tenderStatus codelist our releases use), for the pages.
TENDER_STATUS = {
    "planning": _("planning"),
    "active": _("active"),
    "complete": _("complete"),
    "cancelled": _("cancelled"),
    "unsuccessful": _("unsuccessful"),
    "withdrawn": _("withdrawn"),
}


@dataclass
class TenderRisk:
    ocid: str
    summary: dict
    flags: list[indicators.Flag]
    score: float
    tender: Tender | None = None

    @property
    def status_label(self) -> str:
        return TENDER_STATUS.get(self.summary["status"], self.summary["status"])

    @property
    def codes(self) -> list[str]:
        return sorted({flag.code for flag in self.flags})


@dataclass
class RiskReport:
    rows: list[TenderRisk]  # riskiest first
    meta: dict
    config: dict
    by_public_id: dict[str, TenderRisk] = field(default_factory=dict)


def compiled_releases() -> list[dict]:
    """Every public tender's compiled release, from the OCDS builder (eproc.publication.records)."""
    from eproc.publication import records

    return list(records.compiled_releases())


def risk_report(releases: list[dict] | None = None, *, today=None) -> RiskReport:
    """The indicators over `releases` (default: every public tender's compiled release), ranked by the weighted
    number of indicators that fire on each tender."""
    if releases is None:
        releases = compiled_releases()
    config = thresholds()
    results = indicators.compute(releases, config, today or clock.today_in(settings.TIME_ZONE))
    weights = config["weights"]
    rows = [
        TenderRisk(ocid, summary, results.flags_for(ocid), results.score(ocid, weights))
        for ocid, summary in results.summaries.items()
    ]
    public_ids = {row.summary["tender_id"] for row in rows if row.summary["tender_id"]}
    tenders = {
        tender.public_id: tender
        for tender in Tender.objects.filter(public_id__in=public_ids).select_related("agency", "work_unit")
    }
    for row in rows:
        row.tender = tenders.get(row.summary["tender_id"])
    rows = [row for row in rows if row.tender is not None]
    rows.sort(key=lambda row: (-row.score, -len(row.codes), row.summary["title"], row.ocid))
    return RiskReport(rows, results.meta, config, {row.tender.public_id: row for row in rows})


def tender_or_404(public_id: str) -> Tender:
    tender = Tender.objects.select_related("agency", "work_unit").filter(public_id=public_id).first()
    if tender is None:
        raise Http404
    return tender
