from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _


def answered(complaint) -> None:
    with translation.override("id"):
        subject = _("Your complaint %(code)s is answered") % {"code": complaint.tracking_code}
        body = _('The LPSE answered your complaint "%(title)s":\n\n%(answer)s') % {
            "title": complaint.title,
            "answer": complaint.answer,
        }
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [complaint.reporter_email], fail_silently=True)


def deviation_flagged(flag, heads) -> None:
    """Pasal 9(9)e: the Head of LPSE hears of every deviation the helpdesk reports."""
    with translation.override("id"):
        subject = _("Procedural deviation reported: %(tender)s") % {"tender": flag.tender_reference}
        body = _("%(who)s reports a procedural deviation on %(tender)s:\n\n%(description)s") % {
            "who": flag.flagged_by,
            "tender": flag.tender_reference,
            "description": flag.description,
        }
    recipients = [head.email for head in heads]
    if recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)
