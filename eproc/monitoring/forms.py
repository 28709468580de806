from django import forms
from django.utils.translation import gettext_lazy as _

from eproc.core import clock
from eproc.planning.models import ProcurementType

from .models import AdoptionStage, ComplianceRule
from .selectors import LPSE_ZONE, ROMAN


def _this_year() -> int:
    return clock.now().astimezone(LPSE_ZONE).year


def _years():
    return [(year, year) for year in range(_this_year() + 1, 2010, -1)]


class ScopeForm(forms.Form):
    """Year and agency of the dashboard and the compliance monitor; the agencies offered are the viewer's scope."""

    tahun = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=_years, required=False)
    instansi = forms.ChoiceField(label=_("Agency"), required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instansi"].choices = [("", _("All agencies"))] + [
            (agency.public_id, agency.name) for agency in agencies
        ]
        self._agencies = {agency.public_id: agency for agency in agencies}

    def year(self) -> int:
        return (self.cleaned_data.get("tahun") if self.is_valid() else None) or _this_year()

    def agency(self):
        return self._agencies.get(self.cleaned_data.get("instansi")) if self.is_valid() else None


class ReportForm(ScopeForm):
    """Which periodic report: a month, a quarter or a year (Pasal 9(4)e)."""

    periode = forms.ChoiceField(
        label=_("Period"),
        choices=[("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year"))],
        required=False,
    )
    bulan = forms.TypedChoiceField(
        label=_("Month"), coerce=int, choices=[(month, month) for month in range(1, 13)], required=False
    )
    triwulan = forms.TypedChoiceField(
        label=_("Quarter"), coerce=int, choices=[(quarter, roman) for quarter, roman in ROMAN.items()], required=False
    )

    def period_args(self) -> tuple[str, int, int | None]:
        data = self.cleaned_data if self.is_valid() else {}
        kind = data.get("periode") or "year"
        number = {"month": data.get("bulan"), "quarter": data.get("triwulan")}.get(kind)
        return kind, self.year(), number


class RuleForm(forms.ModelForm):
    procurement_type = forms.ChoiceField(
        label=_("Procurement type"), choices=[("", _("Any"))] + list(ProcurementType.choices), required=False
    )

    class Meta:
        model = ComplianceRule
        fields = [
            "code",
            "year_from",
            "article",
            "description",
            "kind",
            "procurement_type",
            "value_above",
            "min_count",
            "min_share_percent",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class AdoptionPlanForm(forms.Form):
    stages = forms.MultipleChoiceField(
        label=_("Stages run electronically"), choices=AdoptionStage.choices, widget=forms.CheckboxSelectMultiple
    )
    planned_count = forms.IntegerField(label=_("Packages planned to be tendered electronically"), min_value=0)
    plan_items = forms.ModelMultipleChoiceField(
        label=_("Which packages"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    coordinated_on = forms.DateField(
        label=_("Coordinated with the LPSE on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Pasal 15(4): the head of the work unit coordinates the plan with the LPSE."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_items"].queryset = items
        self.fields["plan_items"].label_from_instance = lambda item: f"{item.package_name} ({item.budget:,.0f})"
