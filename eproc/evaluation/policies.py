"""Who decides what after the opening. The LPSE itself decides nothing here (Pasal 8(5)): no LPSE role appears."""

from eproc.organizations.roles import Role
from eproc.organizations.selectors import grants_of
from eproc.tenders import policies as tender_policies
from eproc.tenders import rules as rulesets
from eproc.tenders.choices import CONSULTANCY


def is_budget_holder_of(user, tender) -> bool:
    return any(g.role in (Role.PA, Role.KPA) and g.work_unit_id == tender.work_unit_id for g in grants_of(user))


def winner_decided_by_pa(tender) -> bool:
    """Above these values the PA decides the winner (Perpres 54/2010 Pasal 8(1)f, 17(2))."""
    limits = rulesets.for_tender(tender).pa_decides_above
    limit = limits["consultancy" if tender.category in CONSULTANCY else "default"]
    return tender.owner_estimate > limit.value


def can_evaluate(user, tender) -> bool:
    return tender_policies.can_manage(user, tender)


def can_decide_winner(user, tender) -> bool:
    if winner_decided_by_pa(tender):
        return is_budget_holder_of(user, tender)
    return tender_policies.can_manage(user, tender)


def can_decide_appeal(user, tender) -> bool:
    """Pasal 82: the appeal goes to the head of the region's delegate, here the PA of the work unit."""
    return is_budget_holder_of(user, tender)


def can_award(user, tender) -> bool:
    """The PPK issues the award letter and signs the contract (Pasal 1(10))."""
    return tender.cancelled_at is None and tender_policies.is_tender_ppk(user, tender)
