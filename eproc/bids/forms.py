from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from eproc.accounts.models import User
from eproc.organizations.models import Agency
from eproc.organizations.roles import COMMITTEE_ROLES
from eproc.organizations.selectors import active_appointments

from .models import SealedBox


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class BoxForm(forms.Form):
    """A sealed box for one envelope of a tender. The tender lifecycle will create boxes itself; this form lets a
    committee set one up directly (and is how the sealed-bid flow is exercised on its own)."""

    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none(), to_field_name="public_id")
    reference = forms.CharField(label=_("Tender reference"), max_length=120)
    title = forms.CharField(label=_("Title"), max_length=300)
    envelope = forms.ChoiceField(label=_("Envelope"), choices=SealedBox.EnvelopeKind.choices)
    members = forms.ModelMultipleChoiceField(
        label=_("Committee members holding a share"),
        queryset=User.objects.none(),
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )
    threshold = forms.IntegerField(label=_("Shares needed to open (k)"), min_value=1, max_value=255)
    upload_opens_at = forms.DateTimeField(label=_("Upload opens (WIB)"), widget=DateTimeInput)
    deadline = forms.DateTimeField(label=_("Upload deadline (WIB)"), widget=DateTimeInput)
    grace_minutes = forms.IntegerField(
        label=_("Grace period for committed bytes (minutes)"), min_value=0, max_value=24 * 60, initial=60
    )
    opening_at = forms.DateTimeField(label=_("Opening time (WIB)"), widget=DateTimeInput)
    bidder_emails = forms.CharField(
        label=_("Bidders admitted (e-mail addresses, one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        committee_users = (
            active_appointments()
            .filter(role__in=[r.value for r in COMMITTEE_ROLES], agency__in=agencies)
            .values("user")
        )
        self.fields["members"].queryset = User.objects.filter(pk__in=committee_users).order_by("full_name")

    def clean_bidder_emails(self):
        emails = [line.strip().lower() for line in self.cleaned_data["bidder_emails"].splitlines() if line.strip()]
        users = list(User.objects.filter(email__in=emails))
        unknown = sorted(set(emails) - {user.email for user in users})
        if unknown:
            raise forms.ValidationError(
                _("No account has these addresses: %(emails)s") % {"emails": ", ".join(unknown)}
            )
        return users

    @property
    def grace_period(self) -> timedelta:
        return timedelta(minutes=self.cleaned_data["grace_minutes"])
