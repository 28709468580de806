from django import forms
from django.utils.translation import gettext_lazy as _

from eproc.core.money import parse_rupiah
from eproc.organizations.models import Agency, WorkUnit

from .models import FundSource, PlannedMethod, ProcurementType


class PlanItemForm(forms.Form):
    work_unit = forms.ModelChoiceField(
        label=_("Work unit"), queryset=WorkUnit.objects.none(), to_field_name="public_id"
    )
    fiscal_year = forms.IntegerField(label=_("Fiscal year"), min_value=2000, max_value=2100)
    package_name = forms.CharField(label=_("Package"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    location = forms.CharField(label=_("Location of the work"), max_length=300)
    budget = forms.CharField(label=_("Estimated value (pagu)"), help_text=_("e.g. Rp1.250.000.000,00"))
    fund_source = forms.ChoiceField(label=_("Fund source"), choices=FundSource.choices)
    procurement_type = forms.ChoiceField(label=_("Procurement type"), choices=ProcurementType.choices)
    planned_method = forms.ChoiceField(label=_("Planned method"), choices=PlannedMethod.choices)
    planned_month = forms.TypedChoiceField(label=_("Planned month"), coerce=int, choices=[(m, m) for m in range(1, 13)])
    budget_reference = forms.CharField(
        label=_("Approved budget document (DPA) reference"),
        max_length=200,
        required=False,
        help_text=_("Needed to announce (Pasal 7(1)a)."),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        help_text=_("Required once the item is announced; shown in its public history."),
    )

    def __init__(self, *args, work_units, announced=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_unit"].queryset = work_units
        if not announced:
            del self.fields["reason"]

    def clean_budget(self):
        try:
            return parse_rupiah(self.cleaned_data["budget"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


class FilterForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.all(), required=False, to_field_name="code"
    )
    work_unit = forms.ModelChoiceField(
        label=_("Work unit"),
        queryset=WorkUnit.objects.select_related("agency"),
        required=False,
        to_field_name="public_id",
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    procurement_type = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *ProcurementType.choices], required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
