"""Monitoring pages: thin. Each asks its policy, reads through selectors.py and, for writes, calls one service."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from eproc.organizations.models import WorkUnit
from eproc.permissions import require_or_404
from eproc.web.service_errors import add_service_errors

from . import documents, policies, selectors, services
from .forms import AdoptionPlanForm, ReportForm, RuleForm, ScopeForm
from .models import AdoptionStage, ComplianceRule


def _scope(request, form_class=ScopeForm):
    """The viewer's agency scope, the filter form and the chosen agency (always inside the scope)."""
    scope = policies.agency_scope(request.user)
    agencies = list(selectors.agencies_in(scope))
    form = form_class(request.GET or None, agencies=agencies)
    agency = form.agency() if form.is_bound else None
    if agency is None and scope is not None and len(agencies) == 1:
        agency = agencies[0]  # an Inspektorat of one agency: its figures only
    return scope, form, agency


@login_required
@require_GET
def dashboard(request):
    """Pasal 9(4)c,e, 8(2)a,f: the Head of LPSE's view of a year; read-only for the Inspektorat."""
    require_or_404(policies.can_view_monitoring(request.user))
    scope, form, agency = _scope(request)
    period = selectors.Period("year", form.year() if form.is_bound else selectors.period_from("year", None).year)
    report = selectors.activity_report(period, agency=agency, scope=scope)
    return render(
        request,
        "monitoring/dashboard.html",
        {"form": form, "report": report, "agency": agency, "perms_capacity": policies.can_view_capacity(request.user)},
    )


def _report(request):
    require_or_404(policies.can_view_monitoring(request.user))
    scope, form, agency = _scope(request, ReportForm)
    try:
        period = selectors.period_from(*form.period_args()) if form.is_bound else selectors.period_from("month", None)
    except ValueError:
        period = selectors.period_from("year", None)
    return form, selectors.activity_report(period, agency=agency, scope=scope)


@login_required
@require_GET
def report(request):
    form, report = _report(request)
    return render(
        request,
        "monitoring/report.html",
        {
            "form": form,
            "report": report,
            "query": _period_query(report),
            "perms_capacity": policies.can_view_capacity(request.user),
        },
    )


def _period_query(report) -> str:
    from urllib.parse import urlencode

    period = report.period
    query = {"periode": period.kind, "tahun": period.year}
    if period.kind == "month":
        query["bulan"] = period.number
    elif period.kind == "quarter":
        query["triwulan"] = period.number
    if report.agency is not None:
        query["instansi"] = report.agency.public_id
    return urlencode(query)


def _file_name(report, extension: str) -> str:
    agency = f"-{report.agency.code}" if report.agency is not None else ""
    return f"laporan-kegiatan-lpse-{report.period.slug}{agency}.{extension}"


@login_required
@require_GET
def report_pdf(request):
    """The periodic activity report as an A4 PDF (Pasal 9(4)e), in Indonesian as official reports are."""
    with translation.override("id"):
        _form, report = _report(request)
    response = HttpResponse(documents.render_report(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(report, "pdf")}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


class _Echo:
    def write(self, value):
        return value


def _csv_value(value) -> str:
    return "" if value is None else str(value)


@login_required
@require_GET
def report_csv(request):
    """The same figures as lines of section, figure and value, streamed (Pasal 8(2)f: data for audit and
    evaluation in a form others can compute with)."""
    _form, report = _report(request)
    writer = csv.writer(_Echo())
    header = [_("period"), _("agency"), _("section"), _("figure"), _("value"), _("unit")]
    agency = report.agency.name if report.agency is not None else _("All agencies")
    period = report.period.slug

    def rows():
        yield writer.writerow(header)
        for row in report.rows:
            yield writer.writerow([period, agency, row.section, row.label, _csv_value(row.value), row.unit])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(report, "csv")}"'
    return response


# --- Compliance (Pasal 15) -------------------------------------------------------------------------------------------


@login_required
@require_GET
def compliance(request):
    require_or_404(policies.can_view_monitoring(request.user))
    scope, form, agency = _scope(request)
    year = form.year() if form.is_bound else selectors.period_from("year", None).year
    units = selectors.compliance(year, selectors.scope_ids(agency=agency, scope=scope))
    return render(
        request,
        "monitoring/compliance.html",
        {
            "form": form,
            "year": year,
            "rules": selectors.rules_for(year),
            "units": units,
            "complying": sum(1 for unit in units if unit.complies is True),
            "failing": sum(1 for unit in units if unit.complies is False),
            "unassessed": sum(1 for unit in units if unit.complies is None),
            "stage_labels": dict(AdoptionStage.choices),
            "can_manage_rules": policies.can_manage_rules(request.user),
            "perms_capacity": policies.can_view_capacity(request.user),
        },
    )


@login_required
def rules(request):
    require_or_404(policies.can_manage_rules(request.user))
    return _rule_form(request, None)


@login_required
def rule_edit(request, code):
    require_or_404(policies.can_manage_rules(request.user))
    return _rule_form(request, get_object_or_404(ComplianceRule, code=code))


def _rule_form(request, rule):
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_rule(actor=request.user, rule=rule, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Compliance rule saved."))
            return redirect("monitoring:rules")
    return render(
        request,
        "monitoring/rules.html",
        {"form": form, "rule": rule, "rules": ComplianceRule.objects.select_related("updated_by")},
    )


@login_required
@require_GET
def adoption_plans(request):
    """The work units whose adoption plan the user keeps (PA/KPA of a unit, or the agency administrator)."""
    require_or_404(policies.can_plan_any_adoption(request.user))
    year = selectors.period_from("year", None).year
    units = selectors.work_units_plannable_by(request.user)
    plans = {plan.work_unit_id: plan for plan in selectors.adoption_plans_of(units, year)}
    return render(
        request,
        "monitoring/adoption_plans.html",
        {"year": year, "rows": [(unit, plans.get(unit.pk)) for unit in units]},
    )


@login_required
def adoption_plan(request, work_unit_public_id):
    work_unit = get_object_or_404(WorkUnit.objects.select_related("agency"), public_id=work_unit_public_id)
    require_or_404(policies.can_plan_adoption(request.user, work_unit))
    try:
        year = int(request.GET.get("tahun") or selectors.period_from("year", None).year)
        selectors.Period("year", year)
    except ValueError:
        year = selectors.period_from("year", None).year
    plan = selectors.adoption_plan_of(work_unit, year)
    initial = (
        {
            "stages": plan.stages,
            "planned_count": plan.planned_count,
            "plan_items": plan.plan_items.all(),
            "coordinated_on": plan.coordinated_on,
            "note": plan.note,
        }
        if plan
        else {"stages": AdoptionStage.values}
    )
    form = AdoptionPlanForm(request.POST or None, initial=initial, items=selectors.plannable_items(work_unit, year))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_adoption_plan(actor=request.user, work_unit=work_unit, fiscal_year=year, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Adoption plan saved."))
            return redirect("monitoring:adoption_plans")
    checks = [unit for unit in selectors.compliance(year, {work_unit.agency_id}) if unit.work_unit.pk == work_unit.pk]
    return render(
        request,
        "monitoring/adoption_plan.html",
        {"work_unit": work_unit, "year": year, "form": form, "plan": plan, "status": checks[0] if checks else None},
    )


# --- Capacity (Pasal 11(3)e) -----------------------------------------------------------------------------------------


@login_required
@require_GET
def capacity(request):
    require_or_404(policies.can_view_capacity(request.user))
    today = selectors.today_snapshot()
    if today is None:
        today = services.take_snapshot(actor=request.user)  # growth needs a point per day, even if cron is missing
    snapshots = selectors.snapshots()
    return render(
        request,
        "monitoring/capacity.html",
        {
            "today": today,
            "storage": selectors.storage_usage(),
            "database_bytes": selectors.database_bytes(),
            "database_vendor": selectors.database_vendor(),
            "queue": selectors.queue(),
            "rates": selectors.request_rates(),
            "snapshots": snapshots,
            "growth": [
                selectors.Bar(str(item.taken_on), str(item.taken_on), (item.database_bytes + item.media_bytes) // 1024)
                for item in snapshots
            ],
        },
    )
