"""Dates and times as SPSE users read them: ``4 Mei 2011``, ``30 Oktober 2015 11:00``.

Day-month-year with the month spelled out in both languages (English gives ``4 May 2011``), so a date is never
misread as month-first. Datetimes are converted to the zone given by the caller (the agency's zone) before
formatting; naive datetimes are refused because their zone would be a guess.
"""

from __future__ import annotations

from datetime import date, datetime, time

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_time as babel_format_time

from eproc.core.clock import TimeZoneLike, as_zone, ensure_aware, zone_abbreviation

DATE_PATTERN = "d MMMM y"
TIME_PATTERN = "HH:mm"
DEFAULT_LOCALE = "id"


def _babel_locale(locale: str) -> str:
    """Accept Django language codes ("en-us") as well as Babel's ("en_US")."""
    return locale.replace("-", "_")


def _with_zone(text: str, tz: TimeZoneLike, show_zone: bool) -> str:
    return f"{text} {zone_abbreviation(tz)}" if show_zone else text


def format_date(value: date, locale: str = DEFAULT_LOCALE) -> str:
    """``4 Mei 2011`` (``4 May 2011`` in English). Datetimes are refused: their date depends on a zone."""
    if isinstance(value, datetime):
        raise TypeError("format_date() takes a date; use format_datetime() or convert to the local date first")
    if not isinstance(value, date):
        raise TypeError(f"Expected a date, got {type(value).__name__}")
    return babel_format_date(value, DATE_PATTERN, locale=_babel_locale(locale))


def format_datetime(value: datetime, tz: TimeZoneLike, locale: str = DEFAULT_LOCALE, show_zone: bool = False) -> str:
    """``30 Oktober 2015 11:00`` on the wall clock of ``tz``; ``show_zone`` appends WIB, WITA or WIT."""
    local = ensure_aware(value).astimezone(as_zone(tz))
    text = babel_format_datetime(local, f"{DATE_PATTERN} {TIME_PATTERN}", locale=_babel_locale(locale))
    return _with_zone(text, tz, show_zone)


def format_time(
    value: datetime | time,
    tz: TimeZoneLike | None = None,
    locale: str = DEFAULT_LOCALE,
    show_zone: bool = False,
) -> str:
    """``11:00`` (24-hour clock in both languages, as on SPSE schedules).

    A datetime is converted to ``tz``, which is then required; a plain time (e.g. office hours) is shown
    as it is.
    """
    if isinstance(value, datetime):
        if tz is None:
            raise ValueError("format_time() needs a time zone to show a datetime")
        local = ensure_aware(value).astimezone(as_zone(tz))
        text = babel_format_time(local, TIME_PATTERN, locale=_babel_locale(locale))
        return _with_zone(text, tz, show_zone)
    if not isinstance(value, time):
        raise TypeError(f"Expected a datetime or time, got {type(value).__name__}")
    text = babel_format_time(value.replace(tzinfo=None), TIME_PATTERN, locale=_babel_locale(locale))
    return _with_zone(text, tz, show_zone) if tz is not None else text
