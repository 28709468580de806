from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from eproc.core import clock
from eproc.organizations import selectors as org_selectors
from eproc.organizations.models import Agency, WorkUnit
from eproc.planning.selectors import announced_items
from eproc.tenders import lifecycle
from eproc.tenders.selectors import public_tenders
from eproc.vendors.policies import vendor_of

from . import public_cache
from .dashboard import cards_for


@public_cache.public_page
def home(request):
    """The public face of the LPSE: what it is, whom it serves, how to reach the helpdesk (Pasal 8(1), 12)."""
    agencies = org_selectors.agencies().filter(is_active=True)
    announcements = announced_items().order_by("-announced_at")[:5]
    tenders = list(public_tenders()[:5])
    now = clock.now()
    for tender in tenders:
        public_cache.valid_until(request, lifecycle.next_change(tender, now))
    return render(request, "web/home.html", {"agencies": agencies, "announcements": announcements, "tenders": tenders})


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


def about(request):
    """Pasal 9-10: the LPSE's organisation and who holds each function today, its services and contact."""
    from eproc.organizations.roles import ROLES, Role

    functions = [Role.KEPALA_LPSE, Role.SEKRETARIS_LPSE, Role.LPSE_ADMIN, Role.VERIFIKATOR, Role.HELPDESK, Role.TRAINER]
    holders = {role: [] for role in functions}
    for appointment in org_selectors.active_appointments().filter(role__in=functions).select_related("user"):
        holders[Role(appointment.role)].append(appointment.user.full_name)
    return render(
        request,
        "web/about.html",
        {
            "functions": [(ROLES[role], sorted(holders[role])) for role in functions],
        },
    )


def healthz(request):
    """For the load balancer and the administrator (Pasal 11(3)c-e): the database answers, the file storage takes a
    write, the cache answers. 503 with the failing part named otherwise; no details that would help an attacker."""
    import uuid

    from django.core.cache import cache
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import connection
    from django.http import JsonResponse

    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - reported as a failing check
        checks["database"] = "failing"
    try:
        name = default_storage.save(f"healthz/{uuid.uuid4().hex}", ContentFile(b"ok"))
        default_storage.delete(name)
        checks["storage"] = "ok"
    except Exception:  # noqa: BLE001
        checks["storage"] = "failing"
    try:
        cache.set("healthz", "ok", 5)
        checks["cache"] = "ok" if cache.get("healthz") == "ok" else "failing"
    except Exception:  # noqa: BLE001
        checks["cache"] = "failing"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "failing", "checks": checks}, status=200 if healthy else 503)


def server_error(request):
    """The 500 page names the incident code that IncidentMiddleware logged with the traceback, so the helpdesk can
    find the exact failure a user reports (Pasal 11(3)c: error handling)."""
    from django.http import HttpResponseServerError
    from django.template.loader import render_to_string

    code = getattr(request, "incident_code", "")
    try:
        return HttpResponseServerError(render_to_string("500.html", {"incident_code": code, "request": request}))
    except Exception:  # noqa: BLE001 - the error page must never fail itself
        return HttpResponseServerError(f"Server error. Incident {code}".encode())
