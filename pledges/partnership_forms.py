"""Forms of the partners pages: the picker's search, an invitation, ending a partnership."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .partnerships import MAX_REASON


class EntitySearchForm(forms.Form):
    """The picker: a plain GET search that works without JavaScript."""

    q = forms.CharField(label=_("Find a member entity by name or acronym"), max_length=100,
                        required=False)


class InviteForm(forms.Form):
    entity = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class EndForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does this partnership end? (shared with the other side)"),
        max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason: both sides and the secretariat will read "
                                      "it.")},
    )
