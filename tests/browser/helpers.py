"""Steps the browser tests share."""

from django.conf import settings
from django.test import Client


def sign_in_as(context, live_server, user):
    """Reuse a server-side session for the browser, so a test need not type the second factor again; called again
    after the clock moved past the idle timeout."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def browser_page(browser, live_server, errors, user=None):
    """A page in its own context (own cookies), signed in as `user` if given; console errors are collected."""
    context = browser.new_context(base_url=live_server.url, locale="id-ID", accept_downloads=True)
    if user is not None:
        sign_in_as(context, live_server, user)
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page
