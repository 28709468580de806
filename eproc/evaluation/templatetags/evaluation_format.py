from django import template

from eproc.evaluation.reasons import describe

register = template.Library()


@register.filter
def reasons(codes) -> str:
    """The reasons of a decided ranking row, in the reader's language."""
    return "; ".join(describe(str(code)) for code in codes or ())
