"""Shared test fixtures: real database (SQLite or PostgreSQL per DATABASE_URL), real files in a temporary
media root, pinned time, and role personas created through the same services the LPSE uses."""

import os
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

# Playwright's sync API runs an event loop in the test thread; Django's async-safety check would otherwise
# refuse database access from the same thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PINNED_NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # Monday 2 March 2026, 10:00 WIB
PASSWORD = "correct-horse-battery-9"


@pytest.fixture(scope="session", autouse=True)
def _flush_bypasses_audit_triggers():
    """Transactional tests end with a flush of every table. The audit table refuses DELETE and TRUNCATE by
    trigger (audit migration 0002), so the flush switches the triggers off around itself, as an operator
    restoring a test database would. Production code never does this."""
    import importlib

    from django.db import connection

    migration = importlib.import_module("eproc.audit.migrations.0002_append_only")
    if connection.vendor == "postgresql":
        before = ["ALTER TABLE audit_auditevent DISABLE TRIGGER USER"]
        after = ["ALTER TABLE audit_auditevent ENABLE TRIGGER USER"]
    else:
        before, after = migration.SQLITE_BACKWARD, migration.SQLITE_FORWARD
    operations = type(connection.ops)
    original = operations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        return [*before, *statements, *after] if "audit_auditevent" in tables else statements

    operations.sql_flush = sql_flush
    yield
    operations.sql_flush = original


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; each test starts with none, whatever ran before it in this worker, and
    with no request counted but not yet written to it."""
    from django.core.cache import cache

    from eproc.monitoring.request_counts import tally

    cache.clear()
    tally.reset()


@pytest.fixture
def pinned_time():
    with time_machine.travel(PINNED_NOW, tick=False) as traveller:
        yield traveller


def pdf_upload(name="SK.pdf", body=b"%PDF-1.4\n% test decree\n%%EOF\n"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


class Personas:
    """Creates people holding roles, the way the LPSE would: the first administrator is bootstrapped, everyone
    else is appointed by that administrator through organizations.services."""

    def __init__(self):
        from eproc.accounts.models import User
        from eproc.organizations import services
        from eproc.organizations.roles import Role

        self._services = services
        self._role = Role
        appointment = services.bootstrap_lpse_admin(
            email="admin@lpse.test",
            full_name="Admin LPSE",
            decree_number="SK/ADMIN/1",
            decree_date=date(2026, 1, 2),
            decree_file=pdf_upload(),
            valid_from=date(2026, 1, 2),
        )
        self.lpse_admin = User.objects.get(pk=appointment.user_id)
        self.lpse_admin.set_password(PASSWORD)
        self.lpse_admin.save()
        self.agency_a = services.create_agency(actor=self.lpse_admin, code="D201", name="Kabupaten Ketapang")
        self.agency_b = services.create_agency(actor=self.lpse_admin, code="D213", name="Kabupaten Kayong Utara")
        self.unit_a = services.create_work_unit(
            actor=self.lpse_admin, agency=self.agency_a, name="Dinas PUPR", address="Jl. Sudirman, Ketapang"
        )
        self.unit_b = services.create_work_unit(
            actor=self.lpse_admin, agency=self.agency_b, name="Dinas PUPR", address="Jl. Bhayangkara, Sukadana"
        )
        self._count = 0

    def make(self, role, agency=None, work_unit=None, *, email=None, password=PASSWORD):
        """A user holding `role`. Agency roles default to agency A (and its work unit where one is needed)."""
        from eproc.organizations.roles import ROLES, Scope

        role = self._role(role)
        scope = ROLES[role].scope
        if agency is None and scope in (Scope.AGENCY, Scope.WORK_UNIT):
            agency = self.agency_a
        if work_unit is None and scope == Scope.WORK_UNIT:
            work_unit = self.unit_a if agency == self.agency_a else self.unit_b
        self._count += 1
        appointment = self._services.appoint_by_email(
            actor=self.lpse_admin,
            email=email or f"{role.value}{self._count}@test.id",
            full_name=f"{role.value.title()} {self._count}",
            role=role,
            agency=agency,
            work_unit=work_unit,
            decree_number=f"SK/{role.value}/{self._count}",
            decree_date=date(2026, 1, 2),
            decree_file=pdf_upload(f"SK-{self._count}.pdf"),
            valid_from=date(2026, 1, 2),
        )
        user = appointment.user
        user.set_password(password)
        user.save()
        return user

    def vendor(self, name="CV Maju Jaya", *, npwp=None, email=None, kind="badan_usaha", verified=True):
        """A vendor registered through the public form's service, e-mail confirmed, with every required section
        filled and, unless `verified` is False, approved by a Verifikator. Returns (vendor, its first user)."""
        from allauth.account.models import EmailAddress

        from eproc.organizations.roles import Role
        from eproc.vendors import services as vendor_services
        from eproc.vendors.requirements import sections_for

        self._count += 1
        vendor = vendor_services.register_vendor(
            login_email=email or f"penyedia{self._count}@usaha.test",
            password=PASSWORD,
            full_name=f"Direktur {name}",
            identity={
                "kind": kind,
                "name": name,
                "business_form": "CV",
                "npwp": npwp or f"{self._count:015d}",
                "nib": "",
                "address": "Jl. Merdeka 1",
                "city": "Ketapang",
                "province": "Kalimantan Barat",
                "phone": "0534-123",
                "email": f"kantor{self._count}@usaha.test",
                "website": "",
                "is_small_business": True,
                "is_pkp": False,
            },
        )
        user = vendor.users.get()
        EmailAddress.objects.filter(user=user).update(verified=True)
        for section in sections_for(kind):
            for _ in range(section.minimum_items):
                vendor_services.save_item(
                    actor=user,
                    vendor=vendor,
                    section=section.key,
                    data=sample_item_data(section),
                    document=pdf_upload(f"{section.key}.pdf"),
                )
        if verified:
            if not hasattr(self, "verifier"):
                self.verifier = self.make(Role.VERIFIKATOR)
            submission = vendor_services.submit_for_verification(actor=user, vendor=vendor)
            checks = {"identity": {"status": "checked", "note": ""}}
            checks.update({item["id"]: {"status": "checked", "note": ""} for item in submission.snapshot["items"]})
            vendor_services.decide(actor=self.verifier, submission=submission, checks=checks, approve=True)
            vendor.refresh_from_db()
        return vendor, user

    def sealed_box(self, *, reference="SPSE-2026-900", bidders=(), threshold=1):
        """A sealed box of agency A, open for upload now, with one committee member holding a real age key.
        Returns (box, member, member identity)."""
        from datetime import timedelta

        import pyrage

        from eproc.bids import services as bids
        from eproc.organizations.roles import Role

        member = self.make(Role.POKJA)
        identity = pyrage.x25519.Identity.generate()
        bids.register_committee_key(actor=member, recipient=str(identity.to_public()))
        box = bids.create_box(
            actor=member,
            agency=self.agency_a,
            reference=reference,
            title="Paket uji",
            envelope="single",
            members=[member],
            threshold=threshold,
            upload_opens_at=PINNED_NOW - timedelta(hours=1),
            deadline=PINNED_NOW + timedelta(hours=1),
            grace_period=timedelta(minutes=30),
            opening_at=PINNED_NOW + timedelta(hours=2),
            bidders=list(bidders),
        )
        return box, member, identity


def sample_item_data(section) -> dict:
    """Plausible values for every field of a qualification section, by type."""
    from eproc.vendors.requirements import FieldType

    samples = {
        FieldType.DATE: "2030-12-31",
        FieldType.MONEY: "Rp1.500.000.000,00",
        FieldType.NUMBER: "2",
        FieldType.YEAR: "2025",
    }
    return {
        field.name: field.choices[0][0] if field.type == FieldType.CHOICE else samples.get(field.type, "contoh")
        for field in section.fields
    }


@pytest.fixture
def personas(db, pinned_time):
    return Personas()


def give_totp(user):
    """Activate a TOTP authenticator for `user` through allauth; returns the secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238 code computed independently of allauth (SHA-1, 30 s, 6 digits), as an authenticator app would."""
    import base64
    import hashlib
    import hmac
    import struct
    import time

    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
