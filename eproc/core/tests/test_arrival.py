"""The moment a request reached the LPSE, from the reverse proxy's stamp (eproc/core/arrival.py; Pasal 1(5): a
deadline is judged by when the offer arrived, not by when a busy server got to it)."""

from datetime import timedelta

import pytest
from django.test import RequestFactory

from conftest import PINNED_NOW
from eproc.core import arrival

HEADER = "X-Request-Start"


def _request(stamp: str | None):
    headers = {HEADER: stamp} if stamp is not None else {}
    return RequestFactory().post("/", headers=headers)


@pytest.fixture
def behind_proxy(settings, pinned_time):
    settings.EPROC_REQUEST_START_HEADER = HEADER
    settings.EPROC_REQUEST_START_MAX_WAIT_SECONDS = 120


def test_it_takes_the_moment_nginx_stamped(behind_proxy):
    stamped = PINNED_NOW - timedelta(seconds=7, milliseconds=250)
    assert arrival.received_at(_request(f"t={stamped.timestamp():.3f}")) == stamped


@pytest.mark.parametrize("scale", [1_000, 1_000_000])
def test_it_reads_stamps_in_milliseconds_and_microseconds(behind_proxy, scale):
    stamped = PINNED_NOW - timedelta(seconds=3)
    assert arrival.received_at(_request(str(int(stamped.timestamp() * scale)))) == stamped


def test_without_the_setting_a_clients_stamp_is_ignored(settings, pinned_time):
    settings.EPROC_REQUEST_START_HEADER = ""
    earlier = PINNED_NOW - timedelta(seconds=30)
    assert arrival.received_at(_request(f"t={earlier.timestamp():.3f}")) == PINNED_NOW


def test_a_stamp_older_than_the_longest_believable_wait_is_ignored(behind_proxy):
    old = PINNED_NOW - timedelta(seconds=121)
    assert arrival.received_at(_request(f"t={old.timestamp():.3f}")) == PINNED_NOW


def test_a_stamp_from_a_proxy_clock_running_ahead_is_ignored(behind_proxy):
    ahead = PINNED_NOW + timedelta(seconds=2)
    assert arrival.received_at(_request(f"t={ahead.timestamp():.3f}")) == PINNED_NOW


@pytest.mark.parametrize("stamp", ["", "t=", "t=abc", "nan", "t=-5", "1e400", "t=1e30"])
def test_an_unreadable_stamp_falls_back_to_the_apps_clock(behind_proxy, stamp):
    assert arrival.received_at(_request(stamp)) == PINNED_NOW


def test_without_a_stamp_it_is_now(behind_proxy):
    assert arrival.received_at(_request(None)) == PINNED_NOW
