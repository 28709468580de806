"""LPSE-admin area for agencies, work units, appointments and days off. Thin: validate, look up through the
policy, call one service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eproc.accounts.services import send_set_password_invitation
from eproc.files import attachment_response
from eproc.permissions import require_or_404
from eproc.web.service_errors import add_service_errors

from . import policies, selectors, services
from .forms import AgencyForm, AppointmentForm, DayOffForm, RevokeAppointmentForm, WorkUnitForm
from .models import Agency, DayOff, WorkUnit


@login_required
def agency_list(request):
    require_or_404(policies.can_manage_agencies(request.user))
    return render(request, "organizations/agency_list.html", {"agencies": selectors.agencies()})


@login_required
def agency_form(request, public_id=None):
    require_or_404(policies.can_manage_agencies(request.user))
    agency = get_object_or_404(Agency, public_id=public_id) if public_id else None
    initial = {field: getattr(agency, field) for field in services.AGENCY_FIELDS} if agency else None
    form = AgencyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if agency:
                agency = services.update_agency(actor=request.user, agency=agency, **form.cleaned_data)
            else:
                data = {k: v for k, v in form.cleaned_data.items() if k != "is_active"}
                agency = services.create_agency(actor=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Agency %(name)s saved.") % {"name": agency.name})
            return redirect("organizations:agency_detail", public_id=agency.public_id)
    return render(request, "organizations/agency_form.html", {"form": form, "agency": agency})


@login_required
def agency_detail(request, public_id):
    agency = get_object_or_404(Agency, public_id=public_id)
    require_or_404(
        policies.can_manage_agencies(request.user) or policies.can_view_appointments_of(request.user, agency)
    )
    return render(
        request,
        "organizations/agency_detail.html",
        {
            "agency": agency,
            "work_units": selectors.work_units(agency=agency),
            "appointments": selectors.appointments_visible_to(request.user).filter(agency=agency),
            "can_manage": policies.can_manage_agencies(request.user),
            "can_appoint": bool(policies.appointable_roles(request.user, agency)),
        },
    )


@login_required
def work_unit_form(request, agency_public_id=None, public_id=None):
    work_unit = get_object_or_404(WorkUnit.objects.select_related("agency"), public_id=public_id) if public_id else None
    agency = work_unit.agency if work_unit else get_object_or_404(Agency, public_id=agency_public_id)
    require_or_404(policies.can_manage_work_units(request.user, agency))
    initial = {field: getattr(work_unit, field) for field in services.WORK_UNIT_FIELDS} if work_unit else None
    form = WorkUnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if work_unit:
                services.update_work_unit(actor=request.user, work_unit=work_unit, **form.cleaned_data)
            else:
                data = {k: v for k, v in form.cleaned_data.items() if k != "is_active"}
                services.create_work_unit(actor=request.user, agency=agency, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Work unit saved."))
            return redirect("organizations:agency_detail", public_id=agency.public_id)
    return render(
        request, "organizations/work_unit_form.html", {"form": form, "agency": agency, "work_unit": work_unit}
    )


@login_required
def appointment_list(request):
    appointments = selectors.appointments_visible_to(request.user)
    return render(
        request,
        "organizations/appointment_list.html",
        {
            "appointments": appointments,
            "can_appoint_lpse": bool(policies.appointable_roles(request.user, None)),
            "agencies": [a for a in selectors.agencies() if policies.appointable_roles(request.user, a)],
        },
    )


@login_required
def appointment_create(request, agency_public_id=None):
    agency = get_object_or_404(Agency, public_id=agency_public_id) if agency_public_id else None
    roles = policies.appointable_roles(request.user, agency)
    require_or_404(bool(roles))
    form = AppointmentForm(request.POST or None, request.FILES or None, roles=roles, agency=agency)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment = services.appoint_by_email(
                actor=request.user,
                email=data["email"],
                full_name=data["full_name"],
                nip=data["nip"],
                role=data["role"],
                agency=agency,
                work_unit=data.get("work_unit"),
                decree_number=data["decree_number"],
                decree_date=data["decree_date"],
                decree_file=data["decree_file"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not appointment.user.has_usable_password():
                send_set_password_invitation(request, appointment.user)
            messages.success(
                request,
                _("%(name)s is appointed as %(role)s.")
                % {"name": appointment.user, "role": appointment.get_role_display()},
            )
            return redirect("organizations:appointment_detail", public_id=appointment.public_id)
    return render(request, "organizations/appointment_form.html", {"form": form, "agency": agency})


def _visible_appointment(request, public_id):
    return get_object_or_404(selectors.appointments_visible_to(request.user), public_id=public_id)


@login_required
def appointment_detail(request, public_id):
    appointment = _visible_appointment(request, public_id)
    return render(
        request,
        "organizations/appointment_detail.html",
        {
            "appointment": appointment,
            "can_revoke": appointment.revoked_at is None and policies.can_revoke_appointment(request.user, appointment),
            "revoke_form": RevokeAppointmentForm(),
        },
    )


@login_required
def appointment_decree(request, public_id):
    appointment = _visible_appointment(request, public_id)
    return attachment_response(appointment.decree_file, download_name=appointment.decree_file_name)


@login_required
@require_POST
def appointment_revoke(request, public_id):
    appointment = _visible_appointment(request, public_id)
    require_or_404(policies.can_revoke_appointment(request.user, appointment))
    form = RevokeAppointmentForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_appointment(actor=request.user, appointment=appointment, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The appointment is revoked."))
    else:
        messages.error(request, _("Please state why the appointment is revoked."))
    return redirect("organizations:appointment_detail", public_id=appointment.public_id)


@login_required
def day_off_list(request):
    require_or_404(policies.can_manage_days_off(request.user))
    form = DayOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_day_off(
                actor=request.user,
                day=form.cleaned_data["date"],
                name=form.cleaned_data["name"],
                agency=form.cleaned_data["agency"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Day off added."))
            return redirect("organizations:day_off_list")
    return render(request, "organizations/day_off_list.html", {"form": form, "days_off": selectors.days_off()})


@login_required
@require_POST
def day_off_remove(request, public_id):
    require_or_404(policies.can_manage_days_off(request.user))
    services.remove_day_off(actor=request.user, day_off=get_object_or_404(DayOff, public_id=public_id))
    messages.success(request, _("Day off removed."))
    return redirect("organizations:day_off_list")
