"""Every write of the complaints app: keyword-only, atomic, policy-checked, audited."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from eproc.audit.services import record
from eproc.core import clock
from eproc.files import SCANNED_DOCUMENT_KINDS, check_upload, store_upload
from eproc.permissions import require

from . import policies
from .channels import channel
from .models import Complaint, ComplaintAttachment, Forward

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud over the phone


def new_tracking_code() -> str:
    return "ADU-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


@transaction.atomic
def file_complaint(
    *,
    reporter=None,
    about: str,
    title: str,
    description: str,
    tender_reference: str = "",
    agency=None,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    attachments=(),
) -> Complaint:
    """Pasal 14a: anyone, with or without an account, files a complaint through the system."""
    if about == Complaint.About.TENDER and not tender_reference.strip():
        raise ValidationError({"tender_reference": _("Name the tender the complaint is about.")})
    if len(attachments) > 5:
        raise ValidationError({"attachments": _("At most 5 attachments.")})
    complaint = Complaint(
        tracking_code=new_tracking_code(),
        about=about,
        tender_reference=tender_reference.strip(),
        agency=agency,
        title=title.strip(),
        description=description.strip(),
        reporter_name=reporter_name.strip(),
        reporter_email=reporter_email.strip(),
        reporter_phone=reporter_phone.strip(),
        reporter=reporter if reporter is not None and reporter.is_authenticated else None,
        created_at=clock.now(),
    )
    complaint.full_clean()
    for upload in attachments:  # all checked before any is stored: a refused one leaves no other file behind
        check_upload(upload, allowed_kinds=SCANNED_DOCUMENT_KINDS, max_bytes=settings.EPROC_MAX_DECREE_BYTES)
    complaint.save()
    for upload in attachments:
        stored = store_upload(
            upload, folder="complaints", allowed_kinds=SCANNED_DOCUMENT_KINDS, max_bytes=settings.EPROC_MAX_DECREE_BYTES
        )
        attachment = ComplaintAttachment(
            complaint=complaint, original_name=stored.original_name, sha256=stored.sha256, size=stored.size
        )
        attachment.file.name = stored.storage_name
        attachment.save()
    record(
        actor=complaint.reporter,
        action="complaint.filed",
        target=complaint,
        agency=agency,
        data={
            "about": about,
            "tender_reference": complaint.tender_reference,
            "title": complaint.title,
            "attachments": [a.sha256 for a in complaint.attachments.all()],
        },
    )
    return complaint


@transaction.atomic
def start_review(*, actor, complaint: Complaint) -> Complaint:
    require(policies.can_handle(actor))
    if complaint.status == Complaint.Status.RECEIVED:
        complaint.status = Complaint.Status.IN_REVIEW
        complaint.save(update_fields=["status"])
        record(actor=actor, action="complaint.in_review", target=complaint, agency=complaint.agency, data={})
    return complaint


def forward(*, actor, complaint: Complaint, destinations: list[str], note: str = "") -> list[Forward]:
    """Pasal 14b: the LPSE forwards complaints to LPSE Pusat and the supervisory team. Each sending is recorded
    with its channel, address, time and outcome; a failed one shows and can be sent again."""
    require(policies.can_handle(actor))
    if not destinations:
        raise ValidationError(_("Choose where to forward the complaint."))
    addresses = settings.EPROC_COMPLAINT_DESTINATIONS
    outbound = channel()
    subject = f"[{complaint.tracking_code}] {complaint.title}"
    body = "\n\n".join(
        filter(
            None,
            [
                note.strip(),
                complaint.description,
                f"Tender: {complaint.tender_reference}" if complaint.tender_reference else "",
                f"Pelapor: {complaint.reporter_name or '-'} {complaint.reporter_email}",
            ],
        )
    )
    forwards = []
    for destination in destinations:
        if destination not in Forward.Destination.values:
            raise ValidationError(_("Unknown destination."))
        # Sent outside the database transaction (a slow mail server must not hold locks), then recorded.
        delivery = outbound.send(
            address=addresses[destination], subject=subject, body=body, attachments=list(complaint.attachments.all())
        )
        with transaction.atomic():
            item = Forward.objects.create(
                complaint=complaint,
                destination=destination,
                channel=outbound.name,
                address=addresses[destination],
                message=body,
                sent_by=actor,
                sent_at=clock.now(),
                delivered=delivery.delivered,
                error=delivery.error,
            )
            if delivery.delivered and complaint.status in (Complaint.Status.RECEIVED, Complaint.Status.IN_REVIEW):
                Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.FORWARDED)
            record(
                actor=actor,
                action="complaint.forwarded",
                target=complaint,
                agency=complaint.agency,
                data={
                    "destination": destination,
                    "address": item.address,
                    "delivered": delivery.delivered,
                    "error": delivery.error,
                },
            )
        forwards.append(item)
    complaint.refresh_from_db()
    return forwards


@transaction.atomic
def answer(*, actor, complaint: Complaint, text: str) -> Complaint:
    require(policies.can_handle(actor))
    if not text.strip():
        raise ValidationError({"text": _("Write the answer.")})
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status == Complaint.Status.ANSWERED:
        raise ValidationError(_("This complaint is already answered."))
    complaint.answer = text.strip()
    complaint.answered_by = actor
    complaint.status = Complaint.Status.ANSWERED
    complaint.closed_at = clock.now()
    complaint.save(update_fields=["answer", "answered_by", "status", "closed_at"])
    record(
        actor=actor,
        action="complaint.answered",
        target=complaint,
        agency=complaint.agency,
        data={"answer": complaint.answer},
    )
    if complaint.reporter_email:
        from .notifications import answered

        transaction.on_commit(lambda: answered(complaint))
    return complaint
