from django import forms
from django.utils.translation import gettext_lazy as _

from supportdesk.core.forms import MultipleFileField
from supportdesk.playbooks.choices import Reproduced, StepResult


class StepForm(forms.Form):
    playbook = forms.IntegerField(widget=forms.HiddenInput)
    step = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    result = forms.ChoiceField(label=_("Result"), choices=StepResult.choices)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class DataRequestForm(forms.Form):
    template = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class ReproductionForm(forms.Form):
    environment = forms.CharField(
        label=_("Environment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Operating system, browser, software version, data used."),
    )
    steps = forms.CharField(
        label=_("Steps"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    expected = forms.CharField(
        label=_("Expected result"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    actual = forms.CharField(
        label=_("Actual result"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    reproduced = forms.ChoiceField(label=_("Reproduced?"), choices=Reproduced.choices)
    attachments = MultipleFileField(label=_("Attachments"), required=False)
