"""RUP pages: the public plan (with CSV export) and the PA's workspace. Thin: validate, policy, one service."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eproc.core.money import format_rupiah
from eproc.organizations.models import WorkUnit
from eproc.tenders import policies as tender_policies
from eproc.web import public_cache
from eproc.web.service_errors import add_service_errors

from . import policies, selectors, services
from .forms import FilterForm, PlanItemForm
from .models import PlanItem


def _filtered(request):
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    items = selectors.announced_items(
        agency=filters.get("agency"),
        work_unit=filters.get("work_unit"),
        year=filters.get("year"),
        procurement_type=filters.get("procurement_type"),
        query=filters.get("q", ""),
    )
    return form, items


@public_cache.public_page
def public_list(request):
    form, items = _filtered(request)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "planning/public_list.html", {"form": form, "page": page, "query": query.urlencode()})


class _Echo:
    def write(self, value):
        return value


def export_csv(request):
    """The public plan as CSV, streamed row by row (it can be long)."""
    _form, items = _filtered(request)
    writer = csv.writer(_Echo())
    header = [
        "kode",
        "instansi",
        "satuan_kerja",
        "nama_pa",
        "alamat_pa",
        "tahun",
        "paket",
        "lokasi",
        "pagu",
        "sumber_dana",
        "jenis_pengadaan",
        "metode",
        "bulan_pemilihan",
        "diumumkan",
    ]

    def rows():
        yield writer.writerow(header)
        for item in items.iterator(chunk_size=1000):
            yield writer.writerow(
                [
                    item.public_id,
                    item.agency.name,
                    item.work_unit.name,
                    item.pa_name,
                    item.pa_address,
                    item.fiscal_year,
                    item.package_name,
                    item.location,
                    f"{item.budget:.2f}",
                    item.fund_source,
                    item.procurement_type,
                    item.planned_method,
                    item.planned_month,
                    item.announced_at.isoformat(),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rup.csv"'
    return response


@public_cache.public_page
def detail(request, public_id):
    item = get_object_or_404(PlanItem.objects.select_related("agency", "work_unit"), public_id=public_id)
    if not policies.can_view(request.user, item):
        raise Http404
    return render(
        request,
        "planning/detail.html",
        {
            "item": item,
            "revisions": item.revisions.select_related("changed_by"),
            "can_edit": policies.can_edit(request.user, item),
            "budget_text": format_rupiah(item.budget),
            # Pasal 7(3)c: the committee makes packages from the announced plan.
            "can_make_package": item.is_public
            and item.withdrawn_at is None
            and tender_policies.can_create_tender(request.user, item.agency),
            "tenders": item.tenders.filter(announced_at__isnull=False),
        },
    )


@login_required
def workspace(request):
    if not selectors.is_planner(request.user):
        raise Http404
    return render(request, "planning/workspace.html", {"items": selectors.items_of_planner(request.user)})


def _work_units(user):
    return WorkUnit.objects.filter(pk__in=policies.planning_work_units(user))


@login_required
def edit(request, public_id=None):
    item = get_object_or_404(PlanItem, public_id=public_id) if public_id else None
    work_units = _work_units(request.user)
    if not work_units.exists() or (item and not policies.can_edit(request.user, item)):
        raise Http404
    initial = {field: getattr(item, field) for field in services.EDITABLE_FIELDS} if item else {"fund_source": "apbd"}
    if item:
        initial["work_unit"] = item.work_unit
        initial["budget"] = format_rupiah(item.budget)
    form = PlanItemForm(
        request.POST or None, initial=initial, work_units=work_units, announced=bool(item and item.is_public)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        work_unit = data.pop("work_unit")
        reason = data.pop("reason", "")
        try:
            if item:
                item = services.update_item(actor=request.user, item=item, reason=reason, **data)
            else:
                item = services.create_item(actor=request.user, work_unit=work_unit, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("planning:detail", public_id=item.public_id)
    return render(request, "planning/edit.html", {"form": form, "item": item})


@login_required
@require_POST
def announce(request, public_id):
    item = get_object_or_404(PlanItem, public_id=public_id)
    if not policies.can_edit(request.user, item):
        raise Http404
    try:
        services.announce(actor=request.user, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Announced: the item is now public."))
    return redirect("planning:detail", public_id=item.public_id)


@login_required
@require_POST
def withdraw(request, public_id):
    item = get_object_or_404(PlanItem, public_id=public_id)
    if not policies.can_edit(request.user, item):
        raise Http404
    try:
        services.withdraw(actor=request.user, item=item, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Withdrawn."))
    return redirect("planning:detail", public_id=item.public_id)
