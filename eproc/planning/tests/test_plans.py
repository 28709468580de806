"""The general procurement plan (RUP): the PA records and announces it; announced items are public, filterable
and exportable (Pasal 7(1)a-c, 12)."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from eproc.audit.models import AuditEvent
from eproc.organizations.roles import Role
from eproc.planning import selectors, services
from eproc.planning.models import PlanItem

pytestmark = pytest.mark.django_db

ITEM = {
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


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def pa(personas):
    return personas.make(Role.PA, personas.agency_a, personas.unit_a)


def test_a_pa_records_and_announces_a_plan_item_with_its_name_and_address(pa, personas):
    item = services.create_item(actor=pa, work_unit=personas.unit_a, **ITEM)
    assert not item.is_public
    services.announce(actor=pa, item=item)
    item.refresh_from_db()
    # Pasal 7(1)b: name and address of the PA, the package, the location and the estimated value.
    assert item.pa_name == pa.full_name and item.pa_address == personas.unit_a.address
    assert item in selectors.announced_items()
    assert AuditEvent.objects.filter(action="planning.item_announced", object_id=item.public_id).exists()


def test_an_item_is_announced_only_after_its_budget_is_approved(pa, personas):
    item = services.create_item(actor=pa, work_unit=personas.unit_a, **{**ITEM, "budget_reference": ""})
    with pytest.raises(ValidationError, match="Pasal 7\\(1\\)a"):
        services.announce(actor=pa, item=item)


def test_only_the_budget_holders_of_the_work_unit_plan_for_it(personas):
    other_unit_pa = personas.make(Role.PA, personas.agency_b, personas.unit_b)
    ppk = personas.make(Role.PPK)
    for actor in (other_unit_pa, ppk):
        with pytest.raises(PermissionDenied):
            services.create_item(actor=actor, work_unit=personas.unit_a, **ITEM)
    kpa = personas.make(Role.KPA, personas.agency_a, personas.unit_a)
    assert services.create_item(actor=kpa, work_unit=personas.unit_a, **ITEM).created_by == kpa


@pytest.mark.parametrize(("field", "value"), [("budget", Decimal("0")), ("planned_month", 13), ("fiscal_year", 1990)])
def test_implausible_values_are_refused(pa, personas, field, value):
    with pytest.raises(ValidationError):
        services.create_item(actor=pa, work_unit=personas.unit_a, **{**ITEM, field: value})


def test_a_change_after_announcement_needs_a_reason_and_is_kept_in_public_history(client, pa, personas):
    item = services.announce(actor=pa, item=services.create_item(actor=pa, work_unit=personas.unit_a, **ITEM))
    with pytest.raises(ValidationError):
        services.update_item(actor=pa, item=item, budget=Decimal("2400000000.00"))
    services.update_item(actor=pa, item=item, budget=Decimal("2400000000.00"), reason="Efisiensi anggaran")
    revision = item.revisions.get()
    assert revision.changes["budget"] == {"from": "2500000000.00", "to": "2400000000.00"}
    page = client.get(reverse("planning:detail", args=[item.public_id])).content.decode()
    assert "Efisiensi anggaran" in page


def test_drafts_are_private_and_other_agencies_get_404(client, pa, personas):
    item = services.create_item(actor=pa, work_unit=personas.unit_a, **ITEM)
    url = reverse("planning:detail", args=[item.public_id])
    assert client.get(url).status_code == 404
    client.force_login(personas.make(Role.PPK, personas.agency_b, personas.unit_b))
    assert client.get(url).status_code == 404
    client.force_login(personas.make(Role.PPK, personas.agency_a, personas.unit_a))
    assert client.get(url).status_code == 200
    client.force_login(pa)
    assert client.get(url).status_code == 200


def test_the_public_list_filters_by_agency_work_unit_year_and_type(client, pa, personas):
    pa_b = personas.make(Role.PA, personas.agency_b, personas.unit_b)
    a = services.announce(actor=pa, item=services.create_item(actor=pa, work_unit=personas.unit_a, **ITEM))
    b = services.announce(
        actor=pa_b,
        item=services.create_item(
            actor=pa_b,
            work_unit=personas.unit_b,
            **{**ITEM, "package_name": "Pengadaan Obat", "procurement_type": "barang", "fiscal_year": 2027},
        ),
    )
    draft = services.create_item(actor=pa, work_unit=personas.unit_a, **{**ITEM, "package_name": "Draf Rahasia"})
    page = client.get(reverse("planning:public_list")).content.decode()
    assert a.package_name in page and b.package_name in page and draft.package_name not in page
    for params, expected, absent in [
        ({"agency": "D201"}, a, b),
        ({"work_unit": personas.unit_b.public_id}, b, a),
        ({"year": "2027"}, b, a),
        ({"procurement_type": "konstruksi"}, a, b),
        ({"q": "obat"}, b, a),
    ]:
        page = client.get(reverse("planning:public_list"), params).content.decode()
        assert expected.package_name in page and absent.package_name not in page, params


def test_the_public_plan_exports_as_csv(client, pa, personas):
    services.announce(actor=pa, item=services.create_item(actor=pa, work_unit=personas.unit_a, **ITEM))
    services.create_item(actor=pa, work_unit=personas.unit_a, **{**ITEM, "package_name": "Draf Rahasia"})
    response = client.get(reverse("planning:export_csv"), {"agency": "D201"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["paket"] for row in rows] == [ITEM["package_name"]]
    assert rows[0]["pagu"] == "2500000000.00" and rows[0]["nama_pa"] == pa.full_name


def test_a_pa_uses_the_pages_to_plan_and_announce(client, pa, personas):
    from conftest import give_totp

    give_totp(pa)
    client.force_login(pa)
    response = client.post(
        reverse("planning:create"),
        {
            **{k: v for k, v in ITEM.items() if k != "budget"},
            "budget": "Rp2.500.000.000,00",
            "work_unit": personas.unit_a.public_id,
        },
    )
    item = PlanItem.objects.get()
    assert response.status_code == 302 and item.budget == Decimal("2500000000.00")
    client.post(reverse("planning:announce", args=[item.public_id]))
    item.refresh_from_db()
    assert item.is_public
    assert item.package_name in client.get(reverse("home")).content.decode()  # the latest announcements


def test_a_bad_pagu_on_the_form_explains_itself(client, pa, personas):
    client.force_login(pa)
    response = client.post(
        reverse("planning:create"),
        {
            **{k: v for k, v in ITEM.items() if k != "budget"},
            "budget": "dua milyar",
            "work_unit": personas.unit_a.public_id,
        },
    )
    assert response.status_code == 200 and not PlanItem.objects.exists()
    assert "Invalid rupiah amount" in response.content.decode() or "tidak valid" in response.content.decode()


def test_a_withdrawn_item_leaves_the_public_plan(pa, personas):
    item = services.announce(actor=pa, item=services.create_item(actor=pa, work_unit=personas.unit_a, **ITEM))
    services.withdraw(actor=pa, item=item, reason="Dibatalkan dalam APBD-P")
    assert item not in selectors.announced_items()
    with pytest.raises(PermissionDenied):
        services.update_item(actor=pa, item=PlanItem.objects.get(pk=item.pk), package_name="x", reason="y")


def test_the_demo_plan_loads_once_and_is_public(pinned_time):
    from eproc.organizations.demo import load_demo as load_organizations
    from eproc.planning.demo import DEMO_ITEMS, load_demo

    load_organizations()
    load_demo()
    load_demo()
    assert PlanItem.objects.count() == len(DEMO_ITEMS)
    assert selectors.announced_items().count() == sum(1 for item in DEMO_ITEMS if item[-1])
