"""Every write after the opening (Pasal 7(3)b, 7(3)d, 7(4)): keyword-only, atomic, policy-checked, audited, each
stage action inside its window by server time (DESIGN 4)."""

import hashlib
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from eproc.audit.services import record
from eproc.bids import policies as bids_policies
from eproc.bids import services as bids
from eproc.bids.models import OpenedEnvelope, SealedBox
from eproc.core import clock
from eproc.files import SCANNED_DOCUMENT_KINDS, store_upload
from eproc.organizations.selectors import working_calendar_for
from eproc.permissions import require
from eproc.publication.services import enqueue
from eproc.tenders import lifecycle
from eproc.tenders import policies as tender_policies
from eproc.tenders import rules as rulesets
from eproc.tenders.choices import FileSystem
from eproc.tenders.lifecycle import Stage
from eproc.tenders.models import Participant, Tender
from eproc.vendors.policies import eligibility

from . import documents, envelope_reader, notifications, policies, selectors
from .models import Appeal, AwardLetter, Bid, Contract, Evaluation, Objection, Result

EVALUATION_STAGES = (
    Stage.BID_EVALUATION,
    Stage.TECHNICAL_EVALUATION,
    Stage.PRICE_EVALUATION,
    Stage.QUALIFICATION_EVALUATION,
    Stage.QUALIFICATION_PROOF,
    Stage.NEGOTIATION,
    Stage.RESULT_MINUTES,
    Stage.WINNER_DECISION,
)
EVALUATION_FIELDS = (
    "administrative_passed",
    "administrative_reason",
    "technical_passed",
    "technical_score",
    "technical_reason",
    "corrected_price",
    "price_reason",
    "qualification_passed",
    "qualification_reason",
    "proof_passed",
    "proof_reason",
    "negotiated_price",
)


def _locked(tender: Tender) -> Tender:
    return Tender.objects.select_for_update().get(pk=tender.pk)


def _any_open(tender: Tender, stages, now) -> bool:
    return any(lifecycle.is_open(tender, stage, now) for stage in stages)


def _require_window(tender: Tender, stages, now, message: str) -> None:
    if not _any_open(tender, stages, now):
        raise ValidationError(message)


def _require_running(tender: Tender) -> None:
    if tender.cancelled_at or tender.failed_at:
        raise ValidationError(_("This tender is cancelled or failed."))
    if hasattr(tender, "contract"):
        raise ValidationError(_("This tender is closed by its contract."))


def _halted(tender: Tender) -> bool:
    return Appeal.objects.filter(objection__tender=tender, decided_at__isnull=True).exists()


def _end_of_working_day(tender: Tender, start: datetime, days: int) -> datetime:
    """`days` working days after `start`, at the close of office hours, in the agency's zone."""
    rules = rulesets.for_tender(tender)
    if rules.sandbox:
        return start + rules.duration(days)
    zone = clock.as_zone(tender.agency.time_zone)
    day = working_calendar_for(tender.agency).add_working_days(start.astimezone(zone).date(), days)
    return datetime.combine(day, rules.working_hours.value.end, tzinfo=zone)


def _store(upload, folder: str, kinds=SCANNED_DOCUMENT_KINDS):
    return store_upload(upload, folder=folder, allowed_kinds=kinds, max_bytes=settings.EPROC_MAX_DECREE_BYTES)


# --- Reading the opened bids -----------------------------------------------------------------------------------------


def boxes(tender: Tender) -> dict:
    return {box.envelope: box for box in SealedBox.objects.filter(reference=tender.public_id)}


def _current_envelope(box, vendor):
    user_ids = vendor.members.values_list("user_id", flat=True)
    return (
        box.envelopes.filter(bidder_id__in=user_ids, superseded_at__isnull=True)
        .select_related("opened")
        .order_by("-committed_at")
        .first()
    )


@transaction.atomic
def read_bids(*, actor, tender: Tender) -> list[Bid]:
    """After a box opened, read each participant's envelope into a Bid: what it declared and which files it holds.
    Idempotent: a two-file tender reads its technical box, then (later) its price box."""
    require(policies.can_evaluate(actor, tender))
    tender = _locked(tender)
    _require_running(tender)
    opened = {kind: box for kind, box in boxes(tender).items() if box.opened_at is not None}
    if not opened:
        raise ValidationError(_("No bid box of this tender has been opened yet."))
    now = clock.now()
    read = []
    for participant in tender.participants.select_related("vendor"):
        bid = Bid.objects.filter(participant=participant).first() or Bid(
            tender=tender, participant=participant, read_at=now, status=Bid.Status.NO_BID
        )
        for kind, box in opened.items():
            if kind in bid.declared:
                continue
            _read_into(bid, kind, _current_envelope(box, participant.vendor))
        bid.read_at = now
        bid.save()
        Evaluation.objects.get_or_create(bid=bid, defaults={"updated_by": actor, "updated_at": now})
        read.append(bid)
    record(
        actor=actor,
        action="evaluation.bids_read",
        target=tender,
        agency=tender.agency,
        data={
            "boxes": sorted(opened),
            "bids": [
                {"vendor": bid.participant.vendor.public_id, "status": bid.status, "price": bid.price} for bid in read
            ],
        },
    )
    enqueue(
        kind="tender.bids_opened",
        subject=tender.public_id,
        payload={"bids": [{"vendor": b.participant.vendor.name, "price": b.price, "status": b.status} for b in read]},
    )
    return read


def _read_into(bid: Bid, kind: str, envelope) -> None:
    outcome = getattr(envelope, "opened", None) if envelope else None
    declared = dict(bid.declared)
    if envelope is None:
        declared[kind] = {}
        bid.declared = declared
        if kind != "price":
            bid.status = Bid.Status.NO_BID
        return
    if outcome is None or outcome.outcome != OpenedEnvelope.Outcome.OPENED:
        declared[kind] = {}
        bid.declared = declared
        if not (outcome and outcome.outcome == OpenedEnvelope.Outcome.WITHHELD):
            bid.status = Bid.Status.UNREADABLE
            bid.status_reason = (outcome.reason if outcome else "")[:300]
        return
    content = envelope_reader.read(Path(settings.MEDIA_ROOT) / outcome.storage_name, envelope_kind=kind)
    declared[kind] = content.declared or {}
    bid.declared = declared
    bid.files = [*bid.files, *({**entry, "envelope": kind} for entry in content.files)]
    if content.error:
        bid.status = Bid.Status.MALFORMED
        bid.status_reason = content.error[:300]
        return
    if kind != "price" and bid.status != Bid.Status.MALFORMED:
        bid.status = Bid.Status.READ
    if kind in ("single", "price"):
        bid.price = content.price


# --- Evaluation (Pasal 7(3)b) ---------------------------------------------------------------------------------------


@transaction.atomic
def record_evaluation(*, actor, bid: Bid, **values) -> Evaluation:
    tender = bid.tender
    require(policies.can_evaluate(actor, tender))
    tender = _locked(tender)
    _require_running(tender)
    unknown = set(values) - set(EVALUATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown evaluation fields: {sorted(unknown)}")
    now = clock.now()
    _require_window(tender, EVALUATION_STAGES, now, _("Bids are evaluated only during the evaluation stages."))
    if selectors.standing_result(tender) is not None:
        raise ValidationError(_("The winner is decided; the evaluation can change only if the result is voided."))
    for step in ("administrative", "technical", "qualification", "proof"):
        if values.get(f"{step}_passed") is False and not values.get(f"{step}_reason", "").strip():
            raise ValidationError({f"{step}_reason": _("Give the reason for a failed result.")})
    for amount in ("corrected_price", "negotiated_price"):
        if values.get(amount) is not None and values[amount] <= 0:
            raise ValidationError({amount: _("The amount must be more than zero.")})
    if values.get("technical_score") is not None and not 0 <= values["technical_score"] <= 100:
        raise ValidationError({"technical_score": _("A score is between 0 and 100.")})
    evaluation = Evaluation.objects.select_for_update().get(bid=bid)
    changes = {}
    for field, value in values.items():
        if getattr(evaluation, field) != value:
            changes[field] = {"from": getattr(evaluation, field), "to": value}
            setattr(evaluation, field, value)
    if not changes:
        return evaluation
    evaluation.updated_by = actor
    evaluation.updated_at = now
    evaluation.save()
    record(
        actor=actor,
        action="evaluation.recorded",
        target=tender,
        agency=tender.agency,
        data={"vendor": bid.participant.vendor.public_id, "changes": changes},
    )
    return evaluation


@transaction.atomic
def conclude_technical(*, actor, tender: Tender) -> SealedBox:
    """Two files: release the price box, keeping sealed the price envelopes of those who failed (Pasal 47)."""
    require(policies.can_evaluate(actor, tender))
    tender = _locked(tender)
    _require_running(tender)
    if tender.file_system == FileSystem.ONE_FILE:
        raise ValidationError(_("A one-file tender has no separate price envelope."))
    _require_window(
        tender,
        (Stage.TECHNICAL_EVALUATION, Stage.TECHNICAL_ANNOUNCEMENT),
        clock.now(),
        _("The technical evaluation is concluded during its stage."),
    )
    tender_boxes = boxes(tender)
    price_box, technical_box = tender_boxes.get("price"), tender_boxes.get("technical")
    # Prices are released only against a complete technical evaluation: every participant's technical envelope
    # opened and read, and every readable one decided (Pasal 47).
    if technical_box is None or technical_box.opened_at is None:
        raise ValidationError(_("The technical envelopes have not been opened yet."))
    unread = tender.participants.filter(bid__isnull=True)
    if unread.exists():
        raise ValidationError(_("Read the opened technical envelopes first."))
    undecided = [
        bid
        for bid in tender.bids.select_related("evaluation", "participant__vendor")
        if bid.status == Bid.Status.READ
        and (bid.evaluation.administrative_passed is None or bid.evaluation.technical_passed is None)
    ]
    if undecided:
        raise ValidationError(
            _("Decide administration and technical results of every bid first: %(vendors)s.")
            % {"vendors": ", ".join(bid.participant.vendor.name for bid in undecided)}
        )
    withhold = {}
    for bid in tender.bids.select_related("evaluation", "participant__vendor"):
        passed = (
            bid.status == Bid.Status.READ and bid.evaluation.administrative_passed and bid.evaluation.technical_passed
        )
        if not passed:
            for member in bid.participant.vendor.members.select_related("user"):
                withhold[member.user] = _("did not pass the administrative and technical evaluation")
    box = bids.release_box(actor=actor, box=price_box, withhold=withhold)
    record(
        actor=actor,
        action="evaluation.technical_concluded",
        target=tender,
        agency=tender.agency,
        data={"withheld": sorted(user.email for user in withhold)},
    )
    return box


# --- Winner (Pasal 7(3)b "menentukan pemenang") ---------------------------------------------------------------------


def _amount(value) -> str | None:
    return None if value is None else str(value)


def _ranking_snapshot(rows) -> list[dict]:
    """JSON-safe: amounts and scores as decimal strings, exactly as decided."""
    return [
        {
            "vendor": row.participant.vendor.public_id,
            "name": row.participant.vendor.name,
            "npwp": row.participant.vendor.npwp,
            "price": _amount(row.bid.price),
            "corrected_price": _amount(row.bid.evaluation.corrected_price),
            "ranked_price": _amount(row.price),
            "score": _amount(row.score),
            "eligible": row.eligible,
            "above_hps": row.above_hps,
            "low_bid": row.low_bid,
            "reasons": row.reasons,
            "evaluation": {
                step: getattr(row.bid.evaluation, f"{step}_passed")
                for step in ("administrative", "technical", "qualification", "proof")
            },
        }
        for row in rows
    ]


@transaction.atomic
def decide_winner(*, actor, tender: Tender, winner, reserves=(), reasons: str) -> Result:
    """The committee (or the PA above the ruleset's value) confirms the winner and up to two reserves, with reasons;
    the Berita Acara Hasil Pelelangan lists every bidder, each result and reason."""
    require(policies.can_decide_winner(actor, tender))
    tender = _locked(tender)
    _require_running(tender)
    now = clock.now()
    stages = (Stage.NEGOTIATION,) if tender.is_pengadaan_langsung else (Stage.RESULT_MINUTES, Stage.WINNER_DECISION)
    _require_window(tender, stages, now, _("The winner is decided during the Penetapan Pemenang stage."))
    if _halted(tender):
        raise ValidationError(_("An appeal halts the tender until the PA decides."))
    if selectors.standing_result(tender) is not None:
        raise ValidationError(_("The winner is already decided."))
    if not reasons.strip():
        raise ValidationError({"reasons": _("Give the reasons for the decision.")})
    rows = selectors.ranking(tender)
    eligible = {row.participant.pk: row for row in rows if row.eligible}
    chosen = [winner, *[reserve for reserve in reserves if reserve]]
    if len({p.pk for p in chosen}) != len(chosen):
        raise ValidationError(_("The winner and the reserves must be different bidders."))
    for participant in chosen:
        if participant.pk not in eligible:
            raise ValidationError(
                _("%(vendor)s did not pass every evaluation within the HPS and cannot be chosen.")
                % {"vendor": participant.vendor.name}
            )
    reserve_list = list(reserves)[:2] + [None, None]
    result = Result.objects.create(
        tender=tender,
        winner=winner,
        reserve_1=reserve_list[0],
        reserve_2=reserve_list[1],
        winning_price=eligible[winner.pk].price,
        ranking=_ranking_snapshot(rows),
        reasons=reasons.strip(),
        decided_by=actor,
        decided_at=now,
    )
    pdf = documents.render_result_minutes(tender=tender, result=result)
    result.minutes_sha256 = hashlib.sha256(pdf).hexdigest()
    result.minutes.save(f"bahp-{tender.public_id}-{result.pk}.pdf", ContentFile(pdf), save=False)
    result.save()
    record(
        actor=actor,
        action="evaluation.winner_decided",
        target=tender,
        agency=tender.agency,
        data={
            "winner": winner.vendor.public_id,
            "reserves": [r.vendor.public_id for r in chosen[1:]],
            "winning_price": result.winning_price,
            "reasons": result.reasons,
            "minutes_sha256": result.minutes_sha256,
            "ranking": result.ranking,
        },
    )
    if tender.is_pengadaan_langsung:
        # No announcement stage: the decision is the result, published and told like an announcement.
        _publish_announcement(actor=actor, tender=tender, result=result, now=now)
    return result


def _publish_announcement(*, actor, tender: Tender, result: Result, now) -> None:
    result.announced_at = now
    result.save(update_fields=["announced_at"])
    record(
        actor=actor,
        action="evaluation.winner_announced",
        target=tender,
        agency=tender.agency,
        data={"winner": result.winner.vendor.public_id, "winning_price": result.winning_price},
    )
    enqueue(
        kind="tender.awarded",
        subject=tender.public_id,
        payload={"winner": result.winner.vendor.name, "npwp": result.winner.vendor.npwp, "price": result.winning_price},
    )
    notifications.winner_announced(tender, result)


@transaction.atomic
def announce_winner(*, actor, tender: Tender) -> Result:
    require(policies.can_evaluate(actor, tender) or policies.can_decide_winner(actor, tender))
    tender = _locked(tender)
    _require_running(tender)
    now = clock.now()
    _require_window(tender, (Stage.WINNER_ANNOUNCEMENT,), now, _("The winner is announced during its stage."))
    result = selectors.standing_result(tender)
    if result is None or result.announced_at is not None:
        raise ValidationError(_("There is no decided, unannounced result."))
    _publish_announcement(actor=actor, tender=tender, result=result, now=now)
    return result


# --- Objections and appeals (Perpres 54/2010 Pasal 81-82; Perbup Pasal 7(3)d, 7(4)a) --------------------------------


@transaction.atomic
def file_objection(*, actor, tender: Tender, text: str, document=None) -> Objection:
    participant = tender_policies.participant_of(actor, tender)
    require(participant is not None)
    tender = _locked(tender)
    _require_running(tender)
    now = clock.now()
    _require_window(tender, (Stage.OBJECTIONS,), now, _("Objections are filed only during the objection period."))
    if not selectors.results_are_public(tender):
        raise ValidationError(_("There is no announced result to object to."))
    if not text.strip():
        raise ValidationError({"text": _("Write the objection.")})
    stored = _store(document, "evaluation/objections") if document else None
    profile = rulesets.periods(rulesets.for_tender(tender), tender.method)
    objection = Objection.objects.create(
        tender=tender,
        participant=participant,
        text=text.strip(),
        document=stored.storage_name if stored else "",
        document_sha256=stored.sha256 if stored else "",
        filed_by=actor,
        filed_at=now,
        answer_due=_end_of_working_day(tender, now, profile.objection_answer.value),
    )
    record(
        actor=actor,
        action="evaluation.objection_filed",
        target=tender,
        agency=tender.agency,
        data={"objection": objection.public_id, "text": objection.text, "document_sha256": objection.document_sha256},
    )
    enqueue(kind="tender.objection", subject=tender.public_id, payload={"objection": objection.public_id})
    notifications.objection_filed(tender, objection)
    return objection


def _void_result(*, actor, tender: Tender, reason: str) -> None:
    result = selectors.standing_result(tender)
    if result is not None:
        result.voided_at = clock.now()
        result.void_reason = reason
        result.save(update_fields=["voided_at", "void_reason"])
        record(
            actor=actor, action="evaluation.result_voided", target=tender, agency=tender.agency, data={"reason": reason}
        )


@transaction.atomic
def answer_objection(*, actor, objection: Objection, answer: str, justified: bool) -> Objection:
    """A justified objection voids the result: the committee evaluates again, or declares the tender failed."""
    tender = objection.tender
    require(policies.can_evaluate(actor, tender))
    tender = _locked(tender)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.answered_at is not None:
        raise ValidationError(_("This objection is already answered."))
    if not answer.strip():
        raise ValidationError({"answer": _("Write the answer.")})
    now = clock.now()
    objection.answer = answer.strip()
    objection.justified = justified
    objection.answered_by = actor
    objection.answered_at = now
    objection.save(update_fields=["answer", "justified", "answered_by", "answered_at"])
    if justified:
        _void_result(actor=actor, tender=tender, reason=_("Justified objection: %(answer)s") % {"answer": answer})
    record(
        actor=actor,
        action="evaluation.objection_answered",
        target=tender,
        agency=tender.agency,
        data={
            "objection": objection.public_id,
            "answer": objection.answer,
            "justified": justified,
            "late": now > objection.answer_due,
        },
    )
    enqueue(kind="tender.objection_answered", subject=tender.public_id, payload={"objection": objection.public_id})
    notifications.objection_answered(tender, objection)
    return objection


def appeal_guarantee(tender: Tender) -> Decimal:
    rule = rulesets.for_tender(tender).appeal_guarantee_ratio
    return (tender.owner_estimate * rule.value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


@transaction.atomic
def file_appeal(*, actor, objection: Objection, text: str, guarantee_amount: Decimal, guarantee_document) -> Appeal:
    """Sanggah banding to the PA with its guarantee (Pasal 82); the tender halts until the PA decides."""
    tender = objection.tender
    participant = tender_policies.participant_of(actor, tender)
    require(participant is not None and participant.pk == objection.participant_id)
    tender = _locked(tender)
    _require_running(tender)
    if objection.answered_at is None:
        raise ValidationError(_("An appeal follows the committee's answer to the objection."))
    if hasattr(objection, "appeal"):
        raise ValidationError(_("This objection is already appealed."))
    now = clock.now()
    rules = rulesets.for_tender(tender)
    profile = rulesets.periods(rules, tender.method)
    if now > _end_of_working_day(tender, objection.answered_at, profile.appeal.value):
        raise ValidationError(
            _("The appeal period of %(days)s working days after the answer has ended (%(article)s).")
            % {"days": profile.appeal.value, "article": profile.appeal.article}
        )
    minimum = appeal_guarantee(tender)
    if guarantee_amount is None or guarantee_amount < minimum:
        raise ValidationError(
            {
                "guarantee_amount": _("The appeal guarantee is at least %(amount)s (%(article)s).")
                % {"amount": f"Rp{minimum:,.0f}".replace(",", "."), "article": rules.appeal_guarantee_ratio.article}
            }
        )
    if not text.strip():
        raise ValidationError({"text": _("Write the appeal.")})
    stored = _store(guarantee_document, "evaluation/appeals")
    appeal = Appeal.objects.create(
        objection=objection,
        text=text.strip(),
        guarantee_amount=guarantee_amount,
        guarantee_document=stored.storage_name,
        guarantee_sha256=stored.sha256,
        filed_by=actor,
        filed_at=now,
        decision_due=_end_of_working_day(tender, now, profile.appeal_answer.value),
    )
    record(
        actor=actor,
        action="evaluation.appeal_filed",
        target=tender,
        agency=tender.agency,
        data={"objection": objection.public_id, "guarantee": guarantee_amount, "guarantee_sha256": stored.sha256},
    )
    enqueue(kind="tender.appeal", subject=tender.public_id, payload={"objection": objection.public_id})
    notifications.appeal_filed(tender, appeal)
    return appeal


@transaction.atomic
def decide_appeal(*, actor, appeal: Appeal, justified: bool, decision: str) -> Appeal:
    tender = appeal.objection.tender
    require(policies.can_decide_appeal(actor, tender))
    tender = _locked(tender)
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.decided_at is not None:
        raise ValidationError(_("This appeal is already decided."))
    if not decision.strip():
        raise ValidationError({"decision": _("Write the decision.")})
    appeal.justified = justified
    appeal.decision = decision.strip()
    appeal.decided_by = actor
    appeal.decided_at = clock.now()
    appeal.save(update_fields=["justified", "decision", "decided_by", "decided_at"])
    if justified:
        _void_result(actor=actor, tender=tender, reason=_("Justified appeal: %(decision)s") % {"decision": decision})
    record(
        actor=actor,
        action="evaluation.appeal_decided",
        target=tender,
        agency=tender.agency,
        data={"objection": appeal.objection.public_id, "justified": justified, "decision": appeal.decision},
    )
    enqueue(kind="tender.appeal_decided", subject=tender.public_id, payload={"justified": justified})
    notifications.appeal_decided(tender, appeal)
    return appeal


# --- Failure and cancellation --------------------------------------------------------------------------------------


def tender_boxes_first_opened(tender: Tender):
    tender_boxes = boxes(tender)
    first = tender_boxes.get("single") or tender_boxes.get("technical")
    return first if first is not None and first.opened_at is not None else None


def _close_unopened_boxes(*, actor, tender: Tender, reason: str) -> None:
    """The bids of a tender that ends without opening them stay sealed for good. The committee's shares are what
    could open them, and the LPSE is not on the committee, so the box is closed as the committee's act when the
    committee ends the tender, and as the system's otherwise (a PA's cancellation)."""
    for box in boxes(tender).values():
        if box.opened_at is None:
            closer = actor if bids_policies.can_create_box(actor, box.agency) else box.created_by
            bids.close_box(actor=closer, box=box, reason=reason)


@transaction.atomic
def declare_failed(*, actor, tender: Tender, reason: str, note: str = "") -> Tender:
    """Lelang gagal with one of the ruleset's triggers (Pasal 83(1)); public and audited."""
    require(tender_policies.can_manage(actor, tender) or policies.is_budget_holder_of(actor, tender))
    tender = _locked(tender)
    _require_running(tender)
    if tender.announced_at is None:
        raise ValidationError(_("Only an announced tender can fail; a draft is simply changed."))
    trigger = rulesets.FAILURE_TRIGGERS.get(reason)
    if trigger is None:
        raise ValidationError({"reason": _("Choose why the tender failed.")})
    if reason == "too_few_bids":
        if tender.is_pengadaan_langsung:
            raise ValidationError(_("Pengadaan Langsung has one invited vendor; it does not fail for too few bids."))
        first = tender_boxes_first_opened(tender)
        if first is None or not tender.bids.exists():
            raise ValidationError(_("Bids are counted after the opening: open and read the bids first."))
        submitted = tender.bids.filter(status=Bid.Status.READ).count()
        if submitted >= rulesets.MIN_BIDS.value:
            raise ValidationError(
                _("%(n)s bids were read; the tender does not fail for too few bids (%(article)s).")
                % {"n": submitted, "article": rulesets.MIN_BIDS.article}
            )
    tender.failed_at = clock.now()
    tender.failure_reason = reason
    tender.failure_note = note.strip()
    tender.save(update_fields=["failed_at", "failure_reason", "failure_note"])
    _close_unopened_boxes(actor=actor, tender=tender, reason=_("the tender failed"))
    record(
        actor=actor,
        action="tenders.failed",
        target=tender,
        agency=tender.agency,
        data={"reason": reason, "article": trigger.article, "note": tender.failure_note},
    )
    enqueue(kind="tender.failed", subject=tender.public_id, payload={"reason": reason, "note": tender.failure_note})
    notifications.tender_ended(tender, _("The tender failed: %(reason)s") % {"reason": trigger.label})
    return tender


@transaction.atomic
def cancel_tender(*, actor, tender: Tender, reason: str) -> Tender:
    require(tender_policies.can_manage(actor, tender) or policies.is_budget_holder_of(actor, tender))
    tender = _locked(tender)
    _require_running(tender)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the cancellation.")})
    tender.cancelled_at = clock.now()
    tender.cancelled_reason = reason.strip()
    tender.save(update_fields=["cancelled_at", "cancelled_reason"])
    _close_unopened_boxes(actor=actor, tender=tender, reason=_("the tender was cancelled"))
    record(actor=actor, action="tenders.cancelled", target=tender, agency=tender.agency, data={"reason": reason})
    enqueue(kind="tender.cancelled", subject=tender.public_id, payload={"reason": tender.cancelled_reason})
    notifications.tender_ended(tender, _("The tender was cancelled: %(reason)s") % {"reason": reason})
    return tender


# --- Award letter and contract (Pasal 1(10)) -------------------------------------------------------------------------


def award_letter_due(tender: Tender, result: Result) -> datetime:
    profile = rulesets.periods(rulesets.for_tender(tender), tender.method)
    objections = lifecycle.window_of(tender, Stage.OBJECTIONS)
    start = objections.ends_at if objections else result.announced_at
    return _end_of_working_day(tender, start, profile.award_letter.value)


@transaction.atomic
def issue_award_letter(*, actor, tender: Tender, number: str) -> AwardLetter:
    """The PPK appoints the winner (SPPBJ) once the objection period has ended and no objection or appeal is open."""
    require(policies.can_award(actor, tender))
    tender = _locked(tender)
    _require_running(tender)
    now = clock.now()
    result = selectors.standing_result(tender)
    if result is None or result.announced_at is None:
        raise ValidationError(_("There is no announced winner."))
    if hasattr(tender, "award_letter"):
        raise ValidationError(_("The award letter is already issued."))
    objections = lifecycle.window_of(tender, Stage.OBJECTIONS)
    if objections is not None and now < objections.ends_at:
        raise ValidationError(_("The award letter follows the end of the objection period."))
    if tender.objections.filter(answered_at__isnull=True).exists():
        raise ValidationError(_("An objection is still unanswered."))
    if _halted(tender):
        raise ValidationError(_("An appeal halts the tender until the PA decides."))
    if not number.strip():
        raise ValidationError({"number": _("Give the letter number.")})
    letter = AwardLetter(
        tender=tender, result=result, number=number.strip(), value=result.winning_price, issued_by=actor, issued_at=now
    )
    pdf = documents.render_award_letter(tender=tender, letter=letter, result=result)
    letter.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    letter.pdf.save(f"sppbj-{tender.public_id}.pdf", ContentFile(pdf), save=False)
    letter.save()
    due = award_letter_due(tender, result)
    record(
        actor=actor,
        action="evaluation.award_letter_issued",
        target=tender,
        agency=tender.agency,
        data={"number": letter.number, "value": letter.value, "pdf_sha256": letter.pdf_sha256, "late": now > due},
    )
    enqueue(kind="tender.award_letter", subject=tender.public_id, payload={"number": letter.number})
    return letter


@transaction.atomic
def record_contract(*, actor, tender: Tender, number: str, signed_on, value: Decimal, starts_on, ends_on, scan):
    require(policies.can_award(actor, tender))
    tender = _locked(tender)
    _require_running(tender)
    letter = getattr(tender, "award_letter", None)
    if letter is None:
        raise ValidationError(_("The contract follows the award letter."))
    if not number.strip():
        raise ValidationError({"number": _("Give the contract number.")})
    if value is None or value <= 0 or value > letter.value:
        raise ValidationError({"value": _("The contract value is more than zero and not above the awarded price.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The work cannot end before it starts.")})
    if signed_on < letter.issued_at.astimezone(clock.as_zone(tender.agency.time_zone)).date():
        raise ValidationError({"signed_on": _("The contract is signed after the award letter.")})
    stored = _store(scan, "evaluation/contracts")
    contract = Contract.objects.create(
        tender=tender,
        number=number.strip(),
        signed_on=signed_on,
        value=value,
        starts_on=starts_on,
        ends_on=ends_on,
        scan=stored.storage_name,
        scan_sha256=stored.sha256,
        savings=tender.owner_estimate - value,
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    record(
        actor=actor,
        action="evaluation.contract_recorded",
        target=tender,
        agency=tender.agency,
        data={
            "number": contract.number,
            "signed_on": signed_on,
            "value": value,
            "savings": contract.savings,
            "scan_sha256": stored.sha256,
        },
    )
    enqueue(
        kind="tender.contract",
        subject=tender.public_id,
        payload={"number": contract.number, "value": value, "signed_on": signed_on, "ends_on": ends_on},
    )
    return contract


# --- Pengadaan Langsung (Perpres 54/2010 Pasal 39) -------------------------------------------------------------------


@transaction.atomic
def invite(*, actor, tender: Tender, vendor):
    """The Pejabat Pengadaan invites one vendor, which may then send its offer to the tender's box."""
    require(tender_policies.can_manage(actor, tender) and tender.is_pengadaan_langsung)
    tender = _locked(tender)
    _require_window(tender, (Stage.INVITATION,), clock.now(), _("Invitations are sent during the invitation stage."))
    if tender.participants.exists():
        raise ValidationError(_("Pengadaan Langsung invites one vendor."))
    allowed = eligibility(vendor)
    if not allowed.allowed:
        raise ValidationError(
            _("%(vendor)s cannot take part: %(reason)s") % {"vendor": vendor, "reason": allowed.reason}
        )
    participant = Participant.objects.create(tender=tender, vendor=vendor, joined_by=actor, joined_at=clock.now())
    for box in boxes(tender).values():
        for member in vendor.members.select_related("user"):
            bids.admit_bidder(actor=actor, box=box, bidder=member.user)
    record(
        actor=actor, action="tenders.invited", target=tender, agency=tender.agency, data={"vendor": vendor.public_id}
    )
    notifications.invited(tender, vendor)
    return participant
