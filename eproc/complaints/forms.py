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


class AskForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    question = forms.CharField(label=_("Your question"), widget=forms.Textarea(attrs={"rows": 4}))


class LogContactForm(forms.Form):
    from .models import Ticket as _Ticket

    channel = forms.ChoiceField(label=_("Channel"), choices=[c for c in _Ticket.Channel.choices if c[0] != "web"])
    asker_name = forms.CharField(label=_("Name of the person asking"), max_length=200)
    asker_contact = forms.CharField(label=_("Their phone or e-mail"), max_length=200, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}))
    answer = forms.CharField(
        label=_("Answer given (if answered on the spot)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FaqForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=300)
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 5}))
    position = forms.IntegerField(label=_("Order on the page"), min_value=0, max_value=1000, initial=100)
    is_published = forms.BooleanField(label=_("Published"), required=False, initial=True)


class FlagForm(forms.Form):
    tender_reference = forms.CharField(label=_("Tender (code or name)"), max_length=200)
    description = forms.CharField(label=_("What deviates from the procedure"), widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpForm(forms.Form):
    follow_up = forms.CharField(label=_("Follow-up"), widget=forms.Textarea(attrs={"rows": 2}))
