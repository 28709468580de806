"""A tender's complete file as one ZIP for the Inspektorat (Pasal 8(3)-(4); issue 7.6): what was announced, every
document version, the minutes, the bids' receipts and the audit events, with a manifest of SHA-256 hashes so the
auditor can show later that nothing in it changed. Streamed to a temporary file, never held whole in memory."""

import hashlib
import json
import tempfile
import zipfile

from django.core.serializers.json import DjangoJSONEncoder

from eproc.audit.models import AuditEvent
from eproc.bids.models import Envelope, SealedBox
from eproc.evaluation.models import AwardLetter, Contract


def _json(value) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


class _Writer:
    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.manifest: dict[str, str] = {}

    def bytes(self, name: str, data: bytes) -> None:
        self.archive.writestr(name, data)
        self.manifest[name] = hashlib.sha256(data).hexdigest()

    def file(self, name: str, field_file) -> None:
        if not field_file:
            return
        digest = hashlib.sha256()
        with field_file.open("rb") as source, self.archive.open(name, "w", force_zip64=True) as target:
            for chunk in iter(lambda: source.read(1 << 20), b""):
                digest.update(chunk)
                target.write(chunk)
        self.manifest[name] = digest.hexdigest()


def _tender_facts(tender) -> dict:
    return {
        "code": tender.public_id,
        "title": tender.title,
        "agency": tender.agency.name,
        "work_unit": tender.work_unit.name,
        "plan_item": tender.plan_item.public_id,
        "method": tender.method_label,
        "budget": tender.budget,
        "owner_estimate": tender.owner_estimate,
        "ruleset": tender.ruleset_version,
        "announced_at": tender.announced_at,
        "cancelled": {"at": tender.cancelled_at, "reason": tender.cancelled_reason},
        "failed": {"at": tender.failed_at, "reason": tender.failure_reason, "note": tender.failure_note},
        "schedule": list(tender.stages.values("stage", "starts_at", "ends_at")),
        "schedule_changes": list(
            tender.schedule_changes.values(
                "stage", "old_starts_at", "old_ends_at", "new_starts_at", "new_ends_at", "reason", "changed_at"
            )
        ),
        "participants": list(tender.participants.values("vendor__name", "vendor__npwp", "joined_at")),
        "downloads": list(
            tender.documents.values("version", "downloads__vendor__name", "downloads__downloaded_at").exclude(
                downloads__isnull=True
            )
        ),
        "questions": list(tender.questions.values("section", "text", "asked_at", "answer", "answered_at")),
    }


def write_tender_file(tender) -> tempfile.SpooledTemporaryFile:
    """The archive in a temporary file (spilled to disk past 16 MiB), positioned at its start."""
    # Returned open: the response streams it and closes it.
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        out = _Writer(archive)
        out.bytes("lelang.json", _json(_tender_facts(tender)))
        for document in tender.documents.all():
            out.file(f"dokumen/v{document.version}-{document.original_name}", document.file)
        out.file("berita-acara/pemberian-penjelasan.pdf", tender.clarification_minutes)
        boxes = list(SealedBox.objects.filter(reference=tender.public_id))
        for box in boxes:
            opening = getattr(box, "opening", None)
            if opening is not None:
                out.file(f"berita-acara/pembukaan-{box.envelope}.pdf", opening.minutes_pdf)
        receipts = [
            {"box": envelope.box.public_id, "envelope": envelope.box.envelope, "receipt": envelope.receipt}
            for envelope in Envelope.objects.filter(box__in=boxes).select_related("box").order_by("committed_at")
        ]
        out.bytes("penawaran/tanda-terima.json", _json(receipts))
        for result in tender.results.all():
            out.file(f"berita-acara/hasil-pelelangan-{result.pk}.pdf", result.minutes)
        letter = AwardLetter.objects.filter(tender=tender).first()
        if letter is not None:
            out.file("sppbj.pdf", letter.pdf)
        contract = Contract.objects.filter(tender=tender).first()
        if contract is not None:
            out.file("kontrak.pdf", contract.scan)
        for objection in tender.objections.all():
            out.file(f"sanggah/{objection.public_id}.pdf", objection.document)
        subjects = [tender.public_id, *(box.public_id for box in boxes)]
        events = AuditEvent.objects.filter(object_id__in=subjects).order_by("sequence")
        lines = (
            json.dumps(
                {
                    "sequence": event.sequence,
                    "occurred_at": event.occurred_at,
                    "actor": event.actor_label,
                    "action": event.action,
                    "object": f"{event.object_type}:{event.object_id}",
                    "data": event.data,
                    "hash": event.hash,
                    "previous_hash": event.previous_hash,
                },
                cls=DjangoJSONEncoder,
                ensure_ascii=False,
            )
            for event in events.iterator()
        )
        out.bytes("audit.jsonl", ("\n".join(lines) + "\n").encode())
        archive.writestr("manifest.json", _json({"tender": tender.public_id, "sha256": out.manifest}))
    spool.seek(0)
    return spool
