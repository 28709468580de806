"""Accounts: e-mail login, second factor for LPSE staff and committees, rate limits, secret passwords,
expiring sessions (DESIGN 6; Pasal 4(2)a keeps access codes confidential; Pasal 5a forbids disrupting the
system)."""

import logging

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import identify_hasher
from django.core.cache import cache
from django.urls import reverse

from conftest import PASSWORD, give_totp, totp_code
from eproc.audit.models import AuditEvent
from eproc.organizations.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


def _login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_a_commitment_officer_logs_in_with_email_and_reaches_the_dashboard(client, personas):
    ppk = personas.make(Role.PPK)
    response = _login(client, ppk.email.upper())  # addresses are case-insensitive
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


@pytest.mark.parametrize(
    "role",
    [
        Role.POKJA,
        Role.PEJABAT_PENGADAAN,
        Role.LPSE_ADMIN,
        Role.VERIFIKATOR,
        Role.HELPDESK,
        Role.TRAINER,
        Role.KEPALA_LPSE,
        Role.SEKRETARIS_LPSE,
    ],
)
def test_staff_and_committee_members_must_set_up_a_second_factor_first(client, personas, role):
    user = personas.make(role)
    _login(client, user.email)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # The page where the factor is set up stays reachable.
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


@pytest.mark.parametrize("role", [Role.PA, Role.KPA, Role.PPK, Role.ADMIN_AGENCY, Role.AUDITOR])
def test_other_roles_are_not_forced_to_a_second_factor_by_default(client, personas, role):
    user = personas.make(role)
    _login(client, user.email)
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_roles_that_need_a_second_factor_are_a_setting(client, personas, settings):
    settings.EPROC_MFA_REQUIRED_ROLES = ["ppk"]
    ppk = personas.make(Role.PPK)
    _login(client, ppk.email)
    assert client.get(reverse("dashboard"))["Location"] == reverse("mfa_activate_totp")


def test_a_committee_member_with_totp_is_asked_for_the_code_at_login(client, personas):
    pokja = personas.make(Role.POKJA)
    secret = give_totp(pokja)
    response = _login(client, pokja.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("dashboard")).status_code == 302  # the password alone is not enough
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if totp_code(secret) != "000000" else "1"})
    assert wrong.status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_committee_member_activates_totp_and_is_let_through(client, personas):
    pokja = personas.make(Role.POKJA)
    _login(client, pokja.email)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_repeated_wrong_passwords_are_rate_limited(client, personas):
    ppk = personas.make(Role.PPK)
    for _ in range(5):
        assert _login(client, ppk.email, "wrong-password-1").status_code == 200
    blocked = _login(client, ppk.email, PASSWORD)  # even the right password waits out the limit
    assert blocked.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2(settings, personas):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    ppk = personas.make(Role.PPK)
    ppk.set_password("another-secret-99")
    assert identify_hasher(ppk.password).algorithm == "argon2"


def test_no_password_reaches_the_logs_or_the_audit_trail(client, personas, caplog):
    caplog.set_level(logging.DEBUG)
    ppk = personas.make(Role.PPK)
    _login(client, ppk.email, "salah-kata-sandi-123")
    _login(client, ppk.email)
    client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "kata-sandi-baru-456",
            "password2": "kata-sandi-baru-456",
        },
    )
    secrets_ = ["salah-kata-sandi-123", PASSWORD, "kata-sandi-baru-456"]
    assert not any(secret in caplog.text for secret in secrets_)
    trail = " ".join(str(data) for data in AuditEvent.objects.values_list("data", flat=True))
    assert not any(secret in trail for secret in secrets_)


def test_a_user_changes_their_password(client, personas):
    ppk = personas.make(Role.PPK)
    _login(client, ppk.email)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "kata-sandi-baru-456",
            "password2": "kata-sandi-baru-456",
        },
    )
    assert response.status_code == 302
    ppk.refresh_from_db()
    assert ppk.check_password("kata-sandi-baru-456")


def test_a_user_resets_a_forgotten_password_by_email(client, personas, mailoutbox):
    ppk = personas.make(Role.PPK)
    client.post(reverse("account_reset_password"), {"email": ppk.email})
    assert len(mailoutbox) == 1
    link = next(word for word in mailoutbox[0].body.split() if "/akun/password/reset/key/" in word)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": "kata-sandi-baru-456", "password2": "kata-sandi-baru-456"},
    )
    assert response.status_code == 302
    ppk.refresh_from_db()
    assert ppk.check_password("kata-sandi-baru-456")


def test_self_signup_is_closed(client, db):
    response = client.post(
        reverse("account_signup"), {"email": "x@y.id", "password1": "a-b-c-d-e-f-1", "password2": "a-b-c-d-e-f-1"}
    )
    assert "signup_closed" in [t.name.split("/")[-1].removesuffix(".html") for t in response.templates]
    assert not EmailAddress.objects.filter(email="x@y.id").exists()


def test_an_idle_session_expires(client, personas, pinned_time, settings):
    ppk = personas.make(Role.PPK)
    _login(client, ppk.email)
    assert client.get(reverse("dashboard")).status_code == 200
    pinned_time.shift(settings.SESSION_COOKIE_AGE - 60)
    assert client.get(reverse("dashboard")).status_code == 200  # activity renews the window
    pinned_time.shift(settings.SESSION_COOKIE_AGE + 1)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
