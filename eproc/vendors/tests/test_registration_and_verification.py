"""Vendor registration and LPSE verification (Pasal 7(4)a, 9(7)e, 9(8), 9(9)b)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from conftest import PASSWORD, give_totp, pdf_upload, sample_item_data
from eproc.audit.models import AuditEvent
from eproc.organizations.roles import Role
from eproc.vendors import policies, services
from eproc.vendors.models import Vendor, VendorDocument
from eproc.vendors.requirements import SECTIONS_BY_KEY
from eproc.vendors.validation import normalize_npwp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


IDENTITY = {
    "kind": "badan_usaha",
    "name": "CV Sinar Kapuas",
    "business_form": "CV",
    "npwp": "01.234.567.8-901.000",
    "nib": "9120001234567",
    "address": "Jl. Merdeka 5",
    "city": "Ketapang",
    "province": "Kalimantan Barat",
    "phone": "0534-1",
    "email": "kantor@sinar.test",
    "website": "",
    "is_small_business": True,
    "is_pkp": True,
}


def _checks(submission, deficient=()):
    keys = ["identity"] + [item["id"] for item in submission.snapshot["items"]]
    return {
        key: {
            "status": "deficient" if key in deficient else "checked",
            "note": "Scan tidak terbaca" if key in deficient else "",
        }
        for key in keys
    }


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("01.234.567.8-901.000", "012345678901000"),
        ("012345678901000", "012345678901000"),
        ("6104012345678901", "6104012345678901"),
    ],
)
def test_an_npwp_is_kept_as_its_15_or_16_digits(typed, stored):
    assert normalize_npwp(typed) == stored


@pytest.mark.parametrize("typed", ["", "1234", "01.234.567.8-901.00X", "12345678901234567"])
def test_an_npwp_with_the_wrong_number_of_digits_is_refused_with_the_expected_forms(typed):
    with pytest.raises(ValidationError, match="15 digits"):
        normalize_npwp(typed)


def test_a_duplicate_npwp_is_refused_with_a_clear_message(personas):
    services.register_vendor(login_email="a@sinar.test", password=PASSWORD, full_name="A", identity=IDENTITY)
    with pytest.raises(ValidationError, match="NPWP is already registered"):
        services.register_vendor(
            login_email="b@sinar.test",
            password=PASSWORD,
            full_name="B",
            identity={**IDENTITY, "npwp": "012345678901000"},
        )
    assert Vendor.objects.count() == 1


def test_a_duplicate_email_is_refused_with_a_clear_message(personas):
    services.register_vendor(login_email="a@sinar.test", password=PASSWORD, full_name="A", identity=IDENTITY)
    with pytest.raises(ValidationError, match="e-mail address already exists"):
        services.register_vendor(
            login_email="A@Sinar.test",
            password=PASSWORD,
            full_name="B",
            identity={**IDENTITY, "npwp": "098765432109000"},
        )


def test_the_registration_page_creates_an_unconfirmed_account_and_sends_the_confirmation(client, db, mailoutbox):
    response = client.post(
        reverse("vendors:register"),
        {
            **{k: v for k, v in IDENTITY.items() if not isinstance(v, bool)},
            "is_small_business": "on",
            "full_name": "Budi",
            "login_email": "budi@sinar.test",
            "password1": "rahasia-panjang-2026",
            "password2": "rahasia-panjang-2026",
        },
    )
    assert response.status_code == 200 and "budi@sinar.test" in response.content.decode()
    vendor = Vendor.objects.get()
    assert vendor.npwp == "012345678901000" and vendor.status == "draft"
    assert len(mailoutbox) == 1 and "budi@sinar.test" in mailoutbox[0].to
    # Until the address is confirmed, signing in is not possible.
    client.post(reverse("account_login"), {"login": "budi@sinar.test", "password": "rahasia-panjang-2026"})
    assert "_auth_user_id" not in client.session


def test_a_registration_form_with_a_duplicate_npwp_explains_itself_and_saves_nothing(client, personas):
    personas.vendor("CV Lama", npwp="012345678901000")
    before = Vendor.objects.count()
    response = client.post(
        reverse("vendors:register"),
        {
            **{k: v for k, v in IDENTITY.items() if not isinstance(v, bool)},
            "full_name": "Budi",
            "login_email": "baru@sinar.test",
            "password1": "rahasia-panjang-2026",
            "password2": "rahasia-panjang-2026",
        },
    )
    assert response.status_code == 200
    assert "NPWP" in response.content.decode()
    assert Vendor.objects.count() == before
    from eproc.accounts.models import User

    assert not User.objects.filter(email="baru@sinar.test").exists()


def test_a_submission_needs_every_required_section(personas):
    vendor, user = personas.vendor("CV Belum Lengkap", verified=False)
    vendor.items.filter(section="neraca").update(removed_at=vendor.created_at)
    with pytest.raises(ValidationError, match="Balance sheet"):
        services.submit_for_verification(actor=user, vendor=vendor)


def test_a_rejection_lists_what_is_wrong_and_the_vendor_resubmits(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    vendor, user = personas.vendor("CV Sinar Kapuas", verified=False)
    verifier = personas.make(Role.VERIFIKATOR)
    submission = services.submit_for_verification(actor=user, vendor=vendor)
    akta = vendor.items.get(section="akta")
    with pytest.raises(ValidationError, match="needs a note"):
        checks = _checks(submission, deficient=[akta.public_id])
        checks[akta.public_id]["note"] = ""
        services.decide(actor=verifier, submission=submission, checks=checks, approve=False)
    with pytest.raises(ValidationError, match="deficient"):
        services.decide(
            actor=verifier, submission=submission, checks=_checks(submission, [akta.public_id]), approve=True
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(
            actor=verifier,
            submission=submission,
            checks=_checks(submission, [akta.public_id]),
            approve=False,
            note="Lengkapi akta perubahan terakhir.",
        )
    vendor.refresh_from_db()
    assert vendor.status == "rejected" and vendor.activated_at is None
    assert "Scan tidak terbaca" in mailoutbox[0].body and "akta perubahan" in mailoutbox[0].body  # Pasal 9(8)e
    services.save_item(
        actor=user,
        vendor=vendor,
        section="akta",
        item=akta,
        data=akta.data,
        document=pdf_upload("akta-baru.pdf", b"%PDF-1.4 akta baru"),
    )
    second = services.submit_for_verification(actor=user, vendor=vendor)
    services.decide(actor=verifier, submission=second, checks=_checks(second), approve=True)
    vendor.refresh_from_db()
    assert vendor.status == "verified" and vendor.activated_at is not None
    # The archive keeps both versions of the deed's scan (Pasal 9(8)g).
    assert VendorDocument.objects.filter(vendor=vendor, original_name__startswith="akta").count() == 2


def test_every_verification_decision_is_in_the_audit_log(personas):
    vendor, user = personas.vendor("CV Audit", verified=False)
    verifier = personas.make(Role.VERIFIKATOR)
    first = services.submit_for_verification(actor=user, vendor=vendor)
    services.decide(actor=verifier, submission=first, checks=_checks(first, ["identity"]), approve=False)
    second = services.submit_for_verification(actor=user, vendor=vendor)
    services.decide(actor=verifier, submission=second, checks=_checks(second), approve=True)
    actions = list(AuditEvent.objects.filter(object_id=vendor.public_id).values_list("action", "actor"))
    assert ("vendor.verification_rejected", verifier.pk) in actions
    assert ("vendor.verification_approved", verifier.pk) in actions
    assert ("vendor.activated", verifier.pk) in actions


def test_only_a_verifier_decides(personas):
    vendor, user = personas.vendor("CV X", verified=False)
    submission = services.submit_for_verification(actor=user, vendor=vendor)
    helpdesk = personas.make(Role.HELPDESK)
    with pytest.raises(PermissionDenied):
        services.decide(actor=helpdesk, submission=submission, checks=_checks(submission), approve=True)


def test_when_the_lpse_keeps_activation_apart_the_administrator_activates(personas, settings):
    # Pasal 9(7)e: the administrator gives credentials after the Verifikator approves.
    settings.EPROC_VENDOR_ACTIVATION_BY_ADMIN = True
    vendor, user = personas.vendor("CV Terpisah", verified=False)
    verifier = personas.make(Role.VERIFIKATOR)
    submission = services.submit_for_verification(actor=user, vendor=vendor)
    services.decide(actor=verifier, submission=submission, checks=_checks(submission), approve=True)
    vendor.refresh_from_db()
    assert vendor.status == "approved" and not policies.eligibility(vendor).allowed
    with pytest.raises(PermissionDenied):
        services.activate(actor=verifier, vendor=vendor)
    services.activate(actor=personas.lpse_admin, vendor=vendor)
    vendor.refresh_from_db()
    assert vendor.status == "verified" and policies.eligibility(vendor).allowed
    assert vendor.activations.get().activated_by == personas.lpse_admin


def test_the_helpdesk_starts_a_registration_on_a_vendors_behalf(personas):
    helpdesk = personas.make(Role.HELPDESK)
    vendor = services.register_vendor_assisted(
        actor=helpdesk,
        email="datang@langsung.test",
        full_name="Pak Datang",
        identity={**IDENTITY, "npwp": "111111111111111"},
    )
    user = vendor.users.get()
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(action="vendor.registered", actor=helpdesk, data__assisted=True).exists()
    with pytest.raises(PermissionDenied):
        services.register_vendor_assisted(
            actor=personas.make(Role.TRAINER),
            email="x@y.test",
            full_name="X",
            identity={**IDENTITY, "npwp": "222222222222222"},
        )


def test_an_identity_critical_change_goes_back_to_verification_without_stopping_running_work(personas):
    vendor, user = personas.vendor("CV Ganti Nama")
    services.update_identity(actor=user, vendor=vendor, phone="0534-999")
    vendor.refresh_from_db()
    assert not vendor.needs_reverification
    services.update_identity(actor=user, vendor=vendor, name="CV Ganti Nama Baru")
    vendor.refresh_from_db()
    assert vendor.needs_reverification and policies.eligibility(vendor).allowed
    licence = vendor.items.get(section="izin_usaha")
    vendor.needs_reverification = False
    vendor.save()
    services.save_item(
        actor=user, vendor=vendor, section="izin_usaha", item=licence, data={**licence.data, "number": "503/999/2026"}
    )
    vendor.refresh_from_db()
    assert vendor.needs_reverification


def test_an_expired_licence_is_flagged(personas, pinned_time):
    from eproc.vendors.selectors import expired_licences

    vendor, user = personas.vendor("CV Izin Lama")
    licence = vendor.items.get(section="izin_usaha")
    services.save_item(
        actor=user,
        vendor=vendor,
        section="izin_usaha",
        item=licence,
        data={**licence.data, "valid_until": "2026-03-01"},
    )
    assert [item.pk for item in expired_licences(vendor)] == [licence.pk]


def test_item_data_is_validated_against_the_configuration(personas):
    vendor, user = personas.vendor("CV Validasi", verified=False)
    data = sample_item_data(SECTIONS_BY_KEY["neraca"])
    with pytest.raises(ValidationError) as error:
        services.save_item(
            actor=user, vendor=vendor, section="neraca", data={**data, "assets": "banyak"}, document=pdf_upload()
        )
    assert "assets" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.save_item(
            actor=user, vendor=vendor, section="neraca", data={**data, "year": ""}, document=pdf_upload()
        )


@pytest.mark.parametrize("sanction_kind", ["suspension", "blacklist"])
def test_suspended_and_blacklisted_vendors_are_not_eligible_and_are_public(client, personas, sanction_kind):
    vendor, user = personas.vendor("CV Bermasalah")
    assert policies.eligibility(vendor).allowed
    services.impose_sanction(
        actor=personas.lpse_admin,
        vendor=vendor,
        kind=sanction_kind,
        decree_number="027/DH/1",
        decree_date=date(2026, 2, 1),
        decree_file=pdf_upload(),
        starts_on=date(2026, 2, 1),
        ends_on=date(2026, 12, 31),
        reason="Dokumen palsu",
    )
    eligibility = policies.eligibility(vendor)
    assert not eligibility.allowed and "027/DH/1" in eligibility.reason
    page = client.get(reverse("vendors:directory")).content.decode()
    assert "CV Bermasalah" in page and "027/DH/1" in page and "Dokumen palsu" in page


def test_an_unverified_vendor_is_not_eligible(personas):
    vendor, _user = personas.vendor("CV Baru", verified=False)
    assert not policies.eligibility(vendor).allowed


def test_a_sanction_that_ended_no_longer_blocks(personas, pinned_time):
    vendor, _user = personas.vendor("CV Pernah")
    services.impose_sanction(
        actor=personas.lpse_admin,
        vendor=vendor,
        kind="suspension",
        decree_number="1",
        decree_date=date(2026, 1, 1),
        decree_file=pdf_upload(),
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 3, 1),
        reason="Terlambat",
    )
    assert policies.eligibility(vendor).allowed  # it is 2 March 2026


def test_vendor_a_can_never_read_vendor_bs_documents(client, personas):
    vendor_a, user_a = personas.vendor("CV A")
    vendor_b, _user_b = personas.vendor("CV B")
    document_b = vendor_b.documents.first()
    client.force_login(user_a)
    response = client.get(reverse("vendors:document", args=[document_b.public_id]))
    missing = client.get(reverse("vendors:document", args=["0000000000000000"]))
    assert response.status_code == missing.status_code == 404
    assert client.get(reverse("vendors:archive", args=[vendor_b.public_id])).status_code == 404
    own = client.get(reverse("vendors:document", args=[vendor_a.documents.first().public_id]))
    assert own.status_code == 200 and own["Content-Disposition"].startswith("attachment")


def test_the_verifier_and_the_inspektorat_read_vendor_documents(client, personas):
    vendor, _user = personas.vendor("CV Diperiksa")
    document = vendor.documents.first()
    for role in (Role.VERIFIKATOR, Role.AUDITOR):
        user = personas.make(role)
        give_totp(user)
        client.force_login(user)
        assert client.get(reverse("vendors:document", args=[document.public_id])).status_code == 200


def test_a_vendor_adds_a_second_user(personas, client, mailoutbox):
    vendor, user = personas.vendor("CV Dua Pengguna")
    client.force_login(user)
    client.post(reverse("vendors:add_user"), {"email": "staf@dua.test", "full_name": "Staf Dua"})
    assert vendor.users.filter(email="staf@dua.test").exists()
    assert mailoutbox and "staf@dua.test" in mailoutbox[-1].to


def test_the_requirements_page_and_the_verifier_checklist_come_from_one_configuration(client, personas):
    from eproc.vendors.requirements import SECTIONS

    page = client.get(reverse("vendors:requirements")).content.decode()
    for section in SECTIONS:
        assert f'data-section="{section.key}"' in page
        assert str(section.document_label) in page
    vendor, user = personas.vendor("CV Daftar", verified=False)
    submission = services.submit_for_verification(actor=user, vendor=vendor)
    verifier = personas.make(Role.VERIFIKATOR)
    give_totp(verifier)
    client.force_login(verifier)
    review = client.get(reverse("vendors:review", args=[submission.public_id])).content.decode()
    for item in submission.snapshot["items"]:
        assert f'data-check="{item["id"]}"' in review
        assert str(SECTIONS_BY_KEY[item["section"]].label) in review


def test_the_directory_lists_verified_vendors_and_searches_business_fields(client, personas):
    personas.vendor("CV Terdaftar")
    personas.vendor("CV Belum", verified=False)
    page = client.get(reverse("vendors:directory")).content.decode()
    assert "CV Terdaftar" in page and "CV Belum" not in page
    assert "CV Terdaftar" in client.get(reverse("vendors:directory"), {"q": "contoh"}).content.decode()
    assert "CV Terdaftar" not in client.get(reverse("vendors:directory"), {"q": "zzz"}).content.decode()


def test_an_unverified_vendor_cannot_be_admitted_to_a_sealed_box_or_bid(personas):
    from eproc.bids import services as bids

    box, pokja, _identity = personas.sealed_box(reference="T-1")
    _vendor, unverified = personas.vendor("CV Belum Diverifikasi", verified=False)
    with pytest.raises(ValidationError, match="not verified"):
        bids.admit_bidder(actor=pokja, box=box, bidder=unverified)
    vendor, verified = personas.vendor("CV Sudah")
    bids.admit_bidder(actor=pokja, box=box, bidder=verified)
    services.impose_sanction(
        actor=personas.lpse_admin,
        vendor=vendor,
        kind="blacklist",
        decree_number="DH-9",
        decree_date=date(2026, 3, 1),
        decree_file=pdf_upload(),
        starts_on=date(2026, 3, 1),
        ends_on=None,
        reason="Daftar hitam",
    )
    with pytest.raises(ValidationError, match="blacklisted"):
        bids.commit_envelope(actor=verified, box=box, sha256="a" * 64, size=10)


def test_the_directory_shows_business_fields_and_flags_expired_licences(client, personas, pinned_time):
    vendor, user = personas.vendor("CV Izin Habis")
    licence = vendor.items.get(section="izin_usaha")
    services.save_item(
        actor=user,
        vendor=vendor,
        section="izin_usaha",
        item=licence,
        data={**licence.data, "classification": "KBLI 41011 Konstruksi Gedung", "valid_until": "2026-01-31"},
    )
    page = client.get(reverse("vendors:directory")).content.decode()
    row = page[page.index(f'data-vendor="{vendor.public_id}"') :]
    row = row[: row.index("</tr>")]
    assert "KBLI 41011 Konstruksi Gedung" in row and "kedaluwarsa" in row  # Indonesian by default


def test_the_administrator_lifts_a_sanction_with_a_reason(client, personas):
    vendor, _user = personas.vendor("CV Dipulihkan")
    sanction = services.impose_sanction(
        actor=personas.lpse_admin,
        vendor=vendor,
        kind="suspension",
        decree_number="S-1",
        decree_date=date(2026, 2, 1),
        decree_file=pdf_upload(),
        starts_on=date(2026, 2, 1),
        ends_on=None,
        reason="Sementara",
    )
    give_totp(personas.lpse_admin)
    client.force_login(personas.lpse_admin)
    client.post(reverse("vendors:lift_sanction", args=[sanction.public_id]), {"reason": "Putusan banding"})
    sanction.refresh_from_db()
    assert sanction.lifted_at is not None and policies.eligibility(vendor).allowed
    assert AuditEvent.objects.filter(action="vendor.sanction_lifted", data__reason="Putusan banding").exists()


def test_a_box_cannot_be_created_with_an_ineligible_bidder(personas):
    _vendor, unverified = personas.vendor("CV Draf", verified=False)
    with pytest.raises(ValidationError, match="not verified"):
        personas.sealed_box(reference="T-2", bidders=[unverified])


def test_every_section_page_renders_and_an_unchanged_money_entry_saves_again(client, personas):
    vendor, user = personas.vendor("CV Halaman", verified=False)
    client.force_login(user)
    for section in SECTIONS_BY_KEY.values():
        assert client.get(reverse("vendors:section", args=[section.key])).status_code == 200, section.key
    balance = vendor.items.get(section="neraca")
    page = client.get(reverse("vendors:item", args=["neraca", balance.public_id]))
    initial = page.context["form"].initial
    assert initial["assets"] == "Rp1.500.000.000,00"
    response = client.post(reverse("vendors:item", args=["neraca", balance.public_id]), initial)
    assert response.status_code == 302
    balance.refresh_from_db()
    assert balance.data["assets"] == "1500000000.00"


def test_a_duplicate_login_email_is_reported_on_the_login_field(client, personas):
    personas.vendor("CV Pertama", email="sama@usaha.test")
    response = client.post(
        reverse("vendors:register"),
        {
            **{k: v for k, v in IDENTITY.items() if not isinstance(v, bool)},
            "full_name": "Budi",
            "login_email": "sama@usaha.test",
            "password1": "rahasia-panjang-2026",
            "password2": "rahasia-panjang-2026",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["login_email"]


def test_the_latest_submission_is_the_newest_even_within_the_same_instant(personas):
    from eproc.vendors.selectors import latest_submission

    vendor, user = personas.vendor("CV Cepat", verified=False)
    verifier = personas.make(Role.VERIFIKATOR)
    first = services.submit_for_verification(actor=user, vendor=vendor)
    services.decide(actor=verifier, submission=first, checks=_checks(first, ["identity"]), approve=False)
    second = services.submit_for_verification(actor=user, vendor=vendor)  # the clock is pinned: same timestamp
    assert latest_submission(vendor) == second


def test_a_rejection_names_sections_by_their_label(personas, mailoutbox, django_capture_on_commit_callbacks):
    vendor, user = personas.vendor("CV Label", verified=False)
    verifier = personas.make(Role.VERIFIKATOR)
    submission = services.submit_for_verification(actor=user, vendor=vendor)
    akta = vendor.items.get(section="akta")
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(
            actor=verifier, submission=submission, checks=_checks(submission, [akta.public_id]), approve=False
        )
    assert "Akta" in mailoutbox[0].body
