"""Tenders (Pasal 7(1)c, 7(3)a, 12): announcements, schedules and their changes, the documents list, and, only once
the public pages show them, participants and prices (from the opening) and the result (from its announcement).

One write: a verified vendor joins a tender (Pasal 7(4)a), through the same service and policy as the page's
button, with the session and its CSRF token."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import translation
from ninja import Path, Query, Router, Status
from ninja.security import django_auth

from eproc.core import clock
from eproc.evaluation.reasons import describe
from eproc.permissions import require_or_404
from eproc.tenders import lifecycle, policies, rules, services
from eproc.tenders.choices import FileSystem
from eproc.tenders.lifecycle import Stage
from eproc.vendors.policies import vendor_of

from . import errors, present, selectors
from .errors import Error, InvalidRequest
from .schemas import (
    Bids,
    DocumentOut,
    Joined,
    Participants,
    ResultOut,
    ScheduleChangeOut,
    TenderDetail,
    TenderFilters,
    TenderPage,
)

router = Router(tags=["Tenders"])

_ID = Path(..., pattern=present.PUBLIC_ID_PATTERN, description="Tender public id.")
_NOT_FOUND = {404: Error, 422: InvalidRequest}


def _tender(public_id: str):
    tender = selectors.public_tender(public_id)
    if tender is None:
        raise Http404
    return tender


def _stage_now(stage) -> dict:
    return {"stage": str(stage), "label": str(Stage(stage).label)}


def tender_out(request, tender, now) -> dict:
    situation = lifecycle.situation(tender, now)
    return {
        "public_id": tender.public_id,
        "title": tender.title,
        "agency": present.agency_ref(tender.agency),
        "work_unit": present.work_unit_ref(tender.work_unit),
        "fiscal_year": tender.fiscal_year,
        "category": tender.category,
        "method": tender.method,
        "method_label": tender.method_label,
        "budget": present.amount(tender.budget),
        "owner_estimate": present.amount(tender.owner_estimate),
        "announced_at": tender.announced_at,
        "state": situation.state,
        "state_label": situation.label,
        "current_stages": [_stage_now(stage) for stage in situation.current],
        "url": present.absolute(request, "tenders:detail", tender.public_id),
        "announcement_pdf": present.absolute(request, "tenders:announcement_pdf", tender.public_id),
    }


@router.get("/tenders", response={200: TenderPage, 422: InvalidRequest}, summary="Announced tenders")
def list_tenders(request, filters: Query[TenderFilters]):
    rows = selectors.tender_list(
        agency=filters.agency,
        work_unit=filters.work_unit,
        category=filters.category,
        method=filters.method,
        year=filters.year,
        query=filters.q,
        stage=filters.stage,
        state=filters.state,
    )
    result = present.page(rows, limit=filters.limit, offset=filters.offset)
    now = clock.now()
    result["items"] = [tender_out(request, tender, now) for tender in result["items"]]
    return result


@router.get("/tenders/{public_id}", response={200: TenderDetail, **_NOT_FOUND}, summary="A tender and its schedule")
def get_tender(request, public_id: str = _ID):
    tender = _tender(public_id)
    now = clock.now()
    situation = lifecycle.situation(tender, now)
    failure = rules.FAILURE_TRIGGERS.get(tender.failure_reason) if tender.failed_at else None
    return {
        **tender_out(request, tender, now),
        "description": tender.description,
        "plan_item": tender.plan_item.public_id,
        "qualification": tender.qualification,
        "file_system": tender.file_system,
        "evaluation_method": tender.evaluation_method,
        "contract_type": tender.contract_type,
        "technical_weight": tender.technical_weight,
        "price_weight": tender.price_weight,
        "small_business_reserved": tender.small_business_reserved,
        "small_business_exception": tender.small_business_exception,
        "qualification_requirements": tender.qualification_requirements,
        "location": tender.location,
        "version": tender.version,
        "repeat_of": tender.repeat_of.public_id if tender.repeat_of else None,
        "next_stage": str(situation.next) if situation.next else None,
        "cancelled_at": tender.cancelled_at,
        "cancelled_reason": tender.cancelled_reason,
        "failed_at": tender.failed_at,
        "failure": {
            "reason": failure.code,
            "label": str(failure.label),
            "article": failure.article,
            "note": tender.failure_note,
        }
        if failure
        else None,
        "schedule": [
            {
                **_stage_now(window.stage),
                "starts_at": window.starts_at,
                "ends_at": window.ends_at,
                "current": window.contains(now),
            }
            for window in lifecycle.windows(tender)
        ],
        "bids_public": lifecycle.bids_are_public(tender, now),
        "result_public": selectors.public_result(tender) is not None,
    }


@router.get(
    "/tenders/{public_id}/documents",
    response={200: list[DocumentOut], **_NOT_FOUND},
    summary="The procurement documents and addenda (names and versions; participants download them on the site)",
)
def list_documents(request, public_id: str = _ID):
    return [
        {
            "version": document.version,
            "kind": document.kind,
            "kind_label": document.get_kind_display(),
            "title": document.title,
            "change_note": document.change_note,
            "original_name": document.original_name,
            "size": document.size,
            "sha256": document.sha256,
            "uploaded_at": document.uploaded_at,
        }
        for document in _tender(public_id).documents.all()
    ]


@router.get(
    "/tenders/{public_id}/schedule-changes",
    response={200: list[ScheduleChangeOut], **_NOT_FOUND},
    summary="Every change of the schedule after the announcement, with its reason",
)
def list_schedule_changes(request, public_id: str = _ID):
    return [
        {
            **_stage_now(change.stage),
            "old_starts_at": change.old_starts_at,
            "old_ends_at": change.old_ends_at,
            "new_starts_at": change.new_starts_at,
            "new_ends_at": change.new_ends_at,
            "reason": change.reason,
            "changed_at": change.changed_at,
            "addendum_version": change.addendum.version if change.addendum else None,
        }
        for change in _tender(public_id).schedule_changes.select_related("addendum")
    ]


def _opening_starts(tender):
    """When the participant list turns public: the first opening (as lifecycle.bids_are_public)."""
    first = Stage.OPENING if tender.file_system == FileSystem.ONE_FILE else Stage.OPENING_TECHNICAL
    window = lifecycle.window_of(tender, first)
    return window.starts_at if window else None


@router.get(
    "/tenders/{public_id}/participants",
    response={200: Participants, **_NOT_FOUND},
    summary="Participants: public from the opening of the bids",
)
def list_participants(request, public_id: str = _ID):
    tender = _tender(public_id)
    participants = selectors.public_participants(tender)
    return {
        "public": participants is not None,
        "public_from": _opening_starts(tender),
        "items": [present.vendor_ref(p.vendor) for p in participants] if participants is not None else [],
    }


@router.get(
    "/tenders/{public_id}/bids",
    response={200: Bids, **_NOT_FOUND},
    summary="Bid prices as read at the opening: public once the bids are opened",
)
def list_bids(request, public_id: str = _ID):
    tender = _tender(public_id)
    bids = selectors.public_bids(tender)
    if bids is None:
        return {"public": False, "items": [], "opening_minutes": []}
    return {
        "public": True,
        "items": [
            {
                "vendor": present.vendor_ref(bid.participant.vendor),
                "price": present.amount(bid.price),
                "status": bid.status,
                "status_label": bid.get_status_display(),
            }
            for bid in bids
        ],
        "opening_minutes": [
            present.absolute(request, "bids:minutes_pdf", box.public_id)
            for box in services.boxes_of(tender)
            if box.opened_at
        ],
    }


def _ranking_row(row: dict, winner_id: str) -> dict:
    """A row of the decided ranking, with the fields the public tender page shows."""
    evaluation = row.get("evaluation") or {}
    return {
        "vendor": {"public_id": row["vendor"], "name": row["name"], "npwp": row["npwp"]},
        "price": row.get("price"),
        "corrected_price": row.get("corrected_price"),
        "administrative": evaluation.get("administrative"),
        "technical": evaluation.get("technical"),
        "winner": row["vendor"] == winner_id,
        "reasons": [describe(str(code)) for code in row.get("reasons") or ()],
    }


@router.get(
    "/tenders/{public_id}/result",
    response={200: ResultOut, **_NOT_FOUND},
    summary="The winner, the ranking with reasons, the award letter and the contract: public once announced",
)
def get_result(request, public_id: str = _ID):
    tender = _tender(public_id)
    result = selectors.public_result(tender)
    if result is None:
        return {
            "public": False,
            "winner": None,
            "winning_price": None,
            "reasons": "",
            "announced_at": None,
            "minutes": None,
            "ranking": [],
            "award_letter": None,
            "contract": None,
        }
    letter = getattr(tender, "award_letter", None)
    winner = result.winner.vendor
    return {
        "public": True,
        "winner": present.vendor_ref(winner),
        "winning_price": present.amount(result.winning_price),
        "reasons": result.reasons,
        "announced_at": result.announced_at,
        "minutes": present.absolute(request, "evaluation:result_minutes", tender.public_id),
        "ranking": [_ranking_row(row, winner.public_id) for row in result.ranking],
        "award_letter": {
            "number": letter.number,
            "issued_at": letter.issued_at,
            "url": present.absolute(request, "evaluation:award_letter_pdf", tender.public_id),
        }
        if letter
        else None,
        "contract": present.contract(getattr(tender, "contract", None)),
    }


@router.post(
    "/tenders/{public_id}/join",
    auth=django_auth,
    response={201: Joined, 401: Error, 403: Error, 404: Error, 409: Error, 422: InvalidRequest},
    summary="Join a tender as a verified vendor (session and CSRF token, as the page's button)",
)
def join_tender(request, public_id: str = _ID):
    """Pasal 7(4)a: a registered vendor joins (mendaftar) between the announcement and the end of the document
    download. Refusals of the service (closed, not verified, already joined) answer 409 with its reason."""
    tender = selectors.public_tender(public_id)
    require_or_404(
        tender is not None and policies.can_view(request.user, tender) and vendor_of(request.user) is not None
    )
    try:
        # The service speaks English here so that both languages of the refusal can be given (errors.body).
        with translation.override("en"):
            participant = services.join(actor=request.user, tender=tender)
    except ValidationError as error:
        return Status(409, errors.body(" ".join(error.messages)))
    return Status(
        201,
        {
            "tender": tender.public_id,
            "vendor": present.vendor_ref(participant.vendor),
            "joined_at": participant.joined_at,
        },
    )
