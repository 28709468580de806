"""The evaluation demo that `make run` loads after the tenders demo: real sealed bids opened by the committee's key
files, evaluations, a result with its objection, an award letter and a contract, replayed inside the stage windows
at whatever moment it is loaded (a working morning, a Saturday night); idempotent, with an audit chain and frozen
bid-log checkpoints that hold."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from eproc.audit.models import AuditEvent
from eproc.audit.verification import verify_chain
from eproc.bids.demo import DEMO_MEMBERS
from eproc.bids.demo import load_demo as load_bids_demo
from eproc.bids.models import BoxShare, Checkpoint, Envelope, LogEntry, OpenedEnvelope, Opening, SealedBox
from eproc.core import clock
from eproc.evaluation import integrity, selectors, services
from eproc.evaluation.demo import BORNEO, DEMO_BIDDERS, SINAR, load_demo
from eproc.evaluation.models import AwardLetter, Bid, Contract, Evaluation, Objection, Result
from eproc.organizations.demo import load_demo as load_organizations_demo
from eproc.planning.demo import load_demo as load_planning_demo
from eproc.publication.models import OutboxEntry
from eproc.tenders import lifecycle
from eproc.tenders.demo import DEMO_TENDERS, DEMO_VENDOR
from eproc.tenders.demo import load_demo as load_tenders_demo
from eproc.tenders.lifecycle import Stage
from eproc.tenders.models import DocumentDownload, Participant, Tender
from eproc.vendors.demo import load_demo as load_vendors_demo
from eproc.vendors.models import Vendor
from eproc.vendors.policies import eligibility

pytestmark = pytest.mark.django_db

# (moment, whether the technical evaluation of the two-file tender is open then: a working day in office hours)
MOMENTS = {
    "monday-10-wib": (datetime(2026, 6, 8, 3, 0, tzinfo=UTC), True),
    "saturday-20-wib": (datetime(2026, 6, 13, 13, 0, tzinfo=UTC), False),
}
COUNTED = (
    Vendor,
    Participant,
    DocumentDownload,
    SealedBox,
    BoxShare,
    Envelope,
    OpenedEnvelope,
    Opening,
    LogEntry,
    Checkpoint,
    Bid,
    Evaluation,
    Result,
    Objection,
    AwardLetter,
    Contract,
    OutboxEntry,
    AuditEvent,
)


def _counts() -> dict:
    return {model._meta.label: model.objects.count() for model in COUNTED}


def _load_everything() -> list[str]:
    load_organizations_demo()
    load_planning_demo()
    load_vendors_demo()
    load_bids_demo()
    load_tenders_demo()
    return load_demo()


def _vendor(email: str) -> Vendor:
    return Vendor.objects.get(users__email=email)


def _assert_checkpoints_hold(tender: Tender) -> None:
    """The checkpoint frozen at each opened box's deadline covers exactly the receipts made before the deadline,
    so every bid of the box is in it (the replay appended the receipts in the order of their times)."""
    for box in services.boxes(tender).values():
        if box.opened_at is None:
            continue
        checkpoint = Checkpoint.objects.get(frozen_for=box)
        assert not LogEntry.objects.filter(index__lt=checkpoint.size, created_at__gt=box.deadline).exists()
        assert not LogEntry.objects.filter(index__gte=checkpoint.size, created_at__lte=box.deadline).exists()
        for envelope in box.envelopes.all():
            assert envelope.bytes_log_index < checkpoint.size
            assert envelope.opened.outcome == OpenedEnvelope.Outcome.OPENED
        assert box.shares.filter(submitted_at__isnull=False).count() == box.threshold == tender.opening_quorum
        assert box.opening.minutes_sha256


@pytest.mark.parametrize(("moment", "office_hours"), MOMENTS.values(), ids=MOMENTS.keys())
def test_the_tenders_past_their_opening_have_bids_results_and_a_contract(
    settings, tmp_path, client, moment, office_hours
):
    settings.VAR_DIR = tmp_path
    with time_machine.travel(moment, tick=False):
        lines = _load_everything()
        before = _counts()
        assert load_demo() == lines
        assert load_tenders_demo()
        assert _counts() == before

        now = clock.now()
        tenders = {spec.key: Tender.objects.get(title=spec.title) for spec in DEMO_TENDERS}
        cv_maju, borneo, sinar = _vendor(DEMO_VENDOR), _vendor(BORNEO), _vendor(SINAR)
        for email, *_rest in DEMO_BIDDERS:
            vendor = _vendor(email)
            assert eligibility(vendor).allowed and vendor.is_small_business
            # Registered and verified before it joined anything.
            assert vendor.activated_at < min(vendor.participations.values_list("joined_at", flat=True))

        for key in ("objections", "finished", "evaluation"):
            tender = tenders[key]
            assert set(tender.participants.values_list("vendor", flat=True)) == {cv_maju.pk, borneo.pk, sinar.pk}
            assert tender.bids.filter(status=Bid.Status.READ).count() == 3
            _assert_checkpoints_hold(tender)

        # Masa Sanggah: the result stands, announced; the bidder who failed the administration has objected, and the
        # committee has not answered yet (the objection period is open now).
        sanggah = tenders["objections"]
        assert Stage.OBJECTIONS in lifecycle.situation(sanggah, now).current
        result = selectors.standing_result(sanggah)
        assert result.announced_at is not None and result.winner.vendor == borneo
        assert result.minutes_sha256
        ranking = {row.participant.vendor: row for row in selectors.ranking(sanggah)}
        assert ranking[borneo].eligible and not ranking[cv_maju].eligible and ranking[sinar].above_hps
        assert sanggah.bids.get(participant__vendor=cv_maju).evaluation.administrative_reason
        objection = Objection.objects.get(tender=sanggah)
        assert objection.participant.vendor == cv_maju and objection.answered_at is None
        assert sanggah.objections.get().filed_at <= now
        assert not AwardLetter.objects.filter(tender=sanggah).exists()

        # Finished: the objection answered, the SPPBJ issued by the PPK, the contract recorded with its scan.
        finished = tenders["finished"]
        assert lifecycle.situation(finished, now).state == "contracted"
        contract = finished.contract
        letter = finished.award_letter
        assert letter.issued_by == finished.ppk and contract.recorded_by == finished.ppk
        assert contract.value == letter.value == selectors.standing_result(finished).winning_price
        assert selectors.standing_result(finished).winner.vendor == cv_maju
        assert contract.savings == finished.owner_estimate - contract.value
        with contract.scan.open("rb") as scan:
            assert scan.read(5) == b"%PDF-"
        answered = finished.objections.get()
        assert answered.answered_at is not None and answered.justified is False
        assert answered.participant.vendor == sinar
        page = client.get(reverse("tenders:detail", args=[finished.public_id])).content.decode()
        for text in (cv_maju.name, borneo.name, sinar.name, letter.number, contract.number, "Rp798.600.000,00"):
            assert text in page

        # Evaluasi (two files): the technical envelopes are read, the price box is held; the committee has begun
        # the technical evaluation if it is open now, else it waits for Monday morning.
        evaluation = tenders["evaluation"]
        boxes = services.boxes(evaluation)
        assert boxes["technical"].opened_at is not None
        assert boxes["price"].held and boxes["price"].released_at is None and boxes["price"].opened_at is None
        assert boxes["price"].envelopes.filter(bytes_completed_at__isnull=False).count() == 3
        bids = list(evaluation.bids.select_related("evaluation"))
        assert all(bid.declared["technical"]["brand"] and bid.price is None for bid in bids)
        assert all("price" not in bid.declared for bid in bids)
        decided = [bid for bid in bids if bid.evaluation.technical_passed is not None]
        begun = [bid for bid in bids if bid.evaluation.administrative_passed is not None]
        if office_hours:
            assert len(decided) == 1 and len(begun) == 2
        else:
            assert lifecycle.situation(evaluation, now).next == Stage.TECHNICAL_EVALUATION
            assert not begun
            assert any("technical evaluation opens" in line for line in lines)

        # The committee opened each box with its own shares: the members' key files decrypted them.
        assert set(BoxShare.objects.filter(submitted_at__isnull=False).values_list("member__email", flat=True)) <= set(
            DEMO_MEMBERS[:2]
        )
        # The past was replayed, never the future; the chain holds.
        assert not AuditEvent.objects.filter(occurred_at__gt=now).exists()
        assert not LogEntry.objects.filter(created_at__gt=now).exists()
        verified = verify_chain()
        assert verified.ok, verified.problem
        # The demo's bids, evaluations, results and contract agree with the trail (issue 9.6).
        assert integrity.check_all() == []
