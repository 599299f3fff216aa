"""Forms of the import page beyond django-import-export's: the stored file a preview is about
(carried by every later step, so that nothing is uploaded twice) and the layout the secretariat
chose in the preview."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from import_export.forms import ConfirmImportForm

from .files import Sheet
from .tables import Layout

STORED_NAME = re.compile(r"^[0-9a-f]{32}$")


class StoredImportForm(ConfirmImportForm):
    """The file waiting in the import storage (its random name), how to read it, and the layout
    of the preview (tables.Layout as JSON)."""

    layout = forms.CharField(widget=forms.HiddenInput(), required=False)

    def clean_import_file_name(self):
        name = super().clean_import_file_name()
        if not STORED_NAME.match(name):
            raise forms.ValidationError(_("This import could not be confirmed: upload the file "
                                          "again."))
        return name

    def clean_format(self):
        value = self.cleaned_data["format"]
        if not value.isdigit():
            raise forms.ValidationError(_("Unknown format."))
        return value

    def get_layout(self) -> Layout:
        return Layout.from_json(self.cleaned_data.get("layout") or "")


def layout_from_data(data, sheets: list[Sheet], columns: list[str]) -> Layout | None:
    """The layout chosen in the preview's form (None when the form was not sent: the automatic
    layout). Sheets are named by their position in the file; unknown values are ignored."""
    if not data.get("layout_submitted"):
        return None
    by_position = {str(sheet.position): sheet for sheet in sheets}
    headings = {}
    for position, sheet in by_position.items():
        line = data.get(f"heading_{position}", "")
        if line.isdigit() and any(row.line == int(line) for row in sheet.rows):
            headings[sheet.name] = int(line)
    chosen = [by_position[p].name for p in data.getlist("sheet") if p in by_position]
    mapping = {}
    for name, value in data.items():
        if name.startswith("map:") and (value in columns or value == ""):
            mapping[name[4:]] = value
    include_hidden = bool(data.get("include_hidden"))
    return Layout(headings=headings, sheets=chosen, include_hidden=include_hidden,
                  mapping=mapping,
                  # Just ticked: hidden sheets whose headings are recognised are chosen too.
                  add_hidden_sheets=include_hidden and not data.get("hidden_were_included"))


class SaveMappingForm(forms.Form):
    mapping_name = forms.CharField(label=_("Name of this mapping"), max_length=200)
