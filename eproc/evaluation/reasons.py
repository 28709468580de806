"""Why a bid did not win, as codes kept in the decided ranking and put into words when shown, so the BAHP and the
public page speak the reader's language. A committee's own reason is free text and is shown as written."""

from django.utils.translation import gettext as _

from .models import Bid

STEPS = ("administrative", "technical", "qualification", "proof")


def _step_name(step: str) -> str:
    return {
        "administrative": _("administration"),
        "technical": _("technical"),
        "qualification": _("qualification"),
        "proof": _("proof of qualification"),
    }[step]


def describe(reason: str) -> str:
    if reason == "above_hps":
        return _("bid above the HPS (void)")
    kind, _sep, detail = reason.partition(":")
    if kind == "pending" and detail in STEPS:
        return _("%(step)s not evaluated") % {"step": _step_name(detail)}
    if kind == "failed" and detail in STEPS:
        return _("failed %(step)s") % {"step": _step_name(detail)}
    if kind == "status":
        return str(dict(Bid.Status.choices).get(detail, detail))
    return reason
