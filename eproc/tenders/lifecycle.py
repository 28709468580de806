"""The tender lifecycle (DESIGN 4): the SPSE stages, the stage list of each kind of tender, and the current stage
derived from the schedule, the clock and the few stored facts. Nothing here writes; nothing here is a status column.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import FileSystem, Method, Qualification


class Stage(models.TextChoices):
    """The SPSE stage names (DESIGN 9). Windows are [start, end): one millisecond before the end is inside."""

    ANNOUNCEMENT_POST = "pengumuman_pascakualifikasi", _("Post-qualification announcement")
    ANNOUNCEMENT_PRE = "pengumuman_prakualifikasi", _("Pre-qualification announcement")
    INVITATION = "undangan", _("Invitation")
    QUALIFICATION_DOWNLOAD = "download_dokumen_kualifikasi", _("Download of qualification documents")
    QUALIFICATION_UPLOAD = "kirim_kualifikasi", _("Submission of qualification data")
    QUALIFICATION_EVALUATION = "evaluasi_kualifikasi", _("Evaluation of qualification documents")
    QUALIFICATION_PROOF = "pembuktian_kualifikasi", _("Proof of qualification")
    QUALIFICATION_DECISION = "penetapan_hasil_kualifikasi", _("Decision on qualification results")
    QUALIFICATION_ANNOUNCEMENT = "pengumuman_hasil_kualifikasi", _("Announcement of qualification results")
    QUALIFICATION_OBJECTIONS = "sanggah_kualifikasi", _("Objection period on qualification")
    DOCUMENT_DOWNLOAD = "download_dokumen_pengadaan", _("Download of procurement documents")
    CLARIFICATION = "pemberian_penjelasan", _("Explanation session (aanwijzing)")
    BID_UPLOAD = "upload_dokumen_penawaran", _("Upload of bids")
    OPENING = "pembukaan_dokumen_penawaran", _("Opening of bids")
    BID_EVALUATION = "evaluasi_penawaran", _("Evaluation of bids")
    OPENING_TECHNICAL = "pembukaan_file_1", _("Opening of administrative and technical envelopes (file I)")
    TECHNICAL_EVALUATION = "evaluasi_file_1", _("Evaluation of administrative and technical envelopes")
    TECHNICAL_ANNOUNCEMENT = "pengumuman_hasil_teknis", _("Announcement of the technical evaluation")
    OPENING_PRICE = "pembukaan_file_2", _("Opening of price envelopes (file II)")
    PRICE_EVALUATION = "evaluasi_file_2", _("Evaluation of prices")
    NEGOTIATION = "klarifikasi_negosiasi", _("Clarification and negotiation")
    RESULT_MINUTES = "upload_bahp", _("Upload of the tender result minutes (BAHP)")
    WINNER_DECISION = "penetapan_pemenang", _("Decision on the winner")
    WINNER_ANNOUNCEMENT = "pengumuman_pemenang", _("Announcement of the winner")
    OBJECTIONS = "masa_sanggah", _("Objection period (masa sanggah)")
    AWARD_LETTER = "sppbj", _("Award letter (SPPBJ)")
    CONTRACT = "penandatanganan_kontrak", _("Contract signing")


_PRE_QUALIFICATION = (
    Stage.ANNOUNCEMENT_PRE,
    Stage.QUALIFICATION_DOWNLOAD,
    Stage.QUALIFICATION_UPLOAD,
    Stage.QUALIFICATION_EVALUATION,
    Stage.QUALIFICATION_PROOF,
    Stage.QUALIFICATION_DECISION,
    Stage.QUALIFICATION_ANNOUNCEMENT,
    Stage.QUALIFICATION_OBJECTIONS,
)
_ONE_ENVELOPE = (Stage.OPENING, Stage.BID_EVALUATION)
_TWO_ENVELOPES = (
    Stage.OPENING_TECHNICAL,
    Stage.TECHNICAL_EVALUATION,
    Stage.TECHNICAL_ANNOUNCEMENT,
    Stage.OPENING_PRICE,
    Stage.PRICE_EVALUATION,
)
_POST_QUALIFICATION_CHECKS = (Stage.QUALIFICATION_EVALUATION, Stage.QUALIFICATION_PROOF)
AWARD_STAGES = (
    Stage.RESULT_MINUTES,
    Stage.WINNER_DECISION,
    Stage.WINNER_ANNOUNCEMENT,
    Stage.OBJECTIONS,
    Stage.AWARD_LETTER,
    Stage.CONTRACT,
)


def stages_for(*, method: str, qualification: str, file_system: str) -> tuple[Stage, ...]:
    """The stage list of a tender, as SPSE shows it (DESIGN 9, 10). Dua Tahap runs its two stages through the
    two envelopes of the same list: the technical stage, then prices of those who passed."""
    if method == Method.DIRECT_PROCUREMENT:
        return (
            Stage.INVITATION,
            Stage.CLARIFICATION,
            Stage.BID_UPLOAD,
            Stage.OPENING,
            Stage.NEGOTIATION,
            Stage.CONTRACT,
        )
    envelopes = _ONE_ENVELOPE if file_system == FileSystem.ONE_FILE else _TWO_ENVELOPES
    if qualification == Qualification.PRE:
        return (
            *_PRE_QUALIFICATION,
            Stage.DOCUMENT_DOWNLOAD,
            Stage.CLARIFICATION,
            Stage.BID_UPLOAD,
            *envelopes,
            *AWARD_STAGES,
        )
    head = (Stage.ANNOUNCEMENT_POST, Stage.DOCUMENT_DOWNLOAD, Stage.CLARIFICATION, Stage.BID_UPLOAD)
    if file_system == FileSystem.ONE_FILE:
        return (*head, *envelopes, *_POST_QUALIFICATION_CHECKS, *AWARD_STAGES)
    # Two envelopes: qualification is checked with the technical envelope, before any price is seen.
    return (*head, envelopes[0], envelopes[1], *_POST_QUALIFICATION_CHECKS, *envelopes[2:], *AWARD_STAGES)


# What opens the bid boxes, per envelope kind of the sealed-bids app.
OPENING_STAGE_OF_ENVELOPE = {
    "single": Stage.OPENING,
    "technical": Stage.OPENING_TECHNICAL,
    "price": Stage.OPENING_PRICE,
}
# Until the end of this stage a vendor may join: Pasal 7(4)a, "mendaftar lelang dan sebelum Aanwijzing dapat
# mendownload dokumen lelang"; with prakualifikasi, joining ends with the submission of qualification data.
JOIN_UNTIL = {Qualification.POST: Stage.DOCUMENT_DOWNLOAD, Qualification.PRE: Stage.QUALIFICATION_UPLOAD}
ANNOUNCEMENT_STAGES = (Stage.ANNOUNCEMENT_POST, Stage.ANNOUNCEMENT_PRE, Stage.INVITATION)


@dataclass(frozen=True)
class Window:
    stage: Stage
    starts_at: datetime
    ends_at: datetime

    def contains(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at


@dataclass(frozen=True)
class Situation:
    """Where a tender stands at a moment: its state and, while it runs, the stages open now (they may overlap)."""

    state: str  # draft | awaiting_approval | approved | running | finished | cancelled | failed | contracted | halted
    current: tuple[Stage, ...] = ()
    next: Stage | None = None

    @property
    def label(self):
        if self.current:
            return ", ".join(str(Stage(stage).label) for stage in self.current)
        return str(STATE_LABELS[self.state])


STATE_LABELS = {
    "draft": _("Draft"),
    "awaiting_approval": _("Awaiting the PPK's approval"),
    "approved": _("Approved, not yet announced"),
    "running": _("Between stages"),
    "finished": _("Tender finished"),
    "cancelled": _("Tender cancelled"),
    "failed": _("Tender failed (lelang gagal)"),
    "contracted": _("Contract signed"),
    "halted": _("Halted: an appeal (sanggah banding) awaits the PA's decision"),
}


def windows(tender) -> list[Window]:
    return [Window(Stage(row.stage), row.starts_at, row.ends_at) for row in tender.stages.all()]


def next_change(tender, now: datetime) -> datetime | None:
    """The next moment the tender's situation changes by the clock alone: one of its stages starts or ends."""
    return min(
        (moment for window in windows(tender) for moment in (window.starts_at, window.ends_at) if moment > now),
        default=None,
    )


def window_of(tender, stage: Stage) -> Window | None:
    return next((window for window in windows(tender) if window.stage == stage), None)


def situation(tender, now: datetime) -> Situation:
    if tender.cancelled_at is not None:
        return Situation("cancelled")
    if tender.failed_at is not None:
        return Situation("failed")
    if hasattr(tender, "contract"):
        return Situation("contracted")
    # Lists annotate `appeal_pending` (selectors.public_tenders) instead of asking each row.
    pending = getattr(tender, "appeal_pending", None)
    if pending is None:
        pending = tender.objections.filter(appeal__isnull=False, appeal__decided_at__isnull=True).exists()
    if pending:
        return Situation("halted")
    if tender.announced_at is None:
        if tender.approved_at is not None:
            return Situation("approved")
        return Situation("awaiting_approval" if tender.approval_requested_at else "draft")
    schedule = windows(tender)
    current = tuple(window.stage for window in schedule if window.contains(now))
    upcoming = [window for window in schedule if window.starts_at > now]
    next_stage = min(upcoming, key=lambda window: window.starts_at).stage if upcoming else None
    if current:
        return Situation("running", current, next_stage)
    if next_stage is None:
        return Situation("finished")
    return Situation("running", (), next_stage)


def is_open(tender, stage: Stage, now: datetime) -> bool:
    window = window_of(tender, stage)
    return (
        tender.cancelled_at is None
        and tender.failed_at is None
        and tender.announced_at is not None
        and window is not None
        and window.contains(now)
    )


def has_started(tender, stage: Stage, now: datetime) -> bool:
    window = window_of(tender, stage)
    return tender.announced_at is not None and window is not None and window.starts_at <= now


def bids_are_public(tender, now: datetime) -> bool:
    """The participant list (and, later, prices) turn public when the opening begins (issue: private until then)."""
    first_opening = Stage.OPENING if tender.file_system == FileSystem.ONE_FILE else Stage.OPENING_TECHNICAL
    return has_started(tender, first_opening, now)
