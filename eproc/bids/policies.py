"""Who may do what with sealed boxes. Committees are the Pokja or the Pejabat Pengadaan of the box's agency
(Pasal 7(3)b: they open and evaluate bids); bidders are those the tender admitted to the box."""

from eproc.organizations.roles import COMMITTEE_ROLES, Role
from eproc.organizations.selectors import agency_ids_where, grants_of
from eproc.vendors.policies import vendor_of

from .models import SealedBox


def is_committee_member(user) -> bool:
    return any(grant.role in COMMITTEE_ROLES for grant in grants_of(user))


def committee_agencies(user) -> set[int]:
    return {agency for agency in agency_ids_where(user, *COMMITTEE_ROLES) if agency is not None}


def can_manage_committee_key(user) -> bool:
    return is_committee_member(user)


def can_create_box(user, agency) -> bool:
    return agency is not None and agency.pk in committee_agencies(user)


def can_admit_bidder(user, box: SealedBox, bidder) -> bool:
    """The committee admits bidders; a vendor joining a tender admits its own people through the tender's join
    service (which checks the window and eligibility first)."""
    if can_create_box(user, box.agency):
        return True
    vendor = vendor_of(user) if user.is_authenticated else None
    return vendor is not None and vendor == vendor_of(bidder)


def is_box_member(user, box: SealedBox) -> bool:
    return user.is_authenticated and box.shares.filter(member=user).exists()


def can_submit_bid(user, box: SealedBox) -> bool:
    return user.is_authenticated and box.bidders.filter(pk=user.pk).exists()


def can_view_plaintext(user, box: SealedBox) -> bool:
    """After the opening, the committee reads the bids; the agency's auditor may too (Pasal 8(2)f)."""
    if is_box_member(user, box):
        return True
    return any(grant.role == Role.AUDITOR and grant.agency_id in (None, box.agency_id) for grant in grants_of(user))
