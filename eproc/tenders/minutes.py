"""Berita Acara Pemberian Penjelasan (minutes of the explanation session) as a PDF, rendered with WeasyPrint."""

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from eproc.core import clock


def render_clarification_minutes(*, tender, questions, closed_by) -> bytes:
    """Every question with its section and answer; askers are named by number only, as other vendors see them."""
    with translation.override("id"):
        html = render_to_string(
            "tenders/clarification_minutes.html",
            {
                "tender": tender,
                "questions": questions,
                "closed_by": closed_by,
                "committee": tender.committee.order_by("full_name"),
                "now": clock.now(),
            },
        )
    # No base_url: the template is self-contained, so nothing is fetched while rendering.
    return HTML(string=html).write_pdf()
