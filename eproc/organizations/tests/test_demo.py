"""The demo data that `make run` loads: idempotent, realistic, and written through audited services."""

import pytest
from django.contrib.auth import authenticate

from eproc.accounts.models import User
from eproc.audit.models import AuditEvent
from eproc.audit.verification import verify_chain
from eproc.organizations.demo import DEMO_PASSWORD, PEOPLE, describe, load_demo
from eproc.organizations.models import Agency, Appointment, WorkUnit
from eproc.organizations.roles import ROLES

pytestmark = pytest.mark.django_db


def _counts():
    return (
        User.objects.count(),
        Agency.objects.count(),
        WorkUnit.objects.count(),
        Appointment.objects.count(),
        AuditEvent.objects.count(),
    )


def test_loading_the_demo_twice_changes_nothing_the_second_time(pinned_time):
    load_demo()
    first = _counts()
    load_demo()
    assert _counts() == first
    assert verify_chain().ok


def test_the_demo_has_ketapang_a_second_regency_and_one_user_per_role(pinned_time):
    load_demo()
    ketapang = Agency.objects.get(code="D201")
    assert ketapang.time_zone == "Asia/Jakarta"
    assert {
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "Dinas Pendidikan dan Kebudayaan",
        "Dinas Kesehatan",
        "RSUD dr. Agoesdjam",
        "Sekretariat Daerah",
    } <= set(ketapang.work_units.values_list("name", flat=True))
    assert Agency.objects.exclude(code="D201").exists()  # Pasal 3: another regency uses the same LPSE
    assert set(Appointment.objects.values_list("role", flat=True)) == {role.value for role in ROLES}


def test_every_demo_account_signs_in_with_the_printed_password(pinned_time):
    load_demo()
    for person in PEOPLE:
        assert authenticate(email=person.email, password=DEMO_PASSWORD) is not None, person.email
    listing = describe(PEOPLE)
    assert DEMO_PASSWORD in listing and all(person.email in listing for person in PEOPLE)
