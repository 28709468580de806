"""The one clock of the system.

Every "what time is it" question goes through :func:`now`, so tests can pin time with time-machine and the
tender lifecycle (which derives the current stage from the clock) has a single source of truth. Times are
stored in UTC and only converted to an agency's zone for display or for local-date questions such as "is today
a working day?".
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

WIB = "Asia/Jakarta"
"""Waktu Indonesia Barat (UTC+7): Sumatra, Java, West and Central Kalimantan (Ketapang)."""

WITA = "Asia/Makassar"
"""Waktu Indonesia Tengah (UTC+8): Bali, Nusa Tenggara, South/East/North Kalimantan, Sulawesi."""

WIT = "Asia/Jayapura"
"""Waktu Indonesia Timur (UTC+9): Maluku and Papua."""

_ZONE_ABBREVIATIONS: dict[str, str] = {WIB: "WIB", WITA: "WITA", WIT: "WIT"}

TIME_ZONE_CHOICES: list[tuple[str, str]] = [
    (zone, f"{abbreviation} ({zone})") for zone, abbreviation in _ZONE_ABBREVIATIONS.items()
]
"""Choices for an agency's time zone field, in the form ("Asia/Jakarta", "WIB (Asia/Jakarta)")."""

TimeZoneLike = str | ZoneInfo


def as_zone(tz: TimeZoneLike) -> ZoneInfo:
    """Accept a zone name or a ZoneInfo, so callers can pass what an agency row stores without converting."""
    if isinstance(tz, ZoneInfo):
        return tz
    if isinstance(tz, str):
        return ZoneInfo(tz)
    raise TypeError(f"Expected a time zone name or ZoneInfo, got {type(tz).__name__}")


def zone_abbreviation(tz: TimeZoneLike) -> str:
    """Return "WIB", "WITA" or "WIT" for the Indonesian zones (what users read), else the zone name itself."""
    key = as_zone(tz).key
    return _ZONE_ABBREVIATIONS.get(key, key)


_replayed: ContextVar[datetime | None] = ContextVar("replayed_moment", default=None)


def now() -> datetime:
    """Current time, timezone-aware in UTC: the only way the system should read the clock."""
    return _replayed.get() or datetime.now(UTC)


@contextmanager
def replaying_at(moment: datetime):
    """Run a block as if the clock read `moment`: only for building demo and training data whose history lies in
    the past (a tender in its objection period was announced weeks ago, through the same services and audit
    trail as a real one). Refused outside a demo or test environment, so production time cannot be faked."""
    if os.environ.get("EPROC_DEBUG") not in ("1", "true", "True") and os.environ.get("EPROC_TESTING") not in (
        "1",
        "true",
        "True",
    ):
        raise RuntimeError("replaying_at() is only for demo data (EPROC_DEBUG) and tests (EPROC_TESTING)")
    token = _replayed.set(ensure_aware(moment).astimezone(UTC))
    try:
        yield
    finally:
        _replayed.reset(token)


def local_now(tz: TimeZoneLike) -> datetime:
    """Current time in the given zone, for display and for local wall-clock rules (working hours)."""
    return now().astimezone(as_zone(tz))


def today_in(tz: TimeZoneLike) -> date:
    """Today's date in the given zone; the UTC date is wrong for 7 to 9 hours of every Indonesian day."""
    return local_now(tz).date()


def ensure_aware(value: datetime) -> datetime:
    """Refuse naive datetimes: their zone is a guess, and a guessed zone moves deadlines by hours."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"A timezone-aware datetime is required, got naive {value.isoformat()}")
    return value
