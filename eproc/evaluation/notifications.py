"""Messages after the opening, to the participants and the committee; sent after the change commits."""

from django.utils import translation
from django.utils.translation import gettext as _

from eproc.organizations.roles import Role
from eproc.organizations.selectors import active_appointments
from eproc.tenders.notifications import participant_emails, send


def _committee_emails(tender) -> list[str]:
    return list(tender.committee.values_list("email", flat=True))


def winner_announced(tender, result) -> None:
    with translation.override("id"):
        subject = _("Winner announced: %(title)s") % {"title": tender.title}
        body = _("The winner of %(title)s is %(vendor)s. Objections may be filed during the objection period.") % {
            "title": tender.title,
            "vendor": result.winner.vendor.name,
        }
    send(participant_emails(tender), subject, body)


def objection_filed(tender, objection) -> None:
    with translation.override("id"):
        subject = _("Objection filed: %(title)s") % {"title": tender.title}
        body = _("An objection to the result of %(title)s was filed; answer it on the tender's objection page.") % {
            "title": tender.title
        }
    send(_committee_emails(tender), subject, body)


def objection_answered(tender, objection) -> None:
    with translation.override("id"):
        subject = _("Objection answered: %(title)s") % {"title": tender.title}
        body = objection.answer
    send(participant_emails(tender), subject, body)


def appeal_filed(tender, appeal) -> None:
    budget_holders = active_appointments().filter(work_unit=tender.work_unit, role__in=[Role.PA, Role.KPA])
    with translation.override("id"):
        subject = _("Appeal filed: %(title)s") % {"title": tender.title}
        body = _("An appeal (sanggah banding) halts %(title)s until you decide it.") % {"title": tender.title}
    send([*budget_holders.values_list("user__email", flat=True), *_committee_emails(tender)], subject, body)


def appeal_decided(tender, appeal) -> None:
    with translation.override("id"):
        subject = _("Appeal decided: %(title)s") % {"title": tender.title}
        body = appeal.decision
    send([*participant_emails(tender), *_committee_emails(tender)], subject, body)


def tender_ended(tender, message: str) -> None:
    with translation.override("id"):
        subject = f"{tender.title}"
    send(participant_emails(tender), subject, message)


def invited(tender, vendor) -> None:
    with translation.override("id"):
        subject = _("Invitation: %(title)s") % {"title": tender.title}
        body = _("You are invited to send an offer for %(title)s (Pengadaan Langsung).") % {"title": tender.title}
    send(list(vendor.members.values_list("user__email", flat=True)), subject, body)
