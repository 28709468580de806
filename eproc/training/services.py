"""Every write of the training app: keyword-only, atomic, policy-checked, audited (Pasal 8(2)d, 9(10))."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from eproc.audit.services import record
from eproc.core import clock
from eproc.files import store_upload
from eproc.permissions import require

from . import policies
from .models import Audience, Material, Registration, TrainingSession


def _locked(session: TrainingSession) -> TrainingSession:
    """The session row, locked: registrations are counted against its capacity under this lock."""
    return TrainingSession.objects.select_for_update().get(pk=session.pk)


@transaction.atomic
def create_session(
    *,
    actor,
    topic: str,
    audience: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    capacity: int,
    trainer,
    description: str = "",
) -> TrainingSession:
    """Pasal 9(10)a: the Trainer schedules training for committees, PPK and vendors; the Kepala LPSE, who plans
    the coaching of the units (Pasal 9(4)g), may schedule it too."""
    require(policies.can_manage(actor))
    clock.ensure_aware(starts_at)
    clock.ensure_aware(ends_at)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The session must end after it starts.")})
    if starts_at <= clock.now():
        raise ValidationError({"starts_at": _("A session cannot be scheduled in the past.")})
    if audience not in Audience.values:
        raise ValidationError({"audience": _("Unknown audience.")})
    if capacity is None or int(capacity) < 1:
        raise ValidationError({"capacity": _("A session takes at least one participant.")})
    if trainer is None or not policies.can_train(trainer):
        raise ValidationError({"trainer": _("The trainer must hold the LPSE trainer role (Pasal 9(10)).")})
    session = TrainingSession(
        topic=topic.strip(),
        audience=audience,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        capacity=int(capacity),
        trainer=trainer,
        description=description.strip(),
        created_by=actor,
        created_at=clock.now(),
    )
    session.full_clean()
    session.save()
    record(
        actor=actor,
        action="training.session_created",
        target=session,
        data={
            "topic": session.topic,
            "audience": session.audience,
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "place": session.place,
            "capacity": session.capacity,
            "trainer": trainer.email,
        },
    )
    return session


@transaction.atomic
def cancel_session(*, actor, session: TrainingSession, reason: str) -> TrainingSession:
    require(policies.can_manage(actor))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the session is cancelled.")})
    session = _locked(session)
    if session.is_cancelled:
        raise ValidationError(_("This session is already cancelled."))
    if session.ends_at <= clock.now():
        raise ValidationError(_("This session is over; it can no longer be cancelled."))
    session.cancelled_at = clock.now()
    session.cancelled_reason = reason.strip()
    session.save(update_fields=["cancelled_at", "cancelled_reason"])
    record(
        actor=actor,
        action="training.session_cancelled",
        target=session,
        data={"reason": session.cancelled_reason, "registered": session.registrations.count()},
    )
    return session


@transaction.atomic
def register(*, actor, session: TrainingSession) -> Registration:
    """A user of the audience the session is for (Pasal 9(10)a) takes a place, while there is one and before the
    session starts."""
    require(policies.can_register(actor, session))
    session = _locked(session)
    if session.is_cancelled:
        raise ValidationError(_("This session is cancelled."))
    if session.starts_at <= clock.now():
        raise ValidationError(_("This session has already started; registration is closed."))
    if Registration.objects.filter(session=session, user=actor).exists():
        raise ValidationError(_("You are already registered for this session."))
    if session.registrations.count() >= session.capacity:
        raise ValidationError(
            _("This session is full: all %(capacity)s places are taken.") % {"capacity": session.capacity}
        )
    registration = Registration.objects.create(session=session, user=actor, registered_at=clock.now())
    record(actor=actor, action="training.registered", target=session, data={"user": actor.email})
    return registration


@transaction.atomic
def unregister(*, actor, session: TrainingSession) -> None:
    """A participant gives up their place, before the session starts, so someone else can take it."""
    session = _locked(session)
    registration = Registration.objects.filter(session=session, user=actor).first()
    if registration is None:
        raise ValidationError(_("You are not registered for this session."))
    if session.starts_at <= clock.now():
        raise ValidationError(_("This session has already started; the registration can no longer be withdrawn."))
    registration.delete()
    record(actor=actor, action="training.unregistered", target=session, data={"user": actor.email})


@transaction.atomic
def mark_attendance(*, actor, session: TrainingSession, user, attended: bool) -> Registration:
    """The trainer records who attended (the LPSE reports its training, Pasal 8(2)a, 9(4)c)."""
    require(policies.can_manage(actor))
    session = _locked(session)
    if session.is_cancelled:
        raise ValidationError(_("This session is cancelled."))
    if session.starts_at > clock.now():
        raise ValidationError(_("Attendance can be marked once the session has started."))
    registration = Registration.objects.select_for_update().filter(session=session, user=user).first()
    if registration is None:
        raise ValidationError(_("This person is not registered for the session."))
    if attended == (registration.attended_at is not None):
        return registration
    registration.attended_at = clock.now() if attended else None
    registration.save(update_fields=["attended_at"])
    record(
        actor=actor,
        action="training.attendance_marked",
        target=session,
        data={"user": user.email, "attended": attended},
    )
    return registration


@transaction.atomic
def add_material(*, actor, session: TrainingSession, upload) -> Material:
    """Handouts and slides of a session, for its participants (Pasal 9(10)a-b)."""
    require(policies.can_manage(actor))
    if session.is_cancelled:
        raise ValidationError(_("This session is cancelled."))
    stored = store_upload(upload, folder="training", max_bytes=settings.EPROC_MAX_DECREE_BYTES)
    material = Material(
        session=session,
        original_name=stored.original_name,
        sha256=stored.sha256,
        size=stored.size,
        uploaded_by=actor,
        uploaded_at=clock.now(),
    )
    material.file.name = stored.storage_name
    material.save()
    record(
        actor=actor,
        action="training.material_added",
        target=session,
        data={"material": material.public_id, "name": material.original_name, "sha256": material.sha256},
    )
    return material
