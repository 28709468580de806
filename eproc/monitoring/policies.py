"""Who may see and change what in monitoring. Every view of the app asks one of these."""

from eproc.organizations.roles import Role
from eproc.organizations.selectors import agency_ids_where, grants_of, roles_of

# Pasal 9(4)c,e: the Head of LPSE monitors and reports, with the Secretary who prepares the reports (9(5)-(6));
# the administrator runs the system (9(7)). Pasal 8(2)f, 8(3)-(4): the Inspektorat reads for audit.
_LPSE_READERS = {Role.KEPALA_LPSE, Role.SEKRETARIS_LPSE, Role.LPSE_ADMIN}


def can_view_monitoring(user) -> bool:
    return bool(roles_of(user) & (_LPSE_READERS | {Role.AUDITOR}))


def agency_scope(user) -> set[int] | None:
    """The agencies whose figures `user` may see: None for all. An Inspektorat appointed for one agency sees that
    agency only (Pasal 4(2)b: an agency's data stays with those entitled to it)."""
    if roles_of(user) & _LPSE_READERS:
        return None
    scope = agency_ids_where(user, Role.AUDITOR)
    if None in scope:
        return None
    return {agency_id for agency_id in scope if agency_id is not None}


def can_manage_rules(user) -> bool:
    """The compliance rules are the LPSE's configuration of Pasal 15, kept by its administrator (Pasal 9(7))."""
    return Role.LPSE_ADMIN in roles_of(user)


def can_plan_adoption(user, work_unit) -> bool:
    """Pasal 15(3): the work unit or its PA/KPA makes the plan; the agency administrator may record it for them."""
    for grant in grants_of(user):
        if grant.role in (Role.PA, Role.KPA) and grant.work_unit_id == work_unit.pk:
            return True
        if grant.role == Role.ADMIN_AGENCY and grant.agency_id == work_unit.agency_id:
            return True
    return False


def can_plan_any_adoption(user) -> bool:
    return bool(roles_of(user) & {Role.PA, Role.KPA, Role.ADMIN_AGENCY})


def can_view_capacity(user) -> bool:
    """Pasal 11(3)e: keeping the system's performance and capacity is the administrator's."""
    return Role.LPSE_ADMIN in roles_of(user)


def can_take_snapshot(user) -> bool:
    return can_view_capacity(user)
