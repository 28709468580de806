"""Every number of the rulesets (rules.py), exercised on both sides of its limit through the pure checks.

The cases are derived from the ruleset objects themselves, so a new ceiling, minimum or gap (or a changed number)
is tested without editing this file; a few tests pin the numbers to the text of the law, so a typo in the data is
caught as well. No database: check_classification and check_schedule are pure functions.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import product
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from eproc.core.calendar import WorkingCalendar
from eproc.core.money import format_rupiah
from eproc.organizations.roles import Role
from eproc.tenders import lifecycle
from eproc.tenders.checks import Slot, check_classification, check_schedule
from eproc.tenders.choices import (
    CONSULTANCY,
    Category,
    ContractType,
    EvaluationMethod,
    FileSystem,
    Method,
    Qualification,
)
from eproc.tenders.lifecycle import OPENING_STAGE_OF_ENVELOPE, Stage
from eproc.tenders.rules import RULESETS, periods

WIB = ZoneInfo("Asia/Jakarta")
CALENDAR = WorkingCalendar()  # national holidays and cuti bersama only
BUDGET = Decimal("100000000000.00")  # a plan budget far above every ceiling, so only the rule under test speaks
WEIGHTED = {EvaluationMethod.MERIT_POINT, EvaluationMethod.QUALITY_AND_COST}
EXCEPTION = "Pekerjaan memerlukan peralatan berat yang tidak dimiliki usaha kecil"

RULESET_PARAMS = [pytest.param(rules, id=version) for version, rules in RULESETS.items()]


def runner_for(method_rule) -> set:
    """A Pejabat Pengadaan where the method allows one (Pengadaan Langsung), else a Pokja."""
    return {Role.PEJABAT_PENGADAAN} if Role.PEJABAT_PENGADAAN in method_rule.run_by else {Role.POKJA}


def valid_values(rules, method, category, *, hps, **overrides) -> dict:
    """A classification that meets every rule of `method` for `category` (the first allowed choice of each)."""
    method_rule = rules.method(method)
    file_system, evaluation = next(pair for pair in sorted(method_rule.combinations) if pair[1] not in WEIGHTED)
    values = {
        "category": Category(category),
        "method": Method(method),
        "qualification": sorted(method_rule.qualifications[Category(category)])[0],
        "file_system": file_system,
        "evaluation_method": evaluation,
        "contract_type": sorted(rules.contract_types[Category(category)])[0],
        "owner_estimate": Decimal(hps),
        "technical_weight": None,
        "price_weight": None,
        "small_business_reserved": False,
        "small_business_exception": EXCEPTION,
    }
    return {**values, **overrides}


def problems(rules, values, *, budget=BUDGET, runner_roles=None) -> dict:
    """The refusals of check_classification by field ({} when the classification is accepted)."""
    roles = runner_for(rules.method(values["method"])) if runner_roles is None else runner_roles
    try:
        check_classification(rules, values=values, budget=budget, runner_roles=roles)
    except ValidationError as error:
        return error.message_dict
    return {}


# --- Method ceilings (Perpres 54/2010 Pasal 38, 39, 41, 45 and their 70/2012 amendments) ------------------------

CEILINGS = [
    pytest.param(rules, method, category, rule, id=f"{version}-{method.value}-{category.value}")
    for version, rules in RULESETS.items()
    for method, method_rule in rules.methods.items()
    for category, rule in method_rule.ceilings.items()
]


@pytest.mark.parametrize(("rules", "method", "category", "rule"), CEILINGS)
def test_an_hps_exactly_at_the_method_ceiling_is_accepted(rules, method, category, rule):
    assert problems(rules, valid_values(rules, method, category, hps=rule.value)) == {}


@pytest.mark.parametrize(("rules", "method", "category", "rule"), CEILINGS)
def test_an_hps_one_rupiah_above_the_method_ceiling_is_refused_naming_the_article(rules, method, category, rule):
    refused = problems(rules, valid_values(rules, method, category, hps=rule.value + 1))
    assert list(refused) == ["owner_estimate"]
    [message] = refused["owner_estimate"]
    assert "Pasal" in rule.article and rule.article in message
    assert format_rupiah(rule.value) in message and format_rupiah(rule.value + 1) in message


def test_the_ceilings_are_those_of_the_law():
    """Perpres 54/2010 Pasal 38(1), 38(5), 39(1), 41(1), 45(1) and Perbup Ketapang 8/2011 Pasal 1(12) (2010), as
    amended by Perpres 70/2012 (2012)."""
    juta = Decimal(1_000_000)
    expected = {
        "perpres-54-2010": {
            Method.DIRECT_PROCUREMENT: {"goods_works_other": 100 * juta, "consultancy": 50 * juta},
            Method.SIMPLE_TENDER: 200 * juta,
            Method.DIRECT_SELECTION: 200 * juta,
            Method.SIMPLE_SELECTION: 200 * juta,
        },
        "perpres-70-2012": {
            Method.DIRECT_PROCUREMENT: {"goods_works_other": 200 * juta, "consultancy": 50 * juta},
            Method.SIMPLE_TENDER: 5000 * juta,
            Method.DIRECT_SELECTION: 5000 * juta,
            Method.SIMPLE_SELECTION: 200 * juta,
        },
    }
    for version, rules in RULESETS.items():
        for method, method_rule in rules.methods.items():
            for category, rule in method_rule.ceilings.items():
                limit = expected[version][method]
                if isinstance(limit, dict):
                    limit = limit["consultancy" if category in CONSULTANCY else "goods_works_other"]
                assert rule.value == limit, (version, method, category)
        # Lelang Umum and Seleksi Umum have no ceiling.
        assert rules.method(Method.OPEN_TENDER).ceilings == {} and rules.method(Method.OPEN_SELECTION).ceilings == {}


# --- HPS against the plan budget --------------------------------------------------------------------------------


@pytest.mark.parametrize("rules", RULESET_PARAMS)
def test_an_hps_equal_to_the_plan_budget_is_accepted_and_one_rupiah_above_is_refused(rules):
    # Pasal 7(1)b.4: the package's value comes from the plan; an HPS above the pagu cannot be paid for.
    budget = Decimal("2500000000.00")
    values = valid_values(rules, Method.OPEN_TENDER, Category.CONSTRUCTION, hps=budget, small_business_reserved=True)
    assert problems(rules, values, budget=budget) == {}
    refused = problems(rules, {**values, "owner_estimate": budget + 1, "small_business_reserved": False}, budget=budget)
    assert list(refused) == ["owner_estimate"]
    assert "above the budget of the plan item" in refused["owner_estimate"][0]


@pytest.mark.parametrize("hps", [Decimal("0"), Decimal("-1"), None], ids=["zero", "negative", "missing"])
@pytest.mark.parametrize("rules", RULESET_PARAMS)
def test_an_hps_of_zero_or_less_is_refused(rules, hps):
    values = valid_values(rules, Method.OPEN_TENDER, Category.GOODS, hps=1, owner_estimate=hps)
    refused = problems(rules, values)
    assert refused["owner_estimate"] == ["The owner's estimate (HPS) must be more than zero."]


# --- Small businesses (Perpres 54/2010 Pasal 100(3) jo. Perpres 70/2012) --------------------------------------------


@pytest.mark.parametrize("rules", RULESET_PARAMS)
def test_a_package_at_the_small_business_ceiling_may_be_reserved_and_one_rupiah_above_may_not(rules):
    ceiling = rules.small_business_ceiling
    assert ceiling.value == Decimal("2500000000") and "Pasal 100(3)" in ceiling.article
    reserved = valid_values(rules, Method.OPEN_TENDER, Category.GOODS, hps=ceiling.value, small_business_reserved=True)
    assert problems(rules, reserved) == {}
    refused = problems(rules, {**reserved, "owner_estimate": ceiling.value + 1})
    assert list(refused) == ["small_business_reserved"]
    assert ceiling.article in refused["small_business_reserved"][0]


@pytest.mark.parametrize("rules", RULESET_PARAMS)
def test_a_package_up_to_the_small_business_ceiling_not_reserved_needs_the_reason_why(rules):
    # Pasal 100(3): packages up to Rp2,5 miliar are for small businesses unless the committee says why not.
    ceiling = rules.small_business_ceiling
    for hps in (ceiling.value, Decimal("1")):
        not_reserved = valid_values(rules, Method.OPEN_TENDER, Category.CONSTRUCTION, hps=hps)
        assert problems(rules, not_reserved) == {}
        for blank in ("", "   "):
            refused = problems(rules, {**not_reserved, "small_business_exception": blank})
            assert list(refused) == ["small_business_exception"]
            assert ceiling.article in refused["small_business_exception"][0]
    above = valid_values(
        rules, Method.OPEN_TENDER, Category.CONSTRUCTION, hps=ceiling.value + 1, small_business_exception=""
    )
    assert problems(rules, above) == {}


@pytest.mark.parametrize("category", sorted(CONSULTANCY))
@pytest.mark.parametrize("rules", RULESET_PARAMS)
def test_a_consultancy_cannot_be_reserved_for_small_businesses(rules, category):
    # Pasal 100(3) names goods, works and other services only; a consultancy needs no exception either.
    values = valid_values(rules, Method.OPEN_SELECTION, category, hps=Decimal("1000000"), small_business_exception="")
    assert problems(rules, values) == {}
    refused = problems(rules, {**values, "small_business_reserved": True})
    assert list(refused) == ["small_business_reserved"]
    assert rules.small_business_ceiling.article in refused["small_business_reserved"][0]


# --- Weights (Perpres 54/2010 Pasal 48) ---------------------------------------------------------------------------


def _quality_and_cost(rules, technical, price):
    return valid_values(
        rules,
        Method.OPEN_SELECTION,
        Category.CONSULTANCY_FIRM,
        hps=Decimal("3000000000"),
        file_system=FileSystem.TWO_FILES,
        evaluation_method=EvaluationMethod.QUALITY_AND_COST,
        technical_weight=technical,
        price_weight=price,
    )


@pytest.mark.parametrize("rules", RULESET_PARAMS)
def test_the_technical_weight_of_quality_and_cost_is_accepted_at_both_ends_of_its_range_and_refused_outside(rules):
    low, high = rules.merit_weights.value
    assert (low, high) == (60, 80) and "Pasal 48" in rules.merit_weights.article
    for technical in (low, high):
        assert problems(rules, _quality_and_cost(rules, technical, 100 - technical)) == {}, technical
    for technical in (low - 1, high + 1):
        refused = problems(rules, _quality_and_cost(rules, technical, 100 - technical))
        assert list(refused) == ["technical_weight"], technical
        assert rules.merit_weights.article in refused["technical_weight"][0]


@pytest.mark.parametrize(("technical", "price"), [(70, 20), (70, 40), (70, None), (None, 30)])
@pytest.mark.parametrize("rules", RULESET_PARAMS)
def test_weights_that_do_not_add_up_to_100_are_refused(rules, technical, price):
    refused = problems(rules, _quality_and_cost(rules, technical, price))
    assert refused == {"technical_weight": ["The technical and price weights must add up to 100%."]}


@pytest.mark.parametrize("rules", RULESET_PARAMS)
def test_merit_points_take_weights_and_knockout_refuses_them(rules):
    merit = valid_values(
        rules,
        Method.OPEN_TENDER,
        Category.CONSTRUCTION,
        hps=Decimal("3000000000"),
        file_system=FileSystem.TWO_FILES,
        evaluation_method=EvaluationMethod.MERIT_POINT,
        technical_weight=70,
        price_weight=30,
    )
    assert problems(rules, merit) == {}
    assert list(problems(rules, {**merit, "technical_weight": None, "price_weight": None})) == ["technical_weight"]
    knockout = {**merit, "file_system": FileSystem.ONE_FILE, "evaluation_method": EvaluationMethod.KNOCKOUT}
    refused = problems(rules, knockout)
    assert refused == {"technical_weight": ["Weights are set only for merit-point and quality-and-cost evaluations."]}


# --- Qualification per category (Perpres 54/2010 Pasal 56) ----------------------------------------------------


QUALIFICATIONS = [
    pytest.param(
        rules, method, category, qualification, id=f"{version}-{method.value}-{category.value}-{qualification}"
    )
    for version, rules in RULESETS.items()
    for method, method_rule in rules.methods.items()
    for category in sorted(method_rule.categories)
    for qualification in Qualification
]


@pytest.mark.parametrize(("rules", "method", "category", "qualification"), QUALIFICATIONS)
def test_each_method_and_category_takes_only_the_qualification_of_pasal_56(rules, method, category, qualification):
    method_rule = rules.method(method)
    values = valid_values(rules, method, category, hps=Decimal("1000000"), qualification=qualification)
    refused = problems(rules, values)
    if qualification in method_rule.qualifications[category]:
        assert refused == {}
    else:
        assert list(refused) == ["qualification"]
        assert method_rule.article in refused["qualification"][0] and "Pasal" in method_rule.article


def test_the_qualifications_are_those_of_pasal_56():
    pre, post = frozenset({Qualification.PRE}), frozenset({Qualification.POST})
    for rules in RULESETS.values():
        qualifications = {method: rule.qualifications for method, rule in rules.methods.items()}
        # Pasal 56(4)a, (9)c: consultancy firms after prakualifikasi, individual consultants after pascakualifikasi.
        for method in (Method.OPEN_SELECTION, Method.SIMPLE_SELECTION):
            assert qualifications[method][Category.CONSULTANCY_FIRM] == pre
            assert qualifications[method][Category.CONSULTANCY_INDIVIDUAL] == post
        # Pasal 56(9)b: the simple methods after pascakualifikasi.
        assert set(qualifications[Method.SIMPLE_TENDER].values()) == {post}
        assert set(qualifications[Method.DIRECT_SELECTION].values()) == {post}
        # Pasal 56(4)b, (9)a: Lelang Umum either way.
        assert set(qualifications[Method.OPEN_TENDER].values()) == {pre | post}
        # Pasal 56(4)d, (4a): Pengadaan Langsung of works and consultancy after prakualifikasi.
        direct = qualifications[Method.DIRECT_PROCUREMENT]
        assert direct[Category.CONSTRUCTION] == pre and direct[Category.CONSULTANCY_FIRM] == pre
        assert direct[Category.GOODS] == post and direct[Category.OTHER_SERVICES] == post


# --- Method per category, file system with evaluation, contract types -----------------------------------------


MISMATCHES = [
    pytest.param(rules, method, category, id=f"{version}-{method.value}-{category.value}")
    for version, rules in RULESETS.items()
    for method, method_rule in rules.methods.items()
    for category in sorted(set(Category) - method_rule.categories)
]


@pytest.mark.parametrize(("rules", "method", "category"), MISMATCHES)
def test_a_method_is_refused_for_a_category_it_does_not_serve(rules, method, category):
    # Lelang Sederhana is for goods and other services (Pasal 38(1)), Pemilihan Langsung for works (Pasal 38(5)).
    method_rule = rules.method(method)
    values = {
        **valid_values(rules, method, sorted(method_rule.categories)[0], hps=Decimal("1000000")),
        "category": category,
        "contract_type": ContractType.LUMP_SUM,
    }
    refused = problems(rules, values)
    assert any(method_rule.article in message for message in refused["method"])
    assert "qualification" not in refused  # the qualification is judged only for a category the method serves


@pytest.mark.parametrize(
    ("rules", "method"), [pytest.param(r, m, id=f"{v}-{m.value}") for v, r in RULESETS.items() for m in r.methods]
)
def test_only_the_file_system_and_evaluation_pairs_of_the_method_are_accepted(rules, method):
    # Perpres 54/2010 Pasal 47-48: gugur with one file, merit points and life-cycle cost with two, and so on.
    method_rule = rules.method(method)
    category = sorted(method_rule.categories)[0]
    wrong = []
    for file_system, evaluation in product(FileSystem, EvaluationMethod):
        weights = (70, 30) if evaluation in WEIGHTED else (None, None)
        values = valid_values(
            rules,
            method,
            category,
            hps=Decimal("1000000"),
            file_system=file_system,
            evaluation_method=evaluation,
            technical_weight=weights[0],
            price_weight=weights[1],
        )
        refused = problems(rules, values)
        allowed = (file_system, evaluation) in method_rule.combinations
        if allowed == ("evaluation_method" in refused) or (allowed and refused):
            wrong.append((file_system.value, evaluation.value, refused))
    assert wrong == []


def test_sistem_gugur_with_two_files_names_what_is_allowed():
    rules = RULESETS["perpres-70-2012"]
    values = valid_values(
        rules, Method.SIMPLE_TENDER, Category.GOODS, hps=Decimal("1000000"), file_system=FileSystem.TWO_FILES
    )
    [message] = problems(rules, values)["evaluation_method"]
    assert message.startswith("Dua File (technical and price envelopes) with Sistem Gugur")
    assert "allowed: Satu File (one envelope) + Sistem Gugur (pass/fail, lowest price)" in message


@pytest.mark.parametrize(
    ("category", "contract_type"),
    [pytest.param(c, t, id=f"{c.value}-{t.value}") for c, t in product(Category, ContractType)],
)
@pytest.mark.parametrize("rules", RULESET_PARAMS)
def test_each_category_takes_only_its_contract_types(rules, category, contract_type):
    # Perpres 54/2010 Pasal 50-51: e.g. turnkey only for works, percentage and time-based only for consultancy.
    method = Method.OPEN_SELECTION if category in CONSULTANCY else Method.OPEN_TENDER
    values = valid_values(rules, method, category, hps=Decimal("3000000000"), contract_type=contract_type)
    refused = problems(rules, values)
    if contract_type in rules.contract_types[category]:
        assert refused == {}
    else:
        assert list(refused) == ["contract_type"]
        assert (
            rules.contract_types_article in refused["contract_type"][0] and "Pasal 50-51" in refused["contract_type"][0]
        )


# --- Who runs a method (Perbup Ketapang 8/2011 Pasal 1(12); Perpres 54/2010 Pasal 17) ------------------------------


@pytest.mark.parametrize(
    ("rules", "method"), [pytest.param(r, m, id=f"{v}-{m.value}") for v, r in RULESETS.items() for m in r.methods]
)
def test_a_pejabat_pengadaan_runs_only_pengadaan_langsung_and_a_pokja_runs_every_method(rules, method):
    method_rule = rules.method(method)
    category = sorted(method_rule.categories)[0]
    values = valid_values(rules, method, category, hps=Decimal("1000000"))
    assert problems(rules, values, runner_roles={Role.POKJA}) == {}
    official = problems(rules, values, runner_roles={Role.PEJABAT_PENGADAAN})
    if method == Method.DIRECT_PROCUREMENT:
        assert official == {}
    else:
        assert list(official) == ["method"]
        assert "a Pejabat Pengadaan runs Pengadaan Langsung only" in official["method"][0]
    assert "method" in problems(rules, values, runner_roles=set())  # neither role: nobody may run it


def test_a_method_outside_the_ruleset_is_refused():
    rules = RULESETS["perpres-70-2012"]
    values = {**valid_values(rules, Method.OPEN_TENDER, Category.GOODS, hps=Decimal("1000000")), "method": "e_katalog"}
    with pytest.raises(ValidationError) as refused:
        check_classification(rules, values=values, budget=BUDGET, runner_roles={Role.POKJA})
    assert refused.value.message_dict["method"] == [
        "This method is not in the ruleset Perpres 54/2010 jo. Perpres 70/2012."
    ]


# --- Schedules: minimum durations and gaps (Perpres 54/2010 Pasal 60-62) ------------------------------------------

# One tender of each schedule profile: FULL (Pasal 60, 61), SIMPLE (Pasal 62) and DIRECT (Pasal 39), with post- and
# pre-qualification where the profile has both.
PROFILES = [
    (Method.OPEN_TENDER, Qualification.POST),
    (Method.OPEN_TENDER, Qualification.PRE),
    (Method.SIMPLE_TENDER, Qualification.POST),
    (Method.SIMPLE_SELECTION, Qualification.PRE),
    (Method.DIRECT_PROCUREMENT, Qualification.PRE),
]
FIRST_DAY = date(2026, 4, 6)  # a Monday after Easter (Good Friday 3 April 2026)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WIB)


def previous_working_day(day: date) -> date:
    day -= timedelta(days=1)
    while not CALENDAR.is_working_day(day):
        day -= timedelta(days=1)
    return day


def stages_of(method, qualification) -> tuple:
    return lifecycle.stages_for(method=method, qualification=qualification, file_system=FileSystem.ONE_FILE)


def minimums_of(rules, method) -> dict:
    profile = periods(rules, method)
    return {**profile.minimums, Stage.OBJECTIONS: profile.objection}


def gaps_of(rules, method, stages) -> list:
    return [
        gap
        for gap in periods(rules, method).gaps
        if gap.after in stages and gap.stage in stages and (gap.only_with is None or gap.only_with in stages)
    ]


def anchor_day(slots: dict, gap) -> date:
    slot = slots[gap.after]
    return (slot.ends_at if gap.from_end else slot.starts_at).astimezone(WIB).date()


def tightest_schedule(rules, method, qualification) -> dict:
    """The shortest schedule the ruleset allows: every stage from 08:00 on its first day to 16:00 on its last,
    each minimum exactly met and each gap exactly kept; other stages one working day each, one after another.
    With post-qualification the download runs from the announcement to the bid deadline, as SPSE does."""
    stages = stages_of(method, qualification)
    minimums = minimums_of(rules, method)
    gaps = gaps_of(rules, method, stages)
    slots: dict = {}
    next_day = FIRST_DAY
    for stage in stages:
        if stage == Stage.DOCUMENT_DOWNLOAD and Stage.ANNOUNCEMENT_POST in slots:
            slots[stage] = slots[Stage.ANNOUNCEMENT_POST]  # its end follows the bid deadline below
            continue
        starts = [
            CALENDAR.add_working_days(anchor_day(slots, g), g.days) for g in gaps if g.stage == stage and not g.to_end
        ]
        first = max(starts) if starts else next_day
        length = minimums[stage].value if stage in minimums else 1
        last = CALENDAR.add_working_days(first, max(length, 1) - 1)
        ends = [CALENDAR.add_working_days(anchor_day(slots, g), g.days) for g in gaps if g.stage == stage and g.to_end]
        last = max([last, *ends])
        slots[stage] = Slot(at(first, 8), at(last, 16))
        next_day = CALENDAR.add_working_days(last, 1)
    if Stage.ANNOUNCEMENT_POST in slots:
        slots[Stage.DOCUMENT_DOWNLOAD] = Slot(slots[Stage.ANNOUNCEMENT_POST].starts_at, slots[Stage.BID_UPLOAD].ends_at)
    return slots


def schedule_problems(rules, method, qualification, slots, *, stages=None, calendar=CALENDAR, tz="Asia/Jakarta"):
    try:
        check_schedule(
            rules,
            stages=stages or stages_of(method, qualification),
            slots=slots,
            method=method,
            calendar=calendar,
            tz=tz,
        )
    except ValidationError as error:
        return error.messages
    return []


def _profile_id(version, method, qualification):
    return f"{version}-{method.value}-{qualification.value}"


TIGHTEST = [
    pytest.param(rules, method, qualification, id=_profile_id(version, method, qualification))
    for version, rules in RULESETS.items()
    for method, qualification in PROFILES
]


@pytest.mark.parametrize(("rules", "method", "qualification"), TIGHTEST)
def test_the_tightest_schedule_the_rules_allow_is_accepted(rules, method, qualification):
    slots = tightest_schedule(rules, method, qualification)
    assert schedule_problems(rules, method, qualification, slots) == []


MINIMUMS = [
    pytest.param(
        rules, method, qualification, stage, rule, id=f"{_profile_id(version, method, qualification)}-{stage.value}"
    )
    for version, rules in RULESETS.items()
    for method, qualification in PROFILES
    for stage, rule in minimums_of(rules, method).items()
    if stage in stages_of(method, qualification) and rule.value > 0
]


@pytest.mark.parametrize(("rules", "method", "qualification", "stage", "rule"), MINIMUMS)
def test_a_stage_lasting_its_minimum_is_accepted_and_one_working_day_less_is_refused(
    rules, method, qualification, stage, rule
):
    # Pengumuman 7 hari kerja (Pasal 60(1)a, 61(1)a) or 3 (Pasal 62); masa sanggah 5 (Pasal 61(1)g) or 3 (62(2)i).
    slots = tightest_schedule(rules, method, qualification)
    slot = slots[stage]
    assert CALENDAR.working_days_between(slot.starts_at.date(), slot.ends_at.date()) == rule.value
    assert schedule_problems(rules, method, qualification, slots) == []
    shorter = previous_working_day(slot.ends_at.date())
    slots[stage] = Slot(slot.starts_at, at(shorter, 16))
    messages = schedule_problems(rules, method, qualification, slots)
    assert f"{stage.label} must last at least {rule.value} working days ({rule.article})." in messages
    assert "Pasal" in rule.article


GAPS = [
    pytest.param(
        rules,
        method,
        qualification,
        gap,
        id=f"{_profile_id(version, method, qualification)}-{gap.after.value}-{gap.stage.value}"
        f"-{'end' if gap.to_end else 'start'}-{gap.days}",
    )
    for version, rules in RULESETS.items()
    for method, qualification in PROFILES
    for gap in gaps_of(rules, method, stages_of(method, qualification))
]


def _move(slots: dict, gap, day: date) -> dict:
    """`slots` with the moment `gap` constrains moved to `day`, keeping its time of day."""
    slot = slots[gap.stage]
    if gap.to_end:
        moved = Slot(slot.starts_at, datetime.combine(day, slot.ends_at.timetz()))
    else:
        moved = Slot(datetime.combine(day, slot.starts_at.timetz()), slot.ends_at)
    return {**slots, gap.stage: moved}


@pytest.mark.parametrize(("rules", "method", "qualification", "gap"), GAPS)
def test_a_stage_at_its_gap_is_accepted_and_one_working_day_earlier_is_refused(rules, method, qualification, gap):
    # Pasal 60(1), 61(1)c, e and 62(2)h: the explanation, the bids and the qualification data come so many
    # working days after the announcement, the invitation or the explanation.
    slots = tightest_schedule(rules, method, qualification)
    limit = CALENDAR.add_working_days(anchor_day(slots, gap), gap.days)
    at_limit = schedule_problems(rules, method, qualification, _move(slots, gap, limit))
    assert not [message for message in at_limit if gap.article in message]
    earlier = previous_working_day(limit)
    messages = schedule_problems(rules, method, qualification, _move(slots, gap, earlier))
    verb = "end" if gap.to_end else "start"
    expected = (
        f"{gap.stage.label} can {verb} at the earliest {gap.days} working days after {gap.after.label} ({gap.article})."
    )
    assert expected in messages
    assert "Pasal" in gap.article


def test_every_minimum_and_gap_of_every_ruleset_is_exercised_above():
    """A new Periods entry or Gap that none of the PROFILES reaches would go untested: add a profile for it."""
    exercised_minimums = {(id(periods(p.values[0], p.values[1])), p.values[3]) for p in MINIMUMS}
    exercised_gaps = {(id(periods(p.values[0], p.values[1])), p.values[3]) for p in GAPS}
    for rules in RULESETS.values():
        for profile in rules.periods.values():
            minimums = {**profile.minimums, Stage.OBJECTIONS: profile.objection}
            for stage, rule in minimums.items():
                if rule.value > 0:
                    assert (id(profile), stage) in exercised_minimums, (rules.version, stage)
            for gap in profile.gaps:
                assert (id(profile), gap) in exercised_gaps, (rules.version, gap)


def test_the_periods_are_those_of_the_law():
    for rules in RULESETS.values():
        full, simple = periods(rules, Method.OPEN_TENDER), periods(rules, Method.SIMPLE_TENDER)
        assert full.minimums[Stage.ANNOUNCEMENT_POST].value == 7  # Pasal 61(1)a
        assert full.minimums[Stage.ANNOUNCEMENT_PRE].value == 7  # Pasal 60(1)a
        assert simple.minimums[Stage.ANNOUNCEMENT_POST].value == 3  # Pasal 62(1)
        assert simple.minimums[Stage.ANNOUNCEMENT_PRE].value == 3  # Pasal 62(2)
        assert (full.objection.value, simple.objection.value) == (5, 3)  # Pasal 61(1)g, 62(2)i, 81(2)
        assert periods(rules, Method.OPEN_SELECTION) is full
        assert periods(rules, Method.DIRECT_SELECTION) is simple and periods(rules, Method.SIMPLE_SELECTION) is simple
        assert rules.addendum_notice.value == 2 and rules.bytes_grace.value == timedelta(minutes=60)


# --- Bytes grace (DESIGN 5) and stage sequences ---------------------------------------------------------------

GRACE = [
    pytest.param(rules, opening, id=f"{version}-{opening.value}")
    for version, rules in RULESETS.items()
    for opening in sorted(set(OPENING_STAGE_OF_ENVELOPE.values()) - {Stage.OPENING_PRICE})
]


@pytest.mark.parametrize(("rules", "opening"), GRACE)
def test_an_opening_exactly_at_the_deadline_plus_grace_is_refused_and_a_minute_later_accepted(rules, opening):
    grace = rules.bytes_grace.value
    deadline = at(FIRST_DAY + timedelta(days=1), 14)
    upload = Slot(at(FIRST_DAY, 8), deadline)
    stages = (Stage.BID_UPLOAD, opening)
    exactly = {Stage.BID_UPLOAD: upload, opening: Slot(deadline + grace, at(FIRST_DAY + timedelta(days=1), 16))}
    messages = schedule_problems(rules, Method.OPEN_TENDER, None, exactly, stages=stages)
    assert messages == [
        f"{opening.label} must start after the bid deadline and its grace period of "
        f"{int(grace.total_seconds() // 60)} minutes for bids committed in time ({rules.bytes_grace.article})."
    ]
    later = {**exactly, opening: Slot(deadline + grace + timedelta(minutes=1), exactly[opening].ends_at)}
    assert schedule_problems(rules, Method.OPEN_TENDER, None, later, stages=stages) == []


SEQUENCES = [
    pytest.param(rules, before, after, id=f"{version}-{before.value}-{after.value}")
    for version, rules in RULESETS.items()
    for before, after in rules.sequences
    if not (before == Stage.BID_UPLOAD and after in OPENING_STAGE_OF_ENVELOPE.values())  # the grace test above
]


@pytest.mark.parametrize(("rules", "before", "after"), SEQUENCES)
def test_a_stage_that_must_follow_another_may_start_when_it_ends_but_not_a_minute_earlier(rules, before, after):
    # Pengadaan Langsung has no minimums or gaps (Pasal 39), so only the sequence speaks here.
    end = at(FIRST_DAY + timedelta(days=1), 10)
    stages = (before, after)
    touching = {before: Slot(at(FIRST_DAY, 8), end), after: Slot(end, at(FIRST_DAY + timedelta(days=2), 16))}
    assert schedule_problems(rules, Method.DIRECT_PROCUREMENT, None, touching, stages=stages) == []
    overlapping = {**touching, after: Slot(end - timedelta(minutes=1), touching[after].ends_at)}
    assert schedule_problems(rules, Method.DIRECT_PROCUREMENT, None, overlapping, stages=stages) == [
        f"{after.label} can start only after {before.label} has ended."
    ]


def test_a_schedule_missing_a_stage_or_out_of_order_or_ending_before_it_starts_is_refused():
    rules = RULESETS["perpres-70-2012"]
    method, qualification = Method.OPEN_TENDER, Qualification.POST
    slots = tightest_schedule(rules, method, qualification)
    missing = {stage: slot for stage, slot in slots.items() if stage != Stage.CONTRACT}
    assert schedule_problems(rules, method, qualification, missing) == [
        f"Every stage needs a start and an end: {Stage.CONTRACT.label}."
    ]
    contract = slots[Stage.CONTRACT]
    backwards = {**slots, Stage.CONTRACT: Slot(contract.ends_at, contract.starts_at)}
    assert schedule_problems(rules, method, qualification, backwards) == [
        f"{Stage.CONTRACT.label} must end after it starts."
    ]
    early_contract = {**slots, Stage.CONTRACT: Slot(slots[Stage.OBJECTIONS].starts_at, contract.ends_at)}
    messages = schedule_problems(rules, method, qualification, early_contract)
    assert f"{Stage.CONTRACT.label} cannot start before {Stage.AWARD_LETTER.label}." in messages
