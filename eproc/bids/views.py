"""Pages of the sealed-bid flow. The cryptography happens in the browser (static/bids/*.js); these views only
render what the policy lets each person see and serve files as attachments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from eproc.core import clock
from eproc.organizations.models import Agency
from eproc.web.service_errors import add_service_errors

from . import policies, selectors, services
from .forms import BoxForm
from .keys import public_key_text
from .models import Envelope, SealedBox


def box_list(request):
    return render(
        request,
        "bids/box_list.html",
        {
            "boxes": selectors.boxes_for_listing()[:200],
            "my_boxes": selectors.boxes_of(request.user)[:200],
            "can_create": request.user.is_authenticated and bool(policies.committee_agencies(request.user)),
        },
    )


@login_required
def committee_key(request):
    if not policies.can_manage_committee_key(request.user):
        raise Http404
    return render(request, "bids/committee_key.html", {"key": services.active_key_of(request.user)})


@login_required
def box_create(request):
    agencies = Agency.objects.filter(pk__in=policies.committee_agencies(request.user))
    if not agencies.exists():
        raise Http404
    form = BoxForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            box = services.create_box(
                actor=request.user,
                agency=data["agency"],
                reference=data["reference"],
                title=data["title"],
                envelope=data["envelope"],
                members=list(data["members"]),
                threshold=data["threshold"],
                upload_opens_at=data["upload_opens_at"],
                deadline=data["deadline"],
                grace_period=form.grace_period,
                opening_at=data["opening_at"],
                bidders=data["bidder_emails"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The box is sealed to its committee. Its recipient is now public."))
            return redirect("bids:box_detail", public_id=box.public_id)
    return render(request, "bids/box_form.html", {"form": form})


def box_detail(request, public_id):
    box = get_object_or_404(SealedBox.objects.select_related("agency"), public_id=public_id)
    user = request.user
    now = clock.now()
    context = {
        "box": box,
        "now": now,
        "shares": box.shares.select_related("member"),
        "window_open": box.upload_opens_at <= now < box.deadline,
        "bytes_open": now < box.bytes_deadline,
        "is_bidder": policies.can_submit_bid(user, box),
        "is_member": policies.is_box_member(user, box),
        "opening_time_reached": now >= box.opening_at,
        "public_key": public_key_text(),
        "opening": getattr(box, "opening", None),
    }
    if context["is_bidder"]:
        context["envelope"] = selectors.current_envelope(box, user)
        context["bidder_ref"] = user.public_id
        context["bidder_nonce"] = bytes(context["envelope"].bidder_nonce).hex() if context["envelope"] else "NONCE"
    if context["opening"] and policies.can_view_plaintext(user, box):
        context["opened_envelopes"] = box.envelopes.filter(superseded_at__isnull=True).select_related(
            "opened", "bidder"
        )
    return render(request, "bids/box_detail.html", context)


def minutes_pdf(request, public_id):
    """Public once the box is open (the opening minutes are published, Pasal 12)."""
    box = get_object_or_404(SealedBox, public_id=public_id)
    opening = getattr(box, "opening", None)
    if opening is None or not opening.minutes_pdf:
        raise Http404
    return FileResponse(
        opening.minutes_pdf.open("rb"),
        as_attachment=True,
        filename=f"berita-acara-pembukaan-{box.reference}.pdf",
        content_type="application/pdf",
    )


@login_required
def opened_plaintext(request, public_id):
    envelope = get_object_or_404(Envelope.objects.select_related("box", "opened"), public_id=public_id)
    opened = getattr(envelope, "opened", None)
    if opened is None or not opened.storage_name or not policies.can_view_plaintext(request.user, envelope.box):
        raise Http404
    response = FileResponse(
        default_storage.open(opened.storage_name, "rb"),
        as_attachment=True,
        filename=f"penawaran-{envelope.public_id}.bin",
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
