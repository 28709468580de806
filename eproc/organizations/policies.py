"""Who may do what with agencies, work units, appointments and days off. Views and services ask here."""

from .models import Agency, Appointment
from .roles import ROLES, Role, Scope
from .selectors import agency_ids_where, appointments_visible_to, roles_of

# Roles an Admin Agency may register for its own agency (Pasal 7(1)e and 7(3)c: PPK and the committee come
# to the Admin Agency with their decree). Other roles are appointed by the LPSE administrator.
ROLES_APPOINTED_BY_ADMIN_AGENCY = frozenset({Role.PPK, Role.POKJA, Role.PEJABAT_PENGADAAN})


def is_lpse_admin(user) -> bool:
    return Role.LPSE_ADMIN in roles_of(user)


def can_manage_agencies(user) -> bool:
    return is_lpse_admin(user)


def can_manage_work_units(user, agency: Agency) -> bool:
    return is_lpse_admin(user)


def can_manage_days_off(user) -> bool:
    return is_lpse_admin(user)


def can_manage_accounts(user) -> bool:
    return is_lpse_admin(user) or bool(agency_ids_where(user, Role.ADMIN_AGENCY))


def appointable_roles(user, agency: Agency | None) -> list[Role]:
    """The roles `user` may appoint someone to within `agency` (None: the LPSE itself)."""
    if is_lpse_admin(user):
        return [
            role
            for role, info in ROLES.items()
            if (agency is None) == (info.scope == Scope.LPSE) or info.scope == Scope.AGENCY_OR_ALL
        ]
    if agency is not None and agency.pk in agency_ids_where(user, Role.ADMIN_AGENCY):
        return sorted(ROLES_APPOINTED_BY_ADMIN_AGENCY)
    return []


def can_appoint(user, *, role: Role, agency: Agency | None) -> bool:
    """Whether `user` may appoint to `role` here. Whether the role fits the scope is the service's validation,
    so the LPSE administrator gets a message that says what is wrong instead of a refusal."""
    if is_lpse_admin(user):
        return True
    return (
        role in ROLES_APPOINTED_BY_ADMIN_AGENCY
        and agency is not None
        and (agency.pk in agency_ids_where(user, Role.ADMIN_AGENCY))
    )


def can_view_appointment(user, appointment: Appointment) -> bool:
    return appointments_visible_to(user).filter(pk=appointment.pk).exists()


def can_revoke_appointment(user, appointment: Appointment) -> bool:
    return can_appoint(user, role=Role(appointment.role), agency=appointment.agency)


def can_view_appointments_of(user, agency: Agency | None) -> bool:
    roles = roles_of(user)
    if roles & {Role.LPSE_ADMIN, Role.KEPALA_LPSE, Role.SEKRETARIS_LPSE}:
        return True
    scope = agency_ids_where(user, Role.ADMIN_AGENCY, Role.AUDITOR)
    return None in scope or (agency is not None and agency.pk in scope)
