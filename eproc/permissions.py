"""The two ways a refused action ends, shared by every app so they cannot drift apart.

Services raise PermissionDenied (a caller may show a message); views answer 404, because "not yours" and "does
not exist" must look the same from outside (DESIGN 6)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _


def require(allowed: bool) -> None:
    """For services: refuse with PermissionDenied unless the policy allowed the action."""
    if not allowed:
        raise PermissionDenied(_("You are not allowed to do this."))


def require_or_404(allowed: bool) -> None:
    """For views: answer 404 unless the policy allowed the page."""
    if not allowed:
        raise Http404
