"""Opaque public identifiers.

Public URLs and API responses never show sequential row ids: those leak how many private objects exist and
invite guessing (DESIGN 6). Instead each object gets 16 random characters of lower-case Crockford base32 (80
bits from ``secrets``): URL-safe, unguessable, and free of the look-alike letters i, l, o and u, so it can be
read out on the phone to the helpdesk.
"""

from __future__ import annotations

import secrets

CROCKFORD_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
PUBLIC_ID_LENGTH = 16
PUBLIC_ID_REGEX = f"[0-9a-hjkmnp-tv-z]{{{PUBLIC_ID_LENGTH}}}"
"""For URL converters and API schemas; matches exactly what :func:`is_public_id` accepts."""

_ALPHABET_SET = frozenset(CROCKFORD_ALPHABET)


def new_public_id() -> str:
    """A fresh identifier; collisions are negligible at 80 bits, but keep the column unique anyway."""
    return "".join(secrets.choice(CROCKFORD_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))


def is_public_id(value: object) -> bool:
    """True only for the canonical form (lower case, exact length), so one object has exactly one URL."""
    return isinstance(value, str) and len(value) == PUBLIC_ID_LENGTH and _ALPHABET_SET.issuperset(value)
