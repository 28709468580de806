"""Reads of the training app. The list of sessions is public (Pasal 9(10): training is offered to every user)."""

from django.db.models import Count, Q, QuerySet

from eproc.core import clock

from .models import Material, Registration, TrainingSession


def _sessions() -> QuerySet[TrainingSession]:
    return TrainingSession.objects.select_related("trainer").annotate(
        registered=Count("registrations"),
        attended=Count("registrations", filter=Q(registrations__attended_at__isnull=False)),
    )


def upcoming_sessions() -> QuerySet[TrainingSession]:
    """Sessions not yet over (cancelled ones included, marked, so people see they will not take place)."""
    return _sessions().filter(ends_at__gt=clock.now()).order_by("starts_at")


def past_sessions() -> QuerySet[TrainingSession]:
    return _sessions().filter(ends_at__lte=clock.now()).order_by("-starts_at")


def session(public_id: str) -> TrainingSession | None:
    return _sessions().filter(public_id=public_id).first()


def registrations_of(session: TrainingSession) -> QuerySet[Registration]:
    return session.registrations.select_related("user").order_by("user__full_name", "registered_at")


def materials_of(session: TrainingSession) -> QuerySet[Material]:
    return session.materials.select_related("uploaded_by")


def registration_of(user, session: TrainingSession) -> Registration | None:
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(session=session, user=user).first()
