"""Checks of vendor identity data that need no database."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalize_npwp(value: str) -> str:
    """NPWP as digits only. Accepts the printed form (01.234.567.8-901.000) and the 16-digit NPWP that equals the
    NIK since 2024; anything else is refused with a message that shows the expected forms."""
    digits = re.sub(r"[\s.\-]", "", value or "")
    if not re.fullmatch(r"[0-9]{15}|[0-9]{16}", digits):
        raise ValidationError(
            _("An NPWP has 15 digits (e.g. 01.234.567.8-901.000) or 16 digits (the NIK-based NPWP)."), code="npwp"
        )
    return digits


def format_npwp(digits: str) -> str:
    if len(digits) == 15:
        return f"{digits[0:2]}.{digits[2:5]}.{digits[5:8]}.{digits[8]}-{digits[9:12]}.{digits[12:15]}"
    return digits
