"""The demo data of the whole procurement chain, loaded in dependency order: organisations and people, the plan,
vendors, the sealed-bid box, tenders in every stage, and their bids, results and contracts. Used by `manage.py
load_demo` (which adds the training sessions) and by the tests that need a realistic installation."""

from dataclasses import dataclass


@dataclass
class DemoData:
    people: object
    vendors: list
    sealed_bids: list
    tenders: list
    results: list


def load_procurement_demo() -> DemoData:
    from eproc.bids.demo import load_demo as load_bids
    from eproc.evaluation.demo import load_demo as load_evaluation
    from eproc.organizations.demo import load_demo as load_organizations
    from eproc.planning.demo import load_demo as load_planning
    from eproc.tenders.demo import load_demo as load_tenders
    from eproc.vendors.demo import load_demo as load_vendors

    people = load_organizations()
    load_planning()
    vendors = load_vendors()
    sealed_bids = load_bids()
    tenders = load_tenders()
    results = load_evaluation()
    return DemoData(people=people, vendors=vendors, sealed_bids=sealed_bids, tenders=tenders, results=results)
