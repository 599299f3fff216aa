from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = _("Pledges")

    def ready(self):
        # Registers the search's SQL functions on every new SQLite connection (make run).
        from . import text_search  # noqa: F401
