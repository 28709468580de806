"""Vendor pages: registration, qualification data, verification, directory. Thin: validate, look up through the
policy, call one service, render."""

from decimal import Decimal

from allauth.account.internal.flows.email_verification import send_verification_email_to_address
from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eproc.accounts.services import send_set_password_invitation
from eproc.core.money import format_rupiah
from eproc.files import attachment_response
from eproc.permissions import require_or_404
from eproc.web.service_errors import add_service_errors

from . import policies, selectors, services
from .forms import AddUserForm, AssistedRegistrationForm, IdentityForm, RegistrationForm, SanctionForm, item_form_class
from .models import QualificationItem, Sanction, Submission, Vendor, VendorDocument
from .requirements import SECTIONS, SECTIONS_BY_KEY, FieldType, sections_for

# --- Public ------------------------------------------------------------------------------------------------------


def register(request):
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            vendor = services.register_vendor(
                login_email=data["login_email"],
                password=data["password1"],
                full_name=data["full_name"],
                identity=form.identity(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            address = EmailAddress.objects.get(user__vendor_memberships__vendor=vendor)
            send_verification_email_to_address(request, address, signup=True)
            return render(request, "vendors/registered.html", {"vendor": vendor, "email": address.email})
    return render(request, "vendors/register.html", {"form": form})


def requirements(request):
    """Pasal 9(8)f: what a vendor must prepare, from the same configuration as the verifier's checklist."""
    return render(request, "vendors/requirements.html", {"sections": SECTIONS})


def directory(request):
    query = request.GET.get("q", "").strip()[:100]
    vendors = selectors.directory(query)[:200]
    return render(
        request,
        "vendors/directory.html",
        {
            "rows": selectors.directory_rows(vendors),
            "query": query,
            "sanctions": selectors.sanctions_in_force(),
            # LPSE staff jump from the directory to a vendor's archive (and its sanctions); the public sees the list.
            "can_view_data": policies.can_manage_sanctions(request.user) or policies.is_verifier(request.user),
        },
    )


# --- The vendor's own pages --------------------------------------------------------------------------------------


def _own_vendor(request) -> Vendor:
    vendor = policies.vendor_of(request.user)
    require_or_404(vendor is not None)
    return vendor


@login_required
def home(request):
    vendor = _own_vendor(request)
    submission = selectors.latest_submission(vendor)
    verification = getattr(submission, "verification", None) if submission else None
    deficiencies = []
    if verification and verification.decision == "rejected":
        items = {item["id"]: item for item in submission.snapshot["items"]}
        for key, check in verification.checks.items():
            if check["status"] == services.DEFICIENT:
                label = _("Identity") if key == "identity" else SECTIONS_BY_KEY[items[key]["section"]].label
                deficiencies.append({"label": label, "note": check["note"]})
    return render(
        request,
        "vendors/home.html",
        {
            "vendor": vendor,
            "rows": selectors.completeness(vendor),
            "verification": verification,
            "deficiencies": deficiencies,
            "eligibility": policies.eligibility(vendor),
            "is_admin": policies.is_vendor_admin(request.user, vendor),
            "add_user_form": AddUserForm(),
        },
    )


@login_required
def identity(request):
    vendor = _own_vendor(request)
    require_or_404(policies.is_vendor_admin(request.user, vendor))
    initial = {name: getattr(vendor, name) for name in services.IDENTITY_FIELDS}
    form = IdentityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_identity(actor=request.user, vendor=vendor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Identity saved."))
            return redirect("vendors:home")
    return render(request, "vendors/identity.html", {"form": form, "vendor": vendor})


def _section_or_404(vendor, key):
    section = selectors.section(key)
    require_or_404(section is not None and section in sections_for(vendor.kind))
    return section


def _initial(config, item):
    """The stored values as the form shows them: amounts in the Rupiah format the form parses back."""
    if item is None:
        return None
    initial = dict(item.data)
    for spec in config.fields:
        if spec.type == FieldType.MONEY and initial.get(spec.name):
            initial[spec.name] = format_rupiah(Decimal(initial[spec.name]))
    return initial


@login_required
def section(request, key, item_id=None):
    vendor = _own_vendor(request)
    config = _section_or_404(vendor, key)
    item = (
        get_object_or_404(QualificationItem, public_id=item_id, vendor=vendor, section=key, removed_at__isnull=True)
        if item_id
        else None
    )
    form_class = item_form_class(config)
    form = form_class(request.POST or None, request.FILES or None, initial=_initial(config, item))
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "document"}
        try:
            services.save_item(
                actor=request.user,
                vendor=vendor,
                section=key,
                data=data,
                item=item,
                document=form.cleaned_data.get("document"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("vendors:section", key=key)
    return render(
        request,
        "vendors/section.html",
        {
            "vendor": vendor,
            "section": config,
            "items": selectors.current_items(vendor, key),
            "form": form,
            "item": item,
        },
    )


@login_required
@require_POST
def remove_item(request, key, item_id):
    vendor = _own_vendor(request)
    item = get_object_or_404(QualificationItem, public_id=item_id, vendor=vendor, section=key, removed_at__isnull=True)
    services.remove_item(actor=request.user, item=item)
    messages.success(request, _("Removed. It stays in the registration archive."))
    return redirect("vendors:section", key=key)


@login_required
@require_POST
def submit(request):
    vendor = _own_vendor(request)
    try:
        services.submit_for_verification(actor=request.user, vendor=vendor)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Submitted. The LPSE verifier will check your data."))
    return redirect("vendors:home")


@login_required
@require_POST
def add_user(request):
    vendor = _own_vendor(request)
    form = AddUserForm(request.POST)
    if form.is_valid():
        try:
            member = services.add_user(actor=request.user, vendor=vendor, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if not member.user.has_usable_password():
                send_set_password_invitation(request, member.user)
            messages.success(request, _("User added."))
    return redirect("vendors:home")


@login_required
def document(request, public_id):
    """A vendor's scan: its own users and the LPSE staff who verify it; for anyone else it does not exist."""
    doc = get_object_or_404(VendorDocument.objects.select_related("vendor"), public_id=public_id)
    require_or_404(policies.can_view_vendor_data(request.user, doc.vendor))
    return attachment_response(doc.file, download_name=doc.original_name)


# --- LPSE: helpdesk, verifier, administrator ---------------------------------------------------------------------


@login_required
def assisted_registration(request):
    require_or_404(policies.can_assist_registration(request.user))
    form = AssistedRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vendor = services.register_vendor_assisted(
                actor=request.user,
                email=form.cleaned_data["login_email"],
                full_name=form.cleaned_data["full_name"],
                identity=form.identity(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            send_set_password_invitation(request, vendor.members.get().user)
            messages.success(request, _("Registration started; the vendor received an e-mail to set a password."))
            return redirect("vendors:assisted_registration")
    return render(request, "vendors/assisted.html", {"form": form})


@login_required
def queue(request):
    require_or_404(policies.is_verifier(request.user) or policies.can_activate(request.user))
    awaiting_activation = (
        Vendor.objects.filter(status=Vendor.Status.APPROVED)
        if policies.can_activate(request.user)
        else Vendor.objects.none()
    )
    return render(
        request,
        "vendors/queue.html",
        {
            "submissions": selectors.verification_queue(),
            "awaiting_activation": awaiting_activation,
            "is_verifier": policies.is_verifier(request.user),
        },
    )


@login_required
def review(request, public_id):
    require_or_404(policies.is_verifier(request.user))
    submission = get_object_or_404(Submission.objects.select_related("vendor"), public_id=public_id)
    documents = {doc.public_id: doc for doc in submission.vendor.documents.all()}
    keys = ["identity"] + [item["id"] for item in submission.snapshot["items"]]
    errors = []
    checks = {}
    if request.method == "POST":
        checks = {
            key: {"status": request.POST.get(f"status-{key}", ""), "note": request.POST.get(f"note-{key}", "")}
            for key in keys
        }
        try:
            services.decide(
                actor=request.user,
                submission=submission,
                checks=checks,
                approve=request.POST.get("decision") == "approve",
                note=request.POST.get("note", ""),
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("vendors:queue")
    sections = {section.key: section for section in SECTIONS}
    items = [
        {
            "item": item,
            "section": sections[item["section"]],
            "document": documents.get(item["document"]["id"]) if item["document"] else None,
        }
        for item in submission.snapshot["items"]
    ]
    return render(
        request,
        "vendors/review.html",
        {
            "submission": submission,
            "items": items,
            "errors": errors,
            "post": request.POST,
            "checks": checks,
            "expired": {item.public_id for item in selectors.expired_licences(submission.vendor)},
        },
    )


@login_required
def archive(request, public_id):
    """Pasal 9(8)g: every submission and every version of every document of one vendor."""
    vendor = get_object_or_404(Vendor, public_id=public_id)
    require_or_404(policies.can_view_vendor_data(request.user, vendor))
    return render(
        request,
        "vendors/archive.html",
        {
            "vendor": vendor,
            "submissions": vendor.submissions.select_related("verification"),
            "documents": vendor.documents.select_related("uploaded_by"),
            "sanctions": vendor.sanctions.all(),
            "can_sanction": policies.can_manage_sanctions(request.user),
        },
    )


@login_required
@require_POST
def lift_sanction(request, public_id):
    item = get_object_or_404(Sanction.objects.select_related("vendor"), public_id=public_id)
    require_or_404(policies.can_manage_sanctions(request.user))
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, _("Please state why the sanction is lifted."))
    else:
        services.lift_sanction(actor=request.user, sanction=item, reason=reason)
        messages.success(request, _("Sanction lifted."))
    return redirect("vendors:archive", public_id=item.vendor.public_id)


@login_required
@require_POST
def activate(request, public_id):
    vendor = get_object_or_404(Vendor, public_id=public_id)
    require_or_404(policies.can_activate(request.user))
    try:
        services.activate(actor=request.user, vendor=vendor)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is active.") % {"name": vendor.name})
    return redirect("vendors:queue")


@login_required
def sanction(request, public_id):
    vendor = get_object_or_404(Vendor, public_id=public_id)
    require_or_404(policies.can_manage_sanctions(request.user))
    form = SanctionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.impose_sanction(actor=request.user, vendor=vendor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Sanction recorded; it is public while in force."))
            return redirect("vendors:archive", public_id=vendor.public_id)
    return render(request, "vendors/sanction.html", {"form": form, "vendor": vendor})


def sanction_decree(request, public_id):
    """Sanctions are public (who is blacklisted, on which decree), so is the decree."""
    item = get_object_or_404(Sanction, public_id=public_id)
    return attachment_response(item.decree_file, download_name=f"SK-{item.decree_number}.pdf".replace("/", "-"))
