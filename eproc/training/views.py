"""Training pages (Pasal 8(2)d, 9(10)): the public list of sessions, registration for the people each session is
for, and the trainer's pages. Thin: validate, policy, one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eproc.core import clock
from eproc.files import attachment_response
from eproc.web.service_errors import add_service_errors

from . import policies, selectors, services
from .forms import AttendanceForm, CancelForm, MaterialForm, SessionForm
from .models import Material


def _session(public_id):
    session = selectors.session(public_id)
    if session is None:
        raise Http404
    return session


def _managed(request, public_id):
    if not policies.can_manage(request.user):
        raise Http404
    return _session(public_id)


def session_list(request):
    return render(
        request,
        "training/session_list.html",
        {
            "upcoming": selectors.upcoming_sessions(),
            "past": selectors.past_sessions()[:100],
            "can_manage": policies.can_manage(request.user),
        },
    )


def session_detail(request, public_id):
    session = _session(public_id)
    user = request.user
    now = clock.now()
    can_manage = policies.can_manage(user)
    registration = selectors.registration_of(user, session)
    context = {
        "session": session,
        "registration": registration,
        "fits_audience": policies.fits_audience(user, session),
        "started": session.starts_at <= now,
        "full": session.registered >= session.capacity,
        "can_manage": can_manage,
        "can_view_materials": policies.can_view_materials(user, session),
    }
    if context["can_view_materials"]:
        context["materials"] = selectors.materials_of(session)
    if can_manage:
        context["registrations"] = selectors.registrations_of(session)
        context["cancel_form"] = CancelForm()
    return render(request, "training/session_detail.html", context)


@login_required
def session_create(request):
    if not policies.can_manage(request.user):
        raise Http404
    initial = {"trainer": request.user} if policies.can_train(request.user) else {}
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.create_session(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The session is scheduled and listed publicly."))
            return redirect("training:session_detail", public_id=session.public_id)
    return render(request, "training/session_form.html", {"form": form})


@login_required
@require_POST
def register(request, public_id):
    session = _session(public_id)
    if not policies.can_register(request.user, session):
        raise Http404
    try:
        services.register(actor=request.user, session=session)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You are registered."))
    return redirect("training:session_detail", public_id=public_id)


@login_required
@require_POST
def unregister(request, public_id):
    session = _session(public_id)
    if not policies.is_registered(request.user, session):
        raise Http404
    try:
        services.unregister(actor=request.user, session=session)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your registration is withdrawn."))
    return redirect("training:session_detail", public_id=public_id)


@login_required
@require_POST
def cancel(request, public_id):
    session = _managed(request, public_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the session is cancelled."))
        return redirect("training:session_detail", public_id=public_id)
    try:
        services.cancel_session(actor=request.user, session=session, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The session is cancelled."))
    return redirect("training:session_detail", public_id=public_id)


@login_required
def attendance(request, public_id):
    session = _managed(request, public_id)
    # Bound on any POST: a form with every box unticked posts no field at all, and still means "nobody attended".
    form = AttendanceForm(
        request.POST if request.method == "POST" else None, registrations=selectors.registrations_of(session)
    )
    if request.method == "POST" and form.is_valid():
        try:
            for registration, attended in form.marks():
                services.mark_attendance(actor=request.user, session=session, user=registration.user, attended=attended)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Attendance saved."))
            return redirect("training:session_detail", public_id=public_id)
    return render(request, "training/attendance.html", {"session": session, "form": form})


@login_required
def material_upload(request, public_id):
    session = _managed(request, public_id)
    form = MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_material(actor=request.user, session=session, upload=form.cleaned_data["file"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The material is uploaded; participants can download it."))
            return redirect("training:session_detail", public_id=public_id)
    return render(
        request,
        "training/material_form.html",
        {"session": session, "form": form, "materials": selectors.materials_of(session)},
    )


@login_required
def material_download(request, public_id):
    material = get_object_or_404(Material.objects.select_related("session"), public_id=public_id)
    if not policies.can_view_materials(request.user, material.session):
        raise Http404
    return attachment_response(material.file, download_name=material.original_name)
