"""JSON endpoints for sealing, uploading and opening bids, and for the public transparency log. The pages'
scripts use them, and so can any client with a session (curl, a vendor's own tool). Thin: parse, look up
through the policy, call one service, answer JSON; errors are JSON with a clear message."""

import base64
import binascii
import json
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_http_methods

from eproc.core import arrival

from . import log, policies, services
from .keys import public_key_text
from .models import BoxShare, Envelope, LogEntry, SealedBox

logger = logging.getLogger("eproc.bids.log")


def _error(message, status=400):
    return JsonResponse({"error": str(message)}, status=status)


def _json_body(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationError("Body must be JSON / Isi permintaan harus JSON.") from error
    if not isinstance(data, dict):
        raise ValidationError("Body must be a JSON object / Isi permintaan harus objek JSON.")
    return data


def api_view(*methods, login=True):
    """Method check, login check and the mapping of service errors to JSON, in one place."""

    def decorate(view):
        @require_http_methods(list(methods))
        def wrapped(request, *args, **kwargs):
            if login and not request.user.is_authenticated:
                return _error("Please sign in / Silakan masuk.", 401)
            try:
                return view(request, *args, **kwargs)
            except services.ChunkOutOfPlace as error:
                # Not a failure: where the upload stands, for the client to carry on from (or ask again).
                return JsonResponse(
                    {"error": " ".join(error.messages), "received_size": error.received_size}, status=409
                )
            except ValidationError as error:
                return _error(" ".join(error.messages))
            except (PermissionDenied, Http404):
                return _error("Not found / Tidak ditemukan.", 404)
            except log.LogDamaged:
                # A row of the log was changed or lost outside the application: say so plainly, alert the LPSE.
                logger.exception("bid log damaged on %s %s", request.method, request.path)
                return _error(
                    "The bid log cannot answer now; the LPSE has been alerted. / Log penawaran tidak dapat menjawab "
                    "saat ini; LPSE telah diberi tahu.",
                    503,
                )

        return wrapped

    return decorate


def _envelope_state(envelope: Envelope) -> dict:
    return {
        "envelope": envelope.public_id,
        "box": envelope.box.public_id,
        "ciphertext_sha256": envelope.ciphertext_sha256,
        "ciphertext_size": envelope.ciphertext_size,
        "received_size": envelope.received_size,
        "complete": envelope.is_complete,
        "superseded": envelope.superseded_at is not None,
        "receipt": envelope.receipt,
        # Only the bidder sees these (the endpoints answer the owner only): they open the hiding commitment to
        # the bidder in the receipt, for `python -m eproc.bids.verify --vendor-ref ... --nonce ...`.
        "vendor_ref": envelope.bidder.public_id,
        "nonce": bytes(envelope.bidder_nonce).hex(),
    }


def _own_envelope(request, public_id) -> Envelope:
    envelope = get_object_or_404(Envelope.objects.select_related("box", "bidder"), public_id=public_id)
    if envelope.bidder_id != request.user.pk:
        raise Http404
    return envelope


@api_view("POST")
def commit(request, box_id):
    box = get_object_or_404(SealedBox.objects.select_related("agency"), public_id=box_id)
    if not policies.can_submit_bid(request.user, box):
        raise Http404
    data = _json_body(request)
    try:
        size = int(data.get("size"))
    except (TypeError, ValueError) as error:
        raise ValidationError("size must be a whole number of bytes / size harus bilangan bulat.") from error
    envelope = services.commit_envelope(
        actor=request.user,
        box=box,
        sha256=str(data.get("sha256", "")),
        size=size,
        received_at=arrival.received_at(request),
    )
    return JsonResponse(_envelope_state(envelope), status=201)


@api_view("GET")
def envelope_state(request, envelope_id):
    return JsonResponse(_envelope_state(_own_envelope(request, envelope_id)))


@api_view("PUT", "POST")
def chunk(request, envelope_id, offset):
    envelope = _own_envelope(request, envelope_id)
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError as error:
        raise ValidationError("Content-Length is required / Content-Length wajib.") from error
    # The request body is streamed from the socket into storage, never read whole into memory.
    envelope = services.receive_chunk(
        actor=request.user,
        envelope=envelope,
        offset=offset,
        stream=request,
        length=length,
        received_at=arrival.received_at(request),
    )
    return JsonResponse(_envelope_state(envelope))


@api_view("POST")
def complete(request, envelope_id):
    envelope = services.complete_envelope(
        actor=request.user, envelope=_own_envelope(request, envelope_id), received_at=arrival.received_at(request)
    )
    return JsonResponse(_envelope_state(envelope))


@api_view("GET")
def receipt(request, envelope_id):
    envelope = _own_envelope(request, envelope_id)
    response = HttpResponse(json.dumps(envelope.receipt, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="tanda-terima-{envelope.public_id}.json"'
    return response


@api_view("GET")
def my_share(request, box_id):
    box = get_object_or_404(SealedBox, public_id=box_id)
    share = get_object_or_404(BoxShare, box=box, member=request.user)
    return JsonResponse(
        {
            "box": box.public_id,
            "share_index": share.share_index,
            "share_sha256": share.share_sha256,
            "member_recipient": share.member_recipient,
            "ciphertext": base64.b64encode(bytes(share.share_ciphertext)).decode(),
        }
    )


@api_view("POST")
def submit_share(request, box_id):
    box = get_object_or_404(SealedBox, public_id=box_id)
    if not policies.is_box_member(request.user, box):
        raise Http404
    try:
        share_bytes = base64.b64decode(str(_json_body(request).get("share", "")), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationError("share must be base64 / share harus base64.") from error
    outcome = services.submit_share(actor=request.user, box=box, share_bytes=share_bytes)
    return JsonResponse(
        {"accepted": outcome.accepted, "message": outcome.message, "opened": outcome.opened},
        status=200 if outcome.accepted else 400,
    )


@api_view("POST")
def committee_key(request):
    key = services.register_committee_key(actor=request.user, recipient=str(_json_body(request).get("recipient", "")))
    return JsonResponse({"recipient": key.recipient, "created_at": key.created_at.isoformat()}, status=201)


# --- Public: the LPSE's key and the transparency log -----------------------------------------------------------


@require_GET
def public_key(request):
    return HttpResponse(public_key_text() + "\n", content_type="text/plain; charset=utf-8")


@api_view("GET", login=False)
def checkpoint(request):
    return JsonResponse(log.latest_checkpoint().document)


@api_view("GET", login=False)
def checkpoint_of_size(request, size):
    found = log.checkpoint_of_size(size)
    if found is None:
        raise Http404
    return JsonResponse(found.document)


@api_view("GET", login=False)
def box_checkpoint(request, box_id):
    box = get_object_or_404(SealedBox, public_id=box_id)
    try:
        return JsonResponse(log.freeze_checkpoint_for(box).document)
    except ValueError as error:
        raise ValidationError("The deadline has not passed yet / Batas akhir belum lewat.") from error


def _int_param(request, name) -> int:
    try:
        return int(request.GET[name])
    except (KeyError, ValueError) as error:
        raise ValidationError(f"Query parameter {name} must be a whole number.") from error


@api_view("GET", login=False)
def inclusion(request, index):
    try:
        proof = log.inclusion_proof(index, _int_param(request, "tree_size"))
    except ValueError as error:
        raise ValidationError(str(error)) from error
    entry = get_object_or_404(LogEntry, index=index)
    return JsonResponse({**proof, "leaf_hash": entry.leaf_hash, "document": entry.document})


@api_view("GET", login=False)
def consistency(request):
    try:
        return JsonResponse(log.consistency_proof(_int_param(request, "old"), _int_param(request, "new")))
    except ValueError as error:
        raise ValidationError(str(error)) from error
