"""Who may do what with vendors. Vendor data is private to the vendor and to the LPSE staff who verify it
(Pasal 4(2)b); only the directory entry and sanctions are public."""

from dataclasses import dataclass
from datetime import date

from eproc.core import clock
from eproc.organizations.roles import Role
from eproc.organizations.selectors import grants_of, roles_of

from .models import Sanction, Vendor, VendorMember

_READS_ALL_VENDOR_DATA = {Role.VERIFIKATOR, Role.LPSE_ADMIN, Role.KEPALA_LPSE, Role.HELPDESK}


def vendor_of(user) -> Vendor | None:
    if not user.is_authenticated:
        return None
    membership = VendorMember.objects.select_related("vendor").filter(user=user).first()
    return membership.vendor if membership else None


def is_vendor_member(user, vendor: Vendor) -> bool:
    return user.is_authenticated and VendorMember.objects.filter(user=user, vendor=vendor).exists()


def is_vendor_admin(user, vendor: Vendor) -> bool:
    return user.is_authenticated and VendorMember.objects.filter(user=user, vendor=vendor, is_admin=True).exists()


def is_verifier(user) -> bool:
    return Role.VERIFIKATOR in roles_of(user)


def can_activate(user) -> bool:
    """Pasal 9(7)e: the administrator gives credentials after the Verifikator's approval."""
    return Role.LPSE_ADMIN in roles_of(user)


def can_assist_registration(user) -> bool:
    """Pasal 9(9)b: the helpdesk receives and helps with registrations."""
    return Role.HELPDESK in roles_of(user)


def can_manage_sanctions(user) -> bool:
    return Role.LPSE_ADMIN in roles_of(user)


def can_view_vendor_data(user, vendor: Vendor) -> bool:
    if is_vendor_member(user, vendor):
        return True
    if roles_of(user) & _READS_ALL_VENDOR_DATA:
        return True
    # The Inspektorat audits procurement (Pasal 8(2)f, 8(3)-(4)).
    return any(grant.role == Role.AUDITOR for grant in grants_of(user))


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    reason: str = ""


def active_sanctions(vendor: Vendor, on: date | None = None):
    day = on or clock.today_in("Asia/Jakarta")
    return vendor.sanctions.filter(lifted_at__isnull=True, starts_on__lte=day).exclude(ends_on__lt=day)


def eligibility(vendor: Vendor | None, on: date | None = None) -> Eligibility:
    """Whether a vendor may join tenders and bid: activated after verification, and not suspended or blacklisted
    today. Changes waiting for re-verification do not stop running work."""
    from django.utils.translation import gettext as _

    if vendor is None:
        return Eligibility(False, _("Only registered vendors can take part."))
    if vendor.activated_at is None:
        return Eligibility(False, _("The vendor is not verified and activated yet."))
    sanction = active_sanctions(vendor, on).first()
    if sanction is not None:
        label = _("blacklisted") if sanction.kind == Sanction.Kind.BLACKLIST else _("suspended")
        return Eligibility(
            False, _("The vendor is %(state)s (%(decree)s).") % {"state": label, "decree": sanction.decree_number}
        )
    return Eligibility(True)


def user_eligibility(user) -> Eligibility:
    return eligibility(vendor_of(user))
