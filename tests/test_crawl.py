"""Every page reachable by links, for each kind of person, renders without a server error.

A crawl over the demo data (which has something in every app) catches a broken template or view that no
focused test happens to render. It follows only same-site GET links, never a form."""

import re
from collections import deque
from urllib.parse import urljoin, urlparse

import pytest
from django.test import Client

from conftest import give_totp
from eproc.accounts.models import User

pytestmark = pytest.mark.django_db

PEOPLE = [
    None,
    "admin@lpse.demo",
    "verifikator@lpse.demo",
    "helpdesk@lpse.demo",
    "kepala@lpse.demo",
    "auditor@inspektorat.demo",
    "adminagency@ketapang.demo",
    "pa.pupr@ketapang.demo",
    "ppk.pupr@ketapang.demo",
    "pokja1@ketapang.demo",
    "penyedia@cv-maju.demo",
    "penyedia@pt-khatulistiwa.demo",
]
SKIP = ("/akun/logout", "/static/", "/django-admin/", "/i18n/")
LINK = re.compile(r'href="([^"#]+)"')


@pytest.fixture
def demo(settings, tmp_path, pinned_time):
    from eproc.bids.demo import load_demo as load_bids
    from eproc.organizations.demo import load_demo as load_organizations
    from eproc.planning.demo import load_demo as load_planning
    from eproc.training.demo import load_demo as load_training
    from eproc.vendors.demo import load_demo as load_vendors

    settings.VAR_DIR = tmp_path
    load_organizations()
    load_planning()
    load_training()
    load_vendors()
    load_bids()


def _crawl(email) -> tuple[set, list]:
    client = Client()
    if email:
        user = User.objects.get(email=email)
        give_totp(user)
        client.force_login(user)
    seen, queue, failures = set(), deque(["/", "/beranda/" if email else "/penawaran/"]), []
    while queue and len(seen) < 120:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code >= 500:
            failures.append((email, path, response.status_code))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for link in LINK.findall(response.content.decode()):
            target = urlparse(urljoin(path, link.replace("&amp;", "&")))
            if target.netloc or target.path.startswith(SKIP) or target.path.endswith((".pdf", ".csv")):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return seen, failures


def test_no_linked_page_fails_for_anyone(demo):
    """One demo load, then a crawl as each kind of person (anonymous, LPSE staff, agency roles, vendors)."""
    failures = []
    for email in PEOPLE:
        seen, failed = _crawl(email)
        assert len(seen) > 5, email
        failures += failed
    assert failures == []
