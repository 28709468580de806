"""Web hardening (issue 9 part 7): a content security policy that allows no inline script (and no template that
needs one), CSRF on every route, secure cookies and HSTS in production, login and second-factor rate limits with
a lockout that ends, sessions that end, the second factor where configured, and Django's deployment check clean.

Pasal 4(2)a: access codes stay confidential; Pasal 5a-b: no disruption, no stolen information or manipulated data.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import PASSWORD, give_totp, totp_code
from eproc.organizations.roles import Role

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "eproc" / "templates", *sorted((ROOT / "eproc").glob("*/templates"))]
# Routes that may take a POST without a CSRF token. Empty: a cross-site form can reach nothing. A JSON API that
# authenticates by token rather than cookie would be listed here, with the reason.
CSRF_EXEMPT: dict[str, str] = {}


def _login(client, email, password=PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


# --- Content security policy -------------------------------------------------------------------------------------


def _directives(policy: str) -> dict:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


@pytest.mark.django_db
def test_pages_send_a_content_security_policy_that_forbids_inline_script(client, personas):
    vendor, user = personas.vendor()
    pages = [reverse("home"), reverse("account_login"), reverse("complaints:file"), reverse("helpdesk:help")]
    signed_in = Client()
    signed_in.force_login(user)
    responses = [client.get(page) for page in pages] + [signed_in.get(reverse("dashboard"))]
    for response in responses:
        assert response.status_code == 200
        directives = _directives(response["Content-Security-Policy"])
        script = directives.get("script-src", directives["default-src"])
        assert script == ["'self'"], script  # no 'unsafe-inline', no 'unsafe-eval', no nonce, no CDN
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["base-uri"] == ["'self'"] and directives["form-action"] == ["'self'"]
        page = response.content.decode()
        for tag in re.finditer(r"<script\b([^>]*)>(.*?)</script>", page, re.S | re.I):
            is_data = 'type="application/json"' in tag.group(1)
            assert is_data or ("src=" in tag.group(1) and not tag.group(2).strip()), tag.group(0)[:200]


# A <script type="application/json"> block is data, never executed, and CSP does not apply to it.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
SCRIPT_WITH_BODY = re.compile(r"<script\b(?![^>]*type=\"application/json\")[^>]*>\s*[^<\s]", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def test_no_template_holds_inline_script_an_event_handler_or_a_javascript_url():
    """The policy would block them in the browser; a template that needs one is a broken page. Every template
    is scanned, so a new one cannot slip through."""
    templates = [path for directory in TEMPLATE_DIRS for path in directory.rglob("*.html")]
    assert len(templates) > 50
    offenders = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, SCRIPT_WITH_BODY, EVENT_HANDLER, JAVASCRIPT_URL):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)[:80]}" for m in pattern.finditer(text)]
    assert offenders == []


# --- CSRF ---------------------------------------------------------------------------------------------------------


def _all_routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _all_routes(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}", pattern


def _some_url(name, pattern):
    converters = getattr(pattern.pattern, "converters", {})
    for value in ("x1", 1):
        kwargs = {key: (1 if type(conv).__name__ == "IntConverter" else value) for key, conv in converters.items()}
        try:
            return reverse(name, kwargs=kwargs)
        except Exception:  # noqa: BLE001 (a regex route that wants another shape: try the next)
            continue
    return None


@pytest.mark.django_db
def test_every_route_refuses_a_post_without_a_csrf_token(personas):
    """Every URL of the site (from the resolver, Django's admin and the account pages included), POSTed without
    the token by a signed-in person or a visitor, is refused: 403 from Django's CSRF check before any view code
    runs, or, in the JSON API (django-ninja checks CSRF itself, for cookie-authenticated writes only), 405 for a
    read-only operation and 401/403 for the one write."""
    vendor, user = personas.vendor()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    anonymous = Client(enforce_csrf_checks=True)
    unprotected, unreachable, checked = [], [], 0
    seen = set()
    for name, pattern in _all_routes(get_resolver().url_patterns):
        url = _some_url(name, pattern)
        if url is None or url in seen:
            unreachable.append(name)
            continue
        seen.add(url)
        for who, refusals in ((client, {403, 405}), (anonymous, {401, 403, 405})):
            checked += 1
            status = who.post(url, {"x": "1"}).status_code
            if status not in refusals and name not in CSRF_EXEMPT:
                unprotected.append(f"{name} ({url}): {status}")
    assert unprotected == []
    assert checked > 200
    assert len(unreachable) < 10, unreachable


@pytest.mark.django_db
def test_a_real_form_goes_through_with_its_token_and_not_without(personas):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("complaints:file"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    data = {"about": "service", "title": "Uji", "description": "Uji CSRF"}
    assert client.post(reverse("complaints:file"), data).status_code == 403
    assert client.post(reverse("complaints:file"), {**data, "csrfmiddlewaretoken": token}).status_code == 200
    from eproc.complaints.models import Complaint

    assert Complaint.objects.count() == 1


# --- Production settings -------------------------------------------------------------------------------------------

PRODUCTION = {
    "EPROC_SECRET_KEY": "a-long-random-production-secret-" + "k7" * 24,
    "EPROC_ALLOWED_HOSTS": "lpse.ketapangkab.go.id",
}


def _production(tmp_path, *args, code=None, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EPROC_", "DJANGO_", "DATABASE_URL"))}
    env.update(PRODUCTION, EPROC_VAR_DIR=str(tmp_path), **extra)
    command = [sys.executable, "-c", code] if code else [sys.executable, "manage.py", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120)


SHOW_SETTINGS = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "eproc.config.settings"
from django.conf import settings
names = ["DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
         "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
         "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "SECURE_PROXY_SSL_HEADER", "SILENCED_SYSTEM_CHECKS",
         "SESSION_COOKIE_AGE", "EPROC_SESSION_RENEW_SECONDS", "ACCOUNT_SESSION_REMEMBER", "SECURE_REFERRER_POLICY"]
values = {name: getattr(settings, name) for name in names}
values["SESSION_RENEWAL_INSTALLED"] = "eproc.accounts.middleware.SessionRenewalMiddleware" in settings.MIDDLEWARE
print(json.dumps(values))
"""


def test_production_settings_have_secure_cookies_hsts_and_no_debug(tmp_path):
    result = _production(tmp_path, code=SHOW_SETTINGS)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and values["SECURE_HSTS_PRELOAD"]
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] and values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SESSION_COOKIE_AGE"] <= 8 * 3600
    # The idle window slides through SessionRenewalMiddleware, at most a minute behind the last request.
    assert values["EPROC_SESSION_RENEW_SECONDS"] <= 60 and values["SESSION_RENEWAL_INSTALLED"]
    assert values["ACCOUNT_SESSION_REMEMBER"] is False
    assert values["SILENCED_SYSTEM_CHECKS"] == []  # clean for real, not by silencing


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _production(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_production_refuses_debug_helpers_and_missing_secrets(tmp_path):
    no_secret = _production(tmp_path, "check", EPROC_SECRET_KEY="")
    assert no_secret.returncode != 0
    sandbox = _production(tmp_path, "check", EPROC_SANDBOX="1")
    assert sandbox.returncode != 0 and "EPROC_SANDBOX" in sandbox.stderr


@pytest.mark.django_db
def test_a_production_response_carries_hsts_and_secure_cookies(client, settings, personas):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    ppk = personas.make(Role.PPK)
    response = _login(client, ppk.email, secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie: gone when the browser closes
    assert client.get(reverse("home"), secure=True)["X-Content-Type-Options"] == "nosniff"


# --- Login rate limits and lockout ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_until_the_window_passes(client, personas, pinned_time):
    ppk = personas.make(Role.PPK)
    for _ in range(5):
        _login(client, ppk.email, "salah-kata-sandi-1")
    locked = _login(client, ppk.email)
    assert "_auth_user_id" not in client.session
    assert locked.status_code in (200, 429)
    other = Client()  # the lock is on the account, not only on this browser
    _login(other, ppk.email, REMOTE_ADDR="10.1.1.1")
    assert "_auth_user_id" not in other.session
    pinned_time.shift(5 * 60 + 1)  # ACCOUNT_RATE_LIMITS["login_failed"]: 5 per 5 minutes per account
    assert _login(client, ppk.email).status_code == 302
    assert client.session["_auth_user_id"] == str(ppk.pk)


@pytest.mark.django_db
def test_one_address_guessing_many_accounts_is_stopped(client, personas):
    ppk = personas.make(Role.PPK)
    for number in range(10):
        _login(client, f"tebak{number}@ketapang.test", "salah-kata-sandi-1")
    _login(client, ppk.email)
    assert "_auth_user_id" not in client.session  # 10 failures a minute per address
    elsewhere = Client(REMOTE_ADDR="10.2.2.2")
    assert _login(elsewhere, ppk.email).status_code == 302  # the account itself is not locked


@pytest.mark.django_db
def test_guessing_the_second_factor_is_rate_limited_too(client, personas):
    pokja = personas.make(Role.POKJA)
    secret = give_totp(pokja)
    assert _login(client, pokja.email)["Location"] == reverse("mfa_authenticate")
    right = totp_code(secret)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(6):
        client.post(reverse("mfa_authenticate"), {"code": wrong})
    client.post(reverse("mfa_authenticate"), {"code": right})
    assert "_auth_user_id" not in client.session


# --- Sessions ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_signing_in_gives_a_new_session_id_and_signing_out_ends_it_on_the_server(client, personas):
    ppk = personas.make(Role.PPK)
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key
    _login(client, ppk.email)
    stolen = client.cookies["sessionid"].value
    assert stolen != before  # no session fixation
    client.post(reverse("account_logout"))
    replay = Client()
    replay.cookies["sessionid"] = stolen
    assert replay.get(reverse("dashboard")).status_code == 302  # the old cookie opens nothing


@pytest.mark.django_db
def test_an_idle_session_expires_even_for_the_json_api(client, personas, pinned_time, settings):
    vendor, user = personas.vendor()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert client.get(reverse("dashboard")).status_code == 200
    pinned_time.shift(settings.SESSION_COOKIE_AGE + 1)
    response = client.post(reverse("bids:api_committee_key"), {}, content_type="application/json")
    assert response.status_code == 401


@pytest.mark.django_db
def test_an_active_session_slides_its_idle_limit_with_at_most_one_write_a_minute(
    client, personas, pinned_time, settings
):
    from django.contrib.sessions.models import Session

    vendor, user = personas.vendor()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    key = client.cookies["sessionid"].value
    signed_in = Session.objects.get(session_key=key).expire_date

    pinned_time.shift(30)
    assert client.get(reverse("dashboard")).status_code == 200
    assert Session.objects.get(session_key=key).expire_date == signed_in  # within the minute: no write

    pinned_time.shift(settings.SESSION_COOKIE_AGE - 60)  # each visit within the idle limit of the last renewal
    assert client.get(reverse("dashboard")).status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed > signed_in
    pinned_time.shift(settings.SESSION_COOKIE_AGE - 1)
    assert client.get(reverse("dashboard")).status_code == 200  # alive: the window moved
    pinned_time.shift(settings.SESSION_COOKIE_AGE + 1)
    assert client.get(reverse("dashboard")).status_code == 302  # idle too long


@pytest.mark.django_db
def test_a_busy_session_still_ends_a_working_day_after_sign_in(client, personas, pinned_time, settings):
    vendor, user = personas.vendor()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    hour = 60 * 60
    for _ in range(settings.EPROC_SESSION_MAX_SECONDS // hour):
        pinned_time.shift(hour)  # active every hour: the idle limit never strikes
        assert client.get(reverse("dashboard")).status_code == 200
    pinned_time.shift(hour)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert client.get(reverse("dashboard")).status_code == 302  # signed out on the server, not just redirected
    api = client.post(reverse("bids:api_committee_key"), {}, content_type="application/json")
    assert api.status_code == 401


# --- The second factor where configured ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_second_factor_a_committee_member_gets_nothing_from_the_api_either(client, personas):
    pokja = personas.make(Role.POKJA)
    client.force_login(pokja)
    response = client.post(reverse("bids:api_committee_key"), {"recipient": "age1x"}, content_type="application/json")
    assert response.status_code == 403
    assert "two-factor" in response.json()["error"] or "dua" in response.json()["error"]
    from eproc.bids.models import CommitteeKey

    assert not CommitteeKey.objects.exists()


@pytest.mark.django_db
def test_recovery_codes_alone_do_not_count_as_a_second_factor(client, personas):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    pokja = personas.make(Role.POKJA)
    RecoveryCodes.activate(pokja)
    client.force_login(pokja)
    assert client.get(reverse("dashboard"))["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
def test_extending_the_required_roles_takes_effect_at_the_next_request(client, personas, settings):
    ppk = personas.make(Role.PPK)
    client.force_login(ppk)
    assert client.get(reverse("dashboard")).status_code == 200
    settings.EPROC_MFA_REQUIRED_ROLES = [*settings.EPROC_MFA_REQUIRED_ROLES, "ppk"]
    assert client.get(reverse("dashboard"))["Location"] == reverse("mfa_activate_totp")
