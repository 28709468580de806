"""The risk indicators' thresholds, as data: Cardinal's defaults (open-contracting/cardinal-rs, the `init` command's
settings file and each indicator's "Configuration" section), overridable with one Django setting.

    EPROC_RISK_THRESHOLDS = {"R003": {"threshold": 10}, "R038": {"minimum_submitted_bids": 3}}

is merged key by key over DEFAULTS, so a deployment names only what it changes. `None` for a fence means what it
means in Cardinal: the fence is computed from the whole data set (the quartiles of all contracting processes,
tenderers or buyers), which is Cardinal's default; a number fixes the fence instead.

Read through `thresholds()` at each computation (not at import), so a changed setting takes effect at once.
"""

from copy import deepcopy

from django.conf import settings

DEFAULTS: dict = {
    # Cardinal's global settings. `currency`: the main currency; None = the first observed one (as in Cardinal).
    "currency": None,
    # [exclusions] procurement_method_details: contracting processes left out of every indicator.
    "exclusions": {"procurement_method_details": []},
    # Processes whose prices must not be compared (R024, R028, R036, R058), by /tender/procurementMethodDetails.
    "no_price_comparison_procurement_methods": [],
    # If not empty, only these procurementMethodDetails are price-compared.
    "price_comparison_procurement_methods": [],
    # R003 Short submission period: flagged if shorter than `threshold` whole days; empty procurement_methods =
    # every method; a threshold per /tender/procurementMethodDetails may be given.
    "R003": {"threshold": 15, "procurement_methods": [], "procurement_method_details": {}},
    # R018 Single bid received: the competitive methods.
    "R018": {"procurement_methods": ["open", "selective"]},
    # R024 Price close to winning bid: the lower fence; None = Q1 - 1.5 IQR of all differences.
    "R024": {"threshold": None},
    # R025 Excessive unsuccessful bids: top tenderers are at or above this percentile of valid bids; the lower
    # fence of the win ratio; None = Q1 - 1.5 IQR of all tenderers' ratios.
    "R025": {"percentile": 75, "threshold": None},
    "R028": {},
    "R030": {},
    # R035 All except winning bid disqualified: at least this many other tenderers disqualified (at least 1).
    "R035": {"threshold": 1},
    "R036": {},
    # R038 Excessive disqualified bids: the upper fence; None = Q3 + 1.5 IQR of all ratios. Tenderers with fewer
    # submitted bids, and buyers/procuring entities with fewer contracting processes, are left out.
    "R038": {"threshold": None, "minimum_submitted_bids": 2, "minimum_contracting_processes": 2},
    # R055 (competitive thresholds): total direct awards per buyer and supplier at or above `threshold`; None = the
    # lowest value of an open tender in the window. The window (ISO dates) defaults to the 365 days up to today.
    "R055": {"threshold": None, "start_date": None, "end_date": None},
    # R058 Heavily discounted bid: the upper fence; None = Q3 + 1.5 IQR of all differences.
    "R058": {"threshold": None},
    # Ours, not Cardinal's: the weight of each indicator in the ranking of the riskiest tenders.
    "weights": {
        "R003": 1,
        "R018": 1,
        "R024": 1,
        "R025": 1,
        "R028": 1,
        "R030": 1,
        "R035": 1,
        "R036": 1,
        "R038": 1,
        "R055": 1,
        "R058": 1,
    },
}


def _merge(base: dict, override: dict) -> dict:
    merged = deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = deepcopy(value)
    return merged


def thresholds() -> dict:
    """DEFAULTS with the deployment's EPROC_RISK_THRESHOLDS merged over them."""
    return _merge(DEFAULTS, getattr(settings, "EPROC_RISK_THRESHOLDS", None) or {})
