"""Indonesian working-day calendar.

Procurement law counts many durations in working days (*hari kerja*): announcement periods, the objection
period (*masa sanggah*), the time to sign a contract. A working day here is a day that a government office is
open: one of the working weekdays (Monday to Friday by default) that is not a holiday.

Holidays come from the ``holidays`` package with two categories by default:

* ``public``: national public holidays (*hari libur nasional*, Keppres / SKB 3 Menteri);
* ``government``: *cuti bersama*, the collective leave days of the same SKB 3 Menteri. Government offices, and
  so procurement committees and PPK, do not work on them, and SPSE counts them as days off as well.

``holidays`` may lack or mis-estimate some days (cuti bersama are decided late each year; Islamic and Chinese
dates for future years are estimates marked "(perkiraan)"; regional holidays are not there at all). The LPSE
administrator corrects this with ``extra_days_off`` (days the office is closed, each with a note) and, rarely,
``extra_working_days`` (days the office is declared open despite the package). Pass
``holiday_categories=("public",)`` to count national public holidays only and ignore cuti bersama.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays

from eproc.core.clock import TimeZoneLike, as_zone, ensure_aware

DEFAULT_HOLIDAY_CATEGORIES: tuple[str, ...] = ("public", "government")
SUPPORTED_HOLIDAY_CATEGORIES: frozenset[str] = frozenset(holidays.ID.supported_categories)
MONDAY_TO_FRIDAY: frozenset[int] = frozenset(range(5))
INDONESIAN_WEEKDAY_NAMES: tuple[str, ...] = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
DEFAULT_EXTRA_DAY_OFF_NOTE = "Hari libur (ditetapkan LPSE)"

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkingHours:
    """Office hours on a working day, as local wall-clock times; both ends count as inside."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("Working hours are local wall-clock times and must not carry a time zone")
        if self.start >= self.end:
            raise ValueError(f"Working hours must start before they end, got {self.start} - {self.end}")

    def contains(self, moment: time) -> bool:
        """True from ``start`` up to and including ``end``, so a stage ending exactly at 16:00 is within."""
        return self.start <= moment.replace(tzinfo=None) <= self.end


OFFICE_HOURS = WorkingHours(time(8, 0), time(16, 0))


@lru_cache(maxsize=256)
def national_holidays(year: int, categories: tuple[str, ...] = DEFAULT_HOLIDAY_CATEGORIES) -> Mapping[date, str]:
    """Indonesian holidays of one year with Indonesian names.

    Cached per (year, categories) across all calendars: ``holidays`` recomputes a year on every build, and a
    calendar is built per request. No categories means no package holidays at all (the package itself would
    fall back to ``public``), for an LPSE that keeps its whole holiday list by hand.
    """
    if not categories:
        return MappingProxyType({})
    calendar_of_year = holidays.country_holidays("ID", years=year, categories=categories, language="id")
    return MappingProxyType(dict(calendar_of_year.items()))


def _as_plain_date(value: object) -> date:
    """Reject datetimes (and anything else): a datetime's date depends on a zone the caller did not name."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"Expected a date, got {type(value).__name__}: {value!r}")
    return value


def _note_or_default(note: str | None) -> str:
    """An empty note would leave users with a refused date and no reason, so fall back to a generic one."""
    return (note or "").strip() or DEFAULT_EXTRA_DAY_OFF_NOTE


def _notes_by_day(days_off: Iterable[date] | Mapping[date, str]) -> dict[date, str]:
    """Accept plain dates or a mapping date -> note, which is how the LPSE's holiday table reads."""
    if isinstance(days_off, Mapping):
        return {_as_plain_date(day): _note_or_default(note) for day, note in days_off.items()}
    return {_as_plain_date(day): DEFAULT_EXTRA_DAY_OFF_NOTE for day in days_off}


class WorkingCalendar:
    """Answers "is this a working day?" for one LPSE, and does working-day arithmetic on top of it.

    Immutable and cheap to build (holiday lookups are cached per year), so it can be built per request from
    the LPSE's holiday table.
    """

    __slots__ = ("_days_off", "_extra_working_days", "_working_weekdays", "_hours", "_holiday_categories")

    def __init__(
        self,
        extra_days_off: Iterable[date] | Mapping[date, str] = (),
        extra_working_days: Iterable[date] = (),
        working_weekdays: Iterable[int] = MONDAY_TO_FRIDAY,
        hours: WorkingHours = OFFICE_HOURS,
        holiday_categories: Iterable[str] = DEFAULT_HOLIDAY_CATEGORIES,
    ) -> None:
        days_off = _notes_by_day(extra_days_off)
        working_days = frozenset(_as_plain_date(day) for day in extra_working_days)
        weekdays = frozenset(working_weekdays)
        categories = frozenset(holiday_categories)
        unknown_categories = sorted(categories - SUPPORTED_HOLIDAY_CATEGORIES)
        if unknown_categories:
            # Checked here: the holidays package would only fail at the first lookup, deep inside a request.
            raise ValueError(f"Unknown holiday categories for Indonesia: {', '.join(unknown_categories)}")
        contradictions = sorted(days_off.keys() & working_days)
        if contradictions:
            listed = ", ".join(day.isoformat() for day in contradictions)
            raise ValueError(f"Days cannot be both an extra day off and an extra working day: {listed}")
        if not weekdays or not weekdays <= set(range(7)):
            raise ValueError(f"working_weekdays must be a non-empty set of 0 (Monday) .. 6 (Sunday), got {weekdays}")
        self._days_off: Mapping[date, str] = MappingProxyType(days_off)
        self._extra_working_days = working_days
        self._working_weekdays = weekdays
        self._hours = hours
        self._holiday_categories = tuple(sorted(categories))

    @property
    def extra_days_off(self) -> Mapping[date, str]:
        return self._days_off

    @property
    def extra_working_days(self) -> frozenset[date]:
        return self._extra_working_days

    @property
    def working_weekdays(self) -> frozenset[int]:
        return self._working_weekdays

    @property
    def hours(self) -> WorkingHours:
        return self._hours

    @property
    def holiday_categories(self) -> tuple[str, ...]:
        return self._holiday_categories

    def _identity(self) -> tuple[object, ...]:
        return (
            tuple(sorted(self._days_off.items())),
            self._extra_working_days,
            self._working_weekdays,
            self._hours,
            self._holiday_categories,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkingCalendar):
            return NotImplemented
        return self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar(extra_days_off={len(self._days_off)} days, "
            f"extra_working_days={len(self._extra_working_days)} days, "
            f"working_weekdays={sorted(self._working_weekdays)}, hours={self._hours}, "
            f"holiday_categories={self._holiday_categories})"
        )

    def day_off_reason(self, day: date) -> str | None:
        """Why ``day`` is not a working day (shown to users next to a refused date), or None if it is one.

        The LPSE's own entries win over the package (their note is the one the LPSE chose), then the national
        holiday name, then the weekday name ("Sabtu", "Minggu").
        """
        day = _as_plain_date(day)
        if day in self._extra_working_days:
            return None
        if day in self._days_off:
            return self._days_off[day]
        holiday_name = national_holidays(day.year, self._holiday_categories).get(day)
        if holiday_name is not None:
            return holiday_name
        if day.weekday() not in self._working_weekdays:
            return INDONESIAN_WEEKDAY_NAMES[day.weekday()]
        return None

    def is_working_day(self, day: date) -> bool:
        return self.day_off_reason(day) is None

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day`` (whether or not ``day`` itself is one)."""
        candidate = _as_plain_date(day) + _ONE_DAY
        while not self.is_working_day(candidate):
            candidate += _ONE_DAY
        return candidate

    def add_working_days(self, start: date, n: int) -> date:
        """The date ``n`` working days after ``start``, for "at least N working days" durations.

        Convention (the day of the triggering event is not counted, as in law):

        * ``n == 0``: ``start`` itself if it is a working day, else the next working day, i.e. the earliest
          working day on or after ``start``;
        * ``n >= 1``: the n-th working day strictly after ``start``; ``start`` never counts, even if it is a
          working day. So from Friday, 1 working day is Monday; from a Saturday, both 0 and 1 give Monday.

        Equivalently, for n >= 1: ``working_days_between(start + 1 day, result) == n`` and ``result`` is a
        working day.
        """
        start = _as_plain_date(start)
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, got {type(n).__name__}")
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        if n == 0:
            return start if self.is_working_day(start) else self.next_working_day(start)
        result = start
        for _ in range(n):
            result = self.next_working_day(result)
        return result

    def working_days_between(self, start: date, end: date) -> int:
        """Number of working days in the closed range [start, end], both ends included; 0 when end < start."""
        day = _as_plain_date(start)
        end = _as_plain_date(end)
        count = 0
        while day <= end:
            if self.is_working_day(day):
                count += 1
            day += _ONE_DAY
        return count

    def is_within_working_hours(self, moment: datetime, tz: TimeZoneLike) -> bool:
        """True if ``moment``, seen on the wall clock of ``tz``, is on a working day within office hours."""
        local = ensure_aware(moment).astimezone(as_zone(tz))
        return self.is_working_day(local.date()) and self._hours.contains(local.time())
