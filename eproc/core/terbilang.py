"""*Terbilang*: an amount in words, as written on contracts, award letters and receipts.

``terbilang(1_250_000_000)`` gives ``satu miliar dua ratus lima puluh juta rupiah``. Built on num2words
(``lang="id"``) with one correction: num2words writes a thousands group of one inside a larger number as
"satu ribu" (1.001.000 -> "satu juta satu ribu"), while standard Indonesian says "seribu" ("satu juta
seribu").
"""

from __future__ import annotations

from decimal import Decimal

from num2words import num2words

_THOUSAND = 1000
_MILLION = 1_000_000
MAX_AMOUNT = Decimal(10) ** 18
"""Exclusive upper bound: up to "kuadriliun", the last scale word in common use (num2words goes on to
non-standard ones)."""


def _words(number: int) -> str:
    """Indonesian words for a non-negative integer, with "seribu" for a thousands group of exactly one."""
    millions_and_above, below_million = divmod(number, _MILLION)
    thousands, units = divmod(below_million, _THOUSAND)
    if millions_and_above == 0 or thousands != 1:
        return num2words(number, lang="id")
    parts = [num2words(millions_and_above * _MILLION, lang="id"), "seribu"]
    if units:
        parts.append(num2words(units, lang="id"))
    return " ".join(parts)


def _checked_amount(amount: Decimal | int) -> Decimal:
    """Amounts on documents are non-negative, finite and in whole sen; anything else is a caller bug."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"Money must be a Decimal or an int, never {type(amount).__name__}: {amount!r}")
    value = Decimal(amount)
    if not value.is_finite() or value < 0:
        raise ValueError(f"Terbilang needs a finite, non-negative amount, got {amount!r}")
    if value >= MAX_AMOUNT:
        raise ValueError(f"Amount too large for terbilang: {amount!r}")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"Terbilang takes at most two decimal places (sen), got {amount!r}")
    return value


def terbilang(amount: Decimal | int, capitalize: bool = False) -> str:
    """The amount in Indonesian words with "rupiah" and, if any, "sen".

    ``Decimal("1250000.50")`` gives ``satu juta dua ratus lima puluh ribu rupiah lima puluh sen``; an amount
    below one rupiah is only sen (``lima puluh sen``); zero is ``nol rupiah``. ``capitalize=True`` capitalises
    every word, as documents write it between brackets ("Seratus Juta Rupiah").
    """
    value = _checked_amount(amount)
    rupiah = int(value)
    sen = int((value - rupiah) * 100)
    parts: list[str] = []
    if rupiah or not sen:
        parts.append(f"{_words(rupiah)} rupiah")
    if sen:
        parts.append(f"{_words(sen)} sen")
    text = " ".join(parts)
    return " ".join(word.capitalize() for word in text.split()) if capitalize else text
