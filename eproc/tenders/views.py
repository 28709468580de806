"""Tender pages: the public list and announcement, the vendor's participation and questions, the committee's
workspace and the PPK's approval. Thin: validate, look up through the policy, call one service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eproc.core import clock
from eproc.core.money import format_rupiah
from eproc.evaluation import selectors as evaluation
from eproc.files import attachment_response
from eproc.organizations.models import Agency
from eproc.organizations.selectors import grants_of
from eproc.permissions import require_or_404
from eproc.planning.selectors import announced_items_for_packages
from eproc.vendors.policies import user_eligibility, vendor_of
from eproc.web import public_cache
from eproc.web.service_errors import add_service_errors

from . import export as tender_export
from . import lifecycle, minutes, policies, rules, search, selectors, services
from .forms import AnswerForm, ApprovalForm, DocumentForm, FilterForm, QuestionForm, ScheduleForm, TenderForm
from .models import Question, Tender, TenderDocument

_tender = selectors.tender_or_404


def _schedule_rows(tender: Tender, now):
    """Tahap | Mulai | Sampai | History Perubahan, as SPSE shows it (DESIGN 10)."""
    history = {}
    for change in tender.schedule_changes.select_related("changed_by"):
        history.setdefault(change.stage, []).append(change)
    return [
        {
            "stage": lifecycle.Stage(row.stage),
            "starts_at": row.starts_at,
            "ends_at": row.ends_at,
            "current": row.starts_at <= now < row.ends_at,
            "history": history.get(row.stage, []),
        }
        for row in tender.stages.all()
    ]


# --- Public -------------------------------------------------------------------------------------------------------


@public_cache.public_page
def public_list(request):
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    tenders = selectors.public_tenders(
        agency=filters.get("agency"),
        category=filters.get("category"),
        method=filters.get("method"),
        year=filters.get("year"),
        query=filters.get("q", ""),
    )
    page = search.CappedPaginator(tenders, 30).get_page(request.GET.get("page"))
    now = clock.now()
    rows = [(tender, lifecycle.situation(tender, now)) for tender in page]
    for tender, _situation in rows:
        public_cache.valid_until(request, lifecycle.next_change(tender, now))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "tenders/public_list.html", {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    )


@public_cache.public_page
def detail(request, public_id):
    tender = _tender(public_id)
    require_or_404(policies.can_view(request.user, tender))
    now = clock.now()
    public_cache.valid_until(request, lifecycle.next_change(tender, now))
    insider = policies.is_insider(request.user, tender)
    participant = policies.participant_of(request.user, tender) if request.user.is_authenticated else None
    vendor = vendor_of(request.user) if request.user.is_authenticated else None
    can_join = (
        vendor is not None
        and participant is None
        and not tender.is_pengadaan_langsung
        and tender.cancelled_at is None
        and selectors.join_window_open(tender, now)
    )
    return render(
        request,
        "tenders/detail.html",
        {
            "tender": tender,
            "situation": lifecycle.situation(tender, now),
            "schedule": _schedule_rows(tender, now),
            "documents": tender.documents.all(),
            "participants": selectors.visible_participants(request.user, tender, insider=insider),
            "participant": participant,
            "insider": insider,
            "can_join": can_join,
            "eligibility": user_eligibility(request.user) if can_join else None,
            "can_download": policies.can_download(request.user, tender),
            "can_see_clarification": policies.can_see_clarification(request.user, tender),
            "can_manage": policies.can_manage(request.user, tender),
            "ruleset": rules.for_tender(tender),
            "zone": clock.zone_abbreviation(tender.agency.time_zone),
            "join_open": selectors.join_window_open(tender, now),
            **_after_opening(tender, insider),
        },
    )


def _after_opening(tender: Tender, insider: bool) -> dict:
    """What turns public after the opening (issue 6.2): prices, opening minutes; then the result, objections, the
    award letter and the contract."""
    prices_public = evaluation.prices_are_public(tender) or (insider and tender.bids.exists())
    result = evaluation.standing_result(tender)
    return {
        "bids": tender.bids.select_related("participant__vendor").order_by("price") if prices_public else None,
        "opened_boxes": [box for box in services.boxes_of(tender) if box.opened_at],
        "result": result if result and (result.announced_at or insider) else None,
        "objections": evaluation.objections_of(tender),
        "letter": getattr(tender, "award_letter", None),
        "contract": getattr(tender, "contract", None),
        "failure": rules.FAILURE_TRIGGERS.get(tender.failure_reason) if tender.failed_at else None,
    }


@login_required
@require_POST
def join(request, public_id):
    tender = _tender(public_id)
    require_or_404(policies.can_view(request.user, tender) and vendor_of(request.user) is not None)
    try:
        services.join(actor=request.user, tender=tender)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your company has joined this tender; the documents can now be downloaded."))
    return redirect("tenders:detail", public_id=tender.public_id)


@login_required
def download(request, public_id, document_id):
    tender = _tender(public_id)
    document = get_object_or_404(TenderDocument, tender=tender, public_id=document_id)
    require_or_404(policies.can_download(request.user, tender))
    services.record_download(actor=request.user, document=document)
    return attachment_response(document.file, download_name=document.original_name)


@login_required
def clarification(request, public_id):
    tender = _tender(public_id)
    require_or_404(policies.can_see_clarification(request.user, tender))
    participant = policies.participant_of(request.user, tender)
    can_manage = policies.can_manage(request.user, tender)
    form = QuestionForm(request.POST or None)
    if request.method == "POST":
        require_or_404(participant is not None)
        if form.is_valid():
            try:
                services.ask_question(actor=request.user, tender=tender, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your question was sent to the committee."))
                return redirect("tenders:clarification", public_id=tender.public_id)
    now = clock.now()
    window = lifecycle.window_of(tender, lifecycle.Stage.CLARIFICATION)
    return render(
        request,
        "tenders/clarification.html",
        {
            "tender": tender,
            "form": form,
            "questions": selectors.questions_of(tender),
            "participant": participant,
            "can_manage": can_manage,
            "show_askers": can_manage or policies.is_insider(request.user, tender),
            "window": window,
            "is_open": tender.clarification_closed_at is None
            and lifecycle.is_open(tender, lifecycle.Stage.CLARIFICATION, now),
            "has_started": lifecycle.has_started(tender, lifecycle.Stage.CLARIFICATION, now),
            "answer_form": AnswerForm(),
        },
    )


@login_required
@require_POST
def answer(request, public_id, question_id):
    tender = _tender(public_id)
    question = get_object_or_404(Question, tender=tender, public_id=question_id)
    require_or_404(policies.can_manage(request.user, tender))
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_question(actor=request.user, question=question, answer=form.cleaned_data["answer"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Answered; every participant can read it."))
    else:
        messages.error(request, _("Write the answer."))
    return redirect("tenders:clarification", public_id=tender.public_id)


@login_required
@require_POST
def close_clarification(request, public_id):
    tender = _tender(public_id)
    require_or_404(policies.can_manage(request.user, tender))
    try:
        services.close_clarification(actor=request.user, tender=tender)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The explanation session is closed and its minutes are issued."))
    return redirect("tenders:clarification", public_id=tender.public_id)


@login_required
def clarification_minutes(request, public_id):
    tender = _tender(public_id)
    require_or_404(policies.can_see_clarification(request.user, tender) and bool(tender.clarification_minutes))
    return attachment_response(tender.clarification_minutes, download_name=f"BA-Penjelasan-{tender.public_id}.pdf")


@login_required
def my_tenders(request):
    vendor = vendor_of(request.user)
    require_or_404(vendor is not None)
    now = clock.now()
    participations = [(p, lifecycle.situation(p.tender, now)) for p in selectors.participations_of(vendor)]
    open_tenders = [(t, lifecycle.situation(t, now)) for t in selectors.open_for_joining(vendor)]
    return render(
        request,
        "tenders/my_tenders.html",
        {"vendor": vendor, "participations": participations, "open_tenders": open_tenders},
    )


# --- Committee and PPK ----------------------------------------------------------------------------------------------


@login_required
def workspace(request):
    committee = selectors.tenders_of_committee(request.user)
    approvals = selectors.tenders_awaiting_ppk(request.user)
    overseen = selectors.tenders_overseen(request.user)
    agencies = [g.agency_id for g in grants_of(request.user) if g.role in policies.RUNNER_ROLES]
    require_or_404(policies.can_use_workspace(request.user))
    now = clock.now()
    return render(
        request,
        "tenders/workspace.html",
        {
            "committee": [(t, lifecycle.situation(t, now)) for t in committee],
            "approvals": [(t, lifecycle.situation(t, now)) for t in approvals],
            "overseen": [(t, lifecycle.situation(t, now)) for t in overseen[:200]] if not agencies else [],
            "can_create": bool(agencies),
        },
    )


@login_required
def create(request):
    """A committee member appointed in several agencies (one LPSE serves several, Pasal 3) picks one with ?instansi=."""
    agency_ids = {g.agency_id for g in grants_of(request.user) if g.role in policies.RUNNER_ROLES and g.agency_id}
    agencies = list(Agency.objects.filter(pk__in=agency_ids).order_by("name"))
    require_or_404(bool(agencies))
    agency = next((a for a in agencies if a.code == request.GET.get("instansi")), agencies[0])
    plan_items = announced_items_for_packages(agency)
    initial = {"opening_quorum": 1, "small_business_reserved": True}
    if request.GET.get("rup"):
        item = plan_items.filter(public_id=request.GET["rup"]).first()
        if item:
            initial.update(plan_item=item, location=item.location, title=item.package_name)
    form = TenderForm(
        request.POST or None,
        initial=initial,
        plan_items=plan_items,
        members=selectors.committee_candidates(agency).exclude(pk=request.user.pk),
        ppks=selectors.ppk_candidates(agency),
    )
    if request.method == "POST" and form.is_valid():
        try:
            tender = services.create_tender(
                actor=request.user,
                plan_item=form.cleaned_data["plan_item"],
                ppk=form.cleaned_data["ppk"],
                committee=list(form.cleaned_data["committee"]),
                **form.service_values(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The package is made. Next: its schedule and documents."))
            return redirect("tenders:manage", public_id=tender.public_id)
    return render(
        request,
        "tenders/edit.html",
        {"form": form, "tender": None, "ruleset": rules.ruleset(rules.CURRENT), "agency": agency, "agencies": agencies},
    )


@login_required
def edit(request, public_id):
    tender = _tender(public_id)
    require_or_404(policies.can_manage(request.user, tender) and tender.announced_at is None)
    initial = {field: getattr(tender, field) for field in services.CLASSIFICATION_FIELDS}
    initial.update(committee=tender.committee.exclude(pk=request.user.pk), ppk=tender.ppk)
    initial["owner_estimate"] = format_rupiah(tender.owner_estimate)
    form = TenderForm(
        request.POST or None,
        initial=initial,
        members=selectors.committee_candidates(tender.agency).exclude(pk=request.user.pk),
        ppks=selectors.ppk_candidates(tender.agency, tender.work_unit),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_tender(
                actor=request.user,
                tender=tender,
                ppk=form.cleaned_data["ppk"],
                committee=[request.user, *form.cleaned_data["committee"]],
                **form.service_values(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved. A changed classification needs the PPK's approval again."))
            return redirect("tenders:manage", public_id=tender.public_id)
    return render(request, "tenders/edit.html", {"form": form, "tender": tender, "ruleset": rules.for_tender(tender)})


def _due(tender: Tender, situation, now) -> list[str]:
    """What the committee should do now, in words (the workspace's "what is due now")."""
    due = []
    if tender.announced_at is None:
        if not tender.stages.exists():
            due.append(_("Set the schedule."))
        if not tender.documents.exists():
            due.append(_("Upload the procurement documents."))
        if tender.approval_requested_at is None and tender.approved_at is None:
            due.append(_("Ask the PPK to approve the classification (Pasal 7(3)b)."))
        elif tender.approved_at is None:
            due.append(_("Wait for the PPK's approval."))
        else:
            due.append(_("Announce the tender."))
        return due
    if lifecycle.Stage.CLARIFICATION in situation.current:
        unanswered = tender.questions.filter(answered_at__isnull=True).count()
        due.append(_("Answer the questions of the explanation session (%(n)s open).") % {"n": unanswered})
    clarification_over = lifecycle.has_started(tender, lifecycle.Stage.CLARIFICATION, now) and (
        lifecycle.Stage.CLARIFICATION not in situation.current
    )
    if tender.clarification_closed_at is None and clarification_over:
        due.append(_("Close the explanation session to issue its minutes."))
    opened = [box for box in services.boxes_of(tender) if box.opened_at]
    if opened and not tender.bids.exists():
        due.append(_("Read the opened bids and evaluate them."))
    current = set(situation.current)
    if current & {lifecycle.Stage.WINNER_DECISION, lifecycle.Stage.RESULT_MINUTES} and not evaluation.standing_result(
        tender
    ):
        due.append(_("Decide the winner."))
    unanswered = tender.objections.filter(answered_at__isnull=True).count()
    if unanswered:
        due.append(_("Answer the objections (%(n)s open).") % {"n": unanswered})
    return due


@login_required
def manage(request, public_id):
    tender = _tender(public_id)
    require_or_404(policies.is_insider(request.user, tender))
    now = clock.now()
    situation = lifecycle.situation(tender, now)
    can_manage = policies.can_manage(request.user, tender)
    documents = tender.documents.select_related("uploaded_by").prefetch_related("downloads__vendor")
    return render(
        request,
        "tenders/manage.html",
        {
            "tender": tender,
            "situation": situation,
            "due": _due(tender, situation, now) if can_manage else [],
            "schedule": _schedule_rows(tender, now),
            "documents": documents,
            "participants": tender.participants.select_related("vendor"),
            "can_manage": can_manage,
            "is_ppk": policies.is_tender_ppk(request.user, tender),
            "approval_form": ApprovalForm(),
            "document_form": DocumentForm(announced=tender.announced_at is not None),
            "boxes": services.boxes_of(tender),
            "ruleset": rules.for_tender(tender),
            "zone": clock.zone_abbreviation(tender.agency.time_zone),
            "can_export": policies.can_export(request.user, tender),
        },
    )


@login_required
def schedule(request, public_id):
    tender = _tender(public_id)
    require_or_404(policies.can_manage(request.user, tender))
    stages = services.stages_of(tender)
    zone = clock.as_zone(tender.agency.time_zone)
    announced = tender.announced_at is not None
    with timezone.override(zone):
        current = {row.stage: row for row in tender.stages.all()}
        if request.GET.get("usul") or not current:
            proposal = services.propose_schedule(tender)
            initial = {}
            for stage, slot in proposal.items():
                initial[f"{stage}__start"] = slot.starts_at.astimezone(zone)
                initial[f"{stage}__end"] = slot.ends_at.astimezone(zone)
        else:
            initial = {}
            for stage, row in current.items():
                initial[f"{stage}__start"] = row.starts_at.astimezone(zone)
                initial[f"{stage}__end"] = row.ends_at.astimezone(zone)
        form = ScheduleForm(request.POST or None, initial=initial, stages=stages, announced=announced)
        if request.method == "POST" and form.is_valid():
            try:
                services.set_schedule(
                    actor=request.user, tender=tender, slots=form.slots(), reason=form.cleaned_data.get("reason", "")
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The schedule is saved."))
                return redirect("tenders:manage", public_id=tender.public_id)
        return render(
            request,
            "tenders/schedule.html",
            {
                "tender": tender,
                "form": form,
                "ruleset": rules.for_tender(tender),
                "zone": clock.zone_abbreviation(zone),
            },
        )


@login_required
@require_POST
def add_document(request, public_id):
    tender = _tender(public_id)
    require_or_404(policies.can_manage(request.user, tender))
    announced = tender.announced_at is not None
    form = DocumentForm(request.POST, request.FILES, announced=announced)
    if form.is_valid():
        try:
            document = services.add_document(
                actor=request.user,
                tender=tender,
                kind=form.cleaned_data.get("kind", TenderDocument.Kind.ADDENDUM),
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                change_note=form.cleaned_data.get("change_note", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Version %(version)s is stored.") % {"version": document.version})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("tenders:manage", public_id=tender.public_id)


def _simple_action(request, public_id, action, success):
    tender = _tender(public_id)
    require_or_404(policies.can_manage(request.user, tender))
    try:
        action(actor=request.user, tender=tender)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, success)
    return redirect("tenders:manage", public_id=tender.public_id)


@login_required
@require_POST
def request_approval(request, public_id):
    return _simple_action(request, public_id, services.request_approval, _("The PPK is asked to approve."))


@login_required
@require_POST
def announce(request, public_id):
    return _simple_action(request, public_id, services.announce, _("Announced: the tender is public."))


@login_required
@require_POST
def decide_approval(request, public_id):
    tender = _tender(public_id)
    require_or_404(policies.is_tender_ppk(request.user, tender))
    form = ApprovalForm(request.POST)
    if form.is_valid():
        try:
            services.decide_approval(
                actor=request.user,
                tender=tender,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your decision is recorded."))
    else:
        messages.error(request, _("Choose a decision."))
    return redirect("tenders:manage", public_id=tender.public_id)


@login_required
@require_POST
def repeat(request, public_id):
    tender = _tender(public_id)
    require_or_404(policies.is_committee_member(request.user, tender))
    try:
        repeated = services.repeat_tender(actor=request.user, tender=tender)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("tenders:manage", public_id=tender.public_id)
    messages.success(request, _("The repeated tender is made: schedule it, upload its documents and ask for approval."))
    return redirect("tenders:manage", public_id=repeated.public_id)


@login_required
def export(request, public_id):
    """The tender's complete file as one ZIP with a SHA-256 manifest (Pasal 8(3)-(4))."""
    tender = _tender(public_id)
    require_or_404(policies.can_export(request.user, tender))
    archive = tender_export.write_tender_file(tender)
    response = FileResponse(archive, as_attachment=True, filename=f"berkas-lelang-{tender.public_id}.zip")
    response["Content-Type"] = "application/zip"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def announcement_pdf(request, public_id):
    """The printable announcement, public once the tender is announced."""
    tender = _tender(public_id)
    require_or_404(tender.announced_at is not None)
    pdf = minutes.render_announcement(
        tender=tender,
        schedule=_schedule_rows(tender, clock.now()),
        site_url=request.build_absolute_uri(reverse("tenders:detail", args=[tender.public_id])),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="pengumuman-{tender.public_id}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
