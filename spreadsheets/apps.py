from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpreadsheetsConfig(AppConfig):
    """Spreadsheets in and out: the import engine the apps' admins use, and the formula guard
    every export uses. Beneath the domain apps: it knows rows and cells, never pledges."""

    name = "spreadsheets"
    verbose_name = _("Spreadsheets")
