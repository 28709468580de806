"""Who reads the risk indicators: the Inspektorat (Pasal 8(2)f, 8(3)-(4): audit, monitoring and evaluation) and the
Head of LPSE (Pasal 9(4): leads and monitors the LPSE's service). Red flags are leads for an audit, not findings, so
nobody else sees them; everyone else gets 404 (DESIGN 6)."""

from eproc.organizations.roles import Role
from eproc.organizations.selectors import roles_of
from eproc.tenders.policies import is_auditor_of

_READERS = {Role.AUDITOR, Role.KEPALA_LPSE}


def can_read_risk(user) -> bool:
    """The ranking page: an auditor (of one agency or of all) or the Head of LPSE."""
    return bool(roles_of(user) & _READERS)


def can_read_tender_risk(user, tender) -> bool:
    """One tender's flags: the Head of LPSE, or an auditor whose scope covers the tender's agency."""
    return Role.KEPALA_LPSE in roles_of(user) or is_auditor_of(user, tender)
