"""Helpdesk writes (Pasal 9(9)): consultations, the public FAQ, deviation flags for the Head of LPSE."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from eproc.audit.services import record
from eproc.core import clock
from eproc.organizations.roles import Role
from eproc.organizations.selectors import active_appointments
from eproc.permissions import require

from . import policies
from .models import DeviationFlag, FaqEntry, Ticket


def _required(**texts):
    missing = {name: _("This field is required.") for name, value in texts.items() if not (value or "").strip()}
    if missing:
        raise ValidationError(missing)


@transaction.atomic
def ask(*, actor, subject: str, question: str) -> Ticket:
    """A signed-in user asks the helpdesk on the web."""
    require(actor.is_authenticated)
    _required(subject=subject, question=question)
    ticket = Ticket.objects.create(
        channel=Ticket.Channel.WEB,
        subject=subject.strip(),
        question=question.strip(),
        asker=actor,
        asker_name=actor.full_name,
        asker_contact=actor.email,
        created_at=clock.now(),
    )
    record(
        actor=actor,
        action="helpdesk.ticket_opened",
        target=ticket,
        data={"channel": ticket.channel, "subject": ticket.subject},
    )
    return ticket


@transaction.atomic
def log_contact(
    *, actor, channel: str, subject: str, question: str, asker_name: str, asker_contact: str = "", answer: str = ""
) -> Ticket:
    """Pasal 9(9)a: consultations by phone or in person are logged by the staff member who took them, often
    answered on the spot."""
    require(policies.can_run_helpdesk(actor))
    _required(subject=subject, question=question, asker_name=asker_name)
    now = clock.now()
    ticket = Ticket.objects.create(
        channel=channel,
        subject=subject.strip(),
        question=question.strip(),
        asker_name=asker_name.strip(),
        asker_contact=asker_contact.strip(),
        logged_by=actor,
        assigned_to=actor,
        created_at=now,
        answer=answer.strip(),
        answered_by=actor if answer.strip() else None,
        answered_at=now if answer.strip() else None,
    )
    record(
        actor=actor,
        action="helpdesk.contact_logged",
        target=ticket,
        data={"channel": channel, "subject": ticket.subject, "answered": bool(ticket.answer)},
    )
    return ticket


@transaction.atomic
def assign(*, actor, ticket: Ticket, to) -> Ticket:
    require(policies.can_run_helpdesk(actor))
    if not policies.can_run_helpdesk(to):
        raise ValidationError(_("Tickets are assigned to helpdesk staff."))
    ticket.assigned_to = to
    ticket.save(update_fields=["assigned_to"])
    record(actor=actor, action="helpdesk.ticket_assigned", target=ticket, data={"to": to.email})
    return ticket


@transaction.atomic
def answer_ticket(*, actor, ticket: Ticket, text: str) -> Ticket:
    require(policies.can_run_helpdesk(actor))
    _required(text=text)
    ticket.answer = text.strip()
    ticket.answered_by = actor
    ticket.answered_at = clock.now()
    ticket.save(update_fields=["answer", "answered_by", "answered_at"])
    record(actor=actor, action="helpdesk.ticket_answered", target=ticket, data={"answer": ticket.answer})
    return ticket


@transaction.atomic
def save_faq(
    *, actor, question: str, answer: str, position: int = 100, is_published: bool = True, entry: FaqEntry | None = None
) -> FaqEntry:
    require(policies.can_run_helpdesk(actor))
    _required(question=question, answer=answer)
    entry = entry or FaqEntry()
    before = {"question": entry.question, "answer": entry.answer} if entry.pk else None
    entry.question, entry.answer, entry.position, entry.is_published = (
        question.strip(),
        answer.strip(),
        position,
        is_published,
    )
    entry.updated_by, entry.updated_at = actor, clock.now()
    entry.save()
    record(
        actor=actor,
        action="helpdesk.faq_saved",
        target=entry,
        data={"before": before, "question": entry.question, "published": is_published},
    )
    return entry


@transaction.atomic
def flag_deviation(*, actor, tender_reference: str, description: str) -> DeviationFlag:
    require(policies.can_run_helpdesk(actor))
    _required(tender_reference=tender_reference, description=description)
    flag = DeviationFlag.objects.create(
        tender_reference=tender_reference.strip(),
        description=description.strip(),
        flagged_by=actor,
        flagged_at=clock.now(),
    )
    record(
        actor=actor,
        action="helpdesk.deviation_flagged",
        target=flag,
        data={"tender_reference": flag.tender_reference, "description": flag.description},
    )
    heads = [a.user for a in active_appointments().filter(role=Role.KEPALA_LPSE).select_related("user")]
    from .notifications import deviation_flagged

    transaction.on_commit(lambda: deviation_flagged(flag, heads))
    return flag


@transaction.atomic
def acknowledge_flag(*, actor, flag: DeviationFlag, follow_up: str) -> DeviationFlag:
    require(policies.can_acknowledge_flags(actor))
    _required(follow_up=follow_up)
    flag.follow_up, flag.acknowledged_by, flag.acknowledged_at = follow_up.strip(), actor, clock.now()
    flag.save(update_fields=["follow_up", "acknowledged_by", "acknowledged_at"])
    record(actor=actor, action="helpdesk.deviation_acknowledged", target=flag, data={"follow_up": flag.follow_up})
    return flag
