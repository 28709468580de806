"""The foundation as a person meets it in a browser: sign in, second factor, dashboard, language switch, and the
age bundle that sealed bids will use."""

import re

import pytest

from conftest import PASSWORD, totp_code
from eproc.organizations.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, email, password=PASSWORD):
    page.goto("/akun/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")


def test_a_commitment_officer_signs_in_and_sees_their_dashboard(page, personas):
    ppk = personas.make(Role.PPK)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "id"
    _sign_in(page, ppk.email)
    page.wait_for_url(re.compile(r"/beranda/$"))
    card = page.locator('[data-role="ppk"]')
    assert card.is_visible()
    assert card.locator('[data-action="approve_classification"]').is_visible()
    assert page.locator('[data-action="manage_agencies"]').count() == 0


def test_a_wrong_password_is_refused_with_a_message(page, personas):
    ppk = personas.make(Role.PPK)
    _sign_in(page, ppk.email, "bukan-kata-sandinya")
    assert "/akun/login/" in page.url
    # allauth's own Indonesian message, shown on the form (Indonesian is the default language).
    assert "tidak benar" in page.locator("main form").inner_text()


def test_a_committee_member_sets_up_totp_at_first_sign_in(page, personas):
    pokja = personas.make(Role.POKJA)
    _sign_in(page, pokja.email)
    page.wait_for_url(re.compile(r"/akun/2fa/totp/activate/"))
    secret = page.locator("input[name=secret], #authenticator_secret").first.input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    page.fill("input[name=code]", totp_code(secret))
    page.click("main form button[type=submit]")
    page.goto("/beranda/")
    assert page.locator('[data-role="pokja"]').is_visible()


def test_the_language_switch_turns_the_page_english(page, personas):
    page.goto("/")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Latest announcements").is_visible()


def test_the_age_bundle_encrypts_and_decrypts_in_the_browser(page, personas):
    page.goto("/")
    result = page.evaluate(
        """async () => {
            const age = await import("/static/vendor/age.js");
            const identity = await age.generateIdentity();
            const recipient = await age.identityToRecipient(identity);
            const encrypter = new age.Encrypter();
            encrypter.addRecipient(recipient);
            const sealed = await encrypter.encrypt("penawaran rahasia");
            const decrypter = new age.Decrypter();
            decrypter.addIdentity(identity);
            const header = new TextDecoder().decode(sealed.slice(0, 21));
            return {recipient, header, plain: await decrypter.decrypt(sealed, "text")};
        }"""
    )
    assert result["recipient"].startswith("age1")
    assert result["header"] == "age-encryption.org/v1"
    assert result["plain"] == "penawaran rahasia"


def test_the_layout_fits_a_phone_screen(browser, live_server, personas):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto("/")
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 375
