"""The roles of eproc, as data: who they are, where the regulation names them, and what scope they hold.

A person holds a role through an Appointment backed by a decree (SK). Agency roles are held within one agency
(Pasal 3: one LPSE serves several governments) and sometimes one work unit; LPSE roles are held within the LPSE
itself; an auditor may be scoped to one agency (its Inspektorat) or to all.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    PA = "pa"
    KPA = "kpa"
    PPK = "ppk"
    ADMIN_AGENCY = "admin_agency"
    POKJA = "pokja"
    PEJABAT_PENGADAAN = "pejabat_pengadaan"
    LPSE_ADMIN = "lpse_admin"
    VERIFIKATOR = "verifikator"
    HELPDESK = "helpdesk"
    TRAINER = "trainer"
    KEPALA_LPSE = "kepala_lpse"
    SEKRETARIS_LPSE = "sekretaris_lpse"
    AUDITOR = "auditor"


class Scope(StrEnum):
    AGENCY = "agency"  # held within one agency: agency required
    WORK_UNIT = "work_unit"  # held within one work unit of one agency: agency and work unit required
    LPSE = "lpse"  # held within the LPSE itself: no agency
    AGENCY_OR_ALL = "agency_or_all"  # an auditor: one agency's Inspektorat, or every agency when none is set


@dataclass(frozen=True)
class RoleInfo:
    role: Role
    label: str
    scope: Scope
    article: str  # where the regulation names the role
    is_lpse_staff: bool = False
    is_committee: bool = False


ROLES: dict[Role, RoleInfo] = {
    info.role: info
    for info in [
        # Pasal 1(8), 7(1)a-d: the head of an SKPD as budget holder announces the RUP and appoints the PPK.
        RoleInfo(Role.PA, _("Budget holder (PA)"), Scope.WORK_UNIT, "Pasal 1(8), 7(1)"),
        # Pasal 1(9): appointed by the Bupati to use the budget of a work unit.
        RoleInfo(Role.KPA, _("Budget holder's proxy (KPA)"), Scope.WORK_UNIT, "Pasal 1(9)"),
        # Pasal 1(10), 7(1)d-e: owner of the work; registered from the SK of appointment.
        RoleInfo(Role.PPK, _("Commitment officer (PPK)"), Scope.WORK_UNIT, "Pasal 1(10), 7(1)d-e"),
        # Pasal 6(1)b, 7(2): one person per institution coordinating its users.
        RoleInfo(Role.ADMIN_AGENCY, _("Agency administrator (Admin Agency)"), Scope.AGENCY, "Pasal 6(1)b, 7(2)"),
        # Pasal 1(11), 7(3): the procurement committee.
        RoleInfo(
            Role.POKJA, _("Procurement committee member (Pokja)"), Scope.AGENCY, "Pasal 1(11), 7(3)", is_committee=True
        ),
        # Pasal 1(12), 7(3): a single procurement officer for packages up to Rp100.000.000,00.
        RoleInfo(
            Role.PEJABAT_PENGADAAN,
            _("Procurement officer (Pejabat Pengadaan)"),
            Scope.AGENCY,
            "Pasal 1(12), 7(3)",
            is_committee=True,
        ),
        # Pasal 9(7): system administration, security, credentials after verification.
        RoleInfo(Role.LPSE_ADMIN, _("LPSE administrator"), Scope.LPSE, "Pasal 9(1)f, 9(7)", is_lpse_staff=True),
        # Pasal 9(8): registration and verification of users.
        RoleInfo(
            Role.VERIFIKATOR, _("LPSE verifier (Verifikator)"), Scope.LPSE, "Pasal 9(1)g, 9(8)", is_lpse_staff=True
        ),
        # Pasal 9(9): user services.
        RoleInfo(Role.HELPDESK, _("LPSE helpdesk"), Scope.LPSE, "Pasal 9(1)h, 9(9)", is_lpse_staff=True),
        # Pasal 9(10): training and outreach.
        RoleInfo(Role.TRAINER, _("LPSE trainer"), Scope.LPSE, "Pasal 9(1)i, 9(10)", is_lpse_staff=True),
        # Pasal 9(4): daily lead of the LPSE.
        RoleInfo(
            Role.KEPALA_LPSE, _("Head of LPSE (Kepala LPSE)"), Scope.LPSE, "Pasal 9(1)d, 9(4)", is_lpse_staff=True
        ),
        # Pasal 9(5)-(6): coordination and administration.
        RoleInfo(
            Role.SEKRETARIS_LPSE,
            _("LPSE secretary (Sekretaris LPSE)"),
            Scope.LPSE,
            "Pasal 9(1)e, 9(5)-(6)",
            is_lpse_staff=True,
        ),
        # Pasal 8(2)f, 8(3)-(4): the Inspektorat's read access for audit, monitoring and evaluation.
        RoleInfo(Role.AUDITOR, _("Auditor (Inspektorat)"), Scope.AGENCY_OR_ALL, "Pasal 8(2)f, 8(3)-(4)"),
    ]
}

ROLE_CHOICES = [(info.role.value, info.label) for info in ROLES.values()]
LPSE_ROLES = frozenset(role for role, info in ROLES.items() if info.is_lpse_staff)
COMMITTEE_ROLES = frozenset(role for role, info in ROLES.items() if info.is_committee)
