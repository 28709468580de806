from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from eproc.organizations import selectors as org_selectors
from eproc.organizations.models import Agency, WorkUnit
from eproc.planning.selectors import announced_items
from eproc.vendors.policies import vendor_of

from .dashboard import cards_for


def home(request):
    """The public face of the LPSE: what it is, whom it serves, how to reach the helpdesk (Pasal 8(1), 12)."""
    agencies = org_selectors.agencies().filter(is_active=True)
    announcements = announced_items().order_by("-announced_at")[:5]
    return render(request, "web/home.html", {"agencies": agencies, "announcements": announcements})


def rate_limited(request, exception):
    """django-ratelimit's answer when a view blocks: a plain page, not a server error."""
    return render(request, "web/rate_limited.html", status=429)


@login_required
def dashboard(request):
    grants = org_selectors.grants_of(request.user)
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in={g.agency_id for g in grants})}
    work_units = {w.pk: w for w in WorkUnit.objects.filter(pk__in={g.work_unit_id for g in grants})}
    return render(
        request,
        "web/dashboard.html",
        {
            "cards": cards_for(grants, agencies, work_units),
            "vendor": vendor_of(request.user),
        },
    )
