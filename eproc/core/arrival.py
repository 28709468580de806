"""When a request reached the LPSE: the moment a deadline is judged by (Pasal 1(5): the offer is made at the time
set in the documents).

At the deadline the app servers are busy, and a small request (a bid's commitment) can wait behind the uploads in
the server's queue for longer than the seconds the vendor had left: judged by the app's clock when its turn comes,
it would be refused although it arrived in time (benchmarks/bench_surge.py saw this once the uploads saturated the
machine). The reverse proxy in front of the app stamps each request as it arrives, before any queue:

    proxy_set_header X-Request-Start "t=${msec}";     # nginx; replaces whatever the client sent

and with EPROC_REQUEST_START_HEADER=X-Request-Start the app judges deadlines by that stamp. The header is trusted
only because the proxy overwrites it (as X-Forwarded-Proto is); without the setting it is ignored, since a client
could then send any time it likes. Even when set, a stamp is used only if it is earlier than the app's clock and
at most EPROC_REQUEST_START_MAX_WAIT_SECONDS so: a proxy whose clock runs ahead, or an older stamp (a misconfigured
proxy passing the client's header through), falls back to the app's clock rather than moving a deadline.
"""

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings

from . import clock

logger = logging.getLogger(__name__)


def _stamp_seconds(value: str) -> float | None:
    """Seconds since the epoch from `t=<seconds>` (nginx's ${msec}: seconds with milliseconds) or the same in
    milliseconds or microseconds (as other proxies write it)."""
    value = value.strip().removeprefix("t=")
    try:
        number = float(value)
    except ValueError:
        return None
    if number != number or number <= 0:  # NaN
        return None
    if number > 1e14:
        return number / 1e6
    if number > 1e11:
        return number / 1e3
    return number


def received_at(request) -> datetime:
    """The moment `request` reached the LPSE: the proxy's stamp when configured and believable, else now."""
    now = clock.now()
    header = settings.EPROC_REQUEST_START_HEADER
    if not header:
        return now
    raw = request.headers.get(header)
    if not raw:
        return now
    seconds = _stamp_seconds(raw)
    if seconds is None:
        logger.warning("request start header %s unreadable: %r", header, raw[:40])
        return now
    try:
        stamped = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return now
    if stamped > now:
        return now
    if now - stamped > timedelta(seconds=settings.EPROC_REQUEST_START_MAX_WAIT_SECONDS):
        logger.warning("request start header %s is %s old; the app's clock is used", header, now - stamped)
        return now
    return stamped
