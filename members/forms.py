import io

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.contrib.auth import password_validation
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from action_areas.models import Country
from p2c_portal.languages import language_choices

from .models import Entity, Membership

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 512
LOGO_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}


def reencode_logo(upload) -> bytes:
    """Validate an uploaded image and re-encode it as a small PNG.

    Re-encoding drops whatever else the file carried (metadata, scripts in polyglot files), so
    what we serve is only pixels."""
    if upload.size > LOGO_MAX_BYTES:
        raise forms.ValidationError(
            _("The logo is too large (%(size)s MB). The limit is 2 MB.")
            % {"size": f"{upload.size / 1024 / 1024:.1f}"}
        )
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.format not in LOGO_FORMATS:
            raise forms.ValidationError(_("The logo must be a PNG, JPEG, WebP or GIF image."))
        if image.width * image.height > 40_000_000:
            raise forms.ValidationError(_("The logo's dimensions are too large."))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise forms.ValidationError(
            _("This file is not an image we can read. Upload a PNG, JPEG, WebP or GIF image.")
        ) from None
    image = image.convert("RGBA")
    image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def validate_links(value: str) -> str:
    validate = URLValidator(schemes=["http", "https"])
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    if len(lines) > 10:
        raise forms.ValidationError(_("Give at most 10 links."))
    for number, line in enumerate(lines, 1):
        try:
            validate(line)
        except forms.ValidationError:
            raise forms.ValidationError(
                _(
                    "Line %(number)d is not a web address starting with http:// or https://: "
                    "“%(line)s”."
                )
                % {"number": number, "line": line[:100]}
            ) from None
    return "\n".join(lines)


class EntityProfileForm(forms.ModelForm):
    website = forms.URLField(
        label=_("Website"),
        max_length=300,
        assume_scheme="https",
        help_text=_("For example https://www.example.org"),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("Optional. PNG, JPEG, WebP or GIF, at most 2 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}
        ),
    )

    class Meta:
        model = Entity
        fields = [
            "name",
            "acronym",
            "stakeholder_group",
            "sub_type",
            "headquarters_country",
            "website",
            "description",
            "contact_email",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["headquarters_country"].queryset = Country.objects.order_by("name_en")
        self.logo_png: bytes | None = None
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(self._profile_fieldset())

    def _profile_fieldset(self):
        return Fieldset(
            _("Your entity"),
            "name",
            "acronym",
            "stakeholder_group",
            "sub_type",
            "headquarters_country",
            "website",
            "description",
            "contact_email",
            "logo",
        )

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_website(self):
        website = self.cleaned_data["website"]
        if not website.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("Enter a web address starting with https://."))
        return website

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if upload:
            self.logo_png = reencode_logo(upload)
        return upload


class EntityApplicationForm(EntityProfileForm):
    class Meta(EntityProfileForm.Meta):
        fields = [
            *EntityProfileForm.Meta.fields,
            "commitment_evidence",
            "commitment_links",
            "pledge_readiness",
            "leader_name",
            "leader_title",
            "leader_attends_roundtable",
            "consent_public_reporting",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "commitment_evidence": forms.Textarea(attrs={"rows": 5}),
            "commitment_links": forms.Textarea(attrs={"rows": 3}),
            "pledge_readiness": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent_public_reporting"].required = True
        self.fields["consent_public_reporting"].label = _(
            "We agree that our pledges will be public and that we will report on their progress "
            "every year."
        )
        self.helper.layout = Layout(
            self._profile_fieldset(),
            Fieldset(_("1. Evidence of commitment"), "commitment_evidence", "commitment_links"),
            Fieldset(_("2. Readiness to make a major pledge"), "pledge_readiness"),
            Fieldset(
                _("3. Engagement at the highest level"),
                "leader_name",
                "leader_title",
                "leader_attends_roundtable",
            ),
            Fieldset(_("Consent"), "consent_public_reporting"),
        )

    def clean_commitment_links(self):
        return validate_links(self.cleaned_data.get("commitment_links", ""))


class InfoRequestAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer to the secretariat"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the entity's administrators (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's email address"))
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.EDITOR
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class InvitationSignupForm(forms.Form):
    full_name = forms.CharField(label=_("Your full name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match."))
        if first:
            from members.models import User

            try:
                password_validation.validate_password(first, User(email=self.email))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class EmailLanguageForm(forms.Form):
    """My account: the language the portal writes to this person in."""

    preferred_language = forms.ChoiceField(
        label=_("Language of the emails you receive"),
        choices=language_choices,
        widget=forms.RadioSelect,
        help_text=_("Emails from the portal, and the links in them, are written in this language."),
        error_messages={"required": _("Choose a language."),
                        "invalid_choice": _("Choose one of the languages offered.")},
    )
