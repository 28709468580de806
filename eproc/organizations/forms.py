from django import forms
from django.utils.translation import gettext_lazy as _

from eproc.core.clock import TIME_ZONE_CHOICES

from .models import Agency, WorkUnit
from .roles import ROLES


class DateInput(forms.DateInput):
    input_type = "date"


class AgencyForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("LKPP institution code, e.g. D201."))
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Agency.Kind.choices)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class WorkUnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(label=_("Code"), max_length=40, required=False)
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 2}))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class AppointmentForm(forms.Form):
    """Registers a person from their decree. An existing account is reused by e-mail address; otherwise one
    is created and the person sets their own password from the e-mail they receive."""

    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        required=False,
        help_text=_("Needed only when the person has no account yet."),
    )
    nip = forms.RegexField(
        label=_("NIP"), regex=r"^\d{18}$", required=False, error_messages={"invalid": _("A NIP has exactly 18 digits.")}
    )
    role = forms.ChoiceField(label=_("Role"))
    work_unit = forms.ModelChoiceField(
        label=_("Work unit"), queryset=WorkUnit.objects.none(), required=False, to_field_name="public_id"
    )
    decree_number = forms.CharField(label=_("Decree (SK) number"), max_length=120)
    decree_date = forms.DateField(label=_("Decree date"), widget=DateInput)
    decree_file = forms.FileField(label=_("Scan of the decree (PDF, PNG or JPEG)"))
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput, required=False)

    def __init__(self, *args, roles, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, ROLES[role].label) for role in roles]
        if agency is not None:
            self.fields["work_unit"].queryset = agency.work_units.filter(is_active=True)
        else:
            del self.fields["work_unit"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end of the validity period is before its start."))
        return cleaned


class RevokeAppointmentForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DayOffForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("e.g. Cuti Bersama Idul Fitri, or a regional holiday.")
    )
    agency = forms.ModelChoiceField(
        label=_("Only for agency"),
        queryset=Agency.objects.all(),
        required=False,
        to_field_name="public_id",
        empty_label=_("Everyone the LPSE serves"),
    )
