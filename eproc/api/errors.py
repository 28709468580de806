"""Every error of the JSON API has one shape: {"detail", "message_id", "message_en"} (plus "errors" for a request
that does not validate), so a client of an agency website can show the message in either language without its own
translation table. "detail" is in the language the request chose (Indonesian by default, like the site)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

NOT_FOUND = _("Not found: it does not exist or is not public.")
INVALID = _("The request is not valid: check the fields listed in errors.")
SIGN_IN = _("Sign in first: this action needs an account.")
FORBIDDEN = _("You are not allowed to do this.")
CSRF_FAILED = _("The security token (CSRF) is missing or wrong: reload the page and try again.")


class Error(Schema):
    detail: str
    message_id: str
    message_en: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class InvalidRequest(Error):
    errors: list[FieldError]


def in_both_languages(message) -> dict:
    """`message` (a lazy translation, or an English msgid) in the request's language, in Indonesian and in English."""

    def render():
        return gettext(message) if isinstance(message, str) else str(message)

    with translation.override("id"):
        indonesian = render()
    with translation.override("en"):
        english = render()
    return {"detail": render(), "message_id": indonesian, "message_en": english}


def body(message, **extra) -> dict:
    return {**in_both_languages(message), **extra}


def _response(api, request, status: int, message, **extra):
    return api.create_response(request, body(message, **extra), status=status)


def install(api) -> None:
    """Replace Ninja's default handlers (English-only, various shapes) with ours."""

    def not_found(request, exc):
        return _response(api, request, 404, NOT_FOUND)

    def invalid(request, exc: ValidationError):
        errors = [
            {
                "loc": [str(part) if not isinstance(part, int) else part for part in error.get("loc", ())],
                "msg": str(error.get("msg", "")),
                "type": str(error.get("type", "")),
            }
            for error in exc.errors
        ]
        return _response(api, request, 422, INVALID, errors=errors)

    def unauthenticated(request, exc):
        return _response(api, request, 401, SIGN_IN)

    def forbidden(request, exc):
        return _response(api, request, 403, FORBIDDEN)

    def http_error(request, exc: HttpError):
        # Ninja raises HttpError(403, "CSRF check Failed") from the session auth; anything else is ours.
        if exc.status_code == 403:
            return _response(api, request, 403, CSRF_FAILED if "CSRF" in str(exc) else FORBIDDEN)
        if exc.status_code == 404:
            return _response(api, request, 404, NOT_FOUND)
        return _response(api, request, exc.status_code, str(exc))

    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(ValidationError, invalid)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(AuthorizationError, forbidden)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(HttpError, http_error)
