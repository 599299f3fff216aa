"""The review desk's forms: the pledge's change form and list rows (which carry the version the
page showed, so that a save over someone else's is refused), a decision with its message, the
bulk publication."""

import copy

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from action_areas.models import Indicator
from p2c_portal.languages import LanguageSelect

from .forms import TranslationForm
from .models import AdvocacyActivity, Event, Pledge, other_type_details
from .services import EDIT_CONFLICT_MESSAGE


class VersionField(forms.IntegerField):
    """The pledge's version as the page showed it: carried along, never a change in itself."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def has_changed(self, initial, data) -> bool:
        return False


class VersionGuardMixin:
    """The pledge's version when the page was shown travels with the form; a changed form whose
    pledge has moved on since is refused (pledges.services.pledge_correct checks again under a
    lock)."""

    def _init_version(self):
        if self.instance.pk is not None:
            self.initial.setdefault("expected_version", self.instance.version)

    def _check_version(self):
        if self.instance.pk is None or not self.has_changed():
            return
        if self.cleaned_data.get("expected_version") != self.instance.version:
            raise forms.ValidationError(EDIT_CONFLICT_MESSAGE, code="conflict")

    def corrections(self) -> dict:
        """The values this form changes, for pledges.services.pledge_correct."""
        return {name: self.cleaned_data[name] for name in self.changed_data}

    def translation_changes(self) -> dict:
        """The translations this form changes, by language (none here)."""
        return {}


def translation_field_names(language: str) -> tuple[str, str]:
    """The change form's title and summary fields of the translation into `language`."""
    return f"translation_title_{language}", f"translation_summary_{language}"


def _translation_fields() -> dict[str, forms.Field]:
    """A title and a summary for each of the site's languages: the fields of the members'
    translations page (same limits), optional here, labelled with the language's own name."""
    fields = {}
    for language, _name in settings.LANGUAGES:
        name_local = get_language_info(language)["name_local"]
        title_name, summary_name = translation_field_names(language)
        for name, source in ((title_name, "title"), (summary_name, "summary")):
            field = copy.deepcopy(TranslationForm.base_fields[source])
            field.required = False
            field.label = format_lazy("{} ({})", field.label, name_local)
            field.widget.attrs.update({"lang": language, "dir": "auto"})
            fields[name] = field
    return fields


class TranslationFieldsMixin:
    """The pledge's translations as one title and summary field per language, read from and
    compared with `Pledge.translations`. Declared fields, so that the admin's fieldsets can name
    them; the service merges only the languages whose fields changed."""

    declared_fields = _translation_fields()

    def _init_translations(self):
        for language, _name in settings.LANGUAGES:
            text = self.instance.translation(language) if self.instance.pk else None
            title_name, summary_name = translation_field_names(language)
            self.initial.setdefault(title_name, (text or {}).get("title", ""))
            self.initial.setdefault(summary_name, (text or {}).get("summary", ""))

    def _clean_translations(self):
        for language, _name in settings.LANGUAGES:
            title_name, summary_name = translation_field_names(language)
            if self.cleaned_data.get(summary_name) and not self.cleaned_data.get(title_name):
                self.add_error(title_name, _("A translation needs its title; clear the summary "
                                             "too to remove the translation."))

    def translation_changes(self) -> dict[str, dict[str, str] | None]:
        """The translations this form changes, by language: {"title", "summary"}, or None
        where the title was cleared (the translation is removed)."""
        changes = {}
        for language, _name in settings.LANGUAGES:
            names = translation_field_names(language)
            if names[0] not in self.fields or not set(names) & set(self.changed_data):
                continue
            title, summary = (self.cleaned_data.get(name) or "" for name in names)
            changes[language] = {"title": title, "summary": summary} if title else None
        return changes


class PledgeAdminForm(TranslationFieldsMixin, VersionGuardMixin, forms.ModelForm):
    expected_version = VersionField()
    advocacy_activities = forms.MultipleChoiceField(
        label=_("activities"), choices=AdvocacyActivity.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Pledge
        fields = ()  # the admin's fieldsets decide
        widgets = {"language": LanguageSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_version()
        self._init_translations()
        if "pledge_type" in self.fields:
            self.fields["pledge_type"].help_text = _(
                "A pledge keeps only its own type’s details: saving another type removes the "
                "details of the others."
            )

    def clean(self):
        cleaned = super().clean()
        self._clean_translations()
        self._check_version()
        pledge_type = cleaned.get("pledge_type", self.instance.pledge_type)
        for name in other_type_details(pledge_type).keys() & set(self.changed_data):
            if cleaned.get(name) not in (None, "", []):
                self.add_error(name, _(
                    "Only the details of the pledge’s type are kept: change the type first, or "
                    "leave this empty."
                ))
        return cleaned

    def corrections(self) -> dict:
        """The model fields this form changes (the translations go separately:
        translation_changes())."""
        translation_fields = set(TranslationFieldsMixin.declared_fields)
        return {name: value for name, value in super().corrections().items()
                if name not in translation_fields}


class PledgeListForm(VersionGuardMixin, forms.ModelForm):
    """A row of the list: the event the pledge was announced at, editable in place."""

    expected_version = VersionField()
    event = forms.ModelChoiceField(
        label=_("announced at"), queryset=Event.objects.all(), required=False
    )

    class Meta:
        model = Pledge
        fields = ("event",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_version()

    def clean(self):
        cleaned = super().clean()
        try:
            self._check_version()
        except forms.ValidationError as error:
            # The list shows only the editable cells' errors: put it where it will be seen.
            self.add_error("event", error)
        return cleaned


def embargo_field() -> forms.DateTimeField:
    # A native date-time picker: no script, nothing for the CSP to block.
    return forms.DateTimeField(
        label=_("Public from (UTC)"), required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Optional: the pledge stays hidden from the public until this moment, e.g. "
                    "the opening of a roundtable. Empty: public at once."),
    )


def clean_embargo(value):
    if value and value <= timezone.now():
        raise forms.ValidationError(
            _("Choose a moment in the future, or leave it empty to publish at once.")
        )
    return value


class TransitionForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the entity"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
    )
    embargo_until = embargo_field()
    expected_status = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, transition, **kwargs):
        super().__init__(*args, **kwargs)
        if transition.name != "publish":
            del self.fields["embargo_until"]
        if transition.message_required:
            self.fields["message"].required = True
        else:
            self.fields["message"].help_text = _("Optional.")

    def clean_embargo_until(self):
        return clean_embargo(self.cleaned_data.get("embargo_until"))


class BulkPublishForm(forms.Form):
    embargo_until = embargo_field()

    def clean_embargo_until(self):
        return clean_embargo(self.cleaned_data.get("embargo_until"))


class MapTargetsForm(forms.Form):
    indicator = forms.ModelChoiceField(
        label=_("Indicator of the catalogue"), queryset=Indicator.objects.active(),
        help_text=_("The selected targets will count toward this indicator's goals; what the "
                    "members wrote stays as it is."),
    )
