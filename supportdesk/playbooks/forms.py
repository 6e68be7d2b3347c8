from django import forms
from django.utils.translation import gettext_lazy as _

from supportdesk.playbooks.choices import StepResult


class StepForm(forms.Form):
    playbook = forms.IntegerField(widget=forms.HiddenInput)
    step = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    result = forms.ChoiceField(label=_("Result"), choices=StepResult.choices)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class DataRequestForm(forms.Form):
    template = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)
