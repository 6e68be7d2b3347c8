from django import forms
from django.utils.translation import gettext_lazy as _

from supportdesk.core.forms import MultipleFileField
from supportdesk.knowledge.actions import EDITABLE_FIELDS
from supportdesk.knowledge.models import Article


class ArticleForm(forms.ModelForm):
    """Parses and validates input; the view hands ``cleaned_data`` to an action."""

    note = forms.CharField(label=_("What changed"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "body": forms.Textarea(attrs={"rows": 18}),
            "synonyms": forms.Textarea(attrs={"rows": 3}),
            "next_review_on": forms.DateInput(attrs={"type": "date"}),
        }

    def values(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        choices=[("1", _("Helpful")), ("0", _("Not helpful"))], coerce=lambda v: v == "1"
    )
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False)


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Review result"),
        choices=[
            ("valid", _("Still valid")),
            ("updated", _("Updated")),
            ("retired", _("Retired")),
        ],
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class DeflectionForm(forms.Form):
    query = forms.CharField(max_length=200, required=False)


class ArticleFilesForm(forms.Form):
    attachments = MultipleFileField(label=_("Images and attachments"), required=True)
