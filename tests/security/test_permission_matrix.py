"""The permission matrix: every URL pattern of the site (discovered from the resolver, so a new endpoint cannot
escape it) times every kind of person, with the expected status declared in one table below.

Pasal 4(2)b and 5: private data stays with those entitled to it; DESIGN 6: "not yours" and "does not exist" both
answer 404. GET is checked for every route; POST-only routes are also POSTed with an empty body, which must be
refused (404) for those not allowed and must not be refused for those who are.
"""

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from conftest import give_totp
from eproc.accounts.models import User

pytestmark = pytest.mark.django_db

# People of the demo data. Order matters a little: POSTs by the allowed ones go last, after the refusals.
PERSONAS = {
    "anonymous": None,
    "vendor": "penyedia@cv-maju.demo",
    "vendor_pending": "penyedia@pt-khatulistiwa.demo",
    "ppk_a": "ppk.pupr@ketapang.demo",
    "ppk_b": "ppk.pupr@kayongutara.demo",
    "admin_agency_b": "adminagency@kayongutara.demo",
    "helpdesk": "helpdesk@lpse.demo",
    "auditor_a": "auditor@inspektorat.demo",
    "kepala": "kepala@lpse.demo",
    "trainer": "trainer@lpse.demo",
    "admin_agency_a": "adminagency@ketapang.demo",
    "pa_a": "pa.pupr@ketapang.demo",
    "pokja_a": "pokja1@ketapang.demo",
    "verifikator": "verifikator@lpse.demo",
    "lpse_admin": "admin@lpse.demo",
}
EVERYONE = frozenset(PERSONAS)
SIGNED_IN = EVERYONE - {"anonymous"}
LPSE_READERS = frozenset({"lpse_admin", "verifikator", "kepala", "helpdesk", "auditor_a"})


def rule(allowed, *, ok=200, denied=404, anonymous=302, post=None):
    """Expected GET status per persona: `ok` for the allowed, `denied` for the others, and `anonymous` for a
    visitor who is not signed in (a redirect to the login page, or 401 from the JSON API). `post`: the personas
    whose empty POST must not be refused (for POST-only routes)."""
    expected = {name: (ok if name in allowed else denied) for name in PERSONAS}
    if "anonymous" not in allowed:
        expected["anonymous"] = anonymous
    return {"get": expected, "post": post}


PUBLIC = rule(EVERYONE)
# Who sees inside a tender of Dinas PUPR Ketapang: its committee, its PPK, its PA, the Inspektorat, LPSE leadership.
TENDER_INSIDERS = frozenset({"pokja_a", "ppk_a", "pa_a", "auditor_a", "kepala", "lpse_admin"})
API_POST_ONLY = {"get": dict.fromkeys(PERSONAS, 405), "post": None}


def post_only(allowed, anonymous=302):
    return {"get": {name: (anonymous if name == "anonymous" else 405) for name in PERSONAS}, "post": allowed}


# url name -> (how to fill its arguments from the demo objects, expectations)
MATRIX = {
    "home": (None, PUBLIC),
    "dashboard": (None, rule(SIGNED_IN)),
    "about": (None, PUBLIC),
    "healthz": (None, PUBLIC),
    "audit:trail": (None, rule({"lpse_admin", "kepala", "auditor_a"})),
    "organizations:agency_list": (None, rule({"lpse_admin"})),
    "organizations:agency_create": (None, rule({"lpse_admin"})),
    "organizations:agency_detail": (
        {"public_id": "agency"},
        rule({"lpse_admin", "kepala", "auditor_a", "admin_agency_a"}),
    ),
    "organizations:agency_update": ({"public_id": "agency"}, rule({"lpse_admin"})),
    "organizations:work_unit_create": ({"agency_public_id": "agency"}, rule({"lpse_admin"})),
    "organizations:work_unit_update": ({"public_id": "work_unit"}, rule({"lpse_admin"})),
    "organizations:appointment_list": (None, rule(SIGNED_IN)),
    "organizations:appointment_create_lpse": (None, rule({"lpse_admin"})),
    "organizations:appointment_create": ({"agency_public_id": "agency"}, rule({"lpse_admin", "admin_agency_a"})),
    "organizations:appointment_detail": (
        {"public_id": "appointment"},
        rule({"lpse_admin", "kepala", "auditor_a", "admin_agency_a", "pokja_a"}),
    ),
    "organizations:appointment_decree": (
        {"public_id": "appointment"},
        rule({"lpse_admin", "kepala", "auditor_a", "admin_agency_a", "pokja_a"}),
    ),
    "organizations:appointment_revoke": ({"public_id": "appointment"}, post_only({"lpse_admin", "admin_agency_a"})),
    "organizations:day_off_list": (None, rule({"lpse_admin"})),
    "organizations:day_off_remove": ({"public_id": "day_off"}, post_only({"lpse_admin"})),
    "bids:box_list": (None, PUBLIC),
    "bids:committee_key": (None, rule({"pokja_a"})),
    "bids:box_create": (None, rule({"pokja_a"})),
    "bids:box_detail": ({"public_id": "box"}, PUBLIC),
    "bids:minutes_pdf": ({"public_id": "box"}, rule(set(), anonymous=404)),  # not opened yet: no minutes
    "bids:opened_plaintext": ({"public_id": "envelope"}, rule(set())),
    "bids:api_committee_key": (None, {**API_POST_ONLY, "post": {"pokja_a"}}),
    "bids:api_commit": ({"box_id": "box"}, {**API_POST_ONLY, "post": {"vendor"}}),
    "bids:api_my_share": ({"box_id": "box"}, rule({"pokja_a"}, anonymous=401)),
    "bids:api_submit_share": ({"box_id": "box"}, {**API_POST_ONLY, "post": {"pokja_a"}}),
    "bids:api_box_checkpoint": ({"box_id": "box"}, rule(set(), denied=400, anonymous=400)),  # before the deadline
    "bids:api_envelope": ({"envelope_id": "envelope"}, rule({"vendor"}, anonymous=401)),
    "bids:api_chunk": ({"envelope_id": "envelope", "offset": "zero"}, {**API_POST_ONLY, "post": {"vendor"}}),
    "bids:api_complete": ({"envelope_id": "envelope"}, {**API_POST_ONLY, "post": {"vendor"}}),
    "bids:api_receipt": ({"envelope_id": "envelope"}, rule({"vendor"}, anonymous=401)),
    "bids:api_public_key": (None, PUBLIC),
    "bids:api_checkpoint": (None, PUBLIC),
    "bids:api_checkpoint_of_size": ({"size": "log_size"}, PUBLIC),
    "bids:api_inclusion": ({"index": "zero"}, PUBLIC),  # with ?tree_size=, see QUERY
    "bids:api_consistency": (None, PUBLIC),
    "vendors:register": (None, PUBLIC),
    "vendors:requirements": (None, PUBLIC),
    "vendors:directory": (None, PUBLIC),
    "vendors:sanction_decree": ({"public_id": "sanction"}, PUBLIC),
    "vendors:home": (None, rule({"vendor", "vendor_pending"})),
    "vendors:identity": (None, rule({"vendor", "vendor_pending"})),
    "vendors:submit": (None, post_only({"vendor", "vendor_pending"})),
    "vendors:add_user": (None, post_only({"vendor", "vendor_pending"})),
    "vendors:section": ({"key": "akta"}, rule({"vendor", "vendor_pending"})),
    "vendors:item": ({"key": "akta", "item_id": "vendor_item"}, rule({"vendor"})),
    "vendors:remove_item": ({"key": "akta", "item_id": "vendor_item"}, post_only({"vendor"})),
    "vendors:document": ({"public_id": "vendor_document"}, rule({"vendor"} | LPSE_READERS)),
    "vendors:queue": (None, rule({"verifikator", "lpse_admin"})),
    "vendors:assisted_registration": (None, rule({"helpdesk"})),
    "vendors:review": ({"public_id": "pending_submission"}, rule({"verifikator"})),
    "vendors:archive": ({"public_id": "pending_vendor"}, rule({"vendor_pending"} | LPSE_READERS)),
    "vendors:activate": ({"public_id": "pending_vendor"}, post_only({"lpse_admin"})),
    "vendors:sanction": ({"public_id": "pending_vendor"}, rule({"lpse_admin"})),
    "vendors:lift_sanction": ({"public_id": "sanction"}, post_only({"lpse_admin"})),
    "complaints:file": (None, PUBLIC),
    "complaints:track": (None, PUBLIC),
    "complaints:track_code": ({"code": "tracking_code"}, PUBLIC),
    "complaints:manage": (None, rule({"helpdesk", "kepala", "lpse_admin", "auditor_a"})),
    "complaints:detail": ({"public_id": "complaint"}, rule({"helpdesk", "kepala", "lpse_admin", "auditor_a"})),
    "complaints:review": ({"public_id": "complaint"}, post_only({"helpdesk", "kepala", "lpse_admin"})),
    "complaints:forward": ({"public_id": "complaint"}, post_only({"helpdesk", "kepala", "lpse_admin"})),
    "complaints:answer": ({"public_id": "complaint"}, post_only({"helpdesk", "kepala", "lpse_admin"})),
    "complaints:attachment": (
        {"public_id": "complaint_attachment"},
        rule({"helpdesk", "kepala", "lpse_admin", "auditor_a"}),
    ),
    "helpdesk:help": (None, PUBLIC),
    "helpdesk:desk": (None, rule({"helpdesk", "kepala"})),
    "helpdesk:ticket": ({"public_id": "ticket"}, rule({"helpdesk", "kepala"})),
    "helpdesk:take": ({"public_id": "ticket"}, post_only({"helpdesk", "kepala"})),
    "helpdesk:faq_create": (None, rule({"helpdesk", "kepala"})),
    "helpdesk:faq_edit": ({"public_id": "faq"}, rule({"helpdesk", "kepala"})),
    "helpdesk:flags": (None, rule({"helpdesk", "kepala", "lpse_admin", "auditor_a"})),
    "helpdesk:acknowledge": ({"public_id": "flag"}, post_only({"kepala"})),
    "planning:public_list": (None, PUBLIC),
    "planning:export_csv": (None, PUBLIC),
    "planning:workspace": (None, rule({"pa_a"})),
    "planning:create": (None, rule({"pa_a"})),
    "planning:detail": ({"public_id": "plan_item"}, PUBLIC),
    "planning:edit": ({"public_id": "plan_item"}, rule({"pa_a"})),
    "planning:announce": ({"public_id": "plan_item"}, post_only({"pa_a"})),
    "planning:withdraw": ({"public_id": "plan_item"}, post_only({"pa_a"})),
    "training:session_list": (None, PUBLIC),
    "training:session_create": (None, rule({"trainer", "kepala"})),
    "training:session_detail": ({"public_id": "training_session"}, PUBLIC),
    # The demo session is open to anyone signed in; everyone registers before anyone withdraws (dict order).
    "training:register": ({"public_id": "training_session"}, post_only(SIGNED_IN)),
    "training:unregister": ({"public_id": "training_session"}, post_only(SIGNED_IN)),
    "training:cancel": ({"public_id": "training_session"}, post_only({"trainer", "kepala"})),
    "training:attendance": ({"public_id": "training_session"}, rule({"trainer", "kepala"})),
    "training:material_upload": ({"public_id": "training_session"}, rule({"trainer", "kepala"})),
    # Materials: the trainers and the registered participants (the demo vendor registered in demo_objects).
    "training:material_download": ({"public_id": "training_material"}, rule({"trainer", "kepala", "vendor"})),
    # Tenders (issue 5). The demo's draft tender, its tender open for joining and its tender in the bid upload (the
    # demo vendor joined it; its explanation session is closed with minutes), all of Dinas PUPR Ketapang.
    "tenders:public_list": (None, PUBLIC),
    "tenders:my_tenders": (None, rule({"vendor", "vendor_pending"})),
    "tenders:workspace": (None, rule({"pokja_a", "ppk_a", "ppk_b", "pa_a", "auditor_a", "kepala", "lpse_admin"})),
    "tenders:create": (None, rule({"pokja_a"})),
    "tenders:manage": ({"public_id": "tender_draft"}, rule(TENDER_INSIDERS)),
    "tenders:edit": ({"public_id": "tender_draft"}, rule({"pokja_a"})),
    "tenders:schedule": ({"public_id": "tender_draft"}, rule({"pokja_a"})),
    "tenders:add_document": ({"public_id": "tender_draft"}, post_only({"pokja_a"})),
    "tenders:request_approval": ({"public_id": "tender_draft"}, post_only({"pokja_a"})),
    "tenders:decide_approval": ({"public_id": "tender_draft"}, post_only({"ppk_a"})),
    "tenders:announce": ({"public_id": "tender_draft"}, post_only({"pokja_a"})),
    "tenders:detail": ({"public_id": "tender_upload"}, PUBLIC),
    "tenders:join": ({"public_id": "tender_open"}, post_only({"vendor", "vendor_pending"})),
    "tenders:announcement_pdf": ({"public_id": "tender_upload"}, PUBLIC),
    "tenders:download": (
        {"public_id": "tender_upload", "document_id": "tender_document"},
        rule(TENDER_INSIDERS | {"vendor"}),
    ),
    "tenders:clarification": ({"public_id": "tender_upload"}, rule(TENDER_INSIDERS | {"vendor"})),
    "tenders:close_clarification": ({"public_id": "tender_upload"}, post_only({"pokja_a"})),
    "tenders:clarification_minutes": ({"public_id": "tender_upload"}, rule(TENDER_INSIDERS | {"vendor"})),
    "tenders:answer": ({"public_id": "tender_upload", "question_id": "tender_question"}, post_only({"pokja_a"})),
    "tenders:repeat": ({"public_id": "tender_upload"}, post_only({"pokja_a"})),
    # The complete tender file: the Inspektorat and the Head of LPSE (Pasal 8(3)-(4)).
    "tenders:export": ({"public_id": "tender_finished"}, rule({"auditor_a", "kepala"})),
    # After the upload (issue 6): the demo's tender in its objection period (bids read, winner announced, an open
    # objection) and its finished tender (objection answered, SPPBJ, contract). The demo vendor joined both.
    "evaluation:bid": ({"public_id": "tender_sanggah"}, rule({"vendor"})),
    "evaluation:evaluation": ({"public_id": "tender_sanggah"}, rule(TENDER_INSIDERS)),
    "evaluation:read_bids": ({"public_id": "tender_sanggah"}, post_only({"pokja_a"})),
    "evaluation:record_evaluation": ({"public_id": "tender_sanggah", "bid_id": "sanggah_bid"}, post_only({"pokja_a"})),
    "evaluation:conclude_technical": ({"public_id": "tender_sanggah"}, post_only({"pokja_a"})),
    "evaluation:decide_winner": ({"public_id": "tender_sanggah"}, post_only({"pokja_a"})),
    "evaluation:announce_winner": ({"public_id": "tender_sanggah"}, post_only({"pokja_a"})),
    "evaluation:declare_failed": ({"public_id": "tender_sanggah"}, post_only({"pokja_a", "pa_a"})),
    "evaluation:cancel": ({"public_id": "tender_sanggah"}, post_only({"pokja_a", "pa_a"})),
    "evaluation:invite": ({"public_id": "tender_sanggah"}, post_only(set())),  # not a Pengadaan Langsung
    "evaluation:result_minutes": ({"public_id": "tender_finished"}, PUBLIC),
    "evaluation:objections": ({"public_id": "tender_sanggah"}, PUBLIC),
    "evaluation:answer_objection": (
        {"public_id": "tender_finished", "objection_id": "finished_objection"},
        post_only({"pokja_a"}),  # already answered: refused with a message, not hidden
    ),
    # Only the objector appeals (not a persona here), and only an appealed objection is decided.
    "evaluation:appeal": ({"public_id": "tender_finished", "objection_id": "finished_objection"}, post_only(set())),
    "evaluation:decide_appeal": (
        {"public_id": "tender_finished", "objection_id": "finished_objection"},
        post_only(set()),
    ),
    "evaluation:objection_document": (
        {"public_id": "tender_finished", "objection_id": "finished_objection"},
        rule(set()),
    ),
    "evaluation:award_letter_pdf": ({"public_id": "tender_finished"}, PUBLIC),
    "evaluation:award": ({"public_id": "tender_finished"}, rule(TENDER_INSIDERS)),
    "evaluation:contract_scan": ({"public_id": "tender_finished"}, rule(TENDER_INSIDERS)),
    # Monitoring, reports, compliance and capacity (issue 7).
    # Read by the Head of LPSE, the administrator and the Inspektorat (its agency only); the rules of Pasal 15 and
    # the capacity panel are the administrator's; a work unit's adoption plan is its PA/KPA's or its agency admin's.
    "monitoring:dashboard": (None, rule({"kepala", "lpse_admin", "auditor_a"})),
    "monitoring:report": (None, rule({"kepala", "lpse_admin", "auditor_a"})),
    "monitoring:report_pdf": (None, rule({"kepala", "lpse_admin", "auditor_a"})),
    "monitoring:report_csv": (None, rule({"kepala", "lpse_admin", "auditor_a"})),
    "monitoring:compliance": (None, rule({"kepala", "lpse_admin", "auditor_a"})),
    "monitoring:rules": (None, rule({"lpse_admin"})),
    "monitoring:rule_edit": ({"code": "pasal-15-1-2012"}, rule({"lpse_admin"})),  # seeded by the migration
    "monitoring:adoption_plans": (None, rule({"pa_a", "admin_agency_a", "admin_agency_b"})),
    # The demo_objects work unit is agency A's first (not the PA's own unit): its agency admin only.
    "monitoring:adoption_plan": ({"work_unit_public_id": "work_unit"}, rule({"admin_agency_a"})),
    "monitoring:capacity": (None, rule({"lpse_admin"})),
    # Publication: the national-portal outbox (issue 8).
    "outbox:overview": (None, rule({"lpse_admin", "kepala", "auditor_a"})),
    "outbox:replay": (None, post_only({"lpse_admin"})),  # an empty replay is answered with a message, not refused
    # Publication: Atom feeds for agency websites (issue 8).
    "feeds:agency_plan_items": ({"public_id": "agency"}, PUBLIC),
    "feeds:agency_tenders": ({"public_id": "agency"}, PUBLIC),
    "feeds:work_unit_plan_items": ({"public_id": "work_unit"}, PUBLIC),
    "feeds:work_unit_tenders": ({"public_id": "work_unit"}, PUBLIC),
    # Risk indicators (issue 8).
    "risk:ranking": (None, rule({"auditor_a", "kepala"})),
    "risk:tender": ({"public_id": "tender_finished"}, rule({"auditor_a", "kepala"})),
    # Public JSON API (issue 8).
    "api:api-root": (None, rule(set(), anonymous=404)),  # Ninja's mount point: no operation there
    "api:openapi-json": (None, PUBLIC),
    "api:openapi-view": (None, PUBLIC),
    "api:list_agencies": (None, PUBLIC),
    "api:list_plan_items": (None, PUBLIC),
    "api:get_plan_item": ({"public_id": "plan_item"}, PUBLIC),
    "api:list_tenders": (None, PUBLIC),
    # The API shows everyone the public view: a draft is 404 even for its committee (pages serve insiders).
    "api:get_tender": ({"public_id": "tender_draft"}, rule(set(), anonymous=404)),
    "api:list_documents": ({"public_id": "tender_upload"}, PUBLIC),
    "api:list_schedule_changes": ({"public_id": "tender_upload"}, PUBLIC),
    "api:list_participants": ({"public_id": "tender_upload"}, PUBLIC),
    "api:list_bids": ({"public_id": "tender_sanggah"}, PUBLIC),
    "api:get_result": ({"public_id": "tender_finished"}, PUBLIC),
    "api:list_winners": (None, PUBLIC),
    "api:list_vendors": (None, PUBLIC),
    # Joining, as the page's button: the verified vendor joins (201, or 409 once joined); the pending one is told
    # why not (409); anyone else is refused (404, or 401 when not signed in).
    "api:join_tender": ({"public_id": "tender_open"}, {**API_POST_ONLY, "post": {"vendor", "vendor_pending"}}),
    # OCDS feed (issue 8): published releases only, public by construction.
    "api:ocds_releases": (None, PUBLIC),
    "api:ocds_record": ({"ocid": "tender_finished_ocid"}, PUBLIC),
    "api:ocds_bulk": ({"year": "demo_year"}, PUBLIC),
}
QUERY = {"bids:api_inclusion": "tree_size={log_size}", "bids:api_consistency": "old=0&new={log_size}"}
OUT_OF_SCOPE = ("akun/", "django-admin/", "i18n/")  # allauth's own pages, Django's admin, the language switch


def _routes(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith(OUT_OF_SCOPE):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, inner)
        elif not str(pattern.pattern).startswith(OUT_OF_SCOPE):
            yield f"{namespace}{pattern.name}"


@pytest.fixture
def demo_objects(settings, tmp_path, pinned_time):
    from eproc.bids import log
    from eproc.bids import services as bids
    from eproc.bids.demo import DEMO_REFERENCE
    from eproc.bids.models import SealedBox
    from eproc.demo import load_procurement_demo
    from eproc.organizations.models import Agency, Appointment, DayOff
    from eproc.planning.models import PlanItem
    from eproc.tenders.models import Tender
    from eproc.vendors.models import Sanction, Vendor

    settings.VAR_DIR = tmp_path
    load_procurement_demo()
    tender_sanggah = Tender.objects.get(title="Pembangunan Drainase Jalan Gajah Mada (contoh)")
    tender_finished = Tender.objects.get(title="Pengadaan Aspal dan Material Pemeliharaan Rutin Jalan (contoh)")
    tender_upload = Tender.objects.get(title="Pengadaan Peralatan Laboratorium Uji Bahan Konstruksi (contoh)")
    box = SealedBox.objects.get(reference=DEMO_REFERENCE)
    envelope = bids.commit_envelope(
        actor=User.objects.get(email=PERSONAS["vendor"]), box=box, sha256="a" * 64, size=100
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    from eproc.complaints.services import file_complaint

    complaint = file_complaint(
        about="service",
        title="Uji",
        description="Uji matriks",
        attachments=[SimpleUploadedFile("bukti.pdf", b"%PDF-1.4 bukti", "application/pdf")],
    )
    from datetime import timedelta

    from conftest import PINNED_NOW
    from eproc.training import services as training

    trainer = User.objects.get(email=PERSONAS["trainer"])
    training_session = training.create_session(
        actor=trainer,
        topic="Uji pelatihan SPSE",
        audience="public",
        starts_at=PINNED_NOW + timedelta(days=7),
        ends_at=PINNED_NOW + timedelta(days=7, hours=3),
        place="Ruang LPSE",
        capacity=40,
        trainer=trainer,
    )
    training_material = training.add_material(
        actor=trainer,
        session=training_session,
        upload=SimpleUploadedFile("materi.pdf", b"%PDF-1.4 materi", "application/pdf"),
    )
    training.register(actor=User.objects.get(email=PERSONAS["vendor"]), session=training_session)
    from eproc.complaints import helpdesk_services

    desk = User.objects.get(email=PERSONAS["helpdesk"])
    ticket = helpdesk_services.log_contact(actor=desk, channel="phone", subject="Uji", question="?", asker_name="A")
    faq = helpdesk_services.save_faq(actor=desk, question="Uji?", answer="Ya.")
    flag = helpdesk_services.flag_deviation(actor=desk, tender_reference="T-1", description="Uji")
    agency = Agency.objects.get(code="D201")
    maju = Vendor.objects.get(name="CV Maju Bersama")
    pending = Vendor.objects.get(name="PT Khatulistiwa Konstruksi")
    return {
        "agency": agency.public_id,
        "work_unit": agency.work_units.first().public_id,
        "appointment": Appointment.objects.get(user__email=PERSONAS["pokja_a"]).public_id,
        "day_off": DayOff.objects.first().public_id,
        "box": box.public_id,
        "envelope": envelope.public_id,
        "log_size": log.latest_checkpoint().size,
        "zero": 0,
        "complaint": complaint.public_id,
        "ticket": ticket.public_id,
        "faq": faq.public_id,
        "flag": flag.public_id,
        "tracking_code": complaint.tracking_code,
        "complaint_attachment": complaint.attachments.get().public_id,
        "sanction": Sanction.objects.get().public_id,
        "vendor_item": maju.items.get(section="akta").public_id,
        "vendor_document": maju.documents.first().public_id,
        "pending_vendor": pending.public_id,
        "pending_submission": pending.submissions.get().public_id,
        "plan_item": PlanItem.objects.filter(
            announced_at__isnull=False, work_unit__appointments__user__email=PERSONAS["pa_a"]
        )
        .first()
        .public_id,
        "tender_draft": Tender.objects.get(title="Pembangunan Jembatan Gantung Desa Sungai Besar (contoh)").public_id,
        "tender_open": Tender.objects.get(title="Perencanaan Teknis Jembatan Sungai Pawan II (contoh)").public_id,
        "tender_upload": tender_upload.public_id,
        "tender_sanggah": tender_sanggah.public_id,
        "sanggah_bid": tender_sanggah.bids.first().public_id,
        "tender_finished": tender_finished.public_id,
        "tender_finished_ocid": f"{settings.EPROC_OCID_PREFIX}-{tender_finished.public_id}",
        "demo_year": tender_finished.announced_at.year,
        "finished_objection": tender_finished.objections.get().public_id,
        "tender_document": tender_upload.documents.first().public_id,
        "tender_question": tender_upload.questions.first().public_id,
        "training_session": training_session.public_id,
        "training_material": training_material.public_id,
    }


def test_every_route_is_declared_in_the_matrix():
    routes = set(_routes(get_resolver().url_patterns))
    assert routes - set(MATRIX) == set(), "new routes need a line in MATRIX"
    assert set(MATRIX) - routes == set(), "MATRIX names routes that no longer exist"


def _url(name, args, objects):
    kwargs = {key: (objects.get(value, value)) for key, value in (args or {}).items()}
    url = reverse(name, kwargs=kwargs)
    if name in QUERY:
        url += "?" + QUERY[name].format(**objects)
    return url


def _post(client, name, url):
    """An empty write: raw bytes for a chunk, an empty JSON object for the API, an empty form for the pages."""
    if name == "bids:api_chunk":
        return client.put(url, b"", content_type="application/octet-stream")
    if name.startswith("bids:api"):
        return client.post(url, {}, content_type="application/json")
    return client.post(url)


def _clients():
    clients = {}
    for persona, email in PERSONAS.items():
        client = Client()
        if email:
            user = User.objects.get(email=email)
            give_totp(user)  # the second factor is its own test; here every staff member has one
            client.force_login(user)
        clients[persona] = client
    return clients


def test_each_person_gets_exactly_the_declared_access(demo_objects, capsys):
    clients = _clients()
    mismatches, cases = [], 0
    for name, (args, expected) in MATRIX.items():
        url = _url(name, args, demo_objects)
        for persona, client in clients.items():
            cases += 1
            status = client.get(url).status_code
            if status != expected["get"][persona]:
                mismatches.append(f"GET {name} as {persona}: {status}, expected {expected['get'][persona]}")
    for name, (args, expected) in MATRIX.items():
        if expected["post"] is None:
            continue
        url = _url(name, args, demo_objects)
        for persona, client in clients.items():
            cases += 1
            status = _post(client, name, url).status_code
            allowed = persona in expected["post"]
            refused = status in (401, 403, 404) or (persona == "anonymous" and status == 302)
            if allowed == refused or status >= 500:
                mismatches.append(
                    f"POST {name} as {persona}: {status} ({'should pass' if allowed else 'should refuse'})"
                )
    with capsys.disabled():
        print(f"\npermission matrix: {cases} cases over {len(MATRIX)} routes and {len(PERSONAS)} personas")
    assert mismatches == []
