"""Counts each request for the capacity panel's request rate (Pasal 11(3)e); see request_counts."""

from eproc.core import clock

from .request_counts import minute_key, tally


class RequestCounterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tally.count(minute_key(clock.now()))
        return self.get_response(request)
