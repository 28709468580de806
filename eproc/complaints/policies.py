from eproc.organizations.roles import Role
from eproc.organizations.selectors import grants_of, roles_of

# Pasal 9(9)d, 14: the helpdesk handles complaints; the Head and the administrator of the LPSE oversee it.
_HANDLERS = {Role.HELPDESK, Role.KEPALA_LPSE, Role.LPSE_ADMIN}


def can_handle(user) -> bool:
    return bool(roles_of(user) & _HANDLERS)


def can_read_all(user) -> bool:
    """Handlers, and the Inspektorat (the supervisory team complaints are forwarded to, Pasal 8(4), 14b)."""
    return can_handle(user) or any(grant.role == Role.AUDITOR for grant in grants_of(user))
