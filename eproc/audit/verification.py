"""Walks the audit chain and reports the first place where it does not hold."""

from dataclasses import dataclass

from .chain import GENESIS_HASH, stored_event_hash
from .models import AuditChainHead, AuditEvent


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    reason: str

    def __str__(self):
        return f"event #{self.sequence}: {self.reason}"


@dataclass(frozen=True)
class VerificationResult:
    events_checked: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(batch_size: int = 2000) -> VerificationResult:
    """Check every event in order: sequences without gaps, each previous_hash equal to the hash before it,
    each stored hash equal to the recomputed one, and the chain head pointing at the last event.

    Reads in keyset batches so memory stays flat however long the trail is."""
    expected_sequence = 1
    expected_previous = GENESIS_HASH
    checked = 0
    last_seen = 0
    while True:
        batch = list(AuditEvent.objects.filter(sequence__gt=last_seen).order_by("sequence")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.sequence != expected_sequence:
                return VerificationResult(
                    checked,
                    ChainProblem(
                        expected_sequence,
                        f"missing: the next event found is #{event.sequence} (deleted row?)",
                    ),
                )
            if event.previous_hash != expected_previous:
                return VerificationResult(
                    checked,
                    ChainProblem(
                        event.sequence, "previous_hash does not match the event before it (inserted or deleted row?)"
                    ),
                )
            recomputed = stored_event_hash(event)
            if recomputed != event.hash:
                return VerificationResult(
                    checked, ChainProblem(event.sequence, "content does not match its hash (edited row?)")
                )
            checked += 1
            expected_sequence += 1
            expected_previous = event.hash
            last_seen = event.sequence

    head = AuditChainHead.objects.filter(id=1).first()
    head_sequence = head.sequence if head else 0
    head_hash = head.hash if head else GENESIS_HASH
    if head_sequence != last_seen or head_hash != expected_previous:
        return VerificationResult(
            checked,
            ChainProblem(
                last_seen + 1 if head_sequence > last_seen else head_sequence,
                f"the chain head points at #{head_sequence} but the last event is #{last_seen} "
                "(deleted or appended row?)",
            ),
        )
    return VerificationResult(checked, None)
