"""Public home page, per-role dashboards and the language switch."""

import pytest
from django.urls import reverse

from conftest import give_totp
from eproc.organizations.roles import ROLES, Role
from eproc.web.dashboard import ACTIONS

pytestmark = pytest.mark.django_db


def test_the_home_page_is_public_and_in_indonesian_by_default(client, personas):
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="id">' in page
    assert "Kabupaten Ketapang" in page and "Kabupaten Kayong Utara" in page  # Pasal 3: governments served
    assert "Pengumuman terbaru" in page and "Latest announcements" not in page
    assert "Helpdesk" in page


def test_the_language_switch_turns_the_pages_english(client, personas):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in page
    assert "Latest announcements" in page and "Pengumuman terbaru" not in page


def test_pages_carry_a_strict_content_security_policy(client, db):
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_sees_only_its_own_dashboard_actions(client, personas, role):
    user = personas.make(role)
    give_totp(user)
    client.force_login(user)
    page = client.get(reverse("dashboard")).content.decode()
    own = {action.key for action in ACTIONS if role in action.roles}
    others = {action.key for action in ACTIONS} - own
    assert own, f"{role} has no action on its dashboard"
    for key in own:
        assert f'data-action="{key}"' in page
    for key in others:
        assert f'data-action="{key}"' not in page
    assert f'data-role="{role.value}"' in page


def test_a_dashboard_link_is_one_the_role_can_open(client, personas):
    for role in [Role.LPSE_ADMIN, Role.ADMIN_AGENCY, Role.AUDITOR, Role.KEPALA_LPSE]:
        user = personas.make(role)
        give_totp(user)
        client.force_login(user)
        for action in ACTIONS:
            if role in action.roles and action.url_name:
                assert client.get(reverse(action.url_name)).status_code == 200, (role, action.key)


def test_someone_without_an_appointment_is_told_how_to_get_one(client, personas):
    from eproc.accounts.models import User

    user = User.objects.create_user(email="tanpa.sk@test.id", full_name="Tanpa SK")
    client.force_login(user)
    page = client.get(reverse("dashboard")).content.decode()
    assert "data-role" not in page
    assert "Admin Agency" in page


def test_an_english_browser_still_gets_indonesian_until_the_user_switches(client, db):
    page = client.get(reverse("home"), headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="id">' in page
    assert "Pengumuman terbaru" in page
