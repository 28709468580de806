"""The tender demo that `make run` loads: idempotent, one tender in each situation at whatever moment it is loaded
(a working morning, a Saturday night, a public holiday), its past replayed through the services with an audit chain
that verifies."""

from datetime import UTC, datetime

import pytest
import time_machine

from eproc.accounts.models import User
from eproc.audit.models import AuditEvent
from eproc.audit.verification import verify_chain
from eproc.bids.demo import load_demo as load_bids_demo
from eproc.bids.models import CommitteeKey, SealedBox
from eproc.core import clock
from eproc.organizations.demo import load_demo as load_organizations_demo
from eproc.organizations.models import Appointment
from eproc.planning.demo import load_demo as load_planning_demo
from eproc.planning.models import PlanItem
from eproc.publication.models import OutboxEntry
from eproc.tenders import lifecycle, policies, selectors, services
from eproc.tenders.demo import DEMO_TENDERS, DEMO_VENDOR, load_demo
from eproc.tenders.lifecycle import Stage
from eproc.tenders.models import (
    DocumentDownload,
    Participant,
    Question,
    ScheduleChange,
    Tender,
    TenderDocument,
    TenderStage,
)
from eproc.vendors.demo import load_demo as load_vendors_demo
from eproc.vendors.policies import vendor_of

pytestmark = pytest.mark.django_db

# (moment, whether a one-day stage can be open then: a working day between 08:00 and 15:00 WIB)
MOMENTS = {
    "monday-10-wib": (datetime(2026, 6, 8, 3, 0, tzinfo=UTC), True),
    # The suite's pinned time, nine weeks after the demo appointments begin: the tenders' past is compressed.
    "monday-2-march-10-wib": (datetime(2026, 3, 2, 3, 0, tzinfo=UTC), True),
    "saturday-20-wib": (datetime(2026, 6, 13, 13, 0, tzinfo=UTC), False),
    "independence-day-10-wib": (datetime(2026, 8, 17, 3, 0, tzinfo=UTC), False),
}
COUNTED = (
    Tender,
    TenderStage,
    TenderDocument,
    DocumentDownload,
    Participant,
    Question,
    ScheduleChange,
    PlanItem,
    Appointment,
    SealedBox,
    CommitteeKey,
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
    return load_demo()


@pytest.mark.parametrize(("moment", "office_hours"), MOMENTS.values(), ids=MOMENTS.keys())
def test_each_situation_holds_now_and_a_second_run_adds_nothing(settings, tmp_path, moment, office_hours):
    settings.VAR_DIR = tmp_path
    with time_machine.travel(moment, tick=False):
        lines = _load_everything()
        before = _counts()
        assert load_demo() == lines
        assert _counts() == before

        now = clock.now()
        tenders = {spec.key: Tender.objects.get(title=spec.title) for spec in DEMO_TENDERS}
        assert len(tenders) == 8
        situation = {key: lifecycle.situation(tender, now) for key, tender in tenders.items()}

        assert situation["draft"].state == "draft"
        awaiting = tenders["awaiting_approval"]
        assert situation["awaiting_approval"].state == "awaiting_approval"
        assert policies.is_tender_ppk(awaiting.ppk, awaiting)  # the PPK appointed for RSUD by the demo

        joinable = tenders["joinable"]
        assert Stage.ANNOUNCEMENT_PRE in situation["joinable"].current
        assert not joinable.participants.exists()
        assert joinable in selectors.open_for_joining(vendor_of(User.objects.get(email=DEMO_VENDOR)))

        clarification = tenders["clarification"]
        if office_hours:
            assert Stage.CLARIFICATION in situation["clarification"].current
            assert clarification.questions.count() == 2
            assert clarification.questions.exclude(answered_at=None).count() == 1
        else:
            assert situation["clarification"].next == Stage.CLARIFICATION
            assert not clarification.questions.exists()
            assert any("opens next" in line for line in lines)
        assert clarification.participants.count() == 1

        upload = tenders["bid_upload"]
        assert Stage.BID_UPLOAD in situation["bid_upload"].current
        assert upload.clarification_closed_at is not None and upload.clarification_minutes_sha256
        with upload.clarification_minutes.open("rb") as minutes:
            assert minutes.read(5) == b"%PDF-"
        addendum = upload.documents.get(kind=TenderDocument.Kind.ADDENDUM)
        assert "2000 kN" in addendum.change_note and addendum.downloads.exists()
        assert upload.questions.exclude(answered_at=None).count() == 2

        evaluation = tenders["evaluation"]
        assert lifecycle.window_of(evaluation, Stage.OPENING_TECHNICAL).ends_at <= now
        if office_hours:
            assert Stage.TECHNICAL_EVALUATION in situation["evaluation"].current
        else:
            assert situation["evaluation"].next == Stage.TECHNICAL_EVALUATION

        assert Stage.OBJECTIONS in situation["objections"].current
        assert situation["finished"].state == "finished"

        for key in ("clarification", "bid_upload", "evaluation", "objections", "finished"):
            tender = tenders[key]
            assert tender.participants.get().vendor.users.filter(email=DEMO_VENDOR).exists()
            assert services.boxes_of(tender).filter(bidders__email=DEMO_VENDOR).exists()
        # The past was replayed, never the future: no event is dated after now, and the chain holds.
        assert not AuditEvent.objects.filter(occurred_at__gt=now).exists()
        result = verify_chain()
        assert result.ok, result.problem

    kinds = set(
        Tender.objects.values_list(
            "method", "category", "qualification", "file_system", "evaluation_method", "technical_weight"
        )
    )
    assert ("lelang_umum", "konstruksi", "pascakualifikasi", "satu_file", "gugur", None) in kinds
    assert any(kind[:2] == ("lelang_sederhana", "barang") for kind in kinds)
    assert ("seleksi_umum", "konsultansi_badan_usaha", "prakualifikasi", "dua_file", "kualitas_biaya", 70) in kinds
    assert any(kind[0] == "lelang_umum" and kind[3:5] == ("dua_file", "nilai") for kind in kinds)
    for document in TenderDocument.objects.all():
        with document.file.open("rb") as handle:
            body = handle.read()
        assert body.startswith(b"%PDF-1.4") and body.endswith(b"%%EOF\n")
