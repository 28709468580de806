from eproc.organizations.roles import Role
from eproc.organizations.selectors import grants_of, roles_of

# Pasal 9(9)d, 14: the helpdesk handles complaints; the Head and the administrator of the LPSE oversee it.
_HANDLERS = {Role.HELPDESK, Role.KEPALA_LPSE, Role.LPSE_ADMIN}


def can_handle(user) -> bool:
    return bool(roles_of(user) & _HANDLERS)


def can_read_all(user) -> bool:
    """Handlers, and the Inspektorat (the supervisory team complaints are forwarded to, Pasal 8(4), 14b)."""
    return can_handle(user) or any(grant.role == Role.AUDITOR for grant in grants_of(user))


def can_run_helpdesk(user) -> bool:
    """Tickets, the FAQ and deviation flags are the helpdesk's (Pasal 9(9)); the Head oversees them."""
    return bool(roles_of(user) & {Role.HELPDESK, Role.KEPALA_LPSE})


def can_acknowledge_flags(user) -> bool:
    """Pasal 9(9)e: deviations are reported to the Head of LPSE, who follows them up."""
    return Role.KEPALA_LPSE in roles_of(user)


def can_read_flags(user) -> bool:
    return bool(roles_of(user) & {Role.HELPDESK, Role.KEPALA_LPSE, Role.LPSE_ADMIN}) or any(
        grant.role == Role.AUDITOR for grant in grants_of(user)
    )
