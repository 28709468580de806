"""Berita Acara Pembukaan Dokumen Penawaran (opening minutes) as a PDF, rendered with WeasyPrint."""

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from .keys import public_key_text


def render_opening_minutes(*, box, opening, outcomes, checkpoint) -> bytes:
    """The minutes list every envelope (its commitment, its bytes, its outcome and plaintext SHA-256) and the
    log checkpoint frozen at the deadline, so anyone can check that no bid appeared or vanished later."""
    with translation.override("id"):
        html = render_to_string(
            "bids/minutes.html",
            {
                "box": box,
                "opening": opening,
                "outcomes": outcomes,
                "checkpoint": checkpoint,
                "shares": box.shares.select_related("member").order_by("share_index"),
                "public_key": public_key_text(),
            },
        )
    # No base_url: the template is self-contained, so nothing is fetched while rendering.
    return HTML(string=html).write_pdf()
