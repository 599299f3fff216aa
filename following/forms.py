from django import forms
from django.utils.translation import gettext_lazy as _


class FollowForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"), max_length=254,
        help_text=_("We send a link to confirm, then at most one email a week. Your address is "
                    "never shown to anyone, and every email has a link to stop."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )
