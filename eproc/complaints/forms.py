from django import forms
from django.utils.translation import gettext_lazy as _

from eproc.organizations.models import Agency

from .models import Complaint, Forward


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class ComplaintForm(forms.Form):
    about = forms.ChoiceField(label=_("The complaint is about"), choices=Complaint.About.choices)
    tender_reference = forms.CharField(label=_("Tender (code or name)"), max_length=200, required=False)
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.filter(is_active=True), required=False, to_field_name="code"
    )
    title = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 5}))
    reporter_name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    reporter_email = forms.EmailField(label=_("Your e-mail (optional, to receive the answer)"), required=False)
    reporter_phone = forms.CharField(label=_("Your phone (optional)"), max_length=32, required=False)
    attachments = MultipleFileField(label=_("Evidence (PDF, PNG or JPEG; up to 5 files)"), required=False)


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=20)


class ForwardForm(forms.Form):
    destinations = forms.MultipleChoiceField(
        label=_("Forward to"), choices=Forward.Destination.choices, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}))
