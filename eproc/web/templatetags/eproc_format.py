"""Template filters for Rupiah and Indonesian dates, thin wrappers over eproc.core."""

from decimal import Decimal

from django import template
from django.utils import translation

from eproc.core import dates, money
from eproc.core import terbilang as terbilang_module

register = template.Library()


def _locale() -> str:
    return "en" if (translation.get_language() or "id").startswith("en") else "id"


@register.filter
def rupiah(value):
    # Amounts kept in JSON snapshots (a decided ranking) come back as strings.
    return "" if value in (None, "") else money.format_rupiah(Decimal(str(value)))


@register.filter
def rupiah_short(value):
    return "" if value in (None, "") else money.format_rupiah_short(value)


@register.filter
def terbilang(value):
    return "" if value in (None, "") else terbilang_module.terbilang(value)


@register.filter
def tanggal(value):
    return "" if value is None else dates.format_date(value, locale=_locale())


@register.filter
def tanggal_jam(value, tz="Asia/Jakarta"):
    return "" if value is None else dates.format_datetime(value, tz, locale=_locale())


@register.filter
def minutes(value):
    """A duration in whole minutes, e.g. a grace period: "60 menit" / "60 minutes"."""
    if value is None:
        return ""
    count = int(value.total_seconds() // 60)
    return translation.ngettext("%(count)s minute", "%(count)s minutes", count) % {"count": count}


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template, for data kept as a dict (qualification items, posted forms)."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""
