"""Reads that encode who may see what in the organizations app."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from eproc.core import clock
from eproc.core.calendar import WorkingCalendar

from .models import Agency, Appointment, DayOff, WorkUnit
from .roles import Role


@dataclass(frozen=True)
class Grant:
    """One role that a user holds today, with its scope."""

    role: Role
    agency_id: int | None
    work_unit_id: int | None


def active_appointments(*, on: date | None = None) -> QuerySet[Appointment]:
    day = on or clock.today_in("Asia/Jakarta")
    return Appointment.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day), valid_from__lte=day, revoked_at__isnull=True
    )


def grants_of(user) -> frozenset[Grant]:
    """The roles a user holds today. Cached on the user object for the length of a request."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_eproc_grants", None)
    if cached is None:
        cached = frozenset(
            Grant(Role(role), agency_id, work_unit_id)
            for role, agency_id, work_unit_id in active_appointments()
            .filter(user=user)
            .values_list("role", "agency_id", "work_unit_id")
        )
        user._eproc_grants = cached
    return cached


def roles_of(user) -> frozenset[Role]:
    return frozenset(grant.role for grant in grants_of(user))


def agency_ids_where(user, *roles: Role) -> set[int | None]:
    """The agencies in which `user` holds any of `roles`; None in the set means an unscoped grant."""
    return {grant.agency_id for grant in grants_of(user) if grant.role in roles}


def agencies() -> QuerySet[Agency]:
    """Agencies are public (the LPSE announces whom it serves)."""
    return Agency.objects.all()


def work_units(*, agency: Agency | None = None) -> QuerySet[WorkUnit]:
    """Work units and their addresses are public: plans and announcements name them."""
    queryset = WorkUnit.objects.select_related("agency")
    return queryset.filter(agency=agency) if agency is not None else queryset


def appointments_visible_to(user) -> QuerySet[Appointment]:
    """Appointments and their decrees are an agency's private data (Pasal 4(2)b): the LPSE's leadership and
    administrator see all, an Admin Agency its own agency, an auditor its scope, everyone their own."""
    queryset = Appointment.objects.select_related("user", "agency", "work_unit")
    if not user.is_authenticated:
        return queryset.none()
    roles = roles_of(user)
    if roles & {Role.LPSE_ADMIN, Role.KEPALA_LPSE, Role.SEKRETARIS_LPSE}:
        return queryset
    auditor_scope = agency_ids_where(user, Role.AUDITOR)
    if None in auditor_scope:
        return queryset
    visible_agencies = agency_ids_where(user, Role.ADMIN_AGENCY) | auditor_scope
    return queryset.filter(Q(user=user) | Q(agency_id__in=visible_agencies - {None}))


def days_off(*, year: int | None = None) -> QuerySet[DayOff]:
    queryset = DayOff.objects.select_related("agency")
    return queryset.filter(date__year=year) if year else queryset


def working_calendar_for(agency: Agency | None) -> WorkingCalendar:
    """The calendar that schedules of `agency` follow: national holidays, the LPSE's days off for everyone
    and the agency's own regional days off."""
    extra = (
        DayOff.objects.filter(Q(agency__isnull=True) | Q(agency=agency))
        if agency
        else DayOff.objects.filter(agency__isnull=True)
    )
    return WorkingCalendar(extra_days_off={day.date: day.name for day in extra})
