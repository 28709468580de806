"""Who may see and act on the national-portal outbox."""

from eproc.organizations.roles import Role
from eproc.organizations.selectors import grants_of, roles_of


def can_manage_outbox(user) -> bool:
    """Pasal 9(7)c-d: the administrator resolves technical problems of the system and coordinates with the
    administrator of LPSE Pusat, so a delivery that fails is theirs to follow up and replay."""
    return Role.LPSE_ADMIN in roles_of(user)


def can_read_outbox(user) -> bool:
    """Read-only for the Head of LPSE, who oversees the LPSE's work (Pasal 9(4)), and for the Inspektorat
    (Pasal 8(3)-(4)): whether what the LPSE announced reached the national centre (Pasal 12b) is theirs to check.
    The queue holds only public changes, so an auditor of one agency may read all of it."""
    return (
        can_manage_outbox(user)
        or Role.KEPALA_LPSE in roles_of(user)
        or any(grant.role == Role.AUDITOR for grant in grants_of(user))
    )
