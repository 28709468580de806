"""Tamper detection (Pasal 4-5; issue 9.6): a bid price, an evaluation verdict or a winner changed directly in the
database no longer agrees with the audit trail, and `audit_verify` names it."""

import pytest
from django.core.management import CommandError, call_command

from eproc.evaluation import integrity, services
from eproc.evaluation.models import Bid, Evaluation
from eproc.tenders import services as tenders
from eproc.tenders.lifecycle import Stage

from .conftest import bid_archive, move_into, open_with, rupiah, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(world, three_vendors, pinned_time):
    tender = world.announced()
    move_into(pinned_time, tender, Stage.ANNOUNCEMENT_POST)
    for _vendor, user in three_vendors:
        tenders.join(actor=user, tender=tender)
    move_into(pinned_time, tender, Stage.BID_UPLOAD)
    box = services.boxes(tender)["single"]
    for (_vendor, user), price in zip(three_vendors, ("2.200.000.000", "2.300.000.000", "2.350.000.000"), strict=True):
        submit(box, user, bid_archive(tender=tender, envelope="single", price=rupiah(price)))
    move_into(pinned_time, tender, Stage.OPENING)
    open_with(box, [world.chair, world.member], world.identities)
    move_into(pinned_time, tender, Stage.BID_EVALUATION)
    for bid in services.read_bids(actor=world.chair, tender=tender):
        services.record_evaluation(actor=world.chair, bid=bid, administrative_passed=True, technical_passed=True)
    return tender


def test_untouched_tender_data_agrees_with_the_audit_trail(evaluated):
    assert integrity.check_tender(evaluated) == []
    call_command("audit_verify")


def test_a_bid_price_lowered_in_the_database_is_named(evaluated):
    bid = Bid.objects.filter(tender=evaluated).order_by("price").last()
    Bid.objects.filter(pk=bid.pk).update(price=rupiah("2.100.000.000"))
    problems = integrity.check_tender(evaluated)
    assert [problem.what for problem in problems] == [f"bid price of {bid.participant.vendor}"]
    with pytest.raises(CommandError, match="bid price"):
        call_command("audit_verify")


def test_an_evaluation_verdict_flipped_in_the_database_is_named(evaluated):
    evaluation = Evaluation.objects.filter(bid__tender=evaluated).first()
    Evaluation.objects.filter(pk=evaluation.pk).update(administrative_passed=False)
    problems = integrity.check_tender(evaluated)
    assert [problem.what for problem in problems] == [
        f"evaluation administrative_passed of {evaluation.bid.participant.vendor}"
    ]
