"""Complaint pages: filing and tracking for anyone, triage for the LPSE. Thin: validate, policy, one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from eproc.files import attachment_response
from eproc.web.service_errors import add_service_errors

from . import policies, services
from .forms import AnswerForm, ComplaintForm, ForwardForm, TrackForm
from .models import Complaint, ComplaintAttachment


# Filing needs no account (Pasal 14a), so it is rate limited per address to keep it usable under abuse (Pasal 5a).
@ratelimit(key="ip", rate="5/h", method="POST", block=False)
def file(request):
    form = ComplaintForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and getattr(request, "limited", False):
        form.is_valid()
        form.add_error(
            None, _("Too many complaints from your connection; please try again in an hour or call the helpdesk.")
        )
    elif request.method == "POST" and form.is_valid():
        try:
            complaint = services.file_complaint(reporter=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "complaints/filed.html", {"complaint": complaint})
    return render(request, "complaints/file.html", {"form": form})


@ratelimit(key="ip", rate="30/m", block=False)
def track(request, code=None):
    """The tracking code is the reporter's key: it shows status, forwards and the answer, nothing about others."""
    if code is None:
        form = TrackForm(request.GET or None)
        if form.is_valid():
            return redirect("complaints:track_code", code=form.cleaned_data["code"].strip().upper())
        return render(request, "complaints/track.html", {"form": form})
    if getattr(request, "limited", False):
        raise Http404
    complaint = get_object_or_404(Complaint, tracking_code=code.strip().upper())
    return render(request, "complaints/status.html", {"complaint": complaint, "forwards": complaint.forwards.all()})


@login_required
def manage(request):
    if not policies.can_read_all(request.user):
        raise Http404
    return render(request, "complaints/manage.html", {"complaints": Complaint.objects.select_related("agency")[:500]})


@login_required
def detail(request, public_id):
    if not policies.can_read_all(request.user):
        raise Http404
    complaint = get_object_or_404(Complaint, public_id=public_id)
    return render(
        request,
        "complaints/detail.html",
        {
            "complaint": complaint,
            "forwards": complaint.forwards.select_related("sent_by"),
            "forward_form": ForwardForm(),
            "answer_form": AnswerForm(),
            "can_handle": policies.can_handle(request.user),
        },
    )


def _handled(request, public_id):
    if not policies.can_handle(request.user):
        raise Http404
    return get_object_or_404(Complaint, public_id=public_id)


@login_required
@require_POST
def review(request, public_id):
    services.start_review(actor=request.user, complaint=_handled(request, public_id))
    return redirect("complaints:detail", public_id=public_id)


@login_required
@require_POST
def forward(request, public_id):
    complaint = _handled(request, public_id)
    form = ForwardForm(request.POST)
    if form.is_valid():
        forwards = services.forward(
            actor=request.user,
            complaint=complaint,
            destinations=form.cleaned_data["destinations"],
            note=form.cleaned_data["note"],
        )
        failed = [item for item in forwards if not item.delivered]
        if failed:
            messages.error(
                request,
                _("Not delivered: %(list)s. Try again later.")
                % {"list": ", ".join(item.get_destination_display() for item in failed)},
            )
        else:
            messages.success(request, _("Forwarded."))
    else:
        messages.error(request, _("Choose where to forward the complaint."))
    return redirect("complaints:detail", public_id=public_id)


@login_required
@require_POST
def answer(request, public_id):
    complaint = _handled(request, public_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer(actor=request.user, complaint=complaint, text=form.cleaned_data["text"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Answered and closed."))
    return redirect("complaints:detail", public_id=public_id)


@login_required
def attachment(request, public_id):
    item = get_object_or_404(ComplaintAttachment, public_id=public_id)
    if not policies.can_read_all(request.user):
        raise Http404
    return attachment_response(item.file, download_name=item.original_name)
