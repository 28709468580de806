from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eproc.core.calendar import (
    DEFAULT_EXTRA_DAY_OFF_NOTE,
    OFFICE_HOURS,
    WorkingCalendar,
    WorkingHours,
    national_holidays,
)
from eproc.core.clock import WIB, WIT

# Real 2026 data as the holidays package gives it (Keppres/SKB 3 Menteri for 2026):
# Nyepi Thu 19 March with cuti bersama Wed 18; Idul Fitri Sat 21 and Sun 22 March with cuti bersama Fri 20,
# Mon 23 and Tue 24 March. Christmas 2025 falls on Thursday with cuti bersama on Friday 26 December.
NEW_YEAR_2026 = date(2026, 1, 1)  # Thursday
INDEPENDENCE_DAY_2026 = date(2026, 8, 17)  # Monday
EID_AL_FITR_2026 = date(2026, 3, 21)  # Saturday
EID_CUTI_BERSAMA_2026 = date(2026, 3, 23)  # Monday
A_PLAIN_MONDAY = date(2026, 2, 2)
A_PLAIN_FRIDAY = date(2026, 2, 6)
A_SATURDAY = date(2026, 2, 7)
A_SUNDAY = date(2026, 2, 8)


@pytest.fixture
def calendar():
    return WorkingCalendar()


def test_it_counts_weekdays_as_working_days(calendar):
    assert calendar.is_working_day(A_PLAIN_MONDAY)
    assert calendar.is_working_day(A_PLAIN_FRIDAY)
    assert calendar.day_off_reason(A_PLAIN_MONDAY) is None


def test_it_names_the_weekend_in_indonesian(calendar):
    assert calendar.day_off_reason(A_SATURDAY) == "Sabtu"
    assert calendar.day_off_reason(A_SUNDAY) == "Minggu"
    assert not calendar.is_working_day(A_SATURDAY)


def test_it_knows_the_national_holidays_of_2026_by_their_indonesian_names(calendar):
    assert calendar.day_off_reason(NEW_YEAR_2026) == "Tahun Baru Masehi"
    assert calendar.day_off_reason(INDEPENDENCE_DAY_2026) == "Hari Kemerdekaan Republik Indonesia"
    assert calendar.day_off_reason(EID_AL_FITR_2026) == "Hari Raya Idul Fitri"
    assert calendar.day_off_reason(date(2026, 12, 25)) == "Hari Raya Natal"


def test_it_prefers_the_holiday_name_when_a_holiday_falls_on_a_weekend(calendar):
    assert calendar.day_off_reason(date(2026, 4, 5)) == "Kebangkitan Yesus Kristus"  # Easter Sunday


def test_it_counts_cuti_bersama_as_days_off_by_default(calendar):
    assert calendar.day_off_reason(EID_CUTI_BERSAMA_2026) == "Cuti Bersama Hari Raya Idul Fitri"
    assert calendar.day_off_reason(date(2026, 12, 24)) == "Cuti Bersama Hari Raya Natal"


def test_it_can_count_national_public_holidays_only():
    public_only = WorkingCalendar(holiday_categories=("public",))

    assert public_only.is_working_day(EID_CUTI_BERSAMA_2026)
    assert not public_only.is_working_day(INDEPENDENCE_DAY_2026)


def test_it_can_leave_the_whole_holiday_list_to_the_lpse():
    weekends_only = WorkingCalendar(holiday_categories=())

    assert weekends_only.is_working_day(NEW_YEAR_2026)
    assert not weekends_only.is_working_day(A_SUNDAY)


def test_it_refuses_holiday_categories_that_indonesia_does_not_have():
    with pytest.raises(ValueError, match="bank"):
        WorkingCalendar(holiday_categories=("public", "bank"))


def test_it_takes_extra_days_off_with_the_lpse_note():
    note = "Cuti bersama Tahun Baru (SK Kepala LPSE)"
    calendar = WorkingCalendar(extra_days_off={date(2026, 1, 2): note})

    assert calendar.day_off_reason(date(2026, 1, 2)) == note
    assert calendar.extra_days_off == {date(2026, 1, 2): note}


def test_it_takes_extra_days_off_as_plain_dates_with_a_default_note():
    calendar = WorkingCalendar(extra_days_off=[date(2026, 1, 2)])

    assert calendar.day_off_reason(date(2026, 1, 2)) == DEFAULT_EXTRA_DAY_OFF_NOTE


def test_it_uses_the_default_note_when_the_lpse_left_it_empty():
    calendar = WorkingCalendar(extra_days_off={date(2026, 1, 2): "", date(2026, 1, 5): "  ", date(2026, 1, 6): None})

    assert calendar.day_off_reason(date(2026, 1, 2)) == DEFAULT_EXTRA_DAY_OFF_NOTE
    assert calendar.day_off_reason(date(2026, 1, 5)) == DEFAULT_EXTRA_DAY_OFF_NOTE
    assert calendar.day_off_reason(date(2026, 1, 6)) == DEFAULT_EXTRA_DAY_OFF_NOTE


def test_it_shows_the_lpse_note_over_the_package_name_for_the_same_day():
    calendar = WorkingCalendar(extra_days_off={INDEPENDENCE_DAY_2026: "HUT RI ke-81"})

    assert calendar.day_off_reason(INDEPENDENCE_DAY_2026) == "HUT RI ke-81"


def test_it_lets_the_lpse_declare_a_holiday_or_weekend_a_working_day():
    calendar = WorkingCalendar(extra_working_days=[EID_CUTI_BERSAMA_2026, A_SATURDAY])

    assert calendar.is_working_day(EID_CUTI_BERSAMA_2026)
    assert calendar.is_working_day(A_SATURDAY)
    assert calendar.day_off_reason(A_SATURDAY) is None


def test_it_refuses_a_day_that_is_both_an_extra_day_off_and_an_extra_working_day():
    with pytest.raises(ValueError, match="2026-01-02"):
        WorkingCalendar(extra_days_off=[date(2026, 1, 2)], extra_working_days=[date(2026, 1, 2)])


def test_it_supports_a_six_day_working_week():
    monday_to_saturday = WorkingCalendar(working_weekdays=range(6))

    assert monday_to_saturday.is_working_day(A_SATURDAY)
    assert monday_to_saturday.day_off_reason(A_SUNDAY) == "Minggu"


@pytest.mark.parametrize("weekdays", [(), (0, 7), (-1,)])
def test_it_refuses_impossible_working_weekdays(weekdays):
    with pytest.raises(ValueError, match="working_weekdays"):
        WorkingCalendar(working_weekdays=weekdays)


def test_it_refuses_datetimes_where_a_date_is_meant(calendar):
    with pytest.raises(TypeError, match="datetime"):
        calendar.is_working_day(datetime(2026, 2, 2, 9, 0, tzinfo=UTC))
    with pytest.raises(TypeError):
        WorkingCalendar(extra_days_off=[datetime(2026, 1, 2, tzinfo=UTC)])
    with pytest.raises(TypeError):
        calendar.add_working_days("2026-02-02", 1)  # type: ignore[arg-type]


def test_it_finds_the_next_working_day_strictly_after_the_given_day(calendar):
    assert calendar.next_working_day(A_PLAIN_MONDAY) == date(2026, 2, 3)
    assert calendar.next_working_day(A_PLAIN_FRIDAY) == date(2026, 2, 9)
    assert calendar.next_working_day(A_SATURDAY) == date(2026, 2, 9)


def test_it_skips_the_whole_nyepi_and_idul_fitri_break_of_2026(calendar):
    # Tue 17 March is the last working day before a week of Nyepi, Idul Fitri and their cuti bersama.
    assert calendar.next_working_day(date(2026, 3, 17)) == date(2026, 3, 25)
    assert calendar.working_days_between(date(2026, 3, 16), date(2026, 3, 27)) == 5


def test_it_crosses_the_year_boundary_over_christmas_and_new_year(calendar):
    christmas_eve_2025 = date(2025, 12, 24)  # Wednesday

    assert calendar.add_working_days(christmas_eve_2025, 1) == date(2025, 12, 29)
    assert calendar.add_working_days(christmas_eve_2025, 3) == date(2025, 12, 31)
    assert calendar.add_working_days(christmas_eve_2025, 4) == date(2026, 1, 2)
    assert calendar.add_working_days(christmas_eve_2025, 5) == date(2026, 1, 5)
    # Three weeks of weekdays (15) minus Christmas, its cuti bersama and New Year.
    assert calendar.working_days_between(date(2025, 12, 22), date(2026, 1, 9)) == 12


def test_it_counts_an_lpse_cuti_bersama_when_adding_working_days():
    with_extra_day = WorkingCalendar(extra_days_off={date(2026, 1, 2): "Cuti bersama (SK Bupati)"})

    assert with_extra_day.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)


def test_it_returns_the_start_for_zero_working_days_on_a_working_day(calendar):
    assert calendar.add_working_days(A_PLAIN_MONDAY, 0) == A_PLAIN_MONDAY


def test_it_rolls_zero_working_days_forward_from_a_day_off(calendar):
    assert calendar.add_working_days(A_SATURDAY, 0) == date(2026, 2, 9)
    assert calendar.add_working_days(EID_AL_FITR_2026, 0) == date(2026, 3, 25)


def test_it_does_not_count_the_start_day_when_adding_working_days(calendar):
    assert calendar.add_working_days(A_PLAIN_MONDAY, 1) == date(2026, 2, 3)
    assert calendar.add_working_days(A_PLAIN_FRIDAY, 1) == date(2026, 2, 9)
    assert calendar.add_working_days(A_SATURDAY, 1) == date(2026, 2, 9)
    assert calendar.add_working_days(A_PLAIN_MONDAY, 5) == date(2026, 2, 9)


def test_it_refuses_to_add_a_negative_or_non_integer_number_of_days(calendar):
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_days(A_PLAIN_MONDAY, -1)
    with pytest.raises(TypeError):
        calendar.add_working_days(A_PLAIN_MONDAY, 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        calendar.add_working_days(A_PLAIN_MONDAY, True)


def test_it_counts_working_days_including_both_ends(calendar):
    assert calendar.working_days_between(A_PLAIN_MONDAY, A_PLAIN_FRIDAY) == 5
    assert calendar.working_days_between(A_PLAIN_MONDAY, A_PLAIN_MONDAY) == 1
    assert calendar.working_days_between(A_SATURDAY, A_SUNDAY) == 0
    assert calendar.working_days_between(date(2026, 8, 10), date(2026, 8, 21)) == 9  # 17 August


def test_it_counts_no_working_days_in_a_reversed_range(calendar):
    assert calendar.working_days_between(A_PLAIN_FRIDAY, A_PLAIN_MONDAY) == 0


def test_it_checks_working_hours_on_the_local_wall_clock(calendar):
    # 01:00 UTC is 08:00 WIB; 09:00 UTC is 16:00 WIB.
    assert calendar.is_within_working_hours(datetime(2026, 2, 2, 1, 0, tzinfo=UTC), WIB)
    assert calendar.is_within_working_hours(datetime(2026, 2, 2, 9, 0, tzinfo=UTC), WIB)
    assert not calendar.is_within_working_hours(datetime(2026, 2, 2, 0, 59, 59, tzinfo=UTC), WIB)
    assert not calendar.is_within_working_hours(datetime(2026, 2, 2, 9, 0, 1, tzinfo=UTC), WIB)
    # The same instant is 18:00 in WIT, after hours.
    assert not calendar.is_within_working_hours(datetime(2026, 2, 2, 9, 0, tzinfo=UTC), WIT)


def test_it_uses_the_local_date_for_working_hours(calendar):
    # Sunday 23:30 UTC is Monday 06:30 WIB (too early) and Monday 08:30 WIT (working).
    sunday_night_utc = datetime(2026, 2, 1, 23, 30, tzinfo=UTC)

    assert not calendar.is_within_working_hours(sunday_night_utc, WIB)
    assert calendar.is_within_working_hours(sunday_night_utc, WIT)


def test_it_is_never_within_working_hours_on_a_holiday(calendar):
    independence_day_ten_am_wib = datetime(2026, 8, 17, 3, 0, tzinfo=UTC)

    assert not calendar.is_within_working_hours(independence_day_ten_am_wib, WIB)


def test_it_refuses_naive_datetimes_for_working_hours(calendar):
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.is_within_working_hours(datetime(2026, 2, 2, 9, 0), WIB)


def test_it_uses_custom_working_hours():
    half_day = WorkingCalendar(hours=WorkingHours(time(7, 30), time(12, 0)))

    assert half_day.is_within_working_hours(datetime(2026, 2, 2, 0, 30, tzinfo=UTC), WIB)
    assert not half_day.is_within_working_hours(datetime(2026, 2, 2, 6, 0, tzinfo=UTC), WIB)


def test_it_refuses_working_hours_that_end_before_they_start_or_carry_a_zone():
    with pytest.raises(ValueError, match="start before"):
        WorkingHours(time(16, 0), time(8, 0))
    with pytest.raises(ValueError, match="time zone"):
        WorkingHours(time(8, 0, tzinfo=UTC), time(16, 0))


def test_office_hours_are_eight_to_four():
    assert (OFFICE_HOURS.start, OFFICE_HOURS.end) == (time(8, 0), time(16, 0))


def test_it_compares_calendars_by_their_rules():
    assert WorkingCalendar(extra_days_off=[date(2026, 1, 2)]) == WorkingCalendar(
        extra_days_off={date(2026, 1, 2): DEFAULT_EXTRA_DAY_OFF_NOTE}
    )
    assert WorkingCalendar() != WorkingCalendar(holiday_categories=("public",))
    assert hash(WorkingCalendar()) == hash(WorkingCalendar())
    assert WorkingCalendar() != "a calendar"
    assert "WorkingCalendar(" in repr(WorkingCalendar())


def test_it_does_not_let_callers_change_the_extra_days_off():
    calendar = WorkingCalendar(extra_days_off=[date(2026, 1, 2)])

    with pytest.raises(TypeError):
        calendar.extra_days_off[date(2026, 1, 5)] = "sneaky"  # type: ignore[index]


def test_it_looks_up_each_year_of_holidays_only_once():
    national_holidays.cache_clear()
    calendar = WorkingCalendar()

    calendar.working_days_between(date(2026, 1, 1), date(2026, 12, 31))

    assert national_holidays.cache_info().misses == 1
    assert national_holidays.cache_info().hits >= 364


# Property tests over a range that includes estimated ("perkiraan") future holidays.
any_day = st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31))
lpse_days_off = st.dictionaries(any_day, st.just("Libur daerah"), max_size=20)


@given(start=any_day, n=st.integers(min_value=0, max_value=60), days_off=lpse_days_off)
def test_adding_working_days_always_lands_on_a_working_day(start, n, days_off):
    calendar = WorkingCalendar(extra_days_off=days_off)

    result = calendar.add_working_days(start, n)

    assert result >= start
    assert calendar.is_working_day(result)
    if n == 0:
        assert calendar.working_days_between(start, result - timedelta(days=1)) == 0
    else:
        assert calendar.working_days_between(start + timedelta(days=1), result) == n


@given(start=any_day, middle=st.integers(0, 40), end=st.integers(0, 40))
def test_counting_working_days_adds_up_over_adjacent_ranges(start, middle, end):
    calendar = WorkingCalendar()
    split = start + timedelta(days=middle)
    stop = split + timedelta(days=end)

    whole = calendar.working_days_between(start, stop)
    parts = calendar.working_days_between(start, split) + calendar.working_days_between(split + timedelta(days=1), stop)

    assert whole == parts
