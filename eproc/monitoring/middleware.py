"""Counts requests per minute in the shared cache, for the capacity panel's request rate (Pasal 11(3)e).

One cache.add and one cache.incr per request: cheap, shared by every worker (the cache is Redis or the file cache in
production), and self-cleaning because each minute's counter expires after two hours."""

import logging

from django.core.cache import cache

from eproc.core import clock

from .selectors import minute_key

_KEEP_SECONDS = 2 * 60 * 60
logger = logging.getLogger(__name__)


class RequestCounterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = minute_key(clock.now())
        try:
            cache.add(key, 0, _KEEP_SECONDS)
            cache.incr(key)
        except ValueError:
            # The counter expired between add and incr (or was evicted): this minute starts again at one.
            cache.set(key, 1, _KEEP_SECONDS)
        except Exception:  # noqa: BLE001 - a broken cache must never break a page; the rate is only indicative
            logger.warning("request counter unavailable", exc_info=True)
        return self.get_response(request)
