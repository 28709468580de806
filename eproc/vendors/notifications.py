"""Messages to vendors about their registration (e-mail; mocked in tests as outside the system)."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from .requirements import SECTIONS_BY_KEY


def _recipients(vendor) -> list[str]:
    return list(vendor.members.values_list("user__email", flat=True))


def registration_rejected(submission) -> None:
    """Pasal 9(8)e: the vendor is told what is wrong or missing."""
    verification = submission.verification
    items = {item["id"]: item for item in submission.snapshot["items"]}
    lines = []
    with translation.override("id"):
        for key, check in verification.checks.items():
            if check["status"] != "deficient":
                continue
            label = _("Identity") if key == "identity" else str(SECTIONS_BY_KEY[items[key]["section"]].label)
            lines.append(f"- {label}: {check['note']}")
        if verification.note:
            lines.append(verification.note)
        subject = _("Your registration needs corrections")
        body = _(
            "The LPSE verifier returned your registration %(name)s:\n\n%(lines)s\n\nCorrect the data and "
            "submit it again."
        ) % {"name": submission.vendor.name, "lines": "\n".join(lines)}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, _recipients(submission.vendor), fail_silently=True)


def registration_activated(vendor) -> None:
    with translation.override("id"):
        subject = _("Your registration is verified")
        body = _("%(name)s is verified and active: you can join tenders.") % {"name": vendor.name}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, _recipients(vendor), fail_silently=True)
