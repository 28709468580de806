"""Who may do what in monitoring. The Inspektorat reads (Pasal 8(2)f, 8(3)-(4)) and is refused every write of the
app, through the pages and through the services; others see nothing (404) and visitors are sent to sign in."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, get_resolver, reverse

from conftest import give_totp
from eproc.audit.models import AuditEvent
from eproc.monitoring import services
from eproc.monitoring.models import AdoptionPlan, CapacitySnapshot, ComplianceRule
from eproc.organizations.roles import Role

pytestmark = pytest.mark.django_db


def _monitoring_routes():
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "namespace", None) == "monitoring":
            return [item.name for item in pattern.url_patterns if isinstance(item, URLPattern)]
    raise AssertionError("monitoring is not included in the root URLconf")


def _urls(personas):
    arguments = {
        "rule_edit": ["pasal-15-1-2012"],
        "adoption_plan": [personas.unit_a.public_id],
    }
    return {name: reverse(f"monitoring:{name}", args=arguments.get(name, [])) for name in _monitoring_routes()}


def _state():
    return (
        list(ComplianceRule.objects.values_list("code", "description", "min_share_percent", "is_active")),
        AdoptionPlan.objects.count(),
        CapacitySnapshot.objects.count(),
        AuditEvent.objects.count(),
    )


WRITES = {
    "rules": {
        "code": "audit-2014",
        "year_from": "2014",
        "article": "Pasal 15",
        "description": "x",
        "kind": "electronic_share",
        "value_above": "0",
        "min_count": "0",
        "min_share_percent": "10",
        "is_active": "on",
    },
    "rule_edit": {
        "code": "pasal-15-1-2012",
        "year_from": "2012",
        "article": "Pasal 15 ayat (1)",
        "description": "diubah",
        "kind": "electronic_share",
        "value_above": "0",
        "min_count": "0",
        "min_share_percent": "50",
    },
    "adoption_plan": {"stages": ["pengumuman"], "planned_count": "1"},
}


def test_the_auditor_reads_but_is_refused_every_write_of_the_app(client, personas):
    auditor = personas.make(Role.AUDITOR, personas.agency_a)
    client.force_login(auditor)
    urls = _urls(personas)
    before = _state()
    for name in ("dashboard", "report", "report_pdf", "report_csv", "compliance"):
        assert client.get(urls[name]).status_code == 200, name
    for name, url in urls.items():
        if name in ("dashboard", "report", "report_pdf", "report_csv", "compliance"):
            continue
        assert client.get(url).status_code == 404, name  # write pages and the capacity panel (which records)
    for name, url in urls.items():
        assert client.post(url, WRITES.get(name, {})).status_code in (404, 405), name
    assert _state() == before
    with pytest.raises(PermissionDenied):
        services.save_rule(
            actor=auditor,
            code="audit-2014",
            year_from=2014,
            article="Pasal 15",
            description="x",
            kind="electronic_share",
            min_share_percent=10,
        )
    with pytest.raises(PermissionDenied):
        services.save_adoption_plan(
            actor=auditor, work_unit=personas.unit_a, fiscal_year=2026, stages=["pengumuman"], planned_count=1
        )
    with pytest.raises(PermissionDenied):
        services.take_snapshot(actor=auditor)
    assert _state() == before


def test_people_without_a_monitoring_role_see_nothing_and_visitors_are_sent_to_sign_in(client, personas):
    urls = _urls(personas)
    for name, url in urls.items():
        assert client.get(url).status_code == 302, name
    ppk = personas.make(Role.PPK)
    _vendor, vendor_user = personas.vendor("CV Penasaran")
    for user in (ppk, vendor_user):
        client.force_login(user)
        for name, url in urls.items():
            assert client.get(url).status_code == 404, (user, name)


def test_the_administrator_changes_a_rule_through_its_page_and_the_change_is_audited(client, personas):
    admin = personas.lpse_admin
    give_totp(admin)
    client.force_login(admin)
    urls = _urls(personas)
    assert "pasal-15-2-2011" in client.get(urls["rules"]).content.decode()
    response = client.post(urls["rule_edit"], WRITES["rule_edit"])
    assert response.status_code == 302
    rule = ComplianceRule.objects.get(code="pasal-15-1-2012")
    assert (rule.description, rule.min_share_percent, rule.is_active) == ("diubah", 50, False)
    event = AuditEvent.objects.get(action="monitoring.rule_changed")
    assert event.data["before"]["min_share_percent"] == 100 and event.data["rule"]["min_share_percent"] == 50
    response = client.post(urls["rules"], WRITES["rules"])
    assert response.status_code == 302
    assert ComplianceRule.objects.get(code="audit-2014").min_share_percent == 10
    # A share rule without a share is refused with a message, and nothing is saved.
    page = client.post(urls["rules"], {**WRITES["rules"], "code": "kosong", "min_share_percent": "0"})
    assert page.status_code == 200 and not ComplianceRule.objects.filter(code="kosong").exists()
    assert ComplianceRule.objects.get(code="pasal-15-2-2011").value_above == Decimal("200000000.00")
