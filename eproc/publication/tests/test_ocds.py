"""OCDS publication (issue 8; Pasal 7(1)c, 12): every public change is a release in the feed, nothing private is in
any release before it is public, the feed's cursor neither skips nor repeats, records compile.

The feeds these tests produce are written to var/ocds-feed/ and validated with the official data review tool
(../shared/tools/ocds_check.py) by `make ocds-check`, which CI runs after the suite."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from eproc.evaluation import services as evaluation
from eproc.evaluation.tests.conftest import bid_archive, move_into, open_with, rupiah, submit
from eproc.publication import ocds, records
from eproc.publication.models import OutboxEntry
from eproc.publication.services import enqueue
from eproc.tenders import services as tenders
from eproc.tenders.lifecycle import Stage

pytestmark = pytest.mark.django_db

FEED_DIR = Path(settings.BASE_DIR) / "var" / "ocds-feed"


def write_feed_for_validation(name: str) -> Path:
    """The whole feed as one release package, and every record as a record package, for `make ocds-check`."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")
    FEED_DIR.mkdir(parents=True, exist_ok=True)
    releases = list(records.published().order_by("id").values_list("release", flat=True))
    path = FEED_DIR / f"{name}-releases.json"
    path.write_text(json.dumps(ocds.package(releases, uri=f"https://example.test/{name}", published=_now())))
    ocids = sorted({release["ocid"] for release in releases})
    record_package = ocds.package([], uri=f"https://example.test/{name}/records", published=_now())
    del record_package["releases"]
    record_package["records"] = [records.record(ocid) for ocid in ocids]
    (FEED_DIR / f"{name}-records.json").write_text(json.dumps(record_package))
    return path


def _now():
    from eproc.core import clock

    return clock.now()


def _feed_text() -> str:
    return json.dumps(list(records.published().values_list("release", flat=True)), ensure_ascii=False)


def _read_whole_feed(client, limit=3) -> list[dict]:
    url, seen = reverse("api:ocds_releases") + f"?limit={limit}", []
    while True:
        page = client.get(url).json()
        if not page["releases"]:
            return seen
        seen += page["releases"]
        url = page["links"]["next"]


def test_a_tender_tells_its_whole_story_in_releases_and_hides_bids_until_the_opening(
    world, three_vendors, pinned_time, client
):
    tender = world.announced()
    ocid = ocds.ocid_for(tender.public_id)
    announced = OutboxEntry.objects.get(kind="tender.announced", subject=tender.public_id)
    assert announced.ocid == ocid and announced.release["tag"] == ["tender"]
    assert announced.release["tender"]["value"] == {"amount": int(tender.owner_estimate), "currency": "IDR"}
    assert announced.release["planning"]["budget"]["amount"]["amount"] == int(tender.plan_item.budget)
    assert announced.release["tender"]["procurementMethodDetails"] == tender.method_label

    move_into(pinned_time, tender, Stage.DOCUMENT_DOWNLOAD)
    for _vendor, user in three_vendors:
        tenders.join(actor=user, tender=tender)
    move_into(pinned_time, tender, Stage.BID_UPLOAD)
    box = evaluation.boxes(tender)["single"]
    prices = ("2.200.000.000", "2.150.000.000", "2.512.345.000")
    for (_vendor, user), price in zip(three_vendors, prices, strict=True):
        submit(box, user, bid_archive(tender=tender, envelope="single", price=rupiah(price)))
    # A change published while bids are sealed (a schedule change) must not carry anything about them.
    with transaction.atomic():
        enqueue(kind="tender.schedule_changed", subject=tender.public_id, payload={})
    private = [vendor.name for vendor, _user in three_vendors] + [str(int(rupiah(p))) for p in prices]
    before_opening = _feed_text()
    assert [text for text in private if text in before_opening] == []
    assert '"bids"' not in before_opening and '"tenderers"' not in before_opening

    move_into(pinned_time, tender, Stage.OPENING)
    open_with(box, [world.chair, world.member], world.identities)
    move_into(pinned_time, tender, Stage.BID_EVALUATION)
    read = {bid.participant.vendor: bid for bid in evaluation.read_bids(actor=world.chair, tender=tender)}
    opened = OutboxEntry.objects.filter(kind="tender.bids_opened").get().release
    assert sorted(detail["value"]["amount"] for detail in opened["bids"]["details"]) == sorted(
        int(rupiah(p)) for p in prices
    )
    # Read, not yet judged: every bid is pending; the committee's verdicts and reasons are not public yet.
    assert {detail["status"] for detail in opened["bids"]["details"]} == {"pending"}
    (arga, _), (bukit, _), (citra, _) = three_vendors
    for bid, passed in ((read[arga], True), (read[bukit], False), (read[citra], True)):
        evaluation.record_evaluation(
            actor=world.chair,
            bid=bid,
            administrative_passed=passed,
            administrative_reason="" if passed else "Jaminan penawaran tidak ada",
            technical_passed=True,
            qualification_passed=True,
            proof_passed=True,
        )
    move_into(pinned_time, tender, Stage.WINNER_DECISION)
    evaluation.decide_winner(actor=world.chair, tender=tender, winner=read[arga].participant, reasons="Terendah")
    with transaction.atomic():
        enqueue(kind="tender.schedule_changed", subject=tender.public_id, payload={})
    assert "Jaminan penawaran tidak ada" not in _feed_text() and '"awards"' not in _feed_text()

    move_into(pinned_time, tender, Stage.WINNER_ANNOUNCEMENT)
    evaluation.announce_winner(actor=world.chair, tender=tender)
    awarded = OutboxEntry.objects.get(kind="tender.awarded").release
    assert awarded["tag"] == ["award"]
    assert awarded["awards"][0]["suppliers"][0]["name"] == arga.name
    statuses = {detail["tenderers"][0]["name"]: detail["status"] for detail in awarded["bids"]["details"]}
    # Bukit failed administration; Citra is above the HPS (void, Perpres 54/2010 Pasal 66).
    assert statuses == {arga.name: "valid", bukit.name: "disqualified", citra.name: "disqualified"}

    compiled = records.compiled_release(ocid)
    assert compiled["tag"] == ["compiled"] and compiled["awards"][0]["status"] == "pending"
    assert {party["name"]: party["roles"] for party in compiled["parties"]}[arga.name] == ["supplier", "tenderer"]
    feed = _read_whole_feed(client)
    assert [release["id"] for release in feed] == list(OutboxEntry.objects.order_by("id").values_list("key", flat=True))
    write_feed_for_validation("story")


def test_a_plan_item_is_published_when_announced_and_again_when_it_changes(world, pinned_time, client):
    from eproc.planning import services as planning

    item = world.plan_item
    if item.announced_at is None:
        planning.announce(actor=world.pa, item=item)
    planning.update_item(actor=world.pa, item=item, reason="Pagu dikoreksi setelah DPA-P", budget=item.budget + 1000)
    kinds = list(OutboxEntry.objects.filter(subject=item.public_id).values_list("kind", flat=True))
    assert "plan.changed" in kinds
    changed = OutboxEntry.objects.get(kind="plan.changed", subject=item.public_id).release
    assert changed["tag"] == ["planningUpdate"]
    assert changed["planning"]["budget"]["amount"]["amount"] == int(item.budget + 1000)
    response = client.get(reverse("api:ocds_record", args=[ocds.ocid_for(item.public_id)]))
    assert response.status_code == 200
    assert response.json()["records"][0]["compiledRelease"]["planning"]["budget"]["amount"]["amount"] == int(
        item.budget + 1000
    )


def test_a_training_sandbox_tender_is_never_published(world, settings):
    settings.EPROC_SANDBOX = True
    world.announced(sandbox=True)
    assert not OutboxEntry.objects.filter(kind__startswith="tender.").exists()


def test_the_feed_refuses_a_forged_cursor_with_a_message_in_both_languages(client):
    response = client.get(reverse("api:ocds_releases") + "?cursor=eyJhZnRlciI6MX0")
    assert response.status_code == 400
    body = response.json()
    assert "cursor" in body["message_en"] and "kursor" in body["message_id"].lower()


def test_an_unknown_record_is_a_json_404(client):
    response = client.get(reverse("api:ocds_record", args=["ocds-lpsekp-nothing"]))
    assert response.status_code == 404 and "message_en" in response.json()


def test_the_year_file_streams_every_release_of_that_year_as_one_package(world, client):
    world.announced()
    year = _now().year
    response = client.get(reverse("api:ocds_bulk", args=[year]))
    assert response.status_code == 200 and response.streaming
    package = json.loads(b"".join(response.streaming_content))
    assert [release["id"] for release in package["releases"]] == list(
        OutboxEntry.objects.filter(created_at__year=year).order_by("id").values_list("key", flat=True)
    )
    assert package["version"] == "1.1" and package["extensions"] == ocds.EXTENSIONS
    empty = json.loads(b"".join(client.get(reverse("api:ocds_bulk", args=[year - 5])).streaming_content))
    assert empty["releases"] == []


# --- The cursor under concurrent writers (issue 8: "never skips or repeats a change even when writes commit out of
# order on PostgreSQL") -----------------------------------------------------------------------------------------------


def _announced_plan_items(world, count):
    from eproc.planning import services as planning

    items = [world.plan_item]
    for number in range(count - 1):
        items.append(
            planning.create_item(
                actor=world.pa,
                work_unit=world.plan_item.work_unit,
                **{
                    **{field: getattr(world.plan_item, field) for field in planning.EDITABLE_FIELDS},
                    "package_name": f"Paket uji {number}",
                },
            )
        )
    for item in items:
        if item.announced_at is None:
            planning.announce(actor=world.pa, item=item)
    return items


def _publish_in_thread(item, *, inserted=None, release=None, pause=0.0):
    """One publishing transaction on its own database connection, optionally held open after its insert."""
    import time

    from django.db import connection

    try:
        with transaction.atomic():
            enqueue(kind="plan.changed", subject=item.public_id, payload={})
            if inserted is not None:
                inserted.set()
            if release is not None:
                release.wait(5)
            time.sleep(pause)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_reader_never_skips_a_change_whose_transaction_commits_after_a_later_one(world):
    """Transaction A takes the next id and is slow to commit; B publishes meanwhile. Were B's later id visible
    first, a reader would move its cursor past A's id for good. Publishing is serialised, so B waits for A."""
    import threading

    first, second = _announced_plan_items(world, 2)
    _, cursor = records.feed_page(None, limit=1000)
    a_inserted, reader_done = threading.Event(), threading.Event()
    slow = threading.Thread(
        target=_publish_in_thread, args=(first,), kwargs={"inserted": a_inserted, "release": reader_done}
    )
    slow.start()
    assert a_inserted.wait(5)
    fast = threading.Thread(target=_publish_in_thread, args=(second,))
    fast.start()
    fast.join(1.0)  # on PostgreSQL B is now blocked on the publication lock; on SQLite on the write lock
    seen, cursor = records.feed_page(cursor)
    reader_done.set()
    slow.join(10)
    fast.join(10)
    later, cursor = records.feed_page(cursor)
    keys = [release["id"] for release in seen + later]
    expected = list(OutboxEntry.objects.filter(kind="plan.changed").order_by("id").values_list("key", flat=True))
    assert len(expected) == 2 and keys == expected


@pytest.mark.django_db(transaction=True)
def test_a_polling_reader_gets_every_change_exactly_once_from_many_concurrent_writers(world):
    import random
    import threading

    items = _announced_plan_items(world, 4)
    _, start = records.feed_page(None, limit=1000)
    stop = threading.Event()
    seen = []

    def poll():
        from django.db import connection

        cursor = start
        try:
            while True:
                finished = stop.is_set()
                page, cursor = records.feed_page(cursor, limit=3)
                seen.extend(release["id"] for release in page)
                if finished and not page:
                    return
        finally:
            connection.close()

    def write(item):
        for _ in range(6):
            _publish_in_thread(item, pause=random.uniform(0, 0.02))  # noqa: S311 - timing jitter, not security

    reader = threading.Thread(target=poll)
    reader.start()
    writers = [threading.Thread(target=write, args=(item,)) for item in items]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
    stop.set()
    reader.join(60)
    expected = list(OutboxEntry.objects.filter(kind="plan.changed").order_by("id").values_list("key", flat=True))
    assert len(expected) == 24
    assert seen == expected  # every change, once, in order


def test_the_demo_feed_is_complete_and_every_record_compiles(settings, tmp_path, pinned_time, client):
    """The demo data's feed (issue 8 acceptance): written for `make ocds-check`; here, every page is read once."""
    from eproc.demo import load_procurement_demo

    settings.VAR_DIR = tmp_path
    load_procurement_demo()
    feed = _read_whole_feed(client, limit=7)
    assert [release["id"] for release in feed] == list(OutboxEntry.objects.order_by("id").values_list("key", flat=True))
    tags = {tag for release in feed for tag in release["tag"]}
    assert {"planning", "tender", "tenderAmendment", "tenderUpdate", "award", "awardUpdate", "contract"} <= tags
    compiled = list(records.compiled_releases())
    tender_ocids = set(OutboxEntry.objects.filter(kind__startswith="tender.").values_list("ocid", flat=True))
    assert sorted(release["ocid"] for release in compiled) == sorted(tender_ocids)
    assert all(release["tender"]["status"] in ("active", "complete") for release in compiled)
    write_feed_for_validation("demo")
