"""Checking a tender's classification and schedule against its ruleset. Pure functions over plain values, so the
service, the forms and the tests share them; each message names the rule's article."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from eproc.core.calendar import WorkingCalendar
from eproc.core.clock import as_zone
from eproc.core.money import format_rupiah

from .choices import Category, EvaluationMethod, FileSystem, Method, Qualification
from .lifecycle import OPENING_STAGE_OF_ENVELOPE, Stage
from .rules import Ruleset, periods

# Pasal 100(3) reserves small packages of these categories for small businesses.
_RESERVABLE = {Category.GOODS, Category.CONSTRUCTION, Category.OTHER_SERVICES}
_WEIGHTED = {EvaluationMethod.MERIT_POINT, EvaluationMethod.QUALITY_AND_COST}


def _label(enum_value, choices) -> str:
    return str(dict(choices).get(enum_value, enum_value))


def check_classification(rules: Ruleset, *, values: dict, budget: Decimal, runner_roles: set) -> None:
    """Refuse a classification that breaks the ruleset, each problem on its field. `values` holds category,
    method, qualification, file_system, evaluation_method, contract_type, owner_estimate, the weights and the
    small-business fields; `runner_roles` the roles the committee's maker holds in the agency."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    category, method = values["category"], values["method"]
    hps = values["owner_estimate"]
    method_rule = rules.methods.get(method)
    if hps is None or hps <= 0:
        refuse("owner_estimate", _("The owner's estimate (HPS) must be more than zero."))
    elif hps > budget:
        refuse(
            "owner_estimate",
            _("The HPS (%(hps)s) is above the budget of the plan item (%(budget)s); it cannot be paid for.")
            % {"hps": format_rupiah(hps), "budget": format_rupiah(budget)},
        )
    if method_rule is None:
        refuse("method", _("This method is not in the ruleset %(ruleset)s.") % {"ruleset": rules.title})
        raise ValidationError(errors)
    method_name = _label(method, Method.choices)
    if category not in method_rule.categories:
        refuse(
            "method",
            _("%(method)s is not used for %(category)s (%(article)s).")
            % {"method": method_name, "category": _label(category, Category.choices), "article": method_rule.article},
        )
    ceiling = method_rule.ceilings.get(category)
    if ceiling is not None and hps is not None and hps > ceiling.value:
        refuse(
            "owner_estimate",
            _("%(method)s is allowed up to %(limit)s; this HPS is %(hps)s (%(article)s).")
            % {
                "method": method_name,
                "limit": format_rupiah(ceiling.value),
                "hps": format_rupiah(hps),
                "article": ceiling.article,
            },
        )
    if not runner_roles & set(method_rule.run_by):
        refuse(
            "method",
            _("%(method)s is run by a procurement committee (Pokja); a Pejabat Pengadaan runs Pengadaan Langsung only.")
            % {"method": method_name},
        )
    allowed_qualifications = method_rule.qualifications.get(category, frozenset())
    if category in method_rule.categories and values["qualification"] not in allowed_qualifications:
        refuse(
            "qualification",
            _("%(method)s uses %(allowed)s (%(article)s).")
            % {
                "method": method_name,
                "allowed": ", ".join(_label(q, Qualification.choices) for q in sorted(allowed_qualifications)),
                "article": method_rule.article,
            },
        )
    pair = (values["file_system"], values["evaluation_method"])
    if pair not in method_rule.combinations:
        allowed = sorted(method_rule.combinations)
        refuse(
            "evaluation_method",
            _("%(file_system)s with %(evaluation)s is not allowed for %(method)s; allowed: %(allowed)s.")
            % {
                "file_system": _label(pair[0], FileSystem.choices),
                "evaluation": _label(pair[1], EvaluationMethod.choices),
                "method": method_name,
                "allowed": "; ".join(
                    f"{_label(f, FileSystem.choices)} + {_label(e, EvaluationMethod.choices)}" for f, e in allowed
                ),
            },
        )
    if values["contract_type"] not in rules.contract_types.get(category, ()):
        refuse(
            "contract_type",
            _("This contract type is not used for %(category)s (%(article)s).")
            % {"category": _label(category, Category.choices), "article": rules.contract_types_article},
        )
    _check_weights(rules, values, refuse)
    _check_small_business(rules, values, refuse)
    if errors:
        raise ValidationError(errors)


def _check_weights(rules: Ruleset, values: dict, refuse) -> None:
    technical, price = values.get("technical_weight"), values.get("price_weight")
    if values["evaluation_method"] not in _WEIGHTED:
        if technical is not None or price is not None:
            refuse("technical_weight", _("Weights are set only for merit-point and quality-and-cost evaluations."))
        return
    if technical is None or price is None or technical + price != 100:
        refuse("technical_weight", _("The technical and price weights must add up to 100%."))
        return
    if values["evaluation_method"] == EvaluationMethod.QUALITY_AND_COST:
        low, high = rules.merit_weights.value
        if not low <= technical <= high:
            refuse(
                "technical_weight",
                _("The technical weight must be between %(low)s%% and %(high)s%% (%(article)s).")
                % {"low": low, "high": high, "article": rules.merit_weights.article},
            )


def _check_small_business(rules: Ruleset, values: dict, refuse) -> None:
    ceiling = rules.small_business_ceiling
    hps = values["owner_estimate"]
    if hps is None:
        return
    reservable = values["category"] in _RESERVABLE and hps <= ceiling.value
    if values.get("small_business_reserved") and not reservable:
        refuse(
            "small_business_reserved",
            _("Only goods, works and other services up to %(limit)s are reserved for small businesses (%(article)s).")
            % {"limit": format_rupiah(ceiling.value), "article": ceiling.article},
        )
    if (
        reservable
        and not values.get("small_business_reserved")
        and not values.get("small_business_exception", "").strip()
    ):
        refuse(
            "small_business_exception",
            _("Packages up to %(limit)s are reserved for small businesses (%(article)s); say why this one cannot be.")
            % {"limit": format_rupiah(ceiling.value), "article": ceiling.article},
        )


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime


def _local(moment: datetime, tz):
    return moment.astimezone(as_zone(tz))


def check_schedule(rules: Ruleset, *, stages: tuple, slots: dict, method: str, calendar: WorkingCalendar, tz) -> None:
    """Refuse a schedule that misses a stage, puts a boundary on a day off or outside office hours, runs stages
    out of order or shorter than the ruleset allows. Stages may overlap unless a sequence rule forbids it."""
    errors: list[str] = []
    missing = [stage for stage in stages if stage not in slots]
    if missing:
        raise ValidationError(
            _("Every stage needs a start and an end: %(stages)s.")
            % {"stages": ", ".join(str(Stage(stage).label) for stage in missing)}
        )
    hours = rules.working_hours.value
    for stage in stages:
        slot = slots[stage]
        name = Stage(stage).label
        if slot.ends_at <= slot.starts_at:
            errors.append(_("%(stage)s must end after it starts.") % {"stage": name})
            continue
        if rules.sandbox:
            continue
        for moment in (slot.starts_at, slot.ends_at):
            local = _local(moment, tz)
            reason = calendar.day_off_reason(local.date())
            if reason:
                errors.append(
                    _("%(stage)s: %(day)s is not a working day (%(reason)s).")
                    % {"stage": name, "day": local.strftime("%d-%m-%Y"), "reason": reason}
                )
            elif not hours.contains(local.time().replace(tzinfo=None)):
                errors.append(
                    _("%(stage)s: %(time)s is outside office hours (%(start)s-%(end)s, %(article)s).")
                    % {
                        "stage": name,
                        "time": local.strftime("%d-%m-%Y %H:%M"),
                        "start": hours.start.strftime("%H:%M"),
                        "end": hours.end.strftime("%H:%M"),
                        "article": rules.working_hours.article,
                    }
                )
    if errors:
        raise ValidationError(errors)

    for earlier, later in zip(stages, stages[1:], strict=False):
        if slots[later].starts_at < slots[earlier].starts_at:
            errors.append(
                _("%(later)s cannot start before %(earlier)s.")
                % {"later": Stage(later).label, "earlier": Stage(earlier).label}
            )
    for before, after in rules.sequences:
        if before in slots and after in slots and slots[after].starts_at < slots[before].ends_at:
            errors.append(
                _("%(after)s can start only after %(before)s has ended.")
                % {"after": Stage(after).label, "before": Stage(before).label}
            )

    def working_days(slot: Slot) -> int:
        return calendar.working_days_between(_local(slot.starts_at, tz).date(), _local(slot.ends_at, tz).date())

    def too_short(slot: Slot, days: int) -> bool:
        if rules.sandbox:
            return slot.ends_at - slot.starts_at < rules.duration(days)
        return working_days(slot) < days

    profile = periods(rules, method)
    minimums = {**profile.minimums, Stage.OBJECTIONS: profile.objection}
    for stage, rule in minimums.items():
        if stage in slots and too_short(slots[stage], rule.value):
            errors.append(
                _("%(stage)s must last at least %(days)s working days (%(article)s).")
                % {"stage": Stage(stage).label, "days": rule.value, "article": rule.article}
            )
    for gap in profile.gaps:
        if gap.after not in slots or gap.stage not in slots or (gap.only_with and gap.only_with not in slots):
            continue
        anchor = slots[gap.after].ends_at if gap.from_end else slots[gap.after].starts_at
        moment = slots[gap.stage].ends_at if gap.to_end else slots[gap.stage].starts_at
        if rules.sandbox:
            early = moment < anchor + rules.duration(gap.days)
        else:
            earliest = calendar.add_working_days(_local(anchor, tz).date(), gap.days)
            early = _local(moment, tz).date() < earliest
        if early:
            message = (
                _("%(stage)s can end at the earliest %(days)s working days after %(after)s (%(article)s).")
                if gap.to_end
                else _("%(stage)s can start at the earliest %(days)s working days after %(after)s (%(article)s).")
            )
            errors.append(
                message
                % {
                    "stage": Stage(gap.stage).label,
                    "days": gap.days,
                    "after": Stage(gap.after).label,
                    "article": gap.article,
                }
            )
    upload = slots.get(Stage.BID_UPLOAD)
    if upload is not None:
        for opening in set(OPENING_STAGE_OF_ENVELOPE.values()) & set(slots):
            if opening != Stage.OPENING_PRICE and slots[opening].starts_at <= upload.ends_at + rules.bytes_grace.value:
                errors.append(
                    _(
                        "%(stage)s must start after the bid deadline and its grace period of %(minutes)s minutes "
                        "for bids committed in time (%(article)s)."
                    )
                    % {
                        "stage": Stage(opening).label,
                        "minutes": int(rules.bytes_grace.value.total_seconds() // 60),
                        "article": rules.bytes_grace.article,
                    }
                )
    if errors:
        raise ValidationError(errors)
