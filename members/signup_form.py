"""The extra field of allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS). In a module of its own:
allauth imports it while building its forms, so it must not import anything that imports them."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SignupNameForm(forms.Form):
    # Emails greet the person by this name, not by their address.
    full_name = forms.CharField(
        label=_("Your full name"), max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter your full name."))
        return name

    def signup(self, request, user) -> None:
        """allauth's hook after the account is saved; AccountAdapter.save_user already set the
        name with the rest of the account, in the same write."""
