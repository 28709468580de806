"""The tender pages end to end through the test client: the committee's workspace, the PPK's approval, the public
announcement, joining, downloading and the explanation session (Pasal 7(3)-(4))."""

from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from conftest import give_totp
from eproc.organizations.roles import Role
from eproc.tenders import lifecycle, services
from eproc.tenders.lifecycle import Stage
from eproc.tenders.models import DocumentDownload, Tender

pytestmark = pytest.mark.django_db


def _client(client, user):
    # Committees and PPKs must have two-factor authentication set up (RequireMfaMiddleware).
    if not Authenticator.objects.filter(user=user).exists():
        give_totp(user)
    client.force_login(user)
    return client


def test_the_committee_makes_a_package_from_an_announced_plan_item_through_the_form(world, client, pinned_time):
    _client(client, world.chair)
    response = client.post(
        reverse("tenders:create"),
        {
            "plan_item": world.plan_item.public_id,
            "owner_estimate": "Rp2.400.000.000,00",
            "category": "konstruksi",
            "method": "lelang_umum",
            "qualification": "pascakualifikasi",
            "file_system": "satu_file",
            "evaluation_method": "gugur",
            "contract_type": "harga_satuan",
            "small_business_reserved": "on",
            "committee": [world.member.pk],
            "ppk": world.ppk.pk,
            "opening_quorum": 2,
        },
    )
    tender = Tender.objects.get()
    assert response.status_code == 302 and response.url == reverse("tenders:manage", args=[tender.public_id])
    assert tender.title == world.plan_item.package_name and set(tender.committee.all()) == {world.chair, world.member}


def test_the_form_shows_the_article_when_a_method_breaks_its_ceiling(world, client, pinned_time):
    _client(client, world.chair)
    response = client.post(
        reverse("tenders:create"),
        {
            "plan_item": world.plan_item.public_id,
            "owner_estimate": "Rp2.400.000.000,00",
            "category": "konstruksi",
            "method": "pengadaan_langsung",
            "qualification": "prakualifikasi",
            "file_system": "satu_file",
            "evaluation_method": "gugur",
            "contract_type": "harga_satuan",
            "small_business_reserved": "on",
            "ppk": world.ppk.pk,
            "opening_quorum": 1,
        },
    )
    assert response.status_code == 200
    assert "Pasal 39(1)" in response.content.decode()
    assert not Tender.objects.exists()


def test_the_ppk_approves_on_the_workspace_and_the_committee_announces(world, client, pinned_time):
    tender = world.scheduled()
    services.request_approval(actor=world.chair, tender=tender)
    _client(client, world.ppk)
    page = client.get(reverse("tenders:manage", args=[tender.public_id]))
    assert reverse("tenders:decide_approval", args=[tender.public_id]).encode() in page.content
    client.post(reverse("tenders:decide_approval", args=[tender.public_id]), {"decision": "approve", "note": ""})
    _client(client, world.chair)
    client.post(reverse("tenders:announce", args=[tender.public_id]))
    tender.refresh_from_db()
    assert tender.announced_at is not None
    public = client.get(reverse("tenders:detail", args=[tender.public_id]))
    assert public.status_code == 200 and tender.method_label.encode() in public.content


def test_a_vendor_joins_downloads_and_asks_during_the_explanation_session(world, client, pinned_time):
    tender = world.announced()
    vendor, user = world.personas.vendor("CV Tepian Jaya")
    _client(client, user)
    window = lifecycle.window_of(tender, Stage.ANNOUNCEMENT_POST)
    pinned_time.move_to(window.starts_at + timedelta(minutes=5))
    detail = client.get(reverse("tenders:detail", args=[tender.public_id]))
    assert reverse("tenders:join", args=[tender.public_id]).encode() in detail.content
    client.post(reverse("tenders:join", args=[tender.public_id]))
    document = tender.documents.get()
    response = client.get(reverse("tenders:download", args=[tender.public_id, document.public_id]))
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert DocumentDownload.objects.filter(document=document, vendor=vendor).count() == 1

    clarification = lifecycle.window_of(tender, Stage.CLARIFICATION)
    pinned_time.move_to(clarification.starts_at + timedelta(minutes=1))
    _client(client, user)  # days later: the idle session has expired
    asked = client.post(
        reverse("tenders:clarification", args=[tender.public_id]),
        {"section": "spesifikasi", "text": "Apakah aspal AC-WC boleh diganti HRS-WC?"},
    )
    assert asked.url == reverse("tenders:clarification", args=[tender.public_id])
    question = tender.questions.get()
    _client(client, world.chair)
    client.post(reverse("tenders:answer", args=[tender.public_id, question.public_id]), {"answer": "Tidak boleh."})
    client.post(reverse("tenders:close_clarification", args=[tender.public_id]))
    tender.refresh_from_db()
    assert tender.clarification_minutes_sha256
    other_vendor, other_user = world.personas.vendor("CV Lain")
    pinned_time.move_to(window.starts_at + timedelta(minutes=6))
    _client(client, other_user)
    # The other vendor is not a participant: no questions page, no download.
    assert client.get(reverse("tenders:clarification", args=[tender.public_id])).status_code == 404
    assert client.get(reverse("tenders:download", args=[tender.public_id, document.public_id])).status_code == 404


def test_agency_side_users_of_another_agency_get_404_on_the_workspace(world, client, pinned_time):
    tender = world.scheduled()
    outsider = world.personas.make(Role.POKJA, world.personas.agency_b)
    _client(client, outsider)
    for name in ("manage", "edit", "schedule"):
        assert client.get(reverse(f"tenders:{name}", args=[tender.public_id])).status_code == 404
    assert client.get(reverse("tenders:detail", args=[tender.public_id])).status_code == 404  # not announced yet
    response = client.post(reverse("tenders:announce", args=[tender.public_id]))
    assert response.status_code == 404


def test_pages_render_for_every_role_without_error(world, client, pinned_time):
    tender = world.announced()
    for user in (world.chair, world.ppk, world.pa):
        _client(client, user)
        for name in ("manage", "schedule"):
            response = client.get(reverse(f"tenders:{name}", args=[tender.public_id]))
            assert response.status_code in (200, 404)
        assert client.get(reverse("tenders:workspace")).status_code == 200
    client.logout()
    assert client.get(reverse("tenders:public_list")).status_code == 200
    assert client.get(reverse("tenders:detail", args=[tender.public_id])).status_code == 200


def test_the_announcement_prints_for_the_notice_board_once_announced(world, client, pinned_time):
    """Pasal 7(1)c, 7(3)a: the announcement also goes on the official notice board."""
    tender = world.scheduled()
    url = reverse("tenders:announcement_pdf", args=[tender.public_id])
    assert client.get(url).status_code == 404
    services.request_approval(actor=world.chair, tender=tender)
    services.decide_approval(actor=world.ppk, tender=tender, approve=True)
    services.announce(actor=world.chair, tender=tender)
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert response["X-Content-Type-Options"] == "nosniff"
