from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = _("Pledges")

    def ready(self):
        from action_areas.reference_versions import register_table

        # Registers the search's SQL functions on every new SQLite connection (make run).
        from . import text_search  # noqa: F401
        from .models import Event

        # An event's code (the event facet's value) changed in the admin tells the public
        # fingerprint (public_cache), through the version a trigger keeps of the events' table.
        register_table(Event._meta.db_table)
