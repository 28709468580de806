from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .mfa import has_second_factor, mfa_required_for


class RequireMfaMiddleware:
    """Send a user whose role requires a second factor to set one up before they can do anything else.

    Only the account pages (where the factor is set up, and logout), the language switch and static files stay
    reachable; everything else redirects, so a stolen password alone never opens a committee or LPSE account.
    """

    exempt_prefixes = ("/akun/", "/i18n/", "/" + settings.STATIC_URL.lstrip("/"))

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.exempt_prefixes)
            and mfa_required_for(user)
            and not has_second_factor(user)
        ):
            message = _("Your role requires two-factor authentication. Please set it up first.")
            if request.path.startswith("/api/"):
                return JsonResponse({"error": message}, status=403)
            messages.warning(request, message)
            return redirect("mfa_activate_totp")
        return self.get_response(request)
