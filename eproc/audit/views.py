from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from .policies import can_view_audit_trail
from .selectors import events_visible_to
from .verification import verify_chain


@login_required
def trail(request):
    if not can_view_audit_trail(request.user):
        raise Http404
    page = Paginator(events_visible_to(request.user), 50).get_page(request.GET.get("page"))
    verification = verify_chain() if request.GET.get("verify") else None
    return render(request, "audit/trail.html", {"page": page, "verification": verification})
