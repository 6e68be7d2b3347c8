"""Forms of the ticket page's routing panel and the availability page.

They parse input; the rules (loops, membership, deadlines in the future) live in
``routing.actions``, whose messages are shown on the same fields.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.choices import STAFF_ROLES
from supportdesk.accounts.models import Team, User

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class TeamChoiceField(forms.ModelChoiceField):
    """Names the tier with the team, so the form reads as "to which tier"."""

    def label_from_instance(self, obj: Team) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class EscalationForm(forms.Form):
    """问题升级申请表 (R-ES-2)."""

    # Prefixed: the ticket page holds other forms with a "reason" field.
    prefix = "esc"

    to_team = TeamChoiceField(
        label=_("Suggested team / tier"), queryset=Team.objects.all(), empty_label=None
    )
    impact = forms.CharField(
        label=_("Description and impact"), widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )  # fmt: skip
    tried = forms.CharField(
        label=_("Solutions tried and their results"), widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Reason for escalating"), widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )  # fmt: skip


class ReturnForm(forms.Form):
    prefix = "ret"
    reason = forms.CharField(label=_("Reason for returning"), max_length=2000)


class ThreadForm(forms.Form):
    prefix = "thread"
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), empty_label=None)
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(is_active=True, role__in=STAFF_ROLES).order_by("id"),
        empty_label=None,
    )
    subject = forms.CharField(label=_("What you need from them"), max_length=200)
    due_at = forms.DateTimeField(label=_("Expected by"), widget=DATETIME_WIDGET)
    message = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )  # fmt: skip
    tell_customer = forms.BooleanField(
        label=_("Tell the customer the expected time"), required=False, initial=True
    )


class ThreadMessageForm(forms.Form):
    prefix = "msg"
    body = forms.CharField(label=_("Message"), max_length=5000)


class CloseThreadForm(forms.Form):
    prefix = "close"
    outcome = forms.CharField(label=_("Outcome"), max_length=5000)


class AvailabilityForm(forms.Form):
    on_duty = forms.BooleanField(label=_("On duty (I take new tickets)"), required=False)
    away_until = forms.DateTimeField(label=_("Away until"), required=False, widget=DATETIME_WIDGET)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
