"""Requests per minute for the capacity panel's request rate (Pasal 11(3)e), counted by RequestCounterMiddleware.

Each process tallies its requests in memory and adds the tally to the shared cache (Redis, or the file cache of the
embedded default) at most once a second and whenever the minute changes. Writing the cache on every request cost the
deadline surge a tenth of the upload workers' time on the file cache, which lists its whole directory and writes a
file per write (benchmarks/bench_surge.py). The panel adds the tally its own process has not written yet; another
worker's last second of requests shows once that worker serves its next request (the rate is indicative). Each
minute's counter expires after two hours."""

import logging
import threading
import time
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.cache import cache

from eproc.core import clock

REQUEST_KEY = "eproc:requests:{minute}"
_KEEP_SECONDS = 2 * 60 * 60
FLUSH_SECONDS = 1.0
logger = logging.getLogger(__name__)


def minute_key(moment: datetime) -> str:
    """The counter of the LPSE's local minute of `moment`."""
    return REQUEST_KEY.format(minute=moment.astimezone(ZoneInfo(clock.WIB)).strftime("%Y%m%d%H%M"))


class _Tally:
    """This process's requests per minute key not yet added to the shared cache."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._flushed_at = time.monotonic()

    def count(self, key: str) -> None:
        with self._lock:
            self._counts[key] += 1
            now = time.monotonic()
            if now - self._flushed_at < FLUSH_SECONDS and len(self._counts) == 1:
                return
            counts, self._counts, self._flushed_at = self._counts, Counter(), now
        _add_to_cache(counts)

    def pending(self) -> Counter[str]:
        with self._lock:
            return Counter(self._counts)

    def reset(self) -> None:
        """Forget what is not yet written (a test starting afresh)."""
        with self._lock:
            self._counts, self._flushed_at = Counter(), time.monotonic()


def _add_to_cache(counts: Counter[str]) -> None:
    for key, number in counts.items():
        try:
            cache.add(key, 0, _KEEP_SECONDS)
            cache.incr(key, number)
        except ValueError:
            # The counter expired between add and incr (or was evicted): this minute starts again with these.
            cache.set(key, number, _KEEP_SECONDS)
        except Exception:  # noqa: BLE001 - a broken cache must never break a page; the rate is only indicative
            logger.warning("request counter unavailable", exc_info=True)


tally = _Tally()
