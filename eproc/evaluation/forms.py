from django import forms
from django.utils.translation import gettext_lazy as _

from eproc.core.money import parse_rupiah
from eproc.tenders.rules import FAILURE_TRIGGERS

_RESULT = [("", "—"), ("pass", _("Pass")), ("fail", _("Fail"))]


class RupiahField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_rupiah(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


def _verdict(value):
    return {"pass": True, "fail": False}.get(value)


class EvaluationForm(forms.Form):
    administrative = forms.ChoiceField(label=_("Administration"), choices=_RESULT, required=False)
    administrative_reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    technical = forms.ChoiceField(label=_("Technical"), choices=_RESULT, required=False)
    technical_score = forms.DecimalField(label=_("Technical score"), required=False, min_value=0, max_value=100)
    technical_reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    corrected_price = RupiahField(label=_("Corrected price"), required=False)
    price_reason = forms.CharField(label=_("Arithmetic correction"), required=False, max_length=2000)
    qualification = forms.ChoiceField(label=_("Qualification"), choices=_RESULT, required=False)
    qualification_reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    proof = forms.ChoiceField(label=_("Proof of qualification"), choices=_RESULT, required=False)
    proof_reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    negotiated_price = RupiahField(label=_("Negotiated price"), required=False)

    @classmethod
    def initial_from(cls, evaluation) -> dict:
        initial = {}
        for step in ("administrative", "technical", "qualification", "proof"):
            passed = getattr(evaluation, f"{step}_passed")
            initial[step] = "" if passed is None else ("pass" if passed else "fail")
            initial[f"{step}_reason"] = getattr(evaluation, f"{step}_reason")
        for name in ("technical_score", "corrected_price", "price_reason", "negotiated_price"):
            initial[name] = getattr(evaluation, name)
        return initial

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        values = {
            f"{step}_passed": _verdict(data.pop(step))
            for step in ("administrative", "technical", "qualification", "proof")
        }
        values.update(data)
        for text in (
            "administrative_reason",
            "technical_reason",
            "price_reason",
            "qualification_reason",
            "proof_reason",
        ):
            values[text] = values.get(text) or ""
        return values


class DecisionForm(forms.Form):
    winner = forms.ModelChoiceField(label=_("Winner"), queryset=None, to_field_name="pk")
    reserve_1 = forms.ModelChoiceField(label=_("Reserve 1"), queryset=None, required=False)
    reserve_2 = forms.ModelChoiceField(label=_("Reserve 2"), queryset=None, required=False)
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("winner", "reserve_1", "reserve_2"):
            self.fields[name].queryset = participants
            self.fields[name].label_from_instance = lambda participant: participant.vendor.name


class FailureForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why the tender failed"),
        choices=[(code, f"{trigger.label} ({trigger.article})") for code, trigger in FAILURE_TRIGGERS.items()],
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("Objection"), widget=forms.Textarea(attrs={"rows": 4}), max_length=8000)
    document = forms.FileField(label=_("Supporting document (PDF, optional)"), required=False)


class ObjectionAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=8000)
    justified = forms.ChoiceField(
        label=_("The objection is"),
        choices=[("no", _("not justified")), ("yes", _("justified: the result is voided"))],
        widget=forms.RadioSelect,
    )


class AppealForm(forms.Form):
    text = forms.CharField(label=_("Appeal"), widget=forms.Textarea(attrs={"rows": 4}), max_length=8000)
    guarantee_amount = RupiahField(label=_("Appeal guarantee amount"))
    guarantee_document = forms.FileField(label=_("Appeal guarantee (scan, PDF)"))


class AppealDecisionForm(forms.Form):
    decision = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}), max_length=8000)
    justified = forms.ChoiceField(
        label=_("The appeal is"),
        choices=[("no", _("not justified: the tender continues")), ("yes", _("justified: the result is voided"))],
        widget=forms.RadioSelect,
    )


class AwardLetterForm(forms.Form):
    number = forms.CharField(label=_("Letter number"), max_length=120)


class ContractForm(forms.Form):
    number = forms.CharField(label=_("Contract number"), max_length=120)
    signed_on = forms.DateField(label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"}))
    value = RupiahField(label=_("Contract value"))
    starts_on = forms.DateField(label=_("Work starts"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Work ends"), widget=forms.DateInput(attrs={"type": "date"}))
    scan = forms.FileField(label=_("Signed contract (scan, PDF)"))


class InviteForm(forms.Form):
    vendor = forms.ModelChoiceField(label=_("Vendor to invite"), queryset=None, to_field_name="public_id")

    def __init__(self, *args, vendors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = vendors
