"""Who may do what with a tender (Pasal 7(3)-(4), 8(3)-(4)). Views answer 404 when these say no."""

from eproc.organizations.roles import Role
from eproc.organizations.selectors import grants_of
from eproc.vendors.policies import vendor_of

from .models import Tender

RUNNER_ROLES = (Role.POKJA, Role.PEJABAT_PENGADAAN)
LPSE_OVERSEERS = {Role.KEPALA_LPSE, Role.SEKRETARIS_LPSE, Role.LPSE_ADMIN}


def runner_roles_in(user, agency) -> set[Role]:
    """The committee roles `user` holds in `agency` today (Pasal 7(3)c: appointed by decree)."""
    return {g.role for g in grants_of(user) if g.role in RUNNER_ROLES and g.agency_id == agency.pk}


def can_create_tender(user, agency) -> bool:
    return bool(runner_roles_in(user, agency))


def is_committee_member(user, tender: Tender) -> bool:
    """On this tender's committee and still appointed in its agency (a revoked decree ends the power)."""
    if not user.is_authenticated or not runner_roles_in(user, tender.agency):
        return False
    return tender.committee.filter(pk=user.pk).exists()


def can_manage(user, tender: Tender) -> bool:
    return tender.cancelled_at is None and is_committee_member(user, tender)


def is_tender_ppk(user, tender: Tender) -> bool:
    """Pasal 7(3)b: the PPK of the work unit named on the tender approves its classification."""
    return (
        user.is_authenticated
        and tender.ppk_id == user.pk
        and any(g.role == Role.PPK and g.work_unit_id == tender.work_unit_id for g in grants_of(user))
    )


def is_auditor_of(user, tender: Tender) -> bool:
    return any(g.role == Role.AUDITOR and g.agency_id in (None, tender.agency_id) for g in grants_of(user))


def is_insider(user, tender: Tender) -> bool:
    """People who see a tender's inside before it is public: its committee, its PPK, the budget holders of its
    work unit, the Inspektorat (Pasal 8(3)-(4)) and the LPSE's leadership (Pasal 9(4))."""
    if not user.is_authenticated:
        return False
    if is_committee_member(user, tender) or is_tender_ppk(user, tender) or is_auditor_of(user, tender):
        return True
    grants = grants_of(user)
    return any(g.role in LPSE_OVERSEERS for g in grants) or any(
        g.role in (Role.PA, Role.KPA) and g.work_unit_id == tender.work_unit_id for g in grants
    )


_WORKSPACE_ROLES = {*RUNNER_ROLES, Role.PPK, Role.PA, Role.KPA, Role.AUDITOR, *LPSE_OVERSEERS}


def can_use_workspace(user) -> bool:
    """Committees build tenders there; PPKs approve; budget holders, auditors and the LPSE's leadership follow."""
    return any(g.role in _WORKSPACE_ROLES for g in grants_of(user))


def can_view(user, tender: Tender) -> bool:
    return tender.announced_at is not None or is_insider(user, tender)


def participant_of(user, tender: Tender):
    vendor = vendor_of(user)
    if vendor is None:
        return None
    return tender.participants.filter(vendor=vendor).first()


def can_download(user, tender: Tender) -> bool:
    """Participants download the documents (Pasal 7(4)a); insiders read them to do their job."""
    return participant_of(user, tender) is not None or is_insider(user, tender)


def can_see_clarification(user, tender: Tender) -> bool:
    return participant_of(user, tender) is not None or is_insider(user, tender)


def can_export(user, tender: Tender) -> bool:
    """Pasal 8(3)-(4): the Inspektorat takes a tender's complete file for its audit; so may the Head of LPSE."""
    return is_auditor_of(user, tender) or any(g.role == Role.KEPALA_LPSE for g in grants_of(user))
