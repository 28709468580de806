"""Every write of the tenders app: keyword-only, atomic, policy-checked, audited (DESIGN 3, 6). Each stage action
checks its window against the server clock inside its transaction (DESIGN 4)."""

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from eproc.audit.services import record
from eproc.bids import services as bids
from eproc.bids.models import SealedBox
from eproc.core import clock
from eproc.files import store_upload
from eproc.organizations.roles import Role
from eproc.organizations.selectors import grants_of, working_calendar_for
from eproc.permissions import require
from eproc.publication.services import enqueue
from eproc.vendors.policies import eligibility, vendor_of

from . import lifecycle, minutes, notifications, policies, selectors
from . import rules as rulesets
from .checks import Slot, check_classification, check_schedule
from .choices import CATEGORIES_OF_PLAN_TYPE, FileSystem
from .lifecycle import Stage
from .models import DocumentDownload, Participant, Question, ScheduleChange, Tender, TenderDocument, TenderStage

CLASSIFICATION_FIELDS = (
    "title",
    "description",
    "owner_estimate",
    "category",
    "method",
    "qualification",
    "file_system",
    "evaluation_method",
    "contract_type",
    "technical_weight",
    "price_weight",
    "small_business_reserved",
    "small_business_exception",
    "qualification_requirements",
    "location",
    "opening_quorum",
)


REQUIRED_FIELDS = (
    "owner_estimate",
    "category",
    "method",
    "qualification",
    "file_system",
    "evaluation_method",
    "contract_type",
)


# --- Package and classification (Pasal 7(3)b-c) ----------------------------------------------------------------


def _check_people(*, agency, work_unit, committee: list, ppk) -> None:
    for member in committee:
        if not policies.runner_roles_in(member, agency):
            raise ValidationError(
                {
                    "committee": _("%(name)s is not appointed to a procurement committee of this agency.")
                    % {"name": member}
                }
            )
    if not any(g.role == Role.PPK and g.work_unit_id == work_unit.pk for g in grants_of(ppk)):
        raise ValidationError({"ppk": _("%(name)s is not a PPK of this work unit.") % {"name": ppk}})


def _check_values(rules, values: dict, *, plan_item, actor, agency, committee_size: int) -> None:
    unknown = set(values) - set(CLASSIFICATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown tender fields: {sorted(unknown)}")
    missing = [field for field in REQUIRED_FIELDS if not values.get(field)]
    if missing:
        raise ValidationError({field: _("This field is required.") for field in missing})
    if values["category"] not in CATEGORIES_OF_PLAN_TYPE.get(plan_item.procurement_type, ()):
        raise ValidationError(
            {
                "category": _("The plan item is %(type)s; the category must match it.")
                % {"type": plan_item.get_procurement_type_display()}
            }
        )
    values["owner_estimate"] = Decimal(values["owner_estimate"]) if values.get("owner_estimate") is not None else None
    check_classification(
        rules, values=values, budget=plan_item.budget, runner_roles=policies.runner_roles_in(actor, agency)
    )
    quorum = values.get("opening_quorum") or 1
    if not 1 <= quorum <= committee_size:
        raise ValidationError(
            {
                "opening_quorum": _("Between 1 and the %(n)s committee members must open the bids.")
                % {"n": committee_size}
            }
        )


def _classification(tender: Tender) -> dict:
    return {field: getattr(tender, field) for field in CLASSIFICATION_FIELDS}


@transaction.atomic
def create_tender(*, actor, plan_item, ppk, committee=(), sandbox: bool | None = None, **values) -> Tender:
    """A package is made only from an announced plan item (Pasal 7(1)a: the plan comes before the tender).
    `sandbox` defaults to the setting; a sandbox tender exists only where the sandbox is on, while a real-time
    tender can always be made (the demo's tenders keep real schedules even in a sandbox installation)."""
    require(policies.can_create_tender(actor, plan_item.agency))
    if plan_item.announced_at is None or plan_item.withdrawn_at is not None:
        raise ValidationError(_("A package can only be made from an announced plan item (Pasal 7(1)a)."))
    members = list(dict.fromkeys([actor, *committee]))
    _check_people(agency=plan_item.agency, work_unit=plan_item.work_unit, committee=members, ppk=ppk)
    values.setdefault("title", plan_item.package_name)
    values.setdefault("location", plan_item.location)
    values.setdefault("opening_quorum", 1)
    if sandbox is None:
        sandbox = settings.EPROC_SANDBOX
    if sandbox and not settings.EPROC_SANDBOX:
        raise ValidationError(_("The sandbox is off on this installation."))
    rules = rulesets.ruleset(settings.EPROC_RULESET, sandbox=sandbox)
    _check_values(rules, values, plan_item=plan_item, actor=actor, agency=plan_item.agency, committee_size=len(members))
    tender = Tender.objects.create(
        plan_item=plan_item,
        agency=plan_item.agency,
        work_unit=plan_item.work_unit,
        fiscal_year=plan_item.fiscal_year,
        budget=plan_item.budget,
        ppk=ppk,
        ruleset_version=rules.version,
        sandbox=rules.sandbox,
        created_by=actor,
        created_at=clock.now(),
        **values,
    )
    tender.committee.set(members)
    record(
        actor=actor,
        action="tenders.created",
        target=tender,
        agency=tender.agency,
        data={
            **_classification(tender),
            "plan_item": plan_item.public_id,
            "ppk": ppk.email,
            "committee": [m.email for m in members],
            "ruleset": rules.version,
            "sandbox": rules.sandbox,
        },
    )
    return tender


@transaction.atomic
def update_tender(*, actor, tender: Tender, ppk=None, committee=None, **values) -> Tender:
    """Before announcement only; a change takes back the PPK's approval, who must see the new classification."""
    require(policies.can_manage(actor, tender))
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if tender.announced_at is not None:
        raise ValidationError(_("An announced tender keeps its classification; cancel and repeat it to change it."))
    members = list(dict.fromkeys([*(committee if committee is not None else tender.committee.all())]))
    if actor not in members:
        raise ValidationError({"committee": _("You cannot remove yourself from the committee.")})
    ppk = ppk or tender.ppk
    _check_people(agency=tender.agency, work_unit=tender.work_unit, committee=members, ppk=ppk)
    merged = {**_classification(tender), **values}
    _check_values(
        rulesets.for_tender(tender),
        merged,
        plan_item=tender.plan_item,
        actor=actor,
        agency=tender.agency,
        committee_size=len(members),
    )
    before = _classification(tender)
    for field, value in merged.items():
        setattr(tender, field, value)
    changed = {f: {"from": before[f], "to": merged[f]} for f in CLASSIFICATION_FIELDS if before[f] != merged[f]}
    if ppk.pk != tender.ppk_id:
        changed["ppk"] = {"from": tender.ppk.email, "to": ppk.email}
        tender.ppk = ppk
    old_members = set(tender.committee.values_list("pk", flat=True))
    if old_members != {m.pk for m in members}:
        changed["committee"] = [m.email for m in members]
        tender.committee.set(members)
    if not changed:
        return tender
    tender.approved_at = None
    tender.approval_requested_at = None
    tender.save()
    # A new method or file system has another stage list: rows of stages it no longer has go (nothing is public yet).
    tender.stages.exclude(stage__in=stages_of(tender)).delete()
    record(actor=actor, action="tenders.updated", target=tender, agency=tender.agency, data={"changes": changed})
    return tender


@transaction.atomic
def request_approval(*, actor, tender: Tender) -> Tender:
    require(policies.can_manage(actor, tender))
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if tender.announced_at or tender.approved_at:
        raise ValidationError(_("This classification is already approved."))
    tender.approval_requested_at = clock.now()
    tender.approval_note = ""
    tender.save(update_fields=["approval_requested_at", "approval_note"])
    record(
        actor=actor,
        action="tenders.approval_requested",
        target=tender,
        agency=tender.agency,
        data={"ppk": tender.ppk.email},
    )
    notifications.approval_requested(tender)
    return tender


@transaction.atomic
def decide_approval(*, actor, tender: Tender, approve: bool, note: str = "") -> Tender:
    """Pasal 7(3)b: the PPK approves the classification (method, qualification, evaluation, HPS) before it is
    announced, or sends it back with a reason."""
    require(policies.is_tender_ppk(actor, tender))
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if tender.approval_requested_at is None or tender.approved_at is not None:
        raise ValidationError(_("Nothing awaits your approval on this tender."))
    if not approve and not note.strip():
        raise ValidationError({"note": _("Say why the classification is not approved.")})
    tender.approval_note = note.strip()
    if approve:
        tender.approved_at = clock.now()
    else:
        tender.approval_requested_at = None
    tender.save(update_fields=["approved_at", "approval_requested_at", "approval_note"])
    record(
        actor=actor,
        action="tenders.approved" if approve else "tenders.approval_refused",
        target=tender,
        agency=tender.agency,
        data={"note": tender.approval_note, "classification": _classification(tender)},
    )
    notifications.approval_decided(tender, approved=approve)
    return tender


# --- Schedule (Pasal 7(3)b "menyusun jadwal") ---------------------------------------------------------------------


def stages_of(tender: Tender) -> tuple[Stage, ...]:
    return lifecycle.stages_for(
        method=tender.method, qualification=tender.qualification, file_system=tender.file_system
    )


def _validate_schedule(tender: Tender, slots: dict) -> None:
    stages = stages_of(tender)
    extra = set(slots) - set(stages)
    if extra:
        raise ValidationError(
            _("These stages are not part of this tender: %(stages)s.") % {"stages": ", ".join(sorted(extra))}
        )
    check_schedule(
        rulesets.for_tender(tender),
        stages=stages,
        slots=slots,
        method=tender.method,
        calendar=working_calendar_for(tender.agency),
        tz=tender.agency.time_zone,
    )


def _current_slots(tender: Tender) -> dict:
    return {Stage(row.stage): Slot(row.starts_at, row.ends_at) for row in tender.stages.all()}


def _write_schedule(*, actor, tender: Tender, slots: dict, reason: str, now: datetime, addendum=None) -> list[str]:
    """Store `slots`; after announcement, refuse moving what has begun and keep each change in the history."""
    current = _current_slots(tender)
    changes = []
    reevaluation = _reevaluation_pending(tender)
    for position, stage in enumerate(stages_of(tender)):
        new = slots[stage]
        old = current.get(stage)
        if old == new:
            continue
        if reevaluation and stage in REDECISION_STAGES:
            # Perpres 54/2010 Pasal 82: after a voided result the committee evaluates and decides again, so the
            # award stages run a second time; only the past stays out of reach.
            if new.starts_at < now:
                raise ValidationError(_("%(stage)s cannot be moved into the past.") % {"stage": stage.label})
        elif tender.announced_at is not None and old is not None:
            if old.ends_at <= now:
                raise ValidationError(_("%(stage)s has ended; it cannot change.") % {"stage": stage.label})
            if old.starts_at <= now and new.starts_at != old.starts_at:
                raise ValidationError(_("%(stage)s has begun; only its end can move.") % {"stage": stage.label})
            if new.ends_at <= now:
                raise ValidationError(_("%(stage)s cannot be moved into the past.") % {"stage": stage.label})
            if old.starts_at > now and new.starts_at < now:
                raise ValidationError(_("%(stage)s cannot be moved into the past.") % {"stage": stage.label})
            if stage == Stage.BID_UPLOAD and new.ends_at < old.ends_at:
                # Vendors plan their bids on the announced deadline: it may be extended, never brought forward.
                raise ValidationError(_("Once announced, the bid deadline can only be extended."))
            ScheduleChange.objects.create(
                tender=tender,
                stage=stage,
                old_starts_at=old.starts_at,
                old_ends_at=old.ends_at,
                new_starts_at=new.starts_at,
                new_ends_at=new.ends_at,
                reason=reason,
                changed_by=actor,
                changed_at=now,
                addendum=addendum,
            )
        TenderStage.objects.update_or_create(
            tender=tender,
            stage=stage,
            defaults={"position": position, "starts_at": new.starts_at, "ends_at": new.ends_at},
        )
        changes.append({"stage": stage.value, "starts_at": new.starts_at, "ends_at": new.ends_at})
    if tender.announced_at is not None and changes:
        _follow_with_boxes(actor=actor, tender=tender)
    return changes


# The stages a voided result runs again (Pengadaan Langsung decides in its negotiation).
REDECISION_STAGES = (*lifecycle.AWARD_STAGES, Stage.NEGOTIATION)


def _reevaluation_pending(tender: Tender) -> bool:
    """A justified objection or appeal voided the result and no new one stands yet."""
    return (
        tender.results.filter(voided_at__isnull=False).exists()
        and not tender.results.filter(voided_at__isnull=True).exists()
    )


@transaction.atomic
def set_schedule(*, actor, tender: Tender, slots: dict, reason: str = "") -> Tender:
    require(policies.can_manage(actor, tender))
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    slots = {Stage(stage): slot if isinstance(slot, Slot) else Slot(*slot) for stage, slot in slots.items()}
    _validate_schedule(tender, slots)
    now = clock.now()
    if tender.announced_at is not None and not reason.strip():
        raise ValidationError(
            {"reason": _("The tender is announced: say why its schedule changes (it is shown publicly).")}
        )
    changes = _write_schedule(actor=actor, tender=tender, slots=slots, reason=reason.strip(), now=now)
    if not changes:
        return tender
    record(
        actor=actor,
        action="tenders.schedule_set" if tender.announced_at is None else "tenders.schedule_changed",
        target=tender,
        agency=tender.agency,
        data={"reason": reason.strip(), "changes": changes},
    )
    if tender.announced_at is not None:
        enqueue(
            kind="tender.schedule_changed", subject=tender.public_id, payload={"reason": reason, "changes": changes}
        )
        notifications.schedule_changed(tender, [_change_line(c) for c in changes], reason.strip())
    return tender


def _change_line(change: dict) -> str:
    zone = clock.as_zone(clock.WIB)
    starts, ends = change["starts_at"].astimezone(zone), change["ends_at"].astimezone(zone)
    return f"{Stage(change['stage']).label}: {starts:%d-%m-%Y %H:%M} - {ends:%d-%m-%Y %H:%M}"


def propose_schedule(tender: Tender, *, start: datetime | None = None) -> dict:
    """A schedule that meets the ruleset, to start from: each stage on its own working days, from the opening of
    office hours to an hour before they close (time for the helpdesk after a deadline), the shortest the law
    allows; in the sandbox, a few minutes each."""
    rules = rulesets.for_tender(tender)
    stages = stages_of(tender)
    now = start or clock.now()
    if rules.sandbox:
        return _propose_sandbox(rules, tender, stages, now)
    calendar = working_calendar_for(tender.agency)
    zone = clock.as_zone(tender.agency.time_zone)
    profile = rulesets.periods(rules, tender.method)
    minimums = {**profile.minimums, Stage.OBJECTIONS: profile.objection}
    hours = rules.working_hours.value
    day_starts = hours.start
    day_ends = (datetime.combine(date.min, hours.end) - timedelta(hours=1)).time()
    latest_first_start = (datetime.combine(date.min, day_ends) - timedelta(hours=1)).time()
    local = now.astimezone(zone)
    rounded = (local + timedelta(minutes=15 - local.minute % 15)).replace(second=0, microsecond=0)
    first_start = None
    if calendar.is_working_day(local.date()) and day_starts <= rounded.time() <= latest_first_start:
        day, first_start = local.date(), rounded  # announce today, from the next quarter hour
    else:
        day = calendar.add_working_days(local.date(), 1)
    slots = {}
    for stage in stages:
        if stage == Stage.DOCUMENT_DOWNLOAD and Stage.ANNOUNCEMENT_POST in slots:
            first = slots[Stage.ANNOUNCEMENT_POST].starts_at
            slots[stage] = Slot(first, first)  # its end is fixed once the upload is placed
            continue
        length = max(_minimum_days(minimums, stage), 1)
        for gap in profile.gaps:
            if (
                gap.stage == stage
                and gap.after in slots
                and not gap.to_end
                and not (gap.only_with and gap.only_with not in stages)
            ):
                anchor = slots[gap.after].ends_at if gap.from_end else slots[gap.after].starts_at
                day = max(day, calendar.add_working_days(anchor.astimezone(zone).date(), gap.days))
        last = calendar.add_working_days(day, length - 1)
        for gap in profile.gaps:
            if (
                gap.stage == stage
                and gap.to_end
                and gap.after in slots
                and not (gap.only_with and gap.only_with not in stages)
            ):
                anchor = slots[gap.after].ends_at if gap.from_end else slots[gap.after].starts_at
                last = max(last, calendar.add_working_days(anchor.astimezone(zone).date(), gap.days))
        starts = first_start if first_start and not slots else datetime.combine(day, day_starts, tzinfo=zone)
        ends = datetime.combine(last, day_ends, tzinfo=zone)
        slots[stage] = Slot(starts, ends)
        day = calendar.add_working_days(last, 1)
    if Stage.DOCUMENT_DOWNLOAD in slots and Stage.BID_UPLOAD in slots and Stage.ANNOUNCEMENT_POST in slots:
        slots[Stage.DOCUMENT_DOWNLOAD] = Slot(slots[Stage.DOCUMENT_DOWNLOAD].starts_at, slots[Stage.BID_UPLOAD].ends_at)
    return slots


def _minimum_days(minimums: dict, stage: Stage) -> int:
    rule = minimums.get(stage)
    return rule.value if rule else 0


def _propose_sandbox(rules, tender, stages, now) -> dict:
    """The same layout in minutes: each stage after the previous one, as long as its minimum and its gaps ask,
    the opening after the bid deadline's grace period."""
    profile = rulesets.periods(rules, tender.method)
    minimums = {**profile.minimums, Stage.OBJECTIONS: profile.objection}
    cursor = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    slots = {}
    for stage in stages:
        if stage == Stage.DOCUMENT_DOWNLOAD and Stage.ANNOUNCEMENT_POST in slots:
            first = slots[Stage.ANNOUNCEMENT_POST].starts_at
            slots[stage] = Slot(first, first)  # its end is fixed once the upload is placed
            continue
        starts = cursor
        gaps = [
            g
            for g in profile.gaps
            if g.stage == stage and g.after in slots and (not g.only_with or g.only_with in stages)
        ]
        for gap in gaps:
            anchor = slots[gap.after].ends_at if gap.from_end else slots[gap.after].starts_at
            if not gap.to_end:
                starts = max(starts, anchor + rules.duration(gap.days))
        ends = starts + rules.duration(max(_minimum_days(minimums, stage), 1))
        for gap in gaps:
            anchor = slots[gap.after].ends_at if gap.from_end else slots[gap.after].starts_at
            if gap.to_end:
                ends = max(ends, anchor + rules.duration(gap.days))
        slots[stage] = Slot(starts, ends)
        cursor = ends + (rules.bytes_grace.value + timedelta(seconds=10) if stage == Stage.BID_UPLOAD else timedelta(0))
    if Stage.DOCUMENT_DOWNLOAD in slots and Stage.BID_UPLOAD in slots and Stage.ANNOUNCEMENT_POST in slots:
        slots[Stage.DOCUMENT_DOWNLOAD] = Slot(slots[Stage.DOCUMENT_DOWNLOAD].starts_at, slots[Stage.BID_UPLOAD].ends_at)
    return slots


# --- Documents and addenda (Pasal 7(3)b "menetapkan dokumen lelang ... membuat Addendum") -----------------------------


@transaction.atomic
def add_document(*, actor, tender: Tender, kind: str, title: str, upload, change_note: str = "") -> TenderDocument:
    """Before announcement, the committee assembles the documents. After it, every new version is an addendum with
    a change note; one issued too close to the bid deadline extends it (rules.addendum_notice)."""
    require(policies.can_manage(actor, tender))
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    now = clock.now()
    if kind not in TenderDocument.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of document.")})
    if not title.strip():
        raise ValidationError({"title": _("Give the document a title.")})
    upload_window = lifecycle.window_of(tender, Stage.BID_UPLOAD)
    if tender.announced_at is not None:
        kind = TenderDocument.Kind.ADDENDUM
        if not change_note.strip():
            raise ValidationError({"change_note": _("An addendum says what it changes.")})
        if upload_window is None or now >= upload_window.ends_at:
            raise ValidationError(_("The bid deadline has passed; the documents can no longer change."))
    stored = store_upload(
        upload,
        folder="tenders/documents",
        allowed_kinds=("pdf", "zip"),
        max_bytes=settings.EPROC_MAX_TENDER_DOCUMENT_BYTES,
    )
    version = (tender.documents.aggregate(Max("version"))["version__max"] or 0) + 1
    document = TenderDocument.objects.create(
        tender=tender,
        kind=kind,
        version=version,
        title=title.strip(),
        change_note=change_note.strip(),
        file=stored.storage_name,
        original_name=stored.original_name,
        sha256=stored.sha256,
        size=stored.size,
        uploaded_by=actor,
        uploaded_at=now,
    )
    extension = None
    if tender.announced_at is not None:
        extension = _extend_for_addendum(actor=actor, tender=tender, document=document, now=now)
        enqueue(
            kind="tender.amendment",
            subject=tender.public_id,
            payload={
                "document": document.public_id,
                "version": version,
                "change_note": document.change_note,
                "sha256": stored.sha256,
            },
        )
        notifications.addendum_issued(tender, document)
    record(
        actor=actor,
        action="tenders.addendum_issued" if kind == TenderDocument.Kind.ADDENDUM else "tenders.document_added",
        target=tender,
        agency=tender.agency,
        data={
            "document": document.public_id,
            "version": version,
            "kind": kind,
            "sha256": stored.sha256,
            "size": stored.size,
            "change_note": document.change_note,
            "deadline_extended_to": extension,
        },
    )
    return document


def _extend_for_addendum(*, actor, tender: Tender, document, now: datetime):
    """If fewer than `addendum_notice` working days remain before the bid deadline, move the deadline and every
    stage after it by the working days needed, keeping their times of day."""
    rules = rulesets.for_tender(tender)
    slots = _current_slots(tender)
    deadline = slots[Stage.BID_UPLOAD].ends_at
    notice = rules.addendum_notice.value
    if rules.sandbox:
        needed = now + rules.duration(notice)
        if deadline >= needed:
            return None

        def shift(moment):
            return moment + (needed - deadline)
    else:
        calendar = working_calendar_for(tender.agency)
        zone = clock.as_zone(tender.agency.time_zone)
        earliest = calendar.add_working_days(now.astimezone(zone).date(), notice)
        deadline_day = deadline.astimezone(zone).date()
        if deadline_day >= earliest:
            return None
        days = calendar.working_days_between(deadline_day + timedelta(days=1), earliest)

        def shift(moment):
            local = moment.astimezone(zone)
            return datetime.combine(calendar.add_working_days(local.date(), days), local.timetz())

    moved = {}
    for stage, slot in slots.items():
        if stage == Stage.BID_UPLOAD or stage == Stage.DOCUMENT_DOWNLOAD and slot.ends_at >= deadline:
            moved[stage] = Slot(slot.starts_at, shift(slot.ends_at))
        elif slot.starts_at >= deadline:
            moved[stage] = Slot(shift(slot.starts_at), shift(slot.ends_at))
        else:
            moved[stage] = slot
    _validate_schedule(tender, moved)
    reason = _(
        "Addendum %(number)s: at least %(days)s working days remain for bids after an addendum (%(article)s)."
    ) % {
        "number": tender.documents.filter(kind=TenderDocument.Kind.ADDENDUM).count(),
        "days": notice,
        "article": rules.addendum_notice.article,
    }
    changes = _write_schedule(actor=actor, tender=tender, slots=moved, reason=reason, now=now, addendum=document)
    notifications.schedule_changed(tender, [_change_line(c) for c in changes], reason)
    enqueue(kind="tender.schedule_changed", subject=tender.public_id, payload={"reason": reason, "changes": changes})
    return moved[Stage.BID_UPLOAD].ends_at


# --- Announcement (Pasal 7(3)a) ---------------------------------------------------------------------------------


def _envelopes(tender: Tender) -> list[tuple[str, Stage]]:
    if tender.is_pengadaan_langsung or tender.file_system == FileSystem.ONE_FILE:
        return [("single", Stage.OPENING)]
    return [("technical", Stage.OPENING_TECHNICAL), ("price", Stage.OPENING_PRICE)]


def boxes_of(tender: Tender):
    return SealedBox.objects.filter(reference=tender.public_id)


@transaction.atomic
def announce(*, actor, tender: Tender) -> Tender:
    """Publish the tender: it becomes public, its sealed-bid boxes are made with the committee's keys (DESIGN 5)
    and it is queued for the national portal (Pasal 7(3)a, 12)."""
    require(policies.can_manage(actor, tender))
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    now = clock.now()
    if tender.announced_at is not None:
        raise ValidationError(_("This tender is already announced."))
    if tender.approved_at is None:
        raise ValidationError(_("The PPK has not approved the classification yet (Pasal 7(3)b)."))
    slots = _current_slots(tender)
    _validate_schedule(tender, slots)
    stages = stages_of(tender)
    if slots[stages[0]].ends_at <= now or any(slots[stage].starts_at < now for stage in stages[1:]):
        raise ValidationError(_("The schedule has stages in the past; move them before announcing."))
    if not tender.documents.exclude(kind=TenderDocument.Kind.SUPPORTING).exists():
        raise ValidationError(_("Upload the procurement documents before announcing."))
    rules = rulesets.for_tender(tender)
    upload = slots[Stage.BID_UPLOAD]
    for envelope, opening_stage in _envelopes(tender):
        bids.create_box(
            actor=actor,
            agency=tender.agency,
            reference=tender.public_id,
            title=tender.title,
            envelope=envelope,
            members=list(tender.committee.all()),
            threshold=tender.opening_quorum,
            upload_opens_at=upload.starts_at,
            deadline=upload.ends_at,
            grace_period=rules.bytes_grace.value,
            opening_at=slots[opening_stage].starts_at,
            # Two files: prices open only after the technical evaluation, for those who passed (Pasal 47).
            held=envelope == "price",
        )
    tender.announced_at = now
    tender.announced_by = actor
    tender.save(update_fields=["announced_at", "announced_by"])
    payload = {
        **_classification(tender),
        "agency": tender.agency.code,
        "work_unit": tender.work_unit.name,
        "plan_item": tender.plan_item.public_id,
        "schedule": [{"stage": s.value, "starts_at": slots[s].starts_at, "ends_at": slots[s].ends_at} for s in stages],
        "ruleset": tender.ruleset_version,
    }
    enqueue(kind="tender.announced", subject=tender.public_id, payload=payload)
    record(actor=actor, action="tenders.announced", target=tender, agency=tender.agency, data=payload)
    return tender


def _follow_with_boxes(*, actor, tender: Tender) -> None:
    slots = _current_slots(tender)
    upload = slots[Stage.BID_UPLOAD]
    boxes = {box.envelope: box for box in boxes_of(tender)}
    for envelope, opening_stage in _envelopes(tender):
        box = boxes.get(envelope)
        if box is not None:
            bids.reschedule_box(
                actor=actor,
                box=box,
                upload_opens_at=upload.starts_at,
                deadline=upload.ends_at,
                opening_at=slots[opening_stage].starts_at,
            )


# --- Participation (Pasal 7(4)a) --------------------------------------------------------------------------------


@transaction.atomic
def join(*, actor, tender: Tender) -> Participant:
    """A verified vendor registers for the tender (mendaftar), from the announcement until the documents'
    download closes; its people are admitted to the tender's sealed-bid boxes."""
    vendor = vendor_of(actor)
    if vendor is None:
        raise ValidationError(_("Only a registered vendor can join a tender."))
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    now = clock.now()
    if tender.cancelled_at is not None or tender.announced_at is None or tender.is_pengadaan_langsung:
        raise ValidationError(_("This tender is not open for joining."))
    if not selectors.join_window_open(tender, now):
        first = lifecycle.windows(tender)[0]
        if now < first.starts_at:
            raise ValidationError(_("Joining opens when the announcement stage begins."))
        raise ValidationError(_("Joining this tender has closed (it is open until the end of the document download)."))
    allowed = eligibility(vendor)
    if not allowed.allowed:
        raise ValidationError(_("Your company cannot take part: %(reason)s") % {"reason": allowed.reason})
    if tender.small_business_reserved and not vendor.is_small_business:
        raise ValidationError(
            _(
                "This package is reserved for small businesses (Perpres 54/2010 Pasal 100(3)); "
                "your company is not registered as one."
            )
        )
    if tender.participants.filter(vendor=vendor).exists():
        raise ValidationError(_("Your company has already joined this tender."))
    try:
        with transaction.atomic():
            participant = Participant.objects.create(tender=tender, vendor=vendor, joined_by=actor, joined_at=now)
    except IntegrityError as error:
        raise ValidationError(_("Your company has already joined this tender.")) from error
    for box in boxes_of(tender):
        for member in vendor.members.select_related("user"):
            bids.admit_bidder(actor=actor, box=box, bidder=member.user)
    record(actor=actor, action="tenders.joined", target=tender, agency=tender.agency, data={"vendor": vendor.public_id})
    return participant


def admit_to_joined_tenders(*, actor, vendor, user) -> None:
    """A user added to a vendor after it joined tenders is admitted to their boxes whose deadline has not passed."""
    if not eligibility(vendor).allowed:
        return  # a suspended or blacklisted company cannot bid (bids.services refuses it too)
    now = clock.now()
    references = vendor.participations.values_list("tender__public_id", flat=True)
    for box in SealedBox.objects.filter(reference__in=list(references), deadline__gt=now):
        bids.admit_bidder(actor=actor, box=box, bidder=user)


@transaction.atomic
def record_download(*, actor, document: TenderDocument) -> TenderDocument:
    """Participants download; each download is kept, so none can later say it never received an addendum."""
    tender = document.tender
    require(policies.can_download(actor, tender))
    participant = policies.participant_of(actor, tender)
    if participant is not None:
        DocumentDownload.objects.create(
            document=document, vendor=participant.vendor, user=actor, downloaded_at=clock.now()
        )
        record(
            actor=actor,
            action="tenders.document_downloaded",
            target=tender,
            agency=tender.agency,
            data={"document": document.public_id, "version": document.version, "vendor": participant.vendor.public_id},
        )
    return document


# --- Explanation session, aanwijzing (Pasal 7(3)b, 7(4)a) ---------------------------------------------------------


def _clarification_open(tender: Tender, now) -> bool:
    return tender.clarification_closed_at is None and lifecycle.is_open(tender, Stage.CLARIFICATION, now)


@transaction.atomic
def ask_question(*, actor, tender: Tender, section: str, text: str) -> Question:
    participant = policies.participant_of(actor, tender)
    require(participant is not None)
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if not _clarification_open(tender, clock.now()):
        raise ValidationError(_("Questions are taken only during the explanation session (Pemberian Penjelasan)."))
    if section not in Question.Section.values:
        raise ValidationError({"section": _("Choose the section of the document the question is about.")})
    text = text.strip()
    if not text or len(text) > 4000:
        raise ValidationError({"text": _("Write the question (at most 4000 characters).")})
    question = Question.objects.create(
        tender=tender, participant=participant, section=section, text=text, asked_by=actor, asked_at=clock.now()
    )
    record(
        actor=actor,
        action="tenders.question_asked",
        target=tender,
        agency=tender.agency,
        data={"question": question.public_id, "section": section, "text": text},
    )
    return question


@transaction.atomic
def answer_question(*, actor, question: Question, answer: str) -> Question:
    tender = question.tender
    require(policies.can_manage(actor, tender))
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if not _clarification_open(tender, clock.now()):
        raise ValidationError(_("Answers are given only during the explanation session (Pemberian Penjelasan)."))
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer.")})
    question = Question.objects.select_for_update().get(pk=question.pk)
    question.answer = answer
    question.answered_by = actor
    question.answered_at = clock.now()
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    record(
        actor=actor,
        action="tenders.question_answered",
        target=tender,
        agency=tender.agency,
        data={"question": question.public_id, "answer": answer},
    )
    return question


@transaction.atomic
def close_clarification(*, actor, tender: Tender) -> Tender:
    """End the session and issue its minutes (Berita Acara Pemberian Penjelasan) with every question and answer."""
    require(policies.can_manage(actor, tender))
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    now = clock.now()
    if tender.clarification_closed_at is not None:
        raise ValidationError(_("The explanation session is already closed."))
    if not lifecycle.has_started(tender, Stage.CLARIFICATION, now):
        raise ValidationError(_("The explanation session has not begun yet."))
    tender.clarification_closed_at = now
    pdf = minutes.render_clarification_minutes(tender=tender, questions=list(tender.questions.all()), closed_by=actor)
    digest = hashlib.sha256(pdf).hexdigest()
    tender.clarification_minutes.save(
        f"ba-penjelasan-{tender.public_id}-{digest[:12]}.pdf", ContentFile(pdf), save=False
    )
    tender.clarification_minutes_sha256 = digest
    tender.save(update_fields=["clarification_closed_at", "clarification_minutes", "clarification_minutes_sha256"])
    record(
        actor=actor,
        action="tenders.clarification_closed",
        target=tender,
        agency=tender.agency,
        data={"minutes_sha256": digest, "questions": tender.questions.count()},
    )
    enqueue(kind="tender.clarification_minutes", subject=tender.public_id, payload={"sha256": digest})
    notifications.clarification_closed(tender)
    return tender


@transaction.atomic
def repeat_tender(*, actor, tender: Tender) -> Tender:
    """Lelang ulang (Perpres 54/2010 Pasal 84): a failed tender is repeated as a new package of the same plan item,
    linked to the original and numbered as its next version; it is scheduled and approved again."""
    require(policies.is_committee_member(actor, tender))
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if tender.failed_at is None:
        raise ValidationError(_("Only a failed tender is repeated."))
    if tender.repeats.exists():
        raise ValidationError(_("This tender is already repeated."))
    repeat = create_tender(
        actor=actor,
        plan_item=tender.plan_item,
        ppk=tender.ppk,
        committee=list(tender.committee.exclude(pk=actor.pk)),
        sandbox=tender.sandbox,
        **_classification(tender),
    )
    repeat.repeat_of = tender
    repeat.version = tender.version + 1
    repeat.save(update_fields=["repeat_of", "version"])
    record(
        actor=actor,
        action="tenders.repeated",
        target=repeat,
        agency=repeat.agency,
        data={"repeat_of": tender.public_id, "version": repeat.version},
    )
    return repeat
