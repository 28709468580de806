"""Pages of the sealed-bid flow: who sees which part, and the committee's own forms."""

import pyrage
import pytest
from django.urls import reverse

from conftest import give_totp
from eproc.bids.models import CommitteeKey, SealedBox
from eproc.organizations.roles import Role

from .conftest import OPENING, seal, send, submit_share

pytestmark = pytest.mark.django_db


def test_a_committee_member_registers_and_rotates_a_key_through_the_api(client, personas):
    pokja = personas.make(Role.POKJA)
    give_totp(pokja)
    client.force_login(pokja)
    url = reverse("bids:api_committee_key")
    first = str(pyrage.x25519.Identity.generate().to_public())
    second = str(pyrage.x25519.Identity.generate().to_public())
    assert client.post(url, {"recipient": first}, content_type="application/json").status_code == 201
    assert client.post(url, {"recipient": second}, content_type="application/json").status_code == 201
    keys = CommitteeKey.objects.filter(user=pokja)
    assert keys.get(retired_at__isnull=True).recipient == second
    assert keys.get(retired_at__isnull=False).recipient == first
    refused = client.post(url, {"recipient": "AGE-SECRET-KEY-1NOTAPUBLICKEY"}, content_type="application/json")
    assert refused.status_code == 400 and "age1" in refused.json()["error"]


def test_only_committee_members_have_a_committee_key_page(client, personas):
    ppk = personas.make(Role.PPK)
    client.force_login(ppk)
    assert client.get(reverse("bids:committee_key")).status_code == 404
    assert (
        client.post(reverse("bids:api_committee_key"), {"recipient": "x"}, content_type="application/json").status_code
        == 404
    )


def test_an_api_call_without_the_required_second_factor_gets_json_not_a_redirect(client, personas):
    pokja = personas.make(Role.POKJA)
    client.force_login(pokja)
    response = client.post(reverse("bids:api_committee_key"), {}, content_type="application/json")
    assert response.status_code == 403 and "error" in response.json()


def test_the_committee_creates_a_box_through_the_form(client, committee, bidder, personas):
    client.force_login(committee[0].user)
    response = client.post(
        reverse("bids:box_create"),
        {
            "agency": personas.agency_a.public_id,
            "reference": "SPSE-2026-100",
            "title": "Jalan Desa",
            "envelope": "single",
            "members": [m.user.public_id for m in committee[:3]],
            "threshold": "2",
            "upload_opens_at": "2026-03-02T08:00",
            "deadline": "2026-03-09T13:00",
            "grace_minutes": "60",
            "opening_at": "2026-03-09T15:00",
            "bidder_emails": bidder.email,
        },
    )
    box = SealedBox.objects.get(reference="SPSE-2026-100")
    assert response.status_code == 302
    assert box.shares.count() == 3 and box.threshold == 2 and list(box.bidders.all()) == [bidder]
    assert box.recipient.startswith("age1")


def test_a_box_form_with_an_opening_inside_the_grace_period_explains_itself(client, committee, personas):
    client.force_login(committee[0].user)
    response = client.post(
        reverse("bids:box_create"),
        {
            "agency": personas.agency_a.public_id,
            "reference": "SPSE-2026-101",
            "title": "X",
            "envelope": "single",
            "members": [committee[0].user.public_id],
            "threshold": "1",
            "upload_opens_at": "2026-03-02T08:00",
            "deadline": "2026-03-09T13:00",
            "grace_minutes": "60",
            "opening_at": "2026-03-09T13:30",
        },
    )
    assert response.status_code == 200
    assert not SealedBox.objects.filter(reference="SPSE-2026-101").exists()


def test_the_box_page_is_public_and_shows_each_person_their_part(client, make_box, committee, bidder, personas):
    box = make_box()
    url = reverse("bids:box_detail", args=[box.public_id])
    public = client.get(url).content.decode()
    assert box.recipient in public and f"age -r {box.recipient}" in public
    assert 'id="bid-submit"' not in public and 'id="bid-open"' not in public
    client.force_login(bidder)
    assert 'id="bid-submit"' in client.get(url).content.decode()
    client.force_login(committee[0].user)
    assert 'id="bid-submit"' not in client.get(url).content.decode()


def test_after_the_opening_members_download_plaintext_and_others_cannot(
    client, make_box, committee, bidder, pinned_time, personas
):
    box = make_box(threshold=1)
    client.force_login(bidder)
    send(client, box, seal(box, b"isi penawaran"))
    pinned_time.move_to(OPENING)
    submit_share(client, committee[0], box)
    envelope = box.envelopes.get()
    url = reverse("bids:opened_plaintext", args=[envelope.public_id])
    client.force_login(committee[1].user)
    assert b"".join(client.get(url).streaming_content) == b"isi penawaran"
    client.force_login(bidder)
    assert client.get(url).status_code == 404
    auditor_b = personas.make(Role.AUDITOR, personas.agency_b)
    client.force_login(auditor_b)
    assert client.get(url).status_code == 404
    auditor_a = personas.make(Role.AUDITOR, personas.agency_a)
    client.force_login(auditor_a)
    assert client.get(url).status_code == 200


def test_an_early_share_is_recorded_as_a_refused_attempt(client, make_box, committee):
    from eproc.audit.models import AuditEvent

    box = make_box(threshold=1)
    response = submit_share(client, committee[0], box)
    assert response.status_code == 400
    assert AuditEvent.objects.filter(action="bids.share.refused_early", object_id=box.public_id).exists()


def test_committee_members_are_told_of_each_share(
    client, make_box, committee, pinned_time, mailoutbox, django_capture_on_commit_callbacks
):
    box = make_box(threshold=3)
    pinned_time.move_to(OPENING)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = submit_share(client, committee[0], box)
    assert response.status_code == 200, response.json()
    assert callbacks
    assert {message.to[0] for message in mailoutbox} == {m.user.email for m in committee}
    assert committee[0].user.full_name in mailoutbox[0].body


def test_the_signing_key_command_prints_a_usable_key(capsys):
    from django.core.management import call_command

    from eproc.bids import receipts

    call_command("bids_signing_key")
    output = capsys.readouterr().out.splitlines()
    key = receipts.signing_key_from_text(output[0].removeprefix("EPROC_SIGNING_KEY="))
    assert output[1] == f"# public key: {receipts.public_key_to_text(key.public_key())}"
