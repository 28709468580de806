"""The public JSON API (issue 8.4) read against the demo data: what the public pages show, nothing more."""

from decimal import Decimal

import pytest
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.test import Client

from eproc.evaluation.models import Bid, Evaluation
from eproc.planning.models import PlanItem
from eproc.tenders.models import Participant, Tender

from .conftest import signed_in

API = "/api/v1"


def get(path, client=None, **params):
    response = (client or Client()).get(API + path, params)
    return response


def test_the_schema_is_served_at_api_v1_openapi_json_and_names_every_resource(api_demo):
    schema = get("/openapi.json").json()
    assert schema["info"]["title"] == "eproc"
    assert schema["info"]["version"] == "1"
    paths = set(schema["paths"])
    for path in (
        "/api/v1/plan-items",
        "/api/v1/tenders",
        "/api/v1/tenders/{public_id}",
        "/api/v1/tenders/{public_id}/documents",
        "/api/v1/tenders/{public_id}/schedule-changes",
        "/api/v1/tenders/{public_id}/participants",
        "/api/v1/tenders/{public_id}/result",
        "/api/v1/winners",
        "/api/v1/vendors",
    ):
        assert path in paths


def test_the_docs_page_loads_nothing_from_a_cdn(api_demo):
    response = get("/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert 'src="http' not in html and 'href="http' not in html


def test_it_lists_only_announced_plan_items_and_filters_them(api_demo):
    body = get("/plan-items", limit=100).json()
    public_ids = {item["public_id"] for item in body["items"]}
    announced = PlanItem.objects.filter(announced_at__isnull=False, withdrawn_at__isnull=True)
    assert body["count"] == announced.count()
    assert public_ids == set(announced.values_list("public_id", flat=True)[:100])
    draft = PlanItem.objects.filter(announced_at__isnull=True).first()
    if draft is not None:
        assert draft.public_id not in public_ids
        assert get(f"/plan-items/{draft.public_id}").status_code == 404
    item = announced.first()
    by_unit = get("/plan-items", work_unit=item.work_unit.public_id).json()
    assert by_unit["count"] == announced.filter(work_unit=item.work_unit).count()
    assert {row["work_unit"]["public_id"] for row in by_unit["items"]} == {item.work_unit.public_id}
    by_agency = get("/plan-items", agency=item.agency.code, year=item.fiscal_year, type=item.procurement_type).json()
    assert (
        by_agency["count"]
        == announced.filter(
            agency=item.agency, fiscal_year=item.fiscal_year, procurement_type=item.procurement_type
        ).count()
    )
    assert get("/plan-items", agency="NOPE").json()["count"] == 0
    detail = get(f"/plan-items/{item.public_id}").json()
    assert detail["budget"] == f"{item.budget:.2f}"
    assert detail["pa_name"] == item.pa_name


def test_it_lists_only_announced_tenders_with_search_filters_and_a_maximum_page(api_demo):
    body = get("/tenders", limit=100).json()
    listed = {row["public_id"] for row in body["items"]}
    assert listed == set(Tender.objects.filter(announced_at__isnull=False).values_list("public_id", flat=True))
    assert api_demo.tender_draft.public_id not in listed
    assert get("/tenders", q="Excavator").json()["items"][0]["public_id"] == api_demo.tender_evaluation.public_id
    in_objections = get("/tenders", stage="masa_sanggah").json()
    assert [row["public_id"] for row in in_objections["items"]] == [api_demo.tender_sanggah.public_id]
    contracted = get("/tenders", state="contracted").json()
    assert [row["public_id"] for row in contracted["items"]] == [api_demo.tender_finished.public_id]
    assert get("/tenders", category="barang", method="lelang_umum", year=2026).status_code == 200
    assert get("/tenders", work_unit=api_demo.tender_upload.work_unit.public_id).json()["count"] >= 1
    page = get("/tenders", limit=2, offset=1).json()
    assert (page["count"], page["limit"], page["offset"], len(page["items"])) == (body["count"], 2, 1, 2)
    assert get("/tenders", limit=101).status_code == 422


def test_a_tender_shows_its_schedule_and_documents_without_a_download(api_demo):
    tender = api_demo.tender_upload
    body = get(f"/tenders/{tender.public_id}").json()
    assert [row["stage"] for row in body["schedule"]] == list(tender.stages.values_list("stage", flat=True))
    assert {"upload_dokumen_penawaran", "download_dokumen_pengadaan"} == {
        row["stage"] for row in body["current_stages"]
    }
    assert body["announcement_pdf"].endswith(f"/lelang/{tender.public_id}/pengumuman.pdf")
    assert body["bids_public"] is False
    documents = get(f"/tenders/{tender.public_id}/documents").json()
    assert [row["version"] for row in documents] == list(tender.documents.values_list("version", flat=True))
    assert "/dokumen/" not in str(documents)  # the files need a login: no download link here


def test_a_draft_tender_is_not_found_even_for_its_committee(api_demo):
    committee = signed_in(api_demo.pokja)
    for suffix in ("", "/documents", "/participants", "/bids", "/result", "/schedule-changes"):
        assert get(f"/tenders/{api_demo.tender_draft.public_id}{suffix}", committee).status_code == 404


def test_participants_prices_and_result_turn_public_as_on_the_tender_page(api_demo):
    sanggah = api_demo.tender_sanggah
    participants = get(f"/tenders/{sanggah.public_id}/participants").json()
    assert participants["public"] is True
    assert {row["public_id"] for row in participants["items"]} == set(
        sanggah.participants.values_list("vendor__public_id", flat=True)
    )
    bids = get(f"/tenders/{sanggah.public_id}/bids").json()
    assert sorted(row["price"] for row in bids["items"] if row["price"]) == sorted(
        f"{price:.2f}" for price in sanggah.bids.exclude(price=None).values_list("price", flat=True)
    )
    result = get(f"/tenders/{sanggah.public_id}/result").json()
    standing = sanggah.results.get(voided_at=None)
    assert result["public"] is True
    assert result["winner"]["public_id"] == standing.winner.vendor.public_id
    assert result["winning_price"] == f"{standing.winning_price:.2f}"
    assert [row["winner"] for row in result["ranking"]].count(True) == 1
    # Opened but not yet decided: prices are public, the committee's evaluation is not.
    evaluating = api_demo.tender_evaluation
    assert get(f"/tenders/{evaluating.public_id}/participants").json()["public"] is True
    assert get(f"/tenders/{evaluating.public_id}/result").json() == {
        "public": False,
        "winner": None,
        "winning_price": None,
        "reasons": "",
        "announced_at": None,
        "minutes": None,
        "ranking": [],
        "award_letter": None,
        "contract": None,
    }


def test_winners_lists_announced_results_with_their_contracts(api_demo):
    body = get("/winners").json()
    by_tender = {row["tender"]["public_id"]: row for row in body["items"]}
    assert set(by_tender) == {api_demo.tender_sanggah.public_id, api_demo.tender_finished.public_id}
    assert by_tender[api_demo.tender_finished.public_id]["contract"]["number"] == (
        api_demo.tender_finished.contract.number
    )
    assert by_tender[api_demo.tender_sanggah.public_id]["contract"] is None
    assert get("/winners", agency="D201", year=2026).status_code == 200


def test_the_vendor_directory_shows_verified_vendors_with_public_fields_only(api_demo):
    body = get("/vendors", limit=100).json()
    names = {row["name"] for row in body["items"]}
    assert "CV Maju Bersama" in names
    assert "PT Khatulistiwa Konstruksi" not in names  # waiting for verification
    assert set(body["items"][0]) == {
        "public_id",
        "name",
        "city",
        "is_small_business",
        "business_fields",
        "licences_in_force",
        "sanctioned",
    }
    assert "@" not in str(body)  # no e-mail of a company or of its people


def test_errors_are_json_with_an_indonesian_and_an_english_message(api_demo):
    missing = get("/tenders/0000000000000000")
    assert missing.status_code == 404
    assert set(missing.json()) == {"detail", "message_id", "message_en"}
    assert missing.json()["message_en"] == "Not found: it does not exist or is not public."
    assert missing.json()["detail"] == missing.json()["message_id"]  # Indonesian is the site's default
    invalid = get("/tenders", year="last")
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["loc"] == ["query", "year"]
    assert invalid.json()["message_en"].startswith("The request is not valid")
    anonymous = Client().post(f"{API}/tenders/{api_demo.tender_open.public_id}/join")
    assert anonymous.status_code == 401
    assert anonymous.json()["message_en"] == "Sign in first: this action needs an account."
    english = Client()
    english.cookies["django_language"] = "en"
    assert english.get(f"{API}/tenders/0000000000000000").json()["detail"] == missing.json()["message_en"]


def _with_csrf(client) -> str:
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    return _mask_cipher_secret(secret)


def test_a_verified_vendor_joins_a_tender_through_the_api_with_its_session_and_csrf_token(api_demo):
    tender = api_demo.tender_open
    client = signed_in(api_demo.vendor_user, enforce_csrf_checks=True)
    url = f"{API}/tenders/{tender.public_id}/join"
    refused = client.post(url)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["message_en"]
    assert not Participant.objects.filter(tender=tender).exists()
    token = _with_csrf(client)
    joined = client.post(url, HTTP_X_CSRFTOKEN=token)
    assert joined.status_code == 201, joined.content
    assert joined.json()["vendor"]["name"] == "CV Maju Bersama"
    assert tender.participants.filter(vendor__name="CV Maju Bersama").exists()
    again = client.post(url, HTTP_X_CSRFTOKEN=token)
    assert again.status_code == 409
    assert again.json()["message_en"] == "Your company has already joined this tender."
    assert again.json()["message_id"] != ""


@pytest.mark.parametrize("who", ["pokja", "pending_vendor_user"])
def test_it_refuses_a_join_by_someone_the_page_would_refuse(api_demo, who):
    client = signed_in(getattr(api_demo, who))
    response = client.post(f"{API}/tenders/{api_demo.tender_open.public_id}/join")
    # Not a vendor: 404, as the page. A vendor waiting for verification: the service's reason.
    assert response.status_code == (404 if who == "pokja" else 409)
    assert not api_demo.tender_open.participants.exists()


def test_nothing_private_appears_on_any_endpoint_before_the_opening(api_demo):
    """Issue 8: walk every GET operation of the schema, for the tender in its bid upload, with a bid and an
    evaluation draft planted in the database as if the opening had happened early: neither a price, nor the draft,
    nor a vendor document, nor who takes part may appear anywhere."""
    tender = api_demo.tender_upload
    participant = tender.participants.select_related("vendor").get()
    vendor = participant.vendor
    bid = Bid.objects.create(
        tender=tender,
        participant=participant,
        status=Bid.Status.READ,
        price=Decimal("987654321.00"),
        declared={"single": {"harga": "987654321"}},
        files=[{"name": "penawaran-rahasia.pdf"}],
        read_at=tender.announced_at,
    )
    Evaluation.objects.create(
        bid=bid,
        administrative_passed=False,
        administrative_reason="DRAF-EVALUASI-RAHASIA",
        updated_by=api_demo.pokja,
        updated_at=tender.announced_at,
    )
    secrets = ["987654321", "penawaran-rahasia", "DRAF-EVALUASI-RAHASIA"]
    secrets += [document.original_name for document in vendor.documents.all()]
    secrets += [document.sha256 for document in vendor.documents.all()]
    identity = [vendor.public_id, vendor.name, vendor.npwp]
    schema = get("/openapi.json").json()
    walked = 0
    for client in (Client(), signed_in(api_demo.vendor_user)):
        for path, operations in schema["paths"].items():
            if "get" not in operations:
                continue
            url = path.replace("{public_id}", tender.public_id)
            text = client.get(url).content.decode()
            walked += 1
            for secret in secrets:
                assert secret not in text, f"{secret} leaks at {url}"
            if "{public_id}" in path or path.endswith("/tenders"):
                for value in identity:
                    assert value not in text, f"the participant {value} leaks at {url}"
    assert walked >= 2 * 10
