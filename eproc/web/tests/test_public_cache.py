"""Public pages from the cache (eproc/web/public_cache.py; DESIGN 8): what anonymous visitors are served between
public changes, and what stays fresh for everyone (Pasal 7(3)a, 12: the announcements the public reads must be the
current ones)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from eproc.core import clock
from eproc.tenders import lifecycle
from eproc.tenders.models import Tender

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.EPROC_PUBLIC_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def _quietly_renamed(tender, title):
    """A change no release announces: only the cache's time limits can bring it to anonymous visitors."""
    Tender.objects.filter(pk=tender.pk).update(title=title)


def test_anonymous_visitors_get_the_page_from_the_cache_until_a_public_change(client, world, pinned_time):
    tender = world.announced(title="Pembangunan Jembatan Sungai Besar")
    page = reverse("tenders:detail", args=[tender.public_id])
    assert "Jembatan Sungai Besar" in client.get(page).content.decode()

    _quietly_renamed(tender, "Pembangunan Jembatan Sungai Kecil")
    assert "Jembatan Sungai Besar" in client.get(page).content.decode()  # from the cache

    world.announced(title="Rehabilitasi Gedung Sekolah")  # a public change: a new release
    assert "Jembatan Sungai Kecil" in client.get(page).content.decode()


def test_a_cached_page_lasts_no_longer_than_the_next_scheduled_stage_change(client, world, pinned_time, settings):
    settings.EPROC_PUBLIC_CACHE_SECONDS = 30 * 24 * 3600  # only the schedule limits it here
    tender = world.announced(title="Pembangunan Jembatan Sungai Besar")
    boundary = lifecycle.next_change(tender, clock.now())
    listing = reverse("tenders:public_list")
    assert "Jembatan Sungai Besar" in client.get(listing).content.decode()
    _quietly_renamed(tender, "Pembangunan Jembatan Sungai Kecil")

    pinned_time.move_to(boundary - timedelta(seconds=1))
    assert "Jembatan Sungai Besar" in client.get(listing).content.decode()
    pinned_time.move_to(boundary)
    assert "Jembatan Sungai Kecil" in client.get(listing).content.decode()


def test_signed_in_users_never_get_a_cached_page(client, world, personas, pinned_time):
    tender = world.announced(title="Pembangunan Jembatan Sungai Besar")
    page = reverse("tenders:detail", args=[tender.public_id])
    client.get(page)
    _quietly_renamed(tender, "Pembangunan Jembatan Sungai Kecil")
    _vendor, user = personas.vendor()
    signed_in = Client()
    signed_in.force_login(user)

    assert "Jembatan Sungai Kecil" in signed_in.get(page).content.decode()


def _token(html: str) -> str:
    return html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]


def test_a_page_from_the_cache_carries_the_visitors_own_csrf_token(world, pinned_time):
    tender = world.announced()
    page = reverse("tenders:detail", args=[tender.public_id])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(page)
    served = second.get(page).content.decode()  # from the cache, rendered for the first visitor

    switched = second.post(
        reverse("set_language"), {"language": "en", "next": page, "csrfmiddlewaretoken": _token(served)}
    )

    assert switched.status_code == 302  # the second visitor's own token: accepted with their own cookie
    assert "csrftoken" in second.cookies


def test_pages_are_rendered_every_time_when_the_cache_is_off(client, world, pinned_time, settings):
    settings.EPROC_PUBLIC_CACHE_SECONDS = 0
    tender = world.announced(title="Pembangunan Jembatan Sungai Besar")
    page = reverse("tenders:detail", args=[tender.public_id])
    client.get(page)
    _quietly_renamed(tender, "Pembangunan Jembatan Sungai Kecil")

    assert "Jembatan Sungai Kecil" in client.get(page).content.decode()


def test_it_works_on_redis_as_a_production_deployment_shares_it(client, world, pinned_time, settings):
    """README: several gunicorn workers share EPROC_REDIS_URL (the CI machine runs Redis on 127.0.0.1:6379)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/14"}
    }
    cache.clear()
    tender = world.announced(title="Pembangunan Jembatan Sungai Besar")
    page = reverse("tenders:detail", args=[tender.public_id])
    assert client.get(page).status_code == 200
    _quietly_renamed(tender, "Pembangunan Jembatan Sungai Kecil")

    assert "Jembatan Sungai Besar" in client.get(page).content.decode()  # served from Redis
    cache.clear()
