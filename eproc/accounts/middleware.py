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


SIGNED_IN_AT = "eproc_signed_in_at"


def note_sign_in(sender, request, user, **kwargs):
    """The start of the session's lifetime (user_logged_in); SessionLifetimeMiddleware ends it."""
    from eproc.core import clock

    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[RENEWED_AT] = clock.now().timestamp()


class SessionLifetimeMiddleware:
    """End a session a fixed time after sign-in, however busy it is (issue 9: session expiry).

    The idle limit (SESSION_COOKIE_AGE, renewed on every request) ends forgotten sessions; this one ends a session
    kept alive for days on a shared computer in an agency office or stolen with the cookie. The sign-in time is
    written at sign-in (note_sign_in), or when a session from before this rule first passes here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            from django.contrib.auth import logout
            from django.contrib.auth.views import redirect_to_login

            from eproc.core import clock

            now = clock.now().timestamp()
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
            if now - signed_in_at > settings.EPROC_SESSION_MAX_SECONDS:
                logout(request)
                message = _("Your session has ended: sign in again.")
                if request.path.startswith("/api/"):
                    return JsonResponse({"error": message}, status=401)
                messages.info(request, message)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


RENEWED_AT = "eproc_session_renewed_at"


class SessionRenewalMiddleware:
    """Slide a signed-in session's idle expiry (SESSION_COOKIE_AGE) forward, at most once every
    EPROC_SESSION_RENEW_SECONDS. Django's SESSION_SAVE_EVERY_REQUEST writes the session row on every request: at a
    bid deadline that is a database write, and a wait for the disk, per chunk of every upload
    (benchmarks/bench_surge.py). An idle session therefore ends between SESSION_COOKIE_AGE minus the renewal
    interval and SESSION_COOKIE_AGE after its last request. Sits inside SessionMiddleware, which saves the session
    (and renews the cookie) when this marks it changed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            from eproc.core import clock

            now = clock.now().timestamp()
            if now - session.get(RENEWED_AT, 0) >= settings.EPROC_SESSION_RENEW_SECONDS:
                session[RENEWED_AT] = now
        return response
