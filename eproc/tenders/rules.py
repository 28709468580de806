"""The rules the law fixes for a tender, as data (DESIGN 4): value ceilings per method, allowed classifications,
minimum stage durations, objection periods, addendum notice. Each number names its article.

A ruleset is versioned by regulation and pinned on each tender when it is made (`Tender.ruleset_version`), so a later
regulation is a new entry in RULESETS, never an `if` in the code. Peraturan Bupati Ketapang 8/2011 defers to
Perpres 54/2010 (Pasal 5(1)); its own Rp100.000.000,00 limit for a Pejabat Pengadaan (Pasal 1(12)) is the 2010
ceiling of Pengadaan Langsung, which Perpres 70/2012 raised.

The sandbox (settings.EPROC_SANDBOX) is the same ruleset with every working day counted as one minute and no office
hours, so a whole tender can be walked through in a few minutes; tenders made in it carry `sandbox=True` and are
marked as such wherever they are shown.
"""

from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from eproc.core.calendar import WorkingHours
from eproc.organizations.roles import Role

from .choices import CONSULTANCY, Category, ContractType, EvaluationMethod, FileSystem, Method, Qualification
from .lifecycle import Stage


@dataclass(frozen=True)
class Rule:
    """One number of the law and the article it comes from."""

    value: object
    article: str


@dataclass(frozen=True)
class MethodRule:
    method: Method
    categories: frozenset
    # Highest HPS allowed, per category (inclusive); a category absent here has no ceiling.
    ceilings: dict
    qualifications: dict  # {Category: frozenset of Qualification}, Perpres 54/2010 Pasal 56(4), (4a), (9)
    combinations: frozenset  # (file system, evaluation method) pairs allowed
    run_by: frozenset  # the roles that run it: a committee (Pokja) or a Pejabat Pengadaan
    article: str


@dataclass(frozen=True)
class Gap:
    """`stage` starts (or ends) at least `days` working days after `after` starts (or ends)."""

    after: Stage
    stage: Stage
    days: int
    article: str
    from_end: bool = False  # measure from the end of `after`
    to_end: bool = False  # constrain the end of `stage` instead of its start
    only_with: Stage | None = None  # applies only to schedules that have this stage


@dataclass(frozen=True)
class Ruleset:
    version: str
    title: str
    effective_from: date
    methods: dict
    contract_types: dict
    contract_types_article: str
    small_business_ceiling: Rule
    merit_weights: Rule  # allowed (low, high) technical weight in percent for quality-and-cost
    periods: dict  # {Method: Periods}
    # After these stages end, these start (no overlap): bids are opened only after the upload closes, and so on.
    sequences: tuple
    addendum_notice: Rule  # working days left before the bid deadline after an addendum
    bytes_grace: Rule  # DESIGN 5: committed bytes may finish arriving within this period after the deadline
    low_bid_ratio: Rule
    appeal_guarantee_ratio: Rule
    pa_decides_above: dict
    working_hours: Rule
    sandbox: bool = False
    notes: tuple = field(default=())

    def method(self, method: str) -> MethodRule:
        return self.methods[Method(method)]

    def duration(self, working_days: int) -> timedelta | None:
        """In the sandbox, a working day lasts a minute; otherwise durations are counted on the calendar."""
        return timedelta(minutes=working_days) if self.sandbox else None


_GOODS_WORKS_OTHER = frozenset({Category.GOODS, Category.CONSTRUCTION, Category.OTHER_SERVICES})
_COMMITTEE = frozenset({Role.POKJA})
_OFFICER = frozenset({Role.PEJABAT_PENGADAAN, Role.POKJA})
_PASCA = frozenset({Qualification.POST})
_PRA = frozenset({Qualification.PRE})
_EITHER = frozenset({Qualification.POST, Qualification.PRE})


def _same(categories, qualifications) -> dict:
    return {category: qualifications for category in categories}


_ONE_FILE_KNOCKOUT = frozenset({(FileSystem.ONE_FILE, EvaluationMethod.KNOCKOUT)})
# Pasal 56(4)a, (9)c: consultancy firms after prakualifikasi, individual consultants after pascakualifikasi.
_CONSULTANCY_QUALIFICATION = {Category.CONSULTANCY_FIRM: _PRA, Category.CONSULTANCY_INDIVIDUAL: _PASCA}
# Perpres 54/2010 Pasal 47-48: sistem gugur with one file; merit points and life-cycle cost with two files;
# dua tahap for complex works with technical alternatives.
_TENDER_COMBINATIONS = frozenset(
    {
        (FileSystem.ONE_FILE, EvaluationMethod.KNOCKOUT),
        (FileSystem.TWO_FILES, EvaluationMethod.MERIT_POINT),
        (FileSystem.TWO_FILES, EvaluationMethod.LIFE_CYCLE_COST),
        (FileSystem.TWO_STAGES, EvaluationMethod.KNOCKOUT),
        (FileSystem.TWO_STAGES, EvaluationMethod.MERIT_POINT),
        (FileSystem.TWO_STAGES, EvaluationMethod.LIFE_CYCLE_COST),
    }
)
# Perpres 54/2010 Pasal 47-48: quality and quality-cost selections open two envelopes; fixed budget and least
# cost one (or two).
_SELECTION_COMBINATIONS = frozenset(
    {
        (FileSystem.TWO_FILES, EvaluationMethod.QUALITY),
        (FileSystem.TWO_FILES, EvaluationMethod.QUALITY_AND_COST),
        (FileSystem.ONE_FILE, EvaluationMethod.FIXED_BUDGET),
        (FileSystem.ONE_FILE, EvaluationMethod.LEAST_COST),
        (FileSystem.TWO_FILES, EvaluationMethod.FIXED_BUDGET),
        (FileSystem.TWO_FILES, EvaluationMethod.LEAST_COST),
    }
)


def _rp(amount: str) -> Decimal:
    return Decimal(amount.replace(".", ""))


def _methods(
    *, direct_goods: Rule, direct_consultancy: Rule, simple: Rule, direct_selection: Rule, simple_selection: Rule
):
    return {
        Method.OPEN_TENDER: MethodRule(
            Method.OPEN_TENDER,
            _GOODS_WORKS_OTHER,
            {},
            # Pasal 56(4)b, (9)a: pascakualifikasi, or prakualifikasi for complex works.
            _same(_GOODS_WORKS_OTHER, _EITHER),
            _TENDER_COMBINATIONS,
            _COMMITTEE,
            "Perpres 54/2010 Pasal 35-36",
        ),
        Method.SIMPLE_TENDER: MethodRule(
            Method.SIMPLE_TENDER,
            frozenset({Category.GOODS, Category.OTHER_SERVICES}),
            {Category.GOODS: simple, Category.OTHER_SERVICES: simple},
            _same((Category.GOODS, Category.OTHER_SERVICES), _PASCA),  # Pasal 56(9)b
            _ONE_FILE_KNOCKOUT,
            _COMMITTEE,
            simple.article,
        ),
        Method.DIRECT_SELECTION: MethodRule(
            Method.DIRECT_SELECTION,
            frozenset({Category.CONSTRUCTION}),
            {Category.CONSTRUCTION: direct_selection},
            _same((Category.CONSTRUCTION,), _PASCA),  # Pasal 56(9)b
            _ONE_FILE_KNOCKOUT,
            _COMMITTEE,
            direct_selection.article,
        ),
        Method.OPEN_SELECTION: MethodRule(
            Method.OPEN_SELECTION,
            CONSULTANCY,
            {},
            _CONSULTANCY_QUALIFICATION,
            _SELECTION_COMBINATIONS,
            _COMMITTEE,
            "Perpres 54/2010 Pasal 41",
        ),
        Method.SIMPLE_SELECTION: MethodRule(
            Method.SIMPLE_SELECTION,
            CONSULTANCY,
            {Category.CONSULTANCY_FIRM: simple_selection, Category.CONSULTANCY_INDIVIDUAL: simple_selection},
            _CONSULTANCY_QUALIFICATION,
            _SELECTION_COMBINATIONS,
            _COMMITTEE,
            simple_selection.article,
        ),
        Method.DIRECT_PROCUREMENT: MethodRule(
            Method.DIRECT_PROCUREMENT,
            frozenset({*_GOODS_WORKS_OTHER, *CONSULTANCY}),
            {
                Category.GOODS: direct_goods,
                Category.CONSTRUCTION: direct_goods,
                Category.OTHER_SERVICES: direct_goods,
                Category.CONSULTANCY_FIRM: direct_consultancy,
                Category.CONSULTANCY_INDIVIDUAL: direct_consultancy,
            },
            # Pasal 56(4)d, (4a): prakualifikasi, except for goods and other services.
            {
                **_same((Category.GOODS, Category.OTHER_SERVICES), _PASCA),
                **_same((Category.CONSTRUCTION, *CONSULTANCY), _PRA),
            },
            frozenset(
                {(FileSystem.ONE_FILE, EvaluationMethod.KNOCKOUT), (FileSystem.ONE_FILE, EvaluationMethod.LEAST_COST)}
            ),
            _OFFICER,
            direct_goods.article,
        ),
    }


_CONTRACT_TYPES = {
    Category.GOODS: frozenset({ContractType.LUMP_SUM, ContractType.UNIT_PRICE, ContractType.COMBINED}),
    Category.CONSTRUCTION: frozenset(
        {ContractType.LUMP_SUM, ContractType.UNIT_PRICE, ContractType.COMBINED, ContractType.TURNKEY}
    ),
    Category.OTHER_SERVICES: frozenset({ContractType.LUMP_SUM, ContractType.UNIT_PRICE, ContractType.COMBINED}),
    Category.CONSULTANCY_FIRM: frozenset({ContractType.LUMP_SUM, ContractType.TIME_BASED, ContractType.PERCENTAGE}),
    Category.CONSULTANCY_INDIVIDUAL: frozenset({ContractType.LUMP_SUM, ContractType.TIME_BASED}),
}

# Minimum lengths and distances of the stages before the award. Perpres 54/2010 Pasal 60(1) (prakualifikasi),
# 61(1) (pascakualifikasi) and 62 (the simple methods); Pasal 61(3)-(4) as amended by 70/2012: e-procurement counts
# in calendar days but every stage ends on a working day, which check_schedule enforces for every boundary.
_FULL_MINIMUMS = {
    Stage.ANNOUNCEMENT_POST: Rule(7, "Perpres 54/2010 Pasal 61(1)a (pengumuman paling kurang 7 hari kerja)"),
    Stage.ANNOUNCEMENT_PRE: Rule(7, "Perpres 54/2010 Pasal 60(1)a (pengumuman paling kurang 7 hari kerja)"),
}
_SIMPLE_MINIMUMS = {
    Stage.ANNOUNCEMENT_POST: Rule(3, "Perpres 54/2010 Pasal 62(1) (pengumuman pelelangan sederhana)"),
    Stage.ANNOUNCEMENT_PRE: Rule(3, "Perpres 54/2010 Pasal 62(2) (pengumuman seleksi sederhana)"),
}
_FULL_GAPS = (
    Gap(
        Stage.ANNOUNCEMENT_POST,
        Stage.CLARIFICATION,
        3,
        "Perpres 54/2010 Pasal 61(1)c (penjelasan paling cepat 3 hari kerja sejak pengumuman)",
    ),
    Gap(
        Stage.CLARIFICATION,
        Stage.BID_UPLOAD,
        1,
        "Perpres 54/2010 Pasal 61(1)e (pemasukan dimulai 1 hari kerja setelah penjelasan)",
        from_end=True,
    ),
    Gap(
        Stage.CLARIFICATION,
        Stage.BID_UPLOAD,
        2,
        "Perpres 54/2010 Pasal 61(1)e (pemasukan sampai paling kurang 2 hari kerja setelah BA Pemberian Penjelasan)",
        from_end=True,
        to_end=True,
    ),
    Gap(
        Stage.ANNOUNCEMENT_PRE,
        Stage.QUALIFICATION_UPLOAD,
        3,
        "Perpres 54/2010 Pasal 60(1)b (dokumen kualifikasi paling kurang 3 hari kerja setelah pengumuman berakhir)",
        from_end=True,
        to_end=True,
    ),
    Gap(
        Stage.DOCUMENT_DOWNLOAD,
        Stage.CLARIFICATION,
        4,
        "Perpres 54/2010 Pasal 60(1) (penjelasan paling cepat 4 hari kerja setelah undangan)",
        only_with=Stage.ANNOUNCEMENT_PRE,
    ),
    Gap(
        Stage.CLARIFICATION,
        Stage.BID_UPLOAD,
        7,
        "Perpres 54/2010 Pasal 60(1) (pemasukan sampai paling kurang 7 hari kerja setelah BA Pemberian Penjelasan)",
        from_end=True,
        to_end=True,
        only_with=Stage.ANNOUNCEMENT_PRE,
    ),
)
_SIMPLE_GAPS = (
    Gap(
        Stage.CLARIFICATION,
        Stage.BID_UPLOAD,
        1,
        "Perpres 54/2010 Pasal 62(2)h (pemasukan dimulai 1 hari kerja setelah penjelasan)",
        from_end=True,
    ),
    Gap(
        Stage.CLARIFICATION,
        Stage.BID_UPLOAD,
        3,
        "Perpres 54/2010 Pasal 62(2)h (pemasukan sampai paling kurang 3 hari kerja setelah BA Pemberian Penjelasan)",
        from_end=True,
        to_end=True,
    ),
)

_SEQUENCES = (
    (Stage.BID_UPLOAD, Stage.OPENING),
    (Stage.BID_UPLOAD, Stage.OPENING_TECHNICAL),
    (Stage.TECHNICAL_EVALUATION, Stage.OPENING_PRICE),
    (Stage.WINNER_ANNOUNCEMENT, Stage.OBJECTIONS),
    (Stage.OBJECTIONS, Stage.AWARD_LETTER),
    (Stage.QUALIFICATION_OBJECTIONS, Stage.DOCUMENT_DOWNLOAD),
    (Stage.CLARIFICATION, Stage.BID_UPLOAD),
)


@dataclass(frozen=True)
class Periods:
    """The schedule profile of a group of methods: minimums before the award and the periods after it."""

    minimums: dict
    gaps: tuple
    objection: Rule  # masa sanggah, working days
    objection_answer: Rule
    appeal: Rule  # sanggah banding may be filed within
    appeal_answer: Rule
    award_letter: Rule  # SPPBJ at the latest this many working days after the winner is announced
    contract: Rule  # contract signed at the latest this many working days after the SPPBJ


FULL = Periods(
    minimums=_FULL_MINIMUMS,
    gaps=_FULL_GAPS,
    objection=Rule(5, "Perpres 54/2010 Pasal 61(1)g, 81(2)"),
    objection_answer=Rule(5, "Perpres 54/2010 Pasal 81"),
    appeal=Rule(5, "Perpres 54/2010 Pasal 82(1) jo. Perpres 70/2012"),
    appeal_answer=Rule(15, "Perpres 54/2010 Pasal 82 jo. Perpres 70/2012"),
    award_letter=Rule(6, "Perpres 54/2010 Pasal 61(1)h"),
    contract=Rule(14, "Perpres 54/2010 Pasal 61(1)j"),
)
SIMPLE = Periods(
    minimums=_SIMPLE_MINIMUMS,
    gaps=_SIMPLE_GAPS,
    objection=Rule(3, "Perpres 54/2010 Pasal 62(2)i, 81(2)"),
    objection_answer=Rule(3, "Perpres 54/2010 Pasal 81"),
    appeal=Rule(3, "Perpres 54/2010 Pasal 82(1) jo. Perpres 70/2012"),
    appeal_answer=Rule(5, "Perpres 54/2010 Pasal 82 jo. Perpres 70/2012"),
    award_letter=Rule(2, "Perpres 54/2010 Pasal 62(2)j"),
    contract=Rule(14, "Perpres 54/2010 Pasal 62(2)l"),
)
# Pengadaan Langsung has no announcement and no objection period (Pasal 39, 57(6)).
DIRECT = Periods(
    minimums={},
    gaps=(),
    objection=Rule(0, "Perpres 54/2010 Pasal 39"),
    objection_answer=Rule(0, "Perpres 54/2010 Pasal 39"),
    appeal=Rule(0, "Perpres 54/2010 Pasal 39"),
    appeal_answer=Rule(0, "Perpres 54/2010 Pasal 39"),
    award_letter=Rule(0, "Perpres 54/2010 Pasal 39"),
    contract=Rule(14, "Perpres 54/2010 Pasal 61(1)j"),
)
_PERIODS = {
    Method.OPEN_TENDER: FULL,
    Method.OPEN_SELECTION: FULL,
    Method.SIMPLE_TENDER: SIMPLE,
    Method.DIRECT_SELECTION: SIMPLE,
    Method.SIMPLE_SELECTION: SIMPLE,
    Method.DIRECT_PROCUREMENT: DIRECT,
}

_COMMON = dict(
    contract_types=_CONTRACT_TYPES,
    contract_types_article="Perpres 54/2010 Pasal 50-51",
    small_business_ceiling=Rule(_rp("2.500.000.000"), "Perpres 54/2010 Pasal 100(3) jo. Perpres 70/2012"),
    merit_weights=Rule((60, 80), "Perpres 54/2010 Pasal 48 (bobot teknis 60%-80% untuk kualitas dan biaya)"),
    periods=_PERIODS,
    sequences=_SEQUENCES,
    # Perka LKPP 14/2012 Lampiran Bab II (II-78) item 14 lets the Pokja add time after an addendum; eproc makes it
    # a rule: at least as many working days remain as Pasal 61(1)e leaves between the explanation and the deadline.
    addendum_notice=Rule(2, "Perka LKPP 14/2012 Lampiran Bab II item 14; Perpres 54/2010 Pasal 61(1)e"),
    # DESIGN 5: a ruleset setting; it must end before the opening.
    bytes_grace=Rule(timedelta(minutes=60), "DESIGN 5 (grace period for committed bid bytes)"),
    low_bid_ratio=Rule(Decimal("0.80"), "Perpres 54/2010 Pasal 70 jo. Perpres 70/2012"),
    # Perpres 54/2010 Pasal 8(1)f, 17(2); SDP e-lelang IKP 31.1: the PA decides the winner above these values.
    pa_decides_above={
        "default": Rule(_rp("100.000.000.000"), "Perpres 54/2010 Pasal 8(1)f, 17(2)"),
        "consultancy": Rule(_rp("10.000.000.000"), "Perpres 54/2010 Pasal 8(1)f, 17(2)"),
    },
    # No regulation defines office hours (Pasal 61(4) asks only for working days). eproc puts every boundary while
    # the LPSE helpdesk is staffed (Pasal 9(9)), so nobody meets a deadline alone.
    working_hours=Rule(WorkingHours(time(8, 0), time(16, 0)), "Perbup Ketapang 8/2011 Pasal 9(9) (helpdesk hours)"),
)

PERPRES_54_2010 = Ruleset(
    version="perpres-54-2010",
    title="Perpres 54/2010",
    effective_from=date(2010, 8, 6),
    methods=_methods(
        direct_goods=Rule(_rp("100.000.000"), "Perpres 54/2010 Pasal 39(1); Perbup Ketapang 8/2011 Pasal 1(12)"),
        direct_consultancy=Rule(_rp("50.000.000"), "Perpres 54/2010 Pasal 45(1)"),
        simple=Rule(_rp("200.000.000"), "Perpres 54/2010 Pasal 38(1)"),
        direct_selection=Rule(_rp("200.000.000"), "Perpres 54/2010 Pasal 38(5)"),
        simple_selection=Rule(_rp("200.000.000"), "Perpres 54/2010 Pasal 41(1)"),
    ),
    appeal_guarantee_ratio=Rule(Decimal("0.002"), "Perpres 54/2010 Pasal 82(2) (2 perseribu dari nilai HPS)"),
    **_COMMON,
)

PERPRES_70_2012 = replace(
    PERPRES_54_2010,
    version="perpres-70-2012",
    title="Perpres 54/2010 jo. Perpres 70/2012",
    effective_from=date(2012, 8, 1),
    methods=_methods(
        direct_goods=Rule(_rp("200.000.000"), "Perpres 54/2010 Pasal 39(1) jo. Perpres 70/2012"),
        direct_consultancy=Rule(_rp("50.000.000"), "Perpres 54/2010 Pasal 45(1) jo. Perpres 70/2012"),
        simple=Rule(_rp("5.000.000.000"), "Perpres 54/2010 Pasal 38(1) jo. Perpres 70/2012"),
        direct_selection=Rule(_rp("5.000.000.000"), "Perpres 54/2010 Pasal 38(5) jo. Perpres 70/2012"),
        simple_selection=Rule(_rp("200.000.000"), "Perpres 54/2010 Pasal 41(1) jo. Perpres 70/2012"),
    ),
    appeal_guarantee_ratio=Rule(Decimal("0.01"), "Perpres 54/2010 Pasal 82(2) jo. Perpres 70/2012 (1% dari HPS)"),
)

RULESETS = {ruleset.version: ruleset for ruleset in (PERPRES_54_2010, PERPRES_70_2012)}
CURRENT = PERPRES_70_2012.version

SANDBOX_NOTE = _("Sandbox: every working day of the rules lasts one minute and office hours do not apply.")


def ruleset(version: str, *, sandbox: bool = False) -> Ruleset:
    rules = RULESETS[version]
    return replace(rules, sandbox=True, bytes_grace=Rule(timedelta(seconds=20), "sandbox")) if sandbox else rules


def for_tender(tender) -> Ruleset:
    return ruleset(tender.ruleset_version, sandbox=tender.sandbox)


def periods(rules: Ruleset, method: str) -> Periods:
    return rules.periods[Method(method)]


@dataclass(frozen=True)
class FailureTrigger:
    code: str
    label: str
    article: str


# Lelang gagal: Perpres 54/2010 Pasal 83(1) as amended by Perpres 70/2012; the committee names one when it declares a
# tender failed, and each is published with its article.
FAILURE_TRIGGERS = {
    trigger.code: trigger
    for trigger in (
        FailureTrigger("too_few_bids", _("Fewer than 3 bids were submitted"), "Perpres 54/2010 Pasal 83(1)a"),
        FailureTrigger(
            "too_few_qualified", _("Fewer than 3 passed the pre-qualification"), "Perpres 54/2010 Pasal 83(1)"
        ),
        FailureTrigger("none_passed", _("No bid passed the evaluation"), "Perpres 54/2010 Pasal 83(1)"),
        FailureTrigger(
            "above_hps", _("Every bid, or the lowest corrected bid, is above the HPS"), "Perpres 54/2010 Pasal 83(1)"
        ),
        FailureTrigger("justified_objection", _("A justified objection"), "Perpres 54/2010 Pasal 83(1)"),
        FailureTrigger(
            "unfair_competition", _("Evidence of collusion or unfair competition"), "Perpres 54/2010 Pasal 83(1)"
        ),
        FailureTrigger(
            "winner_absent",
            _("The winner and both reserves did not attend the clarification or proof of qualification"),
            "Perpres 54/2010 Pasal 83(1)",
        ),
    )
}
MIN_BIDS = Rule(3, "Perpres 54/2010 Pasal 83(1)a (kurang dari 3 peserta yang memasukkan penawaran)")
# Jaminan pelaksanaan: 5% of the contract value, or 5% of the HPS when the corrected bid is under 80% of it.
PERFORMANCE_GUARANTEE = Rule(Decimal("0.05"), "Perpres 54/2010 Pasal 70 jo. Perpres 70/2012")
