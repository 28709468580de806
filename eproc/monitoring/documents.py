"""The periodic activity report as an A4 PDF, rendered with WeasyPrint in the look of every PDF the system issues
(eproc/templates/_pdf_style.html), in Indonesian as official reports are."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from eproc.core import clock

from . import selectors


def report_html(report: selectors.ActivityReport) -> str:
    with translation.override("id"):
        return render_to_string(
            "monitoring/report_pdf.html",
            {
                "report": report,
                "sections": selectors.report_sections(report),
                "lpse": settings.EPROC_LPSE,
                "now": clock.now(),
            },
        )


def render_report(report: selectors.ActivityReport) -> bytes:
    # No base_url: the template is self-contained, so nothing is fetched while rendering.
    return HTML(string=report_html(report)).write_pdf()
