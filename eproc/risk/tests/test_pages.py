"""The risk pages over the demo data's published OCDS: the Inspektorat and the Head of LPSE see them; everyone else
gets 404; an auditor of one agency sees that agency's tenders only."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from conftest import give_totp, pdf_upload
from eproc.accounts.models import User

pytestmark = pytest.mark.django_db

KEPALA = "kepala@lpse.demo"
AUDITOR = "auditor@inspektorat.demo"  # the Inspektorat of Kabupaten Ketapang (D201)


@pytest.fixture
def demo(settings, tmp_path, pinned_time):

    from eproc.demo import load_procurement_demo

    settings.VAR_DIR = tmp_path
    load_procurement_demo()


def signed_in(client, email):
    user = User.objects.get(email=email)
    give_totp(user)
    client.force_login(user)
    return client


FINISHED = "Pengadaan Aspal dan Material Pemeliharaan Rutin Jalan (contoh)"


def test_the_demo_tenders_published_ocds_is_what_the_indicators_read(demo):
    from eproc.risk import selectors
    from eproc.tenders.models import Tender

    releases = selectors.compiled_releases()
    assert releases, "the demo data publishes its announced tenders"
    report = selectors.risk_report(releases)
    # Every compiled release is matched to its tender by tender.id (the tender's public id), with one query.
    assert len(report.rows) == len({release["tender"]["id"] for release in releases})
    finished = Tender.objects.get(title=FINISHED)
    row = report.by_public_id[finished.public_id]
    # The demo's finished tender: the winner is the only valid bidder, the others and the lowest bid disqualified.
    assert {"R035", "R036"} <= set(row.codes)
    r035 = next(flag for flag in row.flags if flag.code == "R035")
    assert r035.value >= 1
    with translation.override("en"):
        facts = {str(fact.label): fact.value for fact in r035.facts}
    assert facts["Tenderers with disqualified bids"] == r035.value
    assert facts["Winner"] == finished.results.get().winner.vendor.name
    # The demo's tenders keep to the regulation's shorter periods: Cardinal's default of 15 days flags them, and a
    # deployment sets its own per procurementMethodDetails.
    assert "R003" in row.codes


def test_the_inspektorat_and_the_head_of_lpse_read_the_flags_and_no_one_else_does(demo, client):
    from eproc.tenders.models import Tender

    finished = Tender.objects.get(title=FINISHED)
    for email in (KEPALA, AUDITOR):
        client.logout()
        signed_in(client, email)
        page = client.get(reverse("risk:ranking"))
        assert page.status_code == 200
        html = page.content.decode()
        assert f'data-tender="{finished.public_id}"' in html
        assert html.index(f'data-tender="{finished.public_id}"') < html.index("</tbody>")
        detail = client.get(reverse("risk:tender", args=[finished.public_id]))
        assert detail.status_code == 200
        assert 'data-flag="R035"' in detail.content.decode()
        assert 'data-flag="R036"' in detail.content.decode()
        assert client.get(reverse("risk:tender", args=["TIDAKADA"])).status_code == 404
    # The riskiest first: the weighted count of indicators orders the page.
    from eproc.risk import selectors

    report = selectors.risk_report()
    scores = [row.score for row in report.rows]
    assert scores == sorted(scores, reverse=True)
    positions = [html.index(f'data-tender="{row.tender.public_id}"') for row in report.rows if row.flags]
    assert positions == sorted(positions)
    for email in ("pokja1@ketapang.demo", "ppk.pupr@ketapang.demo", "admin@lpse.demo", "penyedia@cv-maju.demo"):
        client.logout()
        signed_in(client, email)
        assert client.get(reverse("risk:ranking")).status_code == 404
        assert client.get(reverse("risk:tender", args=[finished.public_id])).status_code == 404
    client.logout()
    assert client.get(reverse("risk:ranking")).status_code == 302


def test_an_auditor_of_another_agency_sees_none_of_this_agencys_tenders(demo, client):
    from eproc.organizations import services
    from eproc.organizations.models import Agency
    from eproc.organizations.roles import Role
    from eproc.tenders.models import Tender

    appointment = services.appoint_by_email(
        actor=User.objects.get(email="admin@lpse.demo"),
        email="auditor@inspektorat-kku.demo",
        full_name="Auditor Kayong Utara",
        role=Role.AUDITOR,
        agency=Agency.objects.get(code="D213"),
        work_unit=None,
        decree_number="SK/INSP/9",
        decree_date=date(2026, 1, 2),
        decree_file=pdf_upload(),
        valid_from=date(2026, 1, 2),
    )
    signed_in(client, appointment.user.email)
    finished = Tender.objects.get(title=FINISHED)
    assert finished.agency.code == "D201"
    page = client.get(reverse("risk:ranking"))
    assert page.status_code == 200
    assert f'data-tender="{finished.public_id}"' not in page.content.decode()
    assert client.get(reverse("risk:tender", args=[finished.public_id])).status_code == 404
