"""Autocomplete fields of the admin that survive a value that is not a key.

Django's autocomplete widget shows a rejected form again by looking up the posted value in the
database as typed: `id__in=["@SUM(1)"]` raises ValueError, a 500 instead of "Select a valid
choice" (found by tests/p2c_portal/test_hostile_admin_input.py). Every admin with
`autocomplete_fields`, and every inline, takes `KeyCheckingAutocompleteMixin`: values that cannot
be a key of the related model are left out of that lookup; the form's own error still says what
is wrong.
"""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError


class _KeysOnly:
    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        to_field = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.attname
        )
        keys = []
        for item in value:
            try:
                to_field.get_prep_value(to_field.to_python(item))
            except (ValidationError, ValueError, TypeError):
                continue
            if "\x00" not in str(item):  # PostgreSQL refuses NUL in any text
                keys.append(item)
        return super().optgroups(name, keys, attr)


class KeyCheckingAutocompleteSelect(_KeysOnly, AutocompleteSelect):
    pass


class KeyCheckingAutocompleteSelectMultiple(_KeysOnly, AutocompleteSelectMultiple):
    pass


class KeyCheckingAutocompleteMixin:
    """For a ModelAdmin or an inline: its autocomplete fields use the widgets above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyCheckingAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyCheckingAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)
