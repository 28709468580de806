"""Atom feeds for the agencies' websites (Pasal 7(1)c, 7(3)a), read against the demo data."""

import xml.etree.ElementTree as ET

from django.test import Client
from django.urls import reverse

from eproc.api.tests.conftest import api_demo, demo  # noqa: F401 - the demo, loaded once for this module
from eproc.organizations.models import Agency, WorkUnit
from eproc.planning.models import PlanItem
from eproc.tenders.models import Tender

ATOM = "{http://www.w3.org/2005/Atom}"


def _feed(name, public_id):
    response = Client().get(reverse(f"feeds:{name}", args=[public_id]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert (entry.find(f"{ATOM}{required}").text or "").strip()
    return root, entries


def _alternate(entry) -> str:
    return next(link.get("href") for link in entry.findall(f"{ATOM}link") if link.get("rel") == "alternate")


def test_the_agency_feed_of_tenders_is_valid_atom_with_its_announced_tenders_and_their_printable_announcement(
    api_demo,  # noqa: F811
):
    agency = Agency.objects.get(code="D201")
    _root, entries = _feed("agency_tenders", agency.public_id)
    announced = Tender.objects.filter(agency=agency, announced_at__isnull=False)
    assert {_alternate(entry).rstrip("/").rsplit("/", 1)[1] for entry in entries} == set(
        announced.values_list("public_id", flat=True)
    )
    assert api_demo.tender_draft.public_id not in str([_alternate(entry) for entry in entries])
    for entry in entries:
        pdf = [link for link in entry.findall(f"{ATOM}link") if link.get("type") == "application/pdf"]
        assert len(pdf) == 1
        assert pdf[0].get("href").startswith("http://testserver/lelang/")
        assert pdf[0].get("href").endswith("/pengumuman.pdf")
        assert Client().get(pdf[0].get("href")).status_code == 200


def test_the_work_unit_feeds_hold_only_that_work_units_announced_items(api_demo):  # noqa: F811
    unit = api_demo.tender_upload.work_unit
    _root, entries = _feed("work_unit_tenders", unit.public_id)
    expected = Tender.objects.filter(work_unit=unit, announced_at__isnull=False)
    assert len(entries) == expected.count() >= 1
    _root, entries = _feed("work_unit_plan_items", unit.public_id)
    items = PlanItem.objects.filter(work_unit=unit, announced_at__isnull=False, withdrawn_at__isnull=True)
    assert {_alternate(entry).rstrip("/").rsplit("/", 1)[1] for entry in entries} == set(
        items.values_list("public_id", flat=True)
    )
    other = WorkUnit.objects.exclude(pk=unit.pk).filter(plan_items__announced_at__isnull=False).first()
    assert other.plan_items.first().public_id not in str([_alternate(entry) for entry in entries])


def test_the_agency_plan_feed_leaves_out_drafts_and_withdrawn_items(api_demo):  # noqa: F811
    agency = Agency.objects.get(code="D201")
    item = PlanItem.objects.filter(agency=agency, announced_at__isnull=False).first()
    # One announced item withdrawn and one turned back into a draft, directly: neither may be in the feed.
    PlanItem.objects.filter(pk=item.pk).update(withdrawn_at=item.announced_at, withdrawn_reason="Dibatalkan")
    draft = PlanItem.objects.filter(agency=agency, announced_at__isnull=False).exclude(pk=item.pk).first()
    PlanItem.objects.filter(pk=draft.pk).update(announced_at=None)
    _root, entries = _feed("agency_plan_items", agency.public_id)
    listed = {_alternate(entry).rstrip("/").rsplit("/", 1)[1] for entry in entries}
    assert item.public_id not in listed and draft.public_id not in listed
    assert listed == set(
        PlanItem.objects.filter(agency=agency, announced_at__isnull=False, withdrawn_at__isnull=True).values_list(
            "public_id", flat=True
        )[:50]
    )


def test_an_agency_feed_holds_nothing_of_another_agency_and_an_unknown_one_has_no_feed(api_demo):  # noqa: F811
    other = Agency.objects.exclude(code="D201").first()
    _root, entries = _feed("agency_tenders", other.public_id)
    ketapang = set(Tender.objects.filter(agency__code="D201").values_list("public_id", flat=True))
    assert not any(_alternate(entry).rstrip("/").rsplit("/", 1)[1] in ketapang for entry in entries)
    assert Client().get(reverse("feeds:agency_tenders", args=["0000000000000000"])).status_code == 404


def test_the_public_lists_link_the_feed_of_the_chosen_agency_and_work_unit(api_demo):  # noqa: F811
    agency = Agency.objects.get(code="D201")
    page = Client().get(reverse("tenders:public_list"), {"agency": "D201"}).content.decode()
    assert reverse("feeds:agency_tenders", args=[agency.public_id]) in page
    unit = api_demo.tender_upload.work_unit
    page = Client().get(reverse("planning:public_list"), {"work_unit": unit.public_id}).content.decode()
    assert reverse("feeds:work_unit_plan_items", args=[unit.public_id]) in page
