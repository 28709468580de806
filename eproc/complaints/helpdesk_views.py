"""Helpdesk pages (Pasal 9(9)): the public help page with the FAQ, asking, and the staff's desk."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eproc.permissions import require_or_404
from eproc.web.service_errors import add_service_errors

from . import helpdesk_services as services
from . import policies
from .forms import AnswerForm, AskForm, FaqForm, FlagForm, FollowUpForm, LogContactForm
from .models import DeviationFlag, FaqEntry, Ticket


def help_page(request):
    form = AskForm(request.POST or None)
    if request.method == "POST":
        require_or_404(request.user.is_authenticated)
        if form.is_valid():
            try:
                services.ask(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your question is sent to the helpdesk."))
                return redirect("helpdesk:help")
    mine = Ticket.objects.filter(asker=request.user) if request.user.is_authenticated else Ticket.objects.none()
    return render(
        request,
        "complaints/help.html",
        {
            "faq": FaqEntry.objects.filter(is_published=True),
            "form": form,
            "tickets": mine,
        },
    )


@login_required
def desk(request):
    require_or_404(policies.can_run_helpdesk(request.user))
    form = LogContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.log_contact(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Consultation logged."))
            return redirect("helpdesk:desk")
    return render(
        request,
        "complaints/desk.html",
        {
            "form": form,
            "open_tickets": Ticket.objects.filter(answered_at__isnull=True).select_related("assigned_to"),
            "answered": Ticket.objects.filter(answered_at__isnull=False)[:50],
            "faq": FaqEntry.objects.all(),
        },
    )


@login_required
def ticket(request, public_id):
    require_or_404(policies.can_run_helpdesk(request.user))
    item = get_object_or_404(Ticket, public_id=public_id)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.answer_ticket(actor=request.user, ticket=item, text=form.cleaned_data["text"])
        messages.success(request, _("Answered."))
        return redirect("helpdesk:desk")
    return render(request, "complaints/ticket.html", {"ticket": item, "form": form})


@login_required
@require_POST
def take(request, public_id):
    require_or_404(policies.can_run_helpdesk(request.user))
    services.assign(actor=request.user, ticket=get_object_or_404(Ticket, public_id=public_id), to=request.user)
    return redirect("helpdesk:ticket", public_id=public_id)


@login_required
def faq(request, public_id=None):
    require_or_404(policies.can_run_helpdesk(request.user))
    entry = get_object_or_404(FaqEntry, public_id=public_id) if public_id else None
    initial = (
        {
            "question": entry.question,
            "answer": entry.answer,
            "position": entry.position,
            "is_published": entry.is_published,
        }
        if entry
        else None
    )
    form = FaqForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_faq(actor=request.user, entry=entry, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("helpdesk:desk")
    return render(request, "complaints/faq_form.html", {"form": form, "entry": entry})


@login_required
def flags(request):
    require_or_404(policies.can_read_flags(request.user))
    form = FlagForm(request.POST or None)
    if request.method == "POST":
        require_or_404(policies.can_run_helpdesk(request.user))
        if form.is_valid():
            services.flag_deviation(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Reported to the Head of LPSE."))
            return redirect("helpdesk:flags")
    return render(
        request,
        "complaints/flags.html",
        {
            "flags": DeviationFlag.objects.select_related("flagged_by", "acknowledged_by"),
            "form": form,
            "can_flag": policies.can_run_helpdesk(request.user),
            "can_acknowledge": policies.can_acknowledge_flags(request.user),
            "follow_up_form": FollowUpForm(),
        },
    )


@login_required
@require_POST
def acknowledge(request, public_id):
    require_or_404(policies.can_acknowledge_flags(request.user))
    form = FollowUpForm(request.POST)
    if form.is_valid():
        services.acknowledge_flag(
            actor=request.user,
            flag=get_object_or_404(DeviationFlag, public_id=public_id),
            follow_up=form.cleaned_data["follow_up"],
        )
        messages.success(request, _("Follow-up recorded."))
    else:
        messages.error(request, _("Write the follow-up."))
    return redirect("helpdesk:flags")
