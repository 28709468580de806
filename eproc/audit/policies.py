from eproc.organizations.roles import Role
from eproc.organizations.selectors import agency_ids_where, roles_of

# Pasal 8(2)f and 8(3)-(4): the LPSE provides data for audit to the Inspektorat; its own leadership and
# administrator watch the trail too (Pasal 9(4)d, 9(7)b).
_WHOLE_TRAIL_ROLES = {Role.LPSE_ADMIN, Role.KEPALA_LPSE}


def can_view_audit_trail(user) -> bool:
    return bool(roles_of(user) & (_WHOLE_TRAIL_ROLES | {Role.AUDITOR}))


def audit_agency_scope(user) -> set[int] | None:
    """None: the whole trail. A set: only events about these agencies."""
    if roles_of(user) & _WHOLE_TRAIL_ROLES:
        return None
    scope = agency_ids_where(user, Role.AUDITOR)
    return None if None in scope else scope
