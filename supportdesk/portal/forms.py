"""Forms of the customer portal: they parse and check input; actions do the rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.models import User
from supportdesk.core.forms import MultipleFileField
from supportdesk.crm.models import InstalledProduct
from supportdesk.portal.formatting import response_promise
from supportdesk.tickets.choices import Frequency, Reproducibility, TicketType
from supportdesk.tickets.models import Category, Priority

# Clocks of customer machines drift; an occurrence a few minutes "in the future" is not a typo.
CLOCK_SKEW = dt.timedelta(minutes=10)
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class InstalledProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        parts = [str(obj), obj.model, obj.serial_number]
        return " · ".join(part for part in parts if part)


class NewTicketForm(forms.Form):
    """The record template's fields a customer can give (R-TK-2, R-IN-4, R-IN-5)."""

    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices, initial=TicketType.FAULT)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    priority = forms.ModelChoiceField(
        label=_("Business impact"),
        queryset=Priority.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose how much the problem affects your business.")},
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        help_text=_("One line, e.g. “Report export fails with error 500”."),
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened, what you expected, and any error text, copied exactly."),
    )
    occurred_at = forms.DateTimeField(
        label=_("When did it happen?"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("To the minute, in your time zone."),
    )
    frequency = forms.ChoiceField(
        label=_("How often?"),
        choices=[("", "—"), *Frequency.choices],
        required=False,
    )
    reproducibility = forms.ChoiceField(
        label=_("Can you reproduce it?"),
        choices=[("", "—"), *Reproducibility.choices],
        required=False,
    )
    installed_product = InstalledProductChoiceField(
        label=_("Product"), queryset=InstalledProduct.objects.none(), required=False
    )
    env_os = forms.CharField(label=_("Operating system"), max_length=100, required=False)
    env_software_version = forms.CharField(
        label=_("Software version"), max_length=100, required=False
    )
    env_browser = forms.CharField(label=_("Browser"), max_length=100, required=False)
    env_network = forms.CharField(
        label=_("Network"),
        max_length=200,
        required=False,
        help_text=_("e.g. office LAN, VPN, proxy, 4G."),
    )
    env_hardware = forms.CharField(
        label=_("Hardware"),
        max_length=200,
        required=False,
        help_text=_("Only if it matters, e.g. a printer or scanner model."),
    )
    steps_tried = forms.CharField(
        label=_("What have you already tried?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    attachments = MultipleFileField(
        label=_("Attachments"), help_text=_("Screenshots, logs, configuration files.")
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        priorities = Priority.objects.filter(active=True).order_by("rank")
        self.fields["priority"].queryset = priorities  # type: ignore[attr-defined]
        default = next((p for p in priorities if p.is_default), None)
        if default is not None:
            self.fields["priority"].initial = default.pk
        self.fields["category"].queryset = Category.objects.filter(active=True)  # type: ignore[attr-defined]
        products = InstalledProduct.objects.none()
        if user.organization_id is not None:
            products = (
                InstalledProduct.objects.filter(organization_id=user.organization_id)
                .select_related("product", "version")
                .order_by("product__name", "id")
            )
        self.fields["installed_product"].queryset = products  # type: ignore[attr-defined]

    def priority_options(self) -> list[dict[str, Any]]:
        """Each impact level with its radio button, business impact and response promise."""
        options = []
        for radio in self["priority"]:
            priority: Priority = radio.data["value"].instance
            options.append(
                {
                    "radio": radio,
                    "priority": priority,
                    "promise": response_promise(priority.first_response_minutes),
                }
            )
        return options

    def clean_occurred_at(self) -> dt.datetime | None:
        value: dt.datetime | None = self.cleaned_data.get("occurred_at")
        if value is not None and value > timezone.now() + CLOCK_SKEW:
            raise forms.ValidationError(_("This time is in the future."))
        return value


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not str(data.get("body") or "").strip() and not data.get("attachments"):
            raise forms.ValidationError(_("Write a message or attach a file."))
        return data


class AddFilesForm(forms.Form):
    attachments = MultipleFileField(label=_("Files"), required=True)


class ConfirmForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is still wrong?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Tell us what is still wrong, so we can pick it up.")},
    )
