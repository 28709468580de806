"""Rupiah amounts: formatting for pages and documents, parsing user input.

Money is always a ``Decimal`` (or an ``int`` of whole rupiah), never a float: a float cannot hold 0.10 exactly
and a procurement value that is off by one sen is a wrong value. Amounts carry at most two decimal places
(sen).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
JUTA = Decimal(10) ** 6
MILIAR = Decimal(10) ** 9
TRILIUN = Decimal(10) ** 12

# Largest unit first; the short form uses the first unit the amount reaches.
_SHORT_UNITS: tuple[tuple[Decimal, str], ...] = ((TRILIUN, "T"), (MILIAR, "M"), (JUTA, "jt"))


# "Rp", "Rp." or "IDR", optional spaces, then either dot-grouped thousands ("1.250.000") or plain digits,
# then an optional decimal comma with any number of digits. A minus sign and more than two decimals are
# matched only so that they can be refused with a precise message.
_RUPIAH_PATTERN = re.compile(
    r"""
    (?P<minus_before>-)?\s*
    (?:rp\.?|idr)?\s*
    (?P<minus_after>-)?\s*
    (?P<whole>[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)
    (?:,(?P<fraction>[0-9]+))?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_MAX_INPUT_LENGTH = 64


def _checked_amount(amount: Decimal | int) -> Decimal:
    """Turn an accepted amount into a finite Decimal; refuse floats loudly rather than round them silently."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"Money must be a Decimal or an int, never {type(amount).__name__}: {amount!r}")
    value = Decimal(amount)
    if not value.is_finite():
        raise ValueError(f"Money must be a finite amount, got {amount!r}")
    return value


def _to_sen(value: Decimal) -> Decimal:
    """Round half up to whole sen, the way amounts are rounded on Indonesian documents."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_rupiah(amount: Decimal | int) -> str:
    """Full Indonesian form with sen, e.g. ``Rp1.250.000.000,00``; negatives as ``-Rp1.250.000,00``.

    Amounts with more than two decimals are rounded half up to the sen.
    """
    value = _to_sen(_checked_amount(amount))
    if value.is_zero():
        value = abs(value)  # never show "-Rp0,00"
    return f"{'-' if value < 0 else ''}Rp{_grouped(value)}"


# Indonesian separators: 1.234.567,50. What babel's id locale gives for "#,##0.00", without parsing the pattern on
# every call (the public list formats two amounts per row).
_SEPARATORS = str.maketrans(",.", ".,")


def _grouped(value: Decimal) -> str:
    return f"{abs(value):,.2f}".translate(_SEPARATORS)


def format_rupiah_short(amount: Decimal | int) -> str:
    """SPSE's compact form for tables: ``271,34 jt``, ``3,53 M``, ``1,20 T``; below one juta the full form.

    Always two decimals (rounded half up), as SPSE shows them. A value that rounds up to 1.000 of a unit moves
    to the next unit (999.999.999 gives ``1,00 M``, not ``1.000,00 jt``).
    """
    value = _checked_amount(amount)
    magnitude = abs(value)
    for index, (unit, suffix) in enumerate(_SHORT_UNITS):
        if magnitude < unit:
            continue
        scaled = _to_sen(magnitude / unit)
        if scaled >= 1000 and index > 0:
            unit, suffix = _SHORT_UNITS[index - 1]
            scaled = _to_sen(magnitude / unit)
        sign = "-" if value < 0 else ""
        return f"{sign}{_grouped(scaled)} {suffix}"
    return format_rupiah(value)


def _invalid(text: str, reason_id: str = "", reason_en: str = "") -> ValueError:
    """Bilingual error: Indonesian first (the UI language), English second."""
    suffix_id = f" ({reason_id})" if reason_id else ""
    suffix_en = f" ({reason_en})" if reason_en else ""
    return ValueError(f"Nilai rupiah tidak valid: {text!r}{suffix_id} / Invalid rupiah amount: {text!r}{suffix_en}")


def parse_rupiah(text: str) -> Decimal:
    """Read an amount typed the Indonesian way, returned with exactly two decimals.

    Accepts ``Rp1.250.000.000,00``, ``Rp 1.250.000,50``, ``1.250.000.000`` and ``1250000000``: the dot is only
    ever a thousands separator and the comma the decimal mark, so ``1.250`` is one thousand two hundred fifty.
    Refuses anything else, negative amounts and more than two decimal places (sen), with a message naming the
    input.
    """
    if not isinstance(text, str):
        raise TypeError(f"Expected text, got {type(text).__name__}")
    cleaned = text.replace("\u00a0", " ").strip()
    if len(cleaned) > _MAX_INPUT_LENGTH:
        raise _invalid(text[:_MAX_INPUT_LENGTH] + "...", "terlalu panjang", "too long")
    match = _RUPIAH_PATTERN.fullmatch(cleaned)
    if match is None or (match["minus_before"] and match["minus_after"]):
        raise _invalid(text)
    if match["minus_before"] or match["minus_after"]:
        raise _invalid(text, "tidak boleh negatif", "must not be negative")
    fraction = match["fraction"] or ""
    if len(fraction) > 2:
        raise _invalid(text, "paling banyak dua angka desimal (sen)", "at most two decimal places (sen)")
    whole = match["whole"].replace(".", "")
    return Decimal(f"{whole}.{fraction or '0'}").quantize(CENT)
