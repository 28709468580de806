"""Procurement red flags over OCDS compiled releases, after the Open Contracting Partnership's Cardinal
(open-contracting/cardinal-rs: the methodology in docs/cli/indicators/R/*.md and the code in src/indicators/*.rs).

Pure functions over a list of compiled releases (dicts, OCDS 1.1.5 with the bids extension): no database, no clock
(the caller passes `today`), no settings (the caller passes the thresholds, see thresholds.py). `compute` walks the
releases once, folding each into every indicator as Cardinal's `fold` does, then `finalize`s the indicators that
are statistics over the whole set (quartile fences across all contracting processes, tenderers or buyers).

What Cardinal does for every indicator is done here too: a contracting process is left out if its `ocid` is not a
string, its tender is cancelled, or its procurementMethodDetails is excluded by the settings; monetary values in
another currency than the main one (the setting, else the first observed) are left out; organisation references
without an `id` are ignored. Quartiles are statrs' (Cardinal's library) R-8 estimator, see `quantile`.

A result is a Flag on a contracting process (Cardinal's "OCID" group) or on an organisation (its "Buyer",
"ProcuringEntity" and "Tenderer" groups). An organisation's flag is shown on the contracting processes it concerns
(Cardinal's `--map` output): R038 on the buyer's processes with a disqualified bid and the tenderer's processes,
R025 on the tenderer's processes, R055 on the direct awards that add up to the total.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils.translation import gettext_lazy as _

OCID, BUYER, PROCURING_ENTITY, TENDERER = "OCID", "Buyer", "ProcuringEntity", "Tenderer"
CODES = ("R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R055", "R058")


@dataclass(frozen=True)
class Indicator:
    code: str
    title: str
    description: str
    why: str


# Titles and descriptions are Cardinal's (docs/cli/indicators/index.md); `why` summarises its "Why is this a red flag?".
CATALOG: dict[str, Indicator] = {
    indicator.code: indicator
    for indicator in [
        Indicator(
            "R003",
            _("Short submission period"),
            _("The submission period is too short."),
            _("Bidders who were told in advance have an edge when the others get little time to prepare a bid."),
        ),
        Indicator(
            "R018",
            _("Single bid received"),
            _("Only one tenderer submitted a bid in a competitive procedure."),
            _("In a competitive procedure, a lack of competition may mean that competition was suppressed."),
        ),
        Indicator(
            "R024",
            _("Price close to winning bid"),
            _("The difference between the winning bid and the second-lowest valid bid is a low outlier."),
            _("A colluding bidder can mimic competition with a bid priced just above its partner's."),
        ),
        Indicator(
            "R025",
            _("Excessive unsuccessful bids"),
            _("The ratio of winning bids to submitted bids of a top tenderer is a low outlier."),
            _("A colluding bidder can mimic competition by submitting bids meant to lose."),
        ),
        Indicator(
            "R028",
            _("Identical bid prices"),
            _("Different tenderers submitted bids with the same price."),
            _("A buyer can favour a bidder by leaking the other bidders' prices."),
        ),
        Indicator(
            "R030",
            _("Late bid won"),
            _("The winning bid was received after the submission deadline."),
            _("A buyer can favour a bidder by disregarding the submission deadline."),
        ),
        Indicator(
            "R035",
            _("All except winning bid disqualified"),
            _("Bids are disqualified if not submitted by the single tenderer of the winning bid."),
            _("A buyer can favour a bidder by disqualifying the other bids."),
        ),
        Indicator(
            "R036",
            _("Lowest bid disqualified"),
            _("The lowest submitted bid is disqualified, while the award criterion is price only."),
            _("A buyer can favour a bidder by disqualifying lower-priced bids."),
        ),
        Indicator(
            "R038",
            _("Excessive disqualified bids"),
            _("The ratio of disqualified bids to submitted bids is a high outlier per buyer or tenderer."),
            _("A buyer can favour bidders by disqualifying others; a colluding bidder can submit bids meant to fail."),
        ),
        Indicator(
            "R055",
            _("Direct awards above the competitive threshold"),
            _("The direct awards of one buyer to one supplier add up to at least the value of an open tender."),
            _("Splitting a purchase into direct awards avoids the open tender the total would require."),
        ),
        Indicator(
            "R058",
            _("Heavily discounted bid"),
            _("The difference between the winning bid and the second-lowest valid bid is a high outlier."),
            _("A bidder can win with a price too low to deliver the quality asked for."),
        ),
    ]
}


@dataclass(frozen=True)
class Fact:
    """One value behind a flag. `kind` tells the page how to show it: days, count, amount, ratio, datetime, date,
    text."""

    label: str
    value: object
    kind: str

    @property
    def percent(self) -> float | None:
        return self.value * 100 if self.kind == "ratio" else None


@dataclass
class Flag:
    code: str
    value: float  # Cardinal's output for the indicator
    facts: list[Fact]
    group: str = OCID
    subject_id: str = ""
    subject_name: str = ""

    @property
    def indicator(self) -> Indicator:
        return CATALOG[self.code]


@dataclass
class Results:
    processes: dict[str, dict[str, Flag]] = field(default_factory=dict)  # ocid -> code -> flag
    organizations: dict[tuple[str, str], dict[str, Flag]] = field(default_factory=dict)  # (group, id) -> code
    related: dict[str, set[tuple[str, str, str]]] = field(default_factory=dict)  # ocid -> {(group, id, code)}
    meta: dict[str, dict[str, float]] = field(default_factory=dict)  # quartiles and fences used
    summaries: dict[str, dict] = field(default_factory=dict)  # ocid -> what the pages show of the process

    def flags_for(self, ocid: str) -> list[Flag]:
        """The flags on a contracting process and on the organisations it involves, in code order."""
        flags = list(self.processes.get(ocid, {}).values())
        for group, subject_id, code in self.related.get(ocid, ()):
            flag = self.organizations.get((group, subject_id), {}).get(code)
            if flag is not None:
                flags.append(flag)
        return sorted(flags, key=lambda flag: (flag.code, flag.group, flag.subject_id))

    def score(self, ocid: str, weights: dict[str, float]) -> float:
        """Each indicator counts once per process, with its weight, however many organisations it names."""
        return sum(weights.get(code, 1) for code in {flag.code for flag in self.flags_for(ocid)})


# Helpers that read OCDS the way Cardinal does.


def quantile(values, tau: float) -> float:
    """statrs' `Data::quantile` (the R-8, median-unbiased estimator) that Cardinal's fences use."""
    data = sorted(values)
    n = len(data)
    if not data or not 0.0 <= tau <= 1.0:
        return math.nan
    h = (n + 1.0 / 3.0) * tau + 1.0 / 3.0
    hf = int(h)
    if hf <= 0 or tau == 0.0:
        return data[0]
    if hf >= n or tau == 1.0:
        return data[-1]
    a, b = data[hf - 1], data[hf]
    return a + (h - hf) * (b - a)


def _obj(container, key) -> dict:
    value = container.get(key) if isinstance(container, dict) else None
    return value if isinstance(value, dict) else {}


def _list(container, key) -> list:
    value = container.get(key) if isinstance(container, dict) else None
    return value if isinstance(value, list) else []


def _str(container, key) -> str | None:
    value = container.get(key) if isinstance(container, dict) else None
    return value if isinstance(value, str) else None


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _money(container) -> tuple[float, str] | None:
    value = _obj(container, "value")
    amount, currency = _number(value.get("amount")), _str(value, "currency")
    return None if amount is None or currency is None else (amount, currency)


def _datetime(text) -> datetime | None:
    """RFC 3339 only, as Cardinal's `DateTime::parse_from_rfc3339`: a time without its offset is not a moment."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _ids(parties) -> list[str]:
    return [party["id"] for party in parties if isinstance(party, dict) and isinstance(party.get("id"), str)]


def _submitted_bids(release) -> list[dict]:
    """Cardinal's `get_submitted_bids`: pending, valid and disqualified bids (not invited, not withdrawn)."""
    return [
        bid
        for bid in _list(_obj(release, "bids"), "details")
        if isinstance(bid, dict) and _str(bid, "status") not in (None, "invited", "withdrawn")
    ]


def _final_awards_and_bids(release) -> tuple[list[dict], list[dict]] | None:
    """Cardinal's `get_complete_awards_and_bids_if_all_awards_final`: the active awards and the bids, or None if
    there are no awards or bids, or an award is still pending (its results would not be stable)."""
    if not isinstance(release.get("awards"), list) or not isinstance(_obj(release, "bids").get("details"), list):
        return None
    active = []
    for award in _list(release, "awards"):
        status = _str(award, "status")
        if status == "active":
            active.append(award)
        elif status is not None and status not in ("cancelled", "unsuccessful"):
            return None
    return active, [bid for bid in _list(_obj(release, "bids"), "details") if isinstance(bid, dict)]


def _valid_single_tenderer_bids(details) -> list[tuple[str, float, str]]:
    """Cardinal's `get_tenderer_and_value_of_valid_bids`: (tenderer id, amount, currency) of valid bids by one
    tenderer."""
    rows = []
    for bid in details:
        tenderers = _list(bid, "tenderers")
        money = _money(bid)
        if _str(bid, "status") == "valid" and money and len(tenderers) == 1 and _ids(tenderers):
            rows.append((_ids(tenderers)[0], money[0], money[1]))
    return rows


def _matches_method(tender, methods: set[str]) -> bool:
    """Cardinal's `matches_procurement_method`: an empty set matches every method."""
    return not methods or _str(tender, "procurementMethod") in methods


def _matches_details(release, include: set[str], exclude: set[str]) -> bool:
    """Cardinal's `matches_procurement_method_details`: an allow list if given, else a deny list."""
    details = _str(_obj(release, "tender"), "procurementMethodDetails")
    if details is None:
        return not include
    return details in include if include else details not in exclude


class _Context:
    """What the indicators accumulate while folding (Cardinal's `Indicators` item)."""

    def __init__(self, config: dict, today: date):
        self.config = config
        self.r055_window = _r055_window(config, today)
        self.currency = config.get("currency")
        self.names: dict[str, str] = {}
        self.results = Results()
        self.ocid_tenderers: dict[str, set[str]] = defaultdict(set)  # Cardinal's Maps.ocid_tenderer
        # SecondLowestBidRatio (R024, R058): ocid -> (ratio, winner, its amount, lowest non-winner, its amount)
        self.second_lowest: dict[str, tuple[float, str, float, str, float]] = {}
        self.r025: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # tenderer -> [won, valid]
        self.r038: dict[str, dict[str, list[int]]] = {
            group: defaultdict(lambda: [0, 0, 0]) for group in (BUYER, PROCURING_ENTITY, TENDERER)
        }
        self.r038_ocids: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.r055_open_amounts: list[float] = []
        self.r055_direct: dict[tuple[str, str, str], list] = defaultdict(lambda: [0.0, set()])

    def same_currency(self, currency: str) -> bool:
        if self.currency is None:
            self.currency = currency
        return currency == self.currency

    def price_comparable(self, release) -> bool:
        return _matches_details(
            release,
            set(self.config["price_comparison_procurement_methods"]),
            set(self.config["no_price_comparison_procurement_methods"]),
        )

    def name(self, subject_id: str) -> str:
        return self.names.get(subject_id, subject_id)

    def flag_process(self, ocid: str, code: str, value: float, facts: list[Fact]) -> None:
        self.results.processes.setdefault(ocid, {})[code] = Flag(code, value, facts)

    def flag_organization(self, group: str, subject_id: str, code: str, value: float, facts, ocids) -> None:
        flag = Flag(code, value, facts, group, subject_id, self.name(subject_id))
        self.results.organizations.setdefault((group, subject_id), {})[code] = flag
        for ocid in ocids:
            self.results.related.setdefault(ocid, set()).add((group, subject_id, code))

    def remember(self, release, ocid: str) -> None:
        """Names of the organisations, and what the pages show of the process."""
        for party in [*_list(release, "parties"), _obj(release, "buyer")]:
            if _str(party, "id") and _str(party, "name"):
                self.names.setdefault(party["id"], party["name"])
        tender = _obj(release, "tender")
        for bid in _submitted_bids(release):
            for tenderer in _list(bid, "tenderers"):
                if _str(tenderer, "id"):
                    self.ocid_tenderers[ocid].add(tenderer["id"])
                    if _str(tenderer, "name"):
                        self.names.setdefault(tenderer["id"], tenderer["name"])
        money = _money(tender)
        self.results.summaries[ocid] = {
            "ocid": ocid,
            "tender_id": _str(tender, "id"),
            "title": _str(tender, "title") or "",
            "status": _str(tender, "status") or "",
            "method": _str(tender, "procurementMethod") or "",
            "method_details": _str(tender, "procurementMethodDetails") or "",
            "buyer": _str(_obj(release, "buyer"), "name") or "",
            "amount": money[0] if money else None,
            "date": _str(release, "date") or "",
        }


# The indicators. Each cites the Cardinal code it follows; "fold" reads one contracting process, "finalize" decides
# the statistical ones over the whole set.


def _r003_short_submission_period(ctx: _Context, release, ocid: str) -> None:
    """R003 Short submission period (cardinal-rs docs/cli/indicators/R/003.md, src/indicators/r003.rs).

    Flagged if /tender/tenderPeriod/endDate - startDate, in whole days, is shorter than the threshold (15 days; one
    per procurementMethodDetails may be set), for the configured procurement methods (default: all). Output 1.0."""
    config = ctx.config["R003"]
    tender = _obj(release, "tender")
    if not tender or not _matches_method(tender, set(config["procurement_methods"])):
        return
    period = _obj(tender, "tenderPeriod")
    start, end = _datetime(period.get("startDate")), _datetime(period.get("endDate"))
    if start is None or end is None:
        return
    days = math.trunc((end - start) / timedelta(days=1))  # chrono's num_days(): whole days, towards zero
    details = _str(tender, "procurementMethodDetails")
    threshold = config["procurement_method_details"].get(details, config["threshold"])
    if days < threshold:
        ctx.flag_process(
            ocid,
            "R003",
            1.0,
            [
                Fact(_("Submission period (whole days)"), days, "days"),
                Fact(_("Threshold (days)"), threshold, "days"),
                Fact(_("Period start"), start, "datetime"),
                Fact(_("Submission deadline"), end, "datetime"),
            ],
        )


def _r018_single_bid(ctx: _Context, release, ocid: str) -> None:
    """R018 Single bid received (cardinal-rs docs/cli/indicators/R/018.md, src/indicators/r018.rs).

    Flagged if /tender/numberOfTenderers is 1 and /tender/procurementMethod is competitive (open or selective).
    Output 1.0."""
    tender = _obj(release, "tender")
    number = tender.get("numberOfTenderers")
    if (
        _matches_method(tender, set(ctx.config["R018"]["procurement_methods"]))
        and isinstance(number, int)
        and not isinstance(number, bool)
        and number == 1
    ):
        ctx.flag_process(
            ocid,
            "R018",
            1.0,
            [
                Fact(_("Number of tenderers"), number, "count"),
                Fact(_("Procurement method"), _str(tender, "procurementMethod") or "", "text"),
            ],
        )


def _second_lowest_bid_ratio(ctx: _Context, release, ocid: str) -> None:
    """Cardinal's SecondLowestBidRatio (src/indicators/util.rs), shared by R024 and R058.

    Only price-comparable processes whose awards are all final, with exactly one active award to exactly one
    supplier. Over valid bids by one tenderer in the main currency: the winner's lowest bid and the lowest bid of
    anyone else; kept only if the latter is not lower (otherwise the award criteria are not price only)."""
    if not ctx.price_comparable(release):
        return
    final = _final_awards_and_bids(release)
    if final is None or len(final[0]) != 1:
        return
    suppliers = _ids(_list(final[0][0], "suppliers"))
    if len(_list(final[0][0], "suppliers")) != 1 or len(suppliers) != 1:
        return
    supplier = suppliers[0]
    winner = other = None
    for tenderer, amount, currency in _valid_single_tenderer_bids(final[1]):
        if not ctx.same_currency(currency):
            continue
        if tenderer == supplier:
            if winner is None or amount < winner[1]:
                winner = (tenderer, amount)
        elif other is None or amount < other[1]:
            other = (tenderer, amount)
    # A zero winning bid would divide by zero: Cardinal's `prepare` warns about such bids; here they are left out.
    if winner and other and other[1] >= winner[1] and winner[1] > 0:
        ctx.second_lowest[ocid] = ((other[1] - winner[1]) / winner[1], winner[0], winner[1], other[0], other[1])


def _second_lowest_facts(ctx: _Context, ocid: str, fences: list[Fact]) -> list[Fact]:
    ratio, winner, winner_amount, other, other_amount = ctx.second_lowest[ocid]
    return [
        Fact(_("Difference"), ratio, "ratio"),
        Fact(_("Winning bid"), winner_amount, "amount"),
        Fact(_("Winner"), ctx.name(winner), "text"),
        Fact(_("Second-lowest valid bid"), other_amount, "amount"),
        Fact(_("Second-lowest tenderer"), ctx.name(other), "text"),
        *fences,
    ]


def _r024_price_close_to_winning_bid(ctx: _Context) -> None:
    """R024 Price close to winning bid (cardinal-rs docs/cli/indicators/R/024.md, src/indicators/r024.rs).

    Difference = (second-lowest valid bid - winning bid) / winning bid. Flagged if the difference is at most the
    lower fence Q1 - 1.5 IQR of all differences (or the configured threshold); skipped when Q1 or the fence is not
    above zero, which would otherwise flag most processes. Output: the difference."""
    ratios = [row[0] for row in ctx.second_lowest.values()]
    if not ratios:
        return
    threshold = ctx.config["R024"]["threshold"]
    if threshold is None:
        q1, q3 = quantile(ratios, 0.25), quantile(ratios, 0.75)
        lower_fence = q1 - 1.5 * (q3 - q1)
        ctx.results.meta["R024"] = {"q1": q1, "q3": q3, "lower_fence": lower_fence}
        fences = [
            Fact(_("Lower fence (Q1 - 1.5 IQR)"), lower_fence, "ratio"),
            Fact("Q1", q1, "ratio"),
            Fact("Q3", q3, "ratio"),
        ]
    else:
        q1, lower_fence = 1.0, threshold  # Cardinal's dummy Q1 lets a fixed threshold pass the guard
        ctx.results.meta["R024"] = {"lower_fence": lower_fence}
        fences = [Fact(_("Lower fence (setting)"), lower_fence, "ratio")]
    if q1 > 0 and lower_fence > 0:
        for ocid, (ratio, *_rest) in ctx.second_lowest.items():
            if ratio <= lower_fence:
                ctx.flag_process(ocid, "R024", ratio, _second_lowest_facts(ctx, ocid, fences))


def _r058_heavily_discounted_bid(ctx: _Context) -> None:
    """R058 Heavily discounted bid (cardinal-rs docs/cli/indicators/R/058.md, src/indicators/r058.rs).

    Difference as in R024. Flagged if the difference is at least the upper fence Q3 + 1.5 IQR of all differences
    (or the configured threshold); skipped when the fence is not above zero. Output: the difference."""
    ratios = [row[0] for row in ctx.second_lowest.values()]
    if not ratios:
        return
    threshold = ctx.config["R058"]["threshold"]
    if threshold is None:
        q1, q3 = quantile(ratios, 0.25), quantile(ratios, 0.75)
        upper_fence = q3 + 1.5 * (q3 - q1)
        ctx.results.meta["R058"] = {"q1": q1, "q3": q3, "upper_fence": upper_fence}
        fences = [
            Fact(_("Upper fence (Q3 + 1.5 IQR)"), upper_fence, "ratio"),
            Fact("Q1", q1, "ratio"),
            Fact("Q3", q3, "ratio"),
        ]
    else:
        upper_fence = threshold
        ctx.results.meta["R058"] = {"upper_fence": upper_fence}
        fences = [Fact(_("Upper fence (setting)"), upper_fence, "ratio")]
    if upper_fence > 0:
        for ocid, (ratio, *_rest) in ctx.second_lowest.items():
            if ratio >= upper_fence:
                ctx.flag_process(ocid, "R058", ratio, _second_lowest_facts(ctx, ocid, fences))


def _r025_fold(ctx: _Context, release, ocid: str) -> None:
    """R025, per process (src/indicators/r025.rs `fold`): with all awards final and exactly one active award to one
    supplier, each tenderer of a valid bid (by one tenderer) counts one valid bid, and one win if it is the
    supplier; once per process, however many bids it submitted."""
    final = _final_awards_and_bids(release)
    if final is None or len(final[0]) != 1:
        return
    suppliers = _list(final[0][0], "suppliers")
    if len(suppliers) != 1 or not _ids(suppliers):
        return
    supplier = _ids(suppliers)[0]
    valid = set()
    for bid in final[1]:
        tenderers = _list(bid, "tenderers")
        if _str(bid, "status") == "valid" and len(tenderers) == 1 and _ids(tenderers):
            valid.add(_ids(tenderers)[0])
    for tenderer in valid:
        ctx.r025[tenderer][0] += int(tenderer == supplier)
        ctx.r025[tenderer][1] += 1


def _r025_excessive_unsuccessful_bids(ctx: _Context) -> None:
    """R025 Excessive unsuccessful bids (cardinal-rs docs/cli/indicators/R/025.md, src/indicators/r025.rs).

    Ratio = winning bids / valid bids per tenderer across all processes. A tenderer is flagged if its number of
    valid bids is at least the given percentile (75) of all tenderers' numbers (a top tenderer) and its ratio is at
    most the lower fence Q1 - 1.5 IQR of all ratios (or the configured threshold); skipped when Q1 or the fence is
    not above zero. Output: the ratio."""
    if not ctx.r025:
        return
    config = ctx.config["R025"]
    upper_fence = quantile([valid for _won, valid in ctx.r025.values()], config["percentile"] / 100)
    ratios = {tenderer: won / valid for tenderer, (won, valid) in ctx.r025.items()}
    if config["threshold"] is None:
        q1, q3 = quantile(ratios.values(), 0.25), quantile(ratios.values(), 0.75)
        lower_fence = q1 - 1.5 * (q3 - q1)
        ctx.results.meta["R025"] = {"q1": q1, "q3": q3, "upper_fence": upper_fence, "lower_fence": lower_fence}
    else:
        q1, lower_fence = 1.0, config["threshold"]
        ctx.results.meta["R025"] = {"upper_fence": upper_fence, "lower_fence": lower_fence}
    if not (q1 > 0 and lower_fence > 0):
        return
    for tenderer, (won, valid) in ctx.r025.items():
        if valid >= upper_fence and ratios[tenderer] <= lower_fence:
            facts = [
                Fact(_("Ratio of winning bids to valid bids"), ratios[tenderer], "ratio"),
                Fact(_("Winning bids"), won, "count"),
                Fact(_("Valid bids"), valid, "count"),
                Fact(_("Top tenderers have at least this many valid bids"), upper_fence, "count"),
                Fact(_("Lower fence of the ratio"), lower_fence, "ratio"),
            ]
            ctx.flag_organization(
                TENDERER, tenderer, "R025", ratios[tenderer], facts, _ocids_of_tenderer(ctx, tenderer)
            )


def _ocids_of_tenderer(ctx: _Context, tenderer: str) -> list[str]:
    return [ocid for ocid, tenderers in ctx.ocid_tenderers.items() if tenderer in tenderers]


def _r028_identical_bid_prices(ctx: _Context, release, ocid: str) -> None:
    """R028 Identical bid prices (cardinal-rs docs/cli/indicators/R/028.md, src/indicators/r028.rs).

    In a price-comparable process, flagged if two submitted bids with the same amount and currency come from
    different sets of tenderers (a tenderer may submit more bids at its own price). Output 1.0."""
    if not ctx.price_comparable(release):
        return
    prices: dict[tuple[float, str], frozenset[str]] = {}
    matches: list[tuple[float, str, frozenset[str], frozenset[str]]] = []
    for bid in _submitted_bids(release):
        money = _money(bid)
        ids = frozenset(_ids(_list(bid, "tenderers")))
        if money is None or not ids:
            continue
        other = prices.get(money)
        if other is not None and other != ids:
            matches.append((money[0], money[1], other, ids))
        prices[money] = ids  # re-assigned each time, as in Cardinal
    if matches:
        facts = []
        for amount, _currency, first, second in matches:
            names = ", ".join(sorted(ctx.name(subject) for subject in first | second))
            facts += [Fact(_("Identical bid price"), amount, "amount"), Fact(_("Tenderers"), names, "text")]
        ctx.flag_process(ocid, "R028", 1.0, facts)


def _r030_late_bid_won(ctx: _Context, release, ocid: str) -> None:
    """R030 Late bid won (cardinal-rs docs/cli/indicators/R/030.md, src/indicators/r030.rs).

    Flagged if a valid bid's date is after /tender/tenderPeriod/endDate and one of its tenderers is the supplier
    of an active award. Cardinal compares the strings; here the moments are compared (the same thing when both
    carry the same offset, as ours do), falling back to the strings when one does not parse. Output 1.0."""
    end_text = _str(_obj(_obj(release, "tender"), "tenderPeriod"), "endDate")
    if end_text is None or not isinstance(release.get("awards"), list):
        return
    suppliers = {
        supplier
        for award in _list(release, "awards")
        if _str(award, "status") == "active"
        for supplier in _ids(_list(award, "suppliers"))
    }
    end = _datetime(end_text)
    for bid in _list(_obj(release, "bids"), "details"):
        date_text = _str(bid, "date")
        if _str(bid, "status") != "valid" or date_text is None or not isinstance(bid.get("tenderers"), list):
            continue
        received = _datetime(date_text)
        late = received > end if received and end else date_text > end_text
        winners = [tenderer for tenderer in _ids(_list(bid, "tenderers")) if tenderer in suppliers]
        if late and winners:
            ctx.flag_process(
                ocid,
                "R030",
                1.0,
                [
                    Fact(_("Bid received"), received or date_text, "datetime" if received else "text"),
                    Fact(_("Submission deadline"), end or end_text, "datetime" if end else "text"),
                    Fact(_("Winner"), ", ".join(ctx.name(winner) for winner in winners), "text"),
                ],
            )


def _r035_all_except_winning_bid_disqualified(ctx: _Context, release, ocid: str) -> None:
    """R035 All except winning bid disqualified (cardinal-rs docs/cli/indicators/R/035.md, src/indicators/r035.rs).

    With all awards final: flagged if exactly one tenderer has valid bids, it is the supplier of every active
    award, and at least `threshold` (1) other tenderers have disqualified bids. Output: that number of tenderers."""
    final = _final_awards_and_bids(release)
    if final is None:
        return
    suppliers = {supplier for award in final[0] for supplier in _ids(_list(award, "suppliers"))}
    valid, disqualified = set(), set()
    for bid in final[1]:
        status = _str(bid, "status")
        if status in ("valid", "disqualified") and isinstance(bid.get("tenderers"), list):
            (valid if status == "valid" else disqualified).update(_ids(bid["tenderers"]))
    others = disqualified - valid
    threshold = max(int(ctx.config["R035"]["threshold"]), 1)
    if len(valid) == 1 and valid == suppliers and len(others) >= threshold:
        ctx.flag_process(
            ocid,
            "R035",
            float(len(others)),
            [
                Fact(_("Tenderers with disqualified bids"), len(others), "count"),
                Fact(_("Threshold"), threshold, "count"),
                Fact(_("Winner"), ctx.name(next(iter(valid))), "text"),
            ],
        )


def _r036_lowest_bid_disqualified(ctx: _Context, release, ocid: str) -> None:
    """R036 Lowest bid disqualified (cardinal-rs docs/cli/indicators/R/036.md, src/indicators/r036.rs).

    In a price-comparable process with an active award: flagged if the lowest submitted bid (the first one, on a
    tie) in the main currency is disqualified and some valid bid has an amount. Output 1.0."""
    if not ctx.price_comparable(release) or not any(_str(a, "status") == "active" for a in _list(release, "awards")):
        return
    lowest = None
    has_valid_amount = False
    for bid in _submitted_bids(release):
        money = _money(bid)
        if money is None or not ctx.same_currency(money[1]):
            continue
        if lowest is None or money[0] < lowest[0]:
            lowest = (money[0], _str(bid, "status"), _ids(_list(bid, "tenderers")))
        has_valid_amount = has_valid_amount or _str(bid, "status") == "valid"
    if has_valid_amount and lowest and lowest[1] == "disqualified":
        ctx.flag_process(
            ocid,
            "R036",
            1.0,
            [
                Fact(_("Lowest bid"), lowest[0], "amount"),
                Fact(_("Tenderer of the lowest bid"), ", ".join(ctx.name(i) for i in lowest[2]), "text"),
            ],
        )


def _r038_fold(ctx: _Context, release, ocid: str) -> None:
    """R038, per process (src/indicators/r038.rs `fold`): submitted and disqualified bids per buyer, procuring
    entity and tenderer."""
    submitted = _submitted_bids(release)
    if not submitted:
        return
    disqualified = 0
    for bid in submitted:
        increment = int(_str(bid, "status") == "disqualified")
        disqualified += increment
        for tenderer in _ids(_list(bid, "tenderers")):
            ctx.r038[TENDERER][tenderer][0] += increment
            ctx.r038[TENDERER][tenderer][1] += 1
    for group, organization in (
        (BUYER, _obj(release, "buyer")),
        (PROCURING_ENTITY, _obj(_obj(release, "tender"), "procuringEntity")),
    ):
        if _str(organization, "id"):
            counts = ctx.r038[group][organization["id"]]
            counts[0] += disqualified
            counts[1] += len(submitted)
            counts[2] += 1
            if disqualified:
                ctx.r038_ocids[(group, organization["id"])].add(ocid)


def _r038_excessive_disqualified_bids(ctx: _Context) -> None:
    """R038 Excessive disqualified bids (cardinal-rs docs/cli/indicators/R/038.md, src/indicators/r038.rs).

    Ratio = disqualified bids / submitted bids, per buyer, per procuring entity and per tenderer across all
    processes. Flagged if the ratio is at least the upper fence Q3 + 1.5 IQR of the ratios of its group (or the
    configured threshold); skipped when the fence is not above zero. Left out: tenderers with fewer than
    `minimum_submitted_bids` (2) bids, and buyers and procuring entities with fewer than
    `minimum_contracting_processes` (2) processes, as the documentation says (Cardinal's code compares the bid
    count there). Output: the ratio."""
    config = ctx.config["R038"]
    for group in (BUYER, PROCURING_ENTITY, TENDERER):
        if group == TENDERER:
            eligible = {key: c for key, c in ctx.r038[group].items() if c[1] >= config["minimum_submitted_bids"]}
        else:
            eligible = {key: c for key, c in ctx.r038[group].items() if c[2] >= config["minimum_contracting_processes"]}
        ratios = {key: counts[0] / counts[1] for key, counts in eligible.items()}
        if not ratios:
            continue
        if config["threshold"] is None:
            q1, q3 = quantile(ratios.values(), 0.25), quantile(ratios.values(), 0.75)
            upper_fence = q3 + 1.5 * (q3 - q1)
            ctx.results.meta.setdefault("R038", {}).update({f"{group}_q1": q1, f"{group}_q3": q3})
        else:
            upper_fence = config["threshold"]
        ctx.results.meta.setdefault("R038", {})[f"{group}_upper_fence"] = upper_fence
        if upper_fence <= 0:
            continue
        for key, ratio in ratios.items():
            if ratio >= upper_fence:
                disqualified, submitted, processes = eligible[key]
                facts = [
                    Fact(_("Ratio of disqualified bids to submitted bids"), ratio, "ratio"),
                    Fact(_("Disqualified bids"), disqualified, "count"),
                    Fact(_("Submitted bids"), submitted, "count"),
                    Fact(_("Upper fence"), upper_fence, "ratio"),
                ]
                if group == TENDERER:
                    ocids = _ocids_of_tenderer(ctx, key)
                else:
                    facts.insert(3, Fact(_("Contracting processes"), processes, "count"))
                    ocids = sorted(ctx.r038_ocids[(group, key)])
                ctx.flag_organization(group, key, "R038", ratio, facts, ocids)


def _r055_fold(ctx: _Context, release, ocid: str) -> None:
    """R055, per process (src/indicators/r055.rs `fold`): the value of each open tender whose period starts in the
    window, and the active awards of direct procurements dated in the window, each to one supplier, summed per
    buyer (and per procuring entity) and supplier, in the main currency."""
    start, end = ctx.r055_window
    tender = _obj(release, "tender")
    method = _str(tender, "procurementMethod")
    tender_start = _datetime(_obj(tender, "tenderPeriod").get("startDate"))
    money = _money(tender)
    if (
        method == "open"
        and tender_start
        and start <= tender_start.date() <= end
        and money
        and ctx.same_currency(money[1])
    ):
        ctx.r055_open_amounts.append(money[0])
    if method != "direct":
        return
    for award in _list(release, "awards"):
        suppliers = _list(award, "suppliers")
        awarded = _datetime(award.get("date"))
        money = _money(award)
        if (
            _str(award, "status") != "active"
            or len(suppliers) != 1
            or not _ids(suppliers)
            or awarded is None
            or not start <= awarded.date() <= end
            or money is None
            or not ctx.same_currency(money[1])
        ):
            continue
        for group, organization in (
            (BUYER, _obj(release, "buyer")),
            (PROCURING_ENTITY, _obj(tender, "procuringEntity")),
        ):
            if _str(organization, "id"):
                total = ctx.r055_direct[(group, organization["id"], _ids(suppliers)[0])]
                total[0] += money[0]
                total[1].add(ocid)


def _r055_direct_awards_above_competitive_threshold(ctx: _Context) -> None:
    """R055 (cardinal-rs src/indicators/r055.rs and its settings in src/indicators/mod.rs; issue #87 "R055:
    Competitive thresholds": "raise the flag if the sum of the directly awarded amounts for the same buyer and
    supplier is higher than the threshold for open procedures ... use the lower threshold").

    Flagged: a buyer (or procuring entity) and a supplier whose active direct awards in the window (default: the
    365 days up to today) add up to at least the threshold; the threshold defaults, as in Cardinal, to the lowest
    value of an open tender in the window. With no open tender and no threshold set, nothing is flagged (Cardinal
    would fall back to 0 and flag every pair). Output: the total."""
    threshold = ctx.config["R055"]["threshold"]
    if threshold is None:
        if not ctx.r055_open_amounts:
            return
        threshold = min(ctx.r055_open_amounts)
    ctx.results.meta["R055"] = {"lower_open_amount": threshold}
    start, end = ctx.r055_window
    for (group, organization, supplier), (total, ocids) in ctx.r055_direct.items():
        if total >= threshold:
            facts = [
                Fact(_("Total of the direct awards"), total, "amount"),
                Fact(_("Direct awards"), len(ocids), "count"),
                Fact(_("Buyer") if group == BUYER else _("Procuring entity"), ctx.name(organization), "text"),
                Fact(_("Supplier"), ctx.name(supplier), "text"),
                Fact(_("Threshold for an open tender"), threshold, "amount"),
                Fact(_("Window start"), start, "date"),
                Fact(_("Window end"), end, "date"),
            ]
            ctx.flag_organization(group, organization, "R055", total, facts, sorted(ocids))
            ctx.flag_organization(TENDERER, supplier, "R055", total, facts, sorted(ocids))


def _r055_window(config: dict, today: date) -> tuple[date, date]:
    start, end = config["R055"]["start_date"], config["R055"]["end_date"]
    end = date.fromisoformat(end) if isinstance(end, str) else (end or today)
    start = date.fromisoformat(start) if isinstance(start, str) else (start or today - timedelta(days=365))
    return start, end


FOLDS = (
    _r003_short_submission_period,
    _r018_single_bid,
    _second_lowest_bid_ratio,
    _r025_fold,
    _r028_identical_bid_prices,
    _r030_late_bid_won,
    _r035_all_except_winning_bid_disqualified,
    _r036_lowest_bid_disqualified,
    _r038_fold,
    _r055_fold,
)
FINALIZERS = (
    _r024_price_close_to_winning_bid,
    _r025_excessive_unsuccessful_bids,
    _r038_excessive_disqualified_bids,
    _r055_direct_awards_above_competitive_threshold,
    _r058_heavily_discounted_bid,
)


def compute(releases, config: dict, today: date) -> Results:
    """Every indicator over the given compiled releases, in one pass over them. `config`: thresholds.thresholds()."""
    ctx = _Context(config, today)
    excluded = set(config["exclusions"]["procurement_method_details"])
    for release in releases:
        ocid = release.get("ocid") if isinstance(release, dict) else None
        if not isinstance(ocid, str):
            continue
        ctx.remember(release, ocid)
        if _str(_obj(release, "tender"), "status") == "cancelled" or not _matches_details(release, set(), excluded):
            continue
        for fold in FOLDS:
            fold(ctx, release, ocid)
    for finalize in FINALIZERS:
        finalize(ctx)
    return ctx.results
