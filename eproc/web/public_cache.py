"""Public pages served from the cache between public changes (DESIGN 8: the public pages are read-mostly, cache them
per version).

At a bid deadline the public pages are what everyone reloads (the tender page of the closing tender, the list), on
the same two cores that take the uploads; rendering each one again is what made them slow then
(benchmarks/bench_surge.py). So a public page rendered for an anonymous visitor is kept and served to the next
anonymous visitors until whichever comes first:

- a public change: every one is published as an OCDS release in the transaction that makes it
  (publication.services.enqueue), so the newest release's id is part of the key and a new release makes every
  cached page stale at once;
- the moment the page's content would change by the clock alone: a tender moving into its next stage at a scheduled
  time changes no row, so views showing stages name that moment (`valid_until`);
- EPROC_PUBLIC_CACHE_SECONDS (0 turns the cache off), for what is shown publicly but not published as a release
  (the count of registered vendors on the home page, say).

Only anonymous GETs are cached and served from the cache (signed-in users see pages shaped by their roles), never a
page with a message for its visitor. The CSRF token in the page's forms (the language switch) is each visitor's own:
it is taken out before the page is stored and put back, the visitor's, when it is served.
"""

import hashlib
import re
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

from eproc.core import clock

_CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_TOKEN_PLACEHOLDER = b"\x00csrf\x00"


def _release_version() -> int:
    from eproc.publication.models import OutboxEntry

    return OutboxEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _key(request) -> str:
    address = f"{request.path}?{request.META.get('QUERY_STRING', '')}|{translation.get_language()}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"public-page:{_release_version()}:{digest}"


def valid_until(request, moment: datetime | None) -> None:
    """The page being rendered changes by the clock at `moment` (a stage starts or ends): keep it no longer."""
    if moment is None:
        return
    current = getattr(request, "_public_cache_until", None)
    request._public_cache_until = moment if current is None or moment < current else current


def _cacheable(request) -> bool:
    return (
        settings.EPROC_PUBLIC_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and len(get_messages(request)) == 0
    )


def _seconds_to_keep(request) -> int:
    seconds = settings.EPROC_PUBLIC_CACHE_SECONDS
    until = getattr(request, "_public_cache_until", None)
    if until is not None:
        seconds = min(seconds, int((until - clock.now()).total_seconds()))
    return seconds


def public_page(view):
    """Serve the view's page to anonymous visitors from the cache while it is current (see the module)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        stored = cache.get(key)
        if stored is not None:
            content_type, content = stored
            token = get_token(request).encode()  # also sets the visitor's CSRF cookie, as rendering the form would
            return HttpResponse(content.replace(_TOKEN_PLACEHOLDER, token), content_type=content_type)
        response = view(request, *args, **kwargs)
        seconds = _seconds_to_keep(request)
        if response.status_code == 200 and not response.streaming and not response.cookies and seconds > 0:
            content = _CSRF_FIELD.sub(rb"\1" + _TOKEN_PLACEHOLDER + rb"\2", response.content)
            cache.set(key, (response["Content-Type"], content), seconds)
        return response

    return wrapped
