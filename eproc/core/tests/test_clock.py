from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from eproc.core import clock

# 2026-03-01 20:30 UTC is already 2 March in every Indonesian zone.
EVENING_IN_UTC = datetime(2026, 3, 1, 20, 30, tzinfo=UTC)


def test_it_reads_the_clock_as_an_aware_utc_datetime():
    with time_machine.travel(EVENING_IN_UTC, tick=False):
        current = clock.now()

    assert current == EVENING_IN_UTC
    assert current.tzinfo is UTC


def test_it_follows_a_moving_clock():
    with time_machine.travel(EVENING_IN_UTC, tick=False) as traveller:
        before = clock.now()
        traveller.shift(90)
        after = clock.now()

    assert (after - before).total_seconds() == 90


@pytest.mark.parametrize(
    ("zone", "expected_hour"),
    [(clock.WIB, 3), (clock.WITA, 4), (clock.WIT, 5)],
)
def test_it_shows_local_time_in_each_indonesian_zone(zone, expected_hour):
    with time_machine.travel(EVENING_IN_UTC, tick=False):
        local = clock.local_now(zone)

    assert (local.day, local.hour, local.minute) == (2, expected_hour, 30)
    assert local.utcoffset() is not None
    assert local == EVENING_IN_UTC


def test_it_accepts_a_zoneinfo_as_well_as_a_zone_name():
    with time_machine.travel(EVENING_IN_UTC, tick=False):
        assert clock.local_now(ZoneInfo("Asia/Jakarta")) == clock.local_now("Asia/Jakarta")


def test_it_gives_the_local_date_not_the_utc_date():
    with time_machine.travel(EVENING_IN_UTC, tick=False):
        assert clock.today_in(clock.WIB) == date(2026, 3, 2)
        assert clock.today_in("UTC") == date(2026, 3, 1)


def test_it_refuses_something_that_is_not_a_zone():
    with pytest.raises(TypeError):
        clock.as_zone(7)  # type: ignore[arg-type]


def test_it_refuses_an_unknown_zone_name():
    with pytest.raises(LookupError):
        clock.local_now("Asia/Ketapang")


def test_it_offers_the_three_indonesian_zones_as_choices():
    assert clock.TIME_ZONE_CHOICES == [
        ("Asia/Jakarta", "WIB (Asia/Jakarta)"),
        ("Asia/Makassar", "WITA (Asia/Makassar)"),
        ("Asia/Jayapura", "WIT (Asia/Jayapura)"),
    ]
    for zone, _label in clock.TIME_ZONE_CHOICES:
        ZoneInfo(zone)  # every choice is a real zone


def test_it_abbreviates_indonesian_zones_and_leaves_others_by_name():
    assert clock.zone_abbreviation(clock.WIB) == "WIB"
    assert clock.zone_abbreviation(ZoneInfo(clock.WITA)) == "WITA"
    assert clock.zone_abbreviation(clock.WIT) == "WIT"
    assert clock.zone_abbreviation("Europe/Amsterdam") == "Europe/Amsterdam"


def test_it_passes_aware_datetimes_and_refuses_naive_ones():
    assert clock.ensure_aware(EVENING_IN_UTC) is EVENING_IN_UTC
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.ensure_aware(datetime(2026, 3, 1, 20, 30))
