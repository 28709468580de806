"""The one clock of the system.

Every "what time is it" question goes through :func:`now`, so tests can pin time with time-machine and the
tender lifecycle (which derives the current stage from the clock) has a single source of truth. Times are
stored in UTC and only converted to an agency's zone for display or for local-date questions such as "is today
a working day?".
"""

from __future__ import annotations

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


def now() -> datetime:
    """Current time, timezone-aware in UTC: the only way the system should read the clock."""
    return datetime.now(UTC)


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
