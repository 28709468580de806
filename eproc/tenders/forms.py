"""Input validation for the tender pages; the rules of the law are checked by the services (checks.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from eproc.core.money import parse_rupiah
from eproc.organizations.models import Agency

from .choices import Category, ContractType, EvaluationMethod, FileSystem, Method, Qualification
from .lifecycle import Stage
from .models import Question, TenderDocument


class TenderForm(forms.Form):
    plan_item = forms.ModelChoiceField(label=_("Announced plan item (RUP)"), queryset=None, to_field_name="public_id")
    title = forms.CharField(
        label=_("Package name"), max_length=300, required=False, help_text=_("Empty: the plan item's name.")
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    location = forms.CharField(label=_("Location of the work"), max_length=300, required=False)
    owner_estimate = forms.CharField(label=_("Owner's estimate (HPS)"), help_text=_("e.g. Rp1.250.000.000,00"))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    qualification = forms.ChoiceField(label=_("Qualification"), choices=Qualification.choices)
    file_system = forms.ChoiceField(label=_("File system"), choices=FileSystem.choices)
    evaluation_method = forms.ChoiceField(label=_("Evaluation method"), choices=EvaluationMethod.choices)
    contract_type = forms.ChoiceField(label=_("Contract type"), choices=ContractType.choices)
    technical_weight = forms.IntegerField(label=_("Technical weight (%)"), required=False, min_value=0, max_value=100)
    price_weight = forms.IntegerField(label=_("Price weight (%)"), required=False, min_value=0, max_value=100)
    small_business_reserved = forms.BooleanField(label=_("Reserved for small businesses"), required=False)
    small_business_exception = forms.CharField(
        label=_("Why it is not reserved for small businesses"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    qualification_requirements = forms.CharField(
        label=_("Qualification requirements"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    committee = forms.ModelMultipleChoiceField(
        label=_("Other committee members"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    ppk = forms.ModelChoiceField(label=_("PPK who approves"), queryset=None)
    opening_quorum = forms.IntegerField(
        label=_("Members needed to open the bids"), min_value=1, initial=1, help_text=_("k of the committee's members.")
    )

    def __init__(self, *args, plan_items=None, members, ppks, **kwargs):
        super().__init__(*args, **kwargs)
        if plan_items is None:
            del self.fields["plan_item"]
        else:
            self.fields["plan_item"].queryset = plan_items
        self.fields["committee"].queryset = members
        self.fields["ppk"].queryset = ppks
        self.fields["committee"].label_from_instance = lambda user: f"{user.full_name} ({user.email})"
        self.fields["ppk"].label_from_instance = lambda user: f"{user.full_name} ({user.email})"

    def clean_owner_estimate(self):
        try:
            return parse_rupiah(self.cleaned_data["owner_estimate"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("plan_item", None)
        data.pop("committee", None)
        data.pop("ppk", None)
        for optional in ("title", "location"):
            if not data.get(optional):
                data.pop(optional, None)
        return data


class ScheduleForm(forms.Form):
    """One start and one end per stage, as local wall-clock times of the agency (the view activates its zone)."""

    reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required once the tender is announced; shown in the public history and sent to participants."),
    )

    def __init__(self, *args, stages, announced: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.stages = stages
        widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
        for stage in stages:
            label = Stage(stage).label
            self.fields[f"{stage}__start"] = forms.DateTimeField(label=label, widget=widget)
            self.fields[f"{stage}__end"] = forms.DateTimeField(label=label, widget=widget)
        if not announced:
            del self.fields["reason"]

    def rows(self):
        return [(Stage(stage), self[f"{stage}__start"], self[f"{stage}__end"]) for stage in self.stages]

    def slots(self) -> dict:
        return {
            stage: (self.cleaned_data[f"{stage}__start"], self.cleaned_data[f"{stage}__end"]) for stage in self.stages
        }


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TenderDocument.Kind.choices)
    title = forms.CharField(label=_("Document title"), max_length=200)
    file = forms.FileField(label=_("File (PDF or ZIP/DOCX/XLSX)"))
    change_note = forms.CharField(
        label=_("What changed"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required for an addendum (after announcement)."),
    )

    def __init__(self, *args, announced: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if announced:
            del self.fields["kind"]


class ApprovalForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Send back"))], widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class QuestionForm(forms.Form):
    section = forms.ChoiceField(label=_("Document section"), choices=Question.Section.choices)
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 2}), max_length=8000)


class FilterForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.all(), required=False, to_field_name="code"
    )
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *Category.choices], required=False)
    method = forms.ChoiceField(label=_("Method"), choices=[("", "—"), *Method.choices], required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
