"""What each role can do, as data: the dashboard lists a person's actions from this table only.

Each action names the article of the regulation it serves. An action with no `url_name` is a duty the
regulation gives the role that a later part of eproc delivers; it is listed (marked as coming) so that people
see their whole job, but it is never a link.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from eproc.organizations.roles import ROLES, Role


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    article: str
    roles: frozenset
    url_name: str | None = None


ACTIONS: tuple[Action, ...] = (
    Action(
        "manage_agencies",
        _("Manage agencies and work units"),
        "Pasal 3, 9(7)a",
        frozenset({Role.LPSE_ADMIN}),
        "organizations:agency_list",
    ),
    Action(
        "manage_appointments",
        _("Appointments and decrees (SK)"),
        "Pasal 7(1)e, 7(3)c, 9(7)e",
        frozenset({Role.LPSE_ADMIN, Role.ADMIN_AGENCY}),
        "organizations:appointment_list",
    ),
    Action(
        "view_appointments",
        _("View appointments and decrees (SK)"),
        "Pasal 8(2)f, 9(4)d",
        frozenset({Role.KEPALA_LPSE, Role.SEKRETARIS_LPSE, Role.AUDITOR}),
        "organizations:appointment_list",
    ),
    Action(
        "manage_days_off",
        _("Working calendar: cuti bersama and regional holidays"),
        "Pasal 9(7)a",
        frozenset({Role.LPSE_ADMIN}),
        "organizations:day_off_list",
    ),
    Action(
        "audit_trail",
        _("Audit trail and its verification"),
        "Pasal 5, 8(2)f, 8(3)-(4)",
        frozenset({Role.LPSE_ADMIN, Role.KEPALA_LPSE, Role.AUDITOR}),
        "audit:trail",
    ),
    Action(
        "announce_plan",
        _("Announce the general procurement plan (RUP)"),
        "Pasal 7(1)a-c",
        frozenset({Role.PA, Role.KPA}),
        "planning:workspace",
    ),
    Action("appoint_ppk", _("Appoint commitment officers (PPK)"), "Pasal 7(1)d", frozenset({Role.PA, Role.KPA})),
    Action(
        "hear_appeals",
        _("Hear appeals (sanggah banding)"),
        "Perpres 54/2010 Pasal 82",
        frozenset({Role.PA, Role.KPA}),
        "tenders:workspace",
    ),
    Action(
        "approve_classification",
        _("Approve tender classifications"),
        "Pasal 7(3)b",
        frozenset({Role.PPK}),
        "tenders:workspace",
    ),
    Action(
        "follow_tenders",
        _("Follow the tenders of my work unit"),
        "Pasal 7(1), 8(2)f, 9(4)",
        frozenset({Role.PA, Role.KPA, Role.AUDITOR, Role.KEPALA_LPSE, Role.SEKRETARIS_LPSE}),
        "tenders:workspace",
    ),
    Action(
        "award_and_contract",
        _("Award letters (SPPBJ) and contracts"),
        "Pasal 1(10)",
        frozenset({Role.PPK}),
        "tenders:workspace",
    ),
    Action(
        "build_tenders",
        _("Packages, schedules, documents and addenda"),
        "Pasal 7(3)a-b",
        frozenset({Role.POKJA, Role.PEJABAT_PENGADAAN}),
        "tenders:workspace",
    ),
    Action(
        "run_aanwijzing",
        _("Explanation sessions (aanwijzing)"),
        "Pasal 7(3)b",
        frozenset({Role.POKJA, Role.PEJABAT_PENGADAAN}),
        "tenders:workspace",
    ),
    Action(
        "committee_key",
        _("My committee key for opening sealed bids"),
        "Pasal 7(4)b",
        frozenset({Role.POKJA, Role.PEJABAT_PENGADAAN}),
        "bids:committee_key",
    ),
    Action(
        "sealed_boxes",
        _("Sealed bid boxes and their opening"),
        "Pasal 7(3)b, 7(4)b",
        frozenset({Role.POKJA, Role.PEJABAT_PENGADAAN}),
        "bids:box_list",
    ),
    Action(
        "evaluate_and_decide",
        _("Evaluate bids and decide the winner"),
        "Pasal 7(3)b",
        frozenset({Role.POKJA, Role.PEJABAT_PENGADAAN}),
        "tenders:workspace",
    ),
    Action(
        "answer_objections",
        _("Answer objections (sanggah)"),
        "Pasal 7(3)d",
        frozenset({Role.POKJA, Role.PEJABAT_PENGADAAN}),
        "tenders:workspace",
    ),
    Action(
        "verify_vendors",
        _("Verify vendor registrations and keep their archive"),
        "Pasal 9(8)a-e,g",
        frozenset({Role.VERIFIKATOR}),
        "vendors:queue",
    ),
    Action(
        "activate_vendors",
        _("Activate verified vendors and record sanctions"),
        "Pasal 9(7)e",
        frozenset({Role.LPSE_ADMIN}),
        "vendors:queue",
    ),
    Action(
        "assisted_registration",
        _("Start a vendor registration on a vendor's behalf"),
        "Pasal 9(9)b",
        frozenset({Role.HELPDESK}),
        "vendors:assisted_registration",
    ),
    Action(
        "helpdesk_tickets", _("Consultations and the FAQ"), "Pasal 9(9)a,c", frozenset({Role.HELPDESK}), "helpdesk:desk"
    ),
    Action(
        "complaints",
        _("Complaints and their forwarding"),
        "Pasal 14",
        frozenset({Role.HELPDESK, Role.KEPALA_LPSE}),
        "complaints:manage",
    ),
    Action(
        "report_deviations",
        _("Report procedural deviations to the Head of LPSE"),
        "Pasal 9(9)e",
        frozenset({Role.HELPDESK}),
        "helpdesk:flags",
    ),
    Action(
        "follow_up_deviations",
        _("Follow up procedural deviations reported by the helpdesk"),
        "Pasal 9(4)d, 9(9)e",
        frozenset({Role.KEPALA_LPSE}),
        "helpdesk:flags",
    ),
    Action(
        "training",
        _("Training sessions and materials"),
        "Pasal 9(10)",
        frozenset({Role.TRAINER}),
        "training:session_list",
    ),
    Action(
        "activity_reports",
        _("Monitoring and periodic activity reports"),
        "Pasal 8(2)a,f, 9(4)c,e",
        frozenset({Role.KEPALA_LPSE, Role.SEKRETARIS_LPSE, Role.LPSE_ADMIN, Role.AUDITOR}),
        "monitoring:dashboard",
    ),
    Action(
        "compliance",
        _("E-procurement compliance per work unit"),
        "Pasal 15",
        frozenset({Role.KEPALA_LPSE, Role.SEKRETARIS_LPSE, Role.LPSE_ADMIN, Role.AUDITOR}),
        "monitoring:compliance",
    ),
    Action(
        "compliance_rules",
        _("Compliance rules of each year"),
        "Pasal 15(1)-(2)",
        frozenset({Role.LPSE_ADMIN}),
        "monitoring:rules",
    ),
    Action(
        "adoption_plan",
        _("The work unit's e-procurement adoption plan (tahapan)"),
        "Pasal 15(3)-(4)",
        frozenset({Role.PA, Role.KPA, Role.ADMIN_AGENCY}),
        "monitoring:adoption_plans",
    ),
    Action(
        "capacity",
        _("System capacity: database, storage, requests and queue"),
        "Pasal 11(3)e",
        frozenset({Role.LPSE_ADMIN}),
        "monitoring:capacity",
    ),
    Action(
        "portal_outbox",
        _("Delivery to the national portal: failures and replay"),
        "Pasal 9(7)c-d, 12b",
        frozenset({Role.LPSE_ADMIN}),
        "outbox:overview",
    ),
    Action(
        "risk_indicators",
        _("Procurement risk indicators (red flags)"),
        "Pasal 8(2)f, 8(3)-(4), 9(4)",
        frozenset({Role.AUDITOR, Role.KEPALA_LPSE}),
        "risk:ranking",
    ),
)


@dataclass(frozen=True)
class RoleCard:
    role: Role
    label: str
    article: str
    scopes: tuple[str, ...]
    actions: tuple[Action, ...]


def cards_for(grants, agencies_by_id, work_units_by_id) -> list[RoleCard]:
    """One card per role the user holds, in the order of the role table, with its scopes and actions."""
    cards = []
    for role, info in ROLES.items():
        held = [grant for grant in grants if grant.role == role]
        if not held:
            continue
        scopes = sorted(
            {
                " · ".join(
                    filter(
                        None,
                        [
                            str(agencies_by_id.get(grant.agency_id, "")) if grant.agency_id else str(_("LPSE")),
                            str(work_units_by_id.get(grant.work_unit_id, "")) if grant.work_unit_id else "",
                        ],
                    )
                )
                for grant in held
            }
        )
        actions = tuple(action for action in ACTIONS if role in action.roles)
        cards.append(RoleCard(role, info.label, info.article, tuple(scopes), actions))
    return cards
