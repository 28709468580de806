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
