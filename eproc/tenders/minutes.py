"""The tender's PDFs, rendered with WeasyPrint: the Berita Acara Pemberian Penjelasan (minutes of the explanation
session) and the printable announcement for the official notice board."""

from django.conf import settings
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


def render_announcement(*, tender, schedule, site_url: str) -> bytes:
    """A4 announcement for the agency's official notice board (Pasal 7(1)c, 7(3)a: "papan pengumuman resmi")."""
    with translation.override("id"):
        html = render_to_string(
            "tenders/announcement.html",
            {
                "tender": tender,
                "schedule": schedule,
                "site_url": site_url,
                "lpse": settings.EPROC_LPSE,
                "zone": clock.zone_abbreviation(tender.agency.time_zone),
            },
        )
    return HTML(string=html).write_pdf()
