"""Pages after the upload: the vendor's bid page, the committee's evaluation, objections and appeals, the PPK's
award letter and contract. Thin: validate, look up through the policy, call one service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eproc.bids import selectors as bid_selectors
from eproc.bids.keys import public_key_text
from eproc.core import clock
from eproc.files import attachment_response
from eproc.permissions import require_or_404
from eproc.tenders import lifecycle
from eproc.tenders import policies as tender_policies
from eproc.tenders.lifecycle import Stage
from eproc.tenders.selectors import tender_or_404
from eproc.vendors.models import Vendor
from eproc.web.service_errors import add_service_errors

from . import policies, selectors, services
from .forms import (
    AppealDecisionForm,
    AppealForm,
    AwardLetterForm,
    CancelForm,
    ContractForm,
    DecisionForm,
    EvaluationForm,
    FailureForm,
    InviteForm,
    ObjectionAnswerForm,
    ObjectionForm,
)
from .models import Bid, Objection

FIELDS_TEMPLATE = {
    "single": "evaluation/_fields_single.html",
    "technical": "evaluation/_fields_technical.html",
    "price": "evaluation/_fields_price.html",
}


def _back(request, tender, default="tenders:manage"):
    return redirect(request.POST.get("next") or default, public_id=tender.public_id)


def _run(request, call, success: str) -> bool:
    try:
        call()
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return False
    messages.success(request, success)
    return True


@login_required
def bid(request, public_id):
    """Pasal 7(4)b: the participant seals its bid in the browser, price and data included (docs/bid-envelope.md)."""
    tender = tender_or_404(public_id)
    participant = tender_policies.participant_of(request.user, tender)
    require_or_404(participant is not None)
    now = clock.now()
    sections = []
    for kind, box in sorted(services.boxes(tender).items(), key=lambda item: item[0] != "technical"):
        envelope = bid_selectors.current_envelope(box, request.user)
        sections.append(
            {
                "box": box,
                "envelope": envelope,
                "window_open": box.upload_opens_at <= now < box.deadline,
                "bytes_open": now < box.bytes_deadline,
                "nonce": bytes(envelope.bidder_nonce).hex() if envelope else "NONCE",
                "submit_id": f"bid-submit-{kind}",
                "fields_template": FIELDS_TEMPLATE[kind],
            }
        )
    return render(
        request,
        "evaluation/bid.html",
        {
            "tender": tender,
            "sections": sections,
            "public_key": public_key_text(),
            "bidder_ref": request.user.public_id,
            "upload": lifecycle.window_of(tender, Stage.BID_UPLOAD),
        },
    )


@login_required
def evaluation(request, public_id):
    tender = tender_or_404(public_id)
    require_or_404(tender_policies.is_insider(request.user, tender))
    can_evaluate = policies.can_evaluate(request.user, tender)
    rows = selectors.ranking(tender)
    eligible = tender.participants.filter(pk__in=[row.participant.pk for row in rows if row.eligible])
    forms = {
        row.bid.pk: EvaluationForm(initial=EvaluationForm.initial_from(row.bid.evaluation), prefix=f"bid{row.bid.pk}")
        for row in rows
        if hasattr(row.bid, "evaluation")
    }
    return render(
        request,
        "evaluation/evaluation.html",
        {
            "tender": tender,
            "situation": lifecycle.situation(tender, clock.now()),
            "boxes": services.boxes(tender),
            "rows": [(row, forms.get(row.bid.pk)) for row in rows],
            "result": selectors.standing_result(tender),
            "voided": tender.results.filter(voided_at__isnull=False),
            "can_evaluate": can_evaluate,
            "can_decide": policies.can_decide_winner(request.user, tender),
            "pa_decides": policies.winner_decided_by_pa(tender),
            "decision_form": DecisionForm(
                participants=eligible.select_related("vendor"),
                initial=_proposal(rows),
            ),
            "failure_form": FailureForm(),
            "cancel_form": CancelForm(),
            "invite_form": InviteForm(vendors=Vendor.objects.filter(status="verified").order_by("name"))
            if tender.is_pengadaan_langsung and can_evaluate
            else None,
        },
    )


def _proposal(rows) -> dict:
    """The ranking's proposal: the first eligible bid wins, the next two are reserves (the committee confirms)."""
    eligible = [row.participant.pk for row in rows if row.eligible]
    return dict(zip(("winner", "reserve_1", "reserve_2"), eligible, strict=False))


@login_required
@require_POST
def read_bids(request, public_id):
    tender = tender_or_404(public_id)
    require_or_404(policies.can_evaluate(request.user, tender))
    _run(request, lambda: services.read_bids(actor=request.user, tender=tender), _("The opened bids are read."))
    return redirect("evaluation:evaluation", public_id=tender.public_id)


@login_required
@require_POST
def record_evaluation(request, public_id, bid_id):
    tender = tender_or_404(public_id)
    bid_ = get_object_or_404(Bid, tender=tender, public_id=bid_id)
    require_or_404(policies.can_evaluate(request.user, tender))
    form = EvaluationForm(request.POST, prefix=f"bid{bid_.pk}")
    if form.is_valid():
        _run(
            request,
            lambda: services.record_evaluation(actor=request.user, bid=bid_, **form.service_values()),
            _("Saved."),
        )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("evaluation:evaluation", public_id=tender.public_id)


@login_required
@require_POST
def conclude_technical(request, public_id):
    tender = tender_or_404(public_id)
    require_or_404(policies.can_evaluate(request.user, tender))
    _run(
        request,
        lambda: services.conclude_technical(actor=request.user, tender=tender),
        _("The technical evaluation is concluded; the price envelopes of those who passed can be opened."),
    )
    return redirect("evaluation:evaluation", public_id=tender.public_id)


@login_required
@require_POST
def decide_winner(request, public_id):
    tender = tender_or_404(public_id)
    require_or_404(policies.can_decide_winner(request.user, tender))
    form = DecisionForm(request.POST, participants=tender.participants.all())
    if form.is_valid():
        data = form.cleaned_data
        _run(
            request,
            lambda: services.decide_winner(
                actor=request.user,
                tender=tender,
                winner=data["winner"],
                reserves=[r for r in (data["reserve_1"], data["reserve_2"]) if r],
                reasons=data["reasons"],
            ),
            _("The winner is decided and the Berita Acara Hasil Pelelangan is issued."),
        )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("evaluation:evaluation", public_id=tender.public_id)


@login_required
@require_POST
def announce_winner(request, public_id):
    tender = tender_or_404(public_id)
    require_or_404(policies.can_evaluate(request.user, tender) or policies.can_decide_winner(request.user, tender))
    _run(request, lambda: services.announce_winner(actor=request.user, tender=tender), _("The winner is announced."))
    return redirect("evaluation:evaluation", public_id=tender.public_id)


@login_required
@require_POST
def declare_failed(request, public_id):
    tender = tender_or_404(public_id)
    allowed = tender_policies.can_manage(request.user, tender) or policies.is_budget_holder_of(request.user, tender)
    require_or_404(allowed)
    form = FailureForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.declare_failed(actor=request.user, tender=tender, **form.cleaned_data),
            _("The tender is declared failed."),
        )
    return redirect("evaluation:evaluation", public_id=tender.public_id)


@login_required
@require_POST
def cancel(request, public_id):
    tender = tender_or_404(public_id)
    allowed = tender_policies.can_manage(request.user, tender) or policies.is_budget_holder_of(request.user, tender)
    require_or_404(allowed)
    form = CancelForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.cancel_tender(actor=request.user, tender=tender, reason=form.cleaned_data["reason"]),
            _("The tender is cancelled."),
        )
    else:
        messages.error(request, _("Give the reason for the cancellation."))
    return redirect("evaluation:evaluation", public_id=tender.public_id)


@login_required
@require_POST
def invite(request, public_id):
    tender = tender_or_404(public_id)
    require_or_404(policies.can_evaluate(request.user, tender) and tender.is_pengadaan_langsung)
    form = InviteForm(request.POST, vendors=Vendor.objects.all())
    if form.is_valid():
        _run(
            request,
            lambda: services.invite(actor=request.user, tender=tender, vendor=form.cleaned_data["vendor"]),
            _("The vendor is invited."),
        )
    return redirect("evaluation:evaluation", public_id=tender.public_id)


def result_minutes(request, public_id):
    """The BAHP is public once the winner is announced (Pasal 12); insiders read it from the decision on."""
    tender = tender_or_404(public_id)
    result = selectors.standing_result(tender)
    visible = result is not None and (result.announced_at or tender_policies.is_insider(request.user, tender))
    require_or_404(bool(visible) and bool(result.minutes))
    return attachment_response(result.minutes, download_name=f"BAHP-{tender.public_id}.pdf")


# --- Objections and appeals --------------------------------------------------------------------------------------


def objections(request, public_id):
    tender = tender_or_404(public_id)
    require_or_404(tender_policies.can_view(request.user, tender))
    insider = tender_policies.is_insider(request.user, tender)
    require_or_404(selectors.results_are_public(tender) or insider or tender.objections.exists())
    participant = tender_policies.participant_of(request.user, tender) if request.user.is_authenticated else None
    form = ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        require_or_404(participant is not None)
        if form.is_valid():
            try:
                services.file_objection(
                    actor=request.user,
                    tender=tender,
                    text=form.cleaned_data["text"],
                    document=form.cleaned_data["document"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your objection is filed; the committee answers it."))
                return redirect("evaluation:objections", public_id=tender.public_id)
    now = clock.now()
    return render(
        request,
        "evaluation/objections.html",
        {
            "tender": tender,
            "objections": selectors.objections_of(tender),
            "participant": participant,
            "form": form,
            "can_file": participant is not None and lifecycle.is_open(tender, Stage.OBJECTIONS, now),
            "can_answer": policies.can_evaluate(request.user, tender),
            "can_decide_appeal": policies.can_decide_appeal(request.user, tender),
            "insider": insider,
            "answer_form": ObjectionAnswerForm(),
            "appeal_form": AppealForm(initial={"guarantee_amount": f"{services.appeal_guarantee(tender):.0f}"}),
            "appeal_decision_form": AppealDecisionForm(),
            "guarantee": services.appeal_guarantee(tender),
            "window": lifecycle.window_of(tender, Stage.OBJECTIONS),
            "result": selectors.standing_result(tender),
        },
    )


def _objection(tender, objection_id) -> Objection:
    return get_object_or_404(Objection, tender=tender, public_id=objection_id)


@login_required
@require_POST
def answer_objection(request, public_id, objection_id):
    tender = tender_or_404(public_id)
    objection = _objection(tender, objection_id)
    require_or_404(policies.can_evaluate(request.user, tender))
    form = ObjectionAnswerForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.answer_objection(
                actor=request.user,
                objection=objection,
                answer=form.cleaned_data["answer"],
                justified=form.cleaned_data["justified"] == "yes",
            ),
            _("The answer is published."),
        )
    else:
        messages.error(request, _("Write the answer and say whether the objection is justified."))
    return redirect("evaluation:objections", public_id=tender.public_id)


@login_required
@require_POST
def appeal(request, public_id, objection_id):
    tender = tender_or_404(public_id)
    objection = _objection(tender, objection_id)
    participant = tender_policies.participant_of(request.user, tender)
    require_or_404(participant is not None and participant.pk == objection.participant_id)
    form = AppealForm(request.POST, request.FILES)
    if form.is_valid():
        _run(
            request,
            lambda: services.file_appeal(actor=request.user, objection=objection, **form.cleaned_data),
            _("Your appeal is filed with the PA; the tender halts until it is decided."),
        )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("evaluation:objections", public_id=tender.public_id)


@login_required
@require_POST
def decide_appeal(request, public_id, objection_id):
    tender = tender_or_404(public_id)
    objection = _objection(tender, objection_id)
    require_or_404(policies.can_decide_appeal(request.user, tender) and hasattr(objection, "appeal"))
    form = AppealDecisionForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.decide_appeal(
                actor=request.user,
                appeal=objection.appeal,
                justified=form.cleaned_data["justified"] == "yes",
                decision=form.cleaned_data["decision"],
            ),
            _("The appeal is decided."),
        )
    return redirect("evaluation:objections", public_id=tender.public_id)


@login_required
def objection_document(request, public_id, objection_id):
    tender = tender_or_404(public_id)
    objection = _objection(tender, objection_id)
    participant = tender_policies.participant_of(request.user, tender)
    require_or_404(
        bool(objection.document) and (participant is not None or tender_policies.is_insider(request.user, tender))
    )
    return attachment_response(objection.document, download_name=f"sanggah-{objection.public_id}.pdf")


# --- Award letter and contract -------------------------------------------------------------------------------------


@login_required
def award(request, public_id):
    tender = tender_or_404(public_id)
    require_or_404(tender_policies.is_insider(request.user, tender))
    can_award = policies.can_award(request.user, tender)
    letter_form = AwardLetterForm(request.POST if request.POST.get("form") == "letter" else None)
    contract_form = ContractForm(
        request.POST if request.POST.get("form") == "contract" else None,
        request.FILES if request.POST.get("form") == "contract" else None,
    )
    if request.method == "POST":
        require_or_404(can_award)
        if request.POST.get("form") == "letter" and letter_form.is_valid():
            try:
                services.issue_award_letter(
                    actor=request.user, tender=tender, number=letter_form.cleaned_data["number"]
                )
            except ValidationError as error:
                add_service_errors(letter_form, error)
            else:
                messages.success(request, _("The award letter (SPPBJ) is issued."))
                return redirect("evaluation:award", public_id=tender.public_id)
        elif request.POST.get("form") == "contract" and contract_form.is_valid():
            try:
                services.record_contract(actor=request.user, tender=tender, **contract_form.cleaned_data)
            except ValidationError as error:
                add_service_errors(contract_form, error)
            else:
                messages.success(request, _("The contract is recorded; the tender is closed."))
                return redirect("evaluation:award", public_id=tender.public_id)
    result = selectors.standing_result(tender)
    return render(
        request,
        "evaluation/award.html",
        {
            "tender": tender,
            "result": result,
            "letter": getattr(tender, "award_letter", None),
            "contract": getattr(tender, "contract", None),
            "can_award": can_award,
            "letter_form": letter_form,
            "contract_form": contract_form,
            "due": services.award_letter_due(tender, result) if result and result.announced_at else None,
        },
    )


def award_letter_pdf(request, public_id):
    """The award letter is public once issued (the SPPBJ is announced in SPSE)."""
    tender = tender_or_404(public_id)
    letter = getattr(tender, "award_letter", None)
    require_or_404(letter is not None)
    return attachment_response(letter.pdf, download_name=f"SPPBJ-{tender.public_id}.pdf")


@login_required
def contract_scan(request, public_id):
    tender = tender_or_404(public_id)
    contract = getattr(tender, "contract", None)
    require_or_404(contract is not None and tender_policies.is_insider(request.user, tender))
    return attachment_response(contract.scan, download_name=f"kontrak-{tender.public_id}.pdf")
