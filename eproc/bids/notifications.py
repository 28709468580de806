"""Messages to committee members about their boxes. E-mail by default (outside the system: mocked in tests)."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import translation
from django.utils.translation import gettext as _


def box_opened(box) -> None:
    with translation.override("id"):
        subject = _("Bids opened: %(reference)s") % {"reference": box.reference}
        body = _("The box %(reference)s (%(envelope)s) was opened. The opening minutes are on the box page.") % {
            "reference": box.reference,
            "envelope": box.get_envelope_display(),
        }
    messages = [
        (subject, body, settings.DEFAULT_FROM_EMAIL, [share.member.email])
        for share in box.shares.select_related("member")
    ]
    send_mass_mail(messages, fail_silently=True)


def share_submitted(box, member, *, accepted: bool) -> None:
    """Each share handed in (or refused) is told to the whole committee, so nobody opens quietly."""
    with translation.override("id"):
        if accepted:
            subject = _("Share submitted: %(reference)s") % {"reference": box.reference}
            body = _("%(member)s submitted their share for %(reference)s.")
        else:
            subject = _("Share refused: %(reference)s") % {"reference": box.reference}
            body = _("The share submitted by %(member)s for %(reference)s did not match its published SHA-256.")
        body = body % {"member": member, "reference": box.reference}
    send_mass_mail(
        [
            (subject, body, settings.DEFAULT_FROM_EMAIL, [share.member.email])
            for share in box.shares.select_related("member")
        ],
        fail_silently=True,
    )
