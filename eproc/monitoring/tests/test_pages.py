"""Every monitoring page renders for the people it is for, with its key numbers visible, on the demo LPSE; the
report downloads as PDF and as streamed CSV carrying the same figures."""

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse

from eproc.core.money import format_rupiah
from eproc.monitoring import documents, selectors
from eproc.monitoring.selectors import Period
from eproc.organizations.models import Agency
from eproc.tenders.models import Tender

pytestmark = pytest.mark.django_db


def _kpi(page: str, key: str) -> str:
    marker = f'id="kpi-{key}"><span class="kpi-value"'
    start = page.index(marker) + len(marker)
    start = page.index(">", start) + 1
    return page[start : page.index("<", start)]


def test_every_page_renders_with_its_key_numbers_and_the_report_downloads(client, demo):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    tenders_2026 = Tender.objects.filter(sandbox=False).count()
    ketapang = Agency.objects.get(code="D201")

    client.force_login(demo.kepala)
    page = client.get(reverse("monitoring:dashboard") + "?tahun=2026").content.decode()
    assert _kpi(page, "tenders") == str(tenders_2026)
    assert _kpi(page, "contracts") == "1" and _kpi(page, "failed") == "1" and _kpi(page, "complaints") == "2"
    assert "Evaluation of administrative and technical envelopes" in page  # a stage of the by-stage chart
    assert "<svg" in page and "<script" not in page

    report = client.get(reverse("monitoring:report") + "?periode=quarter&tahun=2026&triwulan=1")
    assert report.status_code == 200
    assert "Quarter I 2026" in report.content.decode()
    assert _kpi(report.content.decode(), "tenders") == str(tenders_2026)
    assert client.get(reverse("monitoring:report")).status_code == 200  # the current month by default

    query = "?periode=year&tahun=2026&instansi=" + ketapang.public_id
    pdf = client.get(reverse("monitoring:report_pdf") + query)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert pdf["Content-Disposition"] == 'attachment; filename="laporan-kegiatan-lpse-2026-D201.pdf"'
    figures = selectors.activity_report(Period("year", 2026), agency=ketapang)
    html = documents.report_html(figures)
    assert format_rupiah(figures.tenders.hps) in html and format_rupiah(figures.tenders.savings) in html

    response = client.get(reverse("monitoring:report_csv") + query)
    assert response.status_code == 200 and response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["period", "agency", "section", "figure", "value", "unit"]
    values = {(row[2], row[3]): row[4] for row in rows[1:]}
    assert values[("Tenders", "Tenders")] == str(tenders_2026)
    assert values[("Tenders", "HPS")] == str(figures.tenders.hps)
    assert values[("Tenders", "Savings")] == str(figures.tenders.savings)
    assert values[("Tenders", "Failed tenders (lelang gagal)")] == "1"
    assert values[("Complaints and helpdesk", "Complaints filed")] == "1"  # the other is about the service
    assert all(row[1] == ketapang.name for row in rows[1:])

    page = client.get(reverse("monitoring:compliance") + "?tahun=2026").content.decode()
    assert "Pasal 15 ayat (1)" in page and "Dinas Pekerjaan Umum dan Penataan Ruang" in page

    # The Inspektorat of Ketapang reads the same dashboard, limited to its agency.
    client.force_login(demo.auditor)
    page = client.get(reverse("monitoring:dashboard") + "?tahun=2026").content.decode()
    assert _kpi(page, "tenders") == str(tenders_2026) and "Pemerintah Kabupaten Ketapang" in page
    assert "Pemerintah Kabupaten Kayong Utara" not in page

    client.force_login(demo.lpse_admin)
    page = client.get(reverse("monitoring:capacity")).content.decode()
    assert "SQLite" in page or "PostgreSQL" in page
    assert _kpi(page, "queue") == str(selectors.queue()["depth"])
    assert client.get(reverse("monitoring:rules")).status_code == 200
    assert client.get(reverse("monitoring:rule_edit", args=["pasal-15-2-2011"])).status_code == 200

    pupr = ketapang.work_units.get(name="Dinas Pekerjaan Umum dan Penataan Ruang")
    for person in (demo.pa, demo.admin_agency):
        client.force_login(person)
        page = client.get(reverse("monitoring:adoption_plans")).content.decode()
        assert pupr.name in page
        form = client.get(reverse("monitoring:adoption_plan", args=[pupr.public_id]) + "?tahun=2026")
        assert form.status_code == 200
        assert "Pengadaan Aspal dan Material Pemeliharaan Rutin Jalan (contoh)" in form.content.decode()
