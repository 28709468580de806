"""The schedule of a tender: boundaries on working days within office hours, the sandbox's minutes, stage actions
judged by the server clock, changes after announcement and the extension an addendum brings (DESIGN 4).

Time is pinned at Monday 2 March 2026, 10:00 WIB; tests move it with time_machine (`pinned_time.move_to`).
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from conftest import pdf_upload
from eproc.audit.models import AuditEvent
from eproc.bids.models import SealedBox
from eproc.core import clock
from eproc.core.calendar import WorkingCalendar, national_holidays
from eproc.organizations import services as organizations
from eproc.organizations.selectors import working_calendar_for
from eproc.publication.models import OutboxEntry
from eproc.tenders import lifecycle, services
from eproc.tenders.checks import Slot, check_schedule
from eproc.tenders.choices import Method
from eproc.tenders.lifecycle import Stage
from eproc.tenders.models import Question, ScheduleChange
from eproc.tenders.rules import CURRENT, RULESETS, for_tender, periods, ruleset

WIB = ZoneInfo("Asia/Jakarta")
MICROSECOND = timedelta(microseconds=1)
RULES = RULESETS[CURRENT]
HOURS_ARTICLE = RULES.working_hours.article  # Perbup Ketapang 8/2011 Pasal 9(9) (helpdesk hours)
MONDAY = date(2026, 4, 6)


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=WIB)


def one_stage(starts, ends, *, rules=RULES, calendar=None, tz="Asia/Jakarta", stage=Stage.BID_EVALUATION) -> list:
    """The refusals of a schedule of one stage, which no minimum or gap concerns: only its boundaries speak."""
    try:
        check_schedule(
            rules,
            stages=(stage,),
            slots={stage: Slot(starts, ends)},
            method=Method.OPEN_TENDER,
            calendar=calendar or WorkingCalendar(),
            tz=tz,
        )
    except ValidationError as error:
        return error.messages
    return []


def window(tender, stage):
    return lifecycle.window_of(tender, stage)


def slots_of(tender) -> dict:
    return {Stage(row.stage): Slot(row.starts_at, row.ends_at) for row in tender.stages.all()}


def join(world, pinned_time, tender, name):
    """A new verified vendor joins `tender`, the clock moved to the start of the announcement stage if need be."""
    first = lifecycle.windows(tender)[0].starts_at
    if clock.now() < first:
        pinned_time.move_to(first)
    vendor, user = world.personas.vendor(name)
    services.join(actor=user, tender=tender)
    return vendor, user


def addendum(world, tender, number=1):
    return services.add_document(
        actor=world.chair,
        tender=tender,
        kind="adendum",
        title=f"Adendum {number}",
        change_note="Spesifikasi aspal diganti AC-WC",
        upload=pdf_upload(f"adendum-{number}.pdf", f"%PDF-1.4\n% adendum {number}\n%%EOF\n".encode()),
    )


# --- A boundary on a day off or outside office hours is refused -----------------------------------------------


def test_boundaries_at_0800_and_at_1600_on_working_days_are_accepted():
    assert one_stage(at(MONDAY, 8), at(MONDAY, 16)) == []
    assert one_stage(at(MONDAY, 16), at(MONDAY + timedelta(days=1), 8)) == []


@pytest.mark.parametrize("which", ["start", "end"])
@pytest.mark.parametrize(
    ("hour", "minute", "second"), [(7, 59, 0), (16, 1, 0), (16, 0, 1)], ids=["0759", "1601", "160001"]
)
def test_a_boundary_outside_office_hours_is_refused(which, hour, minute, second):
    # Perbup Ketapang 8/2011 Pasal 9(9): every boundary falls while the LPSE helpdesk is staffed (08:00-16:00).
    outside = at(MONDAY + timedelta(days=1), hour, minute, second)
    slot = (at(MONDAY, 9), outside) if which == "end" else (outside, at(MONDAY + timedelta(days=2), 9))
    assert one_stage(*slot) == [
        f"{Stage.BID_EVALUATION.label}: 07-04-2026 {hour:02d}:{minute:02d} is outside office hours "
        f"(08:00-16:00, {HOURS_ARTICLE})."
    ]
    assert "Pasal 9(9)" in HOURS_ARTICLE


@pytest.mark.parametrize(("day", "reason"), [(date(2026, 4, 11), "Sabtu"), (date(2026, 4, 12), "Minggu")])
@pytest.mark.parametrize("which", ["start", "end"])
def test_a_boundary_on_a_weekend_is_refused(which, day, reason):
    # Perpres 54/2010 Pasal 61(4) as amended: every stage ends on a working day; eproc holds starts to it as well.
    inside = at(day, 10)
    slot = (at(MONDAY, 9), inside) if which == "end" else (inside, at(day + timedelta(days=3), 9))
    assert one_stage(*slot) == [f"{Stage.BID_EVALUATION.label}: {day:%d-%m-%Y} is not a working day ({reason})."]


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 3, 19), "Hari Suci Nyepi"),
        (date(2026, 3, 18), "Cuti Bersama Hari Suci Nyepi"),  # cuti bersama: government offices are closed too
        (date(2026, 4, 3), "Wafat Yesus Kristus"),
    ],
)
def test_a_boundary_on_a_national_holiday_or_cuti_bersama_is_refused(day, name):
    assert national_holidays(2026)[day] == name
    messages = one_stage(at(day, 10), at(date(2026, 4, 7), 10))
    assert messages == [f"{Stage.BID_EVALUATION.label}: {day:%d-%m-%Y} is not a working day ({name})."]


def test_a_day_off_the_lpse_declares_is_refused_for_the_agencies_it_concerns(personas):
    regional = date(2026, 4, 8)
    lpse_wide = date(2026, 4, 9)
    organizations.add_day_off(
        actor=personas.lpse_admin, day=regional, name="Hari Jadi Kabupaten Ketapang", agency=personas.agency_a
    )
    organizations.add_day_off(actor=personas.lpse_admin, day=lpse_wide, name="Cuti bersama (SE Bupati)")
    calendar_a, calendar_b = working_calendar_for(personas.agency_a), working_calendar_for(personas.agency_b)
    label = Stage.BID_EVALUATION.label
    assert one_stage(at(regional, 10), at(MONDAY + timedelta(days=7), 10), calendar=calendar_a) == [
        f"{label}: 08-04-2026 is not a working day (Hari Jadi Kabupaten Ketapang)."
    ]
    assert one_stage(at(regional, 10), at(MONDAY + timedelta(days=7), 10), calendar=calendar_b) == []
    for calendar in (calendar_a, calendar_b):
        assert one_stage(at(MONDAY, 10), at(lpse_wide, 10), calendar=calendar) == [
            f"{label}: 09-04-2026 is not a working day (Cuti bersama (SE Bupati))."
        ]


def test_the_tender_service_refuses_a_schedule_with_a_stage_on_an_lpse_day_off(world):
    tender = world.tender()
    slots = services.propose_schedule(tender)
    contract = slots[Stage.CONTRACT]
    day = contract.starts_at.astimezone(WIB).date()
    services.set_schedule(actor=world.chair, tender=tender, slots=slots)  # the proposal itself is accepted
    organizations.add_day_off(
        actor=world.personas.lpse_admin, day=day, name="Hari Jadi Kabupaten Ketapang", agency=world.personas.agency_a
    )
    with pytest.raises(ValidationError) as refused:
        services.set_schedule(actor=world.chair, tender=tender, slots=slots)
    assert refused.value.messages[0] == (
        f"{Stage.CONTRACT.label}: {day:%d-%m-%Y} is not a working day (Hari Jadi Kabupaten Ketapang)."
    )
    saturday = day + timedelta(days=(5 - day.weekday()) % 7)
    late = {**slots, Stage.CONTRACT: Slot(contract.starts_at, at(saturday, 10))}
    with pytest.raises(ValidationError, match=r"is not a working day \(Sabtu\)"):
        services.set_schedule(actor=world.chair, tender=tender, slots=late)


def test_office_hours_are_read_on_the_wall_clock_of_the_agency():
    # 15:30 WIB is 17:30 WIT: within office hours in Ketapang, after them in Jayapura.
    starts = datetime(2026, 4, 6, 8, 30, tzinfo=UTC)
    ends = starts + timedelta(days=1)
    assert one_stage(starts, ends, tz="Asia/Jakarta") == []
    messages = one_stage(starts, ends, tz="Asia/Jayapura")
    assert len(messages) == 2 and all("is outside office hours" in message for message in messages)
    assert "06-04-2026 17:30" in messages[0]


def test_the_sandbox_skips_days_off_and_office_hours():
    saturday_night = at(date(2026, 3, 21), 23, 0)  # Idul Fitri, at night
    assert one_stage(saturday_night, saturday_night + timedelta(hours=3)) != []
    for version in RULESETS:
        rules = ruleset(version, sandbox=True)
        assert one_stage(saturday_night, saturday_night + timedelta(hours=3), rules=rules) == []


@pytest.mark.parametrize("version", list(RULESETS))
def test_in_the_sandbox_a_working_day_lasts_one_minute(version):
    rules = ruleset(version, sandbox=True)
    minimum = periods(rules, Method.OPEN_TENDER).minimums[Stage.ANNOUNCEMENT_POST]
    start = at(date(2026, 3, 21), 23, 0)
    exact = start + timedelta(minutes=minimum.value)
    assert one_stage(start, exact, rules=rules, stage=Stage.ANNOUNCEMENT_POST) == []
    assert one_stage(start, exact - timedelta(seconds=1), rules=rules, stage=Stage.ANNOUNCEMENT_POST) == [
        f"{Stage.ANNOUNCEMENT_POST.label} must last at least {minimum.value} working days ({minimum.article})."
    ]
    # The gaps after the explanation (Pasal 61(1)e) count minutes too.
    clarification = Slot(start, start + timedelta(minutes=5))
    gaps = [g for g in periods(rules, Method.OPEN_TENDER).gaps if g.after == Stage.CLARIFICATION and not g.only_with]
    first = next(g for g in gaps if not g.to_end)
    last = next(g for g in gaps if g.to_end)
    anchor = clarification.ends_at
    upload = Slot(anchor + timedelta(minutes=first.days), anchor + timedelta(minutes=last.days))

    def refusals(upload_slot):
        try:
            check_schedule(
                rules,
                stages=(Stage.CLARIFICATION, Stage.BID_UPLOAD),
                slots={Stage.CLARIFICATION: clarification, Stage.BID_UPLOAD: upload_slot},
                method=Method.OPEN_TENDER,
                calendar=WorkingCalendar(),
                tz="Asia/Jakarta",
            )
        except ValidationError as error:
            return error.messages
        return []

    assert refusals(upload) == []
    early_start = refusals(Slot(upload.starts_at - timedelta(seconds=1), upload.ends_at))
    assert any(first.article in message for message in early_start)
    early_end = refusals(Slot(upload.starts_at, upload.ends_at - timedelta(seconds=1)))
    assert any(last.article in message for message in early_end)
    assert rules.bytes_grace.value == timedelta(seconds=20)


# --- Stage actions are judged by the server clock ------------------------------------------------------------


def test_a_vendor_joins_until_one_microsecond_before_the_download_ends_but_not_at_its_end(world, pinned_time):
    # Pasal 7(4)a: vendors register (mendaftar) and download the documents before the explanation ends.
    tender = world.announced()
    download = window(tender, Stage.DOCUMENT_DOWNLOAD)
    early, early_user = world.personas.vendor("CV Tepat Waktu")
    late, late_user = world.personas.vendor("CV Terlambat")
    pinned_time.move_to(download.ends_at - MICROSECOND)
    assert services.join(actor=early_user, tender=tender).vendor == early
    pinned_time.move_to(download.ends_at)
    with pytest.raises(ValidationError, match="Joining this tender has closed"):
        services.join(actor=late_user, tender=tender)
    assert list(tender.participants.values_list("vendor", flat=True)) == [early.pk]


def test_joining_opens_when_the_announcement_stage_begins(world, pinned_time):
    tender = world.announced()
    first = lifecycle.windows(tender)[0]
    assert first.stage == Stage.ANNOUNCEMENT_POST and tender.announced_at < first.starts_at
    _, user = world.personas.vendor("CV Paling Awal")
    pinned_time.move_to(first.starts_at - MICROSECOND)
    with pytest.raises(ValidationError) as refused:
        services.join(actor=user, tender=tender)
    assert refused.value.messages == ["Joining opens when the announcement stage begins."]
    pinned_time.move_to(first.starts_at)
    assert services.join(actor=user, tender=tender).joined_at == first.starts_at


def test_a_vendor_cannot_join_a_tender_that_is_not_announced(world):
    tender = world.scheduled()
    _, user = world.personas.vendor("CV Terlalu Cepat")
    with pytest.raises(ValidationError, match="not open for joining"):
        services.join(actor=user, tender=tender)


def test_questions_are_taken_only_during_the_explanation_session(world, pinned_time):
    tender = world.announced()
    _, user = join(world, pinned_time, tender, "CV Penanya")
    session = window(tender, Stage.CLARIFICATION)
    refusal = "Questions are taken only during the explanation session (Pemberian Penjelasan)."
    for moment in (session.starts_at - MICROSECOND, session.ends_at):
        pinned_time.move_to(moment)
        with pytest.raises(ValidationError) as refused:
            services.ask_question(actor=user, tender=tender, section="spesifikasi", text="Tebal lapisan aspal?")
        assert refused.value.messages == [refusal]
    for moment in (session.starts_at, session.ends_at - MICROSECOND):
        pinned_time.move_to(moment)
        question = services.ask_question(actor=user, tender=tender, section="spesifikasi", text="Tebal aspal?")
        assert question.asked_at == moment
    assert tender.questions.count() == 2


def test_answers_are_given_only_during_the_explanation_session_and_before_it_closes(world, pinned_time):
    tender = world.announced()
    _, user = join(world, pinned_time, tender, "CV Penanya")
    session = window(tender, Stage.CLARIFICATION)
    pinned_time.move_to(session.starts_at)
    question = services.ask_question(actor=user, tender=tender, section="boq", text="Satuan galian?")
    refusal = "Answers are given only during the explanation session (Pemberian Penjelasan)."
    pinned_time.move_to(session.ends_at)
    with pytest.raises(ValidationError) as refused:
        services.answer_question(actor=world.chair, question=question, answer="m3")
    assert refused.value.messages == [refusal]
    pinned_time.move_to(session.starts_at - MICROSECOND)
    with pytest.raises(ValidationError):
        services.answer_question(actor=world.chair, question=question, answer="m3")
    pinned_time.move_to(session.ends_at - MICROSECOND)
    answered = services.answer_question(actor=world.member, question=question, answer="Meter kubik (m3)")
    assert (answered.answer, answered.answered_by, answered.answered_at) == (
        "Meter kubik (m3)",
        world.member,
        session.ends_at - MICROSECOND,
    )
    pinned_time.move_to(session.starts_at + timedelta(hours=1))
    services.close_clarification(actor=world.chair, tender=tender)
    with pytest.raises(ValidationError):
        services.answer_question(actor=world.chair, question=question, answer="m3 padat")
    with pytest.raises(ValidationError):
        services.ask_question(actor=user, tender=tender, section="boq", text="Lagi?")
    assert Question.objects.get(pk=question.pk).answer == "Meter kubik (m3)"


def test_an_addendum_at_or_after_the_bid_deadline_is_refused(world, pinned_time):
    tender = world.announced()
    deadline = window(tender, Stage.BID_UPLOAD).ends_at
    for moment in (deadline, deadline + timedelta(days=1)):
        pinned_time.move_to(moment)
        with pytest.raises(ValidationError) as refused:
            addendum(world, tender)
        assert refused.value.messages == ["The bid deadline has passed; the documents can no longer change."]
    assert not tender.documents.filter(kind="adendum").exists()


def test_an_addendum_says_what_it_changes(world):
    tender = world.announced()
    with pytest.raises(ValidationError) as refused:
        services.add_document(
            actor=world.chair, tender=tender, kind="adendum", title="Adendum 1", upload=pdf_upload("a.pdf")
        )
    assert refused.value.message_dict == {"change_note": ["An addendum says what it changes."]}


def _last_day_with_notice(calendar, deadline_day: date, notice: int) -> date:
    """The last day on which `notice` working days still remain before the deadline."""
    day = deadline_day
    while calendar.add_working_days(day, notice) > deadline_day:
        day -= timedelta(days=1)
    return day


def test_an_addendum_leaving_the_notice_in_working_days_keeps_the_deadline(world, pinned_time):
    # Perka LKPP 14/2012 Lampiran Bab II item 14; Perpres 54/2010 Pasal 61(1)e: 2 working days remain for bids.
    tender = world.announced()
    before = slots_of(tender)
    deadline = before[Stage.BID_UPLOAD].ends_at
    notice = for_tender(tender).addendum_notice.value
    calendar = working_calendar_for(tender.agency)
    last_day = _last_day_with_notice(calendar, deadline.astimezone(WIB).date(), notice)
    pinned_time.move_to(at(last_day, 23, 59, 59) + timedelta(microseconds=999_999))
    document = addendum(world, tender)
    assert document.kind == "adendum" and document.version == 2
    assert slots_of(tender) == before
    assert not ScheduleChange.objects.filter(tender=tender).exists()
    assert {box.deadline for box in services.boxes_of(tender)} == {deadline}
    event = AuditEvent.objects.get(action="tenders.addendum_issued", object_id=tender.public_id)
    assert event.data["deadline_extended_to"] is None
    assert OutboxEntry.objects.filter(kind="tender.amendment", subject=tender.public_id).count() == 1


def test_an_addendum_leaving_less_than_the_notice_extends_the_deadline_and_the_stages_after_it(world, pinned_time):
    # Perka LKPP 14/2012 Lampiran Bab II item 14; Perpres 54/2010 Pasal 61(1)e.
    tender = world.announced()
    rules = for_tender(tender)
    before = slots_of(tender)
    deadline = before[Stage.BID_UPLOAD].ends_at
    notice = rules.addendum_notice.value
    calendar = working_calendar_for(tender.agency)
    deadline_day = deadline.astimezone(WIB).date()
    day = _last_day_with_notice(calendar, deadline_day, notice) + timedelta(days=1)
    pinned_time.move_to(at(day, 0, 0))
    document = addendum(world, tender)

    after = slots_of(tender)
    new_deadline = after[Stage.BID_UPLOAD].ends_at
    earliest = calendar.add_working_days(day, notice)
    assert new_deadline == datetime.combine(earliest, deadline.astimezone(WIB).timetz())
    assert after[Stage.BID_UPLOAD].starts_at == before[Stage.BID_UPLOAD].starts_at
    assert after[Stage.DOCUMENT_DOWNLOAD] == Slot(before[Stage.DOCUMENT_DOWNLOAD].starts_at, new_deadline)
    shift = calendar.working_days_between(deadline_day + timedelta(days=1), earliest)
    assert shift >= 1
    moved = {stage for stage, slot in before.items() if slot.starts_at >= deadline}
    assert Stage.OPENING in moved and Stage.CONTRACT in moved
    for stage in moved:
        for old, new in (
            (before[stage].starts_at, after[stage].starts_at),
            (before[stage].ends_at, after[stage].ends_at),
        ):
            old_local, new_local = old.astimezone(WIB), new.astimezone(WIB)
            assert new_local.timetz() == old_local.timetz()
            assert new_local.date() == calendar.add_working_days(old_local.date(), shift), stage
    for stage in set(before) - moved - {Stage.BID_UPLOAD, Stage.DOCUMENT_DOWNLOAD}:
        assert after[stage] == before[stage], stage

    changes = ScheduleChange.objects.filter(tender=tender)
    assert {Stage(change.stage) for change in changes} == moved | {Stage.BID_UPLOAD, Stage.DOCUMENT_DOWNLOAD}
    for change in changes:
        assert change.addendum == document and change.changed_by == world.chair
        assert rules.addendum_notice.article in change.reason
        assert (change.old_starts_at, change.old_ends_at) == (
            before[change.stage].starts_at,
            before[change.stage].ends_at,
        )
    [box] = SealedBox.objects.filter(reference=tender.public_id)
    assert (box.upload_opens_at, box.deadline, box.opening_at) == (
        after[Stage.BID_UPLOAD].starts_at,
        new_deadline,
        after[Stage.OPENING].starts_at,
    )
    event = AuditEvent.objects.get(action="tenders.addendum_issued", object_id=tender.public_id)
    assert event.data["deadline_extended_to"] is not None
    assert OutboxEntry.objects.filter(kind="tender.schedule_changed", subject=tender.public_id).exists()
    # The join window follows the deadline: a vendor may still register between the old and the new deadline.
    pinned_time.move_to(deadline + timedelta(minutes=5))
    _, user = world.personas.vendor("CV Menyusul")
    services.join(actor=user, tender=tender)


# --- Changing the schedule after announcement -----------------------------------------------------------------


def test_a_schedule_change_after_announcement_needs_a_reason_and_is_kept_in_public_history(world, pinned_time):
    tender = world.announced()
    slots = slots_of(tender)
    upload = slots[Stage.BID_UPLOAD]
    later = {**slots, Stage.BID_UPLOAD: Slot(upload.starts_at, upload.ends_at + timedelta(minutes=30))}
    with pytest.raises(ValidationError) as refused:
        services.set_schedule(actor=world.chair, tender=tender, slots=later)
    assert list(refused.value.message_dict) == ["reason"]
    with pytest.raises(ValidationError):
        services.set_schedule(actor=world.chair, tender=tender, slots=later, reason="   ")
    assert slots_of(tender) == slots

    services.set_schedule(actor=world.member, tender=tender, slots=later, reason="Server LPSE dipelihara")
    [change] = ScheduleChange.objects.filter(tender=tender)
    assert (change.stage, change.reason, change.changed_by, change.changed_at) == (
        Stage.BID_UPLOAD,
        "Server LPSE dipelihara",
        world.member,
        clock.now(),
    )
    assert (change.old_ends_at, change.new_ends_at, change.addendum) == (
        upload.ends_at,
        later[Stage.BID_UPLOAD].ends_at,
        None,
    )
    assert [box.deadline for box in services.boxes_of(tender)] == [later[Stage.BID_UPLOAD].ends_at]
    assert AuditEvent.objects.filter(action="tenders.schedule_changed", object_id=tender.public_id).exists()
    published = OutboxEntry.objects.get(kind="tender.schedule_changed", subject=tender.public_id)
    assert published.payload["reason"] == "Server LPSE dipelihara"


def test_a_schedule_set_before_announcement_needs_no_reason_and_leaves_no_history(world):
    tender = world.tender()
    slots = services.propose_schedule(tender)
    services.set_schedule(actor=world.chair, tender=tender, slots=slots)
    contract = slots[Stage.CONTRACT]
    services.set_schedule(
        actor=world.chair,
        tender=tender,
        slots={**slots, Stage.CONTRACT: Slot(contract.starts_at, contract.ends_at + timedelta(minutes=30))},
    )
    assert not ScheduleChange.objects.exists()
    assert AuditEvent.objects.filter(action="tenders.schedule_set", object_id=tender.public_id).count() == 2


def test_a_stage_that_has_ended_cannot_change(world, pinned_time):
    tender = world.announced()
    slots = slots_of(tender)
    announcement = slots[Stage.ANNOUNCEMENT_POST]
    pinned_time.move_to(announcement.ends_at)
    shorter = {
        **slots,
        Stage.ANNOUNCEMENT_POST: Slot(announcement.starts_at, announcement.ends_at - timedelta(hours=1)),
    }
    with pytest.raises(ValidationError) as refused:
        services.set_schedule(actor=world.chair, tender=tender, slots=shorter, reason="Salah ketik")
    assert refused.value.messages == [f"{Stage.ANNOUNCEMENT_POST.label} has ended; it cannot change."]
    assert slots_of(tender) == slots and not ScheduleChange.objects.exists()


def test_a_stage_that_has_begun_can_only_move_its_end(world, pinned_time):
    tender = world.announced()
    slots = slots_of(tender)
    announcement = slots[Stage.ANNOUNCEMENT_POST]
    pinned_time.move_to(announcement.starts_at + timedelta(days=1))
    earlier_start = {
        **slots,
        Stage.ANNOUNCEMENT_POST: Slot(announcement.starts_at - timedelta(minutes=15), announcement.ends_at),
    }
    with pytest.raises(ValidationError) as refused:
        services.set_schedule(actor=world.chair, tender=tender, slots=earlier_start, reason="Koreksi")
    assert refused.value.messages == [f"{Stage.ANNOUNCEMENT_POST.label} has begun; only its end can move."]
    later_end = {
        **slots,
        Stage.ANNOUNCEMENT_POST: Slot(announcement.starts_at, announcement.ends_at + timedelta(minutes=30)),
    }
    services.set_schedule(actor=world.chair, tender=tender, slots=later_end, reason="Perpanjangan pengumuman")
    assert slots_of(tender)[Stage.ANNOUNCEMENT_POST].ends_at == announcement.ends_at + timedelta(minutes=30)
    assert ScheduleChange.objects.get(tender=tender).stage == Stage.ANNOUNCEMENT_POST


# --- The current stage ------------------------------------------------------------------------------------------


def test_the_current_stage_is_derived_from_the_schedule_and_the_server_clock(world, pinned_time):
    tender = world.scheduled()
    assert lifecycle.situation(tender, clock.now()).state == "draft"
    services.request_approval(actor=world.chair, tender=tender)
    tender.refresh_from_db()
    assert lifecycle.situation(tender, clock.now()).state == "awaiting_approval"
    services.decide_approval(actor=world.ppk, tender=tender, approve=True)
    tender.refresh_from_db()
    assert lifecycle.situation(tender, clock.now()).state == "approved"
    tender = services.announce(actor=world.chair, tender=tender)
    slots = slots_of(tender)

    def seen_at(moment):
        pinned_time.move_to(moment)
        return lifecycle.situation(tender, clock.now())

    announcement = slots[Stage.ANNOUNCEMENT_POST]
    if announcement.starts_at > clock.now():
        assert seen_at(announcement.starts_at - MICROSECOND) == lifecycle.Situation(
            "running", (), Stage.ANNOUNCEMENT_POST
        )
    # The announcement and the download overlap (Pasal 7(4)a: vendors download while the tender is announced).
    both = seen_at(announcement.starts_at)
    assert both.current == (Stage.ANNOUNCEMENT_POST, Stage.DOCUMENT_DOWNLOAD)
    assert both.label == "Post-qualification announcement, Download of procurement documents"
    assert seen_at(slots[Stage.CLARIFICATION].starts_at).current == (Stage.DOCUMENT_DOWNLOAD, Stage.CLARIFICATION)
    assert seen_at(slots[Stage.BID_UPLOAD].ends_at - MICROSECOND).current == (
        Stage.DOCUMENT_DOWNLOAD,
        Stage.BID_UPLOAD,
    )
    assert seen_at(slots[Stage.BID_UPLOAD].ends_at) == lifecycle.Situation("running", (), Stage.OPENING)
    assert seen_at(slots[Stage.OPENING].starts_at).current == (Stage.OPENING,)
    assert seen_at(slots[Stage.OBJECTIONS].starts_at).current == (Stage.OBJECTIONS,)
    finished = seen_at(slots[Stage.CONTRACT].ends_at)
    assert (finished.state, finished.current, finished.next) == ("finished", (), None)
    assert finished.label == "Tender finished"
    assert lifecycle.is_open(tender, Stage.CONTRACT, slots[Stage.CONTRACT].ends_at - MICROSECOND)
    assert not lifecycle.is_open(tender, Stage.CONTRACT, slots[Stage.CONTRACT].ends_at)


@pytest.mark.parametrize("qualification", ["pascakualifikasi", "prakualifikasi"])
def test_the_schedule_proposed_in_the_sandbox_meets_the_sandbox_rules(world, settings, qualification):
    """The sandbox exists to walk a whole tender through in minutes, starting from the proposed schedule; the
    proposal must keep the gaps of Pasal 60(1), 61(1)e and 62(2)h, counted in minutes."""
    settings.EPROC_SANDBOX = True
    tender = world.tender(qualification=qualification)
    assert tender.sandbox and for_tender(tender).sandbox
    services.set_schedule(actor=world.chair, tender=tender, slots=services.propose_schedule(tender))
    assert tender.stages.count() == len(services.stages_of(tender))


def test_once_announced_the_bid_deadline_is_extended_but_never_brought_forward(world, pinned_time):
    tender = world.announced()
    slots = {Stage(row.stage): Slot(row.starts_at, row.ends_at) for row in tender.stages.all()}
    upload = slots[Stage.BID_UPLOAD]
    earlier = dict(slots)
    earlier[Stage.BID_UPLOAD] = Slot(upload.starts_at, upload.ends_at - timedelta(hours=1))
    with pytest.raises(ValidationError, match="can only be extended"):
        services.set_schedule(actor=world.chair, tender=tender, slots=earlier, reason="Dipercepat")
