"""The indicators over hand-built compiled releases: for each, a case that fires, one that does not, and the
threshold boundary, after Cardinal's definitions (open-contracting/cardinal-rs docs/cli/indicators/R/*.md)."""

from datetime import date

import pytest

from eproc.risk import indicators
from eproc.risk.thresholds import DEFAULTS, _merge, thresholds

from .builders import award, bid, priced, release

TODAY = date(2026, 3, 2)


def run(releases, **overrides):
    return indicators.compute(releases, _merge(DEFAULTS, overrides), TODAY)


def fired(results, code) -> set[str]:
    return {ocid for ocid, flags in results.processes.items() if code in flags}


def flagged_organizations(results, code) -> set[tuple[str, str]]:
    return {key for key, flags in results.organizations.items() if code in flags}


def test_quantiles_are_statrs_r8_estimator_that_cardinal_uses():
    # statrs' own test data and expectations (src/statistics/slice_statistics.rs, test_quantile_short).
    data = [-1.0, 5.0, 0.0, -3.0, 10.0, -0.5, 4.0, 0.2, 1.0, 6.0]
    assert indicators.quantile(data, 0.0) == -3.0
    assert indicators.quantile(data, 1.0) == 10.0
    assert indicators.quantile(data, 0.5) == pytest.approx(3.0 / 5.0)
    assert indicators.quantile(data, 0.2) == pytest.approx(-4.0 / 5.0)
    assert indicators.quantile(data, 0.7) == pytest.approx(137.0 / 30.0)
    assert indicators.quantile(data, 0.01) == -3.0
    assert indicators.quantile(data, 0.99) == 10.0
    assert indicators.quantile(data, 0.52) == pytest.approx(287.0 / 375.0)
    assert indicators.quantile(data, 0.325) == pytest.approx(-37.0 / 240.0)


# R003: shorter than 15 whole days fires; exactly 15 days does not; a few seconds short of 15 days is 14 whole days.
@pytest.mark.parametrize(
    ("start", "end", "overrides", "fires"),
    [
        ("2026-01-05T08:00:00+07:00", "2026-01-08T08:00:00+07:00", {}, True),
        ("2026-01-05T08:00:00+07:00", "2026-01-20T08:00:00+07:00", {}, False),
        ("2026-01-05T08:00:00+07:00", "2026-01-20T07:59:59+07:00", {}, True),
        ("2026-01-05T08:00:00+07:00", "2026-01-08T08:00:00+07:00", {"R003": {"threshold": 3}}, False),
        ("2026-01-05T08:00:00+07:00", "2026-01-08T08:00:00+07:00", {"R003": {"threshold": 4}}, True),
        # A threshold per procurementMethodDetails wins over the default one.
        (
            "2026-01-05T08:00:00+07:00",
            "2026-01-08T08:00:00+07:00",
            {"R003": {"procurement_method_details": {"Lelang Umum": 3}}},
            False,
        ),
        # Limited to other methods: an open tender is not assessed.
        (
            "2026-01-05T08:00:00+07:00",
            "2026-01-06T08:00:00+07:00",
            {"R003": {"procurement_methods": ["direct"]}},
            False,
        ),
        # The same instant written in another offset is the same period.
        ("2026-01-05T01:00:00Z", "2026-01-20T08:00:00+07:00", {}, False),
    ],
)
def test_r003_flags_a_submission_period_shorter_than_the_threshold(start, end, overrides, fires):
    process = release("ocds-t-r003", start=start, end=end)
    assert fired(run([process], **overrides), "R003") == ({"ocds-t-r003"} if fires else set())


@pytest.mark.parametrize(
    ("method", "number", "fires"),
    [("open", 1, True), ("selective", 1, True), ("open", 2, False), ("direct", 1, False), ("limited", 1, False)],
)
def test_r018_flags_a_single_bid_in_a_competitive_procedure(method, number, fires):
    process = release("ocds-t-r018", method=method, number_of_tenderers=number)
    assert fired(run([process]), "R018") == ({"ocds-t-r018"} if fires else set())


def test_r018_methods_are_a_setting():
    process = release("ocds-t-r018", method="limited", number_of_tenderers=1)
    assert fired(run([process], R018={"procurement_methods": ["limited"]}), "R018") == {"ocds-t-r018"}


# R024 / R058 with a fixed threshold: the difference (second - winner) / winner against the fence, inclusive.
@pytest.mark.parametrize(
    ("second", "threshold", "fires"),
    [(105, 0.05, True), (106, 0.05, False), (104, 0.05, True), (100, 0.05, True)],
)
def test_r024_flags_a_second_lowest_bid_at_or_under_the_lower_fence(second, threshold, fires):
    results = run([priced(100, second, ocid="ocds-t-r024")], R024={"threshold": threshold})
    assert fired(results, "R024") == ({"ocds-t-r024"} if fires else set())


@pytest.mark.parametrize(("second", "fires"), [(150, True), (149, False), (300, True)])
def test_r058_flags_a_second_lowest_bid_at_or_over_the_upper_fence(second, fires):
    results = run([priced(100, second, ocid="ocds-t-r058")], R058={"threshold": 0.5})
    assert fired(results, "R058") == ({"ocds-t-r058"} if fires else set())


def _differences(*ratios):
    return [priced(1000, 1000 * (1 + ratio), ocid=f"ocds-t-d{index}") for index, ratio in enumerate(ratios)]


def test_r024_and_r058_fences_are_quartiles_over_every_process_with_a_price_comparison():
    releases = _differences(0.10, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17, 0.002, 0.90)
    results = run(releases)
    ratios = [0.10, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17, 0.002, 0.90]
    q1, q3 = indicators.quantile(ratios, 0.25), indicators.quantile(ratios, 0.75)
    assert results.meta["R024"]["lower_fence"] == pytest.approx(q1 - 1.5 * (q3 - q1))
    assert results.meta["R058"]["upper_fence"] == pytest.approx(q3 + 1.5 * (q3 - q1))
    assert fired(results, "R024") == {"ocds-t-d8"}  # 0.2% above the winner
    assert fired(results, "R058") == {"ocds-t-d9"}  # 90% above the winner
    flag = results.processes["ocds-t-d8"]["R024"]
    assert flag.value == pytest.approx(0.002)
    assert [fact.value for fact in flag.facts[:2]] == [pytest.approx(0.002), 1000]


def test_r024_is_skipped_when_most_processes_have_no_difference():
    # Q1 is 0: a lower fence under it would flag a quarter of the processes for nothing (Cardinal's guard).
    results = run(_differences(0, 0, 0, 0, 0, 0.1, 0.2, 0.3))
    assert fired(results, "R024") == set()


@pytest.mark.parametrize(
    "process",
    [
        # The winner is not the lowest bidder: the award criteria are not price only.
        release("ocds-t-x", bids=[bid("W", 110), bid("L", 100)], awards=[award("W", 110)]),
        # An award still pending: results would not be stable.
        release("ocds-t-x", bids=[bid("W", 100), bid("L", 101)], awards=[award("W", 100), award("L", 101, "pending")]),
        # Two active awards (lots): who competed with whom is unknown.
        release("ocds-t-x", bids=[bid("W", 100), bid("L", 101)], awards=[award("W", 100), award("L", 101)]),
        # The second-lowest bid is disqualified: only valid bids count.
        release("ocds-t-x", bids=[bid("W", 100), bid("L", 101, "disqualified")], awards=[award("W", 100)]),
        # A cancelled tender is left out of every indicator.
        priced(100, 101, ocid="ocds-t-x", status="cancelled"),
    ],
)
def test_r024_leaves_out_processes_cardinal_excludes(process):
    assert fired(run([process], R024={"threshold": 0.05}), "R024") == set()


def test_price_comparisons_can_be_turned_off_per_procurement_method_details():
    process = priced(100, 101, ocid="ocds-t-x", details="Pengadaan Langsung")
    assert fired(run([process], R024={"threshold": 0.05}), "R024") == {"ocds-t-x"}
    off = run([process], R024={"threshold": 0.05}, no_price_comparison_procurement_methods=["Pengadaan Langsung"])
    assert fired(off, "R024") == set()
    only = run([process], R024={"threshold": 0.05}, price_comparison_procurement_methods=["Lelang Umum"])
    assert fired(only, "R024") == set()


def _r025_world(wins_of_t: int):
    """W1..W7 each win one process against T; T wins `wins_of_t` processes against W1."""
    releases = [
        release(f"ocds-t-w{i}", bids=[bid(f"W{i}", 100), bid("T", 120)], awards=[award(f"W{i}", 100)])
        for i in range(1, 8)
    ]
    releases += [
        release(f"ocds-t-t{i}", bids=[bid("T", 100), bid("W1", 120)], awards=[award("T", 100)])
        for i in range(wins_of_t)
    ]
    return releases


def test_r025_flags_a_top_tenderer_whose_win_ratio_is_a_low_outlier():
    results = run(_r025_world(1))
    # Ratios: W1 1/2, W2..W7 1/1, T 1/8. Q1 = 0.7083, Q3 = 1, lower fence = 0.2708; T's 8 valid bids are at or
    # above the 75th percentile of valid bids (1.583).
    assert results.meta["R025"]["q1"] == pytest.approx(0.5 + ((8 + 1 / 3) * 0.25 + 1 / 3 - 2) * 0.5)
    assert flagged_organizations(results, "R025") == {("Tenderer", "T")}
    flag = results.organizations[("Tenderer", "T")]["R025"]
    assert flag.value == pytest.approx(1 / 8)
    # Shown on every process T bid in.
    assert {ocid for ocid in results.related if ("Tenderer", "T", "R025") in results.related[ocid]} == {
        *(f"ocds-t-w{i}" for i in range(1, 8)),
        "ocds-t-t0",
    }
    assert "R025" in {flag.code for flag in results.flags_for("ocds-t-w3")}


def test_r025_does_not_flag_a_top_tenderer_that_wins_often_enough():
    assert flagged_organizations(run(_r025_world(4)), "R025") == set()


@pytest.mark.parametrize(("threshold", "fires"), [(0.125, True), (0.12, False)])
def test_r025_lower_fence_is_a_setting_and_inclusive(threshold, fires):
    results = run(_r025_world(1), R025={"threshold": threshold})
    assert flagged_organizations(results, "R025") == ({("Tenderer", "T")} if fires else set())


@pytest.mark.parametrize(
    ("bids", "fires"),
    [
        ([bid("A", 100), bid("B", 100)], True),
        ([bid("A", 100), bid("B", 101)], False),
        ([bid("A", 100), bid("A", 100)], False),  # one tenderer may repeat its own price
        ([bid("A", 100), bid("B", 100, "withdrawn")], False),  # a withdrawn bid was not submitted
        ([bid("A", 100), bid("B", 100, "disqualified")], True),
    ],
)
def test_r028_flags_identical_prices_from_different_tenderers(bids, fires):
    results = run([release("ocds-t-r028", bids=bids)])
    assert fired(results, "R028") == ({"ocds-t-r028"} if fires else set())


@pytest.mark.parametrize(
    ("received", "winner", "fires"),
    [
        ("2026-01-20T08:00:01+07:00", "W", True),
        ("2026-01-20T08:00:00+07:00", "W", False),  # at the deadline is on time
        ("2026-01-20T01:00:01Z", "W", True),  # the same moment in UTC, one second late
        ("2026-01-21T08:00:00+07:00", "L", False),  # a late bid that did not win
    ],
)
def test_r030_flags_a_winning_bid_received_after_the_deadline(received, winner, fires):
    process = release(
        "ocds-t-r030",
        bids=[bid("W", 100, date=received), bid("L", 120)],
        awards=[award(winner, 100)],
    )
    assert fired(run([process]), "R030") == ({"ocds-t-r030"} if fires else set())


@pytest.mark.parametrize(
    ("bids", "threshold", "fires"),
    [
        ([bid("W", 100), bid("A", 90, "disqualified")], 1, True),
        ([bid("W", 100), bid("A", 90, "disqualified")], 2, False),
        ([bid("W", 100), bid("A", 90, "disqualified"), bid("B", 95, "disqualified")], 2, True),
        ([bid("W", 100), bid("A", 90, "disqualified"), bid("B", 95)], 1, False),  # another valid tenderer
        ([bid("W", 100), bid("W", 90, "disqualified")], 1, False),  # only the winner's own bid
    ],
)
def test_r035_flags_a_lone_valid_winner_when_the_others_were_disqualified(bids, threshold, fires):
    results = run([release("ocds-t-r035", bids=bids, awards=[award("W", 100)])], R035={"threshold": threshold})
    assert fired(results, "R035") == ({"ocds-t-r035"} if fires else set())
    if fires:
        assert results.processes["ocds-t-r035"]["R035"].value == len(bids) - 1


@pytest.mark.parametrize(
    ("bids", "awards", "fires"),
    [
        ([bid("W", 100), bid("A", 90, "disqualified")], [award("W", 100)], True),
        ([bid("W", 100), bid("A", 110, "disqualified")], [award("W", 100)], False),
        ([bid("W", 100), bid("A", 100, "disqualified")], [award("W", 100)], False),  # a tie: the first is lowest
        ([bid("W", 100), bid("A", 90, "disqualified")], [award("W", 100, "pending")], False),  # no active award
        ([bid("W", 100, "disqualified"), bid("A", 90, "disqualified")], [award("W", 100)], False),  # no valid bid
    ],
)
def test_r036_flags_a_disqualified_lowest_bid(bids, awards, fires):
    results = run([release("ocds-t-r036", bids=bids, awards=awards)])
    assert fired(results, "R036") == ({"ocds-t-r036"} if fires else set())


def _disqualifying(buyer, ocid, disqualified, valid, tenderers=("A", "B", "C", "D")):
    bids = [bid(tenderers[i], 100 + i, "disqualified") for i in range(disqualified)]
    bids += [bid(tenderers[disqualified + i], 200 + i) for i in range(valid)]
    return release(ocid, buyer=buyer, bids=bids)


@pytest.mark.parametrize(("threshold", "fires"), [(0.5, True), (0.51, False)])
def test_r038_flags_a_buyer_whose_disqualified_ratio_reaches_the_upper_fence(threshold, fires):
    releases = [
        _disqualifying("skpd-x", "ocds-t-x1", 2, 0),
        _disqualifying("skpd-x", "ocds-t-x2", 0, 2, ("E", "F")),  # shown only where a bid was disqualified
        _disqualifying("skpd-y", "ocds-t-y1", 0, 2, ("E", "F")),
        _disqualifying("skpd-y", "ocds-t-y2", 1, 1, ("E", "F")),
    ]
    results = run(releases, R038={"threshold": threshold})
    buyers = {key for key in flagged_organizations(results, "R038") if key[0] == "Buyer"}
    assert buyers == ({("Buyer", "skpd-x")} if fires else set())
    if fires:
        assert results.organizations[("Buyer", "skpd-x")]["R038"].value == pytest.approx(2 / 4)
        on = {ocid for ocid, related in results.related.items() if ("Buyer", "skpd-x", "R038") in related}
        assert on == {"ocds-t-x1"}


def test_r038_leaves_out_buyers_with_a_single_process_and_tenderers_with_a_single_bid():
    results = run([_disqualifying("skpd-z", "ocds-t-z1", 2, 0)], R038={"threshold": 0.5})
    assert flagged_organizations(results, "R038") == set()
    results = run(
        [_disqualifying("skpd-z", "ocds-t-z1", 2, 0)],
        R038={"threshold": 0.5, "minimum_contracting_processes": 1, "minimum_submitted_bids": 1},
    )  # noqa: E501
    assert flagged_organizations(results, "R038") == {("Buyer", "skpd-z"), ("Tenderer", "A"), ("Tenderer", "B")}


def test_r038_fence_is_computed_over_all_buyers_and_skipped_when_most_disqualify_nothing():
    clean = [_disqualifying(f"skpd-{i}", f"ocds-t-{i}-{j}", 0, 2) for i in range(6) for j in range(2)]
    outlier = [_disqualifying("skpd-bad", f"ocds-t-bad-{j}", 2, 1) for j in range(2)]
    results = run(clean + outlier)
    assert results.meta["R038"]["Buyer_upper_fence"] == 0
    assert {key for key in flagged_organizations(results, "R038") if key[0] == "Buyer"} == set()
    mixed = [_disqualifying(f"skpd-{i}", f"ocds-t-{i}-{j}", j % 2, 3 - j % 2) for i in range(6) for j in range(2)]
    results = run(mixed + outlier)
    # Six buyers at 1/6 and one at 4/6: Q1 = Q3 = 1/6, the fence is 1/6, and at least the fence is flagged.
    assert results.meta["R038"]["Buyer_upper_fence"] == pytest.approx(1 / 6)
    assert ("Buyer", "skpd-bad") in flagged_organizations(results, "R038")


def _direct(ocid, amount, *, buyer="skpd-1", supplier="S", date="2026-02-01T10:00:00+07:00"):
    return release(
        ocid, method="direct", details="Pengadaan Langsung", buyer=buyer, awards=[award(supplier, amount, date=date)]
    )  # noqa: E501


@pytest.mark.parametrize(("second", "fires"), [(100_000_000, True), (99_999_999, False)])
def test_r055_flags_direct_awards_to_one_supplier_adding_up_to_an_open_tender(second, fires):
    releases = [
        release("ocds-t-open", value=200_000_000, start="2026-01-05T08:00:00+07:00"),
        release("ocds-t-open-big", value=900_000_000),
        _direct("ocds-t-d1", 100_000_000),
        _direct("ocds-t-d2", second),
        _direct("ocds-t-other", 150_000_000, supplier="Z"),
    ]
    results = run(releases)
    assert results.meta["R055"]["lower_open_amount"] == 200_000_000
    expected = {("Buyer", "skpd-1"), ("Tenderer", "S")} if fires else set()
    assert flagged_organizations(results, "R055") == expected
    if fires:
        assert {flag.code for flag in results.flags_for("ocds-t-d1")} == {"R055"}
        assert results.flags_for("ocds-t-other") == []


def test_r055_counts_only_direct_awards_in_the_window_and_takes_a_fixed_threshold():
    releases = [
        _direct("ocds-t-d1", 100_000_000),
        _direct("ocds-t-d2", 100_000_000, date="2025-02-01T10:00:00+07:00"),  # more than 365 days ago
    ]
    assert flagged_organizations(run(releases, R055={"threshold": 150_000_000}), "R055") == set()
    assert flagged_organizations(run(releases, R055={"threshold": 100_000_000}), "R055") == {
        ("Buyer", "skpd-1"),
        ("Tenderer", "S"),
    }
    wider = run(releases, R055={"threshold": 200_000_000, "start_date": "2025-01-01"})
    assert flagged_organizations(wider, "R055") == {("Buyer", "skpd-1"), ("Tenderer", "S")}
    # No open tender in the window and no threshold set: nothing to compare with, nothing flagged.
    assert flagged_organizations(run(releases), "R055") == set()


def test_excluded_procurement_method_details_leave_every_indicator():
    process = release("ocds-t-x", details="Swakelola", number_of_tenderers=1)
    assert fired(run([process]), "R018") == {"ocds-t-x"}
    assert fired(run([process], exclusions={"procurement_method_details": ["Swakelola"]}), "R018") == set()


def test_another_currency_than_the_first_observed_is_left_out():
    releases = [priced(100, 101, ocid="ocds-t-idr"), priced(100, 101, ocid="ocds-t-usd")]
    for item in releases[1]["bids"]["details"]:
        item["value"]["currency"] = "USD"
    assert fired(run(releases, R024={"threshold": 0.05}), "R024") == {"ocds-t-idr"}


def test_the_score_counts_each_indicator_once_with_its_weight():
    process = release(
        "ocds-t-s",
        end="2026-01-06T08:00:00+07:00",
        bids=[bid("W", 100, date="2026-01-05T09:00:00+07:00"), bid("A", 100, "disqualified")],
        awards=[award("W", 100)],
    )
    results = run([process])
    codes = {flag.code for flag in results.flags_for("ocds-t-s")}
    # R025 fires too: with a single tenderer the fences are degenerate, exactly as in Cardinal.
    assert codes == {"R003", "R025", "R028", "R035"}
    assert results.score("ocds-t-s", DEFAULTS["weights"]) == 4
    assert results.score("ocds-t-s", {**DEFAULTS["weights"], "R035": 5}) == 8


def test_thresholds_are_cardinals_defaults_and_a_setting_overrides_them_key_by_key(settings):
    assert thresholds()["R003"]["threshold"] == 15
    assert thresholds()["R025"]["percentile"] == 75
    assert thresholds()["R035"]["threshold"] == 1
    assert thresholds()["R038"]["minimum_submitted_bids"] == 2
    assert thresholds()["R018"]["procurement_methods"] == ["open", "selective"]
    settings.EPROC_RISK_THRESHOLDS = {"R003": {"threshold": 7}, "weights": {"R018": 3}}
    assert thresholds()["R003"] == {"threshold": 7, "procurement_methods": [], "procurement_method_details": {}}
    assert thresholds()["weights"]["R018"] == 3
    assert thresholds()["weights"]["R003"] == 1
    assert DEFAULTS["R003"]["threshold"] == 15
