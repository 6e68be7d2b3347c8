from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DeclareEmergencyForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this an emergency?"), widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )  # fmt: skip


class EmergencyReportForm(forms.Form):
    body = forms.CharField(
        label=_("Progress report to management"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ChecklistItemForm(forms.Form):
    item = forms.IntegerField(min_value=1)
