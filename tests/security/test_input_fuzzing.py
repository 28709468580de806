"""Fuzzing what parses user input (issue 9.3): NPWP, money, dates and schedules, through the functions and through
the forms of the pages. Whatever the input, the answer is a value or a clear refusal (ValidationError, a form error,
a 4xx), never a server error; and what is accepted obeys the law's rules.

schemathesis fuzzes the JSON API (eproc/api/tests/test_schemathesis.py); these cover the parsers behind the pages."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import give_totp
from eproc.core import clock
from eproc.core.money import parse_rupiah
from eproc.organizations.selectors import working_calendar_for
from eproc.tenders import rules as rulesets
from eproc.tenders import services as tenders
from eproc.tenders.checks import Slot, check_schedule
from eproc.vendors.validation import format_npwp, normalize_npwp

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Text as people paste it: digits, separators, letters, other scripts, control characters.
pasted = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40) | st.from_regex(
    r"[0-9 .,\-Rp]{0,30}", fullmatch=True
)


@FUZZ
@given(pasted)
def test_an_npwp_is_either_15_or_16_digits_or_refused_with_its_message(text):
    try:
        digits = normalize_npwp(text)
    except ValidationError as refusal:
        assert refusal.code == "npwp"
        return
    assert digits.isascii() and digits.isdigit() and len(digits) in (15, 16)


@FUZZ
@given(st.from_regex(r"[0-9]{15}", fullmatch=True))
def test_a_printed_npwp_reads_back_as_its_digits(digits):
    assert normalize_npwp(format_npwp(digits)) == digits


@FUZZ
@given(pasted)
def test_any_pasted_amount_is_a_rupiah_value_or_a_refusal(text):
    try:
        amount = parse_rupiah(text)
    except ValueError as refusal:  # parse_rupiah's refusal names the text in both languages
        assert "rupiah" in str(refusal).lower()
        return
    assert amount.is_finite() and amount >= 0


moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC))


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_a_schedule_is_saved_only_when_it_keeps_every_rule_of_the_ruleset(world, data):
    """Any start and end for every stage: set_schedule either refuses with a ValidationError, or stores a schedule
    that check_schedule (the ruleset's minimum durations, order, working days and office hours) accepts."""
    tender = world.tender()
    stages = tenders.stages_of(tender)
    proposal = tenders.propose_schedule(tender)
    slots = {}
    keep = data.draw(st.sampled_from(["all", "some"]))  # whole proposals pass; mixed ones mostly do not
    for stage in stages:
        if keep == "all" or data.draw(st.booleans()):
            slots[stage] = (proposal[stage].starts_at, proposal[stage].ends_at)
        else:
            start = data.draw(moments)
            slots[stage] = (start, start + timedelta(minutes=data.draw(st.integers(-600, 60 * 24 * 20))))
    try:
        tenders.set_schedule(actor=world.chair, tender=tender, slots=slots)
    except ValidationError:
        return
    stored = {row.stage: row for row in tender.stages.all()}
    zone = clock.as_zone(tender.agency.time_zone)
    for row in stored.values():  # independently of the checker: ordered, on weekdays, within office hours
        assert row.starts_at < row.ends_at
        for moment in (row.starts_at.astimezone(zone), row.ends_at.astimezone(zone)):
            assert moment.weekday() < 5 and (8, 0) <= (moment.hour, moment.minute) <= (16, 0)
    check_schedule(  # and what was stored is exactly what the ruleset accepts
        rulesets.for_tender(tender),
        stages=stages,
        slots={stage: Slot(stored[stage].starts_at, stored[stage].ends_at) for stage in stages},
        method=tender.method,
        calendar=working_calendar_for(tender.agency),
        tz=tender.agency.time_zone,
    )


@pytest.mark.django_db
def test_the_schedule_page_answers_any_typed_dates_with_the_form_not_an_error(client, world):
    tender = world.tender()
    give_totp(world.chair)
    client.force_login(world.chair)
    stage = tenders.stages_of(tender)[0]
    url = reverse("tenders:schedule", args=[tender.public_id])

    @FUZZ
    @given(values=st.lists(pasted, min_size=2, max_size=2))
    def typed(values):
        response = client.post(url, {f"{stage}__start": values[0], f"{stage}__end": values[1]})
        assert response.status_code in (200, 302)

    typed()
