"""The LPSE administrator's view of the national-portal outbox: what waits, what fails and why, and replay.
Thin: policy, one read (selectors.py) or one write (services.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eproc.permissions import require_or_404

from . import policies, selectors, services
from .models import OutboxEntry


@login_required
def overview(request):
    require_or_404(policies.can_read_outbox(request.user))
    return render(
        request,
        "outbox/overview.html",
        {
            "summary": selectors.summary(),
            "failing": selectors.failing_entries(),
            "can_manage": policies.can_manage_outbox(request.user),
        },
    )


@login_required
@require_POST
def replay(request):
    """POST entry=<id> replays one failing entry; all=1 replays every failing entry."""
    require_or_404(policies.can_manage_outbox(request.user))
    try:
        if request.POST.get("all"):
            count = services.replay_failing(actor=request.user)
            messages.success(request, _("Changes to be sent at the next pass: %(count)s.") % {"count": count})
        elif request.POST.get("entry", "").isdigit():
            entry = get_object_or_404(OutboxEntry, pk=int(request.POST["entry"]))
            services.replay(actor=request.user, entry=entry)
            messages.success(request, _("%(key)s will be sent at the next pass.") % {"key": entry.key})
        else:
            messages.error(request, _("Choose what to replay."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("outbox:overview")
