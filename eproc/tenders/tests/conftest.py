"""A small world for tender tests: agency A with an announced plan item, a two-member committee holding real age
keys, the PPK of the work unit, and verified vendors. Time is pinned (Monday 2 March 2026, 10:00 WIB)."""

from dataclasses import dataclass
from decimal import Decimal

import pyrage
import pytest
from django.utils import translation

from conftest import pdf_upload
from eproc.bids import services as bids
from eproc.organizations.roles import Role
from eproc.planning import services as planning
from eproc.tenders import services

PLAN = {
    "fiscal_year": 2026,
    "package_name": "Rehabilitasi Jalan Sukaharja",
    "description": "",
    "location": "Kecamatan Delta Pawan",
    "budget": Decimal("2500000000.00"),
    "fund_source": "apbd",
    "procurement_type": "konstruksi",
    "planned_method": "lelang_umum",
    "planned_month": 4,
    "budget_reference": "DPA-SKPD 1.03.01/2026",
}

CLASSIFICATION = {
    "owner_estimate": Decimal("2400000000.00"),
    "category": "konstruksi",
    "method": "lelang_umum",
    "qualification": "pascakualifikasi",
    "file_system": "satu_file",
    "evaluation_method": "gugur",
    "contract_type": "harga_satuan",
    "small_business_reserved": True,
    "qualification_requirements": "SBU Bina Marga (SI001), KD paling kurang Rp2,4 miliar",
    "opening_quorum": 2,
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@dataclass
class World:
    personas: object
    pa: object
    plan_item: object
    chair: object
    member: object
    ppk: object
    identities: dict

    def tender(self, **overrides):
        return services.create_tender(
            actor=self.chair,
            plan_item=self.plan_item,
            ppk=self.ppk,
            committee=[self.member],
            **{**CLASSIFICATION, **overrides},
        )

    def scheduled(self, **overrides):
        tender = self.tender(**overrides)
        services.set_schedule(actor=self.chair, tender=tender, slots=services.propose_schedule(tender))
        services.add_document(
            actor=self.chair,
            tender=tender,
            kind="dokumen_pengadaan",
            title="Dokumen Pemilihan",
            upload=pdf_upload("dokumen-pemilihan.pdf"),
        )
        return tender

    def announced(self, **overrides):
        tender = self.scheduled(**overrides)
        services.request_approval(actor=self.chair, tender=tender)
        services.decide_approval(actor=self.ppk, tender=tender, approve=True)
        return services.announce(actor=self.chair, tender=tender)


@pytest.fixture
def world(personas):
    pa = personas.make(Role.PA, personas.agency_a, personas.unit_a)
    item = planning.create_item(actor=pa, work_unit=personas.unit_a, **PLAN)
    planning.announce(actor=pa, item=item)
    item.refresh_from_db()
    chair = personas.make(Role.POKJA, personas.agency_a)
    member = personas.make(Role.POKJA, personas.agency_a)
    identities = {}
    for person in (chair, member):
        identity = pyrage.x25519.Identity.generate()
        bids.register_committee_key(actor=person, recipient=str(identity.to_public()))
        identities[person.pk] = identity
    ppk = personas.make(Role.PPK, personas.agency_a, personas.unit_a)
    return World(personas, pa, item, chair, member, ppk, identities)
