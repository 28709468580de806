"""The compliance monitor of Pasal 15 on fixture years: 2011 (Pasal 15(2): at least one goods package above
Rp200 juta tendered electronically through the LPSE) and 2012 (Pasal 15(1): all procurement electronic), with
complying and non-complying work units, their adoption plans (Pasal 15(3)-(4)) and a later year's rule as a new row."""

from datetime import date
from decimal import Decimal

import pyrage
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import give_totp, pdf_upload
from eproc.audit.models import AuditEvent
from eproc.bids import services as bids
from eproc.monitoring import selectors, services
from eproc.monitoring.models import AdoptionPlan, ComplianceRule
from eproc.organizations import services as organizations
from eproc.organizations.roles import Role
from eproc.planning import services as planning
from eproc.tenders import services as tenders

pytestmark = pytest.mark.django_db

CLASSIFICATION = {
    "method": "lelang_umum",
    "qualification": "pascakualifikasi",
    "file_system": "satu_file",
    "evaluation_method": "gugur",
    "small_business_reserved": True,
    "qualification_requirements": "SIUP",
    "opening_quorum": 1,
}
CATEGORY = {"barang": ("barang", "lump_sum"), "konstruksi": ("konstruksi", "harga_satuan")}


class Regency:
    """Agency A with three work units (PUPR, Kesehatan, Pendidikan), each with its PA and PPK, and one Pokja."""

    def __init__(self, personas):
        self.personas = personas
        admin = personas.lpse_admin
        self.pupr = personas.unit_a
        self.health = organizations.create_work_unit(
            actor=admin, agency=personas.agency_a, name="Dinas Kesehatan", address="Jl. Sudirman"
        )
        self.school = organizations.create_work_unit(
            actor=admin, agency=personas.agency_a, name="Dinas Pendidikan", address="Jl. Merdeka"
        )
        self.pa = {unit.pk: personas.make(Role.PA, personas.agency_a, unit) for unit in self.units}
        self.ppk = {unit.pk: personas.make(Role.PPK, personas.agency_a, unit) for unit in self.units}
        self.chair = personas.make(Role.POKJA, personas.agency_a)
        identity = pyrage.x25519.Identity.generate()
        bids.register_committee_key(actor=self.chair, recipient=str(identity.to_public()))

    @property
    def units(self):
        return [self.pupr, self.health, self.school]

    def item(self, unit, year, kind, budget, method="lelang_umum"):
        item = planning.create_item(
            actor=self.pa[unit.pk],
            work_unit=unit,
            fiscal_year=year,
            package_name=f"Paket {kind} {budget} {year} {unit.name}",
            description="",
            location="Ketapang",
            budget=Decimal(budget),
            fund_source="apbd",
            procurement_type=kind,
            planned_method=method,
            planned_month=5,
            budget_reference=f"DPA {year}",
        )
        return planning.announce(actor=self.pa[unit.pk], item=item)

    def tendered(self, unit, year, kind, budget):
        item = self.item(unit, year, kind, budget)
        category, contract_type = CATEGORY[kind]
        tender = tenders.create_tender(
            actor=self.chair,
            plan_item=item,
            ppk=self.ppk[unit.pk],
            owner_estimate=Decimal(budget) * Decimal("0.95"),
            category=category,
            contract_type=contract_type,
            **CLASSIFICATION,
        )
        tenders.set_schedule(actor=self.chair, tender=tender, slots=tenders.propose_schedule(tender))
        tenders.add_document(
            actor=self.chair, tender=tender, kind="dokumen_pengadaan", title="Dokumen", upload=pdf_upload("dok.pdf")
        )
        tenders.request_approval(actor=self.chair, tender=tender)
        tenders.decide_approval(actor=self.ppk[unit.pk], tender=tender, approve=True)
        tenders.announce(actor=self.chair, tender=tender)
        return item


@pytest.fixture
def regency(personas):
    world = Regency(personas)
    # 2011 (Pasal 15(2)): PUPR tenders a goods package of Rp350 juta: complies. Kesehatan tenders goods of exactly
    # Rp200 juta (not "above") and a construction package: does not comply. Pendidikan announces goods of Rp300 juta
    # but runs it outside the system: does not comply.
    world.tendered(world.pupr, 2011, "barang", 350_000_000)
    world.tendered(world.health, 2011, "barang", 200_000_000)
    world.tendered(world.health, 2011, "konstruksi", 900_000_000)
    world.item(world.school, 2011, "barang", 300_000_000)
    # 2012 (Pasal 15(1)): PUPR tenders both of its packages; Kesehatan one of two; Pendidikan plans only
    # self-managed work (swakelola), which has nothing to tender.
    world.tendered(world.pupr, 2012, "barang", 150_000_000)
    world.tendered(world.pupr, 2012, "konstruksi", 1_200_000_000)
    world.tendered(world.health, 2012, "barang", 400_000_000)
    world.unplanned = world.item(world.health, 2012, "konstruksi", 800_000_000)
    world.item(world.school, 2012, "barang", 50_000_000, method="swakelola")
    return world


def _by_unit(year):
    return {result.work_unit.pk: result for result in selectors.compliance(year)}


def test_the_seeded_rules_name_pasal_15_and_a_later_rule_replaces_them_from_its_year():
    assert [rule.code for rule in selectors.rules_for(2011)] == ["pasal-15-2-2011"]
    assert [rule.code for rule in selectors.rules_for(2012)] == ["pasal-15-1-2012"]
    assert [rule.code for rule in selectors.rules_for(2030)] == ["pasal-15-1-2012"]
    assert selectors.rules_for(2010) == []
    rule_2011 = ComplianceRule.objects.get(code="pasal-15-2-2011")
    assert "Pasal 15 ayat (2)" in rule_2011.article
    assert (rule_2011.kind, rule_2011.procurement_type, rule_2011.value_above, rule_2011.min_count) == (
        "min_packages",
        "barang",
        Decimal("200000000.00"),
        1,
    )
    assert ComplianceRule.objects.get(code="pasal-15-1-2012").min_share_percent == 100


def test_in_2011_a_work_unit_complies_with_one_goods_package_above_200_juta_tendered_electronically(regency):
    results = _by_unit(2011)
    pupr, health, school = (results[unit.pk] for unit in regency.units)
    assert pupr.complies is True
    assert (pupr.checks[0].eligible, pupr.checks[0].electronic) == (1, 1)
    # Exactly Rp200.000.000 is not "diatas Rp200.000.000"; a construction package does not count either.
    assert health.complies is False
    assert (health.checks[0].eligible, health.checks[0].electronic) == (0, 0)
    assert health.electronic == 2
    # Announced in the plan but not run through the LPSE.
    assert school.complies is False
    assert (school.checks[0].eligible, school.checks[0].electronic) == (1, 0)
    assert all(check.rule.article.endswith("Pasal 15 ayat (2)") for check in pupr.checks)


def test_from_2012_every_planned_package_must_be_tendered_electronically(regency):
    results = _by_unit(2012)
    pupr, health, school = (results[unit.pk] for unit in regency.units)
    assert pupr.complies is True and pupr.checks[0].share_percent == Decimal("100.00")
    assert health.complies is False
    assert (health.checks[0].eligible, health.checks[0].electronic, health.checks[0].share_percent) == (
        2,
        1,
        Decimal("50.00"),
    )
    # Swakelola only: nothing to tender, so nothing to judge.
    assert school.complies is None and school.checks[0].eligible == 0
    assert all(check.rule.article.endswith("Pasal 15 ayat (1)") for check in health.checks)


def test_the_monitor_compares_each_adoption_plan_with_what_was_tendered(regency):
    health_items = list(selectors.plannable_items(regency.health, 2012))
    assert len(health_items) == 2
    plan = services.save_adoption_plan(
        actor=regency.pa[regency.health.pk],
        work_unit=regency.health,
        fiscal_year=2012,
        stages=["pengumuman", "dokumen", "penawaran"],
        planned_count=2,
        plan_items=health_items,
        coordinated_on=date(2012, 1, 10),
        note="Tahap pertama",
    )
    admin_agency = regency.personas.make(Role.ADMIN_AGENCY, regency.personas.agency_a)
    services.save_adoption_plan(
        actor=admin_agency, work_unit=regency.pupr, fiscal_year=2012, stages=["pengumuman"], planned_count=1
    )
    results = _by_unit(2012)
    health, pupr = results[regency.health.pk], results[regency.pupr.pk]
    assert health.plan == plan and health.planned_items == 2 and health.planned_items_done == 1
    assert health.on_plan is False
    assert pupr.on_plan is True and results[regency.school.pk].on_plan is None
    assert AuditEvent.objects.filter(action="monitoring.adoption_plan_created", object_id=plan.public_id).exists()
    # Saving again replaces the plan of that year; the audit trail keeps both versions.
    services.save_adoption_plan(
        actor=regency.pa[regency.health.pk],
        work_unit=regency.health,
        fiscal_year=2012,
        stages=["pengumuman"],
        planned_count=1,
        plan_items=[],
    )
    assert AdoptionPlan.objects.filter(work_unit=regency.health).count() == 1
    assert AuditEvent.objects.filter(action="monitoring.adoption_plan_changed").count() == 1


def test_a_plan_is_made_only_for_ones_own_work_unit_and_its_announced_packages(regency):
    pa_pupr = regency.pa[regency.pupr.pk]
    with pytest.raises(PermissionDenied):
        services.save_adoption_plan(
            actor=pa_pupr, work_unit=regency.health, fiscal_year=2012, stages=["pengumuman"], planned_count=1
        )
    with pytest.raises(ValidationError):
        services.save_adoption_plan(
            actor=pa_pupr,
            work_unit=regency.pupr,
            fiscal_year=2012,
            stages=["pengumuman"],
            planned_count=1,
            plan_items=[regency.unplanned],  # Kesehatan's package
        )
    with pytest.raises(ValidationError):
        services.save_adoption_plan(actor=pa_pupr, work_unit=regency.pupr, fiscal_year=2012, stages=[], planned_count=1)
    assert not AdoptionPlan.objects.exists()


def test_a_later_years_policy_is_a_new_rule_and_earlier_years_keep_theirs(regency):
    admin = regency.personas.lpse_admin
    services.save_rule(
        actor=admin,
        code="kebijakan-2013",
        year_from=2013,
        article="Perbup Ketapang 8/2011 Pasal 15 ayat (1) (kebijakan 2013)",
        description="Paling sedikit 50% paket dilelangkan secara elektronik.",
        kind="electronic_share",
        min_share_percent=50,
    )
    regency.tendered(regency.health, 2013, "barang", 300_000_000)
    regency.item(regency.health, 2013, "barang", 250_000_000)
    assert _by_unit(2013)[regency.health.pk].complies is True  # 50% meets the 2013 policy
    assert _by_unit(2012)[regency.health.pk].complies is False  # 2012 is still judged by the 2012 rule
    assert AuditEvent.objects.filter(action="monitoring.rule_created").exists()
    with pytest.raises(PermissionDenied):
        services.save_rule(
            actor=regency.personas.make(Role.KEPALA_LPSE),
            code="x",
            year_from=2014,
            article="x",
            description="x",
            kind="electronic_share",
            min_share_percent=10,
        )


def test_the_monitor_page_shows_who_complies_and_who_does_not_with_the_article(client, regency):
    head = regency.personas.make(Role.KEPALA_LPSE)
    give_totp(head)
    client.force_login(head)
    page = client.get(reverse("monitoring:compliance") + "?tahun=2011").content.decode()
    assert "Pasal 15 ayat (2)" in page
    assert f'data-work-unit="{regency.pupr.public_id}" data-complies="yes"' in page
    assert f'data-work-unit="{regency.health.public_id}" data-complies="no"' in page
    assert f'data-work-unit="{regency.school.public_id}" data-complies="no"' in page
    page = client.get(reverse("monitoring:compliance") + "?tahun=2012").content.decode()
    assert "Pasal 15 ayat (1)" in page
    assert f'data-work-unit="{regency.school.public_id}" data-complies="none"' in page


def test_the_pa_records_the_plan_through_the_form(client, regency):
    pa = regency.pa[regency.health.pk]
    client.force_login(pa)
    url = reverse("monitoring:adoption_plan", args=[regency.health.public_id]) + "?tahun=2012"
    page = client.get(url)
    assert page.status_code == 200 and regency.unplanned.package_name in page.content.decode()
    response = client.post(
        url,
        {
            "stages": ["pengumuman", "penawaran"],
            "planned_count": "2",
            "plan_items": [regency.unplanned.pk],
            "coordinated_on": "2012-01-10",
            "note": "Koordinasi dengan LPSE",
        },
    )
    assert response.status_code == 302
    plan = AdoptionPlan.objects.get(work_unit=regency.health, fiscal_year=2012)
    assert plan.stages == ["pengumuman", "penawaran"] and list(plan.plan_items.all()) == [regency.unplanned]
    assert client.get(reverse("monitoring:adoption_plans")).status_code == 200
    # Another unit's plan is not this PA's: it does not exist for them.
    other = reverse("monitoring:adoption_plan", args=[regency.pupr.public_id])
    assert client.get(other).status_code == 404
    assert client.post(other, {"stages": ["pengumuman"], "planned_count": "1"}).status_code == 404
