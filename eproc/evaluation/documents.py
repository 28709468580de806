"""The PDFs after the opening: Berita Acara Hasil Pelelangan (BAHP) and the award letter (SPPBJ), with WeasyPrint."""

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from eproc.core import clock


def _pdf(template: str, context: dict) -> bytes:
    with translation.override("id"):
        html = render_to_string(template, {**context, "now": clock.now()})
    # No base_url: the templates are self-contained, so nothing is fetched while rendering.
    return HTML(string=html).write_pdf()


def render_result_minutes(*, tender, result) -> bytes:
    """Every bidder, each result and its reason, the ranking and the decision (issue 6.3)."""
    return _pdf(
        "evaluation/result_minutes.html",
        {"tender": tender, "result": result, "committee": tender.committee.order_by("full_name")},
    )


def render_award_letter(*, tender, letter, result) -> bytes:
    return _pdf("evaluation/award_letter.html", {"tender": tender, "letter": letter, "result": result})
