from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from eproc.core.clock import WIB, WIT, WITA
from eproc.core.dates import format_date, format_datetime, format_time

# The SPSE example schedule: Pengumuman from 30 October 2015 11:00 WIB, i.e. 04:00 UTC.
ANNOUNCEMENT_START = datetime(2015, 10, 30, 4, 0, tzinfo=UTC)


def test_it_formats_dates_in_indonesian_by_default():
    assert format_date(date(2011, 5, 4)) == "4 Mei 2011"
    assert format_date(date(2015, 10, 30)) == "30 Oktober 2015"


def test_it_formats_dates_in_english_day_first():
    assert format_date(date(2011, 5, 4), locale="en") == "4 May 2011"


def test_it_accepts_django_and_babel_locale_codes():
    assert format_date(date(2011, 5, 4), locale="en-us") == "4 May 2011"
    assert format_date(date(2011, 5, 4), locale="id_ID") == "4 Mei 2011"


def test_it_refuses_a_datetime_where_the_date_would_depend_on_a_zone():
    with pytest.raises(TypeError, match="format_datetime"):
        format_date(ANNOUNCEMENT_START)


def test_it_refuses_things_that_are_not_dates():
    with pytest.raises(TypeError):
        format_date("2011-05-04")  # type: ignore[arg-type]


def test_it_formats_a_datetime_on_the_agency_wall_clock_spse_style():
    assert format_datetime(ANNOUNCEMENT_START, WIB) == "30 Oktober 2015 11:00"
    assert format_datetime(ANNOUNCEMENT_START, WITA) == "30 Oktober 2015 12:00"
    assert format_datetime(ANNOUNCEMENT_START, ZoneInfo(WIT)) == "30 Oktober 2015 13:00"


def test_it_formats_a_datetime_in_english():
    assert format_datetime(ANNOUNCEMENT_START, WIB, locale="en") == "30 October 2015 11:00"


def test_it_converts_datetimes_that_arrive_in_another_zone():
    in_makassar = ANNOUNCEMENT_START.astimezone(ZoneInfo(WITA))

    assert format_datetime(in_makassar, WIB) == "30 Oktober 2015 11:00"


def test_it_changes_the_date_when_the_zone_crosses_midnight():
    late_evening_utc = datetime(2015, 11, 5, 17, 30, tzinfo=UTC)

    assert format_datetime(late_evening_utc, WIB) == "6 November 2015 00:30"


def test_it_can_name_the_zone_after_the_time():
    assert format_datetime(ANNOUNCEMENT_START, WIB, show_zone=True) == "30 Oktober 2015 11:00 WIB"
    assert format_datetime(ANNOUNCEMENT_START, WITA, show_zone=True) == "30 Oktober 2015 12:00 WITA"


def test_it_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="timezone-aware"):
        format_datetime(datetime(2015, 10, 30, 11, 0), WIB)
    with pytest.raises(ValueError, match="timezone-aware"):
        format_time(datetime(2015, 10, 30, 11, 0), WIB)


def test_it_formats_the_time_of_a_datetime_with_a_24_hour_clock_in_both_languages():
    afternoon = datetime(2015, 11, 5, 6, 1, tzinfo=UTC)

    assert format_time(afternoon, WIB) == "13:01"
    assert format_time(afternoon, WIB, locale="en") == "13:01"
    assert format_time(afternoon, WIB, show_zone=True) == "13:01 WIB"


def test_it_formats_a_plain_time_as_it_is():
    assert format_time(time(8, 0)) == "08:00"
    assert format_time(time(16, 0), WIB, show_zone=True) == "16:00 WIB"


def test_it_needs_a_zone_to_format_the_time_of_a_datetime():
    with pytest.raises(ValueError, match="time zone"):
        format_time(ANNOUNCEMENT_START)


def test_it_refuses_things_that_are_not_times():
    with pytest.raises(TypeError):
        format_time("11:00")  # type: ignore[arg-type]
