from django import forms
from django.utils.translation import gettext_lazy as _

from eproc.accounts.models import User
from eproc.organizations.roles import Role
from eproc.organizations.selectors import active_appointments

from .models import Audience


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class SessionForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    audience = forms.ChoiceField(label=_("For"), choices=Audience.choices)
    starts_at = forms.DateTimeField(label=_("Starts (WIB)"), widget=DateTimeInput)
    ends_at = forms.DateTimeField(label=_("Ends (WIB)"), widget=DateTimeInput)
    place = forms.CharField(label=_("Place"), max_length=200)
    capacity = forms.IntegerField(label=_("Capacity (participants)"), min_value=1, max_value=10_000)
    trainer = forms.ModelChoiceField(label=_("Trainer"), queryset=User.objects.none(), to_field_name="public_id")
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        trainers = active_appointments().filter(role=Role.TRAINER.value).values("user")
        self.fields["trainer"].queryset = User.objects.filter(pk__in=trainers).order_by("full_name")

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The session must end after it starts."))
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why the session is cancelled"), max_length=1000)


class AttendanceForm(forms.Form):
    """One checkbox per registered participant, named by the participant's public id."""

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = {}
        for registration in registrations:
            name = f"attended_{registration.user.public_id}"
            self.registrations[name] = registration
            self.fields[name] = forms.BooleanField(
                label=f"{registration.user.full_name} ({registration.user.email})",
                required=False,
                initial=registration.attended_at is not None,
            )

    def marks(self):
        """(registration, attended) for each participant."""
        return [(registration, self.cleaned_data[name]) for name, registration in self.registrations.items()]


class MaterialForm(forms.Form):
    file = forms.FileField(label=_("Material (PDF, PNG or JPEG)"))
