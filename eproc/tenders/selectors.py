"""Reads of tenders that encode who sees what."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from eproc.core import clock
from eproc.organizations.roles import Role
from eproc.organizations.selectors import active_appointments, grants_of

from . import lifecycle, search
from .models import Participant, Question, Tender
from .policies import LPSE_OVERSEERS, RUNNER_ROLES


def tender_or_404(public_id) -> Tender:
    return get_object_or_404(
        Tender.objects.select_related("agency", "work_unit", "plan_item", "ppk"), public_id=public_id
    )


def public_tenders(*, agency=None, category=None, method=None, year=None, query="") -> QuerySet[Tender]:
    # The contract too: lifecycle.situation asks each listed tender whether it has one.
    from eproc.evaluation.models import Objection

    halted = Objection.objects.filter(tender=OuterRef("pk"), appeal__isnull=False, appeal__decided_at__isnull=True)
    tenders = (
        Tender.objects.filter(announced_at__isnull=False)
        .select_related("agency", "work_unit", "contract")
        .annotate(appeal_pending=Exists(halted))
    )
    if agency:
        tenders = tenders.filter(agency=agency)
    if category:
        tenders = tenders.filter(category=category)
    if method:
        tenders = tenders.filter(method=method)
    tenders = tenders.prefetch_related("stages").order_by("-announced_at", "-pk")
    if query:
        # Full text in title, description, agency, work unit and location; ranked when few enough (search.py), which
        # applies the year itself (its count must not go through the year's index).
        return search.search(tenders, query, year=year)
    return tenders.filter(fiscal_year=year) if year else tenders


def tenders_of_committee(user) -> QuerySet[Tender]:
    agencies = {g.agency_id for g in grants_of(user) if g.role in RUNNER_ROLES}
    return (
        Tender.objects.filter(committee=user, agency_id__in=agencies)
        .select_related("agency", "work_unit", "plan_item")
        .prefetch_related("stages")
    )


def tenders_awaiting_ppk(user) -> QuerySet[Tender]:
    units = {g.work_unit_id for g in grants_of(user) if g.role == Role.PPK}
    return Tender.objects.filter(ppk=user, work_unit_id__in=units).select_related("agency", "work_unit")


def tenders_overseen(user) -> QuerySet[Tender]:
    """Every tender an insider who is not on its committee may follow (auditors, LPSE leadership, budget holders)."""
    grants = grants_of(user)
    if any(g.role in LPSE_OVERSEERS or (g.role == Role.AUDITOR and g.agency_id is None) for g in grants):
        return Tender.objects.select_related("agency", "work_unit")
    agencies = {g.agency_id for g in grants if g.role == Role.AUDITOR}
    units = {g.work_unit_id for g in grants if g.role in (Role.PA, Role.KPA)}
    return Tender.objects.filter(Q(agency_id__in=agencies) | Q(work_unit_id__in=units)).select_related(
        "agency", "work_unit"
    )


def participations_of(vendor) -> QuerySet[Participant]:
    return (
        Participant.objects.filter(vendor=vendor)
        .select_related("tender", "tender__agency", "tender__work_unit")
        .prefetch_related("tender__stages")
        .order_by("-joined_at")
    )


def open_for_joining(vendor) -> list[Tender]:
    """Announced tenders a vendor could still join now."""
    now = clock.now()
    joined = Participant.objects.filter(vendor=vendor).values("tender_id")
    candidates = (
        Tender.objects.filter(announced_at__isnull=False, cancelled_at__isnull=True)
        .exclude(pk__in=joined)
        .select_related("agency", "work_unit")
        .prefetch_related("stages")
    )
    return [tender for tender in candidates if join_window_open(tender, now)]


def join_window_open(tender: Tender, now) -> bool:
    """From the start of the announcement stage until the end of the join stage (lifecycle.JOIN_UNTIL)."""
    if tender.announced_at is None or tender.cancelled_at is not None:
        return False
    schedule = lifecycle.windows(tender)
    last = lifecycle.window_of(tender, lifecycle.JOIN_UNTIL.get(tender.qualification))
    return bool(schedule) and last is not None and schedule[0].starts_at <= now < last.ends_at


def visible_participants(user, tender: Tender, *, insider: bool) -> QuerySet[Participant] | None:
    """The participant list is private until the opening begins, then public (issue 5.6)."""
    if insider or lifecycle.bids_are_public(tender, clock.now()):
        return tender.participants.select_related("vendor")
    return None


def questions_of(tender: Tender) -> QuerySet[Question]:
    return tender.questions.select_related("participant__vendor", "answered_by")


def committee_candidates(agency):
    """People who may sit on a committee of `agency`: its Pokja and Pejabat Pengadaan appointed today."""
    appointments = active_appointments().filter(agency=agency, role__in=[Role.POKJA, Role.PEJABAT_PENGADAAN])
    return get_user_model().objects.filter(pk__in=appointments.values("user_id")).order_by("full_name")


def ppk_candidates(agency, work_unit=None):
    """The PPKs of `agency` (of `work_unit`, when given) appointed today."""
    appointments = active_appointments().filter(agency=agency, role=Role.PPK)
    if work_unit is not None:
        appointments = appointments.filter(work_unit=work_unit)
    return get_user_model().objects.filter(pk__in=appointments.values("user_id")).order_by("full_name")
