"""Messages to the people of a tender. E-mail by default (outside the system: the outbox in tests); sent only after
the change commits, so nobody is told of something that was rolled back."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from eproc.vendors.models import VendorMember


def participant_emails(tender) -> list[str]:
    return sorted(
        set(VendorMember.objects.filter(vendor__participations__tender=tender).values_list("user__email", flat=True))
    )


def send(recipients: list[str], subject: str, body: str) -> None:
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in recipients]
    if messages:
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))


def schedule_changed(tender, changes, reason: str) -> None:
    """Pasal 7(3)b: a schedule change after announcement reaches every participant with its reason."""
    with translation.override("id"):
        subject = _("Schedule changed: %(title)s") % {"title": tender.title}
        lines = [
            _("The schedule of %(title)s changed.") % {"title": tender.title},
            _("Reason: %(reason)s") % {"reason": reason},
        ]
        for change in changes:
            lines.append(f"- {change}")
    send(participant_emails(tender), subject, "\n".join(lines))


def addendum_issued(tender, document) -> None:
    with translation.override("id"):
        subject = _("Addendum %(version)s: %(title)s") % {"version": document.version, "title": tender.title}
        body = _("An addendum to the procurement documents of %(title)s was issued: %(note)s") % {
            "title": tender.title,
            "note": document.change_note,
        }
    send(participant_emails(tender), subject, body)


def clarification_closed(tender) -> None:
    with translation.override("id"):
        subject = _("Explanation session closed: %(title)s") % {"title": tender.title}
        body = _("The minutes of the explanation session (Berita Acara Pemberian Penjelasan) are on the tender page.")
    send(participant_emails(tender), subject, body)


def approval_requested(tender) -> None:
    with translation.override("id"):
        subject = _("Approval requested: %(title)s") % {"title": tender.title}
        body = _("The committee asks you to approve the classification of %(title)s (Pasal 7(3)b).") % {
            "title": tender.title
        }
    send([tender.ppk.email], subject, body)


def approval_decided(tender, *, approved: bool) -> None:
    with translation.override("id"):
        subject = (_("Approved: %(title)s") if approved else _("Not approved: %(title)s")) % {"title": tender.title}
        body = tender.approval_note or subject
    send(list(tender.committee.values_list("email", flat=True)), subject, body)
