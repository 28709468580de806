from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Sanction, Vendor
from .requirements import FieldType, Section
from .validation import normalize_npwp


class DateInput(forms.DateInput):
    input_type = "date"


class IdentityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Vendor.Kind.choices)
    name = forms.CharField(label=_("Name of the business or person"), max_length=200)
    business_form = forms.CharField(label=_("Business form (PT, CV, Koperasi…)"), max_length=40, required=False)
    npwp = forms.CharField(label=_("NPWP"), max_length=25, help_text=_("15 or 16 digits; dots and dashes are fine."))
    nib = forms.CharField(label=_("NIB"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 2}))
    city = forms.CharField(label=_("City / regency"), max_length=100)
    province = forms.CharField(label=_("Province"), max_length=100, initial="Kalimantan Barat")
    phone = forms.CharField(label=_("Phone"), max_length=32)
    email = forms.EmailField(label=_("Company e-mail"))
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    is_small_business = forms.BooleanField(label=_("Small business (usaha kecil)"), required=False, initial=True)
    is_pkp = forms.BooleanField(label=_("Taxable entrepreneur (PKP)"), required=False)

    def clean_npwp(self):
        return normalize_npwp(self.cleaned_data["npwp"])


class RegistrationForm(IdentityForm):
    """Self-registration: the identity of the vendor and the first user's sign-in."""

    full_name = forms.CharField(label=_("Your full name"), max_length=200)
    login_email = forms.EmailField(label=_("Your e-mail address (to sign in)"))
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=10)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        if cleaned.get("password1"):
            from django.contrib.auth.password_validation import validate_password

            try:
                validate_password(cleaned["password1"])
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def identity(self) -> dict:
        return {name: self.cleaned_data[name] for name in IdentityForm.base_fields}


class AssistedRegistrationForm(IdentityForm):
    full_name = forms.CharField(label=_("Contact person's full name"), max_length=200)
    login_email = forms.EmailField(label=_("Contact person's e-mail (the account)"))

    def identity(self) -> dict:
        return {name: self.cleaned_data[name] for name in IdentityForm.base_fields}


def item_form_class(section: Section):
    """A form for one qualification section, built from its configuration (requirements.py)."""
    fields = {}
    for spec in section.fields:
        if spec.type == FieldType.DATE:
            field = forms.DateField(widget=DateInput)
        elif spec.type == FieldType.CHOICE:
            field = forms.ChoiceField(choices=[("", "—"), *spec.choices])
        elif spec.type == FieldType.LONG_TEXT:
            field = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
        elif spec.type in (FieldType.NUMBER, FieldType.YEAR):
            field = forms.DecimalField(min_value=0)
        elif spec.type == FieldType.MONEY:
            field = forms.CharField(help_text=_("e.g. Rp1.250.000.000,00"))
        else:
            field = forms.CharField(max_length=500)
        field.label = spec.label
        field.required = spec.required
        fields[spec.name] = field
    fields["document"] = forms.FileField(label=f"{section.document_label} (PDF/PNG/JPEG)", required=False)
    return type(f"{section.key.title()}Form", (forms.Form,), fields)


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Sanction.Kind.choices)
    decree_number = forms.CharField(label=_("Decree number"), max_length=120)
    decree_date = forms.DateField(label=_("Decree date"), widget=DateInput)
    decree_file = forms.FileField(label=_("Scan of the decree"))
    starts_on = forms.DateField(label=_("From"), widget=DateInput)
    ends_on = forms.DateField(label=_("Until"), widget=DateInput, required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AddUserForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Full name"), max_length=200)
